"""Plain-HTTP dispatch for the REST API under /api/sehat/.

Odoo 11 turns every ``application/json`` request into JSON-RPC (``JsonRequest``): it
answers 200 with an error object, and a body that is not a JSON-RPC object fails with a
500 before any route runs. A REST API needs real status codes, so requests under
``/api/sehat/`` are dispatched as plain ``HttpRequest`` and the route parses the body
itself. This is the one place that changes Odoo's request-type selection (the same
technique as OCA ``base_rest``); every other path keeps Odoo's behaviour.
"""
from odoo import http

REST_PREFIX = '/api/sehat/'


def _get_request(root, httprequest):
    if httprequest.path.startswith(REST_PREFIX):
        return http.HttpRequest(httprequest)
    return _get_request.odoo_get_request(root, httprequest)


if not getattr(http.Root.get_request, 'sehat_rest', False):
    _get_request.odoo_get_request = http.Root.get_request
    _get_request.sehat_rest = True
    http.Root.get_request = _get_request

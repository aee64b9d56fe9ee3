"""Clients for the end-to-end tests of the REST API: the API itself (POST /api/sehat/v1/leads
with a bearer token) and JSON-RPC as admin, to issue tokens and look at what got stored.

``requests.Session`` is not meant to be shared between threads: give each thread its own
:class:`ApiClient`. :class:`OdooAdmin` serialises its calls with a lock.
"""
import json
import threading

import requests

from conftest import DB

LEADS_PATH = '/api/sehat/v1/leads'
MAX_BODY = 64 * 1024  # controllers/api.py
LEAD_FIELDS = ['phone_e164', 'contact_name', 'email_from', 'enquiry_count', 'urgency_band', 'urgency_score',
               'red_flag', 'source_id', 'medium_id', 'campaign_id', 'partner_id', 'channel', 'type', 'active']
_DEFAULT = object()


class OdooAdmin:
    """JSON-RPC as a logged-in user (admin/admin by default), as the web client calls it."""

    def __init__(self, url, login='admin', password='admin'):
        self.url = url
        self.session = requests.Session()
        self._lock = threading.Lock()
        result = self.rpc('/web/session/authenticate', {'db': DB, 'login': login, 'password': password})
        assert result.get('uid'), result

    def rpc(self, path, params):
        with self._lock:
            resp = self.session.post(self.url + path, json={'jsonrpc': '2.0', 'method': 'call', 'params': params},
                                     timeout=120)
        assert resp.status_code == 200, '%s answered %s: %s' % (path, resp.status_code, resp.text[:1000])
        body = resp.json()
        assert 'error' not in body, '%s failed: %s' % (path, json.dumps(body['error'])[:3000])
        return body.get('result')  # Odoo leaves 'result' out when it is None

    def call_kw(self, model, method, args, kwargs=None):
        return self.rpc('/web/dataset/call_kw', {'model': model, 'method': method, 'args': args,
                                                 'kwargs': kwargs or {}})

    def issue_token(self, name):
        """{'id', 'token'}: a new bearer token (models/sehat_api_token.py sehat_issue_token)."""
        return self.call_kw('sehat.api.token', 'sehat_issue_token', [name])

    def revoke_token(self, token_id):
        self.call_kw('sehat.api.token', 'action_revoke', [[token_id]])

    def search_read(self, model, domain, fields, context=None):
        return self.rpc('/web/dataset/search_read', {'model': model, 'domain': domain, 'fields': fields,
                                                     'context': context or {}})['records']

    def leads(self, domain, fields=None):
        """Leads (archived ones too) matching ``domain``."""
        return self.search_read('crm.lead', domain, fields or LEAD_FIELDS, {'active_test': False})

    def leads_by_phone(self, *phones_e164):
        return self.leads([['phone_e164', 'in', list(phones_e164)]])

    def lead(self, lead_id):
        found = self.leads([['id', '=', lead_id]])
        assert len(found) == 1, 'lead %s not found' % lead_id
        return found[0]

    def lead_total(self):
        """Number of leads in the database, archived ones too."""
        return self.call_kw('crm.lead', 'search_count', [[]], {'context': {'active_test': False}})


class ApiClient:
    """POST /api/sehat/v1/leads with one ``requests.Session``: one client per thread."""

    def __init__(self, url, token):
        self.url = url + LEADS_PATH
        self.token = token
        self.session = requests.Session()

    def post(self, body, token=_DEFAULT, content_type='application/json', headers=None):
        """POST ``body`` (bytes) as is. ``token=None`` sends no Authorization header,
        ``content_type=None`` no Content-Type; ``headers`` adds or overrides headers."""
        token = self.token if token is _DEFAULT else token
        sent = {}
        if token is not None:
            sent['Authorization'] = 'Bearer ' + token
        if content_type is not None:
            sent['Content-Type'] = content_type
        sent.update(headers or {})
        return self.session.post(self.url, data=body, headers=sent, timeout=120)

    def post_json(self, value, **kwargs):
        """POST ``value`` written as JSON (NaN and Infinity allowed, as Python writes them)."""
        return self.post(json.dumps(value).encode('utf-8'), **kwargs)

"""The confirm / cancel links of appointment reminders (public, no login).

A link is ``/sehat/appointment/<id>/<confirm|cancel>?token=<HMAC>`` (see lib.appointment.sign).
GET only shows what the link will do, with a button: mail scanners and link previews open
links, and must not cancel anybody's appointment. The POST of that button (CSRF-protected)
does it. A wrong or tampered token, an unknown appointment or another action gets a 403 page
that says nothing about the appointment; an appointment that can no longer change (done,
already cancelled) gets a page saying so, and nothing changes.
"""
import logging

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..lib import appointment as appointment_lib

_logger = logging.getLogger(__name__)

TEMPLATE = 'sehat_crm.appointment_link_page'


class AppointmentLinks(http.Controller):

    def _event(self, event_id, action, token):
        if action not in appointment_lib.LINK_ACTIONS:
            return None
        event = request.env['calendar.event'].sudo().browse(event_id).exists()
        if not event or not event.doctor_id or not event.sehat_check_link(action, token):
            return None
        return event

    def _page(self, event, action, token, status=200, done=False, error=None):
        values = {'event': event, 'action': action, 'token': token, 'done': done, 'error': error}
        return request.render(TEMPLATE, values, status=status)

    @http.route('/sehat/appointment/<int:event_id>/<string:action>', type='http', auth='public',
                methods=['GET'], website=True)
    def link_page(self, event_id, action, token=None, **_kw):
        event = self._event(event_id, action, token)
        if not event:
            return self._page(None, action, None, status=403)
        if event.appointment_state not in appointment_lib.OPEN or \
                (action == 'confirm' and event.appointment_state == 'confirmed'):
            return self._page(event, action, token, done=True)
        return self._page(event, action, token)

    @http.route('/sehat/appointment/<int:event_id>/<string:action>', type='http', auth='public',
                methods=['POST'], website=True)
    def link_submit(self, event_id, action, token=None, **_kw):
        event = self._event(event_id, action, token)
        if not event:
            return self._page(None, action, None, status=403)
        try:
            if action == 'confirm' and event.appointment_state == 'booked':
                event.action_appointment_confirm()
            elif action == 'cancel' and event.appointment_state in appointment_lib.OPEN:
                event.sehat_cancel_by_patient()
            elif not (action == 'confirm' and event.appointment_state == 'confirmed'):
                return self._page(event, action, token, status=409, done=True)
        except UserError as err:
            _logger.info('appointment link %s on %s refused: %s', action, event_id, err.name)
            return self._page(event, action, token, status=409, error=err.name)
        return self._page(event, action, token, done=True)

"""Appointment reminders by email and SMS, with signed confirm / cancel links."""
import logging
from datetime import datetime


from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import appointment as appointment_lib

_logger = logging.getLogger(__name__)


class SehatReminderRule(models.Model):
    """When to remind patients of an appointment (e.g. 24 h before by email and SMS, 2 h before
    by SMS)."""
    _name = 'sehat.reminder.rule'
    _description = 'Appointment reminder'
    _order = 'hours_before desc'

    name = fields.Char(required=True, translate=True)
    hours_before = fields.Float(string='Hours before', required=True, default=24)
    send_email = fields.Boolean(string='Email', default=True)
    send_sms = fields.Boolean(string='SMS', default=True)
    active = fields.Boolean(default=True)

    @api.constrains('hours_before', 'send_email', 'send_sms')
    def _check_rule(self):
        for rule in self:
            if not 0 < rule.hours_before <= 24 * 14:
                raise ValidationError(_('A reminder is sent between a few minutes and 14 days before, not %(hours)s '
                                        'hours.') % {'hours': rule.hours_before})
            if not (rule.send_email or rule.send_sms):
                raise ValidationError(_('A reminder goes by email, by SMS or both.'))


class SehatAppointmentReminder(models.Model):
    """One reminder rule applied to one appointment: claimed once (unique), then sent."""
    _name = 'sehat.appointment.reminder'
    _description = 'Reminder sent'
    _order = 'id desc'

    event_id = fields.Many2one('calendar.event', string='Appointment', required=True, ondelete='cascade', index=True)
    rule_id = fields.Many2one('sehat.reminder.rule', string='Reminder', required=True, ondelete='cascade')
    state = fields.Selection([('sent', 'Sent'), ('skipped', 'Skipped'), ('failed', 'Failed')], required=True)
    note = fields.Char()
    mail_id = fields.Many2one('mail.mail', string='Email', ondelete='set null')
    sms_id = fields.Many2one('sehat.sms.message', string='SMS', ondelete='set null')

    _sql_constraints = [('event_rule_uniq', 'unique(event_id, rule_id)', 'This reminder was already sent.')]

    def _sehat_deliver(self):
        self.ensure_one()
        event, rule = self.event_id.sudo(), self.rule_id
        patient = event.patient_id
        notes, values = [], {}
        if rule.send_email:
            if patient.email:
                template = self.env.ref('sehat_crm.mail_template_appointment_reminder')
                values['mail_id'] = template.sudo().send_mail(event.id)
            else:
                notes.append(_('no email address'))
        if rule.send_sms:
            number = patient.mobile or patient.phone
            if number:
                try:
                    values['sms_id'] = self.env['sehat.sms.message'].sudo().sehat_queue_sms(
                        number, event._sehat_reminder_sms(), partner=patient, record=event).id
                except (UserError, ValidationError) as err:
                    notes.append(_('SMS not sent: %(error)s') % {'error': err.name})
            else:
                notes.append(_('no phone number'))
        if not values:
            values['state'] = 'failed'
        if notes:
            values['note'] = '; '.join(notes)
        self.sudo().write(values)
        return True


class CalendarEvent(models.Model):
    _inherit = 'calendar.event'

    reminder_ids = fields.One2many('sehat.appointment.reminder', 'event_id', string='Reminders')

    # --- signed links ----------------------------------------------------------------
    def _sehat_secret(self):
        return self.env['ir.config_parameter'].sudo().get_param('database.secret')

    def sehat_link_token(self, action):
        self.ensure_one()
        return appointment_lib.sign(self._sehat_secret(), self.id, action)

    def sehat_link(self, action):
        """Absolute URL of the confirm or cancel page of this appointment (for reminders)."""
        self.ensure_one()
        base = self.env['ir.config_parameter'].sudo().get_param('web.base.url', '').rstrip('/')
        return '%s/sehat/appointment/%d/%s?token=%s' % (base, self.id, action, self.sehat_link_token(action))

    def sehat_check_link(self, action, token):
        """True when ``token`` is this appointment's link token for ``action``."""
        self.ensure_one()
        return appointment_lib.verify(self._sehat_secret(), self.id, action, token)

    def sehat_local_start(self):
        """Start in the doctor's time zone, as patients read it: 'Mon 23 Nov 2026, 10:30'."""
        self.ensure_one()
        return self.doctor_id.sehat_local_time(self.start)

    def sehat_cancel_by_patient(self):
        """The patient cancelled from the reminder link: free the slot and tell the call centre."""
        self.ensure_one()
        self.action_appointment_cancel(reason=_('Cancelled by the patient from the reminder link'))
        responsible = self.lead_id.user_id or self.create_uid
        self._sehat_tell_call_centre(responsible)
        return True

    def _sehat_tell_call_centre(self, user):
        self.ensure_one()
        self.env['mail.activity'].sudo().create({
            'res_model_id': self.env['ir.model']._get('calendar.event').id, 'res_id': self.id,
            'activity_type_id': self.env.ref('mail.mail_activity_data_call').id,
            'summary': _('Patient cancelled: offer another slot'),
            'note': _('%(patient)s cancelled the appointment of %(when)s with %(doctor)s from the reminder link.') % {
                'patient': self.patient_id.name, 'when': self.sehat_local_start(), 'doctor': self.doctor_id.name},
            'user_id': user.id, 'date_deadline': fields.Date.context_today(self),
        })
        self.message_post(body=_('Cancelled by the patient from the reminder link; the slot is free again.'))

    def _sehat_reminder_sms(self):
        self.ensure_one()
        company = self.env.user.company_id.name
        return _('%(company)s: appointment with %(doctor)s on %(when)s. Confirm: %(confirm)s Cancel: %(cancel)s') % {
            'company': company, 'doctor': self.doctor_id.name, 'when': self.sehat_local_start(),
            'confirm': self.sehat_link('confirm'), 'cancel': self.sehat_link('cancel')}

    # --- reminders ------------------------------------------------------------------
    @api.model
    def sehat_send_reminders(self, now=None):
        """Scheduled every 5 minutes: for each open appointment whose reminder time has come,
        claim (event, rule) in the log (unique: a second worker skips it) and send. When several
        rules are due at once (booked late), only the closest one is sent."""
        now = now or datetime.utcnow()
        self.env.cr.execute("""
            SELECT e.id, r.id, r.hours_before
              FROM calendar_event e
              JOIN sehat_reminder_rule r ON r.active
             WHERE e.active AND e.doctor_id IS NOT NULL AND e.appointment_state IN %s
               AND e.start > %s AND e.start <= %s + r.hours_before * interval '1 hour'
               AND NOT EXISTS (SELECT 1 FROM sehat_appointment_reminder x
                                WHERE x.event_id = e.id AND x.rule_id = r.id)
             ORDER BY e.start, r.hours_before
        """, (appointment_lib.OPEN, now, now))
        due = {}
        for event_id, rule_id, _hours in self.env.cr.fetchall():
            due.setdefault(event_id, []).append(rule_id)
        sent = 0
        for event_id, rule_ids in due.items():
            closest, older = rule_ids[0], rule_ids[1:]
            for rule_id in older:
                self._sehat_claim(event_id, rule_id, 'skipped', _('A closer reminder was due at the same time.'))
            reminder = self._sehat_claim(event_id, closest, 'sent')
            if reminder:
                reminder._sehat_deliver()
                sent += 1
        return sent

    @api.model
    def _sehat_claim(self, event_id, rule_id, state, note=None):
        self.env.cr.execute("""
            INSERT INTO sehat_appointment_reminder (event_id, rule_id, state, note, create_uid, create_date,
                                                    write_uid, write_date)
            VALUES (%s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC')
            ON CONFLICT (event_id, rule_id) DO NOTHING RETURNING id
        """, (event_id, rule_id, state, note, self.env.uid, self.env.uid))
        row = self.env.cr.fetchone()
        return self.env['sehat.appointment.reminder'].browse(row[0]) if row else None

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.calendar_event import MODES

MAX_SLOTS = 30


class SehatAppointmentBook(models.TransientModel):
    """The slot picker: free slots of one doctor, or of every doctor of a specialty, then Book.
    Also moves an existing appointment (reschedule) to the slot picked."""
    _name = 'sehat.appointment.book'
    _description = 'Book an appointment'

    patient_id = fields.Many2one('res.partner', string='Patient', required=True, domain=[('is_patient', '=', True)])
    lead_id = fields.Many2one('crm.lead', string='Enquiry')
    event_id = fields.Many2one('calendar.event', string='Appointment to move')
    task_id = fields.Many2one('project.task', string='Follow-up')
    specialty_id = fields.Many2one('sehat.specialty', string='Specialty')
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', domain=[('registration_verified', '=', True)])
    mode = fields.Selection(MODES, default='in_person', required=True)
    days = fields.Integer(string='Look ahead (days)', default=14, required=True)
    reason = fields.Char(string='Reason for the change')
    slot_ids = fields.One2many('sehat.appointment.book.slot', 'wizard_id', string='Free slots')

    @api.model
    def default_get(self, fields_list):
        values = super(SehatAppointmentBook, self).default_get(fields_list)
        event = self.env['calendar.event'].browse(values.get('event_id') or self.env.context.get('default_event_id'))
        if event:
            values.update({'patient_id': event.patient_id.id, 'doctor_id': event.doctor_id.id,
                           'specialty_id': event.specialty_id.id, 'mode': event.mode or 'in_person'})
        return values

    def _doctors(self):
        if self.doctor_id:
            return self.doctor_id
        if not self.specialty_id:
            raise UserError(_('Choose a doctor or a specialty to find free slots.'))
        return self.env['sehat.doctor'].search([('specialty_ids', 'in', self.specialty_id.ids),
                                                ('registration_verified', '=', True)])

    def action_find_slots(self):
        self.ensure_one()
        doctors = self._doctors()
        by_doctor = doctors._free_slots_by_doctor(self.days, limit=MAX_SLOTS)
        found = sorted(((slot.start, doctor_id, slot.stop) for doctor_id, slots in by_doctor.items()
                        for slot in slots))[:MAX_SLOTS]
        self.slot_ids = [(5, 0, 0)] + [(0, 0, {'doctor_id': doctor_id, 'start': start, 'stop': stop})
                                       for start, doctor_id, stop in found]
        if not found:
            raise UserError(_('No free slot in the next %(days)s days: look further ahead or choose another '
                              'doctor.') % {'days': self.days})
        return self._reopen()

    def _reopen(self):
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id,
                'view_mode': 'form', 'target': 'new', 'name': _('Book an appointment')}

    def _book(self, doctor, start, stop):
        self.ensure_one()
        Event = self.env['calendar.event'].with_context(no_mail_to_attendees=True)
        if self.event_id:
            if self.event_id.appointment_state not in ('booked', 'confirmed'):
                raise UserError(_('Only a booked or confirmed appointment can be moved.'))
            self.event_id.with_context(no_mail_to_attendees=True,
                                       sehat_reschedule_reason=self.reason or _('Moved by the call centre')).write({
                                           'doctor_id': doctor.id, 'start': start, 'stop': stop})
            event = self.event_id
        else:
            if self.task_id and self.task_id.partner_id != self.patient_id:
                raise UserError(_('This follow-up is for %(patient)s, not for %(other)s.') % {
                    'patient': self.task_id.partner_id.name, 'other': self.patient_id.name})
            event = Event.create({
                'doctor_id': doctor.id, 'patient_id': self.patient_id.id, 'specialty_id': self.specialty_id.id,
                'mode': self.mode, 'lead_id': self.lead_id.id, 'start': start, 'stop': stop,
            })
            if self.task_id:
                self.task_id.sehat_link_appointment(event)
        return {'type': 'ir.actions.act_window', 'res_model': 'calendar.event', 'res_id': event.id,
                'view_mode': 'form', 'views': [(self.env.ref('sehat_crm.calendar_event_appointment_form').id, 'form')],
                'target': 'current'}


class SehatAppointmentBookSlot(models.TransientModel):
    _name = 'sehat.appointment.book.slot'
    _description = 'Free slot'
    _order = 'start, id'

    wizard_id = fields.Many2one('sehat.appointment.book', required=True, ondelete='cascade')
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', required=True)
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    label = fields.Char(string='When', compute='_compute_label')

    def _compute_label(self):
        for slot in self:
            zone = pytz.timezone(slot.doctor_id.calendar_tz or 'UTC')
            local = pytz.utc.localize(fields.Datetime.from_string(slot.start)).astimezone(zone)
            minutes = int((fields.Datetime.from_string(slot.stop) - fields.Datetime.from_string(slot.start))
                          .total_seconds() // 60)
            slot.label = '%s (%d min)' % (local.strftime('%a %d %b %H:%M'), minutes)

    def action_book(self):
        self.ensure_one()
        return self.wizard_id._book(self.doctor_id, self.start, self.stop)


class SehatAppointmentCancel(models.TransientModel):
    """Cancelling an appointment needs a reason; the slot is freed at once."""
    _name = 'sehat.appointment.cancel'
    _description = 'Cancel an appointment'

    event_id = fields.Many2one('calendar.event', string='Appointment', required=True)
    reason = fields.Char(required=True)

    def action_cancel(self):
        self.ensure_one()
        self.event_id.action_appointment_cancel(reason=self.reason)
        return {'type': 'ir.actions.act_window_close'}

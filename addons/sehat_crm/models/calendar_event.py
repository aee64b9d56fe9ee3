import logging
from datetime import datetime, timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import appointment as appointment_lib
from ..lib import slots as slots_lib
from .sql_errors import expected_sql_errors

_logger = logging.getLogger(__name__)

EXCLUSION_VIOLATION = '23P01'
PAST_GRACE = timedelta(minutes=1)
MODES = [('in_person', 'In person'), ('video', 'Video consultation')]
# One per person: no two appointments holding the time (lib.appointment.HOLDING) overlap.
OVERLAP_CONSTRAINTS = [
    ('calendar_event_sehat_doctor_no_overlap', """
        ALTER TABLE calendar_event ADD CONSTRAINT calendar_event_sehat_doctor_no_overlap
        EXCLUDE USING gist (doctor_id WITH =, tsrange(start, stop) WITH &&)
        WHERE (doctor_id IS NOT NULL AND active
               AND appointment_state IN ('booked', 'confirmed', 'checked_in', 'in_consultation', 'done'))
    """),
    ('calendar_event_sehat_patient_no_overlap', """
        ALTER TABLE calendar_event ADD CONSTRAINT calendar_event_sehat_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tsrange(start, stop) WITH &&)
        WHERE (patient_id IS NOT NULL AND active
               AND appointment_state IN ('booked', 'confirmed', 'checked_in', 'in_consultation', 'done'))
    """),
]


class CalendarEvent(models.Model):
    """Appointments are calendar events with a doctor and a patient.

    Booking rules (checked in Python for a clear message, and for the overlaps also by two
    PostgreSQL exclusion constraints, so two workers booking the same slot cannot both win):
    a verified doctor who practises the requested specialty, inside the doctor's working hours,
    not in the past, within the doctor's daily capacity, no overlap for the doctor or the patient.
    """
    _inherit = 'calendar.event'

    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', index=True, ondelete='restrict',
                                track_visibility='onchange')
    patient_id = fields.Many2one('res.partner', string='Patient', index=True, ondelete='restrict',
                                 domain=[('is_patient', '=', True)], track_visibility='onchange')
    specialty_id = fields.Many2one('sehat.specialty', string='Specialty', ondelete='restrict')
    mode = fields.Selection(MODES, string='Consultation mode', default='in_person')
    appointment_state = fields.Selection(
        [(s, appointment_lib.STATE_LABELS[s]) for s in appointment_lib.STATES], string='Appointment status',
        index=True, copy=False, track_visibility='onchange')
    lead_id = fields.Many2one('crm.lead', string='Enquiry', ondelete='set null', index=True)
    cancel_reason = fields.Char(copy=False, track_visibility='onchange')
    reschedule_ids = fields.One2many('sehat.appointment.reschedule', 'event_id', string='Reschedules')
    reschedule_count = fields.Integer(compute='_compute_reschedule_count')
    invoice_id = fields.Many2one('account.invoice', string='Invoice', readonly=True, copy=False, ondelete='set null')

    def init(self):
        """No two holding appointments of a doctor (or of a patient) overlap in time: enforced by
        PostgreSQL, so it holds across workers and transactions."""
        cr = self.env.cr
        cr.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        for name, ddl in OVERLAP_CONSTRAINTS:
            cr.execute('SELECT 1 FROM pg_constraint WHERE conname = %s', [name])
            if not cr.fetchone():
                cr.execute(ddl)

    def _compute_reschedule_count(self):
        for event in self:
            event.reschedule_count = len(event.reschedule_ids)

    @api.model
    def _sehat_visits_sql(self):
        """SQL returning (partner_id, visit_day) for every completed visit of a patient.

        A visit is an appointment marked done, or another calendar event the patient attended
        that has ended. Uses the %(now)s parameter.
        """
        return """
            SELECT rel.res_partner_id AS partner_id, (e.stop AT TIME ZONE 'UTC')::date AS visit_day
              FROM calendar_event e
              JOIN calendar_event_res_partner_rel rel ON rel.calendar_event_id = e.id
              JOIN res_partner p ON p.id = rel.res_partner_id AND p.is_patient
             WHERE e.active AND e.stop < %(now)s
               AND (e.doctor_id IS NULL OR (e.appointment_state = 'done' AND e.patient_id = p.id))
        """

    # --- create / write -----------------------------------------------------------------
    @api.model
    def create(self, vals):
        if vals.get('doctor_id'):
            vals = self._sehat_appointment_vals(dict(vals))
            if vals.get('appointment_state') in appointment_lib.HOLDING:
                self._sehat_check_values(
                    self.env['sehat.doctor'].browse(vals['doctor_id']),
                    self.env['res.partner'].browse(vals.get('patient_id')),
                    self.env['sehat.specialty'].browse(vals.get('specialty_id')),
                    vals.get('start'), vals.get('stop'), vals.get('allday'), None, check_time=True)
        try:
            with self.env.cr.savepoint(), expected_sql_errors(self.env.cr):
                event = super(CalendarEvent, self).create(vals)
        except psycopg2.IntegrityError as err:
            self._sehat_raise_overlap(err, vals)
        event._sehat_appointment_booked()
        return event

    def write(self, vals):
        timing = {'start', 'stop', 'start_datetime', 'stop_datetime', 'duration', 'allday'} & set(vals)
        relevant = timing | ({'doctor_id', 'patient_id', 'specialty_id', 'active'} & set(vals))
        appointments = self.filtered('doctor_id') if relevant else self.browse()
        before = {event.id: (event.start, event.stop) for event in appointments}
        for event in appointments.filtered(lambda e: e.appointment_state in appointment_lib.HOLDING):
            doctor = self.env['sehat.doctor'].browse(vals['doctor_id']) if 'doctor_id' in vals else event.doctor_id
            patient = self.env['res.partner'].browse(vals['patient_id']) if 'patient_id' in vals else event.patient_id
            specialty = self.env['sehat.specialty'].browse(vals['specialty_id']) if 'specialty_id' in vals \
                else event.specialty_id
            start, stop = vals.get('start', event.start), vals.get('stop', event.stop)
            if vals.get('active', True) and doctor:
                self._sehat_check_values(doctor, patient, specialty, start, stop, vals.get('allday', event.allday),
                                         event.id, check_time=(start, stop) != before[event.id] or 'doctor_id' in vals)
        try:
            with self.env.cr.savepoint(), expected_sql_errors(self.env.cr):
                res = super(CalendarEvent, self).write(vals)
                if relevant:
                    self._sehat_after_booking_change(appointments, before, vals)
        except psycopg2.IntegrityError as err:
            self.invalidate_cache()
            self._sehat_raise_overlap(err, vals)
        if 'partner_ids' in vals or vals.get('patient_id'):
            self._sehat_appointment_booked()
        if 'appointment_state' in vals:
            self.env['project.task'].sehat_appointments_changed(self.filtered('doctor_id'))
        return res

    def _sehat_after_booking_change(self, appointments, before, vals):
        """After a write that moved or re-assigned appointments: new ones get their state and
        attendees, every holding one is checked again, and each move is recorded."""
        new = self.filtered(lambda e: e.doctor_id and not e.appointment_state)
        if new:
            super(CalendarEvent, new).write({'appointment_state': 'booked'})
        for event in self.filtered('doctor_id'):
            missing = (event.doctor_id.partner_id | event.patient_id) - event.partner_ids
            if missing:
                event.with_context(no_mail_to_attendees=True).write({'partner_ids': [(4, p.id) for p in missing]})
        moved = appointments.filtered(lambda e: (e.start, e.stop) != before[e.id])
        for event in self.filtered(lambda e: e.doctor_id and e.appointment_state in appointment_lib.HOLDING):
            event._sehat_check_booking(check_time=event in moved or event not in appointments
                                       or 'doctor_id' in vals)
        for event in moved:
            self.env['sehat.appointment.reschedule'].sudo().create({
                'event_id': event.id, 'user_id': self.env.uid,
                'old_start': before[event.id][0], 'old_stop': before[event.id][1],
                'new_start': event.start, 'new_stop': event.stop,
                'reason': self.env.context.get('sehat_reschedule_reason') or False})
        return True

    @api.model
    def _sehat_appointment_vals(self, vals):
        """Completes a new appointment: state, attendees (patient and doctor), title, organiser."""
        doctor = self.env['sehat.doctor'].browse(vals['doctor_id'])
        for key in ('start', 'stop'):
            if isinstance(vals.get(key), datetime):
                vals[key] = fields.Datetime.to_string(vals[key])
        vals.setdefault('appointment_state', 'booked')
        if vals.get('recurrency'):
            raise ValidationError(_('An appointment cannot repeat: book each visit on its own.'))
        if not vals.get('stop') and vals.get('start'):
            start = fields.Datetime.from_string(vals['start'])
            vals['stop'] = fields.Datetime.to_string(start + timedelta(minutes=doctor.slot_minutes))
        attendees = [(4, doctor.partner_id.id)]
        if vals.get('patient_id'):
            attendees.append((4, vals['patient_id']))
        vals['partner_ids'] = list(vals.get('partner_ids') or []) + attendees
        if not vals.get('name'):
            patient = self.env['res.partner'].browse(vals.get('patient_id'))
            specialty = self.env['sehat.specialty'].browse(vals.get('specialty_id'))
            vals['name'] = ' - '.join(filter(None, [patient.name, doctor.name, specialty.name]))
        if doctor.user_id and 'user_id' not in vals:
            vals['user_id'] = doctor.user_id.id
        return vals

    def _sehat_raise_overlap(self, err, vals):
        if getattr(err, 'pgcode', None) != EXCLUSION_VIOLATION:
            raise err
        if 'patient_no_overlap' in str(err):
            raise ValidationError(_('The patient already has an appointment at that time. '
                                    'Choose another slot.'))
        raise ValidationError(_('This slot has just been booked by someone else. Choose another slot.'))

    # --- the booking rules -------------------------------------------------------------
    def _sehat_check_booking(self, check_time):
        """Raises ValidationError with the first rule this appointment breaks."""
        self.ensure_one()
        self._sehat_check_values(self.doctor_id, self.patient_id, self.specialty_id, self.start, self.stop,
                                 self.allday, self.id, check_time)

    @api.model
    def _sehat_check_values(self, doctor, patient, specialty, start, stop, allday, event_id, check_time):
        """The booking rules on the values an appointment will have (before it is written, so an
        overlap gets its own message rather than the database's refusal)."""
        doctor, patient = doctor.sudo(), patient.sudo()
        start, stop = [fields.Datetime.from_string(v) if isinstance(v, str) else v for v in (start, stop)]
        if not patient:
            raise ValidationError(_('An appointment needs a patient.'))
        if not patient.is_patient:
            raise ValidationError(_('%(name)s is not registered as a patient.') % {'name': patient.name})
        if not doctor.active:
            raise ValidationError(_('%(doctor)s is archived and cannot be booked.') % {'doctor': doctor.name})
        if not doctor.registration_verified:
            raise ValidationError(_('%(doctor)s cannot be booked: their medical registration is not verified yet.')
                                  % {'doctor': doctor.name})
        if specialty and specialty not in doctor.specialty_ids:
            raise ValidationError(_('%(doctor)s does not practise %(specialty)s.') % {
                'doctor': doctor.name, 'specialty': specialty.name})
        if allday or not start or not stop or stop <= start:
            raise ValidationError(_('An appointment has a start and an end time on the same day.'))
        if check_time:
            if start < datetime.utcnow() - PAST_GRACE and not self._sehat_recording_past():
                raise ValidationError(_('This time is in the past: choose a time from now on.'))
            covered = start
            for work_start, work_stop in doctor.sehat_work_intervals(start, stop):
                if work_start <= covered:
                    covered = max(covered, work_stop)
            if covered < stop:
                raise ValidationError(_('%(doctor)s does not consult at that time: book inside their working '
                                        'hours (%(hours)s).') % {'doctor': doctor.name,
                                                                 'hours': doctor.resource_calendar_id.name or '-'})
        for other_start, _other_stop in doctor._busy_intervals(start, stop, exclude_event=event_id):
            raise ValidationError(_('%(doctor)s already has an appointment at %(time)s.') % {
                'doctor': doctor.name, 'time': doctor.sehat_local_time(other_start)})
        if self._sehat_patient_busy(patient, start, stop, exclude_event=event_id):
            raise ValidationError(_('%(name)s already has an appointment at that time.') % {'name': patient.name})
        if check_time:
            day = doctor._local_day(start)
            same_day = [s for s, _e in doctor._busy_intervals(start - timedelta(days=1), start + timedelta(days=2),
                                                              exclude_event=event_id)
                        if doctor._local_day(s) == day]
            if len(same_day) >= doctor.daily_capacity:
                raise ValidationError(_('%(doctor)s is fully booked on %(day)s (%(capacity)s appointments).') % {
                    'doctor': doctor.name, 'day': day, 'capacity': doctor.daily_capacity})

    def _sehat_recording_past(self):
        """Visits that already happened may be recorded (history imported from the hospital's
        previous system) by a Sehat manager who says so with the context key sehat_record_past."""
        return bool(self.env.context.get('sehat_record_past')) and (
            self.env.user._is_superuser() or self.env.user.has_group('sehat_crm.group_sehat_manager'))

    @api.model
    def _sehat_demo_week(self):
        """Demo data: a realistic week around today for every bookable doctor: visits of the last
        three days (mostly done, a few no-shows) and appointments for the next five days."""
        patients = self.env['res.partner'].search([('is_patient', '=', True)], order='id')
        doctors = self.env['sehat.doctor'].search([('registration_verified', '=', True)], order='id')
        if not patients or not doctors:
            return False
        now = datetime.utcnow().replace(second=0, microsecond=0)
        Event = self.with_context(no_mail_to_attendees=True, tracking_disable=True, sehat_record_past=True)
        turn = 0
        for doctor in doctors:
            for day_offset in (-3, -2, -1, 1, 2, 3, 4, 5):
                day_start = now.replace(hour=0, minute=0) + timedelta(days=day_offset)
                work = doctor.sehat_work_intervals(day_start, day_start + timedelta(days=1))
                busy = doctor._busy_intervals(day_start, day_start + timedelta(days=1))
                free = slots_lib.free_slots(work, busy, doctor.slot_minutes, now=day_start, limit=40)
                for slot in free[::7][:3]:
                    patient = next((p for p in (patients[(turn + n) % len(patients)] for n in range(len(patients)))
                                    if not self._sehat_patient_busy(p, slot.start, slot.stop)), None)
                    turn += 1
                    if not patient:
                        continue
                    try:
                        with self.env.cr.savepoint():
                            event = Event.create({
                                'doctor_id': doctor.id, 'patient_id': patient.id, 'start': slot.start,
                                'stop': slot.stop, 'specialty_id': doctor.specialty_ids[:1].id,
                                'mode': 'video' if turn % 5 == 0 else 'in_person'})
                            if day_offset < 0 and turn % 6 == 0:
                                event.action_appointment_no_show()
                            elif day_offset < 0:
                                event.action_appointment_check_in()
                                event.action_appointment_done()
                            elif turn % 3 == 0:
                                event.action_appointment_confirm()
                    except (ValidationError, UserError) as err:  # e.g. this patient is booked at that time
                        _logger.info('demo week: no appointment for %s at %s: %s', patient.name, slot.start, err.name)
        return True

    @api.model
    def _sehat_patient_busy(self, patient, start, stop, exclude_event=None):
        """Whether the patient has another appointment holding time in [start, stop)."""
        self.env.cr.execute("""
            SELECT 1 FROM calendar_event WHERE patient_id = %s AND id != %s AND active
               AND appointment_state IN %s AND start < %s AND stop > %s LIMIT 1
        """, (patient.id, exclude_event or 0, appointment_lib.HOLDING, stop, start))
        return bool(self.env.cr.fetchone())

    # --- status actions ----------------------------------------------------------------
    def _sehat_move(self, action, extra=None):
        for event in self:
            if not event.doctor_id:
                raise UserError(_('%(name)s is not an appointment.') % {'name': event.name})
            try:
                state = appointment_lib.next_state(event.appointment_state, action)
            except appointment_lib.InvalidTransition as err:
                raise UserError(_('%(name)s: %(error)s.') % {'name': event.name, 'error': err})
            event.write(dict(extra or {}, appointment_state=state))
        return True

    def action_appointment_confirm(self):
        return self._sehat_move('confirm')

    def action_appointment_check_in(self):
        return self._sehat_move('check_in')

    def action_appointment_start(self):
        return self._sehat_move('start')

    def action_appointment_done(self):
        return self._sehat_move('done')

    def action_appointment_no_show(self):
        for event in self:
            if event.start and fields.Datetime.from_string(event.start) > datetime.utcnow():
                raise UserError(_('%(name)s has not started yet: it cannot be a no-show.') % {'name': event.name})
        return self._sehat_move('no_show')

    def action_appointment_cancel(self, reason=None):
        reason = reason or self.env.context.get('sehat_cancel_reason')
        if not reason:
            raise UserError(_('Give a reason to cancel an appointment.'))
        return self._sehat_move('cancel', {'cancel_reason': reason})

    def action_appointment_invoice(self):
        """A customer invoice for the visit: the follow-up's service for a treatment-plan visit,
        else the doctor's consultation product (Odoo Accounting computes taxes and accounts)."""
        self.ensure_one()
        if self.appointment_state != 'done':
            raise UserError(_('Invoice a visit once it is done.'))
        if self.invoice_id:
            raise UserError(_('This visit is already invoiced (%(invoice)s).') % {
                'invoice': self.invoice_id.number or self.invoice_id.id})
        task = self.env['project.task'].sudo().search([('sehat_event_id', '=', self.id)], limit=1)
        product = task.sehat_plan_line_id.product_id or self.doctor_id.sudo().fee_product_id
        if not product:
            raise UserError(_('%(doctor)s has no consultation product: set the consultation fee.') % {
                'doctor': self.doctor_id.name})
        partner, company = self.patient_id, self.env.user.company_id
        fpos_id = self.env['account.fiscal.position'].get_fiscal_position(partner.id)
        fpos = self.env['account.fiscal.position'].browse(fpos_id)
        account = self.env['account.invoice.line'].get_invoice_line_account('out_invoice', product, fpos, company)
        taxes = product.taxes_id.filtered(lambda tax: tax.company_id == company)
        taxes = fpos.map_tax(taxes, product, partner) if fpos else taxes
        invoice = self.env['account.invoice'].create({
            'partner_id': partner.id, 'type': 'out_invoice', 'origin': self.name, 'fiscal_position_id': fpos.id,
            'account_id': partner.property_account_receivable_id.id,
            'invoice_line_ids': [(0, 0, {
                'product_id': product.id, 'name': product.display_name, 'quantity': 1.0,
                'price_unit': product.lst_price, 'account_id': account.id,
                'invoice_line_tax_ids': [(6, 0, taxes.ids)]})],
        })
        invoice.compute_taxes()
        self.invoice_id = invoice
        return {'type': 'ir.actions.act_window', 'res_model': 'account.invoice', 'res_id': invoice.id,
                'view_mode': 'form', 'views': [(self.env.ref('account.invoice_form').id, 'form')]}

    # --- lifecycle -------------------------------------------------------------------
    def _sehat_appointment_booked(self):
        """A patient on the calendar becomes a Customer, and their open leads are won."""
        patients = self.sudo().mapped('partner_ids').filtered('is_patient')
        if not patients:
            return
        patients.sehat_lifecycle_event('appointment_booked')
        leads = self.env['crm.lead'].sudo().search(
            [('partner_id', 'in', patients.ids), ('type', '=', 'lead'), ('active', '=', True)])
        for lead in leads:
            lead.with_context(sehat_no_triage=True).write({'type': 'opportunity'})
            lead.action_set_won()


class SehatAppointmentReschedule(models.Model):
    """One move of an appointment to another time (who, when, why)."""
    _name = 'sehat.appointment.reschedule'
    _description = 'Appointment reschedule'
    _order = 'create_date desc, id desc'

    event_id = fields.Many2one('calendar.event', string='Appointment', required=True, ondelete='cascade', index=True)
    old_start = fields.Datetime(string='Was at', required=True)
    old_stop = fields.Datetime(required=True)
    new_start = fields.Datetime(string='Moved to', required=True)
    new_stop = fields.Datetime(required=True)
    reason = fields.Char()
    user_id = fields.Many2one('res.users', string='By', readonly=True)

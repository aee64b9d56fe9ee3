from collections import namedtuple
from datetime import datetime, timedelta
from functools import lru_cache

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import appointment as appointment_lib
from ..lib import slots as slots_lib
from ..lib import workhours

GENDERS = [('female', 'Female'), ('male', 'Male'), ('other', 'Other')]
DEFAULT_TZ = 'Asia/Kolkata'
EPOCH = datetime(1970, 1, 1)

# What booking and matching need of a doctor, read in one query (sehat_booking_facts).
BookingFacts = namedtuple('BookingFacts', 'id name gender fee department_id rating rating_count verified active '
                                          'slot_minutes daily_capacity calendar_id tz specialty_ids language_ids')


@lru_cache(maxsize=64)
def _day_function(tz):
    """UTC naive datetime -> local date in the zone ``tz`` (one pytz lookup per zone)."""
    zone = pytz.timezone(tz or DEFAULT_TZ)
    return lambda utc_dt: zone.fromutc(utc_dt).date()


class SehatDoctor(models.Model):
    """A doctor of the hospital. Contact data lives on the linked partner."""
    _name = 'sehat.doctor'
    _description = 'Doctor'
    _inherits = {'res.partner': 'partner_id'}
    _inherit = ['mail.thread']
    _order = 'name'

    partner_id = fields.Many2one(
        'res.partner', required=True, ondelete='restrict', auto_join=True,
        string='Contact', help='Name, phone, email and photo of the doctor.')
    user_id = fields.Many2one(
        'res.users', string='Odoo user', ondelete='set null',
        help='The login of the doctor, if they use Sehat CRM themselves.')
    department_id = fields.Many2one('sehat.department', track_visibility='onchange')
    specialty_ids = fields.Many2many(
        'sehat.specialty', 'sehat_doctor_specialty_rel', 'doctor_id', 'specialty_id',
        string='Specialties', track_visibility='onchange')
    qualification = fields.Char(help='Degrees, e.g. MBBS, MD (Medicine), DM (Cardiology).')
    registration_number = fields.Char(
        string='Medical registration no.', track_visibility='onchange',
        help='Number issued by the state medical council / NMC.')
    registration_verified = fields.Boolean(
        string='Registration verified', readonly=True, copy=False, track_visibility='onchange',
        help='Checked against the medical council register. Only verified doctors can be booked.')
    registration_verified_by = fields.Many2one('res.users', string='Verified by', readonly=True, copy=False)
    registration_verified_date = fields.Datetime(string='Verified on', readonly=True, copy=False)
    # the doctor's own gender (shown to patients who prefer a doctor of a gender); the partner's
    # gender field belongs to the medical profile of patients
    gender = fields.Selection(GENDERS)
    language_ids = fields.Many2many(
        'sehat.language', 'sehat_doctor_language_rel', 'doctor_id', 'language_id', string='Speaks')
    currency_id = fields.Many2one(related='company_id.currency_id', readonly=True)
    consultation_fee = fields.Monetary(
        string='Consultation fee', track_visibility='onchange',
        help='Price of one consultation; kept on the consultation product used on invoices.')
    fee_product_id = fields.Many2one(
        'product.product', string='Consultation product', readonly=True, copy=False, ondelete='restrict',
        help='Service product invoiced for a consultation, created with the doctor.')
    resource_calendar_id = fields.Many2one(
        'resource.calendar', string='Working hours', ondelete='restrict',
        default=lambda self: self.env.user.company_id.resource_calendar_id,
        help='Weekly consultation hours; appointments are only booked inside them.')
    calendar_tz = fields.Selection(
        '_tz_selection', string='Time zone', default=lambda self: self.env.user.tz or DEFAULT_TZ,
        help='Time zone of the working hours.')
    slot_minutes = fields.Integer(string='Slot length (minutes)', default=15)
    daily_capacity = fields.Integer(string='Appointments per day', default=24)
    review_ids = fields.One2many('sehat.doctor.review', 'doctor_id', string='Reviews')
    rating = fields.Float(
        compute='_compute_rating', store=True, group_operator='avg', digits=(3, 2),
        help='Average of the patients\' ratings (1-5), from post-visit surveys.')
    rating_count = fields.Integer(string='Ratings', compute='_compute_rating', store=True)
    appointment_ids = fields.One2many('calendar.event', 'doctor_id', string='Appointments')
    upcoming_count = fields.Integer(string='Upcoming', compute='_compute_upcoming_count')
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ('registration_uniq', 'unique(registration_number)',
         'Another doctor already has this medical registration number.'),
        ('user_uniq', 'unique(user_id)', 'This user is already linked to another doctor.'),
        ('slot_minutes_range', 'CHECK(slot_minutes BETWEEN 5 AND 240)',
         'A slot lasts between 5 and 240 minutes.'),
        ('daily_capacity_positive', 'CHECK(daily_capacity > 0)', 'A doctor takes at least one appointment a day.'),
        ('fee_positive', 'CHECK(consultation_fee >= 0)', 'The consultation fee cannot be negative.'),
    ]

    @api.model
    def _tz_selection(self):
        return [(tz, tz) for tz in sorted(pytz.all_timezones)]

    @api.depends('review_ids.rating')
    def _compute_rating(self):
        groups = self.env['sehat.doctor.review'].read_group(
            [('doctor_id', 'in', self.ids)], ['doctor_id', 'rating'], ['doctor_id']) if self.ids else []
        by_doctor = {g['doctor_id'][0]: (g['rating'], g['doctor_id_count']) for g in groups}
        for doctor in self:
            doctor.rating, doctor.rating_count = by_doctor.get(doctor.id, (0.0, 0))

    def _compute_upcoming_count(self):
        groups = self.env['calendar.event'].read_group(
            [('doctor_id', 'in', self.ids), ('start', '>=', fields.Datetime.now()),
             ('appointment_state', 'not in', ('cancelled', 'no_show'))], ['doctor_id'], ['doctor_id'])
        counts = {g['doctor_id'][0]: g['doctor_id_count'] for g in groups}
        for doctor in self:
            doctor.upcoming_count = counts.get(doctor.id, 0)

    # --- create / write ---------------------------------------------------------------
    @api.model
    def create(self, vals):
        vals.setdefault('is_company', False)
        doctor = super(SehatDoctor, self).create(vals)
        doctor._sync_fee_product()
        return doctor

    def write(self, vals):
        if 'registration_number' in vals and not self.env.context.get('sehat_keep_verification'):
            changed = self.filtered(lambda d: d.registration_number != vals['registration_number'])
            if changed:
                super(SehatDoctor, changed).write({'registration_verified': False, 'registration_verified_by': False,
                                                   'registration_verified_date': False})
        res = super(SehatDoctor, self).write(vals)
        if {'consultation_fee', 'name'} & set(vals):
            self._sync_fee_product()
        return res

    def _sync_fee_product(self):
        """The consultation product carries the fee, so invoices go through Odoo Accounting."""
        Product = self.env['product.product'].sudo()
        for doctor in self:
            name = _('Consultation: %(doctor)s') % {'doctor': doctor.name}
            if doctor.fee_product_id:
                doctor.fee_product_id.sudo().write({'name': name, 'list_price': doctor.consultation_fee})
                continue
            product = Product.create({
                'name': name, 'type': 'service', 'list_price': doctor.consultation_fee,
                'sale_ok': True, 'purchase_ok': False,
                'categ_id': self.env.ref('sehat_crm.product_category_consultation').id,
            })
            super(SehatDoctor, doctor).write({'fee_product_id': product.id})
        return True

    # --- verification ------------------------------------------------------------------
    def action_verify_registration(self):
        if not self.env.user.has_group('sehat_crm.group_sehat_manager'):
            raise AccessError(_('Only a Sehat manager can verify a medical registration.'))
        for doctor in self:
            if not doctor.registration_number:
                raise UserError(_('%(doctor)s has no medical registration number to verify.') % {
                    'doctor': doctor.name})
        self.with_context(sehat_keep_verification=True).write({
            'registration_verified': True, 'registration_verified_by': self.env.uid,
            'registration_verified_date': fields.Datetime.now()})
        return True

    # --- working hours and free slots -------------------------------------------------
    # Booking and matching work on many doctors at once: their facts are read in one query
    # (BookingFacts), working hours are expanded once per (calendar, time zone), and busy times
    # come from one query, as epoch seconds (parsing thousands of timestamp strings costs more
    # than the slot sweep itself).
    def _zone(self):
        return pytz.timezone(self.calendar_tz or DEFAULT_TZ)

    def _local_day(self, utc_dt):
        return _day_function(self.calendar_tz)(utc_dt)

    def sehat_local_time(self, utc_value):
        """``utc_value`` (naive UTC datetime or Odoo string) as read in this doctor's time zone
        (UTC without a doctor), for patients and the call centre: 'Mon 23 Nov 2026, 10:30'."""
        utc = fields.Datetime.from_string(utc_value) if isinstance(utc_value, str) else utc_value
        zone = self._zone() if self else pytz.utc
        return pytz.utc.localize(utc).astimezone(zone).strftime('%a %d %b %Y, %H:%M')

    def sehat_booking_facts(self):
        """{doctor id: BookingFacts} of these doctors (the caller's ORM search already applied
        the access rules): one query."""
        if not self.ids:
            return {}
        self.env.cr.execute("""
            SELECT d.id, p.name, d.gender, COALESCE(d.consultation_fee, 0), d.department_id,
                   d.rating, COALESCE(d.rating_count, 0), COALESCE(d.registration_verified, false),
                   COALESCE(d.active, false), d.slot_minutes, d.daily_capacity, d.resource_calendar_id,
                   d.calendar_tz,
                   ARRAY(SELECT specialty_id FROM sehat_doctor_specialty_rel WHERE doctor_id = d.id),
                   ARRAY(SELECT language_id FROM sehat_doctor_language_rel WHERE doctor_id = d.id)
              FROM sehat_doctor d JOIN res_partner p ON p.id = d.partner_id
             WHERE d.id IN %s
        """, (tuple(self.ids),))
        return {row[0]: BookingFacts(*row) for row in self.env.cr.fetchall()}

    def sehat_work_intervals(self, start, stop):
        """[(start, stop)] naive UTC working intervals of this doctor between two UTC datetimes,
        leaves of the working-hours calendar cut out."""
        self.ensure_one()
        return self._calendar_work({}, self.resource_calendar_id.id, self.calendar_tz, start, stop)

    @api.model
    def _calendar_work(self, memo, calendar_id, tz, start, stop):
        """Working intervals of a working-hours calendar in a time zone between two UTC datetimes,
        computed once per (calendar, zone) in ``memo`` (many doctors share a few calendars)."""
        zone = tz or DEFAULT_TZ
        key = (calendar_id, zone)
        if key not in memo:
            memo[key] = []
            if calendar_id:
                calendar = self.env['resource.calendar'].sudo().browse(calendar_id)
                attendances = [workhours.Attendance(
                    int(a.dayofweek), a.hour_from, a.hour_to,
                    fields.Date.from_string(a.date_from), fields.Date.from_string(a.date_to))
                    for a in calendar.attendance_ids]
                first_day = _day_function(zone)(start) - timedelta(days=1)
                intervals = [(max(s, start), min(e, stop)) for s, e in workhours.work_intervals(
                    attendances, first_day, (stop - start).days + 3, zone) if e > start and s < stop]
                leaves = self.env['resource.calendar.leaves'].sudo().search([
                    ('calendar_id', '=', calendar_id), ('resource_id', '=', False),
                    ('date_from', '<', fields.Datetime.to_string(stop)),
                    ('date_to', '>', fields.Datetime.to_string(start))])
                holes = [(fields.Datetime.from_string(leave.date_from), fields.Datetime.from_string(leave.date_to))
                         for leave in leaves]
                memo[key] = workhours.subtract(intervals, holes)
        return memo[key]

    def _busy_intervals(self, start, stop, exclude_event=None):
        """Booked appointments of this doctor overlapping [start, stop), as (start, stop) UTC."""
        self.ensure_one()
        return self._busy_by_doctor(start, stop, exclude_event).get(self.id, [])

    def _busy_by_doctor(self, start, stop, exclude_event=None):
        """{doctor id: [(start, stop)]} of the holding appointments of these doctors: one query."""
        if not self.ids:
            return {}
        self.env.cr.execute("""
            SELECT doctor_id, extract(epoch FROM start)::bigint, extract(epoch FROM stop)::bigint
              FROM calendar_event
             WHERE doctor_id IN %s AND active AND appointment_state IN %s
               AND start < %s AND stop > %s AND id != %s
        """, (tuple(self.ids), appointment_lib.HOLDING, stop, start, exclude_event or 0))
        busy = {}
        for doctor_id, busy_start, busy_stop in self.env.cr.fetchall():
            busy.setdefault(doctor_id, []).append((EPOCH + timedelta(seconds=busy_start),
                                                   EPOCH + timedelta(seconds=busy_stop)))
        return busy

    @staticmethod
    def _now():
        return datetime.utcnow().replace(microsecond=0)

    def sehat_free_slots(self, days=14, limit=None, start=None):
        """The next free slots of this doctor (lib.slots) over ``days`` days from ``start`` (UTC
        naive datetime, default now): a list of lib.slots.Slot."""
        self.ensure_one()
        return self._free_slots_by_doctor(days, limit, start).get(self.id, [])

    def _free_slots_by_doctor(self, days=14, limit=None, start=None, memo=None, busy=None, facts=None):
        if days < 1 or days > 90:
            raise UserError(_('Look between 1 and 90 days ahead, not %(days)s.') % {'days': days})
        now = self._now()
        start = max(start or now, now)
        stop = start + timedelta(days=days)
        memo = {} if memo is None else memo
        facts = self.sehat_booking_facts() if facts is None else facts
        # a day's capacity counts every appointment of that day, also those before `start`
        if busy is None:
            busy = self._busy_by_doctor(start - timedelta(days=1), stop + timedelta(days=1))
        out = {}
        for doctor_id in self.ids:
            doctor = facts[doctor_id]
            if not doctor.verified or not doctor.active:
                out[doctor_id] = []
                continue
            out[doctor_id] = slots_lib.free_slots(
                self._calendar_work(memo, doctor.calendar_id, doctor.tz, start, stop), busy.get(doctor_id, []),
                doctor.slot_minutes, now=start, limit=limit, daily_capacity=doctor.daily_capacity,
                day_of=_day_function(doctor.tz))
        return out

    def sehat_availability(self, days=14, load_days=7, facts=None):
        """{doctor id: (next free Slot or None, appointments in the next ``load_days`` days,
        appointments they can take in those days)} for these doctors, in a few queries."""
        now = self._now()
        horizon = now + timedelta(days=days)
        memo = {}
        facts = self.sehat_booking_facts() if facts is None else facts
        busy = self._busy_by_doctor(now - timedelta(days=1), horizon + timedelta(days=1))
        first = self._free_slots_by_doctor(days, limit=1, memo=memo, busy=busy, facts=facts)
        load_until = now + timedelta(days=load_days)
        work_days = {}
        out = {}
        for doctor_id in self.ids:
            doctor = facts[doctor_id]
            key = (doctor.calendar_id, doctor.tz)
            if key not in work_days:
                day_of = _day_function(doctor.tz)
                work_days[key] = len({day_of(s) for s, _e in self._calendar_work(
                    memo, doctor.calendar_id, doctor.tz, now, horizon) if s < load_until})
            load = sum(1 for s, _e in busy.get(doctor_id, []) if now <= s < load_until)
            capacity = max(1, work_days[key] * (doctor.daily_capacity or 1))
            out[doctor_id] = (first[doctor_id][0] if first[doctor_id] else None, load, capacity)
        return out

    def action_view_appointments(self):
        self.ensure_one()
        action = self.env.ref('sehat_crm.action_sehat_appointments').read()[0]
        action['domain'] = [('doctor_id', '=', self.id)]
        action['context'] = {'default_doctor_id': self.id, 'search_default_upcoming': 1}
        return action

    @api.constrains('specialty_ids', 'registration_verified')
    def _check_verified_has_number(self):
        for doctor in self:
            if doctor.registration_verified and not doctor.registration_number:
                raise ValidationError(_('A verified doctor needs a medical registration number.'))


class SehatDoctorReview(models.Model):
    """A patient's rating of a doctor (filled from post-visit surveys; managers may add one by hand)."""
    _name = 'sehat.doctor.review'
    _description = 'Doctor rating'
    _order = 'date desc, id desc'

    doctor_id = fields.Many2one('sehat.doctor', required=True, ondelete='cascade', index=True)
    partner_id = fields.Many2one('res.partner', string='Patient', ondelete='set null')
    event_id = fields.Many2one('calendar.event', string='Appointment', ondelete='set null')
    rating = fields.Integer(required=True, group_operator='avg', help='1 (poor) to 5 (excellent).')
    source = fields.Selection([('survey', 'Post-visit survey'), ('manual', 'Entered by staff')],
                              required=True, default='manual')
    comment = fields.Text()
    date = fields.Datetime(default=fields.Datetime.now, required=True)

    _sql_constraints = [('rating_range', 'CHECK(rating BETWEEN 1 AND 5)', 'A rating is between 1 and 5.')]

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import lifecycle
from ..lib.phone import InvalidPhone, normalize_phone
from ..lib.profile import completeness

# Medical data: readable by Sehat users (call centre), doctors and managers only.
MEDICAL = 'sehat_crm.group_sehat_user,sehat_crm.group_sehat_doctor'

# Fields that may be required for a complete profile, with their labels (Settings).
PROFILE_FIELDS = [
    ('birthdate', 'Date of birth'),
    ('gender', 'Gender'),
    ('mobile', 'Mobile'),
    ('email', 'Email'),
    ('city', 'City'),
    ('blood_group', 'Blood group'),
    ('allergies', 'Allergies'),
    ('chronic_condition_ids', 'Chronic conditions'),
    ('current_medications', 'Current medications'),
    ('preferred_language_id', 'Preferred language'),
    ('emergency_contact_name', 'Emergency contact'),
    ('emergency_contact_phone', 'Emergency contact phone'),
    ('insurance_partner_id', 'Insurer / corporate tie-up'),
]
DEFAULT_PROFILE_FIELDS = 'birthdate,gender,mobile,city,blood_group,allergies,preferred_language_id,' \
                         'emergency_contact_name,emergency_contact_phone'
CONSENT_CHANNELS = ('email', 'sms', 'whatsapp', 'phone')


class ResPartner(models.Model):
    _inherit = 'res.partner'

    is_patient = fields.Boolean(string='Patient', index=True, track_visibility='onchange')
    patient_ref = fields.Char(
        string='Patient ID', copy=False, readonly=True, index=True,
        help='Hospital patient number, given when the contact becomes a patient.')
    phone_e164 = fields.Char(
        string='Phone (E.164)', compute='_compute_phone_e164', store=True, index=True,
        help='Normalised phone used to find the patient whatever the format typed.')

    # --- medical profile -------------------------------------------------------------
    birthdate = fields.Date(string='Date of birth', groups=MEDICAL, track_visibility='onchange')
    age = fields.Integer(compute='_compute_age', groups=MEDICAL)
    gender = fields.Selection(
        [('female', 'Female'), ('male', 'Male'), ('other', 'Other')], groups=MEDICAL, track_visibility='onchange')
    blood_group = fields.Selection(
        [(g, g) for g in ('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')], groups=MEDICAL,
        track_visibility='onchange')
    allergies = fields.Text(groups=MEDICAL, track_visibility='onchange',
                            help='Write "None known" when the patient has none, so the profile counts as complete.')
    chronic_condition_ids = fields.Many2many(
        'sehat.condition', 'res_partner_sehat_condition_rel', 'partner_id', 'condition_id',
        string='Chronic conditions', groups=MEDICAL, track_visibility='onchange')
    current_medications = fields.Text(groups=MEDICAL, track_visibility='onchange')
    pregnant = fields.Boolean(groups=MEDICAL, track_visibility='onchange')
    preferred_language_id = fields.Many2one('sehat.language', string='Preferred language', groups=MEDICAL)
    insurance_partner_id = fields.Many2one(
        'res.partner', string='Insurer / corporate tie-up', domain=[('is_company', '=', True)], groups=MEDICAL)
    insurance_policy_number = fields.Char(groups=MEDICAL)
    emergency_contact_name = fields.Char(groups=MEDICAL)
    emergency_contact_phone = fields.Char(groups=MEDICAL)
    profile_completeness = fields.Integer(
        string='Profile complete (%)', compute='_compute_profile_completeness', store=True, groups=MEDICAL)
    profile_missing = fields.Char(
        string='Missing in profile', compute='_compute_profile_completeness', store=True, groups=MEDICAL)

    # --- consent per channel ---------------------------------------------------------
    consent_email = fields.Boolean(string='Email consent', track_visibility='onchange')
    consent_email_date = fields.Datetime(string='Email consent given on', readonly=True)
    consent_sms = fields.Boolean(string='SMS consent', track_visibility='onchange')
    consent_sms_date = fields.Datetime(string='SMS consent given on', readonly=True)
    consent_whatsapp = fields.Boolean(string='WhatsApp consent', track_visibility='onchange')
    consent_whatsapp_date = fields.Datetime(string='WhatsApp consent given on', readonly=True)
    consent_phone = fields.Boolean(string='Phone consent', track_visibility='onchange')
    consent_phone_date = fields.Datetime(string='Phone consent given on', readonly=True)
    consent_source = fields.Char(readonly=True, help='Where the latest consent was captured.')

    # --- lifecycle -----------------------------------------------------------------
    lifecycle_stage = fields.Selection(
        [(s, lifecycle.STAGE_LABELS[s]) for s in lifecycle.STAGES], string='Lifecycle stage',
        readonly=True, index=True, track_visibility='onchange', copy=False)
    lifecycle_date = fields.Datetime(string='In this stage since', readonly=True, copy=False)
    lifecycle_history_ids = fields.One2many('sehat.lifecycle.history', 'partner_id', string='Lifecycle history')

    _sql_constraints = [
        ('patient_ref_uniq', 'unique(patient_ref)', 'This patient ID is already used.'),
    ]

    # --- phones ----------------------------------------------------------------------
    def _phone_region(self):
        country = self.country_id or self.env.user.company_id.country_id
        return country.code or 'IN'

    @api.depends('mobile', 'phone', 'country_id')
    def _compute_phone_e164(self):
        for partner in self:
            raw = partner.mobile or partner.phone
            try:
                partner.phone_e164 = normalize_phone(raw, partner._phone_region())
            except InvalidPhone:
                partner.phone_e164 = False

    @api.constrains('is_patient', 'mobile', 'phone')
    def _check_patient_phone(self):
        for partner in self.filtered('is_patient'):
            for raw in (partner.mobile, partner.phone):
                try:
                    normalize_phone(raw, partner._phone_region())
                except InvalidPhone as err:
                    raise ValidationError(_('Patient %(name)s: %(error)s') % {
                        'name': partner.name, 'error': err})

    @api.constrains('emergency_contact_phone')
    def _check_emergency_phone(self):
        for partner in self.sudo():
            try:
                normalize_phone(partner.emergency_contact_phone, partner._phone_region())
            except InvalidPhone as err:
                raise ValidationError(_('Emergency contact: %s') % err)

    @api.constrains('birthdate')
    def _check_birthdate(self):
        today = fields.Date.from_string(fields.Date.context_today(self))
        for partner in self.sudo().filtered('birthdate'):
            born = fields.Date.from_string(partner.birthdate)
            if born > today:
                raise ValidationError(_('The date of birth of %s is in the future.') % partner.name)
            if (today - born).days > 130 * 366:
                raise ValidationError(_('The date of birth of %s is more than 130 years ago.') % partner.name)

    # --- profile -----------------------------------------------------------------------
    @api.depends('birthdate')
    def _compute_age(self):
        today = fields.Date.from_string(fields.Date.context_today(self))
        for partner in self:
            if partner.birthdate:
                born = fields.Date.from_string(partner.birthdate)
                partner.age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            else:
                partner.age = 0

    @api.model
    def _profile_required_fields(self):
        names = self.env['ir.config_parameter'].sudo().get_param(
            'sehat_crm.profile_fields', DEFAULT_PROFILE_FIELDS).split(',')
        return [(name, label) for name, label in PROFILE_FIELDS if name in names]

    @api.depends(lambda self: [name for name, _label in PROFILE_FIELDS] + ['is_patient'])
    def _compute_profile_completeness(self):
        required = self._profile_required_fields()
        for partner in self:
            if not partner.is_patient:
                partner.profile_completeness, partner.profile_missing = 0, False
                continue
            values = {name: partner[name].ids if partner._fields[name].relational else partner[name]
                      for name, _label in required}
            percent, missing = completeness(values, required)
            partner.profile_completeness = percent
            partner.profile_missing = ', '.join(missing) or False

    # --- lifecycle ------------------------------------------------------------------------
    def sehat_lifecycle_event(self, event, reason=None):
        """Apply a lifecycle event (see lib.lifecycle) to these patients; records history."""
        History = self.env['sehat.lifecycle.history'].sudo()
        now = fields.Datetime.now()
        for partner in self.filtered('is_patient'):
            new_stage = lifecycle.stage_after(partner.lifecycle_stage or None, event)
            if new_stage:
                History.create(partner._history_values(new_stage, event, reason, now))
                partner.sudo().write({'lifecycle_stage': new_stage, 'lifecycle_date': now})
        return True

    def _history_values(self, new_stage, trigger, reason, now):
        self.ensure_one()
        days = False
        if self.lifecycle_date:
            delta = fields.Datetime.from_string(now) - fields.Datetime.from_string(self.lifecycle_date)
            days = round(delta.total_seconds() / 86400.0, 2)
        utm = self.env.context.get('sehat_utm')
        if utm is None:
            lead = self.env['crm.lead'].sudo().search(
                [('partner_id', '=', self.id), ('active', 'in', (True, False))], order='id', limit=1)
            utm = {'source_id': lead.source_id.id, 'campaign_id': lead.campaign_id.id}
        return {
            'partner_id': self.id,
            'from_stage': self.lifecycle_stage or False,
            'to_stage': new_stage,
            'date': now,
            'user_id': self.env.uid,
            'trigger': trigger,
            'reason': reason or False,
            'days_in_previous': days,
            'source_id': utm.get('source_id') or False,
            'campaign_id': utm.get('campaign_id') or False,
        }

    def sehat_lifecycle_override(self, new_stage, reason):
        """Manual change of stage by a Sehat manager, with a mandatory reason."""
        if not self.env.user.has_group('sehat_crm.group_sehat_manager'):
            raise UserError(_('Only Sehat managers can change a lifecycle stage by hand.'))
        if new_stage not in lifecycle.STAGES:
            raise UserError(_('Unknown lifecycle stage: %s') % new_stage)
        if not (reason or '').strip():
            raise UserError(_('Give a reason for changing the lifecycle stage by hand.'))
        History = self.env['sehat.lifecycle.history'].sudo()
        now = fields.Datetime.now()
        for partner in self:
            if not partner.is_patient:
                raise UserError(_('%s is not a patient.') % partner.name)
            if partner.lifecycle_stage == new_stage:
                continue
            History.create(partner._history_values(new_stage, 'override', reason.strip(), now))
            partner.sudo().write({'lifecycle_stage': new_stage, 'lifecycle_date': now})
        return True

    def _after_profile_change(self):
        complete = self.sudo().filtered(
            lambda p: p.is_patient and p.lifecycle_stage == 'prospect' and p.profile_completeness == 100)
        if complete:
            complete.sehat_lifecycle_event('profile_complete')
            self.env['crm.lead'].sudo().search(
                [('partner_id', 'in', complete.ids)])._sehat_close_profile_activities()

    # --- consent ------------------------------------------------------------------------
    def _consent_dates(self, vals):
        now = fields.Datetime.now()
        for channel in CONSENT_CHANNELS:
            key = 'consent_%s' % channel
            if key in vals:
                vals['%s_date' % key] = now if vals[key] else False
        return vals

    # --- ORM ------------------------------------------------------------------------------
    def _assign_patient_ref(self):
        for partner in self.filtered(lambda p: p.is_patient and not p.patient_ref):
            partner.sudo().patient_ref = self.env['ir.sequence'].sudo().next_by_code('sehat.patient')

    @api.model
    def create(self, vals):
        partner = super(ResPartner, self).create(self._consent_dates(dict(vals)))
        if partner.is_patient:
            partner._assign_patient_ref()
            if not partner.lifecycle_stage:
                partner.sehat_lifecycle_event('captured')
            partner._after_profile_change()
        return partner

    def write(self, vals):
        res = super(ResPartner, self).write(self._consent_dates(dict(vals)))
        if vals.get('is_patient'):
            self._assign_patient_ref()
            self.filtered(lambda p: not p.lifecycle_stage).sehat_lifecycle_event('captured')
        if set(vals) & {name for name, _label in PROFILE_FIELDS} or vals.get('is_patient'):
            self._after_profile_change()
        return res

    @api.model
    def sehat_recompute_profiles(self):
        """Recompute completeness of every patient (after the required fields changed)."""
        patients = self.sudo().with_context(active_test=False).search([('is_patient', '=', True)])
        self.env.add_todo(self._fields['profile_completeness'], patients)
        patients.recompute()
        patients._after_profile_change()

    @api.model
    def sehat_lifecycle_cron(self):
        """Daily: Loyal and Lapsed from completed visits (set-based SQL, then one event per change)."""
        get = self.env['ir.config_parameter'].sudo().get_param
        min_visits = int(get('sehat_crm.loyal_visits', 3))
        window = int(get('sehat_crm.loyal_months', 12))
        lapse = int(get('sehat_crm.lapse_months', 12))
        today = fields.Date.from_string(fields.Date.context_today(self))
        loyal_since = lifecycle.months_before(today, window)
        lapsed_before = lifecycle.months_before(today, lapse)
        visits = self.env['calendar.event']._sehat_visits_sql()
        self.env.cr.execute("""
            WITH visits AS ({visits}),
                 per_patient AS (
                     SELECT partner_id,
                            count(*) FILTER (WHERE visit_day >= %(loyal_since)s) AS recent,
                            max(visit_day) AS last_visit
                       FROM visits GROUP BY partner_id)
            SELECT p.id,
                   CASE WHEN p.lifecycle_stage = 'customer' AND v.recent >= %(min_visits)s
                        THEN 'loyalty_reached'
                        WHEN v.last_visit < %(lapsed_before)s
                        THEN 'no_recent_visit' END
              FROM res_partner p
              JOIN per_patient v ON v.partner_id = p.id
             WHERE p.is_patient AND p.lifecycle_stage IN ('customer', 'loyal')
        """.format(visits=visits), {
            'loyal_since': loyal_since, 'min_visits': min_visits, 'lapsed_before': lapsed_before,
            'now': fields.Datetime.now()})
        by_event = {}
        for partner_id, event in self.env.cr.fetchall():
            if event:
                by_event.setdefault(event, []).append(partner_id)
        for event, ids in by_event.items():
            self.browse(ids).sehat_lifecycle_event(event, reason=_('Daily lifecycle rules'))
        return by_event

from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools.misc import formatLang, html_escape

from ..lib import lifecycle
from ..lib import patient_history
from ..lib import rfm as rfm_lib
from ..lib.phone import InvalidPhone, normalize_phone
from ..lib.phone_query import is_phone_text, looks_like_phone, phone_digits
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
GENDERS = [('female', 'Female'), ('male', 'Male'), ('other', 'Other')]
# Patient 360: enquiries are the sales queue's (not doctors'); the rest is medical.
SEHAT_USER = 'sehat_crm.group_sehat_user'
# search operators for which a typed phone number is normalised first (and their negations)
PHONE_OPERATORS = ('=', 'ilike', '=ilike', 'like', '=like')
NEGATED_PHONE_OPERATORS = {'!=': '=', 'not ilike': 'ilike', 'not like': 'like'}
INVOICE_TYPES = ('out_invoice', 'out_refund')
INVOICE_SUMMARY_ROWS = 10


class ResPartner(models.Model):
    _inherit = 'res.partner'

    is_patient = fields.Boolean(string='Patient', index=True, track_visibility='onchange')
    patient_ref = fields.Char(
        string='Patient ID', copy=False, readonly=True, index=True,
        help='Hospital patient number, given when the contact becomes a patient.')
    phone_e164 = fields.Char(
        string='Phone (E.164)', compute='_compute_phone_e164', store=True, index=True,
        help='Normalised phone used to find the patient whatever the format typed.')
    phone_search = fields.Char(
        string='Phone (any format)', compute='_compute_phone_search', search='_search_phone_any',
        help='For searching: a number typed in any format ("98450 11234", "+91-98450-11234", '
             '"09845011234") finds the contact whose phone is that number.')

    # --- medical profile -------------------------------------------------------------
    birthdate = fields.Date(string='Date of birth', groups=MEDICAL, track_visibility='onchange')
    age = fields.Integer(compute='_compute_age', groups=MEDICAL)
    gender = fields.Selection(GENDERS, groups=MEDICAL, track_visibility='onchange')
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

    # --- patient 360 (computed for the call centre; nothing stored) -------------------------
    appointment_ids = fields.One2many('calendar.event', 'patient_id', string='Appointments', groups=MEDICAL)
    upcoming_appointment_ids = fields.Many2many(
        'calendar.event', string='Upcoming appointments', compute='_compute_sehat_appointments', groups=MEDICAL,
        help='Booked, confirmed or in progress, and not over yet; soonest first.')
    upcoming_appointment_count = fields.Integer(
        string='Upcoming', compute='_compute_sehat_appointments', groups=MEDICAL)
    past_appointment_ids = fields.Many2many(
        'calendar.event', string='Past visits', compute='_compute_sehat_appointments', groups=MEDICAL,
        help='Visits done, no-shows, cancellations, and bookings whose time has passed; latest first.')
    visit_count = fields.Integer(
        string='Visits', compute='_compute_sehat_appointments', groups=MEDICAL, help='Completed visits.')
    previous_doctor_ids = fields.Many2many(
        'sehat.doctor', string='Previous doctors', compute='_compute_sehat_appointments', groups=MEDICAL,
        help='Doctors the patient saw in a completed visit, most recently seen first.')
    previous_doctors_summary = fields.Html(
        string='Doctors seen', compute='_compute_sehat_appointments', sanitize=False, groups=MEDICAL)
    open_lead_ids = fields.Many2many(
        'crm.lead', string='Open enquiries', compute='_compute_sehat_leads', groups=SEHAT_USER,
        help='Enquiries of this contact still in the lead queue (that you may see).')
    open_lead_count = fields.Integer(string='Open enquiries', compute='_compute_sehat_leads', groups=SEHAT_USER)
    sehat_invoice_count = fields.Integer(
        string='Invoices', compute='_compute_sehat_invoices', groups=MEDICAL,
        help='Customer invoices and credit notes issued to the patient (drafts and cancelled ones left out).')
    sehat_invoice_due = fields.Monetary(
        string='Amount due', compute='_compute_sehat_invoices', currency_field='currency_id', groups=MEDICAL,
        help='What the patient still owes on issued invoices, less open credit notes (company currency).')
    sehat_invoice_summary = fields.Html(
        string='Invoices summary', compute='_compute_sehat_invoices', sanitize=False, groups=MEDICAL)

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

    @api.depends('phone_e164')
    def _compute_phone_search(self):
        for partner in self:
            partner.phone_search = partner.phone_e164

    def _search_phone_any(self, operator, value):
        """Domain on phone_e164 for a number typed in any format: a complete number is
        normalised (lib.phone, region of the company) and matched exactly; a part of a number
        ("11234") matches the stored numbers that contain those digits. Text that is not a phone
        number matches nothing."""
        positive = NEGATED_PHONE_OPERATORS.get(operator, operator)
        if positive not in PHONE_OPERATORS or not isinstance(value, str):
            return [('phone_e164', operator, value)]
        domain = self._phone_domain(positive, value)
        return ['!'] + expression.normalize_domain(domain) if operator in NEGATED_PHONE_OPERATORS else domain

    @api.model
    def _phone_domain(self, operator, text):
        if not is_phone_text(text):
            return list(expression.FALSE_DOMAIN)
        try:
            e164 = normalize_phone(text, self.browse()._phone_region())
        except InvalidPhone:
            e164 = False
        if e164:
            return [('phone_e164', '=', e164)]
        if operator in ('ilike', 'like'):
            return [('phone_e164', 'like', phone_digits(text))]  # (the ORM adds the % around)
        return [('phone_e164', '=', text.strip())]

    @api.model
    def name_search(self, name, args=None, operator='ilike', limit=100):
        """Odoo 11 res.partner answers name_search with its own SQL (name, e-mail, reference,
        VAT). When the text reads as a phone number, the contacts with that number come first
        (patients before others); any other text gets exactly the stock answer."""
        found = super(ResPartner, self).name_search(name, args=args, operator=operator, limit=limit)
        if not (name and operator in PHONE_OPERATORS and looks_like_phone(name)):
            return found
        by_phone = self.search(expression.AND([args or [], [('phone_search', operator, name)]]),
                               limit=limit, order='is_patient desc, display_name, id')
        if not by_phone:
            return found
        seen = set(by_phone.ids)
        merged = by_phone.name_get() + [pair for pair in found if pair[0] not in seen]
        return merged[:limit] if limit else merged

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

    # --- patient 360 ------------------------------------------------------------------------
    def _sehat_real_ids(self):
        return [pid for pid in self.ids if isinstance(pid, int)]

    def _sehat_day(self, utc_value):
        """A UTC datetime string as the user's local day, e.g. "12 Jan 2026"."""
        local = fields.Datetime.context_timestamp(self, fields.Datetime.from_string(utc_value))
        return local.strftime('%d %b %Y')

    @api.depends('appointment_ids.appointment_state', 'appointment_ids.start', 'appointment_ids.stop',
                 'appointment_ids.doctor_id')
    def _compute_sehat_appointments(self):
        """Upcoming appointments, past ones, visits and the doctors seen: one search for all
        the partners, read with the user's rights."""
        Event = self.env['calendar.event']
        ids = self._sehat_real_ids()
        events = Event.search([('patient_id', 'in', ids), ('doctor_id', '!=', False)],
                              order='start desc, id desc') if ids else Event
        by_patient = {}
        for event in events:
            by_patient.setdefault(event.patient_id.id, []).append(event)
        now = datetime.utcnow()
        for partner in self:
            mine = by_patient.get(partner.id, [])
            upcoming = [e for e in mine if patient_history.is_upcoming(
                e.appointment_state, fields.Datetime.from_string(e.stop), now)]
            upcoming_ids = {e.id for e in upcoming}
            past = [e for e in mine if e.id not in upcoming_ids]
            done = [e for e in past if e.appointment_state == 'done']
            history = patient_history.previous_doctors(
                [patient_history.Visit(e.doctor_id.id, e.start) for e in done])
            partner.upcoming_appointment_ids = Event.browse([e.id for e in reversed(upcoming)])
            partner.upcoming_appointment_count = len(upcoming)
            partner.past_appointment_ids = Event.browse([e.id for e in past])
            partner.visit_count = len(done)
            doctors = self.env['sehat.doctor'].browse([h.doctor_id for h in history])
            partner.previous_doctor_ids = doctors
            partner.previous_doctors_summary = partner._sehat_doctors_html(history, doctors) if history else False

    def _sehat_doctors_html(self, history, doctors):
        by_id = {doctor.id: doctor for doctor in doctors}
        items = []
        for entry in history:
            doctor = by_id[entry.doctor_id]
            specialties = ', '.join(doctor.specialty_ids.mapped('name'))
            text = _('%(doctor)s%(specialties)s: last seen %(day)s, %(count)s visit(s)') % {
                'doctor': doctor.name, 'specialties': ' (%s)' % specialties if specialties else '',
                'day': self._sehat_day(entry.last_visit), 'count': entry.visits}
            items.append('<li>%s</li>' % html_escape(text))
        return '<ul class="list-unstyled sehat_previous_doctors">%s</ul>' % ''.join(items)

    def _compute_sehat_leads(self):
        """Open enquiries (lead queue) of these contacts that the user may see."""
        Lead = self.env['crm.lead']
        ids = self._sehat_real_ids()
        leads = Lead.search([('partner_id', 'in', ids), ('type', '=', 'lead')]) \
            if ids and Lead.check_access_rights('read', raise_exception=False) else Lead
        for partner in self:
            mine = leads.filtered(lambda lead: lead.partner_id.id == partner.id)
            partner.open_lead_ids = mine
            partner.open_lead_count = len(mine)

    def _compute_sehat_invoices(self):
        """Customer invoices of the patient, for the call centre who has no accounting rights:
        read as superuser, and shown only as counts, amounts and a summary (number, date, total,
        amount due, status); the invoices themselves stay closed to them."""
        ids = self._sehat_real_ids()
        invoices = self.env['account.invoice'].sudo().search([
            ('partner_id', 'child_of', ids), ('type', 'in', INVOICE_TYPES), ('state', 'in', ('open', 'paid'))],
            order='date_invoice desc, id desc') if ids else []
        by_partner = {}
        for invoice in invoices:
            owner = invoice.partner_id
            while owner and owner.id not in ids:
                owner = owner.parent_id
            by_partner.setdefault(owner.id, []).append(invoice)
        for partner in self:
            mine = by_partner.get(partner.id, [])
            partner.sehat_invoice_count = len(mine)
            partner.sehat_invoice_due = sum(inv.residual_company_signed for inv in mine if inv.state == 'open')
            partner.sehat_invoice_summary = partner._sehat_invoices_html(mine) if mine else False

    def _sehat_invoices_html(self, invoices):
        labels = {'out_invoice': _('Invoice'), 'out_refund': _('Credit note')}
        rows = []
        for invoice in invoices[:INVOICE_SUMMARY_ROWS]:
            if invoice.state == 'paid':
                status = _('Paid')
            elif invoice.residual < invoice.amount_total:
                status = _('Partly paid')
            else:
                status = _('Not paid')
            cells = [
                '%s %s' % (labels[invoice.type], invoice.number or ''),
                fields.Date.from_string(invoice.date_invoice).strftime('%d %b %Y') if invoice.date_invoice else '',
                formatLang(self.env, invoice.amount_total, currency_obj=invoice.currency_id),
                formatLang(self.env, invoice.residual, currency_obj=invoice.currency_id),
                status,
            ]
            rows.append('<tr class="%s">%s</tr>' % (
                'text-muted' if invoice.state == 'paid' else '',
                ''.join('<td%s>%s</td>' % (' class="text-right"' if i in (2, 3) else '', html_escape(cell))
                        for i, cell in enumerate(cells))))
        head = ''.join('<th%s>%s</th>' % (' class="text-right"' if i in (2, 3) else '', html_escape(title))
                       for i, title in enumerate([_('Number'), _('Date'), _('Total'), _('Due'), _('Status')]))
        more = ''
        if len(invoices) > INVOICE_SUMMARY_ROWS:
            more = '<p class="text-muted">%s</p>' % html_escape(_('%(count)s older invoices not shown.') % {
                'count': len(invoices) - INVOICE_SUMMARY_ROWS})
        return '<table class="table table-condensed sehat_invoices"><thead><tr>%s</tr></thead>' \
               '<tbody>%s</tbody></table>%s' % (head, ''.join(rows), more)

    def _sehat_appointments_action(self, name, domain):
        self.ensure_one()
        action = self.env.ref('sehat_crm.action_sehat_appointments').read()[0]
        action.update({
            'name': name, 'domain': domain,
            'views': sorted(action['views'], key=lambda view: view[1] != 'tree'),
            'context': {'default_patient_id': self.id, 'no_mail_to_attendees': True},
        })
        return action

    def action_sehat_upcoming(self):
        return self._sehat_appointments_action(_('Upcoming appointments'), [
            ('patient_id', '=', self.id), ('appointment_state', 'in', patient_history.OPEN_STATES),
            ('stop', '>=', fields.Datetime.now())])

    def action_sehat_visits(self):
        return self._sehat_appointments_action(_('Visits'), [
            ('patient_id', '=', self.id), ('appointment_state', '=', 'done')])

    def action_sehat_enquiries(self):
        self.ensure_one()
        action = self.env.ref('sehat_crm.action_lead_queue').read()[0]
        action.update({
            'name': _('Open enquiries'),
            'domain': [('type', '=', 'lead'), ('partner_id', '=', self.id)],
            'views': sorted(action['views'], key=lambda view: view[1] != 'tree'),
            'context': {'default_type': 'lead', 'default_partner_id': self.id, 'default_channel': 'phone'},
        })
        return action

    def action_sehat_invoices(self):
        """Billing users get the invoices themselves; the call centre gets the summary."""
        self.ensure_one()
        if self.env.user.has_group('account.group_account_invoice'):
            action = self.env.ref('account.action_invoice_tree1').read()[0]
            action.update({
                'domain': [('partner_id', 'child_of', self.id), ('type', 'in', INVOICE_TYPES)],
                'context': {'default_partner_id': self.id, 'type': 'out_invoice', 'journal_type': 'sale'},
            })
            return action
        return {
            'type': 'ir.actions.act_window', 'name': _('Invoices of %(name)s') % {'name': self.name},
            'res_model': 'res.partner', 'res_id': self.id, 'view_mode': 'form', 'target': 'new',
            'views': [(self.env.ref('sehat_crm.view_partner_invoice_summary').id, 'form')],
        }

    def action_sehat_log_call(self):
        """The activity form with a Call filled in: "Mark as Done" logs the call in the chatter,
        "Schedule" plans a call back."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window', 'name': _('Log a call'), 'res_model': 'mail.activity',
            'view_mode': 'form', 'target': 'new',
            'views': [(self.env.ref('mail.mail_activity_view_form_popup').id, 'form')],
            'context': {
                'default_res_model': self._name, 'default_res_id': self.id,
                'default_activity_type_id': self.env.ref('mail.mail_activity_data_call').id,
                'default_user_id': self.env.uid,
            },
        }

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

    def _history_values(self, new_stage, trigger, reason, now, first=False):
        """A history row for moving this patient to ``new_stage``; ``first``: the stage it was
        created in (no previous stage)."""
        self.ensure_one()
        days = False
        if self.lifecycle_date and not first:
            delta = fields.Datetime.from_string(now) - fields.Datetime.from_string(self.lifecycle_date)
            days = round(delta.total_seconds() / 86400.0, 2)
        utm = self.env.context.get('sehat_utm')
        if utm is None:
            lead = self.env['crm.lead'].sudo().search(
                [('partner_id', '=', self.id), ('active', 'in', (True, False))], order='id', limit=1)
            utm = {'source_id': lead.source_id.id, 'campaign_id': lead.campaign_id.id}
        return {
            'partner_id': self.id,
            'from_stage': not first and self.lifecycle_stage or False,
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
    @api.model
    def _next_patient_ref(self):
        return self.env['ir.sequence'].sudo().next_by_code('sehat.patient')

    def _assign_patient_ref(self):
        for partner in self.filtered(lambda p: p.is_patient and not p.patient_ref):
            partner.sudo().patient_ref = self._next_patient_ref()

    @api.model
    def create(self, vals):
        vals = self._consent_dates(dict(vals))
        first_stage = None
        creator = self
        if vals.get('is_patient'):
            # The reference and the first stage are written with the patient (no second write,
            # no tracking message); see also the two methods below.
            if not vals.get('patient_ref'):
                vals['patient_ref'] = self._next_patient_ref()
            if not vals.get('lifecycle_stage'):
                first_stage = lifecycle.stage_after(None, 'captured')
                vals.update(lifecycle_stage=first_stage, lifecycle_date=fields.Datetime.now())
            creator = self.with_context(sehat_new_patient=True)
        partner = self.browse(super(ResPartner, creator).create(vals).id)
        if first_stage:
            self.env['sehat.lifecycle.history'].sudo().create(
                partner._history_values(first_stage, 'captured', None, partner.lifecycle_date, first=True))
        if partner.is_patient:
            partner._after_profile_change()
        return partner

    def _notify_by_chat(self, message):
        """Nobody to tell in an Odoo inbox: do not format the message for the bus first (Odoo
        formats it, about seven queries, before finding nobody to send it to). Every message
        posted on a record without inbox followers, as each new patient and lead is, goes here."""
        if not self:
            return
        return super(ResPartner, self)._notify_by_chat(message)

    @api.model
    def _get_default_image(self, partner_type, is_company, parent_id):
        """A new patient shows the neutral placeholder, not a generated coloured silhouette
        (three image attachments for every enquiry)."""
        if self.env.context.get('sehat_new_patient'):
            return False
        return super(ResPartner, self)._get_default_image(partner_type, is_company, parent_id)

    @api.model
    def _add_missing_default_values(self, values):
        """A new patient leaves out the company-dependent fields nobody gave (receivable and
        payable accounts, payment terms, pricelist, fiscal position...). Reading them falls back to
        the company's default property, which is all that writing the default back would give
        (ir.property.set_multi stores nothing equal to the default), without the two property
        lookups and the write-back per field: about 50 queries for each enquiry.
        Defaults set by users (ir.default) or in the context are still written."""
        if not self.env.context.get('sehat_new_patient'):
            return super(ResPartner, self)._add_missing_default_values(values)
        user_defaults = self.env['ir.default'].get_model_defaults(self._name)
        left_out = [name for name, field in self._fields.items()
                    if field.company_dependent and name not in values and name not in user_defaults
                    and 'default_%s' % name not in self.env.context]
        result = super(ResPartner, self)._add_missing_default_values(dict(values, **dict.fromkeys(left_out)))
        for name in left_out:
            del result[name]
        return result

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
        """Daily: Loyal and Lapsed from completed visits (set-based SQL, then one event per change).
        With the setting ``sehat_crm.loyal_by_rfm``, a customer in a loyal RFM segment
        (lib.rfm.LOYAL_SEGMENTS, scored nightly) becomes Loyal too."""
        get = self.env['ir.config_parameter'].sudo().get_param
        min_visits = int(get('sehat_crm.loyal_visits', 3))
        rfm_segments = tuple(rfm_lib.LOYAL_SEGMENTS) if get('sehat_crm.loyal_by_rfm') == '1' else ('',)
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
                   CASE WHEN p.lifecycle_stage = 'customer'
                             AND (v.recent >= %(min_visits)s OR p.rfm_segment IN %(rfm_segments)s)
                        THEN 'loyalty_reached'
                        WHEN v.last_visit < %(lapsed_before)s
                        THEN 'no_recent_visit' END
              FROM res_partner p
              JOIN per_patient v ON v.partner_id = p.id
             WHERE p.is_patient AND p.lifecycle_stage IN ('customer', 'loyal')
        """.format(visits=visits), {
            'loyal_since': loyal_since, 'min_visits': min_visits, 'lapsed_before': lapsed_before,
            'rfm_segments': rfm_segments,
            'now': fields.Datetime.now()})
        by_event = {}
        for partner_id, event in self.env.cr.fetchall():
            if event:
                by_event.setdefault(event, []).append(partner_id)
        for event, ids in by_event.items():
            self.browse(ids).sehat_lifecycle_event(event, reason=_('Daily lifecycle rules'))
        return by_event

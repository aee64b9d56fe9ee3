import logging
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression

from ..lib import urgency as urgency_lib
from ..lib.activity import activity_state, local_today
from ..lib.phone import InvalidPhone, normalize_phone
from ..lib.symptom_match import match_symptoms
from .res_partner import MEDICAL

_logger = logging.getLogger(__name__)

BAND_SELECTION = [(b, urgency_lib.BAND_LABELS[b]) for b in urgency_lib.BANDS]
CHANNELS = [('web', 'Web form'), ('api', 'API'), ('email', 'Email'), ('phone', 'Phone call'), ('walk_in', 'Walk-in')]


def like_literal(text):
    """``text`` as a literal (=)ilike pattern: its % and _ match only themselves."""
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


class CrmLead(models.Model):
    _inherit = 'crm.lead'

    channel = fields.Selection(CHANNELS, default='phone', index=True, track_visibility='onchange')
    enquiry_date = fields.Datetime(
        string='Waiting since', default=fields.Datetime.now, index=True, copy=False,
        help='When the first enquiry of this lead arrived: the queue serves the oldest first.')
    phone_e164 = fields.Char(string='Phone (E.164)', index=True, copy=False)
    symptom_ids = fields.Many2many(
        'sehat.symptom', 'crm_lead_sehat_symptom_rel', 'lead_id', 'symptom_id', string='Symptoms',
        groups=MEDICAL, track_visibility='onchange')
    symptoms_text = fields.Text(string='Complaint in their words', groups=MEDICAL)
    symptom_duration_days = fields.Float(string='Since (days)', groups=MEDICAL)
    patient_age = fields.Integer(string='Age', groups=MEDICAL)
    pregnant = fields.Boolean(groups=MEDICAL)
    urgency_score = fields.Integer(compute='_compute_urgency', store=True, index=True, group_operator='avg')
    urgency_band = fields.Selection(BAND_SELECTION, compute='_compute_urgency', store=True, index=True,
                                    track_visibility='onchange', group_expand='_expand_bands')
    urgency_rank = fields.Integer(compute='_compute_urgency', store=True, help='4 = Emergency ... 1 = Routine.')
    urgency_reasons = fields.Text(compute='_compute_urgency', store=True, groups=MEDICAL)
    red_flag = fields.Boolean(compute='_compute_urgency', store=True, index=True)
    sla_deadline = fields.Datetime(string='Call before', compute='_compute_sla_deadline', store=True, index=True)
    # Stored so the queue reads a column: set at once when a deadline is written in the past, and
    # by the every-minute scheduled action (sehat_refresh_overdue) when a deadline passes.
    sla_overdue = fields.Boolean(string='Overdue', compute='_compute_sla_overdue', store=True)
    escalated_date = fields.Datetime(readonly=True, copy=False)
    profile_missing = fields.Char(related='partner_id.profile_missing', readonly=True)
    # The queue's cards list the symptoms as text read with the cards (tags would be one more
    # request per column).
    symptom_summary = fields.Char(string='Symptoms (text)', compute='_compute_symptom_summary', groups=MEDICAL)
    enquiry_count = fields.Integer(default=1, readonly=True, copy=False,
                                   help='Enquiries merged into this lead (repeat calls, forms, emails).')
    # The queue's cards show who has the lead by name: reading user_id would run res.users'
    # name_get (users, then their partners) for every column of the kanban.
    assignee_name = fields.Char(string='Assigned to', related='user_id.partner_id.name', store=True,
                                readonly=True)

    @api.model_cr_context
    def _auto_init(self):
        """Fill the new assignee_name column with one UPDATE (not a recompute lead by lead)."""
        cr = self.env.cr
        if not tools.column_exists(cr, self._table, 'assignee_name'):
            tools.create_column(cr, self._table, 'assignee_name', 'varchar')
            cr.execute("""
                UPDATE crm_lead l SET assignee_name = p.name
                  FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                 WHERE u.id = l.user_id
            """)
        return super(CrmLead, self)._auto_init()

    def init(self):
        """Indexes matching the queue's orders, limited to open leads (the queue's domain):
        the list (rank, then oldest first) and each kanban column (band, then oldest first);
        the counts per band (four values: PostgreSQL deduplicates them into a small index);
        the open deadlines not yet overdue (sehat_refresh_overdue); and the table of per-person
        capture keys (see _sehat_lock_person)."""
        self.env.cr.execute("""
            CREATE TABLE IF NOT EXISTS sehat_capture_key (
                key varchar PRIMARY KEY,
                touched timestamp NOT NULL
            );
            CREATE INDEX IF NOT EXISTS crm_lead_sehat_queue_rank_idx
                ON crm_lead (urgency_rank DESC, enquiry_date, id) WHERE active AND type = 'lead';
            CREATE INDEX IF NOT EXISTS crm_lead_sehat_queue_band_idx
                ON crm_lead (urgency_band, enquiry_date, id) WHERE active AND type = 'lead';
            CREATE INDEX IF NOT EXISTS crm_lead_sehat_queue_band_count_idx
                ON crm_lead (urgency_band) WHERE active AND type = 'lead';
            CREATE INDEX IF NOT EXISTS crm_lead_sehat_sla_pending_idx
                ON crm_lead (sla_deadline) WHERE active AND type = 'lead' AND sla_overdue IS NOT TRUE;
        """)

    @api.model
    def _expand_bands(self, values, domain, order):
        """Queue columns: every band, most urgent first, even when empty."""
        return list(urgency_lib.BANDS)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """The queue's columns (and grouped list) show a count per band and nothing else.

        The web client passes every field of the view to read_group, which then averages the
        urgency score and sums the merged enquiries over every open lead, and it passes the
        kanban's card order, which cannot order groups (Odoo logs a warning for each load).
        For the queue action (context ``sehat_queue``), a lazy grouping by band only counts
        (_sehat_band_groups). Pivot and graph views (not lazy) still get their measures.
        """
        if (self.env.context.get('sehat_queue') and lazy and groupby in ('urgency_band', ['urgency_band'])
                and not offset and not limit):
            return self._sehat_band_groups(domain or [])
        return super(CrmLead, self).read_group(domain, fields, groupby, offset=offset, limit=limit,
                                               orderby=orderby, lazy=lazy)

    @api.model
    def _sehat_band_groups(self, domain):
        """Every band, most urgent first, with its count of leads in ``domain`` (record rules
        applied), in read_group's format. One statement counting each band by a range scan of
        the small band index (crm_lead_sehat_queue_band_count_idx); a GROUP BY would read every
        open lead in one pass, twice as long at 200,000 (PostgreSQL also splits it over
        parallel workers, which costs more than it saves here)."""
        self.check_access_rights('read')
        query = self._where_calc(domain)
        self._apply_ir_rules(query, 'read')
        from_clause, where_clause, params = query.get_sql()
        self.env.cr.execute("""
            SELECT band.value, (SELECT count(1) FROM {tables} WHERE {where} AND "crm_lead"."urgency_band" = band.value)
              FROM unnest(%s::varchar[]) WITH ORDINALITY AS band(value, position)
             ORDER BY band.position
        """.format(tables=from_clause, where=where_clause or 'TRUE'), params + [list(urgency_lib.BANDS)])
        return [{
            'urgency_band': band,
            'urgency_band_count': count,
            '__domain': expression.AND([[('urgency_band', '=', band)], domain]),
        } for band, count in self.env.cr.fetchall()]

    # --- triage ---------------------------------------------------------------------------
    @api.depends('symptom_ids.urgency_weight', 'symptom_ids.red_flag', 'patient_age', 'pregnant',
                 'symptom_duration_days', 'partner_id.chronic_condition_ids', 'partner_id.birthdate',
                 'partner_id.pregnant')
    def _compute_urgency(self):
        for lead in self:
            partner = lead.partner_id.sudo()
            age = partner.age if partner.birthdate else (lead.patient_age or None)
            try:
                result = urgency_lib.score_urgency(
                    lead.symptom_ids.sudo().as_lib_symptoms(), age=age,
                    pregnant=lead.pregnant or partner.pregnant,
                    chronic_conditions=len(partner.chronic_condition_ids),
                    duration_days=lead.symptom_duration_days or None)
            except ValueError as err:
                raise UserError(_('Cannot score the urgency of %(lead)s: %(error)s') % {
                    'lead': lead.name, 'error': err})
            lead.urgency_score = result.score
            lead.urgency_band = result.band
            lead.urgency_rank = result.rank
            lead.red_flag = bool(result.red_flags)
            lead.urgency_reasons = '\n'.join(result.reasons)

    @api.model
    def _sla_minutes(self, band):
        param = self.env['ir.config_parameter'].sudo().get_param('sehat_crm.sla_%s' % band)
        return int(param or urgency_lib.DEFAULT_SLA_MINUTES[band])

    @api.depends('urgency_band', 'enquiry_date')
    def _compute_sla_deadline(self):
        for lead in self:
            if lead.urgency_band and lead.enquiry_date:
                start = fields.Datetime.from_string(lead.enquiry_date)
                lead.sla_deadline = start + timedelta(minutes=self._sla_minutes(lead.urgency_band))
            else:
                lead.sla_deadline = False

    @api.depends('sla_deadline', 'type', 'active')
    def _compute_sla_overdue(self):
        now = fields.Datetime.now()
        for lead in self:
            lead.sla_overdue = bool(lead.type == 'lead' and lead.active and lead.sla_deadline
                                    and lead.sla_deadline < now)

    @api.model
    def sehat_refresh_overdue(self):
        """Flags the open leads whose call deadline has just passed (scheduled every minute).

        One UPDATE through the partial index of open, not yet overdue deadlines: with nothing
        newly overdue it reads no lead at all. Leads that are won, lost or re-timed are unflagged
        by the compute when they are written."""
        self.env.cr.execute("""
            UPDATE crm_lead SET sla_overdue = TRUE
             WHERE active AND type = 'lead' AND sla_overdue IS NOT TRUE
               AND sla_deadline < (now() AT TIME ZONE 'UTC')
            RETURNING id
        """)
        flagged = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_cache(['sla_overdue'], flagged)
        return len(flagged)

    @api.depends('symptom_ids.name')
    def _compute_symptom_summary(self):
        for lead in self:
            lead.symptom_summary = ', '.join(lead.symptom_ids.mapped('name'))

    @api.depends('activity_ids.state')
    def _compute_activity_state(self):
        """The activity colour of a page of cards from one query.

        Same rules as mail.activity.mixin (see lib.activity), which would load every activity
        of the page and its responsible user, then the users' partners, for each kanban column.
        """
        editing = self.filtered(lambda lead: not isinstance(lead.id, int))  # onchange: stock rules
        if editing:
            super(CrmLead, editing)._compute_activity_state()
        saved = self - editing
        if not saved:
            return
        self.env.cr.execute("""
            SELECT a.res_id, a.date_deadline, p.tz
              FROM mail_activity a
              LEFT JOIN res_users u ON u.id = a.user_id
              LEFT JOIN res_partner p ON p.id = u.partner_id
             WHERE a.res_model = %s AND a.res_id IN %s
        """, (self._name, tuple(saved.ids)))
        deadlines = {}
        for res_id, deadline, tz in self.env.cr.fetchall():
            deadlines.setdefault(res_id, []).append((fields.Date.from_string(deadline), tz))
        todays = {}

        def today_for(tz):
            if tz not in todays:
                todays[tz] = local_today(tz)
            return todays[tz]
        for lead in saved:
            lead.activity_state = activity_state(deadlines.get(lead.id, ()), today_for) or False

    # --- actions after a triage -------------------------------------------------------------
    def _sehat_after_triage(self):
        """Schedule the SLA call, escalate red flags, ask for a complete profile."""
        for lead in self.filtered(lambda l: l.type == 'lead' and l.active):
            lead._sehat_schedule_sla_activity()
            if lead.red_flag and not lead.escalated_date:
                lead._sehat_escalate()
            if lead.partner_id.sudo().profile_missing:
                lead._sehat_profile_activity()

    def _sehat_responsible(self):
        return self.user_id or self.team_id.user_id or self.env.ref('base.user_root')

    def _sehat_activities(self, activity_type):
        """Open activities of ``activity_type`` on these leads."""
        return self.env['mail.activity'].sudo().search([
            ('res_model', '=', self._name), ('res_id', 'in', self.ids), ('activity_type_id', '=', activity_type.id)])

    def _sehat_schedule_sla_activity(self):
        activity_type = self.env.ref('sehat_crm.activity_type_call_patient')
        existing = self._sehat_activities(activity_type)
        deadline = fields.Datetime.from_string(self.sla_deadline)
        summary = _('%(band)s: call before %(time)s UTC') % {
            'band': dict(BAND_SELECTION)[self.urgency_band], 'time': deadline.strftime('%H:%M')}
        values = {'date_deadline': fields.Date.to_string(deadline.date()), 'summary': summary}
        if existing:
            existing.write(values)
        else:
            self._sehat_schedule_activity(activity_type, self._sehat_responsible(), values)

    def _sehat_schedule_activity(self, activity_type, user, values):
        model_id = self.env['ir.model']._get(self._name).id
        # mail_notrack: the activity subscribes its user to the lead, which is not a change to track
        return self.env['mail.activity'].sudo().with_context(mail_notrack=True).create(dict(
            values, activity_type_id=activity_type.id, res_model_id=model_id, res_id=self.id, user_id=user.id))

    def _sehat_escalate(self):
        """Red flag: tell the on-duty group at once (message + activity for each of them)."""
        on_duty = self.env.ref('sehat_crm.group_sehat_on_duty').users
        symptoms = ', '.join(self.sudo().symptom_ids.filtered('red_flag').mapped('name'))
        body = _('<p><b>RED FLAG</b>: %(symptoms)s. Call %(who)s now (%(phone)s).</p>') % {
            'symptoms': symptoms, 'who': self.contact_name or self.partner_name or self.name,
            'phone': self.phone_e164 or self.phone or ''}
        self.sudo().message_post(body=body, subject=_('Red flag: %s') % self.name, message_type='notification',
                                 subtype='mail.mt_comment', partner_ids=on_duty.mapped('partner_id').ids)
        activity_type = self.env.ref('sehat_crm.activity_type_red_flag')
        today = fields.Date.context_today(self)
        for user in on_duty or self._sehat_responsible():
            self._sehat_schedule_activity(activity_type, user, {
                'date_deadline': today, 'summary': _('RED FLAG: %s') % symptoms})
        self.sudo().write({'escalated_date': fields.Datetime.now()})

    def _sehat_profile_activity(self):
        activity_type = self.env.ref('sehat_crm.activity_type_complete_profile')
        if not self._sehat_activities(activity_type):
            self._sehat_schedule_activity(activity_type, self._sehat_responsible(), {
                'date_deadline': fields.Date.context_today(self),
                'summary': _('Complete the medical profile: %s') % self.partner_id.sudo().profile_missing})

    def _sehat_close_profile_activities(self):
        activity_type = self.env.ref('sehat_crm.activity_type_complete_profile')
        self._sehat_activities(activity_type).action_feedback(_('Medical profile completed.'))

    # --- capture ------------------------------------------------------------------------------
    def _sehat_lock_person(self, keys):
        """Serialise captures of the same person (E.164 phone, email) across workers; also used
        for the names of new UTM sources, media and campaigns.

        Each key has a row in ``sehat_capture_key`` that every capture of that person
        upserts first. A concurrent capture waits for the row; and a capture whose
        snapshot is older than another capture of the same person (it waited, or it began
        before the other one committed) fails with PostgreSQL's serialization_failure.
        Odoo's request dispatcher (odoo.service.model.check) retries such a request in a
        fresh transaction, which sees the other enquiry and merges into it.
        """
        for key in sorted(k for k in keys if k):
            self.env.cr.execute(
                "INSERT INTO sehat_capture_key (key, touched) VALUES (%s, now() at time zone 'UTC') "
                "ON CONFLICT (key) DO UPDATE SET touched = EXCLUDED.touched",
                (key.lower(),), log_exceptions=False)

    @api.model
    def _sehat_find_duplicates(self, phone, email):
        """The patient and the open lead of the person with this E.164 phone or email."""
        if not phone and not email:
            return self.env['res.partner'], self.browse()
        email = like_literal(email) if email else email
        Partner = self.env['res.partner'].sudo().with_context(active_test=False)
        domain = []
        if phone:
            domain = [('phone_e164', '=', phone)]
        if email:
            domain = (['|'] + domain if domain else []) + [('email', '=ilike', email)]
        patient = Partner.search([('is_patient', '=', True)] + domain, order='id', limit=1)
        lead_domain = [('type', '=', 'lead'), ('active', '=', True)]
        alternatives = []
        if patient:
            alternatives.append([('partner_id', '=', patient.id)])
        if phone:
            alternatives.append([('phone_e164', '=', phone)])
        if email:  # email_from is either the address or "Name <address>"
            alternatives.append(['|', ('email_from', '=ilike', email), ('email_from', '=ilike', '%%<%s>' % email)])
        lead = self.browse()
        if alternatives:
            any_of = ['|'] * (len(alternatives) - 1) + [leaf for alt in alternatives for leaf in alt]
            lead = self.sudo().search(lead_domain + any_of, order='enquiry_date, id', limit=1)
        return patient, lead

    @api.model
    def sehat_capture(self, clean, channel):
        """Store a validated enquiry (see lib.capture.clean_enquiry) once per person.

        Returns the lead, the patient and the lead it was merged into (or an empty record).
        """
        self._sehat_lock_person([clean['phone'], clean.get('email')])
        symptoms = self.env['sehat.symptom'].sudo().search([('code', 'in', clean['symptoms'])])
        patient, lead = self._sehat_find_duplicates(clean['phone'], clean.get('email'))
        utm = self._sehat_utm(clean)
        # The integration or web user does not follow what it captures. The patient's chatter
        # starts with Odoo's "created" line, not its profile field by field (its lifecycle
        # history and consent dates are kept); the lead's starts with the tracked values
        # (channel, urgency, stage, team), which say what a separate "created" line would.
        quiet = dict(mail_create_nosubscribe=True)
        if not patient:
            Partner = self.env['res.partner'].sudo()
            patient = Partner.browse(Partner.with_context(sehat_utm=utm, mail_notrack=True, **quiet).create(
                self._sehat_patient_values(clean)).id)
        else:
            patient.sudo().write(self._sehat_consent_updates(patient, clean))
        if lead:
            lead.sudo().with_context(sehat_no_triage=True)._sehat_merge_enquiry(clean, symptoms, channel, patient)
            duplicate_of = lead
        else:
            lead = self.browse(self.sudo().with_context(sehat_no_triage=True, mail_create_nolog=True, **quiet).create(
                dict(self._sehat_lead_values(clean, symptoms, channel, patient), **utm)).id)
            duplicate_of = self.browse()
        lead._sehat_after_triage()
        return lead, patient, duplicate_of

    @api.model
    def _sehat_patient_values(self, clean):
        values = {
            'name': clean['name'], 'is_patient': True, 'customer': True, 'mobile': clean['phone'],
            'email': clean.get('email') or False, 'city': clean.get('city') or False,
            'gender': clean.get('gender') or False, 'pregnant': clean.get('pregnant') or False,
            'birthdate': clean['dob'] and fields.Date.to_string(clean['dob']) or False,
            'country_id': self.env.user.company_id.country_id.id,
        }
        values.update(self._sehat_consent_updates(self.env['res.partner'], clean))
        return values

    @api.model
    def _sehat_consent_updates(self, patient, clean):
        values = {}
        for channel in ('email', 'sms', 'whatsapp', 'phone'):
            key = 'consent_%s' % channel
            if clean.get(key) and not patient[key]:
                values[key] = True
        if values:
            values['consent_source'] = self.env.context.get('sehat_consent_source') or _('Enquiry form')
        return values

    @api.model
    def _sehat_utm(self, clean):
        values = {}
        for field, model in (('utm_source', 'utm.source'), ('utm_medium', 'utm.medium'),
                             ('utm_campaign', 'utm.campaign')):
            name = clean.get(field)
            if name:
                Model = self.env[model].sudo()
                record = Model.search([('name', '=ilike', like_literal(name))], limit=1)
                if not record:
                    # a new name: two captures naming it at once create it once (the second
                    # one is retried, see _sehat_lock_person, and finds it)
                    self._sehat_lock_person(['%s:%s' % (model, name)])
                    record = Model.create({'name': name})
                values[field.replace('utm_', '') + '_id'] = record.id
        return values

    @api.model
    def _sehat_lead_values(self, clean, symptoms, channel, patient):
        what = ', '.join(symptoms.mapped('name')) or (clean.get('symptoms_text') or '')[:60]
        values = {
            'type': 'lead', 'channel': channel, 'name': '%s: %s' % (clean['name'], what),
            'contact_name': clean['name'], 'partner_id': patient.id, 'mobile': clean['phone'],
            'phone_e164': clean['phone'], 'email_from': clean.get('email') or False,
            'city': clean.get('city') or False, 'symptom_ids': [(6, 0, symptoms.ids)],
            'symptoms_text': clean.get('symptoms_text') or False,
            'symptom_duration_days': clean.get('duration_days') or 0.0,
            'patient_age': clean.get('age') or 0, 'pregnant': clean.get('pregnant') or False,
            'team_id': self.env['crm.team'].sudo()._get_default_team_id(user_id=self.env.ref('base.user_root').id).id,
            'user_id': False,
        }
        return values

    def _sehat_merge_enquiry(self, clean, symptoms, channel, patient):
        self.ensure_one()
        values = {'symptom_ids': [(4, s.id) for s in symptoms], 'enquiry_count': self.enquiry_count + 1}
        if not self.partner_id:
            values['partner_id'] = patient.id
        if clean.get('symptoms_text'):
            values['symptoms_text'] = '\n\n'.join(filter(None, [self.symptoms_text, clean['symptoms_text']]))
        for field, key in (('symptom_duration_days', 'duration_days'), ('patient_age', 'age'),
                           ('pregnant', 'pregnant')):
            if clean.get(key):
                values[field] = clean[key]
        self.write(values)
        self.message_post(body=_('<p>Repeat enquiry by %(channel)s (%(name)s). Symptoms now: %(symptoms)s.</p>') % {
            'channel': dict(CHANNELS)[channel], 'name': clean['name'],
            'symptoms': ', '.join(self.symptom_ids.mapped('name')) or '-'}, subtype='mail.mt_note')

    # --- email --------------------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Email to the team alias: attach to the open lead of the same person, else triage a new one."""
        email = (msg_dict.get('email_from') or '').strip()
        address = self.env['res.partner']._parse_partner_name(email)[1] if email else False
        if address:
            _patient, lead = self._sehat_find_duplicates(False, address.lower())
            if lead:
                lead.write({'enquiry_count': lead.enquiry_count + 1})
                return lead
        lead = super(CrmLead, self).message_new(msg_dict, custom_values)
        text = '%s\n%s' % (msg_dict.get('subject') or '', msg_dict.get('body') or '')
        catalogue = self.env['sehat.symptom'].sudo().search([])
        codes = match_symptoms(text, [(s.code, s.name, s.keywords) for s in catalogue])
        values = {'channel': 'email', 'symptom_ids': [(6, 0, catalogue.filtered(lambda s: s.code in codes).ids)]}
        if lead.type != 'lead':
            values['type'] = 'lead'
        lead.sudo().write(values)
        lead._sehat_after_triage()
        return lead

    # --- ORM ----------------------------------------------------------------------------------
    def _sehat_phone_key(self, vals):
        raw = vals.get('mobile') or vals.get('phone')
        if not raw:
            return None
        try:
            return normalize_phone(raw, self.env.user.company_id.country_id.code or 'IN')
        except InvalidPhone:
            return False

    @api.model
    def create(self, vals):
        key = self._sehat_phone_key(vals)
        if key is not None and 'phone_e164' not in vals:
            vals = dict(vals, phone_e164=key)
        lead = super(CrmLead, self).create(vals)
        if not self.env.context.get('sehat_no_triage') and 'symptom_ids' in vals:
            lead._sehat_after_triage()
        return lead

    def write(self, vals):
        key = self._sehat_phone_key(vals)
        if key is not None and 'phone_e164' not in vals:
            vals = dict(vals, phone_e164=key)
        bands = {lead.id: lead.urgency_band for lead in self}
        res = super(CrmLead, self).write(vals)
        changed = self.filtered(lambda l: l.urgency_band != bands.get(l.id))
        if changed and not self.env.context.get('sehat_no_triage'):
            changed._sehat_after_triage()
        return res

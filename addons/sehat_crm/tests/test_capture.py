import datetime

from odoo import fields

from ..lib.capture import clean_enquiry
from .common import SehatCase


class CaptureCase(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(CaptureCase, cls).setUpClass()
        cls.Lead = cls.env['crm.lead']
        cls.codes = set(cls.env['sehat.symptom'].search([]).mapped('code'))
        cls.on_duty = cls._user('t_on_duty', 'sehat_crm.group_sehat_on_duty')

    def capture(self, channel='api', **payload):
        values = {'name': 'Test Patient', 'phone': '98450 00001', 'symptoms': ['FEVER']}
        values.update(payload)
        clean = clean_enquiry(values, self.codes, 'IN', datetime.date.today())
        return self.Lead.sehat_capture(clean, channel)


class TestCapture(CaptureCase):

    def test_new_enquiry_creates_patient_and_triaged_lead(self):
        lead, patient, duplicate_of = self.capture(
            name='Sabina Banu', phone='96110 45111', email='sabina.banu@example.in', age=30,
            symptoms=['FEVER', 'COUGH'], utm_source='google', utm_campaign='Monsoon fever camp',
            consent_sms=True)
        self.assertFalse(duplicate_of)
        self.assertTrue(patient.is_patient and patient.patient_ref)
        self.assertEqual(patient.phone_e164, '+919611045111')
        self.assertEqual(patient.lifecycle_stage, 'prospect')
        self.assertTrue(patient.consent_sms and patient.consent_sms_date)
        self.assertFalse(patient.consent_email)
        self.assertEqual(lead.partner_id, patient)
        self.assertEqual(lead.type, 'lead')
        self.assertEqual(lead.channel, 'api')
        self.assertEqual(lead.source_id.name, 'google')
        self.assertEqual(lead.campaign_id.name, 'Monsoon fever camp')
        self.assertEqual(set(lead.symptom_ids.mapped('code')), {'FEVER', 'COUGH'})
        self.assertIn(lead.urgency_band, ('routine', 'soon', 'urgent'))
        self.assertTrue(lead.sla_deadline > lead.enquiry_date)
        history = patient.lifecycle_history_ids
        self.assertEqual(history.mapped('to_stage'), ['prospect'])
        self.assertEqual(history.source_id.name, 'google')

    def test_capture_with_chatter_as_the_api_runs_it(self):
        """Chatter on (as for the API and the web form): one line on the patient, the tracked
        values on the lead, the activities; the capturing user follows neither."""
        api_user = self._user('t_api', 'sehat_crm.group_sehat_user')
        codes = self.codes
        clean = clean_enquiry({'name': 'Chatter Person', 'phone': '98450 00777', 'symptoms': ['FEVER'],
                               'consent_sms': True}, codes, 'IN', datetime.date.today())
        Lead = self.Lead.sudo(api_user).with_context(tracking_disable=False, sehat_consent_source='API: test')
        lead, patient, _duplicate = Lead.sehat_capture(clean, 'api')
        patient, lead = patient.sudo(), lead.sudo()
        self.assertEqual(len(patient.message_ids), 1, 'one "created" line, not the profile field by field')
        self.assertEqual(patient.consent_source, 'API: test')
        self.assertNotIn(api_user.partner_id, patient.message_partner_ids | lead.message_partner_ids)
        tracked = lead.message_ids.mapped('tracking_value_ids')
        self.assertIn('channel', tracked.mapped('field'))
        self.assertEqual(set(lead.activity_ids.mapped('activity_type_id')),
                         {self.env.ref('sehat_crm.activity_type_call_patient'),
                          self.env.ref('sehat_crm.activity_type_complete_profile')})
        history = patient.lifecycle_history_ids
        self.assertEqual(history.mapped('to_stage'), ['prospect'])
        self.assertFalse(history.from_stage)
        self.assertEqual(history.date, patient.lifecycle_date)
        # company-dependent fields were left out: they read the company's default, nothing stored
        Property = self.env['ir.property']
        self.assertEqual(patient.property_account_receivable_id,
                         Property.get('property_account_receivable_id', 'res.partner'))
        self.assertFalse(Property.search([('res_id', '=', 'res.partner,%d' % patient.id)]))

    def test_new_patient_keeps_a_default_set_by_the_hospital(self):
        term = self.env.ref('account.account_payment_term_15days')
        self.env['ir.default'].set('res.partner', 'property_payment_term_id', term.id)
        _lead, patient, _duplicate = self.capture(name='Default Person', phone='98450 00778')
        self.assertEqual(patient.property_payment_term_id, term)

    def test_same_phone_in_another_format_is_merged_not_duplicated(self):
        lead, patient, _dup = self.capture(phone='98860 12399', symptoms=['COUGH'])
        again, patient2, duplicate_of = self.capture(phone='+91-98860-12399', symptoms=['FEVER'],
                                                     symptoms_text='Fever since last night')
        self.assertEqual(again, lead)
        self.assertEqual(duplicate_of, lead)
        self.assertEqual(patient2, patient)
        self.assertEqual(lead.enquiry_count, 2)
        self.assertEqual(set(lead.symptom_ids.mapped('code')), {'FEVER', 'COUGH'})
        self.assertIn('Repeat enquiry', lead.message_ids[0].body)
        self.assertEqual(self.Lead.search_count([('phone_e164', '=', '+919886012399')]), 1)

    def test_same_email_is_merged(self):
        lead, _p, _d = self.capture(phone='98860 12301', email='Meera@Example.in')
        again, _p2, duplicate_of = self.capture(phone='98860 12302', email='meera@example.in')
        self.assertEqual(duplicate_of, lead)
        self.assertEqual(again, lead)

    def test_known_patient_without_open_lead_gets_a_new_lead(self):
        patient = self.env['res.partner'].create({'name': 'Kabir Reddy', 'is_patient': True, 'mobile': '98450 55555'})
        lead, found, duplicate_of = self.capture(name='Kabir', phone='9845055555')
        self.assertEqual(found, patient)
        self.assertFalse(duplicate_of)
        self.assertEqual(lead.partner_id, patient)
        lead.action_set_lost()
        lead2, _found, duplicate_of = self.capture(name='Kabir', phone='9845055555')
        self.assertNotEqual(lead2, lead)
        self.assertFalse(duplicate_of)

    def test_red_flag_escalates_to_on_duty_team(self):
        lead, _p, _d = self.capture(phone='97412 00011', symptoms=['CHEST_PAIN'])
        self.assertTrue(lead.red_flag)
        self.assertEqual(lead.urgency_band, 'emergency')
        self.assertTrue(lead.escalated_date)
        red = self.env.ref('sehat_crm.activity_type_red_flag')
        activities = lead.activity_ids.filtered(lambda a: a.activity_type_id == red)
        self.assertIn(self.on_duty, activities.mapped('user_id'))
        notified = lead.message_ids.filtered(lambda m: 'RED FLAG' in (m.body or ''))
        self.assertIn(self.on_duty.partner_id, notified.mapped('partner_ids'))

    def test_sla_activity_has_the_band_deadline(self):
        lead, _p, _d = self.capture(phone='97412 00012', symptoms=['COUGH'])
        call = self.env.ref('sehat_crm.activity_type_call_patient')
        activity = lead.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(len(activity), 1)
        minutes = self.Lead._sla_minutes(lead.urgency_band)
        expected = fields.Datetime.from_string(lead.enquiry_date) + datetime.timedelta(minutes=minutes)
        self.assertEqual(fields.Datetime.from_string(lead.sla_deadline), expected)
        self.assertEqual(activity.date_deadline, fields.Date.to_string(expected.date()))

    def test_incomplete_profile_asks_the_call_centre_and_completion_qualifies(self):
        lead, patient, _d = self.capture(phone='97412 00013')
        todo = self.env.ref('sehat_crm.activity_type_complete_profile')
        self.assertTrue(lead.activity_ids.filtered(lambda a: a.activity_type_id == todo))
        self.assertIn('Date of birth', patient.profile_missing)
        self.assertIn('Preferred language', patient.profile_missing)  # an empty many2one is missing
        patient.write({
            'birthdate': '1985-04-12', 'gender': 'female', 'city': 'Mysuru', 'blood_group': 'O+',
            'allergies': 'None known', 'preferred_language_id': self.env.ref('sehat_crm.language_kn').id,
            'emergency_contact_name': 'Ravi', 'emergency_contact_phone': '98450 77777'})
        self.assertEqual(patient.profile_completeness, 100)
        self.assertEqual(patient.lifecycle_stage, 'qualified')
        self.assertFalse(lead.activity_ids.filtered(lambda a: a.activity_type_id == todo))
        self.assertEqual(patient.lifecycle_history_ids[0].trigger, 'profile_complete')

    def test_queue_order_is_band_then_oldest(self):
        Lead = self.Lead
        old = Lead.create({'name': 'old routine', 'type': 'lead', 'enquiry_date': '2026-01-01 08:00:00'})
        new_urgent = Lead.create({'name': 'new urgent', 'type': 'lead',
                                  'symptom_ids': [(6, 0, self.env.ref('sehat_crm.symptom_chest_pain').ids)]})
        old_urgent = Lead.create({'name': 'old urgent', 'type': 'lead', 'enquiry_date': '2026-01-01 07:00:00',
                                  'symptom_ids': [(6, 0, self.env.ref('sehat_crm.symptom_chest_pain').ids)]})
        ordered = Lead.search([('id', 'in', (old | new_urgent | old_urgent).ids)],
                              order='urgency_rank desc, enquiry_date asc, id asc')
        self.assertEqual(ordered, old_urgent | new_urgent | old)
        groups = Lead.read_group([('id', 'in', ordered.ids)], ['urgency_band'], ['urgency_band'])
        self.assertEqual([g['urgency_band'] for g in groups], ['emergency', 'urgent', 'soon', 'routine'])

    def test_queue_columns_count_without_aggregates(self):
        self.Lead.create({'name': 'one', 'type': 'lead'})
        fields = ['urgency_band', 'urgency_score', 'enquiry_count', 'name']
        domain = [('type', '=', 'lead')]
        queue = self.Lead.with_context(sehat_queue=True).read_group(
            domain, fields, ['urgency_band'], orderby='enquiry_date ASC, id ASC')
        self.assertEqual([g['urgency_band'] for g in queue], ['emergency', 'urgent', 'soon', 'routine'])
        self.assertNotIn('urgency_score', queue[-1])
        self.assertEqual(sum(g['urgency_band_count'] for g in queue), self.Lead.search_count(domain))
        # pivot and graph (not lazy) keep their measures
        pivot = self.Lead.with_context(sehat_queue=True).read_group(domain, fields, ['urgency_band'], lazy=False)
        self.assertIn('urgency_score', [g for g in pivot if g['__count']][0])

    def test_queue_band_counts_equal_odoo_read_group(self):
        """The queue's counting (four index range scans) gives what Odoo's GROUP BY gives, for
        every user (record rules) and with search filters."""
        chest_pain = self.env.ref('sehat_crm.symptom_chest_pain')
        fever = self.env.ref('sehat_crm.symptom_fever')
        Lead = self.Lead.with_context(sehat_no_triage=True)
        for n, (user, symptoms) in enumerate([(self.rep, chest_pain), (self.rep2, fever), (False, fever),
                                              (False, chest_pain), (self.rep, self.env['sehat.symptom'])]):
            Lead.create({'name': 'band count %d' % n, 'type': 'lead', 'user_id': user and user.id,
                         'city': 'Pune' if n % 2 else 'Nagpur', 'symptom_ids': [(6, 0, symptoms.ids)]})
        Lead.create({'name': 'closed', 'type': 'lead', 'active': False, 'symptom_ids': [(6, 0, fever.ids)]})
        Lead.create({'name': 'an opportunity', 'type': 'opportunity', 'symptom_ids': [(6, 0, fever.ids)]})
        queue = [('type', '=', 'lead')]
        domains = [queue, queue + [('city', '=', 'Pune')], queue + [('user_id', '=', False)],
                   queue + [('partner_id.city', '=', 'Nowhere')], []]
        for user in (self.env.user, self.rep, self.manager):
            for domain in domains:
                Queue = self.Lead.sudo(user).with_context(sehat_queue=True)
                fast = Queue.read_group(domain, ['urgency_band', 'name'], ['urgency_band'],
                                        orderby='enquiry_date ASC, id ASC')
                odoo = self.Lead.sudo(user).read_group(domain, ['urgency_band'], ['urgency_band'])
                self.assertEqual(
                    [(g['urgency_band'], g['urgency_band_count']) for g in fast],
                    [(g['urgency_band'], g['urgency_band_count']) for g in odoo], (user.login, domain))
                for group in fast:  # each column then searches its own domain
                    self.assertEqual(Queue.search_count(group['__domain']), group['urgency_band_count'])
        rep_queue = self.Lead.sudo(self.rep).with_context(sehat_queue=True).read_group(
            queue, ['urgency_band'], ['urgency_band'])
        seen = sum(g['urgency_band_count'] for g in rep_queue)
        self.assertEqual(seen, self.Lead.sudo(self.rep).search_count(queue))
        self.assertLess(seen, self.Lead.search_count(queue), 'a rep does not count the leads of another rep')

    def test_queue_card_lists_symptoms_as_text(self):
        chest_pain = self.env.ref('sehat_crm.symptom_chest_pain')
        lead = self.Lead.create({'name': 'card', 'type': 'lead', 'user_id': False,
                                 'symptom_ids': [(6, 0, chest_pain.ids)]})
        self.assertEqual(lead.symptom_summary, chest_pain.name)
        record = lead.sudo(self.rep).read(['symptom_summary'])[0]
        self.assertEqual(record['symptom_summary'], chest_pain.name)
        self.assertNotIn('symptom_summary', self.Lead.sudo(self.finance).fields_get(['symptom_summary']))

    def test_overdue_filter(self):
        lead = self.Lead.create({'name': 'waiting', 'type': 'lead', 'enquiry_date': '2020-01-01 08:00:00'})
        self.assertTrue(lead.sla_overdue)
        self.assertIn(lead, self.Lead.search([('sla_overdue', '=', True)]))
        fresh = self.Lead.create({'name': 'fresh', 'type': 'lead'})
        self.assertNotIn(fresh, self.Lead.search([('sla_overdue', '=', True)]))
        lead.action_set_lost()
        self.assertFalse(lead.sla_overdue, 'a closed lead no longer waits for a call')

    def test_deadline_passing_flags_the_lead(self):
        lead = self.Lead.create({'name': 'routine', 'type': 'lead'})
        self.Lead.sehat_refresh_overdue()
        self.assertFalse(lead.sla_overdue, 'its deadline has not passed')
        # the deadline passes: move it back in the database, as time would
        self.env.cr.execute("UPDATE crm_lead SET sla_deadline = now() AT TIME ZONE 'UTC' - interval '1 minute' "
                            "WHERE id = %s", [lead.id])
        self.assertGreaterEqual(self.Lead.sehat_refresh_overdue(), 1)
        self.assertTrue(lead.sla_overdue)
        self.assertIn(lead, self.Lead.search([('sla_overdue', '=', True)]))

    def test_card_activity_colour_follows_odoo_rules(self):
        """The queue's one-query activity state equals mail.activity.mixin's, user time zones included."""
        today = fields.Date.from_string(fields.Date.today())
        far_east = self._user('t_far_east', 'sehat_crm.group_sehat_user')
        far_east.tz = 'Pacific/Kiritimati'  # UTC+14: often already tomorrow there
        call = self.env.ref('sehat_crm.activity_type_call_patient')
        plans = {
            'none': [],
            'planned': [(5, self.rep)],
            'today': [(0, self.rep), (3, self.rep)],
            'overdue': [(-1, self.rep), (0, self.rep), (9, self.rep)],
            'far east': [(0, far_east)],
        }
        leads = {}
        for label, activities in plans.items():
            lead = self.Lead.with_context(sehat_no_triage=True).create({'name': label, 'type': 'lead'})
            for days, user in activities:
                lead._sehat_schedule_activity(call, user, {
                    'date_deadline': fields.Date.to_string(today + datetime.timedelta(days=days))})
            leads[label] = lead
        records = self.Lead.browse([lead.id for lead in leads.values()])
        records.invalidate_cache()
        got = {lead.name: lead['activity_state'] for lead in records}
        for label, lead in leads.items():
            states = lead.activity_ids.mapped('state')
            stock = next((s for s in ('overdue', 'today', 'planned') if s in states), False)
            self.assertEqual(got[label], stock, label)
        self.assertEqual(got['none'], False)
        self.assertEqual(got['overdue'], 'overdue')
        self.assertEqual(got['planned'], 'planned')

    def test_card_shows_the_assignee_by_name(self):
        lead = self.Lead.create({'name': 'assigned', 'type': 'lead', 'user_id': self.rep.id})
        self.assertEqual(lead.assignee_name, self.rep.name)
        self.rep.partner_id.name = 'Renamed Rep'
        self.assertEqual(lead.assignee_name, 'Renamed Rep')
        lead.user_id = False
        self.assertFalse(lead.assignee_name)

    def test_email_to_the_team_alias_is_triaged_and_merged(self):
        message = ('From: Anita Dsouza <anita.d@example.in>\r\nTo: care@sehat.example\r\n'
                   'Subject: Chest pain since morning\r\nMessage-ID: <sehat-test-1@example.in>\r\n'
                   'Content-Type: text/plain\r\n\r\nI have chest pain and a fever, please call me.\r\n')
        lead_id = self.env['mail.thread'].message_process('crm.lead', message)
        lead = self.Lead.browse(lead_id)
        self.assertEqual(lead.channel, 'email')
        self.assertIn('CHEST_PAIN', lead.symptom_ids.mapped('code'))
        self.assertTrue(lead.red_flag)
        second = message.replace('sehat-test-1', 'sehat-test-2').replace('Chest pain since morning', 'Any update?')
        self.assertEqual(self.env['mail.thread'].message_process('crm.lead', second), lead_id)
        self.assertEqual(lead.enquiry_count, 2)

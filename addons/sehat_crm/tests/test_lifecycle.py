from odoo.exceptions import AccessError, UserError

from .common import SehatCase


class TestLifecycle(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(TestLifecycle, cls).setUpClass()
        cls.patient = cls.env['res.partner'].create({'name': 'Rohit Menon', 'is_patient': True,
                                                     'mobile': '98450 31313'})

    def _visit(self, start, stop):
        return self.env['calendar.event'].create({
            'name': 'Consultation', 'start': start, 'stop': stop, 'partner_ids': [(6, 0, self.patient.ids)]})

    def test_capture_then_appointment_makes_a_customer_and_wins_the_lead(self):
        self.assertEqual(self.patient.lifecycle_stage, 'prospect')
        lead = self.env['crm.lead'].create({'name': 'Knee pain', 'type': 'lead', 'partner_id': self.patient.id})
        self._visit('2030-01-10 05:00:00', '2030-01-10 05:30:00')
        self.assertEqual(self.patient.lifecycle_stage, 'customer')
        self.assertEqual(lead.type, 'opportunity')
        self.assertEqual(lead.probability, 100)
        self.assertEqual(self.patient.lifecycle_history_ids[0].trigger, 'appointment_booked')

    def test_daily_rules_make_loyal_then_lapsed(self):
        Param = self.env['ir.config_parameter'].sudo()
        Param.set_param('sehat_crm.loyal_visits', '2')
        Param.set_param('sehat_crm.loyal_months', '12')
        Param.set_param('sehat_crm.lapse_months', '6')
        self._visit('2026-09-01 05:00:00', '2026-09-01 05:30:00')
        self.assertEqual(self.patient.lifecycle_stage, 'customer')
        self.env['res.partner'].sehat_lifecycle_cron()
        self.assertEqual(self.patient.lifecycle_stage, 'customer')  # one visit only
        self._visit('2026-10-01 05:00:00', '2026-10-01 05:30:00')
        changes = self.env['res.partner'].sehat_lifecycle_cron()
        self.assertIn(self.patient.id, changes.get('loyalty_reached', []))
        self.assertEqual(self.patient.lifecycle_stage, 'loyal')
        # nothing more to do: a second run changes nobody
        self.assertNotIn(self.patient.id, sum(self.env['res.partner'].sehat_lifecycle_cron().values(), []))
        self.env.cr.execute("UPDATE calendar_event SET start = start - interval '2 years', "
                            "stop = stop - interval '2 years' WHERE id IN (SELECT calendar_event_id "
                            "FROM calendar_event_res_partner_rel WHERE res_partner_id = %s)", (self.patient.id,))
        self.env['calendar.event'].invalidate_cache()
        self.env['res.partner'].sehat_lifecycle_cron()
        self.assertEqual(self.patient.lifecycle_stage, 'lapsed')
        self.assertEqual(self.patient.lifecycle_history_ids.mapped('to_stage')[:3], ['lapsed', 'loyal', 'customer'])

    def test_loyal_by_rfm_segment_when_the_hospital_chooses_it(self):
        Param = self.env['ir.config_parameter'].sudo()
        Param.set_param('sehat_crm.loyal_visits', '5')
        self._visit('2026-09-01 05:00:00', '2026-09-01 05:30:00')
        self.patient.sudo().write({'rfm_segment': 'champions'})
        self.env['res.partner'].sehat_lifecycle_cron()
        self.assertEqual(self.patient.lifecycle_stage, 'customer', 'off by default: one visit is not five')
        self.env['res.config.settings'].create({'sehat_loyal_by_rfm': True}).set_values()
        self.assertEqual(Param.get_param('sehat_crm.loyal_by_rfm'), '1')
        self.assertTrue(self.env['res.config.settings'].create({}).sehat_loyal_by_rfm)
        self.patient.sudo().write({'rfm_segment': 'at_risk'})
        self.env['res.partner'].sehat_lifecycle_cron()
        self.assertEqual(self.patient.lifecycle_stage, 'customer', 'At risk is not a loyal segment')
        self.patient.sudo().write({'rfm_segment': 'champions'})
        changes = self.env['res.partner'].sehat_lifecycle_cron()
        self.assertEqual(changes.get('loyalty_reached'), [self.patient.id])
        self.assertEqual(self.patient.lifecycle_stage, 'loyal')

    def test_manager_override_needs_a_reason_and_is_recorded(self):
        with self.assertRaises(UserError):
            self.patient.sudo(self.manager).sehat_lifecycle_override('loyal', '  ')
        self.patient.sudo(self.manager).sehat_lifecycle_override('loyal', 'VIP referred by the medical director')
        self.assertEqual(self.patient.lifecycle_stage, 'loyal')
        last = self.patient.lifecycle_history_ids[0]
        self.assertEqual((last.from_stage, last.to_stage, last.trigger, last.user_id),
                         ('prospect', 'loyal', 'override', self.manager))
        self.assertEqual(last.reason, 'VIP referred by the medical director')

    def test_sehat_user_cannot_override(self):
        with self.assertRaises(UserError):
            self.patient.sudo(self.rep).sehat_lifecycle_override('loyal', 'I think so')
        wizard = self.env['sehat.lifecycle.override'].sudo(self.rep)
        with self.assertRaises(UserError):
            wizard.create({'partner_ids': [(6, 0, self.patient.ids)], 'stage': 'loyal', 'reason': 'x'}).action_apply()
        self.assertEqual(self.patient.lifecycle_stage, 'prospect')

    def test_nobody_writes_history_by_hand(self):
        for user in (self.rep, self.manager, self.doctor_user):
            with self.assertRaises(AccessError):
                self.env['sehat.lifecycle.history'].sudo(user).create({
                    'partner_id': self.patient.id, 'to_stage': 'loyal', 'trigger': 'override'})

    def test_funnel_reports(self):
        self.patient.sudo(self.manager).sehat_lifecycle_override('customer', 'Walk-in, booked at the desk')
        row = self.env['sehat.funnel.report'].search([('partner_id', '=', self.patient.id)])
        self.assertEqual(row.customer, 100.0)
        summary = self.env['sehat.funnel.summary'].search([('cohort_month', '=', row.cohort_month)])
        self.assertTrue(summary and sum(summary.mapped('prospects')) >= 1)
        self.assertTrue(self.env['sehat.funnel.report'].sudo(self.manager).read_group(
            [], ['customer', 'patients', 'cohort_month'], ['cohort_month:month']))

"""RFM in SQL agrees with an independent computation (lib.rfm on data read through the ORM)."""
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError

from ..lib import rfm as rfm_lib
from ..lib.lifecycle import months_before
from .test_appointment import AppointmentCase, ts


class TestRfm(AppointmentCase):

    def visit(self, patient, days_ago):
        start = (datetime.utcnow() - timedelta(days=days_ago)).replace(hour=9, minute=0, second=0, microsecond=0)
        event = self.Event.with_context(sehat_record_past=True).create({
            'doctor_id': self.doctor.id, 'patient_id': patient.id, 'start': ts(start),
            'stop': ts(start + timedelta(minutes=30))})
        event.action_appointment_check_in()
        event.action_appointment_done()
        return event

    def paid_invoice(self, patient, amount, days_ago):
        account = self.env['account.account'].search([('user_type_id.type', '=', 'receivable')], limit=1)
        income = self.env['account.account'].search([('user_type_id.name', '=', 'Income')], limit=1) or \
            self.env['account.account'].search([('internal_type', '=', 'other')], limit=1)
        day = fields.Date.to_string(datetime.utcnow().date() - timedelta(days=days_ago))
        invoice = self.env['account.invoice'].create({
            'partner_id': patient.id, 'type': 'out_invoice', 'account_id': account.id, 'date_invoice': day,
            'invoice_line_ids': [(0, 0, {'name': 'Consultation', 'quantity': 1, 'price_unit': amount,
                                         'account_id': income.id})]})
        invoice.action_invoice_open()
        bank = self.env['account.journal'].search([('type', 'in', ('bank', 'cash'))], limit=1)
        invoice.pay_and_reconcile(bank, amount, day)
        self.assertEqual(invoice.state, 'paid')
        return invoice

    def reference(self):
        """Independent: activity read through the ORM, scored by lib.rfm in Python."""
        today = datetime.utcnow().date()
        since = months_before(today, 24)
        last, freq, money = {}, defaultdict(int), defaultdict(float)
        for event in self.env['calendar.event'].search([('appointment_state', '=', 'done'),
                                                        ('patient_id', '!=', False)]):
            day = fields.Datetime.from_string(event.stop).date()
            last[event.patient_id.id] = max(last.get(event.patient_id.id, day), day)
            if day >= since:
                freq[event.patient_id.id] += 1
        for invoice in self.env['account.invoice'].search([('type', '=', 'out_invoice'), ('state', '=', 'paid')]):
            day = fields.Date.from_string(invoice.date_invoice)
            last[invoice.partner_id.id] = max(last.get(invoice.partner_id.id, day), day)
            if day >= since:
                money[invoice.partner_id.id] += invoice.amount_total_company_signed
        patients = set(self.env['res.partner'].search([('is_patient', '=', True)]).ids)
        rows = [rfm_lib.RfmRow(pid, (today - day).days, freq[pid], money[pid])
                for pid, day in last.items() if pid in patients]
        return rfm_lib.compute(rows)

    def test_sql_matches_the_independent_computation(self):
        others = [self.env['res.partner'].create({'name': 'RFM %d' % n, 'is_patient': True}) for n in range(6)]
        self.visit(self.patient, 5)
        self.visit(self.patient, 40)
        self.visit(self.patient, 90)
        self.paid_invoice(self.patient, 5000, 5)
        self.visit(self.patient2, 300)
        self.visit(others[0], 2)
        self.paid_invoice(others[1], 800, 200)
        self.visit(others[2], 700)
        self.visit(others[3], 20)
        self.visit(others[3], 60)
        scored = self.env['res.partner'].sehat_compute_rfm()
        expected = self.reference()
        self.assertEqual(scored, len(expected))
        for partner_id, score in expected.items():
            partner = self.env['res.partner'].browse(partner_id)
            self.assertEqual((partner.rfm_r, partner.rfm_f, partner.rfm_m, partner.rfm_segment), tuple(score),
                             partner.name)
        self.assertEqual(self.patient.rfm_frequency, 3)
        self.assertEqual(self.patient.rfm_monetary, 5000)
        self.assertEqual(self.patient.rfm_recency_days, 5)
        self.assertEqual(others[1].rfm_frequency, 0, 'a payment alone counts for recency and monetary')
        self.assertFalse(others[4].rfm_segment, 'no activity, no score')
        self.assertGreaterEqual(others[0].rfm_r, self.patient.rfm_r, 'seen more recently')
        self.assertGreaterEqual(self.patient.rfm_m, others[1].rfm_m, 'paid more')
        self.assertLessEqual(others[2].rfm_r, self.patient2.rfm_r, 'seen longest ago')

    def test_patients_without_activity_any_more_are_reset(self):
        self.visit(self.patient2, 10)
        self.env['res.partner'].sehat_compute_rfm()
        self.assertTrue(self.patient2.rfm_segment)
        self.env['calendar.event'].search([('patient_id', '=', self.patient2.id)]).write({'active': False})
        self.env.cr.execute("UPDATE res_partner SET rfm_date = rfm_date - interval '1 day' WHERE id = %s",
                            [self.patient2.id])
        self.env['res.partner'].sehat_compute_rfm()
        self.assertEqual(self.patient2.rfm_segment, 'none')

    def test_only_managers_recompute_and_staff_read(self):
        with self.assertRaises(AccessError):
            self.env['res.partner'].sudo(self.rep).sehat_compute_rfm()
        self.env['res.partner'].sudo(self.manager).sehat_compute_rfm()
        self.patient.sudo(self.rep).read(['rfm_segment'])
        with self.assertRaises(AccessError):
            self.patient.sudo(self.plain_employee).read(['rfm_segment'])

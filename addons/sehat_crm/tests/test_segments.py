"""Segments pick patients by profile, lifecycle, RFM and last visit; lists leave out non-consenting."""
from datetime import date

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from .common import SehatCase


class TestSegments(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(TestSegments, cls).setUpClass()
        diabetes = cls.env.ref('sehat_crm.condition_diabetes')
        today = date.today()

        def patient(name, age, gender, city, consent, email=True, conditions=()):
            born = today.replace(year=today.year - age, day=min(today.day, 28))
            return cls.env['res.partner'].create({
                'name': name, 'is_patient': True, 'gender': gender, 'city': city,
                'birthdate': fields.Date.to_string(born), 'consent_email': consent,
                'email': ('%s@example.in' % name.lower().replace(' ', '.')) if email else False,
                'chronic_condition_ids': [(6, 0, list(conditions))]})
        cls.p1 = patient('Seg One', 55, 'female', 'Pune', True, conditions=diabetes.ids)
        cls.p2 = patient('Seg Two', 62, 'female', 'pune', False, conditions=diabetes.ids)
        cls.p3 = patient('Seg Three', 58, 'female', 'Pune', True, email=False, conditions=diabetes.ids)
        cls.p4 = patient('Seg Four', 40, 'female', 'Pune', True, conditions=diabetes.ids)
        cls.p5 = patient('Seg Five', 57, 'male', 'Pune', True, conditions=diabetes.ids)
        cls.p6 = patient('Seg Six', 57, 'female', 'Mumbai', True, conditions=diabetes.ids)
        cls.p7 = patient('Seg Seven', 57, 'female', 'Pune', True)
        cls.segment = cls.env['sehat.segment'].create({
            'name': 'Diabetic women over 50 in Pune', 'age_min': 50, 'age_max': 70, 'gender': 'female',
            'city': 'Pune', 'condition_ids': [(6, 0, diabetes.ids)], 'channel': 'email'})

    def test_segment_selects_by_every_criterion_and_counts_the_left_out(self):
        patients = self.env['res.partner'].search(self.segment.sehat_domain())
        self.assertEqual(patients, self.p1 | self.p2 | self.p3)
        self.assertEqual((self.segment.patient_count, self.segment.consent_count, self.segment.left_out_count),
                         (3, 1, 2), 'Seg Two refused email, Seg Three has no address')

    def test_mailing_list_holds_only_consenting_patients(self):
        self.segment.action_create_mailing_list()
        contacts = self.env['mail.mass_mailing.contact'].search([('list_ids', 'in', self.segment.mailing_list_id.ids)])
        self.assertEqual(contacts.mapped('email'), ['seg.one@example.in'])
        self.assertIn('2 left out', self.segment.message_ids[0].body)
        self.segment.action_create_mailing_list()  # again: no duplicate contact
        self.assertEqual(self.env['mail.mass_mailing.contact'].search_count(
            [('list_ids', 'in', self.segment.mailing_list_id.ids)]), 1)

    def test_rfm_and_lifecycle_criteria(self):
        self.env.cr.execute("UPDATE res_partner SET rfm_segment = 'champions' WHERE id = %s", [self.p1.id])
        self.env['res.partner'].invalidate_cache()
        self.segment.rfm_segment = 'champions'
        self.assertEqual(self.env['res.partner'].search(self.segment.sehat_domain()), self.p1)
        self.segment.rfm_segment = False
        self.segment.lifecycle_stage = 'loyal'
        self.assertFalse(self.env['res.partner'].search(self.segment.sehat_domain()))

    def test_bad_input(self):
        with self.assertRaises(ValidationError), self.cr.savepoint():  # (as the request's rollback)
            self.segment.write({'age_min': 70, 'age_max': 50})
        self.segment.invalidate_cache()
        sms = self.segment.copy({'channel': 'sms'})
        with self.assertRaisesRegex(UserError, 'for email'):
            sms.action_create_mailing_list()

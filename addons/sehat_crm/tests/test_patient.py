from odoo.exceptions import ValidationError

from .common import SehatCase


class TestPatient(SehatCase):

    def test_new_patient_gets_id_and_normalised_phone(self):
        patient = self.env['res.partner'].sudo(self.rep).create({
            'name': 'Lakshmi Krishnan', 'is_patient': True, 'mobile': '098450 12345'})
        self.assertTrue(patient.patient_ref.startswith('PAT-'))
        self.assertEqual(patient.phone_e164, '+919845012345')

    def test_patient_ids_are_unique_and_sequential(self):
        Partner = self.env['res.partner']
        first = Partner.create({'name': 'A', 'is_patient': True})
        second = Partner.create({'name': 'B', 'is_patient': True})
        self.assertNotEqual(first.patient_ref, second.patient_ref)

    def test_invalid_phone_is_refused_and_nothing_is_saved(self):
        Partner = self.env['res.partner']
        before = Partner.search_count([('name', '=', 'Bad Phone')])
        with self.assertRaises(ValidationError) as err:
            with self.env.cr.savepoint():
                Partner.create({'name': 'Bad Phone', 'is_patient': True, 'mobile': '12345'})
        self.assertIn('not a valid phone number', str(err.exception))
        self.assertEqual(Partner.search_count([('name', '=', 'Bad Phone')]), before)

    def test_existing_patient_keeps_a_valid_phone(self):
        patient = self.env['res.partner'].create({
            'name': 'Imran Qureshi', 'is_patient': True, 'mobile': '+91 98765 43210'})
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                patient.write({'mobile': 'call me'})
        self.assertEqual(patient.mobile, '+91 98765 43210')

    def test_contact_becoming_patient_gets_an_id(self):
        contact = self.env['res.partner'].create({'name': 'Joseph Fernandes'})
        self.assertFalse(contact.patient_ref)
        contact.is_patient = True
        self.assertTrue(contact.patient_ref)

    def test_stock_contacts_are_not_checked(self):
        # Suppliers and other contacts keep Odoo's free-text phone behaviour.
        supplier = self.env['res.partner'].create({'name': 'Oxygen Supplier', 'phone': 'ext. 42'})
        self.assertFalse(supplier.phone_e164)

    def test_phone_search_finds_any_format(self):
        self.env['res.partner'].create({'name': 'Rekha Chawla', 'is_patient': True, 'mobile': '97390 11111'})
        found = self.env['res.partner'].search([('phone_e164', '=', '+919739011111')])
        self.assertEqual(found.mapped('name'), ['Rekha Chawla'])

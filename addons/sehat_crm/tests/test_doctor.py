from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .common import SehatCase


class TestDoctor(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(TestDoctor, cls).setUpClass()
        cls.cardiology = cls.env.ref('sehat_crm.specialty_card')
        Doctor = cls.env['sehat.doctor']
        cls.own = Doctor.create({
            'name': 'Dr. Own Profile', 'user_id': cls.doctor_user.id,
            'specialty_ids': [(6, 0, cls.cardiology.ids)], 'registration_number': 'T-1001'})
        cls.other = Doctor.create({'name': 'Dr. Someone Else', 'registration_number': 'T-1002'})

    def test_doctor_is_a_contact(self):
        self.assertEqual(self.own.partner_id.name, 'Dr. Own Profile')
        self.assertIn(self.own, self.cardiology.doctor_ids)

    def test_registration_number_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger('odoo.sql_db'):
            with self.env.cr.savepoint():
                self.env['sehat.doctor'].create({'name': 'Dr. Copy', 'registration_number': 'T-1001'})

    def test_doctor_edits_own_profile_only(self):
        self.own.sudo(self.doctor_user).write({'qualification': 'MBBS, MD, DM'})
        self.assertEqual(self.own.qualification, 'MBBS, MD, DM')
        with self.assertRaises(AccessError):
            self.other.sudo(self.doctor_user).write({'qualification': 'forged'})

    def test_call_centre_reads_but_cannot_edit_doctors(self):
        self.assertTrue(self.other.sudo(self.rep).name)
        with self.assertRaises(AccessError):
            self.other.sudo(self.rep).write({'qualification': 'forged'})

    def test_manager_edits_any_doctor(self):
        self.other.sudo(self.manager).write({'qualification': 'MBBS'})
        self.assertEqual(self.other.qualification, 'MBBS')

    def test_public_and_portal_cannot_read_doctors_directory(self):
        for user in (self.public, self.portal):
            with self.assertRaises(AccessError):
                self.env['sehat.doctor'].sudo(user).search([])

"""Two call-centre agents book the same slot of the same doctor at the same moment, in two real
transactions (as on two Odoo workers): exactly one appointment, the other agent gets a clear error."""
import threading
from datetime import datetime, timedelta

from psycopg2 import OperationalError

import odoo
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests.common import TransactionCase, at_install, post_install

REGISTRATION = 'RACE-REG-1'


@at_install(False)
@post_install(True)
class TestBookingRace(TransactionCase):

    def setUp(self):
        super(TestBookingRace, self).setUp()
        self._cleanup()
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tracking_disable': True})
            hours = env['resource.calendar'].create({
                'name': 'Race hours', 'attendance_ids': [(5, 0, 0)] + [
                    (0, 0, {'name': 'd', 'dayofweek': str(d), 'hour_from': 0, 'hour_to': 24}) for d in range(7)]})
            doctor = env['sehat.doctor'].create({
                'name': 'Dr. Race', 'registration_number': REGISTRATION, 'resource_calendar_id': hours.id,
                'calendar_tz': 'UTC', 'slot_minutes': 30})
            doctor.action_verify_registration()
            patients = [env['res.partner'].create({'name': 'Race patient %d' % n, 'is_patient': True}).id
                        for n in (1, 2)]
            cr.commit()  # pylint: disable=invalid-commit  (two real transactions are the point)
            self.doctor_id, self.patient_ids = doctor.id, patients
        self.start = (datetime.utcnow() + timedelta(days=2)).replace(hour=11, minute=0, second=0, microsecond=0)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            doctors = env['sehat.doctor'].with_context(active_test=False).search(
                [('registration_number', '=', REGISTRATION)])
            events = env['calendar.event'].with_context(active_test=False).search([('doctor_id', 'in', doctors.ids)])
            partners = events.mapped('patient_id') | env['res.partner'].search([('name', 'like', 'Race patient')])
            events.unlink()
            calendars = doctors.mapped('resource_calendar_id')
            products = doctors.mapped('fee_product_id')
            doctor_partners = doctors.mapped('partner_id')
            doctors.unlink()
            env['sehat.lifecycle.history'].search([('partner_id', 'in', partners.ids)]).unlink()
            (partners | doctor_partners).unlink()
            products.unlink()
            calendars.unlink()

    def _book(self, cr, patient_id):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tracking_disable': True, 'no_mail_to_attendees': True})
        return env['calendar.event'].create({
            'doctor_id': self.doctor_id, 'patient_id': patient_id, 'start': fields.Datetime.to_string(self.start),
            'stop': fields.Datetime.to_string(self.start + timedelta(minutes=30))}).id

    def test_two_workers_same_slot_one_wins(self):
        first_booked = threading.Event()
        release_first = threading.Event()
        results, errors = {}, []

        def first():
            with odoo.api.Environment.manage(), self.registry.cursor() as cr:
                results['first'] = self._book(cr, self.patient_ids[0])
                first_booked.set()
                release_first.wait(30)
                cr.commit()  # pylint: disable=invalid-commit

        def second():
            first_booked.wait(30)
            with odoo.api.Environment.manage():
                for _attempt in range(5):  # Odoo's dispatcher retries serialization failures
                    try:
                        with self.registry.cursor() as cr:
                            results['second'] = self._book(cr, self.patient_ids[1])
                            cr.commit()  # pylint: disable=invalid-commit
                        return
                    except OperationalError as err:
                        errors.append(err.pgcode)
                    except ValidationError as err:
                        errors.append(str(err))
                        return

        one, two = threading.Thread(target=first), threading.Thread(target=second)
        one.start()
        two.start()
        first_booked.wait(30)
        two.join(1)
        self.assertTrue(two.is_alive(), 'the second booking must wait for the first transaction')
        release_first.set()
        one.join(30)
        two.join(30)
        self.assertIn('first', results)
        self.assertNotIn('second', results, 'the second booking of the same slot must fail')
        self.assertTrue(any('booked by someone else' in e or 'already has an appointment' in e
                            for e in errors if isinstance(e, str)), errors)
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM calendar_event WHERE doctor_id = %s AND appointment_state = 'booked'",
                       [self.doctor_id])
            self.assertEqual(cr.fetchone()[0], 1)

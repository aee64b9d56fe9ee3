"""Booking rules, states, reschedules, the slot finder and matching, as the call centre uses them."""
import re
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from .common import SehatCase


def ts(value):
    return fields.Datetime.to_string(value)


class AppointmentCase(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(AppointmentCase, cls).setUpClass()
        cls.hours = cls.env['resource.calendar'].create({
            'name': 'Every day 08-20 UTC',
            'attendance_ids': [(5, 0, 0)] + [
                (0, 0, {'name': 'day', 'dayofweek': str(d), 'hour_from': 8, 'hour_to': 20}) for d in range(7)],
        })
        cls.cardio = cls.env.ref('sehat_crm.specialty_card')
        cls.ortho = cls.env.ref('sehat_crm.specialty_ortho')
        cls.doctor = cls._doctor('Dr. Test Heart', cls.cardio, 'REG-T-1', gender='female', fee=1000)
        cls.doctor2 = cls._doctor('Dr. Test Bones', cls.ortho, 'REG-T-2', gender='male', fee=500)
        cls.patient = cls.env['res.partner'].create({'name': 'Test Patient', 'is_patient': True,
                                                     'mobile': '+91 90000 11111'})
        cls.patient2 = cls.env['res.partner'].create({'name': 'Other Patient', 'is_patient': True,
                                                      'mobile': '+91 90000 22222'})
        cls.Event = cls.env['calendar.event'].with_context(no_mail_to_attendees=True)
        # tomorrow 10:00 UTC: always in the future, always inside 08-20
        cls.t10 = (datetime.utcnow() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)

    @classmethod
    def _doctor(cls, name, specialty, number, gender, fee, verified=True):
        doctor = cls.env['sehat.doctor'].create({
            'name': name, 'specialty_ids': [(6, 0, specialty.ids)], 'registration_number': number,
            'resource_calendar_id': cls.hours.id, 'calendar_tz': 'UTC', 'slot_minutes': 30, 'daily_capacity': 10,
            'gender': gender, 'consultation_fee': fee})
        if verified:
            doctor.sudo(cls.manager).action_verify_registration()
        return doctor

    def book(self, start, doctor=None, patient=None, minutes=30, **extra):
        vals = dict({'doctor_id': (doctor or self.doctor).id, 'patient_id': (patient or self.patient).id,
                     'start': ts(start), 'stop': ts(start + timedelta(minutes=minutes))}, **extra)
        return self.Event.create(vals)


class TestDoctorProfile(AppointmentCase):

    def test_fee_lives_on_a_consultation_product(self):
        product = self.doctor.fee_product_id
        self.assertEqual(product.type, 'service')
        self.assertEqual(product.list_price, 1000)
        self.doctor.consultation_fee = 1500
        self.assertEqual(product.list_price, 1500)

    def test_verification_is_for_managers_and_reset_by_a_new_number(self):
        self.assertEqual(self.doctor.registration_verified_by, self.manager)
        doctor = self._doctor('Dr. New', self.cardio, 'REG-T-9', 'male', 100, verified=False)
        with self.assertRaises(Exception):
            doctor.sudo(self.rep).action_verify_registration()
        doctor.sudo(self.manager).action_verify_registration()
        self.assertTrue(doctor.registration_verified)
        doctor.registration_number = 'REG-T-10'
        self.assertFalse(doctor.registration_verified, 'a changed number must be verified again')

    def test_registration_number_is_unique(self):
        with self.assertRaises(Exception), self.cr.savepoint(), mute_logger('odoo.sql_db'):
            self._doctor('Dr. Copy', self.cardio, 'REG-T-1', 'male', 100, verified=False)

    def test_rating_comes_from_reviews(self):
        Review = self.env['sehat.doctor.review']
        Review.create({'doctor_id': self.doctor.id, 'rating': 5, 'source': 'survey'})
        Review.create({'doctor_id': self.doctor.id, 'rating': 4, 'source': 'survey'})
        self.assertAlmostEqual(self.doctor.rating, 4.5)
        self.assertEqual(self.doctor.rating_count, 2)
        with self.assertRaises(Exception), self.cr.savepoint(), mute_logger('odoo.sql_db'):
            Review.create({'doctor_id': self.doctor.id, 'rating': 6})


class TestBookingRules(AppointmentCase):

    def test_booking_puts_both_on_the_calendar_and_makes_a_customer(self):
        lead = self.env['crm.lead'].create({'name': 'enquiry', 'type': 'lead', 'partner_id': self.patient.id})
        event = self.book(self.t10, specialty_id=self.cardio.id, lead_id=lead.id)
        self.assertEqual(event.appointment_state, 'booked')
        self.assertEqual(event.partner_ids, self.patient | self.doctor.partner_id)
        self.assertIn('Test Patient', event.name)
        self.assertEqual(self.patient.lifecycle_stage, 'customer')
        self.assertEqual(lead.type, 'opportunity')
        self.assertEqual(lead.probability, 100)

    def assertRefused(self, message, call):
        before = self.Event.search_count([('doctor_id', '!=', False)])
        with self.assertRaisesRegex(ValidationError, message):
            call()
        self.assertEqual(self.Event.search_count([('doctor_id', '!=', False)]), before, 'nothing may be saved')

    def test_overlap_for_the_doctor(self):
        self.book(self.t10)
        self.assertRefused('already has an appointment',
                           lambda: self.book(self.t10 + timedelta(minutes=15), patient=self.patient2))
        # the taken time is named as the doctor's patients read it, in the doctor's time zone
        taken = self.doctor.sehat_local_time(self.t10)
        self.assertRegex(taken, r'^\w{3} \d{2} \w{3} \d{4}, \d{2}:\d{2}$')
        self.assertRefused(re.escape('at %s.' % taken),
                           lambda: self.book(self.t10 + timedelta(minutes=15), patient=self.patient2))

    def test_touching_appointments_are_fine(self):
        self.book(self.t10)
        self.book(self.t10 + timedelta(minutes=30), patient=self.patient2)

    def test_overlap_for_the_patient(self):
        self.book(self.t10)
        self.assertRefused('already has an appointment at that time', lambda: self.book(self.t10, doctor=self.doctor2))

    def test_outside_working_hours(self):
        self.assertRefused('does not consult at that time', lambda: self.book(self.t10.replace(hour=19, minute=45)))
        self.assertRefused('does not consult at that time', lambda: self.book(self.t10.replace(hour=6)))

    def test_in_the_past(self):
        self.assertRefused('in the past', lambda: self.book(self.t10 - timedelta(days=2)))

    def test_unverified_doctor(self):
        doctor = self._doctor('Dr. Pending', self.cardio, 'REG-T-3', 'male', 100, verified=False)
        self.assertRefused('not verified', lambda: self.book(self.t10, doctor=doctor))

    def test_wrong_specialty(self):
        self.assertRefused('does not practise', lambda: self.book(self.t10, specialty_id=self.ortho.id))

    def test_not_a_patient(self):
        someone = self.env['res.partner'].create({'name': 'Visitor'})
        self.assertRefused('not registered as a patient', lambda: self.book(self.t10, patient=someone))

    def test_daily_capacity(self):
        self.doctor.daily_capacity = 2
        self.book(self.t10)
        self.book(self.t10 + timedelta(hours=1), patient=self.patient2)
        third = self.env['res.partner'].create({'name': 'Third', 'is_patient': True})
        self.assertRefused('fully booked', lambda: self.book(self.t10 + timedelta(hours=2), patient=third))

    def test_database_refuses_an_overlap_python_did_not_see(self):
        """The exclusion constraint holds even when the Python check is skipped."""
        self.book(self.t10)
        with self.assertRaises(Exception) as caught, self.cr.savepoint():
            self.cr.execute("""
                INSERT INTO calendar_event (name, start, stop, doctor_id, patient_id, appointment_state, active,
                                            privacy, show_as, duration, allday)
                VALUES ('sneaky', %s, %s, %s, %s, 'booked', true, 'public', 'busy', 0.5, false)
            """, (ts(self.t10 + timedelta(minutes=10)), ts(self.t10 + timedelta(minutes=40)), self.doctor.id,
                  self.patient2.id), log_exceptions=False)
        self.assertEqual(getattr(caught.exception, 'pgcode', None), '23P01')

    def test_reschedule_keeps_history_and_checks_again(self):
        event = self.book(self.t10)
        other = self.book(self.t10 + timedelta(hours=2), patient=self.patient2)
        event.with_context(sehat_reschedule_reason='Patient asked').write({
            'start': ts(self.t10 + timedelta(hours=1)), 'stop': ts(self.t10 + timedelta(hours=1, minutes=30))})
        self.assertEqual(len(event.reschedule_ids), 1)
        self.assertEqual(event.reschedule_ids.old_start, ts(self.t10))
        self.assertEqual(event.reschedule_ids.reason, 'Patient asked')
        with self.assertRaisesRegex(ValidationError, 'already has an appointment'):
            event.write({'start': other.start, 'stop': other.stop})
        self.assertEqual(event.start, ts(self.t10 + timedelta(hours=1)), 'a refused move changes nothing')
        self.assertEqual(len(event.reschedule_ids), 1)


class TestAppointmentStates(AppointmentCase):

    def test_visit_flow_to_done(self):
        event = self.book(self.t10)
        event.action_appointment_confirm()
        event.action_appointment_check_in()
        event.action_appointment_start()
        event.action_appointment_done()
        self.assertEqual(event.appointment_state, 'done')
        with self.assertRaisesRegex(UserError, 'cannot cancel an appointment that is Done'):
            event.action_appointment_cancel(reason='too late')

    def test_cancel_needs_a_reason_and_frees_the_slot(self):
        event = self.book(self.t10)
        with self.assertRaisesRegex(UserError, 'reason'):
            event.action_appointment_cancel()
        self.env['sehat.appointment.cancel'].create({'event_id': event.id, 'reason': 'Feeling better'}).action_cancel()
        self.assertEqual(event.appointment_state, 'cancelled')
        self.assertEqual(event.cancel_reason, 'Feeling better')
        self.book(self.t10, patient=self.patient2)  # the slot is free again

    def test_no_show_only_after_the_start(self):
        event = self.book(self.t10)
        with self.assertRaisesRegex(UserError, 'not started yet'):
            event.action_appointment_no_show()

    def test_done_visits_feed_the_loyal_rule(self):
        self.env['ir.config_parameter'].sudo().set_param('sehat_crm.loyal_visits', 2)
        Event = self.Event.with_context(sehat_record_past=True)
        for days in (10, 20):
            start = (datetime.utcnow() - timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
            event = Event.create({'doctor_id': self.doctor.id, 'patient_id': self.patient.id, 'start': ts(start),
                                  'stop': ts(start + timedelta(minutes=30))})
            event.action_appointment_check_in()
            event.action_appointment_done()
        cancelled_start = (datetime.utcnow() - timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
        Event.create({'doctor_id': self.doctor.id, 'patient_id': self.patient2.id, 'start': ts(cancelled_start),
                      'stop': ts(cancelled_start + timedelta(minutes=30))}).action_appointment_cancel(reason='x')
        self.env['res.partner'].sehat_lifecycle_cron()
        self.assertEqual(self.patient.lifecycle_stage, 'loyal')
        self.assertEqual(self.patient2.lifecycle_stage, 'customer', 'a cancelled visit is not a visit')

    def test_only_managers_record_past_visits(self):
        start = self.t10 - timedelta(days=3)
        with self.assertRaisesRegex(ValidationError, 'in the past'):
            self.Event.sudo(self.rep).with_context(sehat_record_past=True).create({
                'doctor_id': self.doctor.id, 'patient_id': self.patient.id, 'start': ts(start),
                'stop': ts(start + timedelta(minutes=30))})


class TestSlotsAndMatching(AppointmentCase):

    def test_free_slots_skip_booked_times_and_reappear_on_cancel(self):
        start = self.t10.replace(hour=8)
        slots = self.doctor.sehat_free_slots(days=1, start=start, limit=6)
        self.assertEqual(slots[0].start, start)
        self.assertEqual([s.start for s in slots][:3],
                         [start, start + timedelta(minutes=30), start + timedelta(hours=1)])
        event = self.book(start + timedelta(minutes=30))
        slots = self.doctor.sehat_free_slots(days=1, start=start, limit=3)
        self.assertNotIn(start + timedelta(minutes=30), [s.start for s in slots])
        event.action_appointment_cancel(reason='x')
        slots = self.doctor.sehat_free_slots(days=1, start=start, limit=3)
        self.assertIn(start + timedelta(minutes=30), [s.start for s in slots])

    def test_calendar_leave_blocks_slots(self):
        day = self.t10.replace(hour=0)
        self.env['resource.calendar.leaves'].create({
            'name': 'Conference', 'calendar_id': self.hours.id, 'date_from': ts(day),
            'date_to': ts(day + timedelta(days=1))})
        slots = self.doctor.sehat_free_slots(days=2, start=day, limit=1)
        self.assertGreaterEqual(slots[0].start, day + timedelta(days=1))
        self.assertRaisesRegex(ValidationError, 'does not consult', self.book, self.t10)

    def test_slot_picker_books_for_a_specialty(self):
        wizard = self.env['sehat.appointment.book'].sudo(self.rep).create({
            'patient_id': self.patient.id, 'specialty_id': self.ortho.id, 'days': 3})
        wizard.action_find_slots()
        self.assertTrue(wizard.slot_ids)
        self.assertIn(self.doctor2, wizard.slot_ids.mapped('doctor_id'))
        self.assertEqual(wizard.slot_ids.mapped('doctor_id').mapped('specialty_ids') & self.ortho, self.ortho)
        action = wizard.slot_ids.filtered(lambda s: s.doctor_id == self.doctor2)[0].action_book()
        event = self.env['calendar.event'].browse(action['res_id'])
        self.assertEqual(event.doctor_id, self.doctor2)
        self.assertEqual(event.create_uid, self.rep)

    def test_matching_ranks_the_specialist_first_and_explains(self):
        lead = self.env['crm.lead'].create({
            'name': 'chest pain', 'type': 'lead', 'partner_id': self.patient.id, 'user_id': self.rep.id,
            'symptom_ids': [(6, 0, self.env.ref('sehat_crm.symptom_chest_pain').ids)]})
        match = self.env['sehat.doctor.match'].sudo(self.rep).with_context(default_lead_id=lead.id).create({})
        self.assertIn(self.cardio, match.specialty_ids)
        match.action_match()
        self.assertEqual(match.line_ids[0].doctor_id, self.doctor)
        self.assertIn('(+40)', match.line_ids[0].reasons)
        self.assertNotIn(self.doctor2, match.line_ids.mapped('doctor_id'))
        # a gender preference the cardiologist does not meet: she is not proposed, and the form says why
        match.gender = 'male'
        with self.assertRaises(UserError):
            match.action_match()
        match.gender = False
        match.fee_cap = 800
        with self.assertRaises(UserError):
            match.action_match()
        self.assertIn('Dr. Test Heart', match.sehat_rank()[1])

    def test_book_from_a_match_line(self):
        lead = self.env['crm.lead'].create({
            'name': 'knee', 'type': 'lead', 'partner_id': self.patient.id,
            'symptom_ids': [(6, 0, self.env.ref('sehat_crm.symptom_chest_pain').ids)]})
        match = self.env['sehat.doctor.match'].with_context(default_lead_id=lead.id).create({})
        match.action_match()
        action = match.line_ids[0].action_book()
        book = self.env['sehat.appointment.book'].browse(action['res_id'])
        self.assertEqual(book.doctor_id, self.doctor)
        self.assertEqual(book.lead_id, lead)
        book.slot_ids[0].action_book()
        self.assertEqual(self.patient.lifecycle_stage, 'customer')

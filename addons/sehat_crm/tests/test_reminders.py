"""Reminders: due ones go out once, by email and SMS, with signed confirm / cancel links."""
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

from odoo import fields
from odoo.exceptions import ValidationError

from .test_appointment import AppointmentCase


class TestReminders(AppointmentCase):

    @classmethod
    def setUpClass(cls):
        super(TestReminders, cls).setUpClass()
        cls.hours.attendance_ids = [(5, 0, 0)] + [
            (0, 0, {'name': 'all day', 'dayofweek': str(d), 'hour_from': 0, 'hour_to': 24}) for d in range(7)]
        cls.patient.email = 'test.patient@example.in'
        cls.rule_24h = cls.env.ref('sehat_crm.reminder_rule_24h')
        cls.rule_2h = cls.env.ref('sehat_crm.reminder_rule_2h')
        cls.now = datetime.utcnow().replace(microsecond=0)

    def in_hours(self, hours, **kw):
        start = (self.now + timedelta(hours=hours)).replace(second=0)
        return self.book(start, **kw)

    def send(self):
        return self.env['calendar.event'].sehat_send_reminders(now=self.now)

    def test_day_before_goes_by_email_and_sms_once(self):
        event = self.in_hours(20)
        self.send()
        reminder = event.reminder_ids
        self.assertEqual(len(reminder), 1)
        self.assertEqual((reminder.rule_id, reminder.state), (self.rule_24h, 'sent'))
        self.assertIn('/sehat/appointment/%d/confirm?token=' % event.id, reminder.mail_id.body_html)
        self.assertEqual(reminder.mail_id.recipient_ids, self.patient)
        sms = reminder.sms_id
        self.assertEqual(sms.number, '+919000011111')
        self.assertEqual((sms.res_model, sms.res_id), ('calendar.event', event.id))
        self.assertEqual(sms.state, 'sent', 'the log-only gateway records the message as sent')
        self.assertIn('Dr. Test Heart', sms.body)
        self.send()
        self.assertEqual(len(event.reminder_ids), 1, 'a reminder goes out once')

    def test_booked_late_gets_only_the_closest_reminder(self):
        event = self.in_hours(1)
        self.send()
        states = {r.rule_id: r.state for r in event.reminder_ids}
        self.assertEqual(states, {self.rule_2h: 'sent', self.rule_24h: 'skipped'})
        two_hours = event.reminder_ids.filtered(lambda r: r.rule_id == self.rule_2h)
        self.assertFalse(two_hours.mail_id, 'the 2 h rule is SMS only')

    def test_not_yet_due_cancelled_and_unreachable(self):
        later = self.in_hours(48)
        cancelled = self.in_hours(3, patient=self.patient2)
        cancelled.action_appointment_cancel(reason='x')
        nobody = self.env['res.partner'].create({'name': 'No Contact', 'is_patient': True})
        unreachable = self.in_hours(5, patient=nobody, doctor=self.doctor2)
        self.send()
        self.assertFalse(later.reminder_ids)
        self.assertFalse(cancelled.reminder_ids)
        self.assertEqual(unreachable.reminder_ids.state, 'failed')
        self.assertIn('no email address', unreachable.reminder_ids.note)
        self.assertIn('no phone number', unreachable.reminder_ids.note)

    def test_links_are_signed_per_appointment_and_action(self):
        event = self.in_hours(30)
        other = self.in_hours(30, patient=self.patient2, doctor=self.doctor2)
        token = parse_qs(urlparse(event.sehat_link('cancel')).query)['token'][0]
        self.assertTrue(event.sehat_check_link('cancel', token))
        self.assertFalse(event.sehat_check_link('confirm', token))
        self.assertFalse(other.sehat_check_link('cancel', token))
        self.assertFalse(event.sehat_check_link('cancel', token[:-2] + 'zz'))

    def test_patient_cancelling_frees_the_slot_and_tells_the_call_centre(self):
        lead = self.env['crm.lead'].create({'name': 'e', 'type': 'lead', 'partner_id': self.patient2.id,
                                            'user_id': self.rep.id})
        event = self.in_hours(30, patient=self.patient2, lead_id=lead.id)
        event.sehat_cancel_by_patient()
        self.assertEqual(event.appointment_state, 'cancelled')
        activity = self.env['mail.activity'].search([('res_model', '=', 'calendar.event'), ('res_id', '=', event.id)])
        self.assertEqual(activity.user_id, self.rep)
        self.assertIn('offer another slot', activity.summary)
        self.book(fields.Datetime.from_string(event.start), patient=self.patient)  # the slot is free again

    def test_rules_are_validated(self):
        with self.assertRaises(ValidationError):
            self.rule_2h.hours_before = 0
        with self.assertRaises(ValidationError):
            self.rule_2h.write({'send_email': False, 'send_sms': False})

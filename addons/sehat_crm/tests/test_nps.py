"""NPS after visits: one survey per visit, answers scored and linked, detractors recovered."""
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError

from .test_appointment import AppointmentCase, ts


class TestNps(AppointmentCase):

    @classmethod
    def setUpClass(cls):
        super(TestNps, cls).setUpClass()
        cls.patient.email = 'nps.patient@example.in'
        cls.patient2.email = 'nps.other@example.in'
        cls.Response = cls.env['sehat.nps.response']
        cls.score_question = cls.env.ref('sehat_crm.nps_question_score')
        cls.comment_question = cls.env.ref('sehat_crm.nps_question_comment')
        cls.campaign = cls.env['utm.campaign'].create({'name': 'Heart camp'})

    def visit(self, patient=None, days_ago=1, hour=9):
        start = (datetime.utcnow() - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
        lead = self.env['crm.lead'].create({'name': 'e', 'type': 'lead', 'partner_id': (patient or self.patient).id,
                                            'campaign_id': self.campaign.id})
        event = self.Event.with_context(sehat_record_past=True).create({
            'doctor_id': self.doctor.id, 'patient_id': (patient or self.patient).id, 'start': ts(start),
            'stop': ts(start + timedelta(minutes=30)), 'lead_id': lead.id})
        event.action_appointment_check_in()
        event.action_appointment_done()
        return event

    def send(self):
        return self.Response.sehat_send_surveys(now=datetime.utcnow())

    def answer(self, response, score, comment=''):
        label = self.score_question.labels_ids.filtered(lambda l: l.quizz_mark == score)
        answer = response.user_input_id
        self.env['survey.user_input_line'].create({
            'user_input_id': answer.id, 'question_id': self.score_question.id, 'survey_id': answer.survey_id.id,
            'answer_type': 'suggestion', 'value_suggested': label.id})
        if comment:
            self.env['survey.user_input_line'].create({
                'user_input_id': answer.id, 'question_id': self.comment_question.id,
                'survey_id': answer.survey_id.id, 'answer_type': 'free_text', 'value_free_text': comment})
        answer.write({'state': 'done'})

    def test_one_survey_per_visit_with_a_tokenised_link(self):
        event = self.visit()
        self.send()
        response = self.Response.search([('event_id', '=', event.id)])
        self.assertEqual(len(response), 1)
        self.assertEqual((response.patient_id, response.doctor_id, response.campaign_id),
                         (self.patient, self.doctor, self.campaign))
        self.assertIn('/survey/start/', response.survey_url())
        self.assertIn(response.user_input_id.token, response.survey_url())
        mail = self.env['mail.mail'].search([('model', '=', 'sehat.nps.response'), ('res_id', '=', response.id)])
        self.assertIn(response.user_input_id.token, mail.body_html)
        self.send()
        self.assertEqual(self.Response.search_count([('event_id', '=', event.id)]), 1, 'at most one per visit')

    def test_only_done_visits_after_the_delay(self):
        start = (datetime.utcnow() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        upcoming = self.book(start, patient=self.patient2)
        visit = self.visit(days_ago=3)
        stop = fields.Datetime.from_string(visit.stop)
        self.Response.sehat_send_surveys(now=stop + timedelta(hours=1))
        self.assertFalse(self.Response.search([('event_id', '=', visit.id)]), 'the delay (2 h) has not passed')
        self.Response.sehat_send_surveys(now=stop + timedelta(hours=3))
        self.assertTrue(self.Response.search([('event_id', '=', visit.id)]))
        self.assertFalse(self.Response.search([('event_id', '=', upcoming.id)]), 'not a done visit')

    def test_answers_give_score_category_and_doctor_rating(self):
        event = self.visit()
        self.send()
        response = self.Response.search([('event_id', '=', event.id)])
        self.answer(response, 10, 'Very kind doctor')
        self.assertEqual((response.state, response.score, response.category, response.comment),
                         ('answered', 10, 'promoter', 'Very kind doctor'))
        self.assertEqual(self.doctor.rating, 5.0)
        self.assertEqual(self.doctor.review_ids.source, 'survey')
        self.assertFalse(response.recovery_task_id)

    def test_detractor_opens_a_recovery_task_due_in_24_hours(self):
        event = self.visit()
        self.send()
        response = self.Response.search([('event_id', '=', event.id)])
        self.answer(response, 3, 'Waited two hours')
        task = response.recovery_task_id
        self.assertEqual(task.project_id, self.env.ref('sehat_crm.project_service_recovery'))
        self.assertIn('Waited two hours', task.description)
        due = fields.Datetime.from_string(task.sehat_recovery_due)
        self.assertAlmostEqual((due - datetime.utcnow()).total_seconds() / 3600, 24, delta=0.1)
        task.write({'stage_id': self.env.ref('sehat_crm.task_stage_recovered').id})
        self.assertTrue(task.sehat_recovery_closed)
        self.assertTrue(task.sehat_recovery_on_time)

    def test_nps_by_doctor_from_the_report(self):
        scores = [10, 9, 8, 7, 6, 0]
        for day, score in enumerate(scores, 1):
            event = self.visit(patient=self.patient if day % 2 else self.patient2, days_ago=day)
            self.send()
            self.answer(self.Response.search([('event_id', '=', event.id)]), score)
        unanswered = self.visit(days_ago=8)
        self.send()
        self.assertTrue(self.Response.search([('event_id', '=', unanswered.id)]))
        result = self.env['sehat.nps.report'].sehat_nps([('doctor_id', '=', self.doctor.id)])
        self.assertEqual((result.promoters, result.passives, result.detractors), (2, 2, 2))
        self.assertEqual(result.nps, 0.0)
        self.assertEqual(result.response_rate, round(600 / 7.0, 1))
        groups = self.env['sehat.nps.report'].read_group([('doctor_id', '=', self.doctor.id)],
                                                         ['doctor_id', 'nps', 'response_rate'], ['doctor_id'])
        self.assertAlmostEqual(groups[0]['nps'], 0.0)
        self.assertAlmostEqual(groups[0]['response_rate'], 600 / 7.0, places=3)

    def test_call_centre_cannot_change_answers(self):
        event = self.visit()
        self.send()
        response = self.Response.search([('event_id', '=', event.id)])
        with self.assertRaises(AccessError):
            response.sudo(self.rep).write({'score': 10})
        with self.assertRaises(AccessError):
            response.sudo(self.portal).read(['score'])

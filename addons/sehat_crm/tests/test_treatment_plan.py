"""Treatment plans become dated follow-up tasks: generation, horizon, idempotency, rescheduling,
closing, fulfilment by a visit, overdue, adherence, bad input and who sees what."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .test_appointment import AppointmentCase


class PlanCase(AppointmentCase):

    @classmethod
    def setUpClass(cls):
        super(PlanCase, cls).setUpClass()
        cls.env['ir.config_parameter'].sudo().set_param('sehat_crm.plan_horizon_days', 90)
        cls.today = fields.Date.from_string(fields.Date.context_today(cls.env['res.partner']))
        cls.service = cls.env.ref('sehat_crm.product_bp_review')
        cls.Plan = cls.env['sehat.treatment.plan']

    def plan(self, start=None, interval=30, unit='days', count=5, lead=7, end=None, **extra):
        vals = dict({
            'name': 'BP follow-up', 'patient_id': self.patient.id, 'doctor_id': self.doctor.id,
            'start_date': fields.Date.to_string(start or self.today),
            'line_ids': [(0, 0, {'product_id': self.service.id, 'interval_number': interval, 'interval_unit': unit,
                                 'occurrences': count, 'lead_days': lead,
                                 'end_date': fields.Date.to_string(end) if end else False})],
        }, **extra)
        return self.Plan.create(vals)

    def tasks(self, plan):
        return self.env['project.task'].search([('sehat_plan_id', '=', plan.id)], order='sehat_occurrence')


class TestGeneration(PlanCase):

    def test_activation_creates_the_tasks_inside_the_horizon(self):
        plan = self.plan()
        plan.action_activate()
        tasks = self.tasks(plan)
        self.assertEqual(tasks.mapped('sehat_occurrence'), [1, 2, 3], '30, 60 and 90 days: inside 90 days')
        first = tasks[0]
        due = self.today + timedelta(days=30)
        self.assertEqual(first.sehat_due_date, fields.Date.to_string(due))
        self.assertEqual(first.date_deadline, fields.Date.to_string(due - timedelta(days=7)), 'call a week before')
        self.assertEqual(first.project_id, self.env.ref('sehat_crm.project_patient_followups'))
        self.assertEqual(first.stage_id, self.env.ref('sehat_crm.task_stage_to_call'))
        self.assertEqual(first.partner_id, self.patient)
        self.assertIn('Blood pressure review #1', first.name)
        self.assertEqual(plan.line_ids.next_due_date, fields.Date.to_string(self.today + timedelta(days=120)))

    def test_horizon_extension_and_idempotency(self):
        plan = self.plan()
        plan.action_activate()
        Line = self.env['sehat.treatment.plan.line']
        self.assertEqual(Line.sehat_generate(plan.line_ids), 0, 'generating again creates nothing')
        self.Plan.sehat_extend_horizon()
        self.assertEqual(len(self.tasks(plan)), 3, 'nothing new inside the same horizon')
        self.env['ir.config_parameter'].sudo().set_param('sehat_crm.plan_horizon_days', 400)
        self.assertGreaterEqual(self.Plan.sehat_extend_horizon(), 2)
        self.assertEqual(self.tasks(plan).mapped('sehat_occurrence'), [1, 2, 3, 4, 5])
        self.assertFalse(plan.line_ids.next_due_date, 'every occurrence has its task')
        self.assertEqual(self.Plan.sehat_extend_horizon(), 0, 'the daily job with nothing to do')

    def test_chatter_tracks_a_doctor_activation_not_a_bulk_import(self):
        plan = self.plan().with_context(tracking_disable=False)
        plan.action_activate()
        self.assertTrue(plan.message_ids.mapped('tracking_value_ids'), 'the plan says when it became active')
        plans = self.Plan.browse([self.plan().id for _n in range(101)]).with_context(tracking_disable=False)
        plans.action_activate()
        self.assertEqual(set(plans.mapped('state')), {'active'})
        self.assertFalse(plans.mapped('message_ids').mapped('tracking_value_ids'))
        self.assertEqual(self.env['project.task'].search_count([('sehat_plan_id', 'in', plans.ids)]), 303)

    def test_template_fills_the_plan(self):
        template = self.env.ref('sehat_crm.plan_template_diabetes')
        plan = self.Plan.create({'patient_id': self.patient.id, 'doctor_id': self.doctor.id,
                                 'template_id': template.id})
        self.assertEqual(plan.name, template.name)
        self.assertEqual(plan.condition_id, self.env.ref('sehat_crm.condition_diabetes'))
        self.assertEqual(len(plan.line_ids), 2)
        self.env['ir.config_parameter'].sudo().set_param('sehat_crm.plan_horizon_days', 400)
        plan.action_activate()
        self.assertEqual(len(self.tasks(plan)), 5, '4 quarterly reviews and 1 yearly exam inside 400 days')

    def test_end_date_limits_the_occurrences(self):
        plan = self.plan(count=0, end=self.today + timedelta(days=65))
        plan.action_activate()
        self.assertEqual(self.tasks(plan).mapped('sehat_occurrence'), [1, 2])


class TestChanges(PlanCase):

    def test_editing_a_line_reschedules_open_future_tasks(self):
        plan = self.plan()
        plan.action_activate()
        plan.line_ids.write({'interval_number': 20})
        tasks = self.tasks(plan)
        self.assertEqual(tasks.mapped('sehat_due_date'), [
            fields.Date.to_string(self.today + timedelta(days=d)) for d in (20, 40, 60, 80)])
        self.assertEqual(tasks.mapped('sehat_occurrence'), [1, 2, 3, 4], 'the 4th now falls inside the horizon')
        plan.line_ids.write({'occurrences': 2})
        tasks = self.tasks(plan)
        open_tasks = tasks.filtered(lambda t: not t.sehat_close_reason)
        self.assertEqual(open_tasks.mapped('sehat_occurrence'), [1, 2])
        closed = tasks - open_tasks
        self.assertTrue(all('No longer in the plan' in t.sehat_close_reason for t in closed))
        self.assertEqual(closed.mapped('stage_id'), self.env.ref('sehat_crm.task_stage_cancelled'))

    def test_cancelling_closes_open_tasks_with_the_reason(self):
        plan = self.plan()
        plan.action_activate()
        with self.assertRaisesRegex(UserError, 'reason'):
            plan.action_cancel()
        self.env['sehat.treatment.plan.cancel'].create({'plan_id': plan.id, 'reason': 'Moved to another city'}) \
            .action_cancel()
        self.assertEqual(plan.state, 'cancelled')
        self.assertEqual(set(self.tasks(plan).mapped('sehat_close_reason')), {'Moved to another city'})
        self.assertEqual(self.env['sehat.treatment.plan.line'].sehat_generate(plan.line_ids), 0,
                         'a closed plan generates nothing')

    def test_completing_closes_open_tasks(self):
        plan = self.plan()
        plan.action_activate()
        plan.action_complete()
        self.assertEqual(set(self.tasks(plan).mapped('sehat_close_reason')), {'Plan completed'})


class TestFulfilment(PlanCase):

    def test_book_from_the_task_then_the_visit_fulfils_it(self):
        plan = self.plan(start=self.t10.date() - timedelta(days=30), interval=30, lead=0)
        plan.action_activate()
        task = self.tasks(plan)[0]
        action = task.sudo(self.rep).action_sehat_book()
        book = self.env['sehat.appointment.book'].browse(action['res_id'])
        self.assertEqual((book.patient_id, book.doctor_id, book.task_id), (self.patient, self.doctor, task))
        book.slot_ids[0].action_book()
        self.assertEqual(task.stage_id, self.env.ref('sehat_crm.task_stage_booked'))
        event = task.sehat_event_id
        self.assertEqual(event.patient_id, self.patient)
        event.action_appointment_check_in()
        event.action_appointment_done()
        self.assertTrue(task.sehat_fulfilled)
        self.assertEqual(task.stage_id, self.env.ref('sehat_crm.task_stage_done'))
        event.action_appointment_invoice()
        self.assertEqual(event.invoice_id.invoice_line_ids.product_id, self.service)
        self.assertEqual(event.invoice_id.partner_id, self.patient)

    def test_cancelled_visit_puts_the_task_back_to_call(self):
        plan = self.plan(start=self.t10.date() - timedelta(days=30), interval=30, lead=0)
        plan.action_activate()
        task = self.tasks(plan)[0]
        event = self.book(self.t10)
        task.sehat_link_appointment(event)
        event.action_appointment_cancel(reason='Patient travelling')
        self.assertFalse(task.sehat_event_id)
        self.assertEqual(task.stage_id, self.env.ref('sehat_crm.task_stage_to_call'))

    def test_booking_a_task_for_the_wrong_patient_is_refused(self):
        plan = self.plan()
        plan.action_activate()
        task = self.tasks(plan)[0]
        book = self.env['sehat.appointment.book'].create({
            'patient_id': self.patient2.id, 'task_id': task.id, 'doctor_id': self.doctor.id})
        book.action_find_slots()
        before = self.env['calendar.event'].search_count([])
        with self.assertRaisesRegex(UserError, 'This follow-up is for Test Patient'):
            book.slot_ids[0].action_book()
        self.assertEqual(self.env['calendar.event'].search_count([]), before)
        self.assertFalse(task.sehat_event_id)

    def test_overdue_follow_ups_get_a_stage_and_an_activity(self):
        plan = self.plan(start=self.today - timedelta(days=70), interval=30, lead=0)
        plan.action_activate()
        tasks = self.tasks(plan)
        self.assertEqual(self.env['project.task'].sehat_overdue_cron(), 2, 'due 40 and 10 days ago')
        overdue = tasks.filtered(lambda t: t.stage_id == self.env.ref('sehat_crm.task_stage_overdue'))
        self.assertEqual(overdue.mapped('sehat_occurrence'), [1, 2])
        activity = overdue[0].activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref('mail.mail_activity_data_call'))
        self.assertEqual(activity.date_deadline, fields.Date.to_string(self.today))
        self.assertIn(activity.user_id.partner_id, overdue[0].message_partner_ids, 'the caller follows the task')
        self.assertEqual(self.env['project.task'].sehat_overdue_cron(), 0, 'once')
        self.assertEqual((plan.due_count, plan.fulfilled_count, plan.adherence), (2, 0, 0.0))
        report = self.env['sehat.adherence.report'].search([('plan_id', '=', plan.id)])
        self.assertEqual(len(report), 2)


class TestPlanRules(PlanCase):

    def assertRefused(self, call, message):
        plans = self.Plan.search_count([])
        with self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():  # (as the request's rollback)
            call()
        self.assertEqual(self.Plan.search_count([]), plans)

    def test_bad_input(self):
        self.assertRefused(lambda: self.plan(interval=0), 'interval')
        self.assertRefused(lambda: self.plan(interval=-3), 'interval')
        self.assertRefused(lambda: self.plan(count=1001), 'between 1 and 1000')
        self.assertRefused(lambda: self.plan(count=0, end=self.today - timedelta(days=1)), 'before the start')
        self.assertRefused(lambda: self.plan(count=0), 'occurrences or an end date')
        visitor = self.env['res.partner'].create({'name': 'Visitor'})
        self.assertRefused(lambda: self.plan(patient_id=visitor.id), 'not registered as a patient')

    def test_activation_needs_a_draft_with_lines(self):
        plan = self.plan()
        plan.line_ids.unlink()
        with self.assertRaisesRegex(UserError, 'at least one follow-up'):
            plan.action_activate()


class TestPlanAccess(PlanCase):

    def test_call_centre_sees_the_plan_but_not_clinical_notes(self):
        plan = self.plan(diagnosis='Stage 2 hypertension', clinical_notes='ECG normal')
        plan.action_activate()
        as_rep = plan.sudo(self.rep)
        self.assertEqual(as_rep.name, 'BP follow-up')
        self.assertEqual(len(self.tasks(plan).sudo(self.rep).read(['name', 'sehat_due_date'])), 3)
        with self.assertRaises(AccessError):
            as_rep.read(['diagnosis'])
        with self.assertRaises(AccessError):
            as_rep.write({'name': 'changed'})
        self.assertEqual(plan.sudo(self.doctor_user).read(['diagnosis'])[0]['diagnosis'], 'Stage 2 hypertension')

    def test_doctor_creates_and_activates_plans(self):
        plan = self.Plan.sudo(self.doctor_user).create({
            'patient_id': self.patient.id, 'doctor_id': self.doctor.id,
            'template_id': self.env.ref('sehat_crm.plan_template_hypertension').id})
        plan.action_activate()
        self.assertEqual(plan.state, 'active')
        self.assertTrue(self.tasks(plan))

    def test_public_and_portal_see_nothing(self):
        plan = self.plan()
        for user in (self.public, self.portal):
            with self.assertRaises(AccessError):
                plan.sudo(user).read(['name'])

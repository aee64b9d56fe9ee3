"""The daily job runs on two workers at once (or a doctor activates while it runs): the same
follow-ups are generated in two real transactions, and exist once."""
import threading

from psycopg2 import OperationalError

import odoo
from odoo.tests.common import TransactionCase, at_install, post_install

REGISTRATION = 'PLAN-RACE-REG'


@at_install(False)
@post_install(True)
class TestGenerationRace(TransactionCase):

    def setUp(self):
        super(TestGenerationRace, self).setUp()
        self._cleanup()
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tracking_disable': True})
            doctor = env['sehat.doctor'].create({'name': 'Dr. Plan Race', 'registration_number': REGISTRATION})
            patient = env['res.partner'].create({'name': 'Plan race patient', 'is_patient': True})
            plan = env['sehat.treatment.plan'].create({
                'name': 'Race plan', 'patient_id': patient.id, 'doctor_id': doctor.id,
                'line_ids': [(0, 0, {'product_id': env.ref('sehat_crm.product_bp_review').id, 'interval_number': 7,
                                     'interval_unit': 'days', 'occurrences': 12, 'lead_days': 1})]})
            plan.write({'state': 'active'})  # activated without generating: the two workers will
            cr.commit()  # pylint: disable=invalid-commit  (two real transactions are the point)
            self.plan_id, self.line_id = plan.id, plan.line_ids.id

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            plans = env['sehat.treatment.plan'].search([('name', '=', 'Race plan')])
            doctors = env['sehat.doctor'].with_context(active_test=False).search(
                [('registration_number', '=', REGISTRATION)])
            patients = plans.mapped('patient_id')
            env['project.task'].with_context(active_test=False).search([('sehat_plan_id', 'in', plans.ids)]).unlink()
            plans.unlink()
            products = doctors.mapped('fee_product_id')
            partners = doctors.mapped('partner_id') | patients
            doctors.unlink()
            env['sehat.lifecycle.history'].search([('partner_id', 'in', partners.ids)]).unlink()
            partners.unlink()
            products.unlink()

    def _generate(self, cr):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        line = env['sehat.treatment.plan.line'].browse(self.line_id)
        return env['sehat.treatment.plan.line'].sehat_generate(line)

    def test_two_workers_generate_once(self):
        first_done = threading.Event()
        release_first = threading.Event()
        results, errors = {}, []

        def first():
            with odoo.api.Environment.manage(), self.registry.cursor() as cr:
                results['first'] = self._generate(cr)
                first_done.set()
                release_first.wait(30)
                cr.commit()  # pylint: disable=invalid-commit

        def second():
            first_done.wait(30)
            with odoo.api.Environment.manage():
                for _attempt in range(5):  # what Odoo's RPC dispatcher does on a serialization failure
                    try:
                        with self.registry.cursor() as cr:
                            results['second'] = self._generate(cr)
                            cr.commit()  # pylint: disable=invalid-commit
                        return
                    except OperationalError as err:
                        errors.append(err.pgcode)

        one, two = threading.Thread(target=first), threading.Thread(target=second)
        one.start()
        two.start()
        first_done.wait(30)
        two.join(1)
        self.assertTrue(two.is_alive(), 'the second insert waits on the first transaction')
        release_first.set()
        one.join(30)
        two.join(30)
        self.assertEqual(errors, ['40001'], 'the waiting run fails once (serialization failure) and is retried')
        horizon_tasks = results['first']
        self.assertGreater(horizon_tasks, 0)
        self.assertEqual(results['second'], 0, 'everything already existed once the first committed')
        with self.registry.cursor() as cr:
            cr.execute("""SELECT count(*), count(DISTINCT sehat_occurrence) FROM project_task
                           WHERE sehat_plan_line_id = %s""", [self.line_id])
            self.assertEqual(cr.fetchone(), (horizon_tasks, horizon_tasks))

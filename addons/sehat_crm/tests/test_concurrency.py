"""Two enquiries of the same person at the same moment, in two real transactions
(as on two Odoo workers): exactly one lead, the second merged into it."""
import datetime
import logging
import threading
from unittest import mock

from psycopg2 import OperationalError

import odoo
from odoo.tests.common import TransactionCase, at_install, post_install

from ..lib.capture import clean_enquiry

PHONE = '+919000012345'
OTHER_PHONE = '+919000012346'
NEW_SOURCE = 'Concurrency test camp'


@at_install(False)
@post_install(True)
class TestConcurrentCapture(TransactionCase):
    """Post-install only: while Odoo installs the module its own transaction holds the
    tables, so two new transactions could not run until it commits."""

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            phones = [PHONE, OTHER_PHONE]
            leads = env['crm.lead'].with_context(active_test=False).search([('phone_e164', 'in', phones)])
            partners = env['res.partner'].with_context(active_test=False).search([('phone_e164', 'in', phones)])
            env['mail.activity'].search([('res_model', '=', 'crm.lead'), ('res_id', 'in', leads.ids)]).unlink()
            leads.unlink()
            env['sehat.lifecycle.history'].search([('partner_id', 'in', partners.ids)]).unlink()
            partners.unlink()
            env['utm.source'].search([('name', '=', NEW_SOURCE)]).unlink()

    def setUp(self):
        super(TestConcurrentCapture, self).setUp()
        self._cleanup()
        self.addCleanup(self._cleanup)

    def _capture(self, cr, name, phone=PHONE, **extra):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tracking_disable': True})
        codes = set(env['sehat.symptom'].search([]).mapped('code'))
        clean = clean_enquiry(dict({'name': name, 'phone': phone, 'symptoms': ['FEVER']}, **extra), codes, 'IN',
                              datetime.date.today())
        lead, _patient, duplicate = env['crm.lead'].sehat_capture(clean, 'api')
        return lead.id, duplicate.id

    def test_two_workers_same_phone_one_lead(self):
        first_holds_lock = threading.Event()
        release_first = threading.Event()
        results, errors = {}, {}

        def first():
            with odoo.api.Environment.manage(), self.registry.cursor() as cr:
                results['first'] = self._capture(cr, 'Caller One')
                first_holds_lock.set()
                release_first.wait(30)
                cr.commit()  # pylint: disable=invalid-commit  (two real transactions are the point)

        def second():
            first_holds_lock.wait(30)
            attempts = 0
            with odoo.api.Environment.manage():
                while True:
                    attempts += 1
                    try:
                        with self.registry.cursor() as cr:
                            results['second'] = self._capture(cr, 'Caller Two')
                            cr.commit()  # pylint: disable=invalid-commit
                        break
                    except OperationalError as err:  # what Odoo's dispatcher retries
                        errors.setdefault('second', []).append(err.pgcode)
                        if attempts >= 5:
                            raise

        one = threading.Thread(target=first)
        two = threading.Thread(target=second)
        one.start()
        two.start()
        first_holds_lock.wait(30)
        # the second transaction is now blocked on the first one's lock
        two.join(1)
        self.assertTrue(two.is_alive(), 'the second capture must wait for the first')
        release_first.set()
        one.join(30)
        two.join(30)
        self.assertEqual(errors.get('second'), ['40001'],
                         'the waiting capture fails once with a serialization failure, then is retried')
        lead_id, duplicate = results['second']
        self.assertEqual(lead_id, results['first'][0])
        self.assertEqual(duplicate, results['first'][0])
        self._assert_one_lead(2)

    def _assert_one_lead(self, enquiries):
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*), max(enquiry_count) FROM crm_lead WHERE phone_e164 = %s", (PHONE,))
            self.assertEqual(cr.fetchone(), (1, enquiries))
            cr.execute("SELECT count(*) FROM res_partner WHERE phone_e164 = %s AND is_patient", (PHONE,))
            self.assertEqual(cr.fetchone()[0], 1)

    def test_request_begun_before_the_other_committed_is_retried(self):
        """B's transaction starts (its snapshot) before A commits, but B reaches the capture
        only afterwards, without waiting: B must still not create a second lead."""
        with odoo.api.Environment.manage():
            cr_b = self.registry.cursor()
            try:
                cr_b.execute("SELECT 1 FROM sehat_api_token LIMIT 1")  # e.g. the token check
                with self.registry.cursor() as cr_a:
                    first = self._capture(cr_a, 'Caller One')
                    cr_a.commit()  # pylint: disable=invalid-commit
                with self.assertRaises(OperationalError) as err:
                    self._capture(cr_b, 'Caller Two')
                self.assertEqual(err.exception.pgcode, '40001')
            finally:
                cr_b.rollback()
                cr_b.close()
            with self.registry.cursor() as cr_retry:  # what Odoo's dispatcher does next
                second = self._capture(cr_retry, 'Caller Two')
                cr_retry.commit()  # pylint: disable=invalid-commit
        self.assertEqual(second, (first[0], first[0]))
        self._assert_one_lead(2)

    def test_new_campaign_source_named_by_two_people_at_once_is_created_once(self):
        """Two different people arrive from the same new UTM source at the same moment."""
        with odoo.api.Environment.manage():
            cr_b = self.registry.cursor()
            try:
                cr_b.execute("SELECT 1 FROM sehat_api_token LIMIT 1")
                with self.registry.cursor() as cr_a:
                    self._capture(cr_a, 'Caller One', utm_source=NEW_SOURCE)
                    cr_a.commit()  # pylint: disable=invalid-commit
                with self.assertRaises(OperationalError) as err:
                    self._capture(cr_b, 'Caller Two', OTHER_PHONE, utm_source=NEW_SOURCE)
                self.assertEqual(err.exception.pgcode, '40001')
            finally:
                cr_b.rollback()
                cr_b.close()
            with self.registry.cursor() as cr_retry:
                self._capture(cr_retry, 'Caller Two', OTHER_PHONE, utm_source=NEW_SOURCE)
                cr_retry.commit()  # pylint: disable=invalid-commit
        with self.registry.cursor() as cr:
            cr.execute("SELECT id FROM utm_source WHERE name = %s", (NEW_SOURCE,))
            sources = cr.fetchall()
            self.assertEqual(len(sources), 1)
            cr.execute("SELECT count(*) FROM crm_lead WHERE phone_e164 IN %s AND source_id = %s",
                       ((PHONE, OTHER_PHONE), sources[0][0]))
            self.assertEqual(cr.fetchone()[0], 2)


@at_install(False)
@post_install(True)
class TestConcurrentTokenUse(TransactionCase):
    """Two requests of one integration count their token's use at the same moment."""

    def setUp(self):
        super(TestConcurrentTokenUse, self).setUp()
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            self.token_id = env['sehat.api.token'].sehat_issue_token('Concurrency test app')['id']
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM sehat_api_token WHERE id = %s", (self.token_id,))

    def _use_count(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT use_count FROM sehat_api_token WHERE id = %s", (self.token_id,))
            return cr.fetchone()[0]

    def test_a_use_counted_by_another_request_meanwhile_is_skipped_quietly(self):
        """The other request commits between this one's snapshot and its lock: PostgreSQL
        refuses the update (serialization failure); the request goes on, nothing logged as an error."""
        before = self._use_count()
        with odoo.api.Environment.manage():
            late = self.registry.cursor()
            try:
                late.execute("SELECT 1")  # this request's snapshot
                with self.registry.cursor() as other:
                    odoo.api.Environment(other, odoo.SUPERUSER_ID, {})['sehat.api.token'].browse(
                        self.token_id)._note_use()
                with self.registry.cursor() as cr:
                    token = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})['sehat.api.token'].browse(self.token_id)
                    with mock.patch.object(type(self.registry), 'cursor', lambda registry: late), \
                            self.assertLogs('odoo.sql_db', level='DEBUG') as logs:
                        logging.getLogger('odoo.sql_db').debug('(start)')
                        token._note_use()
            finally:
                if not late.closed:
                    late.close()
        self.assertFalse([line for line in logs.output if line.startswith('ERROR')], logs.output)
        self.assertEqual(before, 0)
        self.assertEqual(self._use_count(), 1, 'the other request counted its use')

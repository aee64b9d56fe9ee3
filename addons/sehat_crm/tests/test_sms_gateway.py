"""SMS gateways and the delivery log, against a real HTTP server on 127.0.0.1 (no mock objects)."""
import base64
import datetime
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import odoo
from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import TransactionCase, at_install, post_install

from .common import SehatCase

SECRET = 'k3y-s3cret-value'
LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'"
TEMPLATE = '{"to": "{to}", "text": "{message}", "from": "{sender}", "channel": "sms"}'
# quotes, a backslash, newlines, Hindi, an emoji and a placeholder that must stay literal text
TRICKY = 'नमस्ते "Asha",\nआपका appointment कल 10:30 बजे है।\nReply \\ STOP {sender} 🙏'


class FakeProvider(object):
    """An SMS provider on 127.0.0.1, port chosen by the OS. Records every request; answers with
    ``statuses`` (one per request, the last one repeats) after waiting ``delay`` seconds."""

    def __init__(self):
        self.reset()
        self.release = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                provider.requests.append({
                    'method': self.command, 'path': self.path, 'body': body,
                    'headers': {key.lower(): value for key, value in self.headers.items()}})
                status = provider.statuses[min(len(provider.requests), len(provider.statuses)) - 1]
                if provider.delay:
                    provider.release.wait(provider.delay)
                reply = provider.reply.encode('utf-8')
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', 'application/json; charset=utf-8')
                    self.send_header('Content-Length', str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    provider.abandoned += 1  # the client gave up (timeout test)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%s/send' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.1})
        self.thread.daemon = True
        self.thread.start()

    def reset(self):
        self.requests = []
        self.abandoned = 0
        self.statuses = [200]
        self.delay = 0
        self.reply = '{"status": "accepted", "id": "msg-1"}'

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: connecting is refused."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return 'http://127.0.0.1:%s/send' % port


def seconds_from_now(value):
    return (fields.Datetime.from_string(value) - datetime.datetime.utcnow()).total_seconds()


class SmsCase(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(SmsCase, cls).setUpClass()
        cls.provider = FakeProvider()
        cls.Message = cls.env['sehat.sms.message']
        cls.log_only = cls.env.ref('sehat_crm.sms_gateway_log_only')

    @classmethod
    def tearDownClass(cls):
        cls.provider.stop()
        super(SmsCase, cls).tearDownClass()

    def setUp(self):
        super(SmsCase, self).setUp()
        self.provider.reset()

    def _gateway(self, **vals):
        values = {'name': 'Test provider', 'kind': 'http', 'endpoint_url': self.provider.url,
                  'payload_template': TEMPLATE, 'sender_id': 'SEHATH'}
        values.update(vals)
        return self.env['sehat.sms.gateway'].create(values)

    def _make_due(self, message):
        message.write({'next_try': fields.Datetime.to_string(datetime.datetime.utcnow()
                                                             - datetime.timedelta(seconds=1))})


class TestSmsSending(SmsCase):

    def test_log_only_gateway_is_the_default_and_sends_nothing(self):
        message = self.Message.sehat_queue_sms('98450 12345', 'Your appointment is confirmed.')
        self.assertEqual(message.gateway_id, self.log_only)
        self.assertEqual(message.number, '+919845012345')
        self.assertEqual((message.state, message.attempts, message.provider_reply), ('sent', 1, 'logged'))
        self.assertTrue(message.sent_date)
        self.assertFalse(self.provider.requests)

    def test_rpc_returns_the_message_id(self):
        gateway = self._gateway()
        message_id = odoo.api.call_kw(self.Message.sudo(self.rep), 'sehat_queue_sms', ['98450 12345', 'Hi'],
                                      {'gateway': gateway.id, 'partner': self.rep.partner_id.id})
        self.assertIsInstance(message_id, int)
        message = self.Message.browse(message_id)
        self.assertEqual((message.state, message.gateway_id, message.partner_id),
                         ('sent', gateway, self.rep.partner_id))

    def test_default_gateway_comes_from_the_parameter(self):
        gateway = self._gateway()
        Gateway = self.env['sehat.sms.gateway']
        self.assertEqual(Gateway.sehat_default_gateway(), self.log_only)
        gateway.sudo(self.manager).action_make_default()
        self.assertEqual(self.env['ir.config_parameter'].get_param('sehat_crm.sms_gateway_id'), str(gateway.id))
        self.assertTrue(gateway.is_default)
        message = self.Message.sehat_queue_sms('+91 98450 12345', 'Hello')
        self.assertEqual(message.gateway_id, gateway)
        self.assertEqual(len(self.provider.requests), 1)
        gateway.active = False  # an archived default falls back to logging only
        self.assertEqual(Gateway.sehat_default_gateway(), self.log_only)
        with self.assertRaises(AccessError):
            self.log_only.sudo(self.rep).action_make_default()

    def test_json_post_carries_escaped_text_intact(self):
        gateway = self._gateway()
        message = self.Message.sehat_queue_sms('98450 12345', TRICKY, gateway=gateway)
        self.assertEqual(message.state, 'sent', message.last_error)
        self.assertIn('accepted', message.provider_reply)
        [request] = self.provider.requests
        self.assertEqual((request['method'], request['path']), ('POST', '/send'))
        self.assertTrue(request['headers']['content-type'].startswith('application/json'))
        self.assertEqual(json.loads(request['body'].decode('utf-8')), {
            'to': '+919845012345', 'text': TRICKY, 'from': 'SEHATH', 'channel': 'sms'})
        self.assertNotIn('authorization', request['headers'])

    def test_form_post(self):
        gateway = self._gateway(content_type='application/x-www-form-urlencoded')
        message = self.Message.sehat_queue_sms('98450 12345', TRICKY, gateway=gateway)
        self.assertEqual(message.state, 'sent', message.last_error)
        [request] = self.provider.requests
        self.assertEqual(request['method'], 'POST')
        self.assertEqual(request['headers']['content-type'], 'application/x-www-form-urlencoded')
        self.assertEqual(parse_qs(request['body'].decode('ascii')), {
            'to': ['+919845012345'], 'text': [TRICKY], 'from': ['SEHATH'], 'channel': ['sms']})

    def test_get_sends_the_fields_as_query_string(self):
        gateway = self._gateway(http_method='GET', endpoint_url=self.provider.url + '?account=7',
                                payload_template='{"to": "{to}", "msg": "{message}", "unicode": 1}')
        message = self.Message.sehat_queue_sms('98450 12345', TRICKY, gateway=gateway)
        self.assertEqual(message.state, 'sent', message.last_error)
        [request] = self.provider.requests
        self.assertEqual((request['method'], request['body']), ('GET', b''))
        url = urlsplit(request['path'])
        self.assertEqual(url.path, '/send')
        self.assertEqual(parse_qs(url.query), {
            'account': ['7'], 'to': ['+919845012345'], 'msg': [TRICKY], 'unicode': ['1']})

    def test_basic_auth_with_a_username(self):
        gateway = self._gateway(username='sehat', api_key=SECRET)
        self.Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway)
        expected = 'Basic ' + base64.b64encode(('sehat:' + SECRET).encode()).decode()
        self.assertEqual(self.provider.requests[0]['headers']['authorization'], expected)

    def test_bearer_token_without_a_username(self):
        gateway = self._gateway(api_key=SECRET)
        self.Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway)
        self.assertEqual(self.provider.requests[0]['headers']['authorization'], 'Bearer ' + SECRET)

    def test_error_status_is_retried_with_backoff_then_failed(self):
        self.provider.statuses = [500]
        self.provider.reply = 'internal error, key %s, Basic %s' % (
            SECRET, base64.b64encode(('sehat:' + SECRET).encode()).decode())
        gateway = self._gateway(username='sehat', api_key=SECRET, max_retries=2)
        message = self.Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway)
        self.assertEqual((message.state, message.attempts), ('retry', 1))
        self.assertIn('HTTP 500', message.last_error)
        self.assertAlmostEqual(seconds_from_now(message.next_try), 60, delta=10)
        self._make_due(message)
        self.assertEqual(self.Message.sehat_send_queued(), 1)
        self.assertEqual((message.state, message.attempts), ('retry', 2))
        self.assertAlmostEqual(seconds_from_now(message.next_try), 300, delta=10)
        self._make_due(message)
        self.Message.sehat_send_queued()
        self.assertEqual((message.state, message.attempts), ('failed', 3))
        self.assertFalse(message.next_try)
        self.assertEqual(len(self.provider.requests), 3)
        self.assertEqual(self.Message.sehat_send_queued(), 0, 'a failed message is not retried by the cron')
        for text in (message.last_error, message.provider_reply):
            self.assertIn('internal error', text)
            self.assertNotIn(SECRET, text)
            self.assertNotIn(base64.b64encode(('sehat:' + SECRET).encode()).decode(), text)

    def test_retry_now_after_a_failure_then_success(self):
        self.provider.statuses = [503, 201]
        gateway = self._gateway(max_retries=0, success_codes='200, 201')
        message = self.Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway)
        self.assertEqual((message.state, message.attempts), ('failed', 1))
        message.send_now()  # the "Retry now" button
        self.assertEqual((message.state, message.attempts), ('sent', 2))
        self.assertFalse(message.last_error)
        message.send_now()  # a sent message is never sent again
        self.assertEqual(len(self.provider.requests), 2)

    def test_timeout_is_retried(self):
        self.provider.delay = 4
        gateway = self._gateway(timeout=1)
        start = time.time()
        message = self.Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway)
        self.assertLess(time.time() - start, 3.5)
        self.assertEqual((message.state, message.attempts), ('retry', 1))
        self.assertIn('within 1 seconds', message.last_error)

    def test_connection_refused_is_retried(self):
        gateway = self._gateway(endpoint_url=closed_port_url(), api_key=SECRET)
        message = self.Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway)
        self.assertEqual((message.state, message.attempts), ('retry', 1))
        self.assertIn('Could not reach the gateway', message.last_error)
        self.assertNotIn(SECRET, message.last_error)

    def test_cron_sends_only_due_messages(self):
        gateway = self._gateway()
        queue = self.Message.sehat_queue_sms
        queued = queue('98450 10001', 'queued', gateway=gateway, send=False)
        due = queue('98450 10002', 'due retry', gateway=gateway, send=False)
        due.write({'state': 'retry', 'attempts': 1})
        self._make_due(due)
        later = queue('98450 10003', 'later retry', gateway=gateway, send=False)
        later.write({'state': 'retry', 'attempts': 1, 'next_try': fields.Datetime.to_string(
            datetime.datetime.utcnow() + datetime.timedelta(minutes=4))})
        sent = queue('98450 10004', 'already sent', gateway=gateway, send=False)
        sent.write({'state': 'sent', 'attempts': 1})
        failed = queue('98450 10005', 'failed', gateway=gateway, send=False)
        failed.write({'state': 'failed', 'attempts': 4})
        self.assertFalse(self.provider.requests, 'send=False only queues')
        self.assertEqual(self.Message.sehat_send_queued(), 2)
        texts = sorted(json.loads(r['body'].decode())['text'] for r in self.provider.requests)
        self.assertEqual(texts, ['due retry', 'queued'])
        self.assertEqual((queued.state, due.state, later.state, sent.state, failed.state),
                         ('sent', 'sent', 'retry', 'sent', 'failed'))
        self.assertEqual((queued.attempts, due.attempts, later.attempts, sent.attempts), (1, 2, 1, 1))

    def test_cron_limit(self):
        gateway = self._gateway()
        for i in range(3):
            self.Message.sehat_queue_sms('98450 1000%s' % i, 'n%s' % i, gateway=gateway, send=False)
        self.assertEqual(self.Message.sehat_send_queued(limit=2), 2)
        self.assertEqual(self.Message.sehat_send_queued(limit=2), 1)
        self.assertEqual(len(self.provider.requests), 3)

    def test_message_about_a_record(self):
        patient = self.env['res.partner'].create({'name': 'Asha Verma', 'is_patient': True, 'mobile': '98450 12345'})
        event = self.env['calendar.event'].create({
            'name': 'Cardiology consultation', 'start': '2030-01-10 05:00:00', 'stop': '2030-01-10 05:30:00',
            'partner_ids': [(6, 0, patient.ids)]})
        message = self.Message.sehat_queue_sms(patient.mobile, 'See you tomorrow', partner=patient, record=event)
        self.assertEqual((message.res_model, message.res_id), ('calendar.event', event.id))
        self.assertEqual(message.res_name, 'Cardiology consultation')
        self.assertEqual(message.partner_id, patient)


class TestSmsValidation(SmsCase):

    def _assert_invalid(self, text, **vals):
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            self._gateway(**vals)
        self.assertIn(text, str(err.exception))

    def test_http_gateway_needs_an_http_url(self):
        for url in (False, 'ftp://api.provider.example/send', 'api.provider.example/send', 'http://',
                    'https://api provider.example/send'):
            self._assert_invalid('endpoint URL', endpoint_url=url)
        self._gateway(endpoint_url='HTTPS://api.provider.example/send')

    def test_payload_template_must_be_json_with_to_and_message(self):
        self._assert_invalid('must contain {message}', payload_template='{"to": "{to}"}')
        self._assert_invalid('must contain {to} and {message}', payload_template=False)
        self._assert_invalid('not valid JSON', payload_template='to={to}&text={message}')
        self._assert_invalid('not valid JSON', payload_template='{"to": {to}, "text": "{message}"}')
        self._assert_invalid('not valid JSON', payload_template="{'to': '{to}', 'text': '{message}'}")
        self._assert_invalid('JSON object', payload_template='["{to}", "{message}"]')

    def test_limits(self):
        self._assert_invalid('timeout', timeout=0)
        self._assert_invalid('timeout', timeout=61)
        self._assert_invalid('retries', max_retries=-1)
        self._assert_invalid('retries', max_retries=11)
        self._assert_invalid('HTTP status code', success_codes='200,ok')
        self._assert_invalid('success HTTP code', success_codes=' , ')
        gateway = self._gateway(timeout=60, max_retries=10)
        self.assertEqual((gateway.timeout, gateway.max_retries), (60, 10))

    def test_log_only_gateway_needs_no_url(self):
        gateway = self.env['sehat.sms.gateway'].create({'name': 'Audit log', 'kind': 'log'})
        self.assertFalse(gateway.endpoint_url)

    def _assert_refused(self, text, number, body):
        before = self.Message.search_count([])
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            self.Message.sehat_queue_sms(number, body)
        self.assertIn(text, str(err.exception))
        self.assertEqual(self.Message.search_count([]), before)

    def test_bad_number_or_body_is_refused(self):
        self._assert_refused('not a valid phone number', '12345', 'Hi')
        self._assert_refused('not a phone number', 'call me', 'Hi')
        self._assert_refused('needs a phone number', '', 'Hi')
        self._assert_refused('empty', '98450 12345', '  \n ')
        self._assert_refused('1601 characters long; at most 1600', '98450 12345', 'x' * 1601)
        message = self.Message.sehat_queue_sms('98450 12345', 'x' * 1600)
        self.assertEqual(message.state, 'sent')

    def test_number_uses_the_recipient_country(self):
        uk = self.env['res.partner'].create({'name': 'London patient', 'country_id': self.env.ref('base.uk').id})
        message = self.Message.sehat_queue_sms('020 7946 0018', 'Hi', partner=uk)
        self.assertEqual(message.number, '+442079460018')


class TestSmsAccess(SmsCase):

    def test_sehat_user_reads_gateways_but_not_credentials(self):
        gateway = self._gateway(username='sehat', api_key=SECRET)
        as_rep = gateway.sudo(self.rep)
        self.assertEqual(as_rep.read(['name', 'kind'])[0]['name'], 'Test provider')
        for field in ('api_key', 'username'):
            with self.assertRaises(AccessError):
                as_rep.read([field])
        arch = self.env['sehat.sms.gateway'].sudo(self.rep).fields_view_get(view_type='form')['arch']
        self.assertNotIn('api_key', arch)
        self.assertEqual(gateway.sudo(self.manager).read(['api_key'])[0]['api_key'], SECRET)
        with self.assertRaises(AccessError):
            as_rep.write({'endpoint_url': 'https://evil.example/send'})

    def test_sehat_user_queues_and_reads_messages_but_does_not_edit_the_log(self):
        gateway = self._gateway(api_key=SECRET)
        Message = self.Message.sudo(self.rep)
        message = Message.sehat_queue_sms('98450 12345', 'Hi', gateway=gateway.id)
        self.assertEqual(message.state, 'sent')
        self.assertEqual(self.provider.requests[0]['headers']['authorization'], 'Bearer ' + SECRET)
        self.assertEqual(message.read(['number'])[0]['number'], '+919845012345')
        with self.assertRaises(AccessError):
            message.write({'body': 'changed'})
        with self.assertRaises(AccessError):
            message.unlink()
        forged = Message.create({'number': '98450 12345', 'body': 'Hi', 'gateway_id': gateway.id,
                                 'state': 'sent', 'attempts': 9, 'provider_reply': 'ok'})
        self.assertEqual((forged.state, forged.attempts, forged.provider_reply), ('queued', 0, False))

    def test_other_users_see_no_messages(self):
        message = self.Message.sehat_queue_sms('98450 12345', 'Private text')
        for user in (self.public, self.portal, self.plain_employee, self.doctor_user, self.finance):
            with self.assertRaises(AccessError):
                self.env['sehat.sms.message'].sudo(user).search([])
            with self.assertRaises(AccessError):
                message.sudo(user).read(['body'])
            with self.assertRaises(AccessError):
                self.env['sehat.sms.message'].sudo(user).sehat_queue_sms('98450 12345', 'spam')
        with self.assertRaises(AccessError):
            self.log_only.sudo(self.public).read(['name'])

    def test_managers_see_the_sms_menus(self):
        menus = self.env['ir.ui.menu']
        for xmlid in ('sehat_crm.menu_sehat_config_sms_gateways', 'sehat_crm.menu_sehat_config_sms_log'):
            menu = self.env.ref(xmlid)
            self.assertTrue(menus.sudo(self.manager).search([('id', '=', menu.id)]))
            self.assertFalse(menus.sudo(self.rep).search([('id', '=', menu.id)]))


@at_install(False)
@post_install(True)
class TestSmsConcurrentWorkers(TransactionCase):
    """Two real transactions, as two Odoo cron workers: a row one of them holds is never sent
    by the other. Post-install only (during the install its transaction holds the tables)."""

    @classmethod
    def setUpClass(cls):
        super(TestSmsConcurrentWorkers, cls).setUpClass()
        cls.provider = FakeProvider()

    @classmethod
    def tearDownClass(cls):
        cls.provider.stop()
        super(TestSmsConcurrentWorkers, cls).tearDownClass()

    def setUp(self):
        super(TestSmsConcurrentWorkers, self).setUp()
        self.provider.reset()
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            gateway = env['sehat.sms.gateway'].create({
                'name': 'Concurrency test provider', 'kind': 'http', 'endpoint_url': self.provider.url,
                'payload_template': TEMPLATE})
            queue = env['sehat.sms.message'].sehat_queue_sms
            self.gateway_id = gateway.id
            self.first_id = queue('98450 20001', 'first', gateway=gateway, send=False).id
            self.second_id = queue('98450 20002', 'second', gateway=gateway, send=False).id
            cr.commit()  # pylint: disable=invalid-commit  (other transactions must see the rows)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env['sehat.sms.message'].search([('gateway_id', '=', self.gateway_id)]).unlink()
            env['sehat.sms.gateway'].browse(self.gateway_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _sent_texts(self):
        return sorted(json.loads(r['body'].decode())['text'] for r in self.provider.requests)

    def _ours(self, env, ids):
        return env['sehat.sms.message'].browse(ids)

    def test_row_locked_by_another_transaction_is_skipped(self):
        with odoo.api.Environment.manage(), self.registry.cursor() as locker, self.registry.cursor() as worker:
            locker.execute("SELECT id FROM sehat_sms_message WHERE id = %s FOR UPDATE", (self.first_id,))
            worker.execute(LOCK_TIMEOUT)  # a worker that waited for the lock would fail, not hang the test
            env = odoo.api.Environment(worker, odoo.SUPERUSER_ID, {})
            env['sehat.sms.message'].sehat_send_queued()
            first, second = self._ours(env, [self.first_id, self.second_id])
            self.assertEqual(self._sent_texts(), ['second'])
            self.assertEqual((first.state, second.state), ('queued', 'sent'))
            first.send_now()  # the button skips it too
            self.assertEqual(self._sent_texts(), ['second'])
            self.assertEqual(first.state, 'queued')
            worker.commit()  # pylint: disable=invalid-commit
            locker.rollback()
        with self.registry.cursor() as cr:  # the next run sends it once the lock is gone
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env['sehat.sms.message'].sehat_send_queued()
            self.assertEqual(self._ours(env, [self.first_id]).state, 'sent')
            cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(self._sent_texts(), ['first', 'second'])

    def test_message_sent_after_the_cron_run_began_is_not_sent_again(self):
        """The cron's snapshot predates a "Retry now" committed by another transaction: the run
        ends quietly without sending anything; the next run sends what is still due."""
        with odoo.api.Environment.manage(), self.registry.cursor() as cron_cr:
            cron_cr.execute("SELECT count(*) FROM sehat_sms_message")  # the cron's snapshot starts here
            with self.registry.cursor() as button_cr:
                env = odoo.api.Environment(button_cr, odoo.SUPERUSER_ID, {})
                self._ours(env, [self.first_id]).send_now()
                button_cr.commit()  # pylint: disable=invalid-commit
            env = odoo.api.Environment(cron_cr, odoo.SUPERUSER_ID, {})
            self.assertEqual(env['sehat.sms.message'].sehat_send_queued(), 0)
            cron_cr.rollback()
        self.assertEqual(self._sent_texts(), ['first'])
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env['sehat.sms.message'].sehat_send_queued()
            cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(self._sent_texts(), ['first', 'second'])

    def test_two_cron_workers_never_send_a_message_twice(self):
        with odoo.api.Environment.manage(), self.registry.cursor() as one, self.registry.cursor() as two:
            two.execute(LOCK_TIMEOUT)
            env_one = odoo.api.Environment(one, odoo.SUPERUSER_ID, {})
            env_two = odoo.api.Environment(two, odoo.SUPERUSER_ID, {})
            tried_one = env_one['sehat.sms.message'].sehat_send_queued()
            # worker one has sent both and has not committed yet: worker two finds nothing to do
            tried_two = env_two['sehat.sms.message'].sehat_send_queued()
            self.assertGreaterEqual(tried_one, 2)
            self.assertEqual(tried_two, 0)
            one.commit()  # pylint: disable=invalid-commit
            two.rollback()
        self.assertEqual(self._sent_texts(), ['first', 'second'])
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            self.assertEqual(self._ours(env, [self.first_id, self.second_id]).mapped('state'), ['sent', 'sent'])

"""SMS gateways and the SMS delivery log.

A message is one row of ``sehat.sms.message``: it is queued, then sent by one attempt at once
(``sehat_queue_sms``) or by the cron (``sehat_send_queued``), which retries failures with a
growing delay until the gateway's ``max_retries`` is used up.
"""
import base64
import datetime
import json
import logging
import re
from urllib.parse import urlparse

import requests
from psycopg2.extensions import TransactionRollbackError

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib.phone import InvalidPhone, normalize_phone

_logger = logging.getLogger(__name__)

DEFAULT_GATEWAY_PARAM = 'sehat_crm.sms_gateway_id'
LOG_ONLY_GATEWAY = 'sehat_crm.sms_gateway_log_only'
MAX_BODY = 1600
MAX_REPLY = 2000
MAX_ERROR = 1000
# minutes to wait before retry n (1-based); the last value repeats
BACKOFF_MINUTES = (1, 5, 30, 120, 360, 720, 1440)
PLACEHOLDER_RE = re.compile(r'\{(to|message|sender)\}')
# values the payload template is checked with: quotes, a backslash, a newline, a placeholder
# inside a value and non-ASCII text must all survive as one JSON string
TEMPLATE_CHECK_VALUES = {'to': '+919876543210', 'message': 'Dr. "Rao"\\ at 10:00\n{sender} नमस्ते',
                         'sender': 'SEHAT'}
DEFAULT_TEMPLATE = '{"to": "{to}", "message": "{message}", "sender": "{sender}"}'
JSON = 'application/json'
FORM = 'application/x-www-form-urlencoded'


class SmsDeliveryError(Exception):
    """One failed attempt: ``str(err)`` is the error to log, ``reply`` what the provider answered."""

    def __init__(self, message, reply=''):
        super(SmsDeliveryError, self).__init__(message)
        self.reply = reply


def render_payload(template, to, message, sender):
    """The template with ``{to}``, ``{message}`` and ``{sender}`` replaced in one pass by the
    JSON-escaped values (the placeholders stand inside JSON strings). Returns the text."""
    values = {'to': to or '', 'message': message or '', 'sender': sender or ''}

    def escaped(match):
        return json.dumps(values[match.group(1)], ensure_ascii=False)[1:-1]
    return PLACEHOLDER_RE.sub(escaped, template or '')


def payload_fields(data):
    """A JSON object as flat text fields, for a form body or a query string."""
    return {key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for key, value in data.items()}


class SehatSmsGateway(models.Model):
    _name = 'sehat.sms.gateway'
    _description = 'SMS gateway'
    _order = 'name'

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection([
        ('log', 'Log only: messages are recorded, nothing is sent'),
        ('http', 'HTTP gateway'),
    ], required=True, default='log')
    endpoint_url = fields.Char(string='Endpoint URL', help='e.g. https://api.provider.example/send')
    http_method = fields.Selection([('POST', 'POST'), ('GET', 'GET')], string='HTTP method',
                                   required=True, default='POST')
    content_type = fields.Selection([
        (JSON, 'JSON (application/json)'),
        (FORM, 'Form (application/x-www-form-urlencoded)'),
    ], required=True, default=JSON, help='How a POST body is encoded. GET sends the fields as the query string.')
    payload_template = fields.Text(
        default=DEFAULT_TEMPLATE,
        help='A JSON object. {to} (E.164 number), {message} and {sender} are replaced by the values, '
             'escaped for JSON, so they stand inside quotes: {"to": "{to}", "text": "{message}"}. '
             'A JSON POST sends it as it is; a form POST or a GET sends its keys and values as fields.')
    username = fields.Char(groups='sehat_crm.group_sehat_manager', copy=False,
                           help='With a username, the request uses HTTP basic authentication (password: API key).')
    api_key = fields.Char(string='API key', groups='sehat_crm.group_sehat_manager', copy=False,
                          help='Without a username, sent as "Authorization: Bearer <API key>".')
    sender_id = fields.Char(string='Sender ID', help='The {sender} placeholder, e.g. SEHATH.')
    timeout = fields.Integer(string='Timeout (seconds)', default=10, required=True)
    max_retries = fields.Integer(
        default=3, required=True,
        help='Retries after a failed first attempt (waiting 1, 5, 30 minutes, ...); then the message is failed.')
    success_codes = fields.Char(string='Success HTTP codes', default='200,201,202', required=True)
    is_default = fields.Boolean(string='Default gateway', compute='_compute_is_default')
    message_count = fields.Integer(compute='_compute_message_count')

    # --- default -----------------------------------------------------------------------
    @api.model
    def sehat_default_gateway(self):
        """The gateway named by the ``sehat_crm.sms_gateway_id`` parameter, else the log-only one."""
        value = self.env['ir.config_parameter'].sudo().get_param(DEFAULT_GATEWAY_PARAM)
        if value and value.strip().isdigit():
            gateway = self.sudo().browse(int(value)).exists()
            if gateway and gateway.active:
                return self.browse(gateway.id)
        return self.browse(self.env.ref(LOG_ONLY_GATEWAY).id)

    def _compute_is_default(self):
        default = self.sehat_default_gateway()
        for gateway in self:
            gateway.is_default = gateway == default

    def _compute_message_count(self):
        counts = self.env['sehat.sms.message'].read_group(
            [('gateway_id', 'in', self.ids)], ['gateway_id'], ['gateway_id'])
        by_gateway = {c['gateway_id'][0]: c['gateway_id_count'] for c in counts}
        for gateway in self:
            gateway.message_count = by_gateway.get(gateway.id, 0)

    def action_make_default(self):
        """Make this gateway the one new messages use."""
        self.ensure_one()
        self.check_access_rights('write')
        self.check_access_rule('write')
        self.env['ir.config_parameter'].sudo().set_param(DEFAULT_GATEWAY_PARAM, str(self.id))
        return True

    # --- validation --------------------------------------------------------------------
    def _sehat_success_codes(self):
        codes = set()
        for part in (self.success_codes or '').split(','):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 100 <= int(part) <= 599:
                raise ValidationError(_('"%(code)s" is not an HTTP status code (100 to 599).') % {'code': part})
            codes.add(int(part))
        return codes

    @api.constrains('kind', 'endpoint_url', 'payload_template', 'timeout', 'max_retries', 'success_codes')
    def _check_gateway(self):
        for gateway in self:
            if not 1 <= gateway.timeout <= 60:
                raise ValidationError(_('The timeout of gateway %(name)s must be 1 to 60 seconds.') % {
                    'name': gateway.name})
            if not 0 <= gateway.max_retries <= 10:
                raise ValidationError(_('The retries of gateway %(name)s must be 0 to 10.') % {'name': gateway.name})
            if gateway.kind != 'http':
                continue
            url = (gateway.endpoint_url or '').strip()
            parsed = urlparse(url)
            if parsed.scheme.lower() not in ('http', 'https') or not parsed.hostname or ' ' in url:
                raise ValidationError(_('Gateway %(name)s needs an endpoint URL starting with http:// or '
                                        'https://, e.g. https://api.provider.example/send.') % {'name': gateway.name})
            if not gateway._sehat_success_codes():
                raise ValidationError(_('Gateway %(name)s needs at least one success HTTP code, e.g. 200.') % {
                    'name': gateway.name})
            gateway._sehat_check_template()

    def _sehat_check_template(self):
        template = self.payload_template or ''
        missing = [p for p in ('{to}', '{message}') if p not in template]
        if missing:
            raise ValidationError(_('The payload template of gateway %(name)s must contain %(missing)s.') % {
                'name': self.name, 'missing': _(' and ').join(missing)})
        try:
            data = json.loads(render_payload(template, **TEMPLATE_CHECK_VALUES))
        except ValueError as err:
            raise ValidationError(_(
                'The payload template of gateway %(name)s is not valid JSON once filled in (%(error)s). '
                'Write it as a JSON object with the placeholders inside quotes: '
                '{"to": "{to}", "message": "{message}"}') % {'name': self.name, 'error': err})
        if not isinstance(data, dict):
            raise ValidationError(_('The payload template of gateway %(name)s must be a JSON object {...}.') % {
                'name': self.name})

    # --- sending -----------------------------------------------------------------------
    def _sehat_secrets(self):
        """Texts that must never appear in a logged error or reply."""
        gateway = self.sudo()
        secrets = [s for s in (gateway.api_key, gateway.username) if s and len(s) >= 3]
        if gateway.username:
            pair = '%s:%s' % (gateway.username, gateway.api_key or '')
            secrets += [pair, base64.b64encode(pair.encode('utf-8')).decode('ascii')]
        return sorted(secrets, key=len, reverse=True)

    def _sehat_scrub(self, text, limit):
        text = text or ''
        for secret in self._sehat_secrets():
            text = text.replace(secret, '***')
        return text[:limit]

    def _sehat_deliver(self, number, body):
        """Send one SMS. Returns the provider's reply; raises SmsDeliveryError when it was not accepted."""
        self.ensure_one()
        if self.kind == 'log':
            return 'logged'
        gateway = self.sudo()
        text = render_payload(gateway.payload_template, number, body, gateway.sender_id)
        try:
            data = json.loads(text)
        except ValueError as err:
            raise SmsDeliveryError(_('The payload template is not valid JSON once filled in: %(error)s') % {
                'error': err})
        headers = {'Accept': 'application/json, text/plain, */*'}
        auth = None
        if gateway.username:
            auth = (gateway.username, gateway.api_key or '')
        elif gateway.api_key:
            headers['Authorization'] = 'Bearer %s' % gateway.api_key
        params = body_data = None
        if gateway.http_method == 'GET':
            params = payload_fields(data)
        elif gateway.content_type == JSON:
            body_data = text.encode('utf-8')
            headers['Content-Type'] = 'application/json; charset=utf-8'
        else:
            body_data = payload_fields(data)  # requests form-encodes a dict (UTF-8)
        try:
            with requests.request(gateway.http_method, gateway.endpoint_url.strip(), params=params,
                                  data=body_data, headers=headers, auth=auth, timeout=gateway.timeout,
                                  stream=True) as response:
                reply = self._sehat_read_reply(response)
                status = response.status_code
        except requests.Timeout:
            raise SmsDeliveryError(_('No answer from %(host)s within %(timeout)s seconds.') % {
                'host': urlparse(gateway.endpoint_url).hostname, 'timeout': gateway.timeout})
        except requests.RequestException as err:
            raise SmsDeliveryError(self._sehat_scrub(_('Could not reach the gateway: %(kind)s: %(error)s') % {
                'kind': type(err).__name__, 'error': err}, MAX_ERROR))
        reply = self._sehat_scrub(reply, MAX_REPLY)
        if status not in gateway._sehat_success_codes():
            raise SmsDeliveryError(self._sehat_scrub(_('HTTP %(status)s: %(reply)s') % {
                'status': status, 'reply': reply[:300]}, MAX_ERROR), reply=reply)
        return reply

    @staticmethod
    def _sehat_read_reply(response):
        """The first bytes of the reply as text (a provider answering megabytes is not read whole)."""
        raw = b''
        for chunk in response.iter_content(4096):
            raw += chunk
            if len(raw) >= MAX_REPLY * 4:
                break
        try:
            return raw.decode(response.encoding or 'utf-8', 'replace')
        except LookupError:
            return raw.decode('utf-8', 'replace')


class SehatSmsMessage(models.Model):
    """The delivery log: one row per SMS, with its state and every attempt's outcome."""
    _name = 'sehat.sms.message'
    _description = 'SMS message'
    _order = 'id desc'
    _rec_name = 'number'

    gateway_id = fields.Many2one('sehat.sms.gateway', string='Gateway', required=True, ondelete='restrict',
                                 default=lambda self: self.env['sehat.sms.gateway'].sehat_default_gateway())
    partner_id = fields.Many2one('res.partner', string='Recipient', ondelete='set null', index=True)
    number = fields.Char(required=True, help='E.164, e.g. +919876543210.')
    body = fields.Text(required=True)
    state = fields.Selection([
        ('queued', 'Queued'),
        ('retry', 'Waiting to retry'),
        ('sent', 'Sent'),
        ('failed', 'Failed'),
    ], required=True, default='queued', readonly=True, index=True)
    attempts = fields.Integer(readonly=True, default=0)
    next_try = fields.Datetime(string='Next attempt', readonly=True, index=True, default=fields.Datetime.now)
    sent_date = fields.Datetime(string='Sent on', readonly=True)
    last_error = fields.Text(readonly=True)
    provider_reply = fields.Text(readonly=True)
    res_model = fields.Char(string='About (model)', readonly=True, index=True)
    res_id = fields.Integer(string='About (id)', readonly=True)
    res_name = fields.Char(string='About', compute='_compute_res_name')

    _LOG_FIELDS = ('state', 'attempts', 'next_try', 'sent_date', 'last_error', 'provider_reply')

    def _compute_res_name(self):
        for message in self:
            name = False
            if message.res_model in self.env and message.res_id:
                try:
                    record = self.env[message.res_model].browse(message.res_id).exists()
                    name = record.display_name if record else False
                except AccessError:
                    name = _('%(model)s #%(id)s') % {'model': message.res_model, 'id': message.res_id}
            message.res_name = name

    # --- validation --------------------------------------------------------------------
    def _sehat_region(self, partner_id=None):
        partner = self.env['res.partner'].sudo().browse(partner_id) if partner_id else self.env['res.partner']
        country = partner.country_id or self.env.user.company_id.country_id
        return country.code or 'IN'

    def _sehat_clean_vals(self, vals):
        vals = dict(vals)
        if self.env.uid != SUPERUSER_ID:  # the log is written by the sending code only
            for name in self._LOG_FIELDS:
                vals.pop(name, None)
        if 'number' in vals:
            partner_id = vals.get('partner_id') or (self[:1].partner_id.id if self else None)
            try:
                number = normalize_phone(vals['number'] or False, self._sehat_region(partner_id))
            except InvalidPhone as err:
                raise ValidationError(_('SMS number: %(error)s') % {'error': err})
            if not number:
                raise ValidationError(_('An SMS needs a phone number.'))
            vals['number'] = number
        return vals

    @api.constrains('body')
    def _check_body(self):
        for message in self:
            body = message.body or ''
            if not body.strip():
                raise ValidationError(_('The SMS text is empty.'))
            if len(body) > MAX_BODY:
                raise ValidationError(_(
                    'The SMS text is %(length)s characters long; at most %(max)s characters can be sent '
                    '(about 10 SMS parts). Shorten it.') % {'length': len(body), 'max': MAX_BODY})

    @api.model
    def create(self, vals):
        vals = dict(vals, number=vals.get('number') or False)  # a missing number gets the clear error
        return super(SehatSmsMessage, self).create(self._sehat_clean_vals(vals))

    def write(self, vals):
        return super(SehatSmsMessage, self).write(self._sehat_clean_vals(vals))

    # --- queueing and sending ----------------------------------------------------------
    @api.model
    @api.returns('self', lambda value: value.id)
    def sehat_queue_sms(self, number, body, partner=None, record=None, gateway=None, send=True):
        """Log an SMS to ``number`` and, with ``send``, make the first attempt at once.

        ``partner`` (res.partner) is the recipient, ``record`` (any single record, e.g. a
        calendar.event) what the message is about, ``gateway`` (a sehat.sms.gateway or its id)
        defaults to the configured gateway. Raises ValidationError for a bad number or an empty or
        too long text; a gateway failure never raises: the message keeps the error and is retried.
        Returns the sehat.sms.message (its id over RPC, where partner and gateway are ids and
        record cannot be given).
        """
        vals = {'number': number, 'body': body}
        if partner is None and record and record._name == 'res.partner':
            partner = record
        if partner:
            vals['partner_id'] = partner if isinstance(partner, int) else partner.id
        if record:
            record.ensure_one()
            vals.update(res_model=record._name, res_id=record.id)
        if gateway:
            vals['gateway_id'] = gateway if isinstance(gateway, int) else gateway.id
        message = self.create(vals)
        if send:
            message.send_now()
        return message

    def send_now(self):
        """One delivery attempt for each message that is not sent yet (the "Retry now" button).

        A message that another transaction is sending (its row is locked) is skipped. Open to
        whoever may queue messages; the attempt itself runs as superuser (it reads the
        gateway's credentials and writes the log).
        """
        self.check_access_rights('create')
        self.check_access_rule('read')
        self._sehat_lock(('queued', 'retry', 'failed'))._sehat_attempt()
        return True

    @api.model
    def sehat_send_queued(self, limit=200):
        """Cron: one attempt for each queued message, and each retry that is due, oldest first.

        The rows are locked with FOR UPDATE SKIP LOCKED, so two workers running this at the
        same time never send the same message twice. Returns how many messages were tried.
        """
        self.check_access_rights('create')
        try:
            with self.env.cr.savepoint():
                # (a serialization failure is expected here and handled below: not logged)
                self.env.cr.execute("""
                    SELECT id FROM sehat_sms_message
                     WHERE state IN ('queued', 'retry') AND (next_try IS NULL OR next_try <= %s)
                     ORDER BY next_try NULLS FIRST, id
                     LIMIT %s
                       FOR UPDATE SKIP LOCKED""", (fields.Datetime.now(), limit), log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except TransactionRollbackError:
            # a due message changed (e.g. "Retry now") after this transaction began: the rows
            # cannot be locked in this snapshot; the next run, in 5 minutes, sends them
            _logger.info('SMS queue: a message changed while the run started; trying again next run.')
            return 0
        messages = self.browse(ids)
        messages._sehat_attempt()
        return len(messages)

    def _sehat_lock(self, states):
        """The messages among ``self`` in ``states``, locked for this transaction; rows another
        transaction holds are left out."""
        if not self.ids:
            return self.browse()
        self.env.cr.execute("""
            SELECT id FROM sehat_sms_message WHERE id IN %s AND state IN %s
               FOR UPDATE SKIP LOCKED""", (tuple(self.ids), tuple(states)))
        locked = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda m: m.id in locked)

    def _sehat_attempt(self):
        """Send each message once through its gateway and log the outcome (callers lock the rows)."""
        for message in self.sudo():
            gateway = message.gateway_id
            attempts = message.attempts + 1
            try:
                reply = gateway._sehat_deliver(message.number, message.body)
            except SmsDeliveryError as err:
                vals = {'attempts': attempts, 'last_error': str(err)[:MAX_ERROR],
                        'provider_reply': (err.reply or '')[:MAX_REPLY] or False}
                if attempts > gateway.max_retries:
                    vals.update(state='failed', next_try=False)
                else:
                    delay = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
                    next_try = datetime.datetime.utcnow() + datetime.timedelta(minutes=delay)
                    vals.update(state='retry', next_try=fields.Datetime.to_string(next_try))
            else:
                vals = {'state': 'sent', 'attempts': attempts, 'sent_date': fields.Datetime.now(),
                        'next_try': False, 'last_error': False, 'provider_reply': (reply or '')[:MAX_REPLY]}
            message.write(vals)

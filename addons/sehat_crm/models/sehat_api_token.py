import hashlib
import logging
import secrets

from psycopg2.extensions import TransactionRollbackError

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

TOKEN_PREFIX = 'sehat_'


def hash_token(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


class SehatApiToken(models.Model):
    """A bearer token for one integration (the hospital app, the website, a partner portal).

    Only the SHA-256 hash is stored; the token is shown once, when it is created.
    """
    _name = 'sehat.api.token'
    _description = 'API token'
    _order = 'create_date desc'

    name = fields.Char(string='Integration', required=True, help='Who uses this token, e.g. "Hospital app".')
    token_hash = fields.Char(readonly=True, index=True, copy=False)
    token_hint = fields.Char(string='Token starts with', readonly=True, copy=False)
    user_id = fields.Many2one(
        'res.users', string='Acts as', required=True, default=lambda self: self.env.ref('base.user_root'),
        help='Leads created through this token are created by this user.')
    active = fields.Boolean(default=True, help='Untick to revoke the token.')
    revoked_date = fields.Datetime(readonly=True)
    last_used = fields.Datetime(readonly=True)
    use_count = fields.Integer(readonly=True, default=0)

    _sql_constraints = [('token_hash_uniq', 'unique(token_hash)', 'Token collision, create it again.')]

    @api.model
    def create(self, vals):
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        vals = dict(vals, token_hash=hash_token(token), token_hint=token[:10])
        record = super(SehatApiToken, self).create(vals)
        record._clear_token = token
        return record

    @api.model
    def sehat_create_token(self, name, user=None):
        """Create a token; returns (record, clear-text token). The clear token exists only here."""
        values = {'name': name}
        if user:
            values['user_id'] = user.id
        record = self.create(values)
        return record, record._clear_token

    @api.model
    def sehat_issue_token(self, name):
        """RPC-friendly: create a token for ``name``; returns {'id', 'token'} (shown once)."""
        record, token = self.sehat_create_token(name)
        return {'id': record.id, 'token': token}

    def action_revoke(self):
        self.write({'active': False, 'revoked_date': fields.Datetime.now()})

    @api.model
    def sehat_authenticate(self, token):
        """The active token record matching ``token``, or an empty record."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return self.browse()
        record = self.sudo().search([('token_hash', '=', hash_token(token)), ('active', '=', True)], limit=1)
        if record:
            record._note_use()
        return record

    def _note_use(self):
        """Usage statistics in a short transaction of their own, skipped when another request
        of the same integration holds the row, or has just updated it (a serialization failure
        when that request committed between this statement's snapshot and its lock): they never
        slow down or fail a request."""
        try:
            with self.pool.cursor() as cr:
                cr.execute("""
                    UPDATE sehat_api_token
                       SET last_used = now() at time zone 'UTC', use_count = COALESCE(use_count, 0) + 1
                     WHERE id IN (SELECT id FROM sehat_api_token WHERE id = %s FOR UPDATE SKIP LOCKED)
                """, (self.id,), log_exceptions=False)
        except TransactionRollbackError:
            _logger.debug('API token %s: usage not counted for this request (concurrent update).', self.id)

    def unlink(self):
        if not self.env.user._is_superuser():
            raise UserError(_('Revoke API tokens instead of deleting them, so the record of who called the API stays.'))
        return super(SehatApiToken, self).unlink()

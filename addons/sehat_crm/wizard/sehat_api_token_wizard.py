from odoo import fields, models


class SehatApiTokenWizard(models.TransientModel):
    """Creates an API token and shows it once."""
    _name = 'sehat.api.token.wizard'
    _description = 'New API token'

    name = fields.Char(string='Integration', required=True)
    user_id = fields.Many2one('res.users', string='Acts as', default=lambda self: self.env.ref('base.user_root'))
    token = fields.Char(readonly=True)
    token_id = fields.Many2one('sehat.api.token', readonly=True)

    def action_create(self):
        self.ensure_one()
        record, token = self.env['sehat.api.token'].sehat_create_token(self.name, self.user_id)
        self.write({'token': token, 'token_id': record.id})
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id,
                'view_mode': 'form', 'target': 'new', 'name': 'Copy the token now'}

    def action_done(self):
        self.write({'token': False})
        return {'type': 'ir.actions.act_window_close'}

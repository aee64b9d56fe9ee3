from odoo import api, fields, models

from ..lib import lifecycle


class SehatLifecycleOverride(models.TransientModel):
    """A manager moves patients to another lifecycle stage, with a reason."""
    _name = 'sehat.lifecycle.override'
    _description = 'Change lifecycle stage'

    partner_ids = fields.Many2many('res.partner', string='Patients', required=True)
    stage = fields.Selection([(s, lifecycle.STAGE_LABELS[s]) for s in lifecycle.STAGES], required=True)
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super(SehatLifecycleOverride, self).default_get(fields_list)
        if self.env.context.get('active_model') == 'res.partner' and self.env.context.get('active_ids'):
            res['partner_ids'] = [(6, 0, self.env.context['active_ids'])]
        return res

    def action_apply(self):
        self.ensure_one()
        self.partner_ids.sehat_lifecycle_override(self.stage, self.reason)
        return {'type': 'ir.actions.act_window_close'}

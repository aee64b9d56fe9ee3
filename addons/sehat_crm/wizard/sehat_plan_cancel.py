from odoo import fields, models


class SehatTreatmentPlanCancel(models.TransientModel):
    """Cancelling a treatment plan needs a reason; its open follow-ups are closed with it."""
    _name = 'sehat.treatment.plan.cancel'
    _description = 'Cancel a treatment plan'

    plan_id = fields.Many2one('sehat.treatment.plan', string='Plan', required=True)
    reason = fields.Char(required=True)

    def action_cancel(self):
        self.ensure_one()
        self.plan_id.with_context(sehat_close_reason=self.reason).action_cancel()
        return {'type': 'ir.actions.act_window_close'}

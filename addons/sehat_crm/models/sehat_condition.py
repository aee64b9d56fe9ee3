from odoo import fields, models


class SehatCondition(models.Model):
    """Chronic condition catalogue (diabetes, hypertension, ...), used by triage and segments."""
    _name = 'sehat.condition'
    _description = 'Chronic condition'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    specialty_id = fields.Many2one('sehat.specialty', ondelete='set null')
    active = fields.Boolean(default=True)

    _sql_constraints = [('code_uniq', 'unique(code)', 'A condition with this code already exists.')]

from odoo import fields, models


class SehatLanguage(models.Model):
    """Languages patients prefer and doctors speak (not Odoo's UI languages)."""
    _name = 'sehat.language'
    _description = 'Spoken language'
    _order = 'sequence, name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help='ISO 639-1 code, e.g. kn for Kannada.')
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [('code_uniq', 'unique(code)', 'A language with this code already exists.')]

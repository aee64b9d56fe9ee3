from odoo import fields, models


class SehatSpecialty(models.Model):
    _name = 'sehat.specialty'
    _description = 'Medical specialty'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help='Stable code used by the API and the symptom catalogue.')
    department_id = fields.Many2one('sehat.department', ondelete='set null')
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    doctor_ids = fields.Many2many(
        'sehat.doctor', 'sehat_doctor_specialty_rel', 'specialty_id', 'doctor_id', string='Doctors')

    _sql_constraints = [
        ('code_uniq', 'unique(code)', 'A specialty with this code already exists.'),
    ]

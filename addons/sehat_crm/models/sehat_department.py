from odoo import fields, models


class SehatDepartment(models.Model):
    _name = 'sehat.department'
    _description = 'Hospital department'
    _order = 'sequence, name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help='Short code used on reports, e.g. CARD.')
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True, default=lambda self: self.env.user.company_id)
    specialty_ids = fields.One2many('sehat.specialty', 'department_id', string='Specialties')
    doctor_ids = fields.One2many('sehat.doctor', 'department_id', string='Doctors')
    doctor_count = fields.Integer(compute='_compute_doctor_count')
    description = fields.Text()

    _sql_constraints = [
        ('code_company_uniq', 'unique(code, company_id)',
         'A department with this code already exists in this hospital.'),
    ]

    def _compute_doctor_count(self):
        counts = self.env['sehat.doctor'].read_group(
            [('department_id', 'in', self.ids)], ['department_id'], ['department_id'])
        by_dept = {c['department_id'][0]: c['department_id_count'] for c in counts}
        for dept in self:
            dept.doctor_count = by_dept.get(dept.id, 0)

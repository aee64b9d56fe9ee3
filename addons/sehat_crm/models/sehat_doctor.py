from odoo import api, fields, models


class SehatDoctor(models.Model):
    """A doctor of the hospital. Contact data lives on the linked partner."""
    _name = 'sehat.doctor'
    _description = 'Doctor'
    _inherits = {'res.partner': 'partner_id'}
    _inherit = ['mail.thread']
    _order = 'name'

    partner_id = fields.Many2one(
        'res.partner', required=True, ondelete='restrict', auto_join=True,
        string='Contact', help='Name, phone, email and photo of the doctor.')
    user_id = fields.Many2one(
        'res.users', string='Odoo user', ondelete='set null',
        help='The login of the doctor, if they use Sehat CRM themselves.')
    department_id = fields.Many2one('sehat.department', track_visibility='onchange')
    specialty_ids = fields.Many2many(
        'sehat.specialty', 'sehat_doctor_specialty_rel', 'doctor_id', 'specialty_id',
        string='Specialties', track_visibility='onchange')
    qualification = fields.Char(help='Degrees, e.g. MBBS, MD (Medicine), DM (Cardiology).')
    registration_number = fields.Char(
        string='Medical registration no.', track_visibility='onchange',
        help='Number issued by the state medical council / NMC.')
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ('registration_uniq', 'unique(registration_number)',
         'Another doctor already has this medical registration number.'),
        ('user_uniq', 'unique(user_id)', 'This user is already linked to another doctor.'),
    ]

    @api.model
    def create(self, vals):
        vals.setdefault('is_company', False)
        return super(SehatDoctor, self).create(vals)

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SehatSymptom(models.Model):
    """A presenting symptom of the triage catalogue (Configuration > Symptoms)."""
    _name = 'sehat.symptom'
    _description = 'Symptom'
    _order = 'red_flag desc, urgency_weight desc, name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help='Stable code used by the web form and the API, e.g. CHEST_PAIN.')
    specialty_id = fields.Many2one('sehat.specialty', required=True, ondelete='restrict')
    urgency_weight = fields.Integer(
        required=True, default=20, help='0 (not urgent) to 100 (life-threatening): the base of the urgency score.')
    red_flag = fields.Boolean(
        help='A red flag escalates the enquiry at once to the on-duty team, and the person is told '
             'to call the emergency number.')
    advice = fields.Char(translate=True, help='What the call centre (and the web form) tells the person.')
    keywords = fields.Char(
        help='Other words people use for it, comma-separated (e.g. "seene mein dard, chest tightness"): '
             'used to recognise the symptom in emails.')
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ('code_uniq', 'unique(code)', 'A symptom with this code already exists.'),
        ('weight_range', 'CHECK(urgency_weight BETWEEN 0 AND 100)', 'The urgency weight must be between 0 and 100.'),
    ]

    @api.constrains('code')
    def _check_code(self):
        for symptom in self:
            if not symptom.code.replace('_', '').isalnum() or symptom.code != symptom.code.upper():
                raise ValidationError(_('Symptom codes are upper-case letters, digits and underscores: %s')
                                      % symptom.code)

    def as_lib_symptoms(self):
        """The symptoms as plain values for ``lib.urgency``."""
        from ..lib.urgency import Symptom
        return [Symptom(s.code, s.name, s.urgency_weight, s.red_flag) for s in self]

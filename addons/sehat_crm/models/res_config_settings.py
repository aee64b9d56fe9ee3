from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.urgency import DEFAULT_SLA_MINUTES
from .res_partner import DEFAULT_PROFILE_FIELDS, PROFILE_FIELDS


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    sehat_sla_emergency = fields.Integer('Emergency: call within (minutes)', default=DEFAULT_SLA_MINUTES['emergency'])
    sehat_sla_urgent = fields.Integer('Urgent: call within (minutes)', default=DEFAULT_SLA_MINUTES['urgent'])
    sehat_sla_soon = fields.Integer('Soon: call within (minutes)', default=DEFAULT_SLA_MINUTES['soon'])
    sehat_sla_routine = fields.Integer('Routine: call within (minutes)', default=DEFAULT_SLA_MINUTES['routine'])
    sehat_loyal_visits = fields.Integer('Loyal after (completed visits)', default=3)
    sehat_loyal_months = fields.Integer('... within (months)', default=12)
    sehat_loyal_by_rfm = fields.Boolean(
        '... or in the RFM segment Champions or Loyal',
        help='A customer also becomes Loyal when the nightly RFM scoring puts them in the Champions '
             'or Loyal segment, whatever the number of visits.')
    sehat_lapse_months = fields.Integer('Lapsed after no visit for (months)', default=12)
    sehat_emergency_number = fields.Char('Emergency phone number', default='108')
    sehat_profile_fields = fields.Char(
        'Required for a complete profile', default=DEFAULT_PROFILE_FIELDS,
        help='Comma-separated technical names among: %s' % ', '.join(n for n, _l in PROFILE_FIELDS))

    _PARAMS = ['sla_emergency', 'sla_urgent', 'sla_soon', 'sla_routine', 'loyal_visits', 'loyal_months',
               'loyal_by_rfm', 'lapse_months', 'emergency_number', 'profile_fields']

    @api.model
    def get_values(self):
        res = super(ResConfigSettings, self).get_values()
        get = self.env['ir.config_parameter'].sudo().get_param
        for name in self._PARAMS:
            field = self._fields['sehat_' + name]
            value = get('sehat_crm.' + name)
            if field.type == 'boolean':
                res['sehat_' + name] = value == '1'
            elif value not in (None, False, ''):
                res['sehat_' + name] = int(value) if field.type == 'integer' else value
        return res

    def set_values(self):
        super(ResConfigSettings, self).set_values()
        set_param = self.env['ir.config_parameter'].sudo().set_param
        get = self.env['ir.config_parameter'].sudo().get_param
        old_fields = get('sehat_crm.profile_fields', DEFAULT_PROFILE_FIELDS)
        for name in self._PARAMS:
            value = self['sehat_' + name]
            if self._fields['sehat_' + name].type == 'boolean':
                value = '1' if value else ''
            set_param('sehat_crm.' + name, str(value or ''))
        if (self.sehat_profile_fields or '') != old_fields:
            self.env['res.partner'].sehat_recompute_profiles()
        return True

    @api.constrains('sehat_sla_emergency', 'sehat_sla_urgent', 'sehat_sla_soon', 'sehat_sla_routine',
                    'sehat_loyal_visits', 'sehat_loyal_months', 'sehat_lapse_months', 'sehat_profile_fields')
    def _check_sehat(self):
        for rec in self:
            for band in ('emergency', 'urgent', 'soon', 'routine'):
                if rec['sehat_sla_' + band] <= 0:
                    raise ValidationError(_('The %s call deadline must be at least 1 minute.') % band)
            if rec.sehat_loyal_visits < 1 or rec.sehat_loyal_months < 1 or rec.sehat_lapse_months < 1:
                raise ValidationError(_('Loyalty and lapse rules need at least 1 visit and 1 month.'))
            known = {n for n, _l in PROFILE_FIELDS}
            unknown = [n.strip() for n in (rec.sehat_profile_fields or '').split(',') if n.strip() not in known]
            if unknown:
                raise ValidationError(_('Unknown profile field(s): %(unknown)s. Use: %(known)s') % {
                    'unknown': ', '.join(unknown), 'known': ', '.join(sorted(known))})

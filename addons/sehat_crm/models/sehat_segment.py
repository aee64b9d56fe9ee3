"""Saved patient segments for campaigns, turned into Email Marketing lists with consent."""
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import lifecycle, rfm as rfm_lib
from .res_partner import GENDERS

CHANNELS = [('email', 'Email'), ('sms', 'SMS'), ('whatsapp', 'WhatsApp'), ('phone', 'Phone')]


class SehatSegment(models.Model):
    _name = 'sehat.segment'
    _description = 'Patient segment'
    _inherit = ['mail.thread']
    _order = 'name'

    name = fields.Char(required=True)
    age_min = fields.Integer(string='Age from')
    age_max = fields.Integer(string='Age to')
    gender = fields.Selection(GENDERS)
    city = fields.Char()
    condition_ids = fields.Many2many('sehat.condition', string='Chronic conditions (any)')
    lifecycle_stage = fields.Selection([(s, lifecycle.STAGE_LABELS[s]) for s in lifecycle.STAGES])
    rfm_segment = fields.Selection([(s, rfm_lib.SEGMENT_LABELS[s]) for s in rfm_lib.SEGMENTS], string='RFM segment')
    last_doctor_id = fields.Many2one('sehat.doctor', string='Last seen by')
    last_specialty_id = fields.Many2one('sehat.specialty', string='Last visit in')
    channel = fields.Selection(CHANNELS, default='email', required=True,
                               help='Patients without consent for this channel are left out of lists.')
    patient_count = fields.Integer(string='Patients', compute='_compute_counts')
    consent_count = fields.Integer(string='With consent', compute='_compute_counts')
    left_out_count = fields.Integer(string='Left out (no consent)', compute='_compute_counts')
    mailing_list_id = fields.Many2one('mail.mass_mailing.list', string='Mailing list', readonly=True, copy=False)

    @api.constrains('age_min', 'age_max')
    def _check_ages(self):
        for segment in self:
            if segment.age_min < 0 or segment.age_max < 0 or segment.age_max > 130 or (
                    segment.age_max and segment.age_min > segment.age_max):
                raise ValidationError(_('Ages go from 0 to 130, the lower bound first.'))

    def _sehat_last_visit_patients(self):
        """Patients whose latest done visit was with the segment's doctor / in its specialty."""
        self.env.cr.execute("""
            SELECT DISTINCT ON (patient_id) patient_id, doctor_id, specialty_id
              FROM calendar_event WHERE appointment_state = 'done' AND active AND patient_id IS NOT NULL
             ORDER BY patient_id, stop DESC
        """)
        return [pid for pid, doctor_id, specialty_id in self.env.cr.fetchall()
                if (not self.last_doctor_id or doctor_id == self.last_doctor_id.id)
                and (not self.last_specialty_id or specialty_id == self.last_specialty_id.id)]

    def sehat_domain(self, with_consent=False):
        self.ensure_one()
        today = fields.Date.from_string(fields.Date.context_today(self))
        domain = [('is_patient', '=', True)]
        if self.age_min:
            youngest = lifecycle.months_before(today, 12 * self.age_min)
            domain.append(('birthdate', '<=', fields.Date.to_string(youngest)))
        if self.age_max:
            oldest = lifecycle.months_before(today, 12 * (self.age_max + 1))
            domain.append(('birthdate', '>', fields.Date.to_string(oldest)))
        for name in ('gender', 'lifecycle_stage', 'rfm_segment'):
            if self[name]:
                domain.append((name, '=', self[name]))
        if self.city:
            domain.append(('city', '=ilike', self.city))
        if self.condition_ids:
            domain.append(('chronic_condition_ids', 'in', self.condition_ids.ids))
        if self.last_doctor_id or self.last_specialty_id:
            domain.append(('id', 'in', self._sehat_last_visit_patients()))
        if with_consent:
            domain.append(('consent_%s' % self.channel, '=', True))
            if self.channel == 'email':
                domain.append(('email', '!=', False))
        return domain

    def _compute_counts(self):
        Partner = self.env['res.partner'].sudo()
        for segment in self:
            total = Partner.search_count(segment.sehat_domain())
            consent = Partner.search_count(segment.sehat_domain(with_consent=True))
            segment.patient_count, segment.consent_count = total, consent
            segment.left_out_count = total - consent

    def action_view_patients(self):
        self.ensure_one()
        action = self.env.ref('sehat_crm.action_patients').read()[0]
        action['domain'] = self.sehat_domain()
        action['context'] = {}
        return action

    def action_create_mailing_list(self):
        """An Email Marketing list of the segment's patients who consented to email."""
        self.ensure_one()
        if self.channel != 'email':
            raise UserError(_('Mailing lists are for email: set the channel to Email.'))
        patients = self.env['res.partner'].sudo().search(self.sehat_domain(with_consent=True))
        if not patients:
            raise UserError(_('No patient of this segment consented to email.'))
        List = self.env['mail.mass_mailing.list'].sudo()
        mailing_list = self.mailing_list_id or List.create({'name': '%s (%s)' % (self.name, date.today())})
        Contact = self.env['mail.mass_mailing.contact'].sudo()
        existing = set(Contact.search([('list_ids', 'in', mailing_list.ids)]).mapped('email'))
        for patient in patients.filtered(lambda p: p.email not in existing):
            Contact.create({'name': patient.name, 'email': patient.email, 'list_ids': [(4, mailing_list.id)]})
        self.mailing_list_id = mailing_list
        self.message_post(body=_('Mailing list %(list)s: %(count)s patients; %(left)s left out without email '
                                 'consent.') % {'list': mailing_list.name, 'count': len(patients),
                                                'left': self.left_out_count})
        return {'type': 'ir.actions.act_window', 'res_model': 'mail.mass_mailing.list', 'res_id': mailing_list.id,
                'view_mode': 'form'}

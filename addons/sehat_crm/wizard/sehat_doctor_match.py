from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import matching

GENDER_PREFERENCES = [('female', 'Female doctor'), ('male', 'Male doctor')]


class SehatDoctorMatch(models.TransientModel):
    """Which doctor for this patient? Ranks doctors with lib.matching and says why.

    The score uses only the patient's needs (specialties from the symptoms, language, gender
    preference, fee cap, department) and the doctor's facts (specialties, languages, soonest
    free slot, rating, current load). Nothing else can move a doctor up the list."""
    _name = 'sehat.doctor.match'
    _description = 'Find a doctor'

    lead_id = fields.Many2one('crm.lead', string='Enquiry')
    patient_id = fields.Many2one('res.partner', string='Patient', domain=[('is_patient', '=', True)])
    specialty_ids = fields.Many2many('sehat.specialty', string='Specialties',
                                     help='From the symptoms of the enquiry; change them if needed.')
    language_id = fields.Many2one('sehat.language', string='Language')
    gender = fields.Selection(GENDER_PREFERENCES, string='Gender preference')
    fee_cap = fields.Float(string='Maximum fee', help='Leave empty for no limit.')
    department_id = fields.Many2one('sehat.department', string='Department')
    days = fields.Integer(string='Look ahead (days)', default=14, required=True)
    line_ids = fields.One2many('sehat.doctor.match.line', 'wizard_id', string='Best doctors')
    excluded = fields.Text(string='Not proposed', readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super(SehatDoctorMatch, self).default_get(fields_list)
        lead = self.env['crm.lead'].browse(values.get('lead_id') or self.env.context.get('default_lead_id'))
        patient = self.env['res.partner'].browse(values.get('patient_id')) or lead.partner_id
        if lead:
            values['specialty_ids'] = [(6, 0, lead.sudo().symptom_ids.mapped('specialty_id').ids)]
        if patient:
            values['patient_id'] = patient.id
            language = patient.sudo().preferred_language_id
            if language:
                values['language_id'] = language.id
        return values

    def _specialty_weights(self):
        weights = {}
        symptoms = self.lead_id.sudo().symptom_ids
        for specialty in self.specialty_ids:
            weight = sum(s.urgency_weight or 1 for s in symptoms if s.specialty_id == specialty)
            weights[specialty.id] = weight or 1
        return weights

    def _request(self):
        if self.fee_cap < 0:
            raise UserError(_('The maximum fee cannot be negative.'))
        return matching.MatchRequest(
            specialty_weights=self._specialty_weights(),
            language_ids={self.language_id.id} if self.language_id else set(),
            gender=self.gender or None, fee_cap=self.fee_cap or None, department_id=self.department_id.id or None)

    @api.model
    def _facts(self, booking_facts, availability):
        """lib.matching.DoctorFacts from the doctors' booking facts and their availability."""
        facts = []
        for doctor in booking_facts:
            slot, load, capacity = availability.get(doctor.id, (None, 0, 1))
            facts.append(matching.DoctorFacts(
                id=doctor.id, name=doctor.name, specialty_ids=set(doctor.specialty_ids),
                language_ids=set(doctor.language_ids), gender=doctor.gender or None, fee=doctor.fee or 0.0,
                department_id=doctor.department_id or None,
                rating=doctor.rating if doctor.rating_count else None,
                next_slot=slot.start if slot else None, load=load, capacity=capacity))
        return facts

    def sehat_rank(self, limit=5):
        """[(lib Match, DoctorFacts)] for the best doctors, and {doctor: why not} for the others
        that practise a requested specialty."""
        self.ensure_one()
        request = self._request()
        now = datetime.utcnow()
        doctors = self.env['sehat.doctor'].search([('registration_verified', '=', True)])  # access rules apply
        booking = doctors.sehat_booking_facts()
        # hard filters that need no calendar first, then availability for the rest only
        unscheduled = {f.id: f for f in self._facts(booking.values(), {})}
        candidate_ids = [i for i, f in unscheduled.items()
                         if matching.excluded_reason(request, f._replace(next_slot=now)) is None]
        candidates = self.env['sehat.doctor'].browse(candidate_ids)
        facts = self._facts([booking[i] for i in candidate_ids],
                            candidates.sehat_availability(days=self.days, facts=booking))
        ranked = matching.rank_doctors(request, facts, now=now, limit=limit)
        by_id = {f.id: f for f in facts}
        wanted = set(request.specialty_weights)
        why_not = {}
        for doctor_id, doctor in unscheduled.items():
            if wanted and not doctor.specialty_ids & wanted:
                continue
            reason = matching.excluded_reason(request, by_id.get(doctor_id, doctor._replace(next_slot=now)))
            if reason:
                why_not[doctor.name] = reason
        return [(m, by_id[m.doctor_id]) for m in ranked], why_not

    def action_match(self):
        self.ensure_one()
        ranked, why_not = self.sehat_rank()
        lines = [(5, 0, 0)]
        for rank, (match, facts) in enumerate(ranked, 1):
            lines.append((0, 0, {'rank': rank, 'doctor_id': match.doctor_id, 'score': match.score,
                                 'next_slot': fields.Datetime.to_string(facts.next_slot) if facts.next_slot else False,
                                 'reasons': '\n'.join(match.reasons)}))
        self.write({'line_ids': lines,
                    'excluded': '\n'.join('%s: %s' % item for item in sorted(why_not.items())) or False})
        if not ranked:
            raise UserError(_('No doctor matches: widen the fee cap, the gender preference or the department.'))
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id,
                'view_mode': 'form', 'target': 'new', 'name': _('Find a doctor')}


class SehatDoctorMatchLine(models.TransientModel):
    _name = 'sehat.doctor.match.line'
    _description = 'Doctor proposed'
    _order = 'rank'

    wizard_id = fields.Many2one('sehat.doctor.match', required=True, ondelete='cascade')
    rank = fields.Integer()
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', required=True)
    score = fields.Integer()
    next_slot = fields.Datetime(string='Next free slot')
    reasons = fields.Text(string='Why')

    def action_book(self):
        """Opens the slot picker for this doctor, with the free slots already listed."""
        self.ensure_one()
        wizard = self.wizard_id
        if not wizard.patient_id:
            raise UserError(_('Register the caller as a patient first (convert the enquiry), then book.'))
        specialty = wizard.specialty_ids & self.doctor_id.specialty_ids
        book = self.env['sehat.appointment.book'].create({
            'patient_id': wizard.patient_id.id, 'lead_id': wizard.lead_id.id, 'doctor_id': self.doctor_id.id,
            'specialty_id': specialty[:1].id, 'days': wizard.days})
        return book.action_find_slots()

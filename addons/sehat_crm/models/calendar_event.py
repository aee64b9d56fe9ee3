from odoo import api, models


class CalendarEvent(models.Model):
    _inherit = 'calendar.event'

    @api.model
    def _sehat_visits_sql(self):
        """SQL returning (partner_id, visit_day) for every completed visit of a patient.

        A visit is a calendar event the patient attended that has ended. Uses the
        %(now)s parameter.
        """
        return """
            SELECT rel.res_partner_id AS partner_id, (e.stop AT TIME ZONE 'UTC')::date AS visit_day
              FROM calendar_event e
              JOIN calendar_event_res_partner_rel rel ON rel.calendar_event_id = e.id
              JOIN res_partner p ON p.id = rel.res_partner_id AND p.is_patient
             WHERE e.active AND e.stop < %(now)s
        """

    @api.model
    def create(self, vals):
        event = super(CalendarEvent, self).create(vals)
        event._sehat_appointment_booked()
        return event

    def write(self, vals):
        res = super(CalendarEvent, self).write(vals)
        if 'partner_ids' in vals:
            self._sehat_appointment_booked()
        return res

    def _sehat_appointment_booked(self):
        """A patient on the calendar becomes a Customer, and their open leads are won."""
        patients = self.sudo().mapped('partner_ids').filtered('is_patient')
        if not patients:
            return
        patients.sehat_lifecycle_event('appointment_booked')
        leads = self.env['crm.lead'].sudo().search(
            [('partner_id', 'in', patients.ids), ('type', '=', 'lead'), ('active', '=', True)])
        for lead in leads:
            lead.with_context(sehat_no_triage=True).write({'type': 'opportunity'})
            lead.action_set_won()

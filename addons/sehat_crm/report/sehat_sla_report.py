from odoo import fields, models, tools

from ..models.crm_lead import BAND_SELECTION, CHANNELS


class SehatSlaReport(models.Model):
    """Queue SLA compliance: one row per enquiry whose call deadline has passed or that was
    handled (converted or closed). In time = handled before its deadline; the average of
    ``in_time`` (100 or 0) is the compliance rate."""
    _name = 'sehat.sla.report'
    _description = 'Lead queue SLA compliance'
    _auto = False
    _order = 'enquiry_date desc'

    lead_id = fields.Many2one('crm.lead', string='Enquiry', readonly=True)
    enquiry_date = fields.Datetime(readonly=True)
    urgency_band = fields.Selection(BAND_SELECTION, readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    source_id = fields.Many2one('utm.source', string='Source', readonly=True)
    team_id = fields.Many2one('crm.team', string='Team', readonly=True)
    user_id = fields.Many2one('res.users', string='Handled by', readonly=True)
    in_time = fields.Float(string='Handled in time (%)', group_operator='avg', readonly=True)
    minutes_to_handle = fields.Float(string='Minutes to handle', group_operator='avg', readonly=True)
    enquiries = fields.Integer(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW sehat_sla_report AS (
                SELECT l.id, l.id AS lead_id, l.enquiry_date, l.urgency_band, l.channel, l.source_id, l.team_id,
                       l.user_id, 1 AS enquiries,
                       CASE WHEN h.handled IS NOT NULL AND h.handled <= l.sla_deadline THEN 100.0 ELSE 0.0 END
                           AS in_time,
                       extract(epoch FROM h.handled - l.enquiry_date) / 60.0 AS minutes_to_handle
                  FROM crm_lead l
                  CROSS JOIN LATERAL (SELECT LEAST(l.date_conversion, l.date_closed) AS handled) h
                 WHERE l.sla_deadline IS NOT NULL AND l.enquiry_date IS NOT NULL
                   AND (h.handled IS NOT NULL OR l.sla_deadline < (now() AT TIME ZONE 'UTC'))
            )
        """)

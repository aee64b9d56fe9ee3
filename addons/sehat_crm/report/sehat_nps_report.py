from odoo import api, fields, models, tools

from ..lib import nps as nps_lib
from ..models.sehat_nps import CATEGORIES


class SehatNpsReport(models.Model):
    """One row per survey sent. Averages give the figures: NPS = average of nps_points over the
    answers (+100 promoter, 0 passive, -100 detractor, empty when unanswered) = % promoters -
    % detractors; response rate = average of answered (100 or 0)."""
    _name = 'sehat.nps.report'
    _description = 'NPS by doctor, department, campaign and month'
    _auto = False
    _order = 'sent_date desc'

    sent_date = fields.Datetime(string='Sent', readonly=True)
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', readonly=True)
    department_id = fields.Many2one('sehat.department', string='Department', readonly=True)
    campaign_id = fields.Many2one('utm.campaign', string='Campaign', readonly=True)
    patient_id = fields.Many2one('res.partner', string='Patient', readonly=True)
    category = fields.Selection(CATEGORIES, readonly=True)
    nps = fields.Float(string='NPS', group_operator='avg', readonly=True)
    response_rate = fields.Float(string='Response rate (%)', group_operator='avg', readonly=True)
    answers = fields.Integer(readonly=True)
    surveys = fields.Integer(string='Sent', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW sehat_nps_report AS (
                SELECT r.id, r.sent_date, r.doctor_id, r.department_id, r.campaign_id, r.patient_id, r.category,
                       CASE r.category WHEN 'promoter' THEN 100.0 WHEN 'detractor' THEN -100.0
                                       WHEN 'passive' THEN 0.0 END AS nps,
                       CASE WHEN r.state = 'answered' THEN 100.0 ELSE 0.0 END AS response_rate,
                       CASE WHEN r.state = 'answered' THEN 1 ELSE 0 END AS answers,
                       1 AS surveys
                  FROM sehat_nps_response r
            )
        """)

    @api.model
    def sehat_nps(self, domain=None):
        """lib.nps.NpsResult over the surveys matching ``domain``: one aggregate query."""
        query = self._where_calc(domain or [])
        self._apply_ir_rules(query, 'read')
        from_clause, where_clause, params = query.get_sql()
        self.env.cr.execute("""
            SELECT count(*) FILTER (WHERE category = 'promoter'), count(*) FILTER (WHERE category = 'passive'),
                   count(*) FILTER (WHERE category = 'detractor'), count(*)
              FROM {table} WHERE {where}
        """.format(table=from_clause, where=where_clause or 'TRUE'), params)  # pylint: disable=sql-injection
        promoters, passives, detractors, sent = self.env.cr.fetchone()
        return nps_lib.nps_from_counts(promoters, passives, detractors, sent=sent)

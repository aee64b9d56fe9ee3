from psycopg2 import sql

from odoo import fields, models, tools

COHORT_SQL = """
    SELECT partner_id,
           min(date) FILTER (WHERE to_stage = 'prospect') AS prospect_at,
           min(date) FILTER (WHERE to_stage = 'qualified') AS qualified_at,
           min(date) FILTER (WHERE to_stage = 'customer') AS customer_at,
           min(date) FILTER (WHERE to_stage = 'loyal') AS loyal_at,
           (array_agg(source_id ORDER BY date, id) FILTER (WHERE source_id IS NOT NULL))[1] AS source_id,
           (array_agg(campaign_id ORDER BY date, id) FILTER (WHERE campaign_id IS NOT NULL))[1] AS campaign_id
      FROM sehat_lifecycle_history
     GROUP BY partner_id
"""


class SehatFunnelReport(models.Model):
    """One row per patient who entered the funnel: pivot and graph of conversion by cohort."""
    _name = 'sehat.funnel.report'
    _description = 'Patient funnel (per patient)'
    _auto = False
    _rec_name = 'partner_id'
    _order = 'cohort_month desc'

    partner_id = fields.Many2one('res.partner', string='Patient', readonly=True)
    cohort_month = fields.Date(string='Captured in', readonly=True)
    source_id = fields.Many2one('utm.source', string='Source', readonly=True)
    campaign_id = fields.Many2one('utm.campaign', string='Campaign', readonly=True)
    lifecycle_stage = fields.Selection(related='partner_id.lifecycle_stage', readonly=True)
    qualified = fields.Float(string='Qualified (%)', group_operator='avg', readonly=True)
    customer = fields.Float(string='Customer (%)', group_operator='avg', readonly=True)
    loyal = fields.Float(string='Loyal (%)', group_operator='avg', readonly=True)
    days_to_qualified = fields.Float(group_operator='avg', readonly=True)
    days_to_customer = fields.Float(group_operator='avg', readonly=True)
    patients = fields.Integer(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(sql.SQL("""
            CREATE VIEW {} AS
            SELECT c.partner_id AS id, c.partner_id,
                   date_trunc('month', c.prospect_at)::date AS cohort_month,
                   c.source_id, c.campaign_id, 1 AS patients,
                   CASE WHEN c.qualified_at IS NOT NULL OR c.customer_at IS NOT NULL THEN 100.0 ELSE 0 END
                       AS qualified,
                   CASE WHEN c.customer_at IS NOT NULL THEN 100.0 ELSE 0 END AS customer,
                   CASE WHEN c.loyal_at IS NOT NULL THEN 100.0 ELSE 0 END AS loyal,
                   extract(epoch FROM c.qualified_at - c.prospect_at) / 86400.0 AS days_to_qualified,
                   extract(epoch FROM c.customer_at - c.prospect_at) / 86400.0 AS days_to_customer
              FROM ({}) c
             WHERE c.prospect_at IS NOT NULL
        """).format(sql.Identifier(self._table), sql.SQL(COHORT_SQL)))


class SehatFunnelSummary(models.Model):
    """Funnel per month, source and campaign: conversion rates and median days between stages."""
    _name = 'sehat.funnel.summary'
    _description = 'Patient funnel (summary)'
    _auto = False
    _order = 'cohort_month desc, prospects desc'

    cohort_month = fields.Date(string='Captured in', readonly=True)
    source_id = fields.Many2one('utm.source', string='Source', readonly=True)
    campaign_id = fields.Many2one('utm.campaign', string='Campaign', readonly=True)
    prospects = fields.Integer(readonly=True)
    qualified = fields.Integer(readonly=True)
    customers = fields.Integer(readonly=True)
    loyal = fields.Integer(readonly=True)
    qualified_rate = fields.Float(string='Prospect > Qualified (%)', group_operator='avg', readonly=True)
    customer_rate = fields.Float(string='Prospect > Customer (%)', group_operator='avg', readonly=True)
    median_days_to_qualified = fields.Float(string='Median days to Qualified', group_operator='max', readonly=True)
    median_days_to_customer = fields.Float(string='Median days to Customer', group_operator='max', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(sql.SQL("""
            CREATE VIEW {} AS
            SELECT row_number() OVER (ORDER BY g.cohort_month, g.source_id, g.campaign_id) AS id, g.*,
                   round(100.0 * g.qualified / g.prospects, 1) AS qualified_rate,
                   round(100.0 * g.customers / g.prospects, 1) AS customer_rate
              FROM (
                SELECT date_trunc('month', c.prospect_at)::date AS cohort_month, c.source_id, c.campaign_id,
                       count(*) AS prospects,
                       count(*) FILTER (WHERE c.qualified_at IS NOT NULL OR c.customer_at IS NOT NULL) AS qualified,
                       count(c.customer_at) AS customers,
                       count(c.loyal_at) AS loyal,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY extract(epoch FROM c.qualified_at - c.prospect_at) / 86400.0)
                           AS median_days_to_qualified,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY extract(epoch FROM c.customer_at - c.prospect_at) / 86400.0)
                           AS median_days_to_customer
                  FROM ({}) c
                 WHERE c.prospect_at IS NOT NULL
                 GROUP BY 1, 2, 3) g
        """).format(sql.Identifier(self._table), sql.SQL(COHORT_SQL)))

from odoo import fields, models, tools


class SehatAdherenceReport(models.Model):
    """One row per treatment-plan follow-up already due (closed ones without a visit left out):
    adherence = share fulfilled by a visit; revenue = the visit's validated invoice."""
    _name = 'sehat.adherence.report'
    _description = 'Treatment adherence'
    _auto = False
    _rec_name = 'task_id'
    _order = 'due_date desc'

    task_id = fields.Many2one('project.task', string='Follow-up', readonly=True)
    plan_id = fields.Many2one('sehat.treatment.plan', string='Plan', readonly=True)
    patient_id = fields.Many2one('res.partner', string='Patient', readonly=True)
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', readonly=True)
    condition_id = fields.Many2one('sehat.condition', string='Condition', readonly=True)
    product_id = fields.Many2one('product.product', string='Service', readonly=True)
    due_date = fields.Date(string='Due', readonly=True)
    due_count = fields.Integer(string='Due', readonly=True)
    fulfilled_count = fields.Integer(string='Fulfilled', readonly=True)
    adherence = fields.Float(string='Adherence (%)', group_operator='avg', readonly=True)
    revenue = fields.Float(string='Repeat-visit revenue', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW sehat_adherence_report AS (
                SELECT t.id, t.id AS task_id, t.sehat_plan_id AS plan_id, p.patient_id, p.doctor_id,
                       p.condition_id, l.product_id, t.sehat_due_date AS due_date, 1 AS due_count,
                       CASE WHEN t.sehat_fulfilled THEN 1 ELSE 0 END AS fulfilled_count,
                       CASE WHEN t.sehat_fulfilled THEN 100.0 ELSE 0.0 END AS adherence,
                       CASE WHEN t.sehat_fulfilled AND i.state IN ('open', 'paid')
                            THEN i.amount_untaxed ELSE 0.0 END AS revenue
                  FROM project_task t
                  JOIN sehat_treatment_plan p ON p.id = t.sehat_plan_id
                  JOIN sehat_treatment_plan_line l ON l.id = t.sehat_plan_line_id
                  LEFT JOIN calendar_event e ON e.id = t.sehat_event_id
                  LEFT JOIN account_invoice i ON i.id = e.invoice_id
                 WHERE t.sehat_due_date <= (now() AT TIME ZONE 'UTC')::date
                   AND (t.sehat_fulfilled OR t.sehat_close_reason IS NULL)
            )
        """)

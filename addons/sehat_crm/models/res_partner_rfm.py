"""RFM per patient, computed nightly (and on demand) in a few set-based SQL statements."""
import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..lib import rfm as rfm_lib
from ..lib.lifecycle import months_before

_logger = logging.getLogger(__name__)

RFM_GROUPS = 'sehat_crm.group_sehat_user,sehat_crm.group_sehat_doctor'
DEFAULT_WINDOW_MONTHS = 24

# Activity per patient: completed visits (appointments done) and paid customer invoices.
# Recency counts from the latest of either; frequency and monetary within the window.
RFM_SQL = """
    WITH visits AS (
        SELECT e.patient_id AS partner_id, max(e.stop)::date AS last_day,
               count(*) FILTER (WHERE e.stop >= %(since)s) AS frequency
          FROM calendar_event e
         WHERE e.appointment_state = 'done' AND e.active AND e.patient_id IS NOT NULL
         GROUP BY e.patient_id
    ), payments AS (
        SELECT i.partner_id, max(i.date_invoice) AS last_day,
               sum(i.amount_total_company_signed) FILTER (WHERE i.date_invoice >= %(since)s) AS monetary
          FROM account_invoice i
         WHERE i.type = 'out_invoice' AND i.state = 'paid'
         GROUP BY i.partner_id
    ), activity AS (
        SELECT p.id,
               %(today)s - GREATEST(v.last_day, pay.last_day) AS recency_days,
               COALESCE(v.frequency, 0) AS frequency, COALESCE(pay.monetary, 0) AS monetary
          FROM res_partner p
          LEFT JOIN visits v ON v.partner_id = p.id
          LEFT JOIN payments pay ON pay.partner_id = p.id
         WHERE p.is_patient AND (v.partner_id IS NOT NULL OR pay.partner_id IS NOT NULL)
    ), scored AS (
        SELECT id, recency_days, frequency, monetary,
               {r_score} AS r_score, {f_score} AS f_score, {m_score} AS m_score
          FROM activity
    ), segmented AS (
        SELECT scored.*, {segment} AS segment FROM scored
    ), updated AS (
        UPDATE res_partner p
           SET rfm_recency_days = s.recency_days, rfm_frequency = s.frequency, rfm_monetary = s.monetary,
               rfm_r = s.r_score, rfm_f = s.f_score, rfm_m = s.m_score, rfm_segment = s.segment,
               rfm_date = %(now)s
          FROM segmented s
         WHERE p.id = s.id
        RETURNING p.id
    )
    SELECT count(*) FROM updated
""".format(r_score=rfm_lib.R_SCORE_SQL, f_score=rfm_lib.F_SCORE_SQL, m_score=rfm_lib.M_SCORE_SQL,
           segment=rfm_lib.SEGMENT_SQL_CASE)

# Patients who had an RFM and have no activity any more (e.g. a cancelled invoice).
RFM_RESET_SQL = """
    UPDATE res_partner p
       SET rfm_recency_days = NULL, rfm_frequency = 0, rfm_monetary = 0, rfm_r = NULL, rfm_f = NULL, rfm_m = NULL,
           rfm_segment = 'none', rfm_date = %(now)s
     WHERE p.is_patient AND p.rfm_segment IS NOT NULL AND p.rfm_segment != 'none' AND p.rfm_date < %(now)s
"""


class ResPartner(models.Model):
    _inherit = 'res.partner'

    rfm_recency_days = fields.Integer(string='Days since last visit or payment', readonly=True, groups=RFM_GROUPS)
    rfm_frequency = fields.Integer(string='Visits (RFM window)', readonly=True, groups=RFM_GROUPS)
    rfm_monetary = fields.Float(string='Paid (RFM window)', readonly=True, groups=RFM_GROUPS)
    rfm_r = fields.Integer(string='R', readonly=True, groups=RFM_GROUPS, group_operator='avg')
    rfm_f = fields.Integer(string='F', readonly=True, groups=RFM_GROUPS, group_operator='avg')
    rfm_m = fields.Integer(string='M', readonly=True, groups=RFM_GROUPS, group_operator='avg')
    rfm_segment = fields.Selection(
        [(s, rfm_lib.SEGMENT_LABELS[s]) for s in rfm_lib.SEGMENTS] + [(rfm_lib.NO_ACTIVITY, rfm_lib.NO_ACTIVITY_LABEL)],
        string='RFM segment', readonly=True, index=True, groups=RFM_GROUPS)
    rfm_date = fields.Datetime(string='RFM computed on', readonly=True, groups=RFM_GROUPS)

    @api.model
    def sehat_compute_rfm(self):
        """Scores every patient with activity (lib.rfm rules, in SQL window functions) and writes
        them back in the same statement; resets those without activity. Returns the count scored."""
        if not (self.env.user._is_superuser() or self.env.user.has_group('sehat_crm.group_sehat_manager')):
            raise AccessError(_('Only a Sehat manager can recompute RFM.'))
        get = self.env['ir.config_parameter'].sudo().get_param
        months = int(get('sehat_crm.rfm_months', DEFAULT_WINDOW_MONTHS))
        today = fields.Date.from_string(fields.Date.context_today(self))
        params = {'today': today, 'since': months_before(today, months), 'now': fields.Datetime.now()}
        started = time.time()
        self.env.cr.execute(RFM_SQL, params)
        scored = self.env.cr.fetchone()[0]
        self.env.cr.execute(RFM_RESET_SQL, params)
        self.invalidate_cache(['rfm_recency_days', 'rfm_frequency', 'rfm_monetary', 'rfm_r', 'rfm_f', 'rfm_m',
                               'rfm_segment', 'rfm_date'])
        _logger.info('RFM: %d patients scored in %.2fs', scored, time.time() - started)
        return scored

    def action_sehat_compute_rfm(self):
        self.sehat_compute_rfm()
        return True

"""Excel exports of the dashboards (lib.xlsx_report): lead queue, funnel, NPS by doctor, RFM.

Each export is one SQL query streamed into the workbook (constant memory for large ones), after
a count: more rows than Excel holds are refused before anything is written. The file is stored
as an attachment of the wizard and downloaded from there."""
import base64
import io

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import xlsx_report
from ..lib.xlsx_report import ChartSpec, Column, TooManyRows

EXPORTS = {
    'queue': {
        'title': 'Lead queue', 'file': 'lead-queue',
        'columns': [Column('band', 'Urgency', 'text', 12), Column('score', 'Score', 'int', 8),
                    Column('name', 'Enquiry', 'text', 40), Column('contact', 'Contact', 'text', 24),
                    Column('phone', 'Phone', 'text', 16), Column('channel', 'Channel', 'text', 10),
                    Column('enquiry_date', 'Received', 'datetime', 18),
                    Column('sla_deadline', 'Call before', 'datetime', 18), Column('overdue', 'Overdue', 'text', 9),
                    Column('agent', 'Assigned to', 'text', 20)],
        'sql': """
            SELECT l.urgency_band AS band, l.urgency_score AS score, l.name, l.contact_name AS contact,
                   COALESCE(l.phone_e164, l.mobile, l.phone) AS phone, l.channel, l.enquiry_date, l.sla_deadline,
                   CASE WHEN l.sla_overdue THEN 'yes' ELSE '' END AS overdue, p.name AS agent
              FROM crm_lead l LEFT JOIN res_users u ON u.id = l.user_id LEFT JOIN res_partner p ON p.id = u.partner_id
             WHERE l.active AND l.type = 'lead'
             ORDER BY l.urgency_rank DESC, l.enquiry_date, l.id""",
        'chart': None,
        'group': 'sehat_crm.group_sehat_manager',
    },
    'funnel': {
        'title': 'Patient funnel', 'file': 'patient-funnel',
        'columns': [Column('month', 'Captured in', 'date', 14), Column('patients', 'Patients', 'int', 10),
                    Column('qualified', 'Qualified (%)', 'percent', 14),
                    Column('customer', 'Customer (%)', 'percent', 14),
                    Column('loyal', 'Loyal (%)', 'percent', 12)],
        'sql': """
            SELECT cohort_month AS month, sum(patients) AS patients, avg(qualified) AS qualified,
                   avg(customer) AS customer, avg(loyal) AS loyal
              FROM sehat_funnel_report GROUP BY cohort_month ORDER BY cohort_month""",
        'chart': ChartSpec('column', 'Conversion by month', 'month', ['qualified', 'customer', 'loyal']),
        'group': 'sehat_crm.group_sehat_manager',
    },
    'nps': {
        'title': 'NPS by doctor', 'file': 'nps-by-doctor',
        'columns': [Column('doctor', 'Doctor', 'text', 28), Column('sent', 'Surveys sent', 'int', 12),
                    Column('answers', 'Answers', 'int', 10), Column('nps', 'NPS', 'float', 8),
                    Column('response_rate', 'Response rate', 'percent', 14)],
        'sql': """
            SELECT COALESCE(p.name, '-') AS doctor, count(*) AS sent, count(r.category) AS answers,
                   round(avg(CASE r.category WHEN 'promoter' THEN 100.0 WHEN 'detractor' THEN -100.0
                                             WHEN 'passive' THEN 0.0 END), 1) AS nps,
                   round(100.0 * count(r.category) / count(*), 1) AS response_rate
              FROM sehat_nps_response r LEFT JOIN sehat_doctor d ON d.id = r.doctor_id
              LEFT JOIN res_partner p ON p.id = d.partner_id
             GROUP BY p.name ORDER BY p.name""",
        'chart': ChartSpec('bar', 'NPS by doctor', 'doctor', ['nps']),
        'group': 'sehat_crm.group_sehat_manager',
    },
    'rfm': {
        'title': 'RFM segments', 'file': 'rfm-segments',
        'columns': [Column('ref', 'Patient ID', 'text', 16), Column('name', 'Patient', 'text', 28),
                    Column('segment', 'Segment', 'text', 18), Column('r', 'R', 'int', 5), Column('f', 'F', 'int', 5),
                    Column('m', 'M', 'int', 5), Column('recency', 'Days since last', 'int', 14),
                    Column('frequency', 'Visits', 'int', 8), Column('monetary', 'Paid', 'money', 12)],
        'sql': """
            SELECT patient_ref AS ref, name, rfm_segment AS segment, rfm_r AS r, rfm_f AS f, rfm_m AS m,
                   rfm_recency_days AS recency, rfm_frequency AS frequency, rfm_monetary AS monetary
              FROM res_partner WHERE is_patient AND rfm_segment IS NOT NULL AND rfm_segment != 'none'
             ORDER BY rfm_segment, rfm_monetary DESC, id""",
        'chart': None,
        'group': 'sehat_crm.group_sehat_manager',
    },
}


class SehatExport(models.TransientModel):
    _name = 'sehat.export'
    _description = 'Excel export'

    report = fields.Selection([(key, spec['title']) for key, spec in EXPORTS.items()], required=True,
                              default='queue')
    file_name = fields.Char(readonly=True)
    rows = fields.Integer(readonly=True)

    def _sehat_count(self, sql):
        self.env.cr.execute('SELECT count(*) FROM (%s) AS export' % sql)  # pylint: disable=sql-injection
        return self.env.cr.fetchone()[0]

    def sehat_write(self, target):
        """Writes the chosen report to ``target`` (path or binary file); returns the rows written."""
        self.ensure_one()
        spec = EXPORTS[self.report]
        if not (self.env.user._is_superuser() or self.env.user.has_group(spec['group'])):
            raise AccessError(_('Only a Sehat manager can export %(report)s.') % {'report': spec['title']})
        count = self._sehat_count(spec['sql'])
        # a server-side cursor on the same transaction: rows stream in batches, memory stays flat
        with self.env.cr._cnx.cursor(name='sehat_export_%d' % self.id) as cursor:
            cursor.itersize = 2000
            cursor.execute(spec['sql'])  # its columns come in the order of spec['columns']
            try:
                return xlsx_report.write_report(target, spec['title'][:31], spec['columns'], cursor,
                                                chart=spec['chart'], title=spec['title'], row_count=count)
            except TooManyRows as err:
                raise UserError(str(err))

    def action_export(self):
        self.ensure_one()
        buffer = io.BytesIO()
        written = self.sehat_write(buffer)
        spec = EXPORTS[self.report]
        name = '%s-%s.xlsx' % (spec['file'], fields.Date.context_today(self))
        attachment = self.env['ir.attachment'].create({
            'name': name, 'datas_fname': name, 'res_model': self._name, 'res_id': self.id,
            'datas': base64.b64encode(buffer.getvalue()),
            'mimetype': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'})
        self.write({'file_name': name, 'rows': written})
        return {'type': 'ir.actions.act_url', 'target': 'self',
                'url': '/web/content/%d?download=true' % attachment.id}

"""Dashboards computed by SQL views: queue SLA compliance."""
from datetime import datetime, timedelta

from odoo import fields

from .common import SehatCase


class TestSlaCompliance(SehatCase):

    def lead(self, name, minutes_ago, handled_after=None, closed=False):
        """A routine enquiry (SLA 24 h by default) that came in ``minutes_ago``."""
        enquiry = datetime.utcnow() - timedelta(minutes=minutes_ago)
        lead = self.env['crm.lead'].create({'name': name, 'type': 'lead',
                                            'enquiry_date': fields.Datetime.to_string(enquiry)})
        if handled_after is not None:
            handled = fields.Datetime.to_string(enquiry + timedelta(minutes=handled_after))
            lead.write({'date_closed': handled} if closed else {'date_conversion': handled})
        return lead

    def test_compliance_counts_handled_and_overdue_enquiries(self):
        day = 24 * 60
        leads = (self.lead('in time', 3 * day, handled_after=60)
                 | self.lead('late', 3 * day, handled_after=2 * day, closed=True)
                 | self.lead('overdue, never handled', 2 * day)
                 | self.lead('still within its deadline', 30))
        Report = self.env['sehat.sla.report']
        rows = Report.search([('lead_id', 'in', leads.ids)])
        self.assertEqual(len(rows), 3, 'an enquiry still within its deadline is not judged yet')
        group = Report.read_group([('lead_id', 'in', leads.ids)], ['urgency_band', 'in_time', 'enquiries'],
                                  ['urgency_band'])[0]
        self.assertEqual(group['enquiries'], 3)
        self.assertAlmostEqual(group['in_time'], 100.0 / 3)
        in_time = rows.filtered(lambda r: r.lead_id.name == 'in time')
        self.assertAlmostEqual(in_time.minutes_to_handle, 60.0, places=3)

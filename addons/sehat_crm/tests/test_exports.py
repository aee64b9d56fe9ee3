"""Excel exports: the files open in a reader with the expected header, rows and formats."""
import io

import openpyxl

from odoo.exceptions import AccessError, UserError

from ..lib import xlsx_report
from .common import SehatCase


class TestExports(SehatCase):

    def export(self, report, user=None):
        wizard = self.env['sehat.export'].sudo(user or self.manager).create({'report': report})
        buffer = io.BytesIO()
        written = wizard.sehat_write(buffer)
        buffer.seek(0)
        return written, openpyxl.load_workbook(buffer)

    def test_lead_queue_export(self):
        self.env['crm.lead'].create({'name': 'Export me', 'type': 'lead', 'contact_name': 'Asha',
                                     'symptom_ids': [(6, 0, self.env.ref('sehat_crm.symptom_chest_pain').ids)]})
        written, book = self.export('queue')
        sheet = book.active
        self.assertEqual(sheet['A1'].value, 'Lead queue')
        header = [cell.value for cell in sheet[2]]
        self.assertEqual(header[:3], ['Urgency', 'Score', 'Enquiry'])
        self.assertTrue(sheet['A2'].font.bold)
        self.assertEqual(sheet.freeze_panes, 'A3')
        self.assertEqual(written, self.env['crm.lead'].search_count([('type', '=', 'lead')]))
        names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
        self.assertIn('Export me', names)
        first = next(sheet.iter_rows(min_row=3, max_row=3))
        self.assertEqual(first[0].value, 'emergency', 'most urgent first')
        self.assertEqual(first[1].number_format, '#,##0')

    def test_every_export_opens(self):
        self.env['res.partner'].sehat_compute_rfm()
        for report in ('funnel', 'nps', 'rfm'):
            written, book = self.export(report)
            self.assertEqual(book.active.max_row, written + 2, report)

    def test_too_many_rows_is_refused_before_writing(self):
        self.env['crm.lead'].create({'name': 'one more', 'type': 'lead'})
        limit = xlsx_report.MAX_ROWS
        xlsx_report.MAX_ROWS = 3
        try:
            wizard = self.env['sehat.export'].sudo(self.manager).create({'report': 'queue'})
            buffer = io.BytesIO()
            with self.assertRaisesRegex(UserError, 'Excel holds at most'):
                wizard.sehat_write(buffer)
            self.assertEqual(buffer.getvalue(), b'')
        finally:
            xlsx_report.MAX_ROWS = limit

    def test_only_managers_export(self):
        with self.assertRaises(AccessError):
            self.export('queue', user=self.rep)

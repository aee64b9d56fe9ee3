import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest

from .. import xlsx_report
from ..xlsx_report import (
    CHART_KINDS, KINDS, MAX_ROWS, NUMBER_FORMATS, ChartSpec, Column, TooManyRows, wants_constant_memory,
    write_report)

COLUMNS = (
    Column('ref', 'Lead', 'text'),
    Column('visits', 'Visits', 'int'),
    Column('score', 'Score', 'float'),
    Column('revenue', 'Revenue', 'money'),
    Column('conversion', 'Conversion', 'percent'),
    Column('day', 'Date', 'date'),
    Column('created', 'Created on', 'datetime', 18),
)
ROWS = (
    {'ref': 'L-001', 'visits': 1234, 'score': 3.25, 'revenue': 1234567.5, 'conversion': 12.5,
     'day': '2024-03-05', 'created': '2024-03-05 14:30:00'},
    {'ref': 'L-002', 'visits': 0, 'score': 2, 'revenue': Decimal('99.90'), 'conversion': 100,
     'day': date(2024, 3, 6), 'created': datetime(2024, 3, 6, 9, 15)},
    {'ref': 'L-003', 'visits': None, 'score': None, 'revenue': None, 'conversion': None, 'day': None, 'created': None},
)
TUPLES = tuple(tuple(row[column.key] for column in COLUMNS) for row in ROWS)
REVENUE_CHART = ChartSpec('column', 'Revenue by lead', 'ref', ['revenue'])


def _write(rows=ROWS, columns=COLUMNS, sheet_title='Lead queue', **kwargs):
    """Write a report to a BytesIO; return ``(count, bytes)``."""
    buffer = io.BytesIO()
    count = write_report(buffer, sheet_title, columns, rows, **kwargs)
    return count, buffer.getvalue()


def _sheet(data):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _report(rows=ROWS, columns=COLUMNS, **kwargs):
    return _sheet(_write(rows, columns, **kwargs)[1])


def _zip_names(data):
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def _chart_xml(data):
    return zipfile.ZipFile(io.BytesIO(data)).read('xl/charts/chart1.xml').decode('utf-8')


def _rows_never_read():
    raise AssertionError('the rows were read')
    yield  # pylint: disable=unreachable


def _numbered_rows(count, read):
    """``count`` tuple rows for COLUMNS; appends each number to ``read`` as it is handed out."""
    for number in range(1, count + 1):
        read.append(number)
        yield ('L-%d' % number, number, 1.5, 10.0, 50, '2024-01-01', '2024-01-01 08:00:00')


# -- layout -------------------------------------------------------------------------------------------------------

def test_header_row_is_bold_shaded_boxed_and_wrapped():
    ws = _report()
    header = ws[1]
    assert [cell.value for cell in header] == [column.title for column in COLUMNS]
    for cell in header:
        assert cell.font.b, cell.coordinate
        assert cell.fill.fgColor.rgb == 'FFD9E1F2', cell.coordinate
        assert (cell.border.left.style, cell.border.right.style, cell.border.top.style,
                cell.border.bottom.style) == ('thin',) * 4, cell.coordinate
        assert cell.alignment.wrap_text, cell.coordinate


def test_no_title_puts_the_header_on_row_1():
    ws = _report()
    assert ws['A1'].value == 'Lead'
    assert ws.freeze_panes == 'A2'
    assert ws.auto_filter.ref == 'A1:G4'
    assert ws.max_row == 4


def test_title_row_above_the_header():
    ws = _report(title='Lead queue, March 2024')
    assert ws['A1'].value == 'Lead queue, March 2024'
    assert ws['A1'].font.b and ws['A1'].font.sz == 14
    assert ws['A1'].font.sz > ws['A2'].font.sz
    assert [cell.value for cell in ws[2]] == [column.title for column in COLUMNS]
    assert ws['A2'].font.b
    assert ws['A3'].value == 'L-001'
    assert ws.freeze_panes == 'A3'
    assert ws.auto_filter.ref == 'A2:G5'


def test_sheet_title():
    count, data = _write(sheet_title="NPS by doctor (Q1) - Dr O'Neil")
    assert count == 3
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["NPS by doctor (Q1) - Dr O'Neil"]


def test_column_widths():
    columns = [Column('a', 'Patient'), Column('b', 'Visits', 'int'), Column('c', 'Money', 'money', 9),
               Column('d', 'Conversion from first call to booked appointment', 'percent'), Column('e', 'On', 'date')]
    ws = _report([('x', 1, 2, 3, '2024-01-01')], columns)
    widths = [ws.column_dimensions[letter].width for letter in 'ABCDE']
    # xlsxwriter stores a width plus its padding of 5 pixels (0.71 characters)
    assert widths == [pytest.approx(expected, abs=1) for expected in (24, 10, 9, 40, 12)]


def test_data_rows_as_dicts_and_as_tuples_give_the_same_sheet():
    by_dict, by_tuple = _report(ROWS), _report(TUPLES)
    assert [[c.value for c in row] for row in by_dict.iter_rows()] == [[c.value for c in row]
                                                                       for row in by_tuple.iter_rows()]


def test_returns_the_number_of_data_rows():
    assert _write()[0] == 3
    assert _write(rows=iter(TUPLES[:2]))[0] == 2


def test_no_rows_gives_a_header_and_no_chart():
    count, data = _write(rows=iter(()), chart=REVENUE_CHART)
    ws = _sheet(data)
    assert count == 0
    assert ws.max_row == 1
    assert ws.auto_filter.ref == 'A1:G1'
    assert ws._charts == []  # pylint: disable=protected-access
    assert 'xl/charts/chart1.xml' not in _zip_names(data)


def test_writes_to_a_path(tmp_path):
    path = tmp_path / 'queue.xlsx'
    assert write_report(str(path), 'Lead queue', COLUMNS, ROWS) == 3
    assert openpyxl.load_workbook(str(path)).active['A2'].value == 'L-001'
    other = tmp_path / 'funnel.xlsx'
    assert write_report(other, 'Funnel', COLUMNS, iter(TUPLES)) == 3  # a pathlib.Path too
    assert openpyxl.load_workbook(str(other)).active['A4'].value == 'L-003'


# -- cell values and formats ----------------------------------------------------------------------------------------

FORMATS = [
    # id, column key, format, value of row 2 (the first data row)
    ('text', 'A', 'General', 'L-001'),
    ('int: thousands', 'B', '#,##0', 1234),
    ('float', 'C', '0.00', 3.25),
    ('money: thousands, 2 decimals', 'D', '#,##0.00', 1234567.5),
    ('percent: 12.5 stored as 0.125', 'E', '0.0%', 0.125),
    ('date', 'F', 'yyyy-mm-dd', datetime(2024, 3, 5)),
    ('datetime', 'G', 'yyyy-mm-dd hh:mm', datetime(2024, 3, 5, 14, 30)),
]


@pytest.mark.parametrize('letter,number_format,value', [row[1:] for row in FORMATS], ids=[row[0] for row in FORMATS])
def test_number_format_of_each_kind(letter, number_format, value):
    cell = _report()[letter + '2']
    assert cell.number_format == number_format
    assert cell.value == pytest.approx(value) if isinstance(value, float) else cell.value == value


def test_every_kind_has_a_format_and_a_width():
    assert set(NUMBER_FORMATS) == set(xlsx_report.DEFAULT_WIDTHS) == set(xlsx_report.CONVERTERS) == set(KINDS)


def test_numbers_are_numbers():
    ws = _report()
    assert [ws.cell(3, col).value for col in range(2, 6)] == [0, 2, pytest.approx(99.9), 1]
    assert all(ws.cell(3, col).data_type == 'n' for col in range(2, 6))


def test_none_is_an_empty_cell():
    ws = _report()
    assert ws['A4'].value == 'L-003'
    assert [ws.cell(4, col).value for col in range(2, 8)] == [None] * 6


def test_text_is_never_a_formula_or_a_number():
    columns = [Column('name', 'Name'), Column('phone', 'Phone'), Column('code', 'Code')]
    ws = _report([('=HYPERLINK("http://x","y")', '+49 151 0000', 42)], columns)
    assert [ws.cell(2, col).value for col in (1, 2, 3)] == ['=HYPERLINK("http://x","y")', '+49 151 0000', '42']
    assert all(ws.cell(2, col).data_type == 's' for col in (1, 2, 3))


DATES = [
    # id, kind, value given, datetime read back
    ('date object', 'date', date(2024, 2, 29), datetime(2024, 2, 29)),
    ('date text', 'date', '2024-02-29', datetime(2024, 2, 29)),
    ('datetime in a date column keeps its day', 'date', datetime(2024, 2, 29, 23, 59), datetime(2024, 2, 29)),
    ('datetime text in a date column', 'date', '2024-02-29 23:59:59', datetime(2024, 2, 29)),
    ('datetime object', 'datetime', datetime(2024, 12, 31, 23, 59, 59), datetime(2024, 12, 31, 23, 59, 59)),
    ('Odoo datetime text', 'datetime', '2024-12-31 08:05:09', datetime(2024, 12, 31, 8, 5, 9)),
    ('with microseconds', 'datetime', '2024-12-31 08:05:09.250000', datetime(2024, 12, 31, 8, 5, 9, 250000)),
    ('with a T and no seconds', 'datetime', '2024-12-31T08:05', datetime(2024, 12, 31, 8, 5)),
    ('date in a datetime column is midnight', 'datetime', date(2024, 12, 31), datetime(2024, 12, 31)),
    ('date text in a datetime column', 'datetime', '2024-12-31', datetime(2024, 12, 31)),
    ('first Excel day', 'date', '1900-01-01', datetime(1900, 1, 1)),
    ('before the 1900 leap bug', 'date', '1900-02-28', datetime(1900, 2, 28)),
    ('after the 1900 leap bug', 'date', '1900-03-01', datetime(1900, 3, 1)),
    ('last Excel day', 'datetime', '9999-12-31 12:00:00', datetime(9999, 12, 31, 12)),
]


@pytest.mark.parametrize('kind,value,expected', [row[1:] for row in DATES], ids=[row[0] for row in DATES])
def test_dates_are_real_excel_dates(kind, value, expected):
    cell = _report([(value,)], [Column('when', 'When', kind)])['A2']
    assert cell.is_date
    assert isinstance(cell.value, datetime)
    assert abs(cell.value - expected) < timedelta(milliseconds=1)


@pytest.mark.parametrize('text,serial', [('1900-01-01', 1), ('1900-02-28', 59), ('1900-03-01', 61),
                                         ('2024-03-05', 45356), ('2024-03-05 18:00', 45356.75)])
def test_excel_serial_numbers(text, serial):
    """The stored number, as Excel counts: 1900-01-01 is 1 and 29 February 1900 (Excel's bug) is 60."""
    assert xlsx_report._datetime(text) == serial  # pylint: disable=protected-access


def test_dates_before_1900_are_written_as_text():
    ws = _report([('1899-12-31', datetime(1850, 1, 2, 3, 4, 5))], [Column('d', 'D', 'date'),
                                                                   Column('t', 'T', 'datetime')])
    assert (ws['A2'].value, ws['B2'].value) == ('1899-12-31', '1850-01-02 03:04:05')


def test_text_values_of_other_types():
    ws = _report([(12, 3.5, date(2024, 1, 2))], [Column('a', 'A'), Column('b', 'B'), Column('c', 'C')])
    assert [ws.cell(2, col).value for col in (1, 2, 3)] == ['12', '3.5', '2024-01-02']


# -- chart ----------------------------------------------------------------------------------------------------------

def test_chart_references_the_data():
    count, data = _write(chart=REVENUE_CHART)
    assert count == 3
    charts = _sheet(data)._charts  # pylint: disable=protected-access
    assert len(charts) == 1
    assert charts[0].tagname == 'barChart'
    xml = _chart_xml(data)
    assert "<c:f>'Lead queue'!$A$2:$A$4</c:f>" in xml  # categories: the leads
    assert "<c:f>'Lead queue'!$D$2:$D$4</c:f>" in xml  # values: the revenue
    assert "<c:f>'Lead queue'!$D$1</c:f>" in xml  # series name: the header
    assert 'Revenue by lead' in xml
    assert '<c:barDir val="col"/>' in xml


@pytest.mark.parametrize('kind,element', [('column', '<c:barDir val="col"/>'), ('bar', '<c:barDir val="bar"/>'),
                                          ('line', '<c:lineChart>'), ('pie', '<c:pieChart>')])
def test_chart_kinds(kind, element):
    data = _write(chart=ChartSpec(kind, None, 'ref', ('conversion',)))[1]
    assert element in _chart_xml(data)
    assert "'Lead queue'!$E$2:$E$4" in _chart_xml(data)


def test_chart_with_several_series_below_a_title():
    data = _write(chart=ChartSpec('line', 'Leads', 'day', ['visits', 'score']), title='March')[1]
    xml = _chart_xml(data)
    for ref in ('$F$3:$F$5', '$B$3:$B$5', '$C$3:$C$5', '$B$2', '$C$2'):
        assert "'Lead queue'!" + ref in xml, ref


def test_chart_in_constant_memory_counts_the_rows_streamed():
    read = []
    count, data = _write(rows=_numbered_rows(25, read), chart=ChartSpec('bar', 'Visits', 'ref', 'visits'),
                         constant_memory=True)
    assert count == 25
    assert "'Lead queue'!$B$2:$B$26" in _chart_xml(data)
    assert 'xl/sharedStrings.xml' not in _zip_names(data)  # constant memory writes strings inline


def test_chart_kinds_are_the_ones_documented():
    assert CHART_KINDS == ('column', 'bar', 'line', 'pie')


# -- size limit -----------------------------------------------------------------------------------------------------

def test_too_many_rows_message():
    err = TooManyRows(1048576, 1048575)
    assert str(err) == ('1,048,576 rows: Excel holds at most 1,048,575 data rows below the header; '
                        'filter the export.')
    assert isinstance(err, ValueError)
    assert (err.rows, err.limit) == (1048576, 1048575)
    assert str(TooManyRows(None, 5)).startswith('More than 5 rows: Excel holds at most 5 data rows')


def test_max_rows_is_excels_limit():
    assert MAX_ROWS == 1048576 == 2 ** 20


@pytest.mark.parametrize('title,row_count,limit', [(None, 1048576, 1048575), (None, 5000000, 1048575),
                                                   ('With a title', 1048575, 1048574)],
                         ids=['one row too many', 'far too many', 'the title takes a row'])
def test_too_many_rows_given_fails_before_writing(tmp_path, title, row_count, limit):
    buffer = io.BytesIO()
    with pytest.raises(TooManyRows) as err:
        write_report(buffer, 'Leads', COLUMNS, _rows_never_read(), title=title, row_count=row_count)
    assert (err.value.rows, err.value.limit) == (row_count, limit)
    assert buffer.getvalue() == b''
    path = tmp_path / 'leads.xlsx'
    with pytest.raises(TooManyRows):
        write_report(str(path), 'Leads', COLUMNS, _rows_never_read(), title=title, row_count=row_count)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_sheets(monkeypatch, tmp_path):
    """A sheet of 6 rows (header + 5 data rows); temporary files go to ``tmp_path / 'tmp'``."""
    monkeypatch.setattr(xlsx_report, 'MAX_ROWS', 6)
    scratch = tmp_path / 'tmp'
    scratch.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(scratch))
    return scratch


@pytest.mark.parametrize('constant_memory', [True, False], ids=['constant memory', 'in memory'])
def test_too_many_rows_while_streaming_leaves_no_file(small_sheets, tmp_path, constant_memory):
    path = tmp_path / 'leads.xlsx'
    read = []
    with pytest.raises(TooManyRows) as err:
        write_report(str(path), 'Leads', COLUMNS, _numbered_rows(1000, read), chart=REVENUE_CHART,
                     constant_memory=constant_memory)
    assert str(err.value) == 'More than 5 rows: Excel holds at most 5 data rows below the header; filter the export.'
    assert read == [1, 2, 3, 4, 5, 6]  # stopped at the first row too many
    assert not path.exists()
    assert list(small_sheets.iterdir()) == []  # constant memory's row file removed too

    buffer = io.BytesIO()
    with pytest.raises(TooManyRows):
        write_report(buffer, 'Leads', COLUMNS, _numbered_rows(1000, []), constant_memory=constant_memory)
    assert buffer.getvalue() == b''


def test_too_many_rows_while_streaming_below_a_title(small_sheets):
    with pytest.raises(TooManyRows) as err:
        _write(rows=_numbered_rows(5, []), title='Leads')
    assert err.value.limit == 4


def test_a_full_sheet_fits(small_sheets, tmp_path):
    path = tmp_path / 'leads.xlsx'
    assert write_report(str(path), 'Leads', COLUMNS, _numbered_rows(5, []), row_count=5) == 5
    ws = openpyxl.load_workbook(str(path)).active
    assert (ws.max_row, ws['A6'].value) == (6, 'L-5')


def test_a_bad_value_midway_leaves_no_file(tmp_path):
    path = tmp_path / 'leads.xlsx'
    rows = list(TUPLES)
    rows[1] = rows[1][:1] + ('many',) + rows[1][2:]
    with pytest.raises(ValueError) as err:
        write_report(str(path), 'Leads', COLUMNS, rows, constant_memory=True)
    assert str(err.value) == "Data row 2, column \"Visits\": expected a number, got 'many'."
    assert list(tmp_path.iterdir()) == []


# -- constant memory ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('row_count,expected', [(None, True), (0, False), (10000, False), (10001, True),
                                                (1000000, True)])
def test_wants_constant_memory(row_count, expected):
    assert wants_constant_memory(row_count) is expected


def _is_constant_memory(data):
    """xlsxwriter's constant memory mode writes strings inline, without a shared strings table."""
    return 'xl/sharedStrings.xml' not in _zip_names(data)


@pytest.mark.parametrize('rows,kwargs,expected', [
    (ROWS, {}, False),
    (ROWS, {'row_count': 10000}, False),
    (ROWS, {'row_count': 10001}, True),
    (iter(ROWS), {}, True),
    (iter(ROWS), {'row_count': 3}, False),
    (ROWS, {'constant_memory': True}, True),
    (iter(ROWS), {'row_count': 50000, 'constant_memory': False}, False),
], ids=['3 rows in a tuple', '10,000 rows', '10,001 rows', 'unknown length', 'count given', 'forced on', 'forced off'])
def test_constant_memory_is_chosen_by_row_count(rows, kwargs, expected):
    count, data = _write(rows=rows, **kwargs)
    assert count == 3
    assert _is_constant_memory(data) is expected
    ws = _sheet(data)
    assert [ws.cell(2, col).value for col in (1, 2)] == ['L-001', 1234]


def test_a_list_of_more_than_10000_rows_streams():
    rows = [('L-%d' % n,) for n in range(10001)]
    count, data = _write(rows=rows, columns=[Column('ref', 'Lead')])
    assert count == 10001
    assert _is_constant_memory(data)


BENCH = r'''
import importlib.util, io, json, sys, time
spec = importlib.util.spec_from_file_location('xlsx_report', sys.argv[1])
xlsx_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(xlsx_report)
from datetime import datetime, timedelta
Column = xlsx_report.Column
columns = [Column('id', 'ID', 'int'), Column('name', 'Patient'), Column('phone', 'Phone'),
           Column('day', 'Date', 'date'), Column('created', 'Created on', 'datetime'),
           Column('revenue', 'Revenue', 'money'), Column('score', 'Score', 'float'),
           Column('conversion', 'Conversion', 'percent')]
start = datetime(2024, 1, 1)

def rows(count):
    for n in range(count):
        when = start + timedelta(minutes=7 * n)
        yield (n + 1, 'Patient %d' % n, '+49 151 %07d' % n, when.strftime('%Y-%m-%d'),
               when.strftime('%Y-%m-%d %H:%M:%S'), n * 1.25, (n % 1000) / 7.0, n % 101)


def peak_rss_mb():
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from pytest through fork)."""
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) for line in status if line.startswith('VmHWM:')) / 1024.0

rss_before = peak_rss_mb()
wall, cpu = time.perf_counter(), time.process_time()
count = xlsx_report.write_report(sys.argv[2], 'Leads', columns, rows(int(sys.argv[3])),
                                 chart=xlsx_report.ChartSpec('line', 'Revenue', 'day', ['revenue']))
print(json.dumps({'rows': count, 'seconds': time.perf_counter() - wall, 'cpu_seconds': time.process_time() - cpu,
                  'peak_rss_mb': peak_rss_mb(), 'rss_before_mb': rss_before}))
'''


def test_100000_rows_stream_in_constant_memory(tmp_path, capsys):
    """A 100,000-row, 8-column export from a generator, in a fresh process so that its peak memory is its own.

    The time is printed, not asserted (the target is under 15 s); the memory stays flat in constant memory mode.
    """
    path = tmp_path / 'leads.xlsx'
    proc = subprocess.run([sys.executable, '-c', BENCH, xlsx_report.__file__, str(path), '100000'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    with capsys.disabled():
        sys.stdout.write('\n100,000 rows x 8 columns, constant memory: %.1f s (%.1f s CPU), peak RSS %.0f MB '
                         '(%.0f MB before the export), %.1f MB file\n'
                         % (result['seconds'], result['cpu_seconds'], result['peak_rss_mb'], result['rss_before_mb'],
                            os.path.getsize(str(path)) / 1e6))
    assert result['rows'] == 100000
    assert result['peak_rss_mb'] < 100
    data = path.read_bytes()
    assert _is_constant_memory(data)
    assert '<c:f>Leads!$F$2:$F$100001</c:f>' in _chart_xml(data)
    ws = openpyxl.load_workbook(str(path), read_only=True).active
    assert ws.calculate_dimension() == 'A1:H100001'


# -- bad input ------------------------------------------------------------------------------------------------------

INVALID = [
    # id, arguments changed, words expected in the message
    ('unknown kind', {'columns': [Column('a', 'A', 'currency')]}, "unknown kind 'currency'"),
    ('no columns', {'columns': []}, 'at least one column'),
    ('columns not a list', {'columns': 'ref'}, 'must be a list of Column'),
    ('column not a tuple', {'columns': ['ref']}, 'must be a Column'),
    ('duplicate key', {'columns': [Column('a', 'A'), Column('a', 'B')]}, 'repeated: a'),
    ('title not text', {'columns': [Column('a', None)]}, 'title of column "a"'),
    ('width zero', {'columns': [Column('a', 'A', 'text', 0)]}, 'width of column "a"'),
    ('width too wide', {'columns': [Column('a', 'A', 'text', 256)]}, 'at most 255'),
    ('chart kind', {'chart': ChartSpec('donut', None, 'ref', ['revenue'])}, "Unknown chart kind 'donut'"),
    ('chart category not a column', {'chart': ChartSpec('bar', None, 'doctor', ['revenue'])}, '"doctor" not among'),
    ('chart values not columns', {'chart': ChartSpec('bar', None, 'ref', ['nps', 'revenue', 'cost'])},
     'keys "nps", "cost" not among'),
    ('chart without values', {'chart': ChartSpec('bar', None, 'ref', [])}, 'at least one value key'),
    ('chart of a text column', {'chart': ChartSpec('bar', None, 'ref', ['day'])}, 'Chart value "day" is a date'),
    ('pie of two columns', {'chart': ChartSpec('pie', None, 'ref', ['visits', 'revenue'])}, 'one value column'),
    ('chart not a ChartSpec', {'chart': 'column'}, 'must be a ChartSpec'),
    ('sheet title of 32 characters', {'sheet_title': 'x' * 32}, '32 characters; Excel allows at most 31'),
    ('empty sheet title', {'sheet_title': ''}, 'non-empty'),
    ('sheet title with an apostrophe first', {'sheet_title': "'Leads"}, 'apostrophe'),
    ('report title not text', {'title': 2024}, 'report title'),
    ('negative row count', {'row_count': -1}, 'row count'),
    ('row count as text', {'row_count': '100'}, 'row count'),
    ('rows missing', {'rows': None}, 'The rows must be'),
    ('target missing', {'target': None}, 'target must be a file path'),
    ('number as text', {'rows': [('L', '12', 1, 1, 1, None, None)]}, 'Data row 1, column "Visits": expected a number'),
    ('bool as number', {'rows': [('L', True, 1, 1, 1, None, None)]}, "expected a number, got True"),
    ('bad date text', {'rows': [('L', 1, 1, 1, 1, '05/03/2024', None)]}, "column \"Date\": expected a date as"),
    ('impossible date', {'rows': [('L', 1, 1, 1, 1, '2023-02-29', None)]}, "'2023-02-29' is not a valid date"),
    ('number as date', {'rows': [('L', 1, 1, 1, 1, None, 20240305)]}, 'column "Created on": expected a date'),
    ('short tuple', {'rows': [('L', 1)]}, 'Data row 1 has 2 values for 7 columns'),
    ('dict without a key', {'rows': [{'ref': 'L'}]}, "Data row 1 has no key 'visits'"),
    ('row of another type', {'rows': ['L-001']}, 'must be a dict or a tuple'),
]


@pytest.mark.parametrize('changes,message', [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_invalid_input_is_rejected_with_a_message(changes, message):
    arguments = dict({'target': io.BytesIO(), 'sheet_title': 'Leads', 'columns': COLUMNS, 'rows': ROWS,
                      'chart': REVENUE_CHART}, **changes)
    with pytest.raises(ValueError) as err:
        write_report(**arguments)
    assert message in str(err.value)
    assert not isinstance(err.value, TooManyRows)


@pytest.mark.parametrize('character', list('[]:*?/\\'))
def test_sheet_title_characters_excel_forbids(character):
    with pytest.raises(ValueError) as err:
        _write(sheet_title='Leads %s March' % character)
    assert 'contains %s' % character in str(err.value)


def test_column_defaults():
    assert Column('ref', 'Lead') == ('ref', 'Lead', 'text', None)
    assert Column('n', 'N', 'int', 8).width == 8


def test_path_like_target(tmp_path):
    path = pathlib.Path(str(tmp_path)) / 'rfm.xlsx'
    assert write_report(path, 'RFM segments', [Column('segment', 'Segment')], [('Champions',)]) == 1
    assert path.exists()

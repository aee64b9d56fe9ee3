"""Formatted Excel reports from query rows: one sheet, typed columns, an optional chart.

The add-on's exports (lead queue, funnel, NPS by doctor, RFM segments) hand
:func:`write_report` the rows of an SQL cursor and a list of :class:`Column`.
It writes an ``.xlsx`` that a manager can filter, sort and chart straight away:

* an optional title row (bold, 14 pt), then a header row (bold, shaded, boxed,
  wrapped) with an autofilter over the data and the panes frozen below it;
* one row per data row, written as it comes: ``rows`` is any iterable of dicts
  (by column key) or tuples (in column order), read once and never held in a list,
  so a 100,000-row cursor streams through;
* each cell typed by its column's kind (the table below), ``None`` an empty cell;
* the width of each column, given or a default for its kind;
* optionally one native Excel chart (:class:`ChartSpec`) to the right of the data,
  over the rows written.

Kinds
-----
==========  ====================================================  ======================
kind        values accepted                                       Excel number format
==========  ====================================================  ======================
text        str (anything else is written as ``str(value)``)      General, always text
int         int, float, Decimal                                   ``#,##0``
float       int, float, Decimal                                   ``0.00``
money       int, float, Decimal                                   ``#,##0.00``
percent     a number 0-100 (``12.5`` for 12.5%)                   ``0.0%`` (stored /100)
date        date, datetime (its day), ``'YYYY-MM-DD'`` text       ``yyyy-mm-dd``
datetime    datetime, date (midnight), ``'YYYY-MM-DD HH:MM:SS'``  ``yyyy-mm-dd hh:mm``
==========  ====================================================  ======================

A percent is stored as a fraction (12.5 becomes 0.125) so that the cell is a real
Excel percentage: it sums, charts and reformats as one. Date texts are what Odoo's
cursor returns for ``date`` and ``timestamp`` columns; ``'T'`` may stand for the
space, seconds and up to six decimals may be left out or given, and a datetime
text in a date column keeps its day. Dates are written as real Excel dates (an
aware datetime at its wall-clock time; a date before 1900, which Excel cannot
hold, as ``'YYYY-MM-DD'`` text). Text is written as text, never as a formula: a
patient name starting with ``=`` stays a name.

Size
----
A sheet holds :data:`MAX_ROWS` rows, the header (and the title) included. When
``row_count`` is given and too large, :class:`TooManyRows` is raised before
anything is read or written; otherwise rows are counted as they stream and the
first one too many raises it. Either way nothing is left at a path target
(xlsxwriter writes the file only when the workbook is closed, and an unfinished
workbook is dropped with its temporary files) and nothing is written to a
file-like target.

xlsxwriter keeps every cell in memory until it closes the workbook, unless it is
in *constant memory* mode, where each row goes to a temporary file as soon as the
next one starts: memory stays flat, and rows must be written top to bottom, which
this writer does (title, header, data in order; the autofilter and the chart,
which need the last row, are added at the end, as xlsxwriter only writes them on
close). ``constant_memory=None`` picks it by :func:`wants_constant_memory`: on for
more than 10,000 rows, and for rows of unknown length (a cursor or a generator).

Bad input (an unknown kind, no columns, a duplicate column key, chart keys that
are not columns, an invalid sheet title, a cell that does not fit its kind, a row
of the wrong length) raises :class:`ValueError` naming it. The module is pure
Python (xlsxwriter only): no Odoo import.
"""
import os
import re
from collections import namedtuple
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from numbers import Real

import xlsxwriter

KINDS = ('text', 'int', 'float', 'money', 'percent', 'date', 'datetime')
NUMBER_KINDS = ('int', 'float', 'money', 'percent')
CHART_KINDS = ('column', 'bar', 'line', 'pie')

NUMBER_FORMATS = {
    'text': None,
    'int': '#,##0',
    'float': '0.00',
    'money': '#,##0.00',
    'percent': '0.0%',
    'date': 'yyyy-mm-dd',
    'datetime': 'yyyy-mm-dd hh:mm',
}
DEFAULT_WIDTHS = {'text': 24, 'int': 10, 'float': 12, 'money': 14, 'percent': 10, 'date': 12, 'datetime': 17}
MAX_DEFAULT_WIDTH = 40  # a long title widens its column up to this; beyond, the header wraps
MAX_WIDTH = 255  # Excel's widest column

MAX_ROWS = 1048576  # rows in an Excel sheet, header (and title) included
CONSTANT_MEMORY_ABOVE = 10000  # rows

MAX_SHEET_TITLE = 31
SHEET_TITLE_FORBIDDEN = '[]:*?/\\'

TITLE_STYLE = {'bold': True, 'font_size': 14}
HEADER_STYLE = {'bold': True, 'bg_color': '#D9E1F2', 'border': 1, 'text_wrap': True, 'valign': 'top'}
TITLE_HEIGHT = 21  # points, for the 14 pt title
CHART_SIZE = {'width': 720, 'height': 400}  # pixels

WORKBOOK_OPTIONS = {
    'strings_to_numbers': False,
    'strings_to_formulas': False,
    'strings_to_urls': False,
    'nan_inf_to_errors': True,  # a NaN shows as #NUM! rather than failing the export
}

EXCEL_FIRST_YEAR = 1900  # earlier dates are written as 'YYYY-MM-DD' text
_EXCEL_DAY_ZERO = date(1899, 12, 30).toordinal()  # serial 0, counting from 1900-03-01 on
_EXCEL_LEAP_BUG = 60  # serial of Excel's 29 February 1900; the serials of the days before it are one less
_DATE_TEXT = re.compile(r'(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?)?\Z')


class Column(namedtuple('Column', 'key title kind width')):
    """One report column: ``key`` of dict rows, header ``title``, ``kind`` (see :data:`KINDS`),
    ``width`` in Excel characters or ``None`` for the kind's default.

    ``kind`` defaults to ``'text'`` and ``width`` to ``None``.
    """

    __slots__ = ()

    def __new__(cls, key, title, kind='text', width=None):
        return super().__new__(cls, key, title, kind, width)


ChartSpec = namedtuple('ChartSpec', 'kind title category_key value_keys')
ChartSpec.__doc__ = """One native chart over the data: ``kind`` in :data:`CHART_KINDS`, ``title`` (or ``None``),
the column key of the categories (``category_key``) and the keys of the number columns
drawn, one series each (``value_keys``; a pie takes exactly one)."""


class TooManyRows(ValueError):
    """More data rows than an Excel sheet holds below its header.

    ``rows`` is the count given (``None`` when found while streaming: more than
    ``limit``), ``limit`` the most data rows the sheet could take.
    """

    def __init__(self, rows, limit):
        self.rows = rows
        self.limit = limit
        count = '{:,}'.format(rows) if rows is not None else 'More than {:,}'.format(limit)
        super().__init__('{} rows: Excel holds at most {:,} data rows below the header; filter the export.'
                         .format(count, limit))


def wants_constant_memory(row_count):
    """True when a report of ``row_count`` data rows (``None``: unknown) should stream in constant memory."""
    return row_count is None or row_count > CONSTANT_MEMORY_ABOVE


# -- checking the arguments -------------------------------------------------------------------------------------

def _check_sheet_title(sheet_title):
    if not isinstance(sheet_title, str) or not sheet_title.strip():
        raise ValueError('The sheet title must be a non-empty text, got %r.' % (sheet_title,))
    if len(sheet_title) > MAX_SHEET_TITLE:
        raise ValueError('The sheet title "%s" has %d characters; Excel allows at most %d.'
                         % (sheet_title, len(sheet_title), MAX_SHEET_TITLE))
    bad = sorted(set(sheet_title) & set(SHEET_TITLE_FORBIDDEN))
    if bad:
        raise ValueError('The sheet title "%s" contains %s; Excel forbids the characters %s in sheet titles.'
                         % (sheet_title, ' '.join(bad), SHEET_TITLE_FORBIDDEN))
    if sheet_title.startswith("'") or sheet_title.endswith("'"):
        raise ValueError('The sheet title "%s" cannot start or end with an apostrophe.' % sheet_title)


def _check_columns(columns):
    """Return ``columns`` as a tuple of :class:`Column`, checked."""
    if isinstance(columns, (str, bytes)) or not hasattr(columns, '__iter__'):
        raise ValueError('The columns must be a list of Column(key, title, kind, width), got %r.' % (columns,))
    checked = []
    for column in columns:
        if not isinstance(column, tuple) or not 2 <= len(column) <= 4:
            raise ValueError('A column must be a Column(key, title, kind, width), got %r.' % (column,))
        column = Column(*column)
        if column.kind not in KINDS:
            raise ValueError('Column "%s" has an unknown kind %r; the kinds are %s.'
                             % (column.key, column.kind, ', '.join(KINDS)))
        if not isinstance(column.title, str):
            raise ValueError('The title of column "%s" must be a text, got %r.' % (column.key, column.title))
        width = column.width
        if width is not None and (not isinstance(width, Real) or isinstance(width, bool)
                                  or not 0 < width <= MAX_WIDTH):
            raise ValueError('The width of column "%s" must be a number above 0 and at most %d, got %r.'
                             % (column.key, MAX_WIDTH, width))
        checked.append(column)
    if not checked:
        raise ValueError('A report needs at least one column, got none.')
    keys = [column.key for column in checked]
    duplicates = sorted({str(key) for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError('Column keys must be unique; repeated: %s.' % ', '.join(duplicates))
    return tuple(checked)


def _check_chart(chart, columns):
    """Return ``(chart kind, title, category index, value indexes)`` for ``chart``, checked."""
    if not isinstance(chart, tuple) or len(chart) != 4:
        raise ValueError('The chart must be a ChartSpec(kind, title, category_key, value_keys), got %r.' % (chart,))
    kind, title, category_key, value_keys = chart
    if kind not in CHART_KINDS:
        raise ValueError('Unknown chart kind %r; the kinds are %s.' % (kind, ', '.join(CHART_KINDS)))
    if title is not None and not isinstance(title, str):
        raise ValueError('The chart title must be a text or None, got %r.' % (title,))
    index = {column.key: i for i, column in enumerate(columns)}
    if isinstance(value_keys, str):
        value_keys = (value_keys,)
    value_keys = tuple(value_keys or ())
    missing = [key for key in (category_key,) + value_keys if key not in index]
    if missing:
        raise ValueError('Chart key%s %s not among the columns (%s).' % (
            's' if len(missing) > 1 else '', ', '.join('"%s"' % key for key in missing),
            ', '.join(str(column.key) for column in columns)))
    if not value_keys:
        raise ValueError('The chart needs at least one value key, got none.')
    for key in value_keys:
        if columns[index[key]].kind not in NUMBER_KINDS:
            raise ValueError('Chart value "%s" is a %s column; a chart draws number columns (%s).'
                             % (key, columns[index[key]].kind, ', '.join(NUMBER_KINDS)))
    if kind == 'pie' and len(value_keys) != 1:
        raise ValueError('A pie chart draws one value column, got %d: %s.' % (len(value_keys), ', '.join(value_keys)))
    return kind, title, index[category_key], tuple(index[key] for key in value_keys)


def _check_row_count(row_count):
    if row_count is not None and (not isinstance(row_count, int) or isinstance(row_count, bool) or row_count < 0):
        raise ValueError('The row count must be a whole number 0 or more, or None, got %r.' % (row_count,))


# -- cell values --------------------------------------------------------------------------------------------------

def _text(value):
    return value if type(value) is str else str(value)


def _number(value):
    if type(value) in (int, float):
        return value
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise ValueError('expected a number, got %r' % (value,))
    return float(value)


def _percent(value):
    return _number(value) / 100


def _parse_date_text(value):
    match = _DATE_TEXT.match(value)
    if not match:
        raise ValueError("expected a date as 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS', got %r" % (value,))
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                        int((fraction or '0').ljust(6, '0')))
    except ValueError as err:  # month 13, 30 February, hour 25...
        raise ValueError('%r is not a valid date: %s' % (value, err))


def _as_date(value):
    if isinstance(value, str):
        value = _parse_date_text(value)
    if isinstance(value, date):
        return value
    raise ValueError("expected a date, a datetime or a 'YYYY-MM-DD[ HH:MM:SS]' text, got %r" % (value,))


def _day_serial(day):
    """Excel's serial number of ``day``: 1 for 1900-01-01, 61 for 1900-03-01 (Excel counts a 29 February 1900)."""
    serial = day.toordinal() - _EXCEL_DAY_ZERO
    return serial if serial > _EXCEL_LEAP_BUG else serial - 1


def _date(value):
    value = _as_date(value)
    if value.year < EXCEL_FIRST_YEAR:  # Excel has no such date: written as text
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    return _day_serial(value)


def _datetime(value):
    value = _as_date(value)
    if value.year < EXCEL_FIRST_YEAR:
        return value.isoformat(' ') if isinstance(value, datetime) else value.isoformat()
    if not isinstance(value, datetime):
        return _day_serial(value)
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return _day_serial(value) + seconds / 86400  # any tzinfo is ignored: the wall-clock time is written


CONVERTERS = {'text': _text, 'int': _number, 'float': _number, 'money': _number, 'percent': _percent,
              'date': _date, 'datetime': _datetime}


# -- writing ------------------------------------------------------------------------------------------------------

def _column_width(column):
    if column.width is not None:
        return column.width
    return max(DEFAULT_WIDTHS[column.kind], min(len(column.title) + 2, MAX_DEFAULT_WIDTH))


def _row_values(row, keys, number):
    """The values of data row ``number`` (1-based) in column order."""
    if isinstance(row, Mapping):
        try:
            return [row[key] for key in keys]
        except KeyError as err:
            raise ValueError('Data row %d has no key %r (the columns are %s).'
                             % (number, err.args[0], ', '.join(str(key) for key in keys)))
    if not isinstance(row, (tuple, list)):
        raise ValueError('Data row %d must be a dict or a tuple, got %r.' % (number, row))
    if len(row) != len(keys):
        raise ValueError('Data row %d has %d values for %d columns: %r.' % (number, len(row), len(keys), row))
    return row


def _write_rows(worksheet, workbook, columns, rows, first_row, limit):
    """Write ``rows`` from ``first_row`` down; return their count. Raise TooManyRows past ``limit``."""
    keys = [column.key for column in columns]
    plan = []
    for column in columns:
        number_format = NUMBER_FORMATS[column.kind]
        cell_format = workbook.add_format({'num_format': number_format}) if number_format else None
        plan.append((CONVERTERS[column.kind], cell_format, column.title))
    plan = tuple(enumerate(plan))
    write_number, write_string = worksheet.write_number, worksheet.write_string

    count = 0
    for count, row in enumerate(rows, 1):
        if count > limit:
            raise TooManyRows(None, limit)
        values = _row_values(row, keys, count)
        excel_row = first_row + count - 1
        for col, (convert, cell_format, title) in plan:
            value = values[col]
            if value is None:
                continue
            try:
                value = convert(value)
            except (ValueError, TypeError) as err:
                raise ValueError('Data row %d, column "%s": %s.' % (count, title, err))
            if isinstance(value, str):  # text, or a date before 1900
                write_string(excel_row, col, value)
            else:
                write_number(excel_row, col, value, cell_format)
    return count


def _add_chart(workbook, worksheet, columns, spec, header_row, count):
    kind, title, category_col, value_cols = spec
    name = worksheet.get_name()
    first, last = header_row + 1, header_row + count
    chart = workbook.add_chart({'type': kind})
    for col in value_cols:
        series = {
            'name': [name, header_row, col],
            'categories': [name, first, category_col, last, category_col],
            'values': [name, first, col, last, col],
        }
        if kind == 'pie':
            series['data_labels'] = {'percentage': True}
        chart.add_series(series)
    if title:
        chart.set_title({'name': title})
    if kind != 'pie':
        chart.set_x_axis({'name': columns[category_col].title})
        value_format = NUMBER_FORMATS[columns[value_cols[0]].kind]
        if len(value_cols) == 1:
            chart.set_y_axis({'name': columns[value_cols[0]].title, 'num_format': value_format})
            chart.set_legend({'none': True})
        else:
            chart.set_y_axis({'num_format': value_format})
    chart.set_size(CHART_SIZE)
    worksheet.insert_chart(header_row, len(columns) + 1, chart)


def _discard(workbook):
    """Drop an unfinished workbook without writing it: close and remove constant memory's row files."""
    for worksheet in workbook.worksheets():
        handle = getattr(worksheet, 'row_data_fh', None)
        filename = getattr(worksheet, 'row_data_filename', None)
        if handle is not None:
            handle.close()
        if filename and os.path.exists(filename):
            os.unlink(filename)
    workbook.fileclosed = True


def _remove_quietly(path):
    with suppress(OSError):  # nothing there, or not ours to remove: the error being raised says more
        os.unlink(path)


def write_report(target, sheet_title, columns, rows, chart=None, title=None, constant_memory=None, row_count=None):
    """Write ``rows`` as a formatted one-sheet Excel report to ``target``; return the number of data rows.

    ``target`` is a file path or a binary file-like object (``io.BytesIO``).
    ``sheet_title`` names the sheet (at most 31 characters, none of ``[]:*?/\\``).
    ``columns`` is a list of :class:`Column`; ``rows`` an iterable of dicts (by
    column key) or tuples (in column order), read once. ``chart`` an optional
    :class:`ChartSpec`, drawn to the right of the data (no data, no chart).
    ``title`` an optional title row above the header. ``row_count``, when known,
    lets an oversized export fail before any work; ``constant_memory`` forces
    xlsxwriter's streaming mode on or off (``None``: :func:`wants_constant_memory`
    of ``row_count``, or of ``len(rows)`` for a list). See the module docstring.
    Raises :class:`TooManyRows` past Excel's row limit, :class:`ValueError` for
    bad input; in both cases nothing is left at a path target.
    """
    _check_sheet_title(sheet_title)
    columns = _check_columns(columns)
    chart_spec = _check_chart(chart, columns) if chart is not None else None
    if title is not None and not isinstance(title, str):
        raise ValueError('The report title must be a text or None, got %r.' % (title,))
    _check_row_count(row_count)
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    path = target if isinstance(target, str) else None
    if path is None and not hasattr(target, 'write'):
        raise ValueError('The target must be a file path or a binary file object, got %r.' % (target,))
    if path is not None and not path:
        raise ValueError('The target path is empty.')
    if rows is None or isinstance(rows, (str, bytes)) or not hasattr(rows, '__iter__'):
        raise ValueError('The rows must be an iterable of dicts or tuples, got %r.' % (rows,))

    header_row = 1 if title else 0
    limit = MAX_ROWS - header_row - 1
    if row_count is not None and row_count > limit:
        raise TooManyRows(row_count, limit)
    if constant_memory is None:
        known = row_count if row_count is not None else (len(rows) if hasattr(rows, '__len__') else None)
        constant_memory = wants_constant_memory(known)

    workbook = xlsxwriter.Workbook(target, dict(WORKBOOK_OPTIONS, constant_memory=bool(constant_memory)))
    try:
        worksheet = workbook.add_worksheet(sheet_title)
        if title:
            worksheet.set_row(0, TITLE_HEIGHT)
            worksheet.write_string(0, 0, title, workbook.add_format(TITLE_STYLE))
        header_format = workbook.add_format(HEADER_STYLE)
        for col, column in enumerate(columns):
            worksheet.set_column(col, col, _column_width(column))
            worksheet.write_string(header_row, col, column.title, header_format)
        worksheet.freeze_panes(header_row + 1, 0)

        count = _write_rows(worksheet, workbook, columns, rows, header_row + 1, limit)

        worksheet.autofilter(header_row, 0, header_row + count, len(columns) - 1)
        if chart_spec and count:
            _add_chart(workbook, worksheet, columns, chart_spec, header_row, count)
    except BaseException:
        _discard(workbook)
        raise
    try:
        workbook.close()
    except BaseException:
        if path is not None:
            _remove_quietly(path)  # whatever close() had written is half a file
        raise
    return count

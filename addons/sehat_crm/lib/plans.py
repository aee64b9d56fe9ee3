"""Treatment plans: when each follow-up falls due, and how well a plan is kept.

A plan line says "every N days / weeks / months", for a number of occurrences or until an
end date (whichever comes first; at least one of them), starting from the plan's start date:
occurrence 1 is due one interval after the start ("ultrasound every 3 months" starting 10 Jan
is first due 10 Apr). Months keep the day of the month, clipped to the month's end (31 Jan +
1 month = 28/29 Feb, then 31 Mar: each occurrence counts from the start, so clipping does not
drift). :func:`occurrences` lists them up to a horizon (the call centre works the next weeks,
a daily job extends the horizon); :func:`call_date` is when the call centre should call to
book (due date minus the lead time, never before today).

:func:`adherence` is the share of occurrences already due that were fulfilled by a visit.

Bad input raises :class:`ValueError` naming the value: an interval of 0 or less, an unknown
unit, more than MAX_OCCURRENCES occurrences, an end date before the start, neither a count
nor an end date, a negative lead time. Pure Python: no Odoo import.
"""
from datetime import timedelta

from .lifecycle import months_before

UNITS = ('days', 'weeks', 'months')
MAX_OCCURRENCES = 1000


def add_months(day, months):
    """The same day ``months`` calendar months later, clamped to the month's end."""
    return months_before(day, -months)


def due_date(start, interval, unit, number):
    """Due date of occurrence ``number`` (1-based)."""
    if unit == 'days':
        return start + timedelta(days=interval * number)
    if unit == 'weeks':
        return start + timedelta(weeks=interval * number)
    return add_months(start, interval * number)


def check_line(start, interval, unit, count=None, end=None, lead_days=0):
    if not isinstance(interval, int) or isinstance(interval, bool) or interval <= 0:
        raise ValueError('the interval must be a whole number above 0, not %r' % (interval,))
    if unit not in UNITS:
        raise ValueError('unknown interval unit %r (expected one of %s)' % (unit, ', '.join(UNITS)))
    if count is None and end is None:
        raise ValueError('give a number of occurrences or an end date')
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise ValueError('the number of occurrences must be between 1 and %d, not %r' % (MAX_OCCURRENCES, count))
    if end is not None and end < start:
        raise ValueError('the end date %s is before the start %s' % (end, start))
    if lead_days is None or lead_days < 0:
        raise ValueError('the lead time must not be negative, not %r' % (lead_days,))


def occurrences(start, interval, unit, count=None, end=None, until=None):
    """[(number, due date)] of a plan line, due on or before ``until`` (and ``end``), at most
    ``count`` and MAX_OCCURRENCES of them."""
    check_line(start, interval, unit, count, end)
    limit = min(count or MAX_OCCURRENCES, MAX_OCCURRENCES)
    out = []
    for number in range(1, limit + 1):
        due = due_date(start, interval, unit, number)
        if (end is not None and due > end) or (until is not None and due > until):
            break
        out.append((number, due))
    return out


def call_date(due, lead_days, today):
    """When the call centre calls to book: ``lead_days`` before the due date, not before today."""
    if lead_days is None or lead_days < 0:
        raise ValueError('the lead time must not be negative, not %r' % (lead_days,))
    return max(due - timedelta(days=lead_days), today)


def adherence(due_count, fulfilled_count):
    """Percentage (0-100, one decimal) of due occurrences fulfilled; None when nothing is due yet."""
    if due_count < 0 or fulfilled_count < 0 or fulfilled_count > due_count:
        raise ValueError('cannot have %r fulfilled of %r due' % (fulfilled_count, due_count))
    if not due_count:
        return None
    return round(100.0 * fulfilled_count / due_count, 1)

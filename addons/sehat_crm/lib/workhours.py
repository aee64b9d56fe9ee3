"""A doctor's working hours as concrete intervals, in UTC, for the slot finder.

Working hours are an Odoo ``resource.calendar``: weekly attendance lines (weekday 0 = Monday,
``hour_from``/``hour_to`` as decimal hours in the doctor's local time, optionally valid only
between ``date_from`` and ``date_to``). :func:`work_intervals` lays those lines over real days
and converts them to naive UTC datetimes (the way Odoo stores datetimes), using the doctor's
time zone so that "09:00-13:00 in Asia/Kolkata" becomes 03:30-07:30 UTC, daylight saving
included where the zone has it.

Leaves (``resource.calendar.leaves``, already in UTC) are cut out by :func:`subtract`.

Bad input (a weekday outside 0..6, hours outside 0..24 or ending before they start, an
unknown time zone, a negative number of days) raises :class:`ValueError` naming the value.
Pure Python (pytz only): no Odoo import.
"""
from collections import namedtuple
from datetime import datetime, time, timedelta

import pytz

Attendance = namedtuple('Attendance', 'weekday hour_from hour_to date_from date_to')


def _clock(hours):
    """Decimal hours to (day offset, time): 8.5 -> 08:30, 24 -> next midnight."""
    minutes = int(round(hours * 60))
    return divmod(minutes, 24 * 60)


def _check(attendance):
    if attendance.weekday not in range(7):
        raise ValueError('weekday must be 0 (Monday) to 6, not %r' % (attendance.weekday,))
    if not (0 <= attendance.hour_from < attendance.hour_to <= 24):
        raise ValueError('working hours %r-%r: need 0 <= from < to <= 24' % (
            attendance.hour_from, attendance.hour_to))


def work_intervals(attendances, first_day, days, tz_name):
    """[(start, stop)] naive UTC datetimes of the working hours from ``first_day`` (a date, in
    the doctor's zone) for ``days`` days, sorted by start."""
    if days < 0:
        raise ValueError('days must not be negative, not %r' % (days,))
    try:
        zone = pytz.timezone(tz_name or 'UTC')
    except pytz.UnknownTimeZoneError:
        raise ValueError('unknown time zone %r' % (tz_name,))
    attendances = list(attendances)
    for attendance in attendances:
        _check(attendance)
    out = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for attendance in attendances:
            if attendance.weekday != day.weekday():
                continue
            if attendance.date_from and day < attendance.date_from:
                continue
            if attendance.date_to and day > attendance.date_to:
                continue
            bounds = []
            for hours in (attendance.hour_from, attendance.hour_to):
                extra_days, minutes = _clock(hours)
                local = datetime.combine(day + timedelta(days=extra_days), time(minutes // 60, minutes % 60))
                bounds.append(zone.localize(local).astimezone(pytz.utc).replace(tzinfo=None))
            out.append(tuple(bounds))
    out.sort()
    return out


def subtract(intervals, holes):
    """``intervals`` minus ``holes`` (both [(start, stop)], any order): the parts left, sorted."""
    holes = sorted((start, stop) for start, stop in holes if stop > start)
    out = []
    for start, stop in sorted(intervals):
        cursor = start
        for hole_start, hole_stop in holes:
            if hole_stop <= cursor:
                continue
            if hole_start >= stop:
                break
            if hole_start > cursor:
                out.append((cursor, hole_start))
            cursor = max(cursor, hole_stop)
            if cursor >= stop:
                break
        if cursor < stop:
            out.append((cursor, stop))
    return out

from datetime import date, datetime

import pytest

from ..workhours import Attendance, subtract, work_intervals

MONDAY = date(2026, 11, 23)


def dt(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm)


def test_morning_in_kolkata_is_utc_minus_5_30():
    hours = [Attendance(0, 9, 13, None, None)]
    assert work_intervals(hours, MONDAY, 1, 'Asia/Kolkata') == [(dt(23, 3, 30), dt(23, 7, 30))]


def test_week_lays_lines_on_their_weekdays_sorted():
    hours = [Attendance(2, 14, 18, None, None), Attendance(0, 9, 13, None, None),
             Attendance(0, 14.5, 17.25, None, None)]
    got = work_intervals(hours, MONDAY, 7, 'UTC')
    assert got == [(dt(23, 9), dt(23, 13)), (dt(23, 14, 30), dt(23, 17, 15)), (dt(25, 14), dt(25, 18))]


def test_validity_dates_limit_a_line():
    hours = [Attendance(0, 9, 12, date(2026, 11, 30), None), Attendance(0, 13, 15, None, date(2026, 11, 23))]
    got = work_intervals(hours, MONDAY, 14, 'UTC')
    assert got == [(dt(23, 13), dt(23, 15)), (dt(30, 9), dt(30, 12))]


def test_until_midnight():
    got = work_intervals([Attendance(0, 20, 24, None, None)], MONDAY, 1, 'UTC')
    assert got == [(dt(23, 20), dt(24, 0))]


def test_daylight_saving_shifts_utc_hours():
    hours = [Attendance(6, 9, 10, None, None)]  # Sundays 09:00 in London
    got = work_intervals(hours, date(2026, 3, 22), 8, 'Europe/London')
    assert got == [(datetime(2026, 3, 22, 9), datetime(2026, 3, 22, 10)),
                   (datetime(2026, 3, 29, 8), datetime(2026, 3, 29, 9))]


@pytest.mark.parametrize('attendance, days, zone, message', [
    (Attendance(7, 9, 10, None, None), 1, 'UTC', 'weekday'),
    (Attendance(0, 10, 9, None, None), 1, 'UTC', 'working hours'),
    (Attendance(0, 9, 25, None, None), 1, 'UTC', 'working hours'),
    (Attendance(0, 9, 10, None, None), -1, 'UTC', 'days'),
    (Attendance(0, 9, 10, None, None), 1, 'Mars/Olympus', 'time zone'),
], ids=['weekday', 'backwards', 'past midnight', 'negative days', 'zone'])
def test_bad_input(attendance, days, zone, message):
    with pytest.raises(ValueError, match=message):
        work_intervals([attendance], MONDAY, days, zone)


@pytest.mark.parametrize('intervals, holes, expected', [
    ([(1, 10)], [], [(1, 10)]),
    ([(1, 10)], [(3, 5)], [(1, 3), (5, 10)]),
    ([(1, 10)], [(0, 2), (9, 12)], [(2, 9)]),
    ([(1, 10)], [(0, 12)], []),
    ([(1, 4), (6, 10)], [(3, 7)], [(1, 3), (7, 10)]),
    ([(6, 10), (1, 4)], [(5, 5)], [(1, 4), (6, 10)]),
    ([(1, 10)], [(4, 6), (2, 5)], [(1, 2), (6, 10)]),
], ids=['no hole', 'middle', 'both ends', 'all', 'across two', 'empty hole, unsorted', 'overlapping holes'])
def test_subtract(intervals, holes, expected):
    assert subtract(intervals, holes) == expected

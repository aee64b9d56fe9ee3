from datetime import date

import pytest

from ..plans import MAX_OCCURRENCES, add_months, adherence, call_date, check_line, due_date, occurrences

START = date(2026, 1, 31)


@pytest.mark.parametrize('day, months, expected', [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 1, 31), 2, date(2026, 3, 31)),
    (date(2026, 11, 15), 3, date(2027, 2, 15)),
    (date(2026, 12, 1), 12, date(2027, 12, 1)),
], ids=['clip to February', 'leap year', 'no drift', 'across the year', 'a year'])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize('interval, unit, number, expected', [
    (10, 'days', 1, date(2026, 2, 10)),
    (2, 'weeks', 3, date(2026, 3, 14)),
    (1, 'months', 1, date(2026, 2, 28)),
    (1, 'months', 2, date(2026, 3, 31)),
    (3, 'months', 4, date(2027, 1, 31)),
], ids=['days', 'weeks', 'month clipped', 'month counted from the start', 'quarterly'])
def test_due_date(interval, unit, number, expected):
    assert due_date(START, interval, unit, number) == expected


def test_count_end_and_horizon_limit_the_list():
    start = date(2026, 1, 10)
    assert occurrences(start, 3, 'months', count=3) == [
        (1, date(2026, 4, 10)), (2, date(2026, 7, 10)), (3, date(2026, 10, 10))]
    assert occurrences(start, 3, 'months', end=date(2026, 9, 30)) == [(1, date(2026, 4, 10)), (2, date(2026, 7, 10))]
    assert occurrences(start, 3, 'months', count=10, until=date(2026, 4, 10)) == [(1, date(2026, 4, 10))]
    assert occurrences(start, 3, 'months', count=10, until=date(2026, 4, 9)) == []
    assert len(occurrences(start, 1, 'days', end=date(2040, 1, 1))) == MAX_OCCURRENCES


def test_antenatal_schedule_every_four_weeks():
    got = occurrences(date(2026, 3, 2), 4, 'weeks', count=6)
    assert [n for n, _d in got] == [1, 2, 3, 4, 5, 6]
    assert got[-1][1] == date(2026, 8, 17)


@pytest.mark.parametrize('kwargs, message', [
    (dict(interval=0, unit='days', count=1), 'interval'),
    (dict(interval=-2, unit='days', count=1), 'interval'),
    (dict(interval=1.5, unit='days', count=1), 'interval'),
    (dict(interval=1, unit='years', count=1), 'unit'),
    (dict(interval=1, unit='days'), 'occurrences or an end date'),
    (dict(interval=1, unit='days', count=0), 'between 1 and'),
    (dict(interval=1, unit='days', count=MAX_OCCURRENCES + 1), 'between 1 and'),
    (dict(interval=1, unit='days', end=date(2025, 1, 1)), 'before the start'),
    (dict(interval=1, unit='days', count=2, lead_days=-1), 'lead time'),
], ids=['zero', 'negative', 'fraction', 'unit', 'unbounded', 'no occurrence', 'too many', 'end first', 'lead'])
def test_bad_lines(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_line(START, **kwargs)


@pytest.mark.parametrize('due, lead, today, expected', [
    (date(2026, 5, 20), 7, date(2026, 5, 1), date(2026, 5, 13)),
    (date(2026, 5, 20), 7, date(2026, 5, 18), date(2026, 5, 18)),
    (date(2026, 5, 20), 0, date(2026, 5, 1), date(2026, 5, 20)),
], ids=['lead time before', 'never in the past', 'no lead time'])
def test_call_date(due, lead, today, expected):
    assert call_date(due, lead, today) == expected


@pytest.mark.parametrize('due, done, expected', [(0, 0, None), (4, 3, 75.0), (3, 1, 33.3), (2, 2, 100.0), (5, 0, 0.0)])
def test_adherence(due, done, expected):
    assert adherence(due, done) == expected


@pytest.mark.parametrize('due, done', [(1, 2), (-1, 0)])
def test_adherence_refuses_impossible_counts(due, done):
    with pytest.raises(ValueError):
        adherence(due, done)

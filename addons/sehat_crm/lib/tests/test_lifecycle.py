import datetime

import pytest

from ..lifecycle import conversion_rate, is_lapsed, is_loyal, median, months_before, stage_after

D = datetime.date

TRANSITIONS = [
    (None, 'captured', 'prospect'),
    ('prospect', 'captured', None),
    ('prospect', 'profile_complete', 'qualified'),
    ('qualified', 'profile_complete', None),
    ('customer', 'profile_complete', None),
    (None, 'appointment_booked', 'customer'),
    ('prospect', 'appointment_booked', 'customer'),
    ('qualified', 'appointment_booked', 'customer'),
    ('lapsed', 'appointment_booked', 'customer'),
    ('customer', 'appointment_booked', None),
    ('loyal', 'appointment_booked', None),
    ('customer', 'loyalty_reached', 'loyal'),
    ('prospect', 'loyalty_reached', None),
    ('customer', 'no_recent_visit', 'lapsed'),
    ('loyal', 'no_recent_visit', 'lapsed'),
    ('prospect', 'no_recent_visit', None),
]


@pytest.mark.parametrize('current,event,expected', TRANSITIONS)
def test_transitions(current, event, expected):
    assert stage_after(current, event) == expected


def test_unknown_event_or_stage():
    with pytest.raises(ValueError):
        stage_after('prospect', 'magic')
    with pytest.raises(ValueError):
        stage_after('vip', 'captured')


@pytest.mark.parametrize('day,months,expected', [
    (D(2026, 3, 31), 1, D(2026, 2, 28)),
    (D(2024, 3, 31), 1, D(2024, 2, 29)),
    (D(2026, 1, 15), 1, D(2025, 12, 15)),
    (D(2026, 11, 22), 24, D(2024, 11, 22)),
    (D(2026, 11, 22), 0, D(2026, 11, 22)),
])
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_loyalty_rule_counts_visits_in_window():
    today = D(2026, 11, 22)
    visits = [D(2026, 10, 1), D(2026, 6, 1), D(2025, 12, 1), D(2024, 1, 1)]
    assert is_loyal(visits, today, 3, 12)
    assert not is_loyal(visits, today, 4, 12)
    assert not is_loyal(visits, today, 3, 6)
    with pytest.raises(ValueError):
        is_loyal(visits, today, 0, 12)


def test_lapse_rule():
    today = D(2026, 11, 22)
    assert is_lapsed(D(2025, 11, 21), today, 12)
    assert not is_lapsed(D(2025, 11, 22), today, 12)
    assert not is_lapsed(None, today, 12)
    with pytest.raises(ValueError):
        is_lapsed(D(2025, 1, 1), today, 0)


@pytest.mark.parametrize('values,expected', [
    ([], None), ([5], 5.0), ([3, 1], 2.0), ([1, 9, 2], 2.0), ([4, None, 2, 8, 6], 5.0),
])
def test_median(values, expected):
    assert median(values) == expected


def test_conversion_rate():
    assert conversion_rate(0, 0) is None
    assert conversion_rate(3, 1) == 33.3
    assert conversion_rate(4, 4) == 100.0

from datetime import date, datetime

import pytest

from ..activity import activity_state, local_today

TODAY = date(2026, 11, 22)


def fixed_today(tz):
    return {'Pacific/Kiritimati': date(2026, 11, 23)}.get(tz, TODAY)


@pytest.mark.parametrize('deadlines, expected', [
    ([], None),
    ([(date(2026, 11, 25), None)], 'planned'),
    ([(TODAY, None)], 'today'),
    ([(date(2026, 11, 21), None)], 'overdue'),
    ([(date(2026, 11, 25), None), (TODAY, 'UTC')], 'today'),
    ([(TODAY, None), (date(2026, 11, 1), None), (date(2026, 12, 1), None)], 'overdue'),
    ([(date(2026, 12, 1), 'UTC'), (date(2026, 11, 30), 'UTC')], 'planned'),
    # the same deadline is already past for a user whose day has moved on
    ([(TODAY, 'Pacific/Kiritimati')], 'overdue'),
])
def test_worst_state_wins(deadlines, expected):
    assert activity_state(deadlines, fixed_today) == expected


def test_local_today_follows_the_zone():
    late_evening_utc = datetime(2026, 11, 22, 20, 0)
    assert local_today('UTC', late_evening_utc) == date(2026, 11, 22)
    assert local_today('Asia/Kolkata', late_evening_utc) == date(2026, 11, 23)
    assert local_today('America/New_York', datetime(2026, 11, 22, 3, 0)) == date(2026, 11, 21)


def test_no_zone_is_the_server_day():
    assert local_today(None, server_today=date(2026, 1, 2)) == date(2026, 1, 2)
    assert local_today('', server_today=date(2026, 1, 2)) == date(2026, 1, 2)


def test_unknown_zone_is_an_error():
    with pytest.raises(Exception):
        local_today('Mars/Olympus', datetime(2026, 11, 22))

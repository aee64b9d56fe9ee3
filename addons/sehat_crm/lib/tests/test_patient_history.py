import datetime

from ..patient_history import OPEN_STATES, DoctorHistory, Visit, is_upcoming, previous_doctors

NOW = datetime.datetime(2026, 3, 4, 8, 0)
DAY = datetime.timedelta(days=1)


def test_open_appointments_that_have_not_ended_are_upcoming():
    for state in OPEN_STATES:
        assert is_upcoming(state, NOW + DAY, NOW)
    assert is_upcoming('booked', NOW, NOW), 'ending right now still counts'


def test_settled_or_ended_appointments_are_not_upcoming():
    for state in ('done', 'cancelled', 'no_show', None):
        assert not is_upcoming(state, NOW + DAY, NOW)
    assert not is_upcoming('booked', NOW - DAY, NOW), 'an unsettled past booking is in the past'
    assert not is_upcoming('booked', None, NOW)


def test_previous_doctors_most_recent_first_with_counts():
    visits = [Visit(1, NOW - 30 * DAY), Visit(2, NOW - 2 * DAY), Visit(1, NOW - 60 * DAY), Visit(3, NOW - 10 * DAY),
              Visit(1, NOW - 5 * DAY)]
    assert previous_doctors(visits) == [
        DoctorHistory(2, NOW - 2 * DAY, 1),
        DoctorHistory(1, NOW - 5 * DAY, 3),
        DoctorHistory(3, NOW - 10 * DAY, 1),
    ]


def test_ties_prefer_the_doctor_seen_more_often_then_the_lower_id():
    visits = [Visit(7, NOW), Visit(5, NOW), Visit(9, NOW), Visit(9, NOW - DAY)]
    assert [h.doctor_id for h in previous_doctors(visits)] == [9, 5, 7]


def test_no_visits_and_visits_without_doctor():
    assert previous_doctors([]) == []
    assert previous_doctors([Visit(None, NOW)]) == []


def test_order_does_not_depend_on_input_order():
    visits = [Visit(d, NOW - (d % 3) * DAY) for d in range(1, 10)]
    assert previous_doctors(visits) == previous_doctors(list(reversed(visits)))

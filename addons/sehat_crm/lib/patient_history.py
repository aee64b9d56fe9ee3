"""A patient's appointments seen from the call centre: what is still to come, and which
doctors the patient has already seen ("the same specialist I saw in January").

Pure Python: no Odoo import.
"""
from collections import namedtuple

# states of an appointment the patient may still attend (the others are settled)
OPEN_STATES = ('booked', 'confirmed', 'checked_in', 'in_consultation')

Visit = namedtuple('Visit', 'doctor_id start')
DoctorHistory = namedtuple('DoctorHistory', 'doctor_id last_visit visits')


def is_upcoming(state, stop, now):
    """An appointment is upcoming while it is open and has not ended yet.

    An open appointment whose end has passed (never checked in nor marked a no-show) is not
    upcoming: it belongs to the past, still showing its state so someone settles it.
    """
    return state in OPEN_STATES and stop is not None and stop >= now


def previous_doctors(visits):
    """The doctors of ``visits`` (completed visits only: the caller filters), each once, with
    the date of the last visit and the number of visits; most recently seen first, then the
    doctor seen more often, then the lower doctor id (a stable order)."""
    last, count = {}, {}
    for visit in visits:
        if visit.doctor_id is None:
            continue
        count[visit.doctor_id] = count.get(visit.doctor_id, 0) + 1
        if visit.doctor_id not in last or visit.start > last[visit.doctor_id]:
            last[visit.doctor_id] = visit.start
    history = [DoctorHistory(doctor_id, last[doctor_id], count[doctor_id]) for doctor_id in last]
    history.sort(key=lambda h: h.doctor_id)
    history.sort(key=lambda h: (h.last_visit, h.visits), reverse=True)
    return history

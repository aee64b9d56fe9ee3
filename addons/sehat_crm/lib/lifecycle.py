"""Patient lifecycle: Prospect -> Qualified -> Customer -> Loyal, and Lapsed.

Transitions are driven by events; this module says which stage an event leads to,
and computes the funnel statistics. The models store the stage and its history.
"""
import datetime

STAGES = ('prospect', 'qualified', 'customer', 'loyal', 'lapsed')
STAGE_LABELS = {
    'prospect': 'Prospect',
    'qualified': 'Qualified',
    'customer': 'Customer',
    'loyal': 'Loyal',
    'lapsed': 'Lapsed',
}
EVENTS = ('captured', 'profile_complete', 'appointment_booked', 'loyalty_reached', 'no_recent_visit')

# event -> {current stage (None = no stage yet): new stage}
_TRANSITIONS = {
    'captured': {None: 'prospect'},
    'profile_complete': {'prospect': 'qualified'},
    'appointment_booked': {None: 'customer', 'prospect': 'customer', 'qualified': 'customer',
                           'lapsed': 'customer'},
    'loyalty_reached': {'customer': 'loyal'},
    'no_recent_visit': {'customer': 'lapsed', 'loyal': 'lapsed'},
}


def stage_after(current, event):
    """The stage ``event`` moves a patient in ``current`` stage to, or None to stay."""
    if event not in _TRANSITIONS:
        raise ValueError('Unknown lifecycle event %r (expected one of %s).' % (event, ', '.join(EVENTS)))
    if current is not None and current not in STAGES:
        raise ValueError('Unknown lifecycle stage %r.' % (current,))
    return _TRANSITIONS[event].get(current)


def months_before(day, months):
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def is_loyal(visit_dates, today, min_visits, window_months):
    """True when at least ``min_visits`` completed visits fall in the last ``window_months``."""
    if min_visits < 1 or window_months < 1:
        raise ValueError('The loyalty rule needs at least 1 visit within at least 1 month.')
    start = months_before(today, window_months)
    return sum(1 for d in visit_dates if start <= d <= today) >= min_visits


def is_lapsed(last_visit, today, lapse_months):
    """True when the last completed visit is older than ``lapse_months``."""
    if lapse_months < 1:
        raise ValueError('The lapse rule needs at least 1 month.')
    return last_visit is not None and last_visit < months_before(today, lapse_months)


def median(values):
    """Median of a list of numbers, None when empty."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def conversion_rate(entered, converted):
    """Share (0..100, one decimal) of ``entered`` that ``converted``; None when nobody entered."""
    if not entered:
        return None
    return round(100.0 * converted / entered, 1)

"""The state Odoo shows for a record's planned activities, from their deadlines.

Odoo's mail.activity.mixin computes it by loading every activity and its responsible user;
the lead queue computes it for a whole page from one query instead (crm_lead.py), with the
same rules: each activity's day is judged in its responsible user's time zone (the server's
day when the user has none); one activity past due makes the record 'overdue', else one due
today makes it 'today', else 'planned'.
"""
from datetime import date, datetime

import pytz

STATES = ('overdue', 'today', 'planned')


def local_today(tz, now_utc=None, server_today=None):
    """Today's date in the time zone ``tz`` (None or '' -> the server's date, as Odoo does)."""
    if not tz:
        return server_today or date.today()
    now_utc = now_utc or datetime.utcnow()
    return pytz.utc.localize(now_utc).astimezone(pytz.timezone(tz)).date()


def activity_state(deadlines, today_for):
    """State of one record from its activities' ``(deadline date, responsible's tz)`` pairs.

    ``today_for(tz)`` gives today's date in that zone. Returns None without activities.
    """
    worst = None
    for deadline, tz in deadlines:
        days = (deadline - today_for(tz)).days
        state = 'overdue' if days < 0 else 'today' if days == 0 else 'planned'
        if worst is None or STATES.index(state) < STATES.index(worst):
            worst = state
    return worst

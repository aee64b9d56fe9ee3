"""Appointment states, the moves between them, and the signed links sent in reminders.

States
------
``booked`` (slot taken) -> ``confirmed`` (the patient confirmed, e.g. from the reminder link)
-> ``checked_in`` (arrived at reception / joined the video room) -> ``in_consultation`` ->
``done``. A booked or confirmed appointment can instead be ``cancelled`` (the slot is freed)
or marked ``no_show`` after its start. :func:`next_state` answers what an action leads to and
refuses a move that makes no sense (cancelling a finished visit, finishing a cancelled one).

Links
-----
Reminders carry "confirm" and "cancel" links. :func:`sign` makes the token of a link from a
server secret, the appointment and the action (HMAC-SHA256), so a link cannot be forged or
reused for another appointment or action; :func:`verify` checks it in constant time.

Pure Python: no Odoo import.
"""
import hashlib
import hmac

STATES = ('booked', 'confirmed', 'checked_in', 'in_consultation', 'done', 'cancelled', 'no_show')
STATE_LABELS = {
    'booked': 'Booked', 'confirmed': 'Confirmed', 'checked_in': 'Checked in',
    'in_consultation': 'In consultation', 'done': 'Done', 'cancelled': 'Cancelled', 'no_show': 'No-show',
}
# states that hold the doctor's and the patient's time (the others free the slot)
HOLDING = ('booked', 'confirmed', 'checked_in', 'in_consultation', 'done')
OPEN = ('booked', 'confirmed')

# action: (states it applies to, resulting state)
TRANSITIONS = {
    'confirm': (('booked',), 'confirmed'),
    'check_in': (('booked', 'confirmed'), 'checked_in'),
    'start': (('checked_in',), 'in_consultation'),
    'done': (('checked_in', 'in_consultation'), 'done'),
    'cancel': (OPEN, 'cancelled'),
    'no_show': (OPEN, 'no_show'),
}
LINK_ACTIONS = ('confirm', 'cancel')


class InvalidTransition(ValueError):
    pass


def next_state(current, action):
    """The state after ``action``; :class:`InvalidTransition` when it does not apply."""
    if action not in TRANSITIONS:
        raise InvalidTransition('unknown action %r (expected one of %s)' % (action, ', '.join(sorted(TRANSITIONS))))
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise InvalidTransition('cannot %s an appointment that is %s' % (
            action.replace('_', ' '), STATE_LABELS.get(current, current)))
    return target


def sign(secret, event_id, action):
    if not secret:
        raise ValueError('a secret is needed to sign links')
    if action not in LINK_ACTIONS:
        raise ValueError('no link for action %r' % (action,))
    message = ('%d:%s' % (int(event_id), action)).encode('utf-8')
    return hmac.new(secret.encode('utf-8'), message, hashlib.sha256).hexdigest()[:40]


def verify(secret, event_id, action, token):
    if not token or not isinstance(token, str) or action not in LINK_ACTIONS:
        return False
    return hmac.compare_digest(sign(secret, event_id, action), token)

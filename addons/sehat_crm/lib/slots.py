"""Free appointment slots of a doctor: where the next patient can be booked.

The caller expands the doctor's working-hours calendar into concrete working
intervals and lists the appointments already booked; :func:`free_slots` lays
fixed-length slots over the working time and returns those a patient can take.
All times are naive UTC datetimes; intervals are half-open, ``[start, stop)``,
so an appointment ending at 10:30 and one starting at 10:30 do not clash.

Rules
-----
1. **Working time.** Working intervals may come in any order and may touch or
   overlap; they are merged first (09:00-12:00 and 12:00-13:00 become
   09:00-13:00).
2. **The grid.** Slots start at the beginning of each merged working interval
   and follow every ``slot_minutes``: with 30-minute slots from 09:00 the
   candidates are 09:00, 09:30, 10:00, ... A slot that would run past the end of
   the working interval is not offered (16:45-17:15 is not offered when work
   ends at 17:00).
3. **The grid never moves.** An appointment that does not fit the grid blocks
   every slot it touches, and the next slot is the next grid time after it: an
   appointment 10:00-10:20 blocks the 10:00 slot and the next offer is 10:30,
   not 10:20. This keeps the doctor's day in the same rhythm every day and
   avoids awkward 10:20-10:50 slots; the 10 minutes left are lost.
4. **Busy time.** A slot is not offered if it overlaps an existing appointment.
   Touching is fine: a 10:00-10:30 appointment leaves the 10:30 slot free.
5. **No past slots.** A slot starting before ``now`` is never offered; a slot
   starting exactly at ``now`` is.
6. **Daily capacity** (optional). A doctor who takes at most ``daily_capacity``
   appointments a day and already has ``k`` that day is offered at most
   ``daily_capacity - k`` slots that day, none when full. Appointments count on
   the day they start, as the caller's ``day_of`` says (typically the doctor's
   local date; by default the UTC date). All appointments given count, past
   ones and ones outside working hours included.
7. **Order and limit.** Slots come sorted by start time, at most ``limit`` of
   them when a limit is given.

Bad input (a slot length that is not a positive whole number of minutes, an
interval that does not end after it starts, a time that is not a naive
datetime, a negative capacity or limit) raises :class:`ValueError` with a
message naming the value. The module is pure Python: no Odoo import.

The work is one sort of the working and busy intervals and a single sweep over
them (never every appointment for every slot): a month of 09:00-17:00 work with
2,000 appointments takes a few milliseconds.
"""
import datetime
from collections import namedtuple
from operator import itemgetter

_DATETIME = datetime.datetime
_START = itemgetter(0)


class Slot(namedtuple('Slot', 'start stop')):
    """A free appointment slot: naive UTC datetimes ``start`` and ``stop``."""

    __slots__ = ()


def overlaps(a_start, a_stop, b_start, b_stop):
    """True when the half-open intervals ``[a_start, a_stop)`` and ``[b_start, b_stop)`` share time.

    Touching intervals (one ends when the other starts) do not overlap, and an
    empty interval (stop <= start) overlaps nothing.
    """
    return a_start < a_stop and b_start < b_stop and a_start < b_stop and b_start < a_stop


def _is_whole(value):
    """True for ``int`` values, False for ``bool`` (a common typo for a number)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_time(what, value):
    """Raise ValueError unless ``value`` is a naive ``datetime``."""
    if not isinstance(value, datetime.datetime):
        raise ValueError('%s must be a datetime, got %r.' % (what, value))
    if value.tzinfo is not None:
        raise ValueError('%s must be a naive UTC datetime, got %s.' % (what, value.isoformat()))


def _check_interval(what, item):
    """Raise ValueError unless ``item`` is a ``(start, stop)`` pair of naive datetimes, stop after start."""
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise ValueError('A %s interval must be a (start, stop) pair, got %r.' % (what, item))
    start, stop = item
    _check_time('The start of a %s interval' % what, start)
    _check_time('The end of a %s interval' % what, stop)
    if stop <= start:
        raise ValueError('A %s interval must end after it starts, got %s to %s.'
                         % (what, start.isoformat(), stop.isoformat()))


def _intervals(what, intervals):
    """Return ``intervals`` as a list of checked ``(start, stop)`` pairs sorted by start."""
    items = list(intervals or ())
    try:
        # Fast check of the usual case: plain naive datetimes, in order.
        for start, stop in items:
            if (type(start) is not _DATETIME or type(stop) is not _DATETIME or stop <= start
                    or start.tzinfo is not None or stop.tzinfo is not None):
                raise ValueError(start)
    except (TypeError, ValueError):
        for item in items:
            _check_interval(what, item)  # raises with a message naming the bad interval
        # All fine after all (e.g. subclasses of datetime): carry on.
    items.sort(key=_START)
    return items


def _merge(intervals):
    """Merge sorted ``(start, stop)`` intervals that overlap or touch."""
    merged = []
    for start, stop in intervals:
        if merged and start <= merged[-1][1]:
            if stop > merged[-1][1]:
                merged[-1][1] = stop
        else:
            merged.append([start, stop])
    return merged


def _steps_to_reach(origin, target, step):
    """The smallest whole number of ``step`` from ``origin`` that lands at or after ``target`` (0 if before)."""
    if target <= origin:
        return 0
    return -((origin - target) // step)  # ceiling division of timedeltas


def free_slots(work_intervals, busy_intervals, slot_minutes, now, limit=None, daily_capacity=None, day_of=None):
    """Return the free :class:`Slot` list of a doctor, sorted by start.

    ``work_intervals`` and ``busy_intervals`` are iterables of ``(start, stop)``
    naive UTC datetimes (working time and existing appointments), ``slot_minutes``
    the slot length, ``now`` the current UTC time. ``limit`` caps the number of
    slots returned; ``daily_capacity`` caps the appointments per day, counted on
    the day ``day_of(start)`` returns (default ``start.date()``). See the module
    docstring for the rules. Raises :class:`ValueError` for invalid input.
    """
    if not _is_whole(slot_minutes) or slot_minutes <= 0:
        raise ValueError('The slot length must be a positive whole number of minutes, got %r.' % (slot_minutes,))
    _check_time('Now', now)
    if limit is not None:
        if not _is_whole(limit):
            raise ValueError('The limit must be a whole number, got %r.' % (limit,))
        if limit < 0:
            raise ValueError('The limit cannot be negative, got %d.' % limit)
    if daily_capacity is not None:
        if not _is_whole(daily_capacity):
            raise ValueError('The daily capacity must be a whole number, got %r.' % (daily_capacity,))
        if daily_capacity < 0:
            raise ValueError('The daily capacity cannot be negative, got %d.' % daily_capacity)
    if day_of is not None and not callable(day_of):
        raise ValueError('day_of must be a function of a datetime, got %r.' % (day_of,))
    work = _merge(_intervals('working', work_intervals))
    busy_sorted = _intervals('busy', busy_intervals)
    if limit == 0:
        return []

    day_of = day_of or datetime.datetime.date
    booked = None  # appointments per day, only when there is a daily capacity
    if daily_capacity is not None:
        booked = {}
        for start, _stop in busy_sorted:
            day = day_of(start)
            booked[day] = booked.get(day, 0) + 1
    busy = _merge(busy_sorted)

    step = datetime.timedelta(minutes=slot_minutes)
    slots = []
    b = 0  # first busy interval that may still overlap a coming slot
    for work_start, work_stop in work:
        k = _steps_to_reach(work_start, now, step)
        while True:
            start = work_start + k * step
            stop = start + step
            if stop > work_stop:
                break
            # Busy intervals ending at or before this slot cannot touch any later slot either.
            while b < len(busy) and busy[b][1] <= start:
                b += 1
            if b < len(busy) and busy[b][0] < stop:
                # Blocked: jump to the first grid time at or after the end of the appointment.
                k = _steps_to_reach(work_start, busy[b][1], step)
                continue
            k += 1
            if booked is not None:
                day = day_of(start)
                if booked.get(day, 0) >= daily_capacity:
                    continue
                booked[day] = booked.get(day, 0) + 1
            slots.append(Slot(start, stop))
            if limit is not None and len(slots) >= limit:
                return slots
    return slots

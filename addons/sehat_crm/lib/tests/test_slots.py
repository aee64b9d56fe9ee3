import datetime
import random

import pytest

from ..slots import Slot, free_slots, overlaps

DAY = datetime.date(2024, 3, 4)  # a Monday


def _t(text):
    """``'09:30'`` on DAY, or ``'+1 09:30'`` on the day after: a naive UTC datetime."""
    days = 0
    if ' ' in text:
        offset, text = text.split(' ')
        days = int(offset)
    hour, minute = (int(part) for part in text.split(':'))
    return datetime.datetime.combine(DAY + datetime.timedelta(days=days), datetime.time(hour, minute))


def _iv(text):
    """``'09:00-10:00'`` or ``'+1 09:00-10:00'``: a (start, stop) pair."""
    prefix = ''
    if ' ' in text:
        prefix, text = text.split(' ')
        prefix += ' '
    start, stop = text.split('-')
    return (_t(prefix + start), _t(prefix + stop))


def _ivs(texts):
    return [_iv(text) for text in texts]


def _starts(slots):
    """The slots as the start times they were written with in the tables."""
    return [('+%d ' % (s.start.date() - DAY).days if s.start.date() != DAY else '') + s.start.strftime('%H:%M')
            for s in slots]


EARLY = '06:00'  # a "now" before every working interval of the table

CASES = [
    # id, work, busy, slot minutes, now, options, expected slot starts
    ('empty grid', ['09:00-11:00'], [], 30, EARLY, {}, ['09:00', '09:30', '10:00', '10:30']),
    ('no working time', [], ['09:00-10:00'], 30, EARLY, {}, []),
    ('busy blocks its slot', ['09:00-11:00'], ['09:30-10:00'], 30, EARLY, {}, ['09:00', '10:00', '10:30']),
    ('touching ends are free', ['09:00-11:00'], ['10:00-10:30'], 30, EARLY, {}, ['09:00', '09:30', '10:30']),
    ('off-grid busy keeps the grid: 10:20 end offers 10:30', ['09:00-11:00'], ['10:00-10:20'], 30, EARLY, {},
     ['09:00', '09:30', '10:30']),
    ('busy straddling two slots blocks both', ['09:00-11:00'], ['09:45-10:15'], 30, EARLY, {}, ['09:00', '10:30']),
    ('one-minute busy blocks a slot', ['09:00-10:00'], ['09:59-10:00'], 30, EARLY, {}, ['09:00']),
    ('busy over the whole day', ['09:00-11:00'], ['08:00-12:00'], 30, EARLY, {}, []),
    ('busy outside working time is ignored', ['09:00-10:00'], ['07:00-09:00', '10:00-12:00'], 30, EARLY, {},
     ['09:00', '09:30']),
    ('overlapping busy in any order', ['09:00-12:00'], ['10:00-11:00', '09:30-10:15', '10:45-10:50'], 30, EARLY, {},
     ['09:00', '11:00', '11:30']),
    ('busy inside busy', ['09:00-12:00'], ['09:30-11:30', '10:00-10:30'], 30, EARLY, {}, ['09:00', '11:30']),
    ('slot ending exactly at the end of work', ['09:00-10:00'], [], 30, EARLY, {}, ['09:00', '09:30']),
    ('slot straddling the end of work is not offered', ['09:00-10:45'], [], 30, EARLY, {},
     ['09:00', '09:30', '10:00']),
    ('work shorter than a slot', ['09:00-09:20'], [], 30, EARLY, {}, []),
    ('grid restarts at each working interval', ['09:00-10:00', '10:10-11:00'], [], 30, EARLY, {},
     ['09:00', '09:30', '10:10']),
    ('lunch break', ['13:00-14:00', '09:00-12:00'], [], 45, EARLY, {},
     ['09:00', '09:45', '10:30', '11:15', '13:00']),
    ('touching working intervals are merged', ['09:45-10:30', '09:00-09:45'], [], 30, EARLY, {},
     ['09:00', '09:30', '10:00']),
    ('overlapping working intervals are merged', ['09:00-10:15', '10:00-11:00'], [], 30, EARLY, {},
     ['09:00', '09:30', '10:00', '10:30']),
    ('working interval inside another', ['09:00-11:00', '09:20-09:40'], [], 30, EARLY, {},
     ['09:00', '09:30', '10:00', '10:30']),
    ('duplicate working intervals give no duplicate slots', ['09:00-10:00', '09:00-10:00'], [], 30, EARLY, {},
     ['09:00', '09:30']),
    ('past slots are not offered', ['09:00-11:00'], [], 30, '09:40', {}, ['10:00', '10:30']),
    ('a slot starting now is offered', ['09:00-11:00'], [], 30, '10:00', {}, ['10:00', '10:30']),
    ('a slot started a minute ago is not', ['09:00-11:00'], [], 30, '09:01', {}, ['09:30', '10:00', '10:30']),
    ('now after all working time', ['09:00-11:00'], [], 30, '11:00', {}, []),
    ('past and busy together', ['09:00-12:00'], ['10:30-11:00'], 30, '09:50', {}, ['10:00', '11:00', '11:30']),
    ('several days sorted', ['+1 09:00-10:00', '09:00-10:00'], ['+1 09:00-09:30'], 30, EARLY, {},
     ['09:00', '09:30', '+1 09:30']),
    ('hour slots', ['09:00-12:30'], ['10:00-10:05'], 60, EARLY, {}, ['09:00', '11:00']),
    ('limit', ['09:00-11:00'], [], 30, EARLY, {'limit': 2}, ['09:00', '09:30']),
    ('limit counts offered slots only', ['09:00-11:00'], ['09:00-10:00'], 30, EARLY, {'limit': 1}, ['10:00']),
    ('limit above what is free', ['09:00-10:00'], [], 30, EARLY, {'limit': 10}, ['09:00', '09:30']),
    ('limit 0', ['09:00-10:00'], [], 30, EARLY, {'limit': 0}, []),
    ('capacity not reached', ['09:00-11:00'], ['09:00-09:30'], 30, EARLY, {'daily_capacity': 10},
     ['09:30', '10:00', '10:30']),
    ('capacity leaves capacity minus booked', ['09:00-11:00'], ['09:00-09:30'], 30, EARLY, {'daily_capacity': 3},
     ['09:30', '10:00']),
    ('full day offers nothing, next day does', ['09:00-11:00', '+1 09:00-10:00'], ['09:00-09:30', '10:00-10:30'],
     30, EARLY, {'daily_capacity': 2}, ['+1 09:00', '+1 09:30']),
    ('capacity 0 offers nothing', ['09:00-11:00'], [], 30, EARLY, {'daily_capacity': 0}, []),
    ('past appointments count towards the day', ['09:00-12:00'], ['09:00-09:30'], 30, '10:00',
     {'daily_capacity': 2}, ['10:00']),
    ('appointments outside working time count', ['09:00-11:00'], ['18:00-18:30', '07:00-07:30'], 30, EARLY,
     {'daily_capacity': 3}, ['09:00']),
    ('capacity with overlapping busy counts each', ['09:00-11:00'], ['09:00-09:30', '09:00-09:30'], 30, EARLY,
     {'daily_capacity': 3}, ['09:30']),
    ('capacity and limit', ['09:00-11:00', '+1 09:00-11:00'], [], 30, EARLY, {'daily_capacity': 1, 'limit': 5},
     ['09:00', '+1 09:00']),
]


@pytest.mark.parametrize('work,busy,minutes,now,options,expected', [row[1:] for row in CASES],
                         ids=[row[0] for row in CASES])
def test_free_slots(work, busy, minutes, now, options, expected):
    slots = free_slots(_ivs(work), _ivs(busy), minutes, _t(now), **options)
    assert _starts(slots) == expected
    for slot in slots:
        assert isinstance(slot, Slot)
        assert slot.stop - slot.start == datetime.timedelta(minutes=minutes)


def test_slot_fields():
    slot = free_slots([_iv('09:00-09:30')], [], 30, _t(EARLY))[0]
    assert (slot.start, slot.stop) == (_t('09:00'), _t('09:30'))
    assert slot == Slot(_t('09:00'), _t('09:30'))


def test_inputs_may_be_generators_lists_or_slots():
    work = (pair for pair in [_iv('09:00-10:00')])
    busy = [list(_iv('09:00-09:30')), Slot(*_iv('09:45-10:00'))]
    assert _starts(free_slots(work, busy, 15, _t(EARLY))) == ['09:30']


def test_none_means_no_intervals():
    assert free_slots(None, None, 30, _t(EARLY)) == []
    assert _starts(free_slots([_iv('09:00-10:00')], None, 30, _t(EARLY))) == ['09:00', '09:30']


# Doctor in India (UTC+5:30): an appointment at 19:00 UTC on DAY is at 00:30 on the next local day.
def _ist_day(dt):
    return (dt + datetime.timedelta(hours=5, minutes=30)).date()


def test_capacity_counts_on_the_callers_day():
    work = [_iv('+1 04:00-05:00')]  # 09:30-10:30 local time on the next day
    busy = [_iv('19:00-19:30')]
    assert _starts(free_slots(work, busy, 30, _t(EARLY), daily_capacity=1)) == ['+1 04:00']
    assert free_slots(work, busy, 30, _t(EARLY), daily_capacity=1, day_of=_ist_day) == []
    assert _starts(free_slots(work, busy, 30, _t(EARLY), daily_capacity=2, day_of=_ist_day)) == ['+1 04:00']


def test_offered_slots_count_on_the_callers_day():
    # 18:00-19:00 UTC on DAY straddles local midnight: 18:00 is DAY, 18:30 is the next local day.
    slots = free_slots([_iv('18:00-19:30')], [], 30, _t(EARLY), daily_capacity=1, day_of=_ist_day)
    assert _starts(slots) == ['18:00', '18:30']


def test_day_of_is_not_needed_without_capacity():
    def fail(_dt):
        raise AssertionError('day_of called without a daily capacity')
    assert len(free_slots([_iv('09:00-10:00')], [_iv('09:00-09:30')], 30, _t(EARLY), day_of=fail)) == 1


OVERLAPS = [
    # id, a, b, expected
    ('disjoint', '09:00-10:00', '11:00-12:00', False),
    ('touching', '09:00-10:00', '10:00-11:00', False),
    ('touching the other way', '10:00-11:00', '09:00-10:00', False),
    ('partly overlapping', '09:00-10:30', '10:00-11:00', True),
    ('one inside the other', '09:00-12:00', '10:00-10:01', True),
    ('identical', '09:00-10:00', '09:00-10:00', True),
    ('same start', '09:00-09:15', '09:00-10:00', True),
    ('same stop', '09:45-10:00', '09:00-10:00', True),
    ('empty interval inside another', '09:30-09:30', '09:00-10:00', False),
]


@pytest.mark.parametrize('a,b,expected', [row[1:] for row in OVERLAPS], ids=[row[0] for row in OVERLAPS])
def test_overlaps(a, b, expected):
    assert overlaps(*(_iv(a) + _iv(b))) is expected
    assert overlaps(*(_iv(b) + _iv(a))) is expected


NOW = _t(EARLY)
WORK = [_iv('09:00-10:00')]

INVALID = [
    # id, arguments, words expected in the message
    ('slot length 0', (WORK, [], 0, NOW), {}, 'positive whole number of minutes, got 0'),
    ('negative slot length', (WORK, [], -30, NOW), {}, 'got -30'),
    ('fractional slot length', (WORK, [], 30.0, NOW), {}, 'got 30.0'),
    ('slot length as text', (WORK, [], '30', NOW), {}, "got '30'"),
    ('slot length as bool', (WORK, [], True, NOW), {}, 'got True'),
    ('working interval ending at its start', ([_iv('09:00-09:00')], [], 30, NOW), {},
     'working interval must end after it starts, got 2024-03-04T09:00:00 to 2024-03-04T09:00:00'),
    ('working interval ending before its start', ([_iv('10:00-09:00')], [], 30, NOW), {},
     'working interval must end after it starts'),
    ('busy interval ending before its start', (WORK, [_iv('09:30-09:00')], 30, NOW), {},
     'busy interval must end after it starts, got 2024-03-04T09:30:00 to 2024-03-04T09:00:00'),
    ('busy interval ending at its start', (WORK, [_iv('09:30-09:30')], 30, NOW), {},
     'busy interval must end after it starts'),
    ('interval that is not a pair', ([(_t('09:00'),)], [], 30, NOW), {}, 'must be a (start, stop) pair'),
    ('interval of dates', ([(DAY, DAY + datetime.timedelta(days=1))], [], 30, NOW), {},
     'start of a working interval must be a datetime'),
    ('interval of text', (WORK, [('09:00', '10:00')], 30, NOW), {}, "start of a busy interval must be a datetime"),
    ('aware datetime', ([(_t('09:00').replace(tzinfo=datetime.timezone.utc), _t('10:00'))], [], 30, NOW), {},
     'naive UTC datetime, got 2024-03-04T09:00:00+00:00'),
    ('now as a date', (WORK, [], 30, DAY), {}, 'Now must be a datetime'),
    ('now missing', (WORK, [], 30, None), {}, 'Now must be a datetime, got None'),
    ('negative capacity', (WORK, [], 30, NOW), {'daily_capacity': -1}, 'daily capacity cannot be negative, got -1'),
    ('fractional capacity', (WORK, [], 30, NOW), {'daily_capacity': 1.5}, 'whole number, got 1.5'),
    ('negative limit', (WORK, [], 30, NOW), {'limit': -1}, 'limit cannot be negative, got -1'),
    ('limit as text', (WORK, [], 30, NOW), {'limit': '3'}, "limit must be a whole number, got '3'"),
    ('day_of not a function', (WORK, [], 30, NOW), {'daily_capacity': 1, 'day_of': 'local'}, 'day_of must be'),
]


@pytest.mark.parametrize('args,options,message', [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_invalid_input_is_rejected_with_a_message(args, options, message):
    with pytest.raises(ValueError) as err:
        free_slots(*args, **options)
    assert message in str(err.value)


def _reference(work, busy, minutes, now, daily_capacity=None):
    """Slow, obvious version of the rules: every grid time of every merged working interval, checked one by one."""
    merged = []
    for start, stop in sorted(work):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    booked = {}
    for start, _stop in busy:
        booked[start.date()] = booked.get(start.date(), 0) + 1
    step = datetime.timedelta(minutes=minutes)
    found = []
    for work_start, work_stop in merged:
        start = work_start
        while start + step <= work_stop:
            free = start >= now and not any(overlaps(start, start + step, b0, b1) for b0, b1 in busy)
            if free and daily_capacity is not None:
                free = booked.get(start.date(), 0) < daily_capacity
            if free:
                booked[start.date()] = booked.get(start.date(), 0) + 1
                found.append(Slot(start, start + step))
            start += step
    return found


def _random_minutes(rng, low, high, step=5):
    return datetime.timedelta(minutes=rng.randrange(low, high + 1, step))


@pytest.mark.parametrize('seed', range(40))
def test_agrees_with_the_slow_reference(seed):
    rng = random.Random(seed)
    base = _t('00:00')
    work = []
    for _ in range(rng.randint(0, 6)):
        start = base + _random_minutes(rng, 0, 3 * 24 * 60)
        work.append((start, start + _random_minutes(rng, 5, 6 * 60)))
    busy = []
    for _ in range(rng.randint(0, 30)):
        start = base + _random_minutes(rng, 0, 3 * 24 * 60, 1)
        busy.append((start, start + _random_minutes(rng, 1, 120, 1)))
    minutes = rng.choice([10, 15, 20, 30, 45, 60])
    now = base + _random_minutes(rng, 0, 2 * 24 * 60, 1)
    capacity = rng.choice([None, 0, 1, 3, 8, 20])
    expected = _reference(work, busy, minutes, now, capacity)
    assert free_slots(work, busy, minutes, now, daily_capacity=capacity) == expected
    assert free_slots(work, busy, minutes, now, limit=3, daily_capacity=capacity) == expected[:3]


def _month_schedule(seed=7, days=30, appointments=2000):
    """30 days of 09:00-17:00 work and 2,000 appointments of 5-15 min, some outside hours, some overlapping."""
    rng = random.Random(seed)
    first = datetime.datetime(2024, 3, 1)
    work = [(first + datetime.timedelta(days=d, hours=9), first + datetime.timedelta(days=d, hours=17))
            for d in range(days)]
    rng.shuffle(work)
    busy = []
    for _ in range(appointments):
        start = first + datetime.timedelta(days=rng.randrange(days), minutes=rng.randrange(8 * 60, 17 * 60 + 30, 5))
        busy.append((start, start + datetime.timedelta(minutes=rng.choice([5, 10, 15]))))
    return first, work, busy


def test_large_schedule_properties():
    first, work, busy = _month_schedule()
    now = first + datetime.timedelta(days=3, hours=11, minutes=7)
    slots = free_slots(work, busy, 10, now)
    assert slots, 'the random month should leave some free time'
    assert slots == sorted(slots)
    assert len(set(slots)) == len(slots)
    for slot in slots:
        assert slot.start >= now
        assert slot.stop - slot.start == datetime.timedelta(minutes=10)
        assert any(w0 <= slot.start and slot.stop <= w1 for w0, w1 in work)
        assert not any(overlaps(slot.start, slot.stop, b0, b1) for b0, b1 in busy)
    assert slots == _reference(work, busy, 10, now)
    assert free_slots(work, busy, 10, now, limit=10) == slots[:10]


def test_large_schedule_with_capacity():
    first, work, busy = _month_schedule(seed=11, appointments=700)
    slots = free_slots(work, busy, 30, first, daily_capacity=25)
    booked = {}
    for start, _stop in busy:
        booked[start.date()] = booked.get(start.date(), 0) + 1
    offered = {}
    for slot in slots:
        offered[slot.start.date()] = offered.get(slot.start.date(), 0) + 1
    assert any(count >= 25 for count in booked.values()), 'the random month should have a full day'
    for day, count in offered.items():
        assert booked.get(day, 0) + count <= 25
    for day, count in booked.items():
        if count >= 25:
            assert day not in offered
    assert slots == _reference(work, busy, 30, first, daily_capacity=25)

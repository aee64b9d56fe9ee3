import datetime
import random
import re

import pytest

from ..matching import COMPONENTS, DoctorFacts, Match, MatchRequest, excluded_reason, rank_doctors

NOW = datetime.datetime(2024, 3, 4, 8, 0)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
DAYS = datetime.timedelta(days=1)

CARDIOLOGY, GENERAL, NEUROLOGY, ORTHO = 1, 2, 3, 4
ENGLISH, HINDI, URDU = 1, 2, 3


def _request(**values):
    fields = dict(specialty_weights={}, language_ids=set(), gender=None, fee_cap=None, department_id=None)
    fields.update(values)
    return MatchRequest(**fields)


def _doctor(**values):
    fields = dict(id=1, name='Dr Asha Rao', specialty_ids={CARDIOLOGY}, language_ids={ENGLISH}, gender='female',
                  fee=500.0, department_id=10, rating=4.0, next_slot=NOW + 2 * HOUR, load=10, capacity=40)
    fields.update(values)
    return DoctorFacts(**fields)


def _points(reason):
    """The points a reason line shows at its end: ``(+20)``."""
    match = re.search(r'\(\+(\d+)\)$', reason)
    assert match, reason
    return int(match.group(1))


EXCLUSIONS = [
    # id, request values, doctor values, expected reason (None: the doctor is offered)
    ('fits', {}, {}, None),
    ('no requested specialty practised', {'specialty_weights': {NEUROLOGY: 2, ORTHO: 1}}, {},
     'Practises none of the 2 requested specialties'),
    ('one requested specialty', {'specialty_weights': {NEUROLOGY: 1}}, {},
     'Practises none of the 1 requested specialty'),
    ('one of the requested specialties practised', {'specialty_weights': {NEUROLOGY: 2, CARDIOLOGY: 1}}, {}, None),
    ('no specialty requested, doctor without specialties', {}, {'specialty_ids': set()}, None),
    ('female doctor preferred, doctor is male', {'gender': 'female'}, {'gender': 'male'},
     'The patient prefers a female doctor'),
    ('male doctor preferred, gender not recorded', {'gender': 'male'}, {'gender': None},
     'The patient prefers a male doctor'),
    ('female doctor preferred and found', {'gender': 'female'}, {}, None),
    ('no gender preference', {}, {'gender': 'male'}, None),
    ('Odoo empty gender means no preference', {'gender': False}, {'gender': 'male'}, None),
    ('fee above the cap', {'fee_cap': 500}, {'fee': 500.5}, 'Fee 500.5 is above the cap of 500'),
    ('fee equal to the cap', {'fee_cap': 500}, {'fee': 500}, None),
    ('free consultation with cap 0', {'fee_cap': 0}, {'fee': 0}, None),
    ('any fee with cap 0', {'fee_cap': 0}, {'fee': 1}, 'Fee 1 is above the cap of 0'),
    ('no cap', {}, {'fee': 5000}, None),
    ('other department', {'department_id': 11}, {}, 'Works in another department'),
    ('doctor without department', {'department_id': 11}, {'department_id': None}, 'Works in another department'),
    ('same department', {'department_id': 10}, {}, None),
    ('no free slot', {}, {'next_slot': None}, 'No free slot'),
    ('first failing rule is given', {'specialty_weights': {NEUROLOGY: 1}, 'gender': 'male', 'fee_cap': 1},
     {'next_slot': None}, 'Practises none of the 1 requested specialty'),
    ('gender before fee', {'gender': 'male', 'fee_cap': 1}, {}, 'The patient prefers a male doctor'),
]


@pytest.mark.parametrize('request_values,doctor_values,reason', [row[1:] for row in EXCLUSIONS],
                         ids=[row[0] for row in EXCLUSIONS])
def test_hard_filters(request_values, doctor_values, reason):
    request, doctor = _request(**request_values), _doctor(**doctor_values)
    assert excluded_reason(request, doctor) == reason
    ranked = rank_doctors(request, [doctor], NOW)
    assert [m.doctor_id for m in ranked] == ([] if reason else [doctor.id])


COMPONENT_CASES = [
    # id, request values, doctor values, component, expected points
    ('specialty: none requested', {}, {'specialty_ids': set()}, 'specialty', 40),
    ('specialty: all weight', {'specialty_weights': {CARDIOLOGY: 2, GENERAL: 1}},
     {'specialty_ids': {CARDIOLOGY, GENERAL, ORTHO}}, 'specialty', 40),
    ('specialty: 2 of 3 weight = 26.67', {'specialty_weights': {CARDIOLOGY: 2, GENERAL: 1}}, {}, 'specialty', 27),
    ('specialty: 1 of 3 weight = 13.33', {'specialty_weights': {CARDIOLOGY: 1, GENERAL: 2}}, {}, 'specialty', 13),
    ('specialty: 3 of 8 weight = 15', {'specialty_weights': {CARDIOLOGY: 3, GENERAL: 5}}, {}, 'specialty', 15),
    ('specialty: half rounds up, 1 of 16 = 2.5', {'specialty_weights': {CARDIOLOGY: 1, GENERAL: 15}}, {},
     'specialty', 3),
    ('specialty: fractional weights', {'specialty_weights': {CARDIOLOGY: 0.1, GENERAL: 0.3}}, {}, 'specialty', 10),
    ('specialty: only one requested', {'specialty_weights': {CARDIOLOGY: 7}}, {}, 'specialty', 40),
    ('language: no preference is neutral', {}, {}, 'language', 10),
    ('language: no preference, doctor lists none', {}, {'language_ids': set()}, 'language', 10),
    ('language: speaks a preferred one', {'language_ids': {HINDI, ENGLISH}}, {}, 'language', 20),
    ('language: speaks several preferred', {'language_ids': {HINDI, ENGLISH}}, {'language_ids': {HINDI, ENGLISH}},
     'language', 20),
    ('language: speaks none of them', {'language_ids': {HINDI, URDU}}, {}, 'language', 0),
    ('language: doctor lists no language', {'language_ids': {HINDI}}, {'language_ids': set()}, 'language', 0),
    ('availability: slot now', {}, {'next_slot': NOW}, 'availability', 20),
    ('availability: slot already started', {}, {'next_slot': NOW - 10 * MINUTE}, 'availability', 20),
    ('availability: exactly 24 h', {}, {'next_slot': NOW + 24 * HOUR}, 'availability', 20),
    ('availability: 24 h and a minute', {}, {'next_slot': NOW + 24 * HOUR + MINUTE}, 'availability', 20),
    ('availability: 7.5 days = 10', {}, {'next_slot': NOW + 180 * HOUR}, 'availability', 10),
    ('availability: 8 days = 9.23', {}, {'next_slot': NOW + 8 * DAYS}, 'availability', 9),
    ('availability: half rounds up, 328.2 h = 0.5', {}, {'next_slot': NOW + 328 * HOUR + 12 * MINUTE},
     'availability', 1),
    ('availability: just under 14 days', {}, {'next_slot': NOW + 14 * DAYS - HOUR}, 'availability', 0),
    ('availability: 14 days', {}, {'next_slot': NOW + 14 * DAYS}, 'availability', 0),
    ('availability: 30 days', {}, {'next_slot': NOW + 30 * DAYS}, 'availability', 0),
    ('rating: not rated is neutral', {}, {'rating': None}, 'rating', 5),
    ('rating: 0', {}, {'rating': 0}, 'rating', 0),
    ('rating: 5', {}, {'rating': 5}, 'rating', 10),
    ('rating: 4.5', {}, {'rating': 4.5}, 'rating', 9),
    ('rating: half rounds up, 4.25 = 8.5', {}, {'rating': 4.25}, 'rating', 9),
    ('rating: 3.7 = 7.4', {}, {'rating': 3.7}, 'rating', 7),
    ('load: nothing booked', {}, {'load': 0}, 'load', 10),
    ('load: 3 of 40 = 9.25', {}, {'load': 3}, 'load', 9),
    ('load: half rounds up, 2 of 40 = 9.5', {}, {'load': 2}, 'load', 10),
    ('load: half booked', {}, {'load': 20}, 'load', 5),
    ('load: 1 of 3 = 6.67', {}, {'load': 1, 'capacity': 3}, 'load', 7),
    ('load: full', {}, {'load': 40}, 'load', 0),
    ('load: overbooked is not below 0', {}, {'load': 55}, 'load', 0),
]


@pytest.mark.parametrize('request_values,doctor_values,component,points', [row[1:] for row in COMPONENT_CASES],
                         ids=[row[0] for row in COMPONENT_CASES])
def test_component_points(request_values, doctor_values, component, points):
    match, = rank_doctors(_request(**request_values), [_doctor(**doctor_values)], NOW)
    assert match.components[component] == points
    assert set(match.components) == set(COMPONENTS)
    assert match.score == sum(match.components.values())
    assert 0 <= match.score <= 100
    assert sum(_points(reason) for reason in match.reasons) == match.score
    assert _points(match.reasons[COMPONENTS.index(component)]) == points


def test_perfect_doctor_scores_100():
    request = _request(specialty_weights={CARDIOLOGY: 1}, language_ids={ENGLISH})
    match, = rank_doctors(request, [_doctor(rating=5, load=0, next_slot=NOW + HOUR)], NOW)
    assert match == Match(1, 100, {'specialty': 40, 'language': 20, 'availability': 20, 'rating': 10, 'load': 10},
                          match.reasons)


def test_worst_offered_doctor_scores_little():
    request = _request(specialty_weights={CARDIOLOGY: 1, GENERAL: 99}, language_ids={HINDI})
    match, = rank_doctors(request, [_doctor(rating=0, load=40, next_slot=NOW + 20 * DAYS)], NOW)
    assert match.components == {'specialty': 0, 'language': 0, 'availability': 0, 'rating': 0, 'load': 0}
    assert match.score == 0


def test_reasons_text():
    request = _request(specialty_weights={CARDIOLOGY: 2, GENERAL: 1}, language_ids={HINDI, ENGLISH})
    match, = rank_doctors(request, [_doctor(rating=4.5, load=3, next_slot=NOW + 3 * HOUR + 20 * MINUTE)], NOW)
    assert match.reasons == (
        "Practises 1 of 2 requested specialties, 67% of the symptoms' weight (+27)",
        'Speaks a preferred language (+20)',
        'Next free slot in 3 h (+20)',
        'Rated 4.5/5 (+9)',
        'Light schedule: 3 of 40 appointments booked in the next 7 days (+9)',
    )
    assert match.score == 85


def test_neutral_reasons_text():
    match, = rank_doctors(_request(language_ids=set()), [_doctor(rating=None, load=30, next_slot=NOW + 5 * DAYS)],
                          NOW)
    assert match.reasons == (
        'No specialty requested: any specialty fits (+40)',
        'No language preference: neutral (+10)',
        'Next free slot in 5 days (+14)',  # 20 x (336 - 120) / 312 = 13.85
        'Not rated yet: neutral (+5)',
        'Busy schedule: 30 of 40 appointments booked in the next 7 days (+3)',
    )


def test_zero_components_are_explained_too():
    request = _request(language_ids={URDU})
    match, = rank_doctors(request, [_doctor(rating=0, load=40, next_slot=NOW + 15 * DAYS)], NOW)
    assert match.reasons[1:] == (
        'Speaks none of the preferred languages (+0)',
        'Next free slot in 15 days (+0)',
        'Rated 0/5 (+0)',
        'Fully booked: 40 of 40 appointments booked in the next 7 days (+0)',
    )


WAITS = [
    ('now', NOW, 'Next free slot now (+20)'),
    ('started', NOW - MINUTE, 'Next free slot now (+20)'),
    ('minutes', NOW + 25 * MINUTE, 'Next free slot in 25 min (+20)'),
    ('one hour', NOW + HOUR, 'Next free slot in 1 h (+20)'),
    ('a day and a half', NOW + 36 * HOUR, 'Next free slot in 36 h (+19)'),
    ('days', NOW + 2 * DAYS + 5 * HOUR, 'Next free slot in 2 days (+18)'),
]


@pytest.mark.parametrize('next_slot,reason', [row[1:] for row in WAITS], ids=[row[0] for row in WAITS])
def test_availability_reason(next_slot, reason):
    match, = rank_doctors(_request(), [_doctor(next_slot=next_slot)], NOW)
    assert match.reasons[2] == reason


LOADS = [
    ('light', 0, 'Light schedule: 0 of 40'),
    ('light below a third', 13, 'Light schedule: 13 of 40'),
    ('moderate from a third', 14, 'Moderate schedule: 14 of 40'),
    ('busy from two thirds', 27, 'Busy schedule: 27 of 40'),
    ('fully booked', 40, 'Fully booked: 40 of 40'),
    ('overbooked', 41, 'Fully booked: 41 of 40'),
]


@pytest.mark.parametrize('load,start', [row[1:] for row in LOADS], ids=[row[0] for row in LOADS])
def test_load_reason(load, start):
    match, = rank_doctors(_request(), [_doctor(load=load)], NOW)
    assert match.reasons[4].startswith(start)


SOON, LATER = NOW + HOUR, NOW + 3 * HOUR  # both within 24 h: the same availability points
TIES = [
    # id, doctors as (id, values), expected order of ids
    ('higher score first', [(1, {'rating': 3}), (2, {'rating': 4})], [2, 1]),
    ('higher score beats a sooner slot',
     [(1, {'rating': 3, 'next_slot': SOON}), (2, {'rating': 4, 'next_slot': LATER})], [2, 1]),
    ('equal score: sooner slot first', [(1, {'next_slot': LATER}), (2, {'next_slot': SOON})], [2, 1]),
    ('equal score and slot: lower fee first', [(1, {'fee': 800}), (2, {'fee': 300})], [2, 1]),
    ('sooner slot before lower fee', [(1, {'fee': 100, 'next_slot': LATER}), (2, {'fee': 900, 'next_slot': SOON})],
     [2, 1]),
    ('all equal: lower id first', [(7, {}), (3, {}), (5, {})], [3, 5, 7]),
    ('unrated beats a poor rating', [(1, {'rating': 2}), (2, {'rating': None})], [2, 1]),
    ('good rating beats unrated', [(1, {'rating': None}), (2, {'rating': 3})], [2, 1]),
]


@pytest.mark.parametrize('doctors,order', [row[1:] for row in TIES], ids=[row[0] for row in TIES])
def test_order(doctors, order):
    facts = [_doctor(id=doctor_id, **values) for doctor_id, values in doctors]
    assert [m.doctor_id for m in rank_doctors(_request(), facts, NOW)] == order
    assert [m.doctor_id for m in rank_doctors(_request(), facts[::-1], NOW)] == order


LIMITS = [('default is 5', {}, 5), ('limit 1', {'limit': 1}, 1), ('limit 3', {'limit': 3}, 3),
          ('limit above the count', {'limit': 50}, 7)]


@pytest.mark.parametrize('options,count', [row[1:] for row in LIMITS], ids=[row[0] for row in LIMITS])
def test_limit(options, count):
    doctors = [_doctor(id=i, rating=i * 0.5) for i in range(1, 8)]
    ranked = rank_doctors(_request(), doctors, NOW, **options)
    assert [m.doctor_id for m in ranked] == [7, 6, 5, 4, 3, 2, 1][:count]


def test_no_doctors():
    assert rank_doctors(_request(), [], NOW) == []
    assert rank_doctors(_request(), iter([]), NOW) == []


def test_accepts_lists_and_odoo_empty_values():
    request = MatchRequest({CARDIOLOGY: 1}, [ENGLISH], False, False, False)
    doctor = _doctor(specialty_ids=[CARDIOLOGY, CARDIOLOGY], language_ids=False, department_id=False)
    match, = rank_doctors(request, [doctor], NOW)
    assert (match.components['specialty'], match.components['language']) == (40, 0)


def test_no_field_for_paid_placement():
    """The ranking sees these facts and nothing else: nothing a sponsor could pay to set."""
    assert DoctorFacts._fields == ('id', 'name', 'specialty_ids', 'language_ids', 'gender', 'fee', 'department_id',
                                   'rating', 'next_slot', 'load', 'capacity')
    assert MatchRequest._fields == ('specialty_weights', 'language_ids', 'gender', 'fee_cap', 'department_id')
    assert COMPONENTS == ('specialty', 'language', 'availability', 'rating', 'load')


INVALID = [
    # id, request values, doctor values, options, words expected in the message
    ('negative weight', {'specialty_weights': {CARDIOLOGY: -1}}, {}, {},
     'weight of specialty 1 must be above 0, got -1'),
    ('zero weight', {'specialty_weights': {CARDIOLOGY: 0}}, {}, {}, 'must be above 0, got 0'),
    ('weight as text', {'specialty_weights': {CARDIOLOGY: '2'}}, {}, {}, "must be a number, got '2'"),
    ('weights not a dict', {'specialty_weights': [CARDIOLOGY]}, {}, {}, 'must be a dict'),
    ('preferred gender other', {'gender': 'other'}, {}, {}, "got 'other'"),
    ('negative fee cap', {'fee_cap': -10}, {}, {}, 'fee cap cannot be negative, got -10'),
    ('languages as text', {'language_ids': 'en'}, {}, {}, 'collection of ids'),
    ('rating above 5', {}, {'rating': 5.1}, {}, 'rating of doctor Dr Asha Rao must be between 0 and 5, got 5.1'),
    ('negative rating', {}, {'rating': -0.5}, {}, 'between 0 and 5, got -0.5'),
    ('rating as text', {}, {'rating': '4'}, {}, "must be a number or None, got '4'"),
    ('capacity 0', {}, {'capacity': 0}, {}, 'capacity of doctor Dr Asha Rao must be above 0, got 0'),
    ('negative capacity', {}, {'capacity': -5}, {}, 'must be above 0, got -5'),
    ('negative load', {}, {'load': -1}, {}, 'load of doctor Dr Asha Rao cannot be negative, got -1'),
    ('negative fee', {}, {'fee': -1}, {}, 'fee of doctor Dr Asha Rao cannot be negative'),
    ('fee missing', {}, {'fee': None}, {}, 'fee of doctor Dr Asha Rao must be a number, got None'),
    ('next slot as a date', {}, {'next_slot': NOW.date()}, {}, 'next slot of doctor Dr Asha Rao must be a datetime'),
    ('unnamed doctor named by id', {}, {'name': '', 'id': 42, 'load': -3}, {}, 'load of doctor 42 cannot be negative'),
    ('limit 0', {}, {}, {'limit': 0}, 'limit must be at least 1, got 0'),
    ('negative limit', {}, {}, {'limit': -2}, 'limit must be at least 1, got -2'),
    ('limit as text', {}, {}, {'limit': '5'}, "limit must be a whole number, got '5'"),
    ('now as a date', {}, {}, {'now': NOW.date()}, 'Now must be a datetime'),
]


@pytest.mark.parametrize('request_values,doctor_values,options,message', [row[1:] for row in INVALID],
                         ids=[row[0] for row in INVALID])
def test_invalid_input_is_rejected_with_a_message(request_values, doctor_values, options, message):
    options = dict(options)
    now = options.pop('now', NOW)
    with pytest.raises(ValueError) as err:
        rank_doctors(_request(**request_values), [_doctor(**doctor_values)], now, **options)
    assert message in str(err.value)


def test_excluded_doctors_are_still_checked():
    with pytest.raises(ValueError):
        rank_doctors(_request(gender='male'), [_doctor(rating=9)], NOW)


@pytest.mark.parametrize('request_,doctor', [
    (_request(specialty_weights={CARDIOLOGY: -1}), _doctor()),
    (_request(), _doctor(capacity=0)),
    ({'specialty_weights': {}}, _doctor()),
    (_request(), ('Dr', 1)),
], ids=['bad weight', 'bad capacity', 'request not a MatchRequest', 'doctor not a DoctorFacts'])
def test_excluded_reason_checks_its_input(request_, doctor):
    with pytest.raises(ValueError):
        excluded_reason(request_, doctor)


def _hospital(seed=3, count=500):
    """500 doctors with random facts, some without a slot or a rating."""
    rng = random.Random(seed)
    doctors = []
    for doctor_id in range(1, count + 1):
        doctors.append(DoctorFacts(
            id=doctor_id, name='Dr %d' % doctor_id,
            specialty_ids=set(rng.sample(range(1, 21), rng.randint(1, 3))),
            language_ids=set(rng.sample(range(1, 7), rng.randint(1, 3))),
            gender=rng.choice(['male', 'female']),
            fee=float(rng.randrange(200, 2001, 100)),
            department_id=rng.randint(1, 5),
            rating=rng.choice([None, round(rng.uniform(0, 5), 1)]),
            next_slot=rng.choice([None, NOW + rng.randrange(0, 20 * 24 * 60, 15) * MINUTE]),
            load=rng.randint(0, 50),
            capacity=rng.randint(20, 60),
        ))
    return doctors


def _sort_key(match, by_id):
    doctor = by_id[match.doctor_id]
    return (-match.score, doctor.next_slot, doctor.fee, doctor.id)


@pytest.mark.parametrize('request_', [
    MatchRequest({3: 2, 7: 1, 12: 1}, {1, 2}, None, 1500, None),
    MatchRequest({}, set(), None, None, None),
    MatchRequest({5: 1}, {4}, 'female', 1000, 2),
], ids=['symptoms and languages', 'no preferences', 'strict'])
def test_large_ranking_properties(request_):
    doctors = _hospital()
    by_id = {d.id: d for d in doctors}
    eligible = {d.id for d in doctors if excluded_reason(request_, d) is None}
    everyone = rank_doctors(request_, doctors, NOW, limit=len(doctors))
    assert {m.doctor_id for m in everyone} == eligible
    assert everyone == sorted(everyone, key=lambda m: _sort_key(m, by_id))
    assert [m.score for m in everyone] == sorted((m.score for m in everyone), reverse=True)
    for match in everyone:
        assert match.score == sum(match.components.values()) == sum(_points(r) for r in match.reasons)
        assert 0 <= match.score <= 100
    top = rank_doctors(request_, doctors, NOW, limit=20)
    assert top == everyone[:20]
    assert rank_doctors(request_, doctors, NOW) == everyone[:5]
    shuffled = list(doctors)
    random.Random(1).shuffle(shuffled)
    assert rank_doctors(request_, shuffled, NOW, limit=20) == top

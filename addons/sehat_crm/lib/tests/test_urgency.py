import itertools
import os
import re
import xml.etree.ElementTree as ET

import pytest

from ..urgency import (
    BAND_LABELS, BAND_RANK, BANDS, DEFAULT_SLA_MINUTES, Symptom, UrgencyResult, band_for_score, score_urgency)

# A few catalogue symptoms (weights as in data/sehat_symptom_data.xml).
CHEST_PAIN = Symptom('CHEST_PAIN', 'Chest pain', 95, True)
SEIZURE = Symptom('SEIZURE', 'Seizure', 95, True)
SEVERE_ABDOMINAL_PAIN = Symptom('SEVERE_ABDOMINAL_PAIN', 'Severe abdominal pain', 70, False)
FRACTURE = Symptom('FRACTURE', 'Suspected fracture', 65, False)
KIDNEY_STONE = Symptom('KIDNEY_STONE_PAIN', 'Kidney stone pain', 60, False)
HIGH_FEVER = Symptom('HIGH_FEVER', 'High fever', 55, False)
PALPITATIONS = Symptom('PALPITATIONS', 'Palpitations', 50, False)
FEVER = Symptom('FEVER', 'Fever', 30, False)
DIARRHOEA = Symptom('DIARRHOEA', 'Diarrhoea', 30, False)
COUGH = Symptom('COUGH', 'Cough', 20, False)
HEADACHE = Symptom('HEADACHE', 'Headache', 20, False)
BACK_PAIN = Symptom('BACK_PAIN', 'Back pain', 20, False)
COLD = Symptom('COLD', 'Cold', 10, False)
ACNE = Symptom('ACNE', 'Acne', 10, False)

SCORES = [
    # id, symptoms, modifiers, expected score, expected band
    ('nothing', [], {}, 0, 'routine'),
    ('one mild symptom', [ACNE], {}, 10, 'routine'),
    ('soon boundary 30', [FEVER], {}, 30, 'soon'),
    ('two mild: 20 + 15% of 10 = 1.5 -> 2', [COUGH, COLD], {}, 22, 'routine'),
    ('three: 30 + 15% of 40', [COUGH, FEVER, HEADACHE], {}, 36, 'soon'),
    ('half rounds up: 70 + 15% of 30 = 4.5 -> 5', [SEVERE_ABDOMINAL_PAIN, DIARRHOEA], {}, 75, 'urgent'),
    ('four: 60 + 15% of 60', [COUGH, KIDNEY_STONE, HEADACHE, BACK_PAIN], {}, 69, 'urgent'),
    ('urgent boundary 55', [HIGH_FEVER], {}, 55, 'urgent'),
    ('just below urgent', [PALPITATIONS], {}, 50, 'soon'),
    ('elderly', [PALPITATIONS], {'age': 70}, 60, 'urgent'),
    ('age 65 counts as elderly', [FEVER], {'age': 65}, 40, 'soon'),
    ('age 64 is not', [FEVER], {'age': 64}, 30, 'soon'),
    ('infant', [FEVER], {'age': 1}, 45, 'soon'),
    ('infant of 6 months', [HIGH_FEVER], {'age': 0.5}, 70, 'urgent'),
    ('age 2 is not an infant', [FEVER], {'age': 2}, 30, 'soon'),
    ('pregnancy alone', [], {'pregnant': True}, 10, 'routine'),
    ('pregnant with fever', [FEVER], {'pregnant': True}, 40, 'soon'),
    ('one chronic condition', [FEVER], {'chronic_conditions': 1}, 35, 'soon'),
    ('chronic conditions capped at +10', [FEVER], {'chronic_conditions': 5}, 40, 'soon'),
    ('sudden onset', [FEVER], {'duration_days': 0.5}, 35, 'soon'),
    ('one day is not sudden', [FEVER], {'duration_days': 1}, 30, 'soon'),
    ('sudden onset needs a symptom', [], {'duration_days': 0}, 0, 'routine'),
    ('long-standing', [FEVER], {'duration_days': 45}, 25, 'routine'),
    ('30 days is not long-standing', [FEVER], {'duration_days': 30}, 30, 'soon'),
    ('emergency boundary 80', [SEVERE_ABDOMINAL_PAIN], {'age': 80}, 80, 'emergency'),
    ('just below emergency', [SEVERE_ABDOMINAL_PAIN], {'age': 30, 'chronic_conditions': 1}, 75, 'urgent'),
    ('modifiers add up', [FRACTURE], {'age': 70, 'chronic_conditions': 2, 'duration_days': 0}, 90, 'emergency'),
    ('modifiers without symptoms', [], {'age': 30, 'pregnant': True, 'chronic_conditions': 2, 'duration_days': 45},
     15, 'routine'),
    ('plain tuples are accepted', [('FEVER', 'Fever', 30, False), ('COUGH', 'Cough', 20, False)], {}, 33, 'soon'),
]


def _reason_points(reason):
    """Points a reason line shows: ``(+10)``, ``(-5)`` or ``(weight 95)`` at its end, else 0."""
    match = re.search(r'\((?:weight )?([+-]?\d+)\)$', reason)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize('symptoms,modifiers,score,band', [row[1:] for row in SCORES], ids=[row[0] for row in SCORES])
def test_score_and_band(symptoms, modifiers, score, band):
    result = score_urgency(symptoms, **modifiers)
    assert (result.score, result.band) == (score, band)
    assert result.red_flags == ()


@pytest.mark.parametrize('symptoms,modifiers', [row[1:3] for row in SCORES], ids=[row[0] for row in SCORES])
def test_every_point_is_explained(symptoms, modifiers):
    result = score_urgency(symptoms, **modifiers)
    assert sum(_reason_points(reason) for reason in result.reasons) == result.score


def test_reasons_text():
    result = score_urgency([COUGH, CHEST_PAIN], age=70)
    assert result.reasons == (
        'Chest pain (weight 95)',
        'Also Cough (weight 20): 15% of 20 (+3)',
        'Age 70: 65 or older (+10)',
        'Capped at 100 (-8)',
        'Red flag (Chest pain): Emergency, score at least 90',
    )


def test_reasons_text_for_each_modifier():
    reasons = score_urgency([FEVER], age=0.25, pregnant=True, chronic_conditions=3, duration_days=0).reasons
    assert reasons == (
        'Fever (weight 30)',
        'Age 0.25: infant under 2 (+15)',
        'Pregnant (+10)',
        '3 chronic conditions: 5 each, at most 10 (+10)',
        'Sudden onset: under 1 day (+5)',
    )
    assert score_urgency([FEVER], chronic_conditions=1, duration_days=40).reasons[1:] == (
        '1 chronic condition: 5 each, at most 10 (+5)',
        'Long-standing: 40 days, more than 30 (-5)',
    )


def test_no_input_gives_no_reasons():
    assert score_urgency([]) == UrgencyResult(0, 'routine', (), ())
    assert score_urgency(None) == UrgencyResult(0, 'routine', (), ())


def test_equal_weights_keep_the_reported_order():
    assert score_urgency([COUGH, HEADACHE]).reasons[0] == 'Cough (weight 20)'
    assert score_urgency([HEADACHE, COUGH]).reasons[0] == 'Headache (weight 20)'


@pytest.mark.parametrize('symptoms', [[CHEST_PAIN], [COUGH, CHEST_PAIN], [SEIZURE, CHEST_PAIN, FEVER]])
def test_red_flag_is_an_emergency(symptoms):
    result = score_urgency(symptoms)
    assert result.band == 'emergency'
    assert result.score >= 90
    assert result.red_flags == tuple(s.name for s in symptoms if s.red_flag)


def test_low_weight_red_flag_is_raised_to_90():
    faint = Symptom('FAINTING', 'Fainting', 10, True)
    result = score_urgency([faint], duration_days=60)
    assert (result.score, result.band, result.red_flags) == (90, 'emergency', ('Fainting',))
    assert result.reasons[-1] == 'Red flag (Fainting): Emergency, score at least 90 (+85)'
    assert sum(_reason_points(reason) for reason in result.reasons) == 90


def test_red_flags_are_listed_in_reported_order():
    result = score_urgency([SEIZURE, FEVER, CHEST_PAIN])
    assert result.red_flags == ('Seizure', 'Chest pain')
    assert 'Red flag (Seizure, Chest pain)' in result.reasons[-1]


def test_score_is_capped_at_100():
    result = score_urgency([CHEST_PAIN, FRACTURE], age=80, pregnant=True, chronic_conditions=4, duration_days=0)
    assert (result.score, result.band) == (100, 'emergency')
    assert 'Capped at 100 (-40)' in result.reasons


def test_score_never_goes_below_0():
    result = score_urgency([Symptom('CHECKUP', 'Check-up', 0, False)], duration_days=90)
    assert (result.score, result.band) == (0, 'routine')
    assert result.reasons[-1] == 'Raised to 0 (+5)'


INVALID = [
    # id, symptoms, modifiers, words expected in the message
    ('weight above 100', [('X', 'Odd', 101, False)], {}, 'between 0 and 100'),
    ('negative weight', [('X', 'Odd', -1, False)], {}, 'between 0 and 100'),
    ('fractional weight', [('X', 'Odd', 50.5, False)], {}, 'whole number'),
    ('weight as text', [('X', 'Odd', '50', False)], {}, 'whole number'),
    ('weight bypassing the constructor', [FEVER._replace(weight=120)], {}, 'between 0 and 100'),
    ('not a symptom', ['fever'], {}, 'must be a Symptom'),
    ('negative age', [FEVER], {'age': -1}, 'age cannot be negative'),
    ('age above 130', [FEVER], {'age': 131}, 'at most 130'),
    ('age as text', [FEVER], {'age': '70'}, 'age must be a number'),
    ('age as bool', [FEVER], {'age': True}, 'age must be a number'),
    ('negative duration', [FEVER], {'duration_days': -0.5}, 'duration cannot be negative'),
    ('duration as text', [FEVER], {'duration_days': '2'}, 'duration must be a number'),
    ('negative chronic count', [FEVER], {'chronic_conditions': -1}, 'cannot be negative'),
    ('fractional chronic count', [FEVER], {'chronic_conditions': 1.5}, 'whole number'),
]


@pytest.mark.parametrize('symptoms,modifiers,message', [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_invalid_input_is_rejected_with_a_message(symptoms, modifiers, message):
    with pytest.raises(ValueError) as err:
        score_urgency(symptoms, **modifiers)
    assert message in str(err.value)


@pytest.mark.parametrize('weight', [-1, 101, 1.5, None])
def test_symptom_checks_its_weight(weight):
    with pytest.raises(ValueError) as err:
        Symptom('X', 'Odd', weight, False)
    assert '"Odd"' in str(err.value)


def test_symptom_defaults():
    assert Symptom('COLD', '', 10) == ('COLD', 'COLD', 10, False)
    assert Symptom('COLD', 'Cold', 10, 1).red_flag is True


@pytest.mark.parametrize('score,band', [
    (0, 'routine'), (29, 'routine'), (29.9, 'routine'), (30, 'soon'), (54, 'soon'),
    (55, 'urgent'), (79, 'urgent'), (80, 'emergency'), (100, 'emergency'),
])
def test_band_for_score(score, band):
    assert band_for_score(score) == band


def test_band_for_score_red_flag_is_always_an_emergency():
    assert band_for_score(0, red_flag=True) == 'emergency'


@pytest.mark.parametrize('score', [-1, 101, '50', None])
def test_band_for_score_rejects_bad_scores(score):
    with pytest.raises(ValueError):
        band_for_score(score)


SYMPTOM_SETS = [[], [ACNE], [FEVER], [COUGH, COLD], [HIGH_FEVER, COUGH], [SEVERE_ABDOMINAL_PAIN, DIARRHOEA],
                [FRACTURE, BACK_PAIN, HEADACHE], [CHEST_PAIN], [CHEST_PAIN, FEVER]]
PATIENTS = [
    {}, {'age': 30}, {'age': 70}, {'age': 1}, {'pregnant': True}, {'chronic_conditions': 1},
    {'duration_days': 3}, {'duration_days': 60}, {'age': 90, 'pregnant': True, 'chronic_conditions': 2},
]


def _rank(result):
    return (result.score, BAND_RANK[result.band])


def _with_one_more_modifier(patient):
    """Yield ``(what, patient)`` for each modifier this patient does not have yet, added to it."""
    age = patient.get('age')
    if age is None or 2 <= age < 65:
        yield 'age 70', dict(patient, age=70)
        yield 'age 0.5', dict(patient, age=0.5)
    if not patient.get('pregnant'):
        yield 'pregnant', dict(patient, pregnant=True)
    yield 'one more chronic condition', dict(patient, chronic_conditions=patient.get('chronic_conditions', 0) + 1)
    if patient.get('duration_days') is None or patient['duration_days'] >= 1:
        yield 'sudden onset', dict(patient, duration_days=0)


@pytest.mark.parametrize('symptoms,patient', itertools.product(SYMPTOM_SETS, PATIENTS))
def test_adding_a_modifier_never_lowers_the_score(symptoms, patient):
    before = score_urgency(symptoms, **patient)
    for what, more in _with_one_more_modifier(patient):
        assert _rank(score_urgency(symptoms, **more)) >= _rank(before), what


@pytest.mark.parametrize('symptoms,patient', itertools.product(SYMPTOM_SETS, PATIENTS))
def test_adding_a_symptom_never_lowers_the_score(symptoms, patient):
    before = score_urgency(symptoms, **patient)
    for extra in (ACNE, COUGH, PALPITATIONS, SEIZURE):
        assert _rank(score_urgency(symptoms + [extra], **patient)) >= _rank(before), extra.code


def test_a_longer_illness_never_raises_the_score():
    scores = [score_urgency([HIGH_FEVER], duration_days=days).score for days in (0, 0.9, 1, 7, 30, 31, 365)]
    assert scores == sorted(scores, reverse=True)


def test_result_label_and_rank():
    result = score_urgency([HIGH_FEVER])
    assert (result.label, result.rank) == ('Urgent', 3)


def test_band_tables_agree():
    assert set(BAND_LABELS) == set(BAND_RANK) == set(DEFAULT_SLA_MINUTES) == set(BANDS)
    assert sorted(BANDS, key=BAND_RANK.get, reverse=True) == list(BANDS)
    assert sorted(BANDS, key=DEFAULT_SLA_MINUTES.get) == list(BANDS)


DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'data')


def _records(filename, model):
    root = ET.parse(os.path.join(DATA, filename)).getroot()
    for record in root.iter('record'):
        assert record.get('model') == model
        yield record.get('id'), {field.get('name'): field for field in record.iter('field')}


def test_symptom_catalogue_is_consistent():
    specialties = {xml_id for xml_id, _fields in _records('sehat_specialty_data.xml', 'sehat.specialty')}
    codes = []
    for xml_id, fields in _records('sehat_symptom_data.xml', 'sehat.symptom'):
        code = fields['code'].text
        symptom = Symptom(code, fields['name'].text, int(fields['urgency_weight'].text),
                          fields['red_flag'].get('eval') == 'True')
        assert code == code.upper() and xml_id == 'symptom_' + code.lower()
        assert fields['specialty_id'].get('ref') in specialties, code
        assert fields['advice'].text.strip(), code
        if symptom.red_flag:
            assert 85 <= symptom.weight <= 100, code
            assert score_urgency([symptom]).band == 'emergency'
        codes.append(code)
    assert len(codes) >= 45
    assert len(set(codes)) == len(codes)

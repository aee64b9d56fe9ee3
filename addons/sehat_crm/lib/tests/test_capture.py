import datetime

import pytest

from ..capture import FIELDS, InvalidEnquiry, clean_enquiry

KNOWN = {'CHEST_PAIN', 'FEVER', 'COUGH'}
TODAY = datetime.date(2026, 11, 22)
GOOD = {'name': 'Ramesh Gupta', 'phone': '98860 12345', 'symptoms': ['FEVER']}


def clean(payload, form=False):
    return clean_enquiry(payload, KNOWN, 'IN', TODAY, form=form)


def errors_of(payload, form=False):
    with pytest.raises(InvalidEnquiry) as err:
        clean(payload, form)
    return err.value.errors


def test_minimal_enquiry():
    result = clean(GOOD)
    assert result['phone'] == '+919886012345'
    assert result['symptoms'] == ['FEVER']
    assert set(result) == set(FIELDS)
    assert result['consent_email'] is False


def test_full_enquiry():
    result = clean(dict(GOOD, email=' Ramesh.G@Example.IN ', dob='1956-03-01', gender='Male', city='  Bengaluru ',
                        symptoms=['chest_pain', 'COUGH', 'COUGH'], symptoms_text='Pain\nwhen climbing stairs',
                        duration_days=2.5, consent_sms=True, utm_source='google'))
    assert result['email'] == 'ramesh.g@example.in'
    assert result['age'] == 70
    assert result['gender'] == 'male'
    assert result['city'] == 'Bengaluru'
    assert result['symptoms'] == ['CHEST_PAIN', 'COUGH']
    assert result['symptoms_text'] == 'Pain\nwhen climbing stairs'
    assert result['consent_sms'] is True


BAD = [
    ({'phone': '98860 12345', 'symptoms': ['FEVER']}, 'name', 'required'),
    ({'name': 'A', 'symptoms': ['FEVER']}, 'phone', 'required'),
    (dict(GOOD, phone='12345'), 'phone', 'not a valid phone'),
    (dict(GOOD, phone=9886012345), 'phone', 'must be text'),
    (dict(GOOD, phone=False), 'phone', 'must be text'),
    (dict(GOOD, phone=['98860 12345']), 'phone', 'must be text'),
    (dict(GOOD, name='Asha \ud800 Verma'), 'name', 'control'),
    (dict(GOOD, name='x' * 10000), 'name', 'too long'),
    (dict(GOOD, symptoms_text='y' * 10000), 'symptoms_text', 'too long'),
    (dict(GOOD, name='<script>alert(1)</script>'), 'name', 'HTML'),
    (dict(GOOD, city='Pune<img src=x onerror=alert(1)>'), 'city', 'HTML'),
    (dict(GOOD, name='Ravi\x00'), 'name', 'control'),
    (dict(GOOD, symptoms=['FEVER', 'TELEPORTATION']), 'symptoms', 'TELEPORTATION'),
    (dict(GOOD, symptoms='FEVER,COUGH'), 'symptoms', 'unknown'),
    (dict(GOOD, symptoms=[1, 2]), 'symptoms', 'list of symptom codes'),
    (dict(GOOD, symptoms={'a': 1}), 'symptoms', 'list of symptom codes'),
    ({'name': 'A', 'phone': '98860 12345'}, 'symptoms', 'at least one'),
    (dict(GOOD, age='34'), 'age', 'whole number'),
    (dict(GOOD, age=34.5), 'age', 'whole number'),
    (dict(GOOD, age=True), 'age', 'whole number'),
    (dict(GOOD, age=-1), 'age', 'between'),
    (dict(GOOD, age=200), 'age', 'between'),
    (dict(GOOD, dob='22/11/1990'), 'dob', 'YYYY-MM-DD'),
    (dict(GOOD, dob='2030-01-01'), 'dob', 'future'),
    (dict(GOOD, dob='1800-01-01'), 'dob', '130'),
    (dict(GOOD, gender='robot'), 'gender', 'one of'),
    (dict(GOOD, email='not-an-email'), 'email', 'valid email'),
    (dict(GOOD, duration_days=-3), 'duration_days', 'between'),
    (dict(GOOD, duration_days=float('nan')), 'duration_days', 'between'),
    (dict(GOOD, consent_email='yes'), 'consent_email', 'true or false'),
    (dict(GOOD, gender='male', pregnant=True), 'pregnant', 'male'),
    (dict(GOOD, favourite_colour='blue'), 'body', 'unknown field'),
]


@pytest.mark.parametrize('payload,field,message', BAD)
def test_bad_input_names_the_field(payload, field, message):
    errors = errors_of(payload)
    assert field in errors
    assert message in errors[field]


def test_every_error_is_reported_at_once():
    errors = errors_of({'name': '', 'phone': 'abc', 'age': 'old'})
    assert {'name', 'phone', 'age', 'symptoms'} <= set(errors)


@pytest.mark.parametrize('payload', [None, [], 'text', 42])
def test_body_must_be_an_object(payload):
    assert 'body' in errors_of(payload)


def test_form_values_are_strings():
    result = clean({'name': 'Divya', 'phone': '97390 23456', 'age': '29', 'symptoms': 'fever',
                    'pregnant': 'on', 'consent_whatsapp': 'on', 'duration_days': '', 'csrf_token': 'x'}, form=True)
    assert result['age'] == 29 and result['pregnant'] is True and result['consent_whatsapp'] is True
    assert result['duration_days'] is None
    assert errors_of({'name': 'D', 'phone': '97390 23456', 'symptoms': 'FEVER', 'age': 'twenty'}, form=True) == {
        'age': 'must be a number.'}

"""POST /api/sehat/v1/leads over real HTTP, against Odoo with 2 workers behind nginx.

The answers (201, 400 naming each bad field, 401, 413, 415, never a 5xx), what gets stored
(one lead per person with its E.164 phone and UTM source, repeat enquiries merged, red flags
as emergencies, nothing at all for a refused request), parallel enquiries of one person on
both workers, and property tests (hypothesis) over about a thousand generated payloads
(SEHAT_API_PROPERTY_SCALE=3 runs three times as many).

Every phone number and email address is new (a random base per run plus a counter), so the
tests do not depend on each other or on earlier runs against the same database.
"""
import datetime
import itertools
import json
import os
import random
import threading
import uuid
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from api_client import MAX_BODY, ApiClient, OdooAdmin
from conftest import ROOT

BANDS = ('emergency', 'urgent', 'soon', 'routine')
FIELDS = ('name', 'phone', 'email', 'age', 'dob', 'gender', 'city', 'symptoms', 'symptoms_text', 'duration_days',
          'pregnant', 'consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone',
          'utm_source', 'utm_medium', 'utm_campaign')
BOOLEAN_FIELDS = ('pregnant', 'consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone')
TEXT_LIMITS = {'name': 120, 'email': 254, 'city': 80, 'symptoms_text': 2000,
               'utm_source': 100, 'utm_medium': 100, 'utm_campaign': 100}
GENDERS = ('female', 'male', 'other')
RED_FLAG_CODE = 'CHEST_PAIN'
ROUTINE_CODE = 'HIGH_FEVER'
PARALLEL = 10        # simultaneous requests of the concurrency tests
CLIENT_THREADS = 2   # one per Odoo worker, for the property tests
TODAY = datetime.date.today()
RUN = uuid.uuid4().hex[:8]


def _catalogue():
    """(codes, red-flag codes) of data/sehat_symptom_data.xml."""
    path = os.path.join(ROOT, 'addons', 'sehat_crm', 'data', 'sehat_symptom_data.xml')
    codes, red_flags = [], set()
    for record in ElementTree.parse(path).iter('record'):
        if record.get('model') != 'sehat.symptom':
            continue
        values = {field.get('name'): field for field in record.iter('field')}
        code = values['code'].text.strip()
        codes.append(code)
        if 'red_flag' in values and values['red_flag'].get('eval') == 'True':
            red_flags.add(code)
    return tuple(codes), frozenset(red_flags)


CODES, RED_FLAGS = _catalogue()


# --- unique people -------------------------------------------------------------------------
_NUMBERS = itertools.count(random.SystemRandom().randrange(10 ** 9))
_NUMBERS_LOCK = threading.Lock()
_FULLWIDTH = {ord(d): chr(ord(d) + 0xFEE0) for d in '0123456789'}
PHONE_STYLES = {  # ways people write the same Indian mobile number ``d`` (10 digits)
    'plain': lambda d: d,
    'e164': lambda d: '+91' + d,
    'spaced': lambda d: '+91 %s %s' % (d[:5], d[5:]),
    'trunk_0': lambda d: '0%s-%s' % (d[:5], d[5:]),
    'country_code': lambda d: '91' + d,
    'brackets': lambda d: '(+91) %s-%s' % (d[:5], d[5:]),
    'idd_0091': lambda d: '0091 ' + d,
    'dotted': lambda d: '%s.%s.%s' % (d[:3], d[3:6], d[6:]),
    'padded': lambda d: '  %s\t' % d,
    'fullwidth': lambda d: d.translate(_FULLWIDTH),
}


def fresh_mobile():
    """A valid Indian mobile number no other request uses: 9 followed by 9 digits."""
    with _NUMBERS_LOCK:
        return '9%09d' % (next(_NUMBERS) % 10 ** 9)


def e164(digits):
    return '+91' + digits


def fresh_email(digits, style='lower'):
    email = 'api.%s.%s@example.org' % (RUN, digits)
    return email.upper() if style == 'upper' else email


def enquiry(digits=None, **changes):
    """A valid enquiry of a new person (``digits``: their mobile number); ``changes`` with
    value None remove a field."""
    digits = digits or fresh_mobile()
    payload = {
        'name': 'Asha Verma', 'phone': PHONE_STYLES['spaced'](digits), 'email': fresh_email(digits),
        'age': 34, 'gender': 'female', 'city': 'Pune', 'symptoms': [ROUTINE_CODE],
        'symptoms_text': 'Fever since Monday,\nworse at night.', 'duration_days': 2,
        'consent_sms': True, 'consent_whatsapp': True,
        'utm_source': 'E2E API %s' % RUN, 'utm_medium': 'api', 'utm_campaign': 'E2E campaign %s' % RUN,
    }
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not None}


# --- fixtures --------------------------------------------------------------------------------
class Api:
    """What the tests share: the server URL, admin over JSON-RPC, the main token."""

    def __init__(self, url):
        self.url = url
        self.admin = OdooAdmin(url)
        issued = self.admin.issue_token('E2E tests')
        self.token, self.token_id = issued['token'], issued['id']
        self.client = ApiClient(url, self.token)

    def client_with_new_token(self, name='E2E tests'):
        return ApiClient(self.url, self.admin.issue_token(name)['token'])


@pytest.fixture(scope='module')
def api(odoo_server):
    api = Api(odoo_server.url)
    stored = {s['code']: s['red_flag'] for s in api.admin.search_read(
        'sehat.symptom', [], ['code', 'red_flag'], {'active_test': False})}
    assert set(CODES) <= set(stored) and {c for c in CODES if stored[c]} == RED_FLAGS, (
        'the symptom catalogue of the database differs from data/sehat_symptom_data.xml: update the database')
    return api


def assert_json_error(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.text[:2000])
    assert resp.headers.get('Content-Type', '').startswith('application/json'), resp.headers
    body = resp.json()
    assert isinstance(body, dict) and isinstance(body.get('error'), str) and body['error'], body
    return body


def assert_created(resp):
    assert resp.status_code == 201, (resp.status_code, resp.text[:2000])
    assert resp.headers.get('Content-Type', '').startswith('application/json'), resp.headers
    body = resp.json()
    assert {'lead_id', 'patient_id', 'urgency_band', 'urgency_score', 'duplicate_of'} <= set(body), body
    assert isinstance(body['lead_id'], int) and isinstance(body['patient_id'], int), body
    assert body['urgency_band'] in BANDS, body
    assert isinstance(body['urgency_score'], int) and 0 <= body['urgency_score'] <= 100, body
    return body


# --- 201 -----------------------------------------------------------------------------------
def test_valid_enquiry_creates_the_lead_with_e164_phone_and_utm_source(server, api):
    digits = fresh_mobile()
    payload = enquiry(digits)
    before = api.admin.lead_total()
    body = assert_created(api.client.post_json(payload))
    assert body['duplicate_of'] is None, body
    assert api.admin.lead_total() == before + 1
    leads = api.admin.leads_by_phone(e164(digits))
    assert [lead['id'] for lead in leads] == [body['lead_id']], leads
    lead = leads[0]
    assert lead['phone_e164'] == '+91' + digits
    assert lead['channel'] == 'api' and lead['type'] == 'lead' and lead['active']
    assert lead['enquiry_count'] == 1
    assert lead['partner_id'] and lead['partner_id'][0] == body['patient_id']
    assert lead['source_id'] and lead['source_id'][1] == payload['utm_source'], lead
    assert lead['medium_id'] and lead['medium_id'][1].lower() == 'api', lead
    assert lead['campaign_id'] and lead['campaign_id'][1] == payload['utm_campaign'], lead
    assert lead['urgency_band'] == body['urgency_band'] and lead['red_flag'] is False
    assert lead['email_from'] == payload['email']


def test_same_person_written_differently_is_merged_into_the_first_lead(server, api):
    digits = fresh_mobile()
    first = assert_created(api.client.post_json(enquiry(digits, phone=digits, email=None)))
    assert first['duplicate_of'] is None
    again = enquiry(digits, name='Asha  Verma', phone='+91-%s-%s' % (digits[:5], digits[5:]), email=None,
                    symptoms=['cough'], symptoms_text='Now a cough too.')
    second = assert_created(api.client.post_json(again, content_type='application/json; charset=utf-8'))
    assert second['duplicate_of'] == first['lead_id'], (first, second)
    assert second['lead_id'] == first['lead_id'] and second['patient_id'] == first['patient_id']
    leads = api.admin.leads_by_phone(e164(digits))
    assert len(leads) == 1 and leads[0]['id'] == first['lead_id'], leads
    assert leads[0]['enquiry_count'] == 2


def test_red_flag_symptom_is_an_emergency(server, api):
    digits = fresh_mobile()
    body = assert_created(api.client.post_json(enquiry(digits, symptoms=[ROUTINE_CODE, RED_FLAG_CODE])))
    assert body['urgency_band'] == 'emergency' and body['urgency_score'] >= 90, body
    assert body.get('red_flag') is True, body
    lead = api.admin.lead(body['lead_id'])
    assert lead['urgency_band'] == 'emergency' and lead['red_flag'] is True, lead


# --- 401 -----------------------------------------------------------------------------------
UNAUTHORISED = {
    'no_header': lambda token: None,
    'basic_scheme': lambda token: 'Basic ' + token,
    'token_scheme': lambda token: 'Token ' + token,
    'no_scheme': lambda token: token,
    'empty_bearer': lambda token: 'Bearer ',
    'unknown_token': lambda token: 'Bearer sehat_' + uuid.uuid4().hex,
    'token_changed': lambda token: 'Bearer ' + token[:-1] + ('A' if token[-1] != 'A' else 'B'),
    'token_prefix_only': lambda token: 'Bearer ' + token[:10],
    'huge_token': lambda token: 'Bearer ' + token + 'x' * 5000,
}


@pytest.mark.parametrize('case', sorted(UNAUTHORISED))
def test_request_without_a_valid_bearer_token_gets_401(server, api, case):
    digits = fresh_mobile()
    authorization = UNAUTHORISED[case](api.token)
    headers = {'Authorization': authorization} if authorization is not None else {}
    before = api.admin.lead_total()
    resp = api.client.post_json(enquiry(digits), token=None, headers=headers)
    assert_json_error(resp, 401)
    # the token is checked before the content type
    assert_json_error(api.client.post(b'name=x', token=None, headers=headers, content_type='text/plain'), 401)
    assert api.admin.lead_total() == before
    assert api.admin.leads_by_phone(e164(digits)) == []


def test_revoked_token_gets_401(server, api):
    issued = api.admin.issue_token('E2E revoked')
    client = ApiClient(api.url, issued['token'])
    assert_created(client.post_json(enquiry()))  # the token works ...
    api.admin.revoke_token(issued['id'])
    digits = fresh_mobile()
    before = api.admin.lead_total()
    assert_json_error(client.post_json(enquiry(digits)), 401)  # ... until it is revoked
    assert api.admin.lead_total() == before
    assert api.admin.leads_by_phone(e164(digits)) == []


# --- 415 -----------------------------------------------------------------------------------
@pytest.mark.parametrize('content_type', [None, 'text/plain', 'application/x-www-form-urlencoded',
                                          'multipart/form-data; boundary=x', 'text/json', 'application/jsonp'])
def test_body_that_is_not_declared_json_gets_415(server, api, content_type):
    digits = fresh_mobile()
    before = api.admin.lead_total()
    resp = api.client.post(json.dumps(enquiry(digits)).encode(), content_type=content_type)
    assert_json_error(resp, 415)
    assert api.admin.lead_total() == before
    assert api.admin.leads_by_phone(e164(digits)) == []


# --- 400 -----------------------------------------------------------------------------------
def _json(**changes):
    return lambda digits: json.dumps(enquiry(digits, **changes)).encode()


BAD_REQUESTS = {  # case: (body for a new person's digits, fields the answer must name)
    'missing_name': (_json(name=None), {'name'}),
    'blank_name': (_json(name=' \t '), {'name'}),
    'missing_phone': (_json(phone=None), {'phone'}),
    'invalid_phone': (_json(phone='12345'), {'phone'}),
    'phone_of_letters': (_json(phone='call me maybe'), {'phone'}),
    'name_of_10k_characters': (_json(name='A' * 10000), {'name'}),
    'script_in_name': (_json(name='<script>alert(1)</script>'), {'name'}),
    'entity_in_city': (_json(city='Pune &amp; Mumbai'), {'city'}),
    'control_character_in_name': (_json(name='Asha\x00Verma'), {'name'}),
    'unknown_symptom_code': (_json(symptoms=['FEVER', 'NOT_A_SYMPTOM']), {'symptoms'}),
    'no_symptom_nor_complaint': (_json(symptoms=[], symptoms_text=None), {'symptoms'}),
    'age_as_string': (_json(age='34'), {'age'}),
    'age_out_of_range': (_json(age=131), {'age'}),
    'symptoms_as_number': (_json(symptoms=5), {'symptoms'}),
    'consent_as_yes': (_json(consent_sms='yes'), {'consent_sms'}),
    'invalid_email': (_json(email='asha@example'), {'email'}),
    'future_dob': (_json(dob=(TODAY + datetime.timedelta(days=30)).isoformat()), {'dob'}),
    'unknown_gender': (_json(gender='unknown'), {'gender'}),
    'pregnant_male': (_json(gender='male', pregnant=True), {'pregnant'}),
    'several_bad_fields': (_json(name=None, age='x', consent_email='no'), {'name', 'age', 'consent_email'}),
    'unknown_field': (_json(favourite_colour='blue'), {'body'}),
    'json_array': (lambda digits: json.dumps([enquiry(digits)]).encode(), {'body'}),
    'json_string': (lambda digits: b'"hello"', {'body'}),
    'json_null': (lambda digits: b'null', {'body'}),
    'malformed_json': (lambda digits: b'{"name": ', {'body'}),
    'trailing_garbage': (lambda digits: json.dumps(enquiry(digits)).encode() + b' x', {'body'}),
    'not_utf8': (lambda digits: json.dumps(enquiry(digits)).encode().replace(b'Asha', b'\xe9\xff'), {'body'}),
    'empty_body': (lambda digits: b'', {'body'}),
}


@pytest.mark.parametrize('case', sorted(BAD_REQUESTS))
def test_bad_enquiry_gets_400_naming_each_bad_field_and_stores_nothing(server, api, case):
    make_body, fields = BAD_REQUESTS[case]
    digits = fresh_mobile()
    before = api.admin.lead_total()
    body = assert_json_error(api.client.post(make_body(digits)), 400)
    assert isinstance(body.get('fields'), dict) and set(body['fields']) == fields, body
    assert all(isinstance(message, str) and message for message in body['fields'].values()), body
    assert api.admin.lead_total() == before
    assert api.admin.leads_by_phone(e164(digits)) == []


TYPE_PROBES = (False, True, 0, 1, 0.5, '', [], {}, [None], {'': None})


def _wrong_type(field, value):
    """Whether ``value`` is refused for ``field`` in an otherwise valid enquiry (which has a complaint)."""
    if field in BOOLEAN_FIELDS:
        return not isinstance(value, bool)
    if field == 'age':
        return isinstance(value, bool) or not isinstance(value, int)
    if field == 'duration_days':
        return isinstance(value, bool) or not isinstance(value, (int, float))
    if field in ('name', 'phone'):  # required: "" is refused too
        return True
    if field == 'symptoms':
        return value not in ('', [])
    return value != ''  # optional text, date and gender: "" means not given


@pytest.mark.parametrize('field', FIELDS)
def test_json_value_of_the_wrong_type_gets_400_naming_the_field(server, api, field):
    """Every field against false, true, 0, 1, 0.5, "", [], {}, [null], {"": null}."""
    before = api.admin.lead_total()
    people = []
    for value in TYPE_PROBES:
        if not _wrong_type(field, value):
            continue
        digits = fresh_mobile()
        people.append(e164(digits))
        resp = api.client.post_json(enquiry(digits, **{field: value}))
        body = assert_json_error(resp, 400)
        assert set(body.get('fields') or {}) == {field}, (field, value, body)
    assert api.admin.lead_total() == before
    assert api.admin.leads_by_phone(*people) == []


def test_body_over_64_kb_gets_413_and_the_limit_itself_is_read(server, api):
    digits = fresh_mobile()
    before = api.admin.lead_total()
    text = json.dumps(enquiry(digits, symptoms_text='x' * 70000)).encode()
    assert_json_error(api.client.post(text), 413)
    # exactly 64 KiB is still read: then the complaint is too long
    padding = MAX_BODY - len(json.dumps(enquiry(digits, symptoms_text='')).encode())
    exact = json.dumps(enquiry(digits, symptoms_text='x' * padding)).encode()
    assert len(exact) == MAX_BODY
    body = assert_json_error(api.client.post(exact), 400)
    assert set(body.get('fields') or {}) == {'symptoms_text'}, body
    assert_json_error(api.client.post(exact + b' '), 413)
    assert api.admin.lead_total() == before
    assert api.admin.leads_by_phone(e164(digits)) == []


def test_get_is_not_allowed(server, api):
    resp = api.client.session.get(api.client.url, headers={'Authorization': 'Bearer ' + api.token}, timeout=60)
    assert resp.status_code == 405, (resp.status_code, resp.text[:500])


# --- inputs that must be refused, not crash the request ------------------------------------
def test_phone_false_is_refused_not_matched_to_another_patient(server, api):
    """``"phone": false`` is not a phone number; it must not pass as "no phone"."""
    before = api.admin.lead_total()
    name = 'No Phone %s' % RUN
    body = assert_json_error(api.client.post_json(enquiry(phone=False, email=None, name=name)), 400)
    assert set(body.get('fields') or {}) == {'phone'}, body
    assert api.admin.lead_total() == before
    assert api.admin.leads([['contact_name', '=', name]]) == []


def test_lone_surrogate_in_text_is_refused(server, api):
    """JSON allows "\\ud800", but it is no character: PostgreSQL cannot store it."""
    digits = fresh_mobile()
    before = api.admin.lead_total()
    text = json.dumps(enquiry(digits, name='Asha \ud800 Verma')).encode()
    assert b'\\ud800' in text
    body = assert_json_error(api.client.post(text), 400)
    assert set(body.get('fields') or {}) == {'name'}, body
    assert api.admin.lead_total() == before


@pytest.mark.parametrize('depth', [100, 5000])
def test_deeply_nested_json_is_refused(server, api, depth):
    digits = fresh_mobile()
    before = api.admin.lead_total()
    payload = json.dumps(enquiry(digits, city='@CITY@')).replace('"@CITY@"', '[' * depth + ']' * depth)
    body = assert_json_error(api.client.post(payload.encode()), 400)
    assert set(body.get('fields') or {}) <= {'city', 'body'}, body
    assert api.admin.lead_total() == before


def test_utm_source_is_matched_literally(server, api):
    """'%' and '_' in a UTM value are characters, not LIKE wildcards matching another source."""
    assert_created(api.client.post_json(enquiry(utm_source='E2E-%s-source' % RUN)))
    for name in ('%', 'E2E_%s_source' % RUN):
        body = assert_created(api.client.post_json(enquiry(utm_source=name)))
        lead = api.admin.lead(body['lead_id'])
        assert lead['source_id'] and lead['source_id'][1] == name, lead


# --- concurrency ---------------------------------------------------------------------------
def _at_once(clients, payloads):
    """POST each payload from its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(payloads))

    def send(index):
        body = json.dumps(payloads[index]).encode()
        barrier.wait(30)
        return clients[index].post(body)

    with ThreadPoolExecutor(len(payloads)) as pool:
        return list(pool.map(send, range(len(payloads))))


@pytest.mark.parametrize('tokens', ['token_per_client', 'shared_token'])
def test_parallel_enquiries_of_one_person_make_one_lead(server, api, tokens):
    """The same new number PARALLEL times at once, on both workers: one lead, the others merged.
    With one token per client only the capture's own locking is at stake; with a shared token
    (the website) the token's usage counter is written by every request too."""
    digits = fresh_mobile()
    if tokens == 'shared_token':  # the hospital website: one integration, one token
        clients = [ApiClient(api.url, api.token) for _i in range(PARALLEL)]
    else:
        clients = [api.client_with_new_token('E2E parallel %d' % i) for i in range(PARALLEL)]
    styles = sorted(PHONE_STYLES)
    payloads = [enquiry(digits, email=None, name='Caller %d' % i, phone=PHONE_STYLES[styles[i % len(styles)]](digits))
                for i in range(PARALLEL)]
    answers = _at_once(clients, payloads)
    bodies = [assert_created(resp) for resp in answers]
    leads = api.admin.leads_by_phone(e164(digits))
    assert len(leads) == 1, leads
    lead_id = leads[0]['id']
    assert {body['lead_id'] for body in bodies} == {lead_id}, bodies
    duplicates = sorted((body['duplicate_of'] for body in bodies), key=lambda d: d or 0)
    assert duplicates == [None] + [lead_id] * (PARALLEL - 1), bodies
    assert leads[0]['enquiry_count'] == PARALLEL


def test_parallel_enquiries_of_different_people_sharing_one_token(server, api):
    """Different people at once through one integration's token: each gets their own lead."""
    people = [fresh_mobile() for _i in range(6)]
    answers = _at_once([ApiClient(api.url, api.token) for _p in people], [enquiry(d) for d in people])
    bodies = [assert_created(resp) for resp in answers]
    assert all(body['duplicate_of'] is None for body in bodies), bodies
    leads = api.admin.leads_by_phone(*[e164(d) for d in people])
    assert sorted(lead['id'] for lead in leads) == sorted(body['lead_id'] for body in bodies), leads


# --- property tests ------------------------------------------------------------------------
class Fresh:
    """In a generated payload: the new person's phone (written in ``style``) or email."""

    def __init__(self, kind, style):
        self.kind, self.style = kind, style

    def __repr__(self):
        return 'Fresh(%r, %r)' % (self.kind, self.style)

    def value(self, digits):
        return PHONE_STYLES[self.style](digits) if self.kind == 'phone' else fresh_email(digits, self.style)


class Case:
    """A generated request: ``payload`` (JSON value, may hold :class:`Fresh`), ``refused``
    (None for a valid enquiry, else the fields the 400 answer must name) and ``raw`` (how to
    spoil the JSON text: ('truncate', n), ('append', text), ('bytes', b), ('repr',), ('empty',))."""

    def __init__(self, payload, refused=None, raw=None):
        self.payload, self.refused, self.raw = payload, refused, raw

    def __repr__(self):
        return 'Case(%r, refused=%r, raw=%r)' % (self.payload, self.refused and sorted(self.refused), self.raw)

    def realise(self, digits):
        """(body bytes, the payload as sent, E.164 phone if the payload carries the new one)."""
        payload, phone = self.payload, None
        if isinstance(payload, dict):
            payload = {key: value.value(digits) if isinstance(value, Fresh) else value
                       for key, value in payload.items()}
            if isinstance(self.payload.get('phone'), Fresh):
                phone = e164(digits)
        text = json.dumps(payload)
        kind = self.raw[0] if self.raw else None
        if kind == 'truncate':
            text = text[:self.raw[1] % len(text)]
        elif kind == 'append':
            text += self.raw[1]
        elif kind == 'repr':
            text = repr(payload)
        elif kind == 'empty':
            text = ''
        body = text.encode('utf-8')
        if kind == 'bytes':
            body = self.raw[1] + body
        return body, payload, phone


DELETE = object()


def _codes_of(symptoms):
    if isinstance(symptoms, str):
        symptoms = [symptoms]
    if not isinstance(symptoms, list):
        return []
    return [code.strip().upper() for code in symptoms if isinstance(code, str) and code.strip()]


def _is_date(text):
    try:
        datetime.datetime.strptime(text.strip(), '%Y-%m-%d')
    except ValueError:
        return False
    return True


# valid values
word = st.text(st.characters(categories=('L',), include_characters="'-."), min_size=1, max_size=12)
names = st.lists(word, min_size=1, max_size=4).map(' '.join)
complaints = st.text(st.characters(categories=('L', 'N', 'Zs'), include_characters='\n,.?!-()'), max_size=300)
code_spellings = st.sampled_from(CODES).flatmap(lambda c: st.sampled_from((c, c.lower(), ' %s ' % c, c.title())))
OPTIONAL_VALID = {
    'email': st.sampled_from(('lower', 'upper')).map(lambda style: Fresh('email', style)),
    'age': st.integers(0, 130),
    'dob': st.dates(datetime.date(TODAY.year - 125, 1, 1), TODAY - datetime.timedelta(days=2)).map(
        datetime.date.isoformat) | st.just(''),
    'gender': st.sampled_from(('female', 'male', 'other', 'Female', ' OTHER ', '')),
    'city': st.lists(word, min_size=1, max_size=3).map(' '.join),
    'symptoms_text': complaints,
    'duration_days': st.integers(0, 3650) | st.floats(0, 3650),
    'utm_source': st.sampled_from(('google', 'Facebook', 'Newspaper', 'E2E property %s' % RUN)),
    'utm_medium': st.sampled_from(('cpc', 'social', 'print')),
    'utm_campaign': st.sampled_from(('Monsoon fever camp', 'Heart week')),
}
OPTIONAL_VALID.update({field: st.booleans() for field in BOOLEAN_FIELDS})


@st.composite
def valid_cases(draw):
    payload = {'name': draw(names), 'phone': Fresh('phone', draw(st.sampled_from(sorted(PHONE_STYLES))))}
    for field in draw(st.lists(st.sampled_from(sorted(OPTIONAL_VALID)), unique=True)):
        payload[field] = None if draw(st.integers(0, 9)) == 0 else draw(OPTIONAL_VALID[field])
    symptoms = draw(st.none() | st.lists(code_spellings, max_size=6) | code_spellings)
    if symptoms is not None:
        payload['symptoms'] = symptoms
    if not _codes_of(symptoms) and not (payload.get('symptoms_text') or '').strip():
        payload['symptoms'] = [draw(st.sampled_from(CODES))]
    if payload.get('pregnant') and (payload.get('gender') or '').strip().lower() == 'male':
        payload['pregnant'] = False
    return Case(payload)


# invalid values
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=12)
containers = st.lists(json_values, max_size=4) | st.dictionaries(st.text(max_size=8), json_values, max_size=4)
# neither a string nor null; the falsy ones first, as code often mistakes them for "not given"
not_text = st.sampled_from((False, 0, 0.0, [], {}, True, 1, [None], {'': None})) | st.booleans() | st.integers() \
    | st.floats() | containers
letters = st.text(st.characters(categories=('L',)), min_size=1, max_size=10)
MARKUP = ('<script>alert(1)</script>', '<b>', '< img src=x onerror=alert(1)>', '</p>', '<!-- x -->', '<?xml?>',
          '<!DOCTYPE html>', '&amp;', '&#60;', '&lt;b&gt;', '<a href="https://example.org">x</a>')
markup = st.tuples(letters | st.just(''), st.sampled_from(MARKUP), letters | st.just('')).map(''.join)
# control characters that are not whitespace (str.split() would turn those into spaces)
CONTROL = tuple(c for c in map(chr, list(range(32)) + [127]) if not c.isspace())
control = st.tuples(letters, st.sampled_from(CONTROL), letters).map(''.join)
multiline_control = st.tuples(letters, st.sampled_from(CONTROL + ('\x0b', '\x0c', '\x1c', '\x1f')), letters).map(
    ''.join)
blank = st.text(st.sampled_from(' \t\n\r\u00a0\u2003\u3000'), max_size=5)


def too_long(limit, most):
    """Text of limit+1..most characters without spaces or markup (so only the length is wrong)."""
    unit = st.text(st.characters(codec='ascii', categories=('L', 'N', 'P'), exclude_characters='<&'),
                   min_size=1, max_size=8)
    return st.tuples(unit, st.integers(limit + 1, most)).map(lambda t: (t[0] * (t[1] // len(t[0]) + 1))[:t[1]])


def _bad_text(field, most):
    return too_long(TEXT_LIMITS[field], most) | markup | (multiline_control if field == 'symptoms_text' else control) \
        | not_text


short_numbers = st.text('0123456789 -()+', min_size=1, max_size=5)
long_numbers = st.text('0123456789', min_size=41, max_size=80)
no_digits = st.text(st.characters(exclude_categories=('N', 'Cs')), max_size=40)
unknown_code = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() and s.strip().upper() not in CODES)
BREAKERS = {  # field: values that make exactly this field wrong (DELETE: leave the field out)
    'name': st.sampled_from((DELETE, None)) | blank | _bad_text('name', 10000),
    'phone': st.sampled_from((DELETE, None)) | blank | short_numbers | long_numbers | no_digits | not_text,
    'email': st.sampled_from(('asha@example', 'asha@@example.org', '@example.org', 'asha@.org', 'asha @example.org',
                              'asha@example.c', 'asha@exa_mple.org'))
    | st.text(st.characters(exclude_characters='@'), min_size=1, max_size=40).filter(lambda s: s.split())
    | _bad_text('email', 1000),
    'age': st.text(max_size=10) | st.floats() | st.booleans() | containers | st.integers(max_value=-1)
    | st.integers(min_value=131),
    'dob': st.text(max_size=20).filter(lambda s: s != '' and not _is_date(s))
    | st.sampled_from(('31/12/1990', '1990-13-01', '1990-02-30', '19900101', 'yesterday'))
    | st.dates(TODAY + datetime.timedelta(days=2)).map(datetime.date.isoformat)
    | st.dates(max_value=datetime.date(TODAY.year - 131, 12, 31)).map(datetime.date.isoformat)
    | not_text,
    'gender': st.text(max_size=12).filter(lambda s: s != '' and s.strip().lower() not in GENDERS) | not_text,
    'city': _bad_text('city', 500),
    'symptoms': st.tuples(st.lists(st.sampled_from(CODES), max_size=2), st.lists(unknown_code, min_size=1, max_size=3))
    .map(lambda t: t[0] + t[1]) | unknown_code | st.lists(st.sampled_from(CODES), min_size=21, max_size=30, unique=True)
    | st.booleans() | st.integers() | st.floats()
    | st.dictionaries(st.text(max_size=8), json_values, max_size=4)
    | st.lists(json_values, min_size=1, max_size=4).filter(lambda v: any(not isinstance(x, str) for x in v)),
    'symptoms_text': _bad_text('symptoms_text', 6000),
    'duration_days': st.text(max_size=10) | st.booleans() | containers | st.integers(max_value=-1)
    | st.integers(min_value=3651) | st.floats().filter(lambda x: not 0 <= x <= 3650),
}
BREAKERS.update({field: _bad_text(field, 400) for field in ('utm_source', 'utm_medium', 'utm_campaign')})
BREAKERS.update({field: json_values.filter(lambda v: v is not None and not isinstance(v, bool))
                 | st.sampled_from(('yes', 'true', 'on', '1', 0, 1, '')) for field in BOOLEAN_FIELDS})


@st.composite
def field_cases(draw):
    """A valid enquiry with exactly one field made wrong."""
    payload = dict(draw(valid_cases()).payload)
    field = draw(st.sampled_from(sorted(BREAKERS) + ['no_symptoms', 'pregnant_male']))
    if field == 'no_symptoms':
        payload.pop('symptoms_text', None)
        value = draw(st.sampled_from((DELETE, None, [], '', ' ', [''], ['  ', ''])))
        field = 'symptoms'
    elif field == 'pregnant_male':
        payload['gender'], value, field = draw(st.sampled_from(('male', ' Male'))), True, 'pregnant'
    else:
        value = draw(BREAKERS[field])
    if value is DELETE:
        payload.pop(field, None)
    else:
        payload[field] = value
    return Case(payload, {field})


@st.composite
def unknown_field_cases(draw):
    payload = dict(draw(valid_cases()).payload)
    payload.update(draw(st.dictionaries(st.text(max_size=30).filter(lambda k: k not in FIELDS), json_values,
                                        min_size=1, max_size=3)))
    return Case(payload, {'body'})


@st.composite
def spoilt_json_cases(draw):
    payload = draw(valid_cases()).payload
    raw = draw(st.one_of(
        st.tuples(st.just('truncate'), st.integers(0, 10 ** 6)),
        st.tuples(st.just('append'), st.text(min_size=1, max_size=10).filter(lambda s: s.strip())),
        st.tuples(st.just('bytes'), st.sampled_from((b'\xff', b'\xc3\x28', b'\xef\xbb\xbf', b'\x80abc'))),
        st.just(('repr',)), st.just(('empty',))))
    return Case(payload, {'body'}, raw)


not_an_object = json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: Case(v, {'body'}))
invalid_cases = st.one_of(field_cases(), field_cases(), field_cases(), unknown_field_cases(), spoilt_json_cases(),
                          not_an_object)
mixed_cases = st.integers(0, 49).flatmap(lambda n: valid_cases() if n == 37 else invalid_cases)  # 1 in 50 valid
# No shrinking: each replay costs HTTP requests, and a failure names its payload and answer anyway.
PROPERTY_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=False,
                         phases=(Phase.explicit, Phase.generate),
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much, HealthCheck.large_base_example])
# A capture takes ~0.9 s and a refusal ~0.07 s on a loaded 2-CPU machine: scale up on a faster one.
PROPERTY_SCALE = float(os.environ.get('SEHAT_API_PROPERTY_SCALE', '1'))


class Senders:
    """A pool of CLIENT_THREADS threads, each with its own session and token (one per worker)."""

    def __init__(self, api):
        self._clients = [api.client_with_new_token('E2E property client %d' % i) for i in range(CLIENT_THREADS)]
        self._local = threading.local()
        self._next = itertools.count()
        self.pool = ThreadPoolExecutor(CLIENT_THREADS, initializer=self._init)

    def _init(self):
        self._local.client = self._clients[next(self._next)]

    def send(self, case):
        digits = fresh_mobile()
        body, payload, phone = case.realise(digits)
        return case, body, payload, phone, self._local.client.post(body)

    def send_all(self, cases):
        return list(self.pool.map(self.send, cases))


@pytest.fixture(scope='module')
def senders(api):
    senders = Senders(api)
    yield senders
    senders.pool.shutdown()


def _check_answers(api, results):
    """Each answer against its case; returns how many leads the batch must have created."""
    created = {}
    for case, body, payload, phone, resp in results:
        shown = payload if len(body) < 3000 else body[:3000]
        where = 'payload %r -> %s %s' % (shown, resp.status_code, resp.text[:1000])
        assert resp.status_code < 500, where
        if case.refused is None:
            answer = assert_created(resp)
            assert answer['duplicate_of'] is None, where
            red = set(_codes_of(payload.get('symptoms'))) & RED_FLAGS
            assert (answer['urgency_band'] == 'emergency') >= bool(red), where
            created[phone] = (answer, payload)
        elif len(body) > MAX_BODY:
            assert_json_error(resp, 413)
        else:
            answer = assert_json_error(resp, 400)
            assert isinstance(answer.get('fields'), dict) and set(answer['fields']) == case.refused, where
    phones = [phone for _case, _body, _payload, phone, _resp in results if phone]
    leads = api.admin.leads_by_phone(*phones) if phones else []
    by_phone = {}
    for lead in leads:
        by_phone.setdefault(lead['phone_e164'], []).append(lead)
    for phone in phones:
        found = by_phone.get(phone, [])
        if phone not in created:
            assert found == [], 'a refused request stored %r' % found
            continue
        answer, payload = created[phone]
        assert [lead['id'] for lead in found] == [answer['lead_id']], (payload, answer, found)
        lead = found[0]
        assert lead['enquiry_count'] == 1 and lead['channel'] == 'api', lead
        assert lead['partner_id'] and lead['partner_id'][0] == answer['patient_id'], lead
        assert lead['contact_name'] == ' '.join(payload['name'].split()), lead
        assert (lead['urgency_band'], lead['red_flag']) == (answer['urgency_band'], answer.get('red_flag')), lead
    return len(created)


def _run_property(api, senders, cases, examples, batch):
    """Run ``examples`` batches of 1..``batch`` cases; returns (requests sent, leads created)."""
    before = expected = api.admin.lead_total()
    sent = 0

    @settings(max_examples=max(1, int(examples * PROPERTY_SCALE)), **PROPERTY_SETTINGS)
    @given(cases=st.lists(cases, min_size=1, max_size=batch))
    def check(cases):
        nonlocal expected, sent
        sent += len(cases)
        expected += _check_answers(api, senders.send_all(cases))
        total = api.admin.lead_total()
        assert total == expected, 'leads: %d, expected %d' % (total, expected)

    check()
    return sent, api.admin.lead_total() - before


def test_property_valid_enquiries_are_stored_once(server, api, senders):
    """Generated valid enquiries of new people: 201, one lead each with the right phone."""
    sent, created = _run_property(api, senders, valid_cases(), 16, CLIENT_THREADS)
    assert created == sent >= 16 * PROPERTY_SCALE


def test_property_no_payload_fails_the_server_and_refused_ones_store_nothing(server, api, senders):
    """Mostly invalid payloads (one bad field, wrong types, junk, markup, huge text, any JSON
    value, spoilt JSON) with a few valid ones: never a 5xx; 400 naming exactly the bad field
    and nothing stored, or 201 and one lead."""
    sent, _created = _run_property(api, senders, mixed_cases, 200, 4 * CLIENT_THREADS)
    assert sent >= 200 * PROPERTY_SCALE

"""The public enquiry form /consult over plain HTTP, as a visitor's browser would post it."""
import random
import uuid
from html.parser import HTMLParser

import pytest
import requests

from conftest import DB

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}
RED_FLAG_CODE = 'CHEST_PAIN'
RED_FLAG_ADVICE = 'do not drive yourself'  # from the advice of CHEST_PAIN in data/sehat_symptom_data.xml
ROUTINE_CODE = 'HIGH_FEVER'


class Page(HTMLParser):
    """The parts of a rendered /consult page the tests look at.

    ``fields``: name -> list of {'value', 'checked', 'group'} for inputs, selects and textareas
    (``group`` = index of the nearest enclosing ``.form-group``); ``errors``: list of
    {'field', 'text', 'group'} for ``.sehat_field_error``; ``ids``: id -> text content;
    ``groups``: index -> class list of each ``.form-group``.
    """

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.fields, self.errors, self.ids, self.groups = {}, [], {}, {}
        self._stack = []  # [tag, attrs, text chunks, form-group index]
        self._select = None
        self.feed(html)
        self.close()

    def _group(self):
        for _tag, _attrs, _text, group in reversed(self._stack):
            if group is not None:
                return group
        return None

    def _field(self, name, **info):
        info['group'] = self._group()
        self.fields.setdefault(name, []).append(info)
        return info

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get('class') or '').split()
        group = None
        if 'form-group' in classes:
            group = len(self.groups)
            self.groups[group] = classes
        if tag == 'input' and attrs.get('name'):
            self._field(attrs['name'], value=attrs.get('value') or '', checked='checked' in attrs,
                        type=attrs.get('type') or 'text')
        elif tag == 'select' and attrs.get('name'):
            self._select = self._field(attrs['name'], value='', checked=False, type='select')
        elif tag == 'option' and self._select is not None and 'selected' in attrs:
            self._select['value'] = attrs.get('value') or ''
        if tag not in VOID:
            self._stack.append([tag, attrs, [], group])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data):
        for entry in self._stack:
            entry[2].append(data)

    def handle_endtag(self, tag):
        if not any(entry[0] == tag for entry in self._stack):
            return
        while self._stack:
            name, attrs, text, _group = self._stack.pop()
            self._stack_closed(name, attrs, ''.join(text))
            if name == tag:
                break

    def _stack_closed(self, tag, attrs, text):
        if attrs.get('id'):
            self.ids[attrs['id']] = ' '.join(text.split())
        if 'sehat_field_error' in (attrs.get('class') or '').split():
            self.errors.append({'field': attrs.get('data-field'), 'text': ' '.join(text.split()),
                                'group': self._group()})
        if tag == 'textarea' and attrs.get('name'):
            self._field(attrs['name'], value=text.strip('\n'), checked=False, type='textarea')
        if tag == 'select':
            self._select = None

    def value(self, name):
        found = self.fields.get(name) or []
        assert len(found) == 1, 'expected one field %r, found %r' % (name, found)
        return found[0]['value']

    def checked(self, name):
        return {f['value'] for f in self.fields.get(name, []) if f['checked']}


def _rpc(session, url, path, params):
    resp = session.post(url + path, json={'jsonrpc': '2.0', 'method': 'call', 'params': params}, timeout=30)
    assert resp.status_code == 200, resp.text[:500]
    body = resp.json()
    assert 'error' not in body, body['error']
    return body['result']


@pytest.fixture
def admin(server):
    session = requests.Session()
    result = _rpc(session, server.url, '/web/session/authenticate', {'db': DB, 'login': 'admin', 'password': 'admin'})
    assert result.get('uid'), result
    return session


def _leads(admin_session, url, phone_e164=None, email=None):
    domain = []
    if phone_e164 and email:
        domain = ['|', ['phone_e164', '=', phone_e164], ['email_from', '=ilike', email]]
    elif phone_e164:
        domain = [['phone_e164', '=', phone_e164]]
    else:
        domain = [['email_from', '=ilike', email]]
    result = _rpc(admin_session, url, '/web/dataset/search_read', {
        'model': 'crm.lead', 'domain': domain,
        'fields': ['name', 'channel', 'source_id', 'medium_id', 'campaign_id', 'red_flag', 'urgency_band'],
        'context': {'active_test': False}})
    return result['records']


def _emergency_number(admin_session, url):
    number = _rpc(admin_session, url, '/web/dataset/call_kw', {
        'model': 'ir.config_parameter', 'method': 'get_param', 'args': ['sehat_crm.emergency_number'],
        'kwargs': {}})
    return number or '108'


def _person():
    """A new person per test: a valid Indian mobile number and an email nobody else uses."""
    digits = '98%08d' % random.SystemRandom().randrange(10 ** 8)
    tag = uuid.uuid4().hex[:10]
    return {'phone': digits, 'e164': '+91' + digits, 'email': 'consult.%s@example.org' % tag, 'tag': tag}


def _open_form(url, query=None):
    """GET /consult in a new session: (session, parsed page)."""
    session = requests.Session()
    resp = session.get(url + '/consult', params=query, timeout=30)
    assert resp.status_code == 200, resp.text[:500]
    return session, Page(resp.text)


def _hidden(page):
    return {name: found[0]['value'] for name, found in page.fields.items()
            if found[0]['type'] == 'hidden'}


def _submit(session, url, page, data):
    """Post ``data`` with the hidden inputs of ``page`` (csrf_token, UTM values)."""
    body = dict(_hidden(page))
    body.update(data)
    items = []
    for key, value in body.items():
        for one in (value if isinstance(value, list) else [value]):
            items.append((key, one))
    return session.post(url + '/consult', data=items, timeout=60, allow_redirects=False)


def _valid(person, **changes):
    data = {
        'name': 'Asha Verma %s' % person['tag'], 'phone': person['phone'], 'email': person['email'],
        'age': '34', 'gender': 'female', 'city': 'Pune', 'symptoms': [ROUTINE_CODE],
        'symptoms_text': 'Fever since Monday,\nworse at night.', 'duration_days': '2',
        'consent_sms': 'on', 'consent_whatsapp': 'on',
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_get_lists_the_symptom_catalogue(server):
    _session, page = _open_form(server.url)
    assert 'sehat_consult_form' in page.ids or 'id="sehat_consult_form"' in page.html
    assert 'Tell us how you feel' in page.html
    codes = {f['value'] for f in page.fields['symptoms']}
    assert {RED_FLAG_CODE, ROUTINE_CODE} <= codes
    assert len(codes) >= 30
    assert 'Chest pain or pressure' in page.html
    assert page.value('csrf_token')
    for name in ('name', 'phone', 'email', 'age', 'dob', 'gender', 'city', 'symptoms_text', 'duration_days',
                 'pregnant', 'consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone'):
        assert name in page.fields, name
    assert 'sehat_consult_submit' in page.html
    assert not page.errors and 'sehat_consult_errors' not in page.ids
    assert 'href="/consult"' in page.html  # the website menu entry "Consult a doctor"


def test_get_carries_utm_values_into_hidden_inputs(server):
    _session, page = _open_form(server.url, {'utm_source': 'newsletter', 'utm_medium': 'email',
                                             'utm_campaign': '<b>x</b>'})
    hidden = _hidden(page)
    assert hidden['utm_source'] == 'newsletter' and hidden['utm_medium'] == 'email'
    assert 'utm_campaign' not in hidden  # markup is dropped, not shown as an error the visitor cannot fix
    assert '<b>x</b>' not in page.html


@pytest.mark.parametrize('token', [None, 'not-a-token'])
def test_post_without_valid_csrf_token_is_refused(server, admin, token):
    person = _person()
    data = _valid(person)
    if token:
        data['csrf_token'] = token
    resp = requests.post(server.url + '/consult', data=data, timeout=30, allow_redirects=False)
    assert resp.status_code in (400, 403), resp.status_code
    assert 'sehat_consult_thanks' not in resp.text
    assert 'Traceback' not in resp.text
    assert not _leads(admin, server.url, person['e164'], person['email'])


def test_valid_enquiry_thanks_and_creates_the_lead_with_utm(server, admin):
    person = _person()
    source = 'newsletter_%s' % person['tag']
    session, page = _open_form(server.url, {'utm_source': source, 'utm_medium': 'email',
                                            'utm_campaign': 'monsoon_%s' % person['tag']})
    resp = _submit(session, server.url, page, _valid(person))
    assert resp.status_code == 200, resp.text[:2000]
    thanks = Page(resp.text)
    assert 'sehat_consult_thanks' in thanks.ids
    assert 'sehat_red_flag_alert' not in thanks.ids
    assert 'Our care team will call you' in thanks.ids['sehat_callback']
    assert thanks.ids['sehat_callback_band'] in ('Emergency', 'Urgent', 'Soon', 'Routine')
    leads = _leads(admin, server.url, person['e164'])
    assert len(leads) == 1, leads
    lead = leads[0]
    assert thanks.ids['sehat_consult_reference'] == str(lead['id'])
    assert lead['channel'] == 'web'
    assert lead['source_id'] and lead['source_id'][1] == source
    assert lead['medium_id'] and lead['medium_id'][1].lower() == 'email'
    assert lead['campaign_id'] and lead['campaign_id'][1] == 'monsoon_%s' % person['tag']
    assert not lead['red_flag']


def test_red_flag_symptom_tells_to_call_the_emergency_number(server, admin):
    person = _person()
    session, page = _open_form(server.url)
    resp = _submit(session, server.url, page, _valid(person, symptoms=[RED_FLAG_CODE, ROUTINE_CODE],
                                                     symptoms_text=None))
    assert resp.status_code == 200, resp.text[:2000]
    thanks = Page(resp.text)
    number = _emergency_number(admin, server.url)
    alert = thanks.ids.get('sehat_red_flag_alert')
    assert alert, resp.text[:3000]
    assert 'Do not wait for our call: call %s or go to the nearest emergency department now' % number in alert
    assert 'href="tel:%s"' % number in resp.text
    assert RED_FLAG_ADVICE in alert
    leads = _leads(admin, server.url, person['e164'])
    assert len(leads) == 1 and leads[0]['red_flag'] and leads[0]['urgency_band'] == 'emergency'
    assert thanks.ids['sehat_consult_reference'] == str(leads[0]['id'])


BAD_INPUT = {
    'missing name': ('name', {'name': None}, 'is required'),
    'invalid phone': ('phone', {'phone': '12345'}, 'not a'),
    '10k-character name': ('name', {'name': 'N' * 10000}, 'too long'),
    'script in city': ('city', {'city': '<script>alert("x")</script>'}, 'HTML'),
    'unknown symptom code': ('symptoms', {'symptoms': [ROUTINE_CODE, 'NOT_A_SYMPTOM']}, 'NOT_A_SYMPTOM'),
}


@pytest.mark.parametrize('case', sorted(BAD_INPUT))
def test_bad_input_shows_the_form_again_with_the_error_next_to_the_field(server, admin, case):
    field, changes, message = BAD_INPUT[case]
    person = _person()
    session, page = _open_form(server.url, {'utm_source': 'poster_%s' % person['tag']})
    data = _valid(person, **changes)
    resp = _submit(session, server.url, page, data)
    assert resp.status_code == 400, resp.text[:2000]
    form = Page(resp.text)
    assert 'sehat_consult_thanks' not in form.ids
    assert 'sehat_consult_errors' in form.ids  # summary at the top
    assert message in form.ids['sehat_consult_errors']

    # The error is under its own field, in a Bootstrap .has-error group, and only there.
    assert {e['field'] for e in form.errors} == {field}, form.errors
    error = form.errors[0]
    assert message in error['text']
    assert error['group'] is not None and 'has-error' in form.groups[error['group']]
    assert error['group'] in {f['group'] for f in form.fields[field]}
    assert sum('has-error' in classes for classes in form.groups.values()) == 1

    # Everything typed is still there (the bad value too, escaped).
    for name in ('name', 'phone', 'email', 'age', 'gender', 'city', 'symptoms_text', 'duration_days'):
        assert form.value(name) == data.get(name, ''), name
    assert form.checked('symptoms') == {c for c in data['symptoms'] if c != 'NOT_A_SYMPTOM'}
    for name in ('consent_sms', 'consent_whatsapp'):
        assert form.checked(name) == {'on'}, name
    for name in ('consent_email', 'consent_phone', 'pregnant'):
        assert not form.checked(name), name
    assert _hidden(form)['utm_source'] == 'poster_%s' % person['tag']
    assert form.value('csrf_token')
    assert '<script>alert' not in resp.text

    assert not _leads(admin, server.url, person['e164'], person['email'])


def test_corrected_form_can_be_sent_again(server, admin):
    person = _person()
    session, page = _open_form(server.url)
    resp = _submit(session, server.url, page, _valid(person, phone='12345'))
    assert resp.status_code == 400
    again = Page(resp.text)
    resp = _submit(session, server.url, again, _valid(person))
    assert resp.status_code == 200, resp.text[:2000]
    assert 'sehat_consult_thanks' in Page(resp.text).ids
    assert len(_leads(admin, server.url, person['e164'])) == 1


FRENCH = {
    ('addons/sehat_crm/controllers/consult.py', 'Less than a day'): "Moins d'un jour",
    ('addons/sehat_crm/controllers/consult.py', 'Mobile number'): 'Numéro de portable',
    ('addons/sehat_crm/lib/capture.py', 'is required.'): 'est obligatoire.',
}


def test_the_form_speaks_the_website_language(server, admin):
    """With French on the website (and its translations), the words the server adds to the
    form and its error messages are French."""
    def call(model, method, args, kwargs=None):
        return _rpc(admin, server.url, '/web/dataset/call_kw',
                    {'model': model, 'method': method, 'args': args, 'kwargs': kwargs or {}})
    lang_id = call('res.lang', 'load_lang', ['fr_FR'])
    website_id = call('website', 'search', [[]], {'limit': 1})[0]
    translations = []
    for (path, source), value in FRENCH.items():
        translations.append(call('ir.translation', 'create', [{
            'type': 'code', 'name': path, 'lang': 'fr_FR', 'src': source, 'value': value,
            'module': 'sehat_crm', 'state': 'translated', 'res_id': 0}]))
    call('website', 'write', [[website_id], {'language_ids': [(4, lang_id)]}])
    try:
        session = requests.Session()
        resp = session.get(server.url + '/fr_FR/consult', timeout=30)
        assert resp.status_code == 200, resp.text[:500]
        assert "Moins d'un jour" in Page(resp.text).html
        person = _person()
        resp = _submit(session, server.url, Page(resp.text), _valid(person, phone=''))
        assert resp.status_code == 400, resp.text[:2000]
        form = Page(resp.text)
        assert [e['text'].strip() for e in form.errors] == ['Numéro de portable est obligatoire.']
    finally:
        call('website', 'write', [[website_id], {'language_ids': [(3, lang_id)]}])
        call('ir.translation', 'unlink', [translations])
        call('res.lang', 'write', [[lang_id], {'active': False}])

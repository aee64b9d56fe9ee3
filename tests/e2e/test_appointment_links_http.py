"""The confirm / cancel links of appointment reminders, over HTTP against the running server, as
a patient's phone opens them: GET shows the page, the button POSTs, a tampered link is refused."""
import re
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest
import requests

from api_client import OdooAdmin

FIELDS = ['id', 'appointment_state', 'doctor_id', 'start']


@pytest.fixture
def admin(server):
    return OdooAdmin(server.url)


def upcoming_booked(admin, count):
    """Demo appointments in the future still booked (demo data books a week around the install)."""
    soon = (datetime.utcnow() + timedelta(hours=1)).strftime('%Y-%m-%d %H:%M:%S')
    events = admin.search_read('calendar.event', [['doctor_id', '!=', False], ['appointment_state', '=', 'booked'],
                                                  ['start', '>', soon]], FIELDS)
    assert len(events) >= count, 'the demo week must hold booked appointments'
    return events[:count]


def link(admin, server, event_id, action):
    url = admin.call_kw('calendar.event', 'sehat_link', [[event_id], action])
    parsed = urlparse(url)
    return '%s%s?%s' % (server.url, parsed.path, parsed.query)


def state(admin, event_id):
    return admin.search_read('calendar.event', [['id', '=', event_id]], ['appointment_state'])[0]['appointment_state']


def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_confirm_from_the_link(server, admin):
    event = upcoming_booked(admin, 1)[0]
    session = requests.Session()
    page = session.get(link(admin, server, event['id'], 'confirm'), timeout=30)
    assert page.status_code == 200
    assert 'Confirm your appointment' in page.text
    assert event['doctor_id'][1] in page.text
    assert state(admin, event['id']) == 'booked', 'opening the link (e.g. a link preview) changes nothing'
    url = link(admin, server, event['id'], 'confirm')
    token = url.split('token=')[1]
    done = session.post(url.split('?')[0], data={'csrf_token': csrf(page.text), 'token': token}, timeout=30)
    assert done.status_code == 200
    assert 'your appointment is confirmed' in done.text
    assert state(admin, event['id']) == 'confirmed'
    server.assert_log_clean()


def test_cancel_from_the_link_frees_the_slot_and_tells_the_call_centre(server, admin):
    event = upcoming_booked(admin, 2)[1]
    url = link(admin, server, event['id'], 'cancel')
    session = requests.Session()
    page = session.get(url, timeout=30)
    assert 'Cancel your appointment' in page.text
    done = session.post(url.split('?')[0], data={'csrf_token': csrf(page.text), 'token': url.split('token=')[1]},
                        timeout=30)
    assert done.status_code == 200
    assert 'Your appointment is cancelled' in done.text
    assert state(admin, event['id']) == 'cancelled'
    activities = admin.search_read(
        'mail.activity', [['res_model', '=', 'calendar.event'], ['res_id', '=', event['id']]], ['summary'])
    assert any('offer another slot' in a['summary'] for a in activities)
    again = requests.get(url, timeout=30)  # opened again later: says so, offers no button
    assert again.status_code == 200 and 'Your appointment is cancelled' in again.text
    assert 'name="csrf_token"' not in again.text
    server.assert_log_clean()


@pytest.mark.parametrize('tamper', ['other action', 'changed token', 'other appointment', 'no token', 'unknown'])
def test_tampered_links_are_refused_and_change_nothing(server, admin, tamper):
    first, second = upcoming_booked(admin, 4)[2:4]
    url = link(admin, server, first['id'], 'cancel')
    path, token = url.split('?token=')
    if tamper == 'other action':
        url = path.replace('/cancel', '/confirm') + '?token=' + token
    elif tamper == 'changed token':
        url = path + '?token=' + token[:-4] + ('0000' if token[-4:] != '0000' else '1111')
    elif tamper == 'other appointment':
        url = path.replace('/%d/' % first['id'], '/%d/' % second['id']) + '?token=' + token
    elif tamper == 'no token':
        url = path
    else:
        url = path.replace('/%d/' % first['id'], '/999999999/') + '?token=' + token
    page = requests.get(url, timeout=30)
    assert page.status_code == 403
    assert 'This link is not valid' in page.text
    assert first['doctor_id'][1] not in page.text, 'a refused link tells nothing about the appointment'
    session = requests.Session()
    form = session.get(server.url + '/consult', timeout=30)  # any page: a valid CSRF token of this session
    posted = session.post(url.split('?')[0], data={'csrf_token': csrf(form.text), 'token': url.partition('token=')[2]},
                          timeout=30)
    assert posted.status_code == 403
    assert state(admin, first['id']) == 'booked' and state(admin, second['id']) == 'booked'


def test_post_without_csrf_is_refused(server, admin):
    event = upcoming_booked(admin, 5)[4]
    url = link(admin, server, event['id'], 'cancel')
    posted = requests.post(url.split('?')[0], data={'token': url.split('token=')[1]}, timeout=30)
    assert posted.status_code == 400
    assert state(admin, event['id']) == 'booked'

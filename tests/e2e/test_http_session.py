"""Demo logins and the public user over JSON-RPC, as an integration client would see them."""
import pytest
import requests

from conftest import DB, DEMO_USERS


def _rpc(session, url, path, params):
    resp = session.post(url + path, json={'jsonrpc': '2.0', 'method': 'call', 'params': params}, timeout=30)
    assert resp.status_code == 200
    return resp.json()


@pytest.mark.parametrize('login', sorted(DEMO_USERS))
def test_demo_login_works(server, login):
    session = requests.Session()
    result = _rpc(session, server.url, '/web/session/authenticate',
                  {'db': DB, 'login': login, 'password': DEMO_USERS[login]})
    assert result.get('result', {}).get('uid'), result


def test_anonymous_client_reads_no_lead_or_patient(server):
    session = requests.Session()
    for model in ('crm.lead', 'res.partner', 'sehat.doctor'):
        result = _rpc(session, server.url, '/web/dataset/search_read',
                      {'model': model, 'fields': ['name'], 'domain': []})
        assert 'error' in result and 'result' not in result, result


def test_call_centre_reads_patients_but_not_configuration(server):
    session = requests.Session()
    _rpc(session, server.url, '/web/session/authenticate',
         {'db': DB, 'login': 'callcentre', 'password': 'callcentre'})
    patients = _rpc(session, server.url, '/web/dataset/search_read',
                    {'model': 'res.partner', 'fields': ['name', 'patient_ref'],
                     'domain': [['is_patient', '=', True]]})
    assert patients['result']['length'] >= 20
    denied = _rpc(session, server.url, '/web/dataset/call_kw',
                  {'model': 'sehat.department', 'method': 'create', 'args': [{'name': 'X', 'code': 'X'}],
                   'kwargs': {}})
    assert denied['error']['data']['name'] == 'odoo.exceptions.AccessError'

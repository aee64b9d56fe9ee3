"""A person reports a red-flag symptom on the website; the call centre sees the enquiry
at the top of the lead queue in the web client."""
import random
import time

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser import click_entry, error_dialog_text, login, open_app, screenshot, wait
from conftest import DB, SHOTS


def _rpc(session, url, path, params):
    return session.post(url + path, json={'jsonrpc': '2.0', 'method': 'call', 'params': params}, timeout=60).json()


def _close_open_emergencies(url):
    """The team has handled the emergencies that arrived before (other tests create some)."""
    session = requests.Session()
    _rpc(session, url, '/web/session/authenticate', {'db': DB, 'login': 'manager', 'password': 'manager'})
    found = _rpc(session, url, '/web/dataset/search_read', {
        'model': 'crm.lead', 'fields': ['id'],
        'domain': [['type', '=', 'lead'], ['urgency_band', '=', 'emergency']]})['result']['records']
    if found:
        result = _rpc(session, url, '/web/dataset/call_kw', {
            'model': 'crm.lead', 'method': 'action_set_lost', 'args': [[r['id'] for r in found]], 'kwargs': {}})
        assert 'error' not in result, result


def test_red_flag_enquiry_from_the_website_tops_the_queue(server, chrome):
    _close_open_emergencies(server.url)
    name = 'Browser Test %d' % int(time.time())
    phone = '9%09d' % random.randint(0, 999999999)
    chrome.delete_all_cookies()
    chrome.get(server.url + '/consult?utm_source=browser-test')
    chrome.find_element(By.NAME, 'name').send_keys(name)
    chrome.find_element(By.NAME, 'phone').send_keys(phone)
    chest_pain = chrome.find_element(By.CSS_SELECTOR, 'input[name="symptoms"][value="CHEST_PAIN"]')
    chrome.execute_script('arguments[0].scrollIntoView({block: "center"});', chest_pain)
    chest_pain.click()
    chrome.find_element(By.ID, 'sehat_consult_submit').click()
    wait(chrome).until(EC.presence_of_element_located((By.ID, 'sehat_consult_thanks')))
    alert = chrome.find_element(By.ID, 'sehat_red_flag_alert')
    screenshot(chrome, SHOTS, 'consult-red-flag-thanks')
    assert alert.is_displayed() and '108' in alert.text

    login(chrome, server.url, 'callcentre', 'callcentre')
    menu_id = open_app(chrome, 'sehat_crm.menu_sehat_root')
    click_entry(chrome, menu_id, 'sehat_crm.menu_sehat_lead_queue')
    wait(chrome).until(EC.presence_of_element_located((By.CSS_SELECTOR, '.o_kanban_view .o_kanban_group')))
    shot = screenshot(chrome, SHOTS, 'lead-queue-red-flag-on-top')
    assert not error_dialog_text(chrome)
    first_column = chrome.find_elements(By.CSS_SELECTOR, '.o_kanban_view .o_kanban_group')[0]
    assert 'Emergency' in first_column.find_element(By.CSS_SELECTOR, '.o_column_title').text
    first_card = first_column.find_elements(By.CSS_SELECTOR, '.o_kanban_record')[0]
    assert name in first_card.text, 'the red-flag enquiry is not the first card (%s)' % shot
    assert 'sehat_red_flag' in first_card.get_attribute('class')  # the card stands out

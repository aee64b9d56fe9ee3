"""The call centre books from an enquiry: Find a doctor ranks the doctors with reasons, Book
opens the free slots, Book on a slot creates the appointment (in the web client, Chromium)."""
import random
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from api_client import OdooAdmin
from browser import error_dialog_text, login, screenshot, wait, wait_idle
from conftest import SHOTS

BOOK_BUTTON = './/button[@title="Book" or normalize-space()="Book"]'  # (list buttons carry no name)
CARDIOLOGIST = 'Dr. Anjali Rao'  # the demo hospital's cardiologist (demo/sehat_doctor_demo.xml)


def _enquiry(admin):
    """A new patient with chest pain, assigned to the call-centre demo user."""
    stamp = int(time.time())
    patient = admin.call_kw('res.partner', 'create', [{
        'name': 'Booking Test %d' % stamp, 'is_patient': True, 'mobile': '+91 9%09d' % random.randint(0, 999999999)}])
    chest_pain = admin.search_read('sehat.symptom', [['code', '=', 'CHEST_PAIN']], ['id'])[0]['id']
    callcentre = admin.search_read('res.users', [['login', '=', 'callcentre']], ['id'])[0]['id']
    lead = admin.call_kw('crm.lead', 'create', [{
        'name': 'Chest pain on climbing stairs', 'type': 'lead', 'partner_id': patient, 'user_id': callcentre,
        'symptom_ids': [[6, 0, [chest_pain]]]}])
    return patient, lead


def _click(chrome, css):
    element = wait(chrome).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
    element.click()
    wait_idle(chrome)
    return element


def test_book_from_an_enquiry_through_matching(server, chrome):
    admin = OdooAdmin(server.url)
    patient, lead = _enquiry(admin)
    login(chrome, server.url, 'callcentre', 'callcentre')
    queue = admin.call_kw('ir.model.data', 'xmlid_to_res_id', ['sehat_crm.action_lead_queue'])
    chrome.get('%s/web#id=%d&model=crm.lead&view_type=form&action=%d' % (server.url, lead, queue))
    wait(chrome).until(EC.presence_of_element_located((By.CSS_SELECTOR, '.o_form_view')))
    wait_idle(chrome)
    screenshot(chrome, SHOTS, 'enquiry-form')
    find = wait(chrome).until(EC.element_to_be_clickable(
        (By.XPATH, '//div[contains(@class, "o_form_statusbar")]//button[normalize-space()="Find a doctor"]')))
    find.click()
    wait_idle(chrome)
    _click(chrome, '.modal button[name="action_match"]')
    rows = wait(chrome).until(lambda d: d.find_elements(By.CSS_SELECTOR, '.modal .o_list_view tbody tr.o_data_row'))
    shot = screenshot(chrome, SHOTS, 'find-a-doctor')
    assert not error_dialog_text(chrome), error_dialog_text(chrome)
    assert CARDIOLOGIST in rows[0].text, 'the cardiologist must come first for chest pain (%s)' % shot
    assert '(+' in rows[0].text, 'each reason shows its points'
    rows[0].find_element(By.XPATH, BOOK_BUTTON).click()
    wait_idle(chrome)
    slots = wait(chrome).until(lambda d: d.find_elements(
        By.XPATH, '//div[contains(@class, "modal")]//tr[contains(@class, "o_data_row")]' + BOOK_BUTTON[1:]))
    screenshot(chrome, SHOTS, 'slot-picker')
    slots[0].click()
    wait_idle(chrome)
    screenshot(chrome, SHOTS, 'slot-picker-after-book')
    wait(chrome).until(EC.presence_of_element_located((By.CSS_SELECTOR, '.o_form_view .o_statusbar_status')))
    shot = screenshot(chrome, SHOTS, 'appointment-booked')
    assert not error_dialog_text(chrome), error_dialog_text(chrome)
    status = chrome.find_element(By.CSS_SELECTOR, '.o_statusbar_status .btn-primary').text
    assert 'Booked' in status, shot
    events = admin.search_read('calendar.event', [['patient_id', '=', patient]],
                               ['doctor_id', 'appointment_state', 'lead_id'])
    assert len(events) == 1
    assert events[0]['doctor_id'][1] == CARDIOLOGIST and events[0]['lead_id'][0] == lead
    stage = admin.search_read('res.partner', [['id', '=', patient]], ['lifecycle_stage'])[0]['lifecycle_stage']
    assert stage == 'customer'
    server.assert_log_clean()

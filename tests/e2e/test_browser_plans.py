"""A doctor activates a treatment plan made from a template; its follow-ups appear in the
call centre's follow-ups kanban (in the web client, Chromium)."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from api_client import OdooAdmin
from browser import error_dialog_text, login, screenshot, wait, wait_idle
from conftest import SHOTS


def test_activate_a_plan_from_a_template_and_see_the_follow_ups(server, chrome):
    doctor = OdooAdmin(server.url, 'doctor', 'doctor')
    admin = OdooAdmin(server.url)
    name = 'Plan Test %d' % int(time.time())
    patient = admin.call_kw('res.partner', 'create', [{'name': name, 'is_patient': True}])
    template = admin.call_kw('ir.model.data', 'xmlid_to_res_id', ['sehat_crm.plan_template_antenatal'])
    doctor_id = admin.search_read('sehat.doctor', [['user_id.login', '=', 'doctor']], ['id'])[0]['id']
    plan = doctor.call_kw('sehat.treatment.plan', 'create', [{
        'patient_id': patient, 'doctor_id': doctor_id, 'template_id': template}])
    action = admin.call_kw('ir.model.data', 'xmlid_to_res_id', ['sehat_crm.action_treatment_plans'])

    login(chrome, server.url, 'doctor', 'doctor')
    chrome.get('%s/web#id=%d&model=sehat.treatment.plan&view_type=form&action=%d' % (server.url, plan, action))
    activate = wait(chrome).until(EC.element_to_be_clickable(
        (By.XPATH, '//div[contains(@class, "o_form_statusbar")]//button[normalize-space()="Activate"]')))
    lines = chrome.find_elements(By.CSS_SELECTOR, '.o_form_view .o_field_one2many tbody tr.o_data_row')
    assert len(lines) == 2, 'the antenatal template has two follow-ups'
    screenshot(chrome, SHOTS, 'plan-from-template')
    activate.click()
    wait_idle(chrome)
    wait(chrome).until(EC.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '.o_statusbar_status .btn-primary'), 'Active'))
    chrome.find_element(By.XPATH, '//button[.//span[normalize-space()="Follow-ups"]]').click()
    wait_idle(chrome)
    cards = wait(chrome).until(lambda d: d.find_elements(By.CSS_SELECTOR, '.o_sehat_followups .o_kanban_record'))
    shot = screenshot(chrome, SHOTS, 'follow-ups-kanban')
    assert not error_dialog_text(chrome), error_dialog_text(chrome)
    texts = [card.text for card in cards]
    assert len(cards) >= 3, shot
    assert all(name in text for text in texts), texts
    assert any('Antenatal check-up #1' in text for text in texts)
    column = chrome.find_elements(By.CSS_SELECTOR, '.o_sehat_followups .o_kanban_group')[0]
    assert 'To call' in column.text
    server.assert_log_clean()

"""Every demo user logs in through the real login page and opens every Sehat menu entry
they can see, in headless Chromium: no error dialog, no traceback in the server log."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser import click_entry, error_dialog_text, login, open_app, screenshot, sidebar_entries, wait, wait_idle
from conftest import DEMO_USERS, SHOTS

P = 'sehat_crm.menu_sehat_'
STAFF = {P + 'patients', P + 'lead_queue', P + 'doctors', P + 'appointments', P + 'treatment_plans', P + 'followups',
         P + 'segments'}
MANAGER = STAFF | {P + 'report_leads', P + 'report_funnel', P + 'report_funnel_summary', P + 'report_lifecycle',
                   P + 'report_adherence', P + 'config_plan_templates', P + 'nps_responses', P + 'service_recovery',
                   P + 'report_nps', P + 'report_rfm', P + 'report_sla', P + 'report_exports',
                   P + 'config_departments', P + 'config_specialties', P + 'config_symptoms',
                   P + 'config_conditions', P + 'config_languages', P + 'config_teams', P + 'config_api_tokens',
                   P + 'config_api_token_new', P + 'config_sms_gateways', P + 'config_sms_log', P + 'config_reminders'}
EXPECTED = {
    'admin': MANAGER | {P + 'report_invoices', P + 'config_settings'},
    'manager': MANAGER,
    'callcentre': STAFF,
    'fieldrep': STAFF,
    'referrals': STAFF,
    'doctor': {P + 'patients', P + 'doctors', P + 'appointments', P + 'treatment_plans', P + 'followups',
               P + 'nps_responses'},
    'finance': {P + 'doctors', P + 'report_invoices'},
}


@pytest.mark.parametrize('user', sorted(EXPECTED))
def test_user_opens_every_sehat_menu(server, chrome, user):
    login(chrome, server.url, user, DEMO_USERS[user])
    menu_id = open_app(chrome, 'sehat_crm.menu_sehat_root')
    entries = sidebar_entries(chrome, menu_id)
    assert {xmlid for xmlid, _name in entries} == EXPECTED[user]
    for xmlid, name in entries:
        click_entry(chrome, menu_id, xmlid)
        shot = screenshot(chrome, SHOTS, '%s-%s' % (user, xmlid.split('.')[-1]))
        assert not error_dialog_text(chrome), '%s / %s: %s (%s)' % (user, name, error_dialog_text(chrome), shot)
        assert chrome.find_elements(By.CSS_SELECTOR, '.o_view_manager_content > *'), \
            '%s / %s did not open a view (%s)' % (user, name, shot)
        for close in chrome.find_elements(By.CSS_SELECTOR, '.modal.in .modal-header .close'):
            close.click()  # a wizard opened in a dialog (e.g. New API token)
            wait_idle(chrome)


def test_wrong_password_is_refused_on_the_login_page(server, chrome):
    chrome.delete_all_cookies()
    chrome.get(server.url + '/web/login')
    chrome.find_element(By.NAME, 'login').send_keys('callcentre')
    chrome.find_element(By.NAME, 'password').send_keys('not-the-password')
    chrome.find_element(By.CSS_SELECTOR, 'form.oe_login_form button[type=submit]').click()
    # the answer is a new page: wait for it rather than look at the page being left
    alert = wait(chrome).until(EC.presence_of_element_located((By.CSS_SELECTOR, '.oe_login_form .alert-danger')))
    assert 'Wrong login/password' in alert.text
    assert not chrome.find_elements(By.CSS_SELECTOR, '.oe_application_menu_placeholder')

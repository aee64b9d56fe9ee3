"""Helpers that drive the Odoo 11 web client like a person would."""
import os

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ERROR_DIALOGS = '.o_dialog_error, .o_dialog_warning, .o_error_detail'


def wait(driver, timeout=30):
    return WebDriverWait(driver, timeout)


def login(driver, url, login, password):
    driver.delete_all_cookies()
    driver.get(url + '/web/login')
    driver.find_element(By.NAME, 'login').send_keys(login)
    driver.find_element(By.NAME, 'password').send_keys(password)
    driver.find_element(By.CSS_SELECTOR, 'form.oe_login_form button[type=submit]').click()
    wait(driver, 90).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, '.oe_application_menu_placeholder a[data-menu-xmlid]')))
    wait_idle(driver)


def wait_idle(driver, timeout=30):
    """Wait until the web client has no RPC in flight and no blocking overlay."""
    def idle(d):
        return d.execute_script(
            "var l = document.querySelector('.o_loading');"
            "var b = document.querySelector('.blockUI');"
            "return (!l || getComputedStyle(l).display === 'none') && !b;")
    wait(driver, timeout).until(idle)


def error_dialog_text(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ERROR_DIALOGS)
    return '\n'.join(el.text for el in found if el.is_displayed())


def open_app(driver, menu_xmlid):
    """Click an application in the top bar; its menu appears in the left sidebar."""
    app = wait(driver).until(EC.element_to_be_clickable(
        (By.CSS_SELECTOR, '.oe_application_menu_placeholder a[data-menu-xmlid="%s"]' % menu_xmlid)))
    menu_id = app.get_attribute('data-menu')
    app.click()
    wait(driver).until(EC.visibility_of_element_located(
        (By.CSS_SELECTOR, '.oe_secondary_menu[data-menu-parent="%s"]' % menu_id)))
    wait_idle(driver)
    return menu_id


def sidebar_entries(driver, menu_id):
    """Leaf entries of the app's sidebar: [(xmlid, name)]."""
    return driver.execute_script("""
        var out = [];
        var menu = document.querySelector('.oe_secondary_menu[data-menu-parent="' + arguments[0] + '"]');
        menu.querySelectorAll('a.oe_menu_leaf[data-menu-xmlid]').forEach(function (a) {
            out.push([a.getAttribute('data-menu-xmlid'), a.textContent.trim()]);
        });
        return out;""", menu_id)


def click_entry(driver, menu_id, xmlid):
    """Click a sidebar entry and wait until its action is loaded (the URL carries its id)."""
    entry = wait(driver).until(EC.element_to_be_clickable(
        (By.CSS_SELECTOR, '.oe_secondary_menu[data-menu-parent="%s"] a[data-menu-xmlid="%s"]' % (menu_id, xmlid))))
    action_id = entry.get_attribute('data-action-id')
    entry.click()
    try:
        wait(driver, 45).until(lambda d: d.find_elements(By.CSS_SELECTOR, ERROR_DIALOGS) or (
            ('action=%s' % action_id) in d.execute_script('return window.location.hash;')
            and d.find_elements(By.CSS_SELECTOR, '.o_view_manager_content > *')))
    except TimeoutException:
        pass
    wait_idle(driver)


def screenshot(driver, folder, name):
    path = os.path.join(folder, name.replace('/', '_') + '.png')
    driver.save_screenshot(path)
    return path

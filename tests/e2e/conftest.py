"""Fixtures for the end-to-end tests: an Odoo server in prefork mode on the test
database, started and stopped by the tests themselves, and headless Chromium."""
import os
import signal
import subprocess
import time

import pytest
import requests

ROOT = os.environ.get('SEHAT_ROOT') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DB = os.environ.get('SEHAT_TEST_DB', 'sehat_test')
PORT = int(os.environ.get('SEHAT_TEST_PORT', '8169'))
OUT = os.path.join(ROOT, '.odoo', 'test')
SERVER_LOG = os.path.join(OUT, 'server-%d.log' % PORT)  # one per port: parallel runs do not mix
SHOTS = os.path.join(OUT, 'screenshots')

# Demo logins (password = login, admin/admin) and what each must see under the Sehat menu.
DEMO_USERS = {
    'admin': 'admin',
    'callcentre': 'callcentre',
    'fieldrep': 'fieldrep',
    'manager': 'manager',
    'doctor': 'doctor',
    'referrals': 'referrals',
    'finance': 'finance',
}


# Errors Odoo 11 itself logs under normal use, not caused by Sehat CRM: two longpolling requests
# of one user racing to create its bus presence row (bus.presence.update: search, then create).
STOCK_NOISE = ('bus_presence_bus_user_presence_unique',)


class OdooServer:
    def __init__(self, url, log_path):
        self.url = url
        self.log_path = log_path
        self._mark = 0

    def mark_log(self):
        self._mark = os.path.getsize(self.log_path)

    def log_since_mark(self):
        with open(self.log_path, errors='replace') as log:
            log.seek(self._mark)
            return log.read()

    def assert_log_clean(self):
        text = self.log_since_mark()
        lines = text.splitlines()
        bad = [line for n, line in enumerate(lines)
               if ('Traceback' in line or ' ERROR ' in line or ' CRITICAL ' in line)
               and not any(noise in '\n'.join(lines[n:n + 4]) for noise in STOCK_NOISE)]
        assert not bad, 'server log has errors:\n' + text[-4000:]


def _stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope='session')
def odoo_server():
    """Odoo with --workers 2 behind nginx, as in production (scripts/proxy.sh)."""
    os.makedirs(OUT, exist_ok=True)
    url = 'http://127.0.0.1:%d' % PORT
    http_port, longpolling_port = PORT + 1000, PORT + 1003
    log = open(SERVER_LOG, 'w')
    proc = subprocess.Popen(
        [os.path.join(ROOT, 'scripts', 'odoo'), '-d', DB, '--db-filter', '^%s$' % DB,
         '--http-port', str(http_port), '--longpolling-port', str(longpolling_port), '--workers', '2',
         '--max-cron-threads', '0', '--logfile', SERVER_LOG, '--log-handler', 'werkzeug:WARNING',
         '--proxy-mode'],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proxy = subprocess.Popen(
        [os.path.join(ROOT, 'scripts', 'proxy.sh'), str(PORT), str(http_port), str(longpolling_port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None or proxy.poll() is not None:
                raise RuntimeError('Odoo or its proxy exited early; see %s' % SERVER_LOG)
            try:
                if requests.get(url + '/web/login', timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                raise RuntimeError('Odoo did not answer on %s within 120 s; see %s' % (url, SERVER_LOG))
            time.sleep(1)
        yield OdooServer(url, SERVER_LOG)
    finally:
        _stop(proxy)
        _stop(proc)
        log.close()


@pytest.fixture
def server(odoo_server):
    """The running server; the test fails if the server logged an error meanwhile."""
    odoo_server.mark_log()
    yield odoo_server
    odoo_server.assert_log_clean()


@pytest.fixture(scope='session')
def chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                '--disable-quic', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--window-size=1440,900',
                '--lang=en-US'):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
    driver.set_page_load_timeout(60)
    os.makedirs(SHOTS, exist_ok=True)
    yield driver
    driver.quit()

"""The stock-suite report: known stock failures are reported, anything else fails the run."""
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'stock_report.py')
STAMP = '2026-11-22 10:00:00,000 42'


def line(level, logger, text):
    return '%s %s sehat_stock %s: %s\n' % (STAMP, level, logger, text)


def ran(module, count):
    return [line('INFO', 'odoo.modules.module', 'odoo.addons.%s.tests.test_a running' % module),
            line('INFO', 'odoo.addons.%s.tests.test_a' % module, 'Ran %d tests in 1.0s' % count)]


def failure(module, test):
    logger = 'odoo.addons.%s.tests.test_a' % module
    return [line('ERROR', logger, 'FAIL: %s (odoo.addons.%s.tests.test_a.T)' % (test, module)),
            'Traceback (most recent call last):\n', 'AssertionError: 1 != 2\n',
            line('ERROR', 'odoo.modules.module', 'Module %s: 1 failures' % module)]


def report(tmp_path, lines, status, modules='account,crm'):
    log = tmp_path / 'stock.log'
    log.write_text(''.join(lines))
    junit = tmp_path / 'stock.xml'
    done = subprocess.run([sys.executable, SCRIPT, str(log), '--modules', modules, '--junit', str(junit),
                           '--odoo-status', str(status)], stdout=subprocess.PIPE, universal_newlines=True)
    return done.returncode, done.stdout, junit.read_text()


def test_clean_run_passes(tmp_path):
    rc, out, junit = report(tmp_path, ran('account', 5) + ran('crm', 3), 0)
    assert rc == 0, out
    assert 'failures="0"' in junit and 'account (5 tests)' in junit


def test_known_failure_explains_odoo_exit_status(tmp_path):
    lines = ran('account', 5) + failure('account', 'test_account_tax_fields') + ran('crm', 3)
    rc, out, _junit = report(tmp_path, lines, 1)
    assert rc == 0, out
    assert 'known stock failure: test_account_tax_fields' in out


def test_other_failure_fails(tmp_path):
    lines = ran('account', 5) + failure('crm', 'test_crm_lead_merge') + ran('crm', 3)
    rc, out, junit = report(tmp_path, lines, 1)
    assert rc == 1
    assert 'crm' in out and 'FAILED' in out
    assert 'failures="1"' in junit


@pytest.mark.parametrize('status', [1, 255])
def test_unexplained_exit_status_fails(tmp_path, status):
    rc, out, _junit = report(tmp_path, ran('account', 5) + ran('crm', 3), status)
    assert rc == 1
    assert 'Odoo exited with status %d' % status in out


def test_module_without_tests_fails(tmp_path):
    rc, out, _junit = report(tmp_path, ran('account', 5), 0)
    assert rc == 1
    assert 'no test of crm ran' in out

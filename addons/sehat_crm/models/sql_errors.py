"""Odoo logs every failed SQL statement as an ERROR ("bad query"). Some failures are expected
answers, handled by the caller: a booking refused by the overlap constraint (another worker took
the slot a moment earlier), a serialization failure that Odoo's dispatcher retries. Inside
:func:`expected_sql_errors` they are not logged; they still raise."""
from contextlib import contextmanager


@contextmanager
def expected_sql_errors(cr):
    previous = getattr(cr, '_default_log_exceptions', True)
    cr._default_log_exceptions = False
    try:
        yield
    finally:
        cr._default_log_exceptions = previous

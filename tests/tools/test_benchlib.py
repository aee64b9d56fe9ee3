"""The helpers the benchmarks share (bench/benchlib.py): statistics and the SQL recorder."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'bench'))

import benchlib  # noqa: E402  (bench/ is not a package)


class FakeCursor(object):
    def __init__(self):
        self.ran = []

    def execute(self, query, params=None, log_exceptions=None):
        self.ran.append((query, params))


def test_percentile_is_nearest_rank():
    values = list(range(1, 21))
    assert benchlib.percentile(values, 95) == 19
    assert benchlib.percentile(values, 50) == 10
    assert benchlib.percentile([], 95) is None


def test_summary_in_milliseconds():
    summary = benchlib.summary_ms([0.010, 0.020, 0.030])
    assert summary == {'runs': 3, 'median_ms': 20.0, 'p95_ms': 30.0, 'min_ms': 10.0, 'max_ms': 30.0}


def test_recorder_records_and_restores_the_cursor():
    cr = FakeCursor()
    with benchlib.QueryRecorder(cr) as rec:
        cr.execute("SELECT id\n  FROM crm_lead WHERE id = 7", (7,))
        cr.execute(b"INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        cr.execute("SELECT id FROM crm_lead WHERE id = 8")
    assert len(cr.ran) == 3, 'the statements still reach the cursor'
    assert 'execute' not in vars(cr), 'the cursor is given back its own execute'
    assert rec.calls[0] == ("SELECT id\n  FROM crm_lead WHERE id = 7", (7,))
    assert rec.texts(width=20) == ['SELECT id FROM crm_l', "INSERT INTO t VALUES", 'SELECT id FROM crm_l']
    assert rec.grouped() == [{'count': 2, 'sql': 'SELECT id FROM crm_lead WHERE id = N'},
                             {'count': 1, 'sql': 'INSERT INTO t VALUES (...)'}]


def test_no_recorder_when_not_wanted():
    cr = FakeCursor()
    with benchlib.recorder(cr, False) as rec:
        cr.execute('SELECT 1')
    assert rec.calls is None
    assert isinstance(benchlib.recorder(cr, True), benchlib.QueryRecorder)

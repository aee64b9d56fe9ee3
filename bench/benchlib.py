"""Helpers shared by the benchmark scripts (not a benchmark itself: run.sh runs bench_*.py only).

Environment (set by bench/run.sh): BENCH_DB, SEHAT_CONF, SEHAT_ROOT.
"""
import json
import math
import os
import re
import statistics
from contextlib import contextmanager

ROOT = os.environ.get('SEHAT_ROOT') or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'bench', 'out')


def bench_db():
    return os.environ.get('BENCH_DB') or 'sehat_bench'


def bench_conf():
    return os.environ.get('SEHAT_CONF') or os.path.join(ROOT, '.odoo', 'odoo.conf')


def load_registry(db=None, conf=None, log_level='warn'):
    """Odoo's registry of the bench database, loaded in this process (no HTTP server)."""
    import odoo
    db = db or bench_db()
    odoo.tools.config.parse_config(['-c', conf or bench_conf(), '-d', db, '--log-level=%s' % log_level,
                                    '--log-handler=:WARNING', '--max-cron-threads=0'])
    return odoo.registry(db)


@contextmanager
def request_environments():
    """A fresh set of environments and record cache for one simulated RPC, as Odoo's WSGI entry
    point (odoo.service.wsgi_server.application_unproxied: ``api.Environment.manage()``) opens
    for every HTTP request. Without it, every RPC of a benchmark run shares one record cache,
    which keeps a copy of each value per (closed) cursor and slows down as the run goes on."""
    from odoo import api
    local = api.Environment._local
    saved = getattr(local, 'environments', None)
    local.environments = api.Environments()
    try:
        yield
    finally:
        if saved is None:
            del local.environments
        else:
            local.environments = saved


class QueryRecorder(object):
    """Records the SQL statements a piece of ORM code executes on ``cr`` (wraps its execute):
    ``calls`` is the list of (query, params)."""

    def __init__(self, cr):
        self.cr, self.calls = cr, []

    def __enter__(self):
        original = self.cr.execute

        def execute(query, params=None, log_exceptions=None):
            self.calls.append((query, params))
            return original(query, params, log_exceptions)
        self.cr.execute = execute
        return self

    def __exit__(self, *exc):
        del self.cr.execute

    def texts(self, width=160):
        """Each statement on one line, cut at ``width`` characters."""
        return [' '.join(_text(query).split())[:width] for query, _params in self.calls]

    def grouped(self, top=20):
        """The statements grouped by their text (literals and VALUES lists folded), most frequent first."""
        counts = {}
        for query, _params in self.calls:
            text = re.sub(r"VALUES \(.*", 'VALUES (...)', ' '.join(_text(query).split()))
            text = re.sub(r"'[^']*'", "'?'", re.sub(r'\b\d+\b', 'N', text))[:150]
            counts[text] = counts.get(text, 0) + 1
        ordered = sorted(counts.items(), key=lambda item: -item[1])
        return [{'count': count, 'sql': text} for text, count in ordered[:top]]


class NoRecorder(object):
    """Stands for a QueryRecorder when nothing is to be recorded."""
    calls = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def recorder(cr, wanted):
    """A QueryRecorder of ``cr`` when ``wanted``, else a NoRecorder."""
    return QueryRecorder(cr) if wanted else NoRecorder()


def _text(query):
    return query.decode('utf-8', 'replace') if isinstance(query, bytes) else str(query)


def percentile(values, pct):
    """Nearest-rank percentile (p95 of 20 runs = the 19th value)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, int(math.ceil(pct / 100.0 * len(ordered))))
    return ordered[rank - 1]


def summary_ms(seconds):
    """median / p95 / min / max in milliseconds of a list of durations in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        'runs': len(ms),
        'median_ms': round(statistics.median(ms), 2),
        'p95_ms': round(percentile(ms, 95), 2),
        'min_ms': round(min(ms), 2),
        'max_ms': round(max(ms), 2),
    }


def table(rows, columns):
    """Plain text table: ``columns`` is a list of (key, title); rows are dicts."""
    cells = [[title for _key, title in columns]]
    for row in rows:
        cells.append(['' if row.get(key) is None else str(row.get(key)) for key, _title in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for n, line in enumerate(cells):
        lines.append('  '.join(cell.rjust(width) if n and _numeric(cell) else cell.ljust(width)
                               for cell, width in zip(line, widths)).rstrip())
        if n == 0:
            lines.append('  '.join('-' * width for width in widths))
    return '\n'.join(lines)


def _numeric(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_json(name, data):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, '%s.json' % name)
    with open(path, 'w') as handle:
        json.dump(data, handle, indent=2, sort_keys=True, default=str)
        handle.write('\n')
    return path

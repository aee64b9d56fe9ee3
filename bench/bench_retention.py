"""Retention reports at scale: RFM of 100k patients, NPS over 1M answers, Excel export of 100k rows.

What is measured
----------------
Inside Odoo (registry loaded in this process, no HTTP), as admin (superuser, as the cron runs),
each run in its own cursor and environment:

1. **RFM, SQL path**: ``res.partner.sehat_compute_rfm()`` (models/res_partner_rfm.py: one
   statement that aggregates the done visits and the paid invoices, scores R/F/M with window
   functions and writes the seven ``rfm_*`` columns back, plus the reset statement for patients
   without activity), followed by the commit, as the nightly cron does. WARMUP_RFM untimed run,
   then RUNS_RFM timed runs; median. Before every run (untimed) ``VACUUM ANALYZE res_partner``:
   each run rewrites every scored row, and the nightly run normally finds the table vacuumed
   and analyzed by autovacuum since the night before. Target < 15 s. ``EXPLAIN (ANALYZE, BUFFERS)`` of the
   statement (rolled back) goes to the JSON with the plan nodes taking the most time.

   **RFM, per-patient ORM loop** on the same data, what a straightforward implementation would
   do: for each patient, ``calendar.event.search_read`` of its done appointments (``stop``) and
   ``account.invoice.search_read`` of its paid customer invoices (``date_invoice``,
   ``amount_total_company_signed``), R/F/M values in Python (same window and dates as the SQL),
   then ``lib.rfm.compute`` over all the rows read and one ORM ``write`` of the seven fields per
   patient. Over 100,000 patients this would take hours, so it is **measured on a random sample
   of SAMPLE patients (seeded, SAMPLE_SEED) and extrapolated linearly**: (read + write time of the sample) /
   SAMPLE x 100,000, plus ``lib.rfm.compute`` timed on the real 100,000 inputs (its cost is not
   linear in the sample: it ranks the whole population). The loop runs in one cursor and is
   rolled back at the end, so that the export reads the SQL path's scores (Odoo 11 writes each
   ``write`` to the database immediately: the rollback only saves the commit). The extrapolation
   is labelled as such in the output. The ratio ORM (extrapolated) / SQL (median) is reported;
   target >= 20x. Correctness checks: the R/F/M inputs the loop read agree with the
   ``rfm_recency_days/frequency/monetary`` the SQL wrote for the sampled patients, and
   ``lib.rfm.compute`` over the 100,000 inputs gives the SQL's scores and segments.

2. **NPS**: ``sehat.nps.report.sehat_nps([])`` over the 1,000,000 ``sehat_nps_response`` rows
   (one aggregate query over the report view) and with a domain on one doctor
   (``[('doctor_id', '=', id)]``, 50,000 rows), for admin and ``bench_manager`` (Sehat Manager,
   record rules applied): WARMUP_NPS untimed and RUNS_NPS timed calls; median and p95 (nearest
   rank), target p95 < 1 s. The result is checked against a direct count.

3. **Excel export**: ``sehat.export`` (wizard/sehat_export.py) with ``report='rfm'``,
   ``sehat_write(path)`` into a temporary file: the scored patients after step 1 (~92,000 rows,
   server-side cursor streamed into lib/xlsx_report.py in constant-memory mode). Measured in a
   child process (this script with ``--export-child``), so that the memory the parent used for
   the data generation and the ORM loop does not hide the export's own: the peak resident memory
   (``VmHWM``) is reset before every run (``/proc/self/clear_refs``), then the export's peak RSS
   and its increase over the RSS just before are read (``ru_maxrss`` is recorded too, but it
   only grows and is inherited from the parent through fork/exec: it shows the parent's peak).
   WARMUP_EXPORT untimed run, RUNS_EXPORT timed; median. Targets: < 15 s, and
   < 100 MB for the memory the export adds (the child's baseline, a loaded Odoo registry, is
   reported separately: it is there before any export).

Data (generated here, idempotent: each part is kept and reused by the next run)
------------------------------------------------------------------------------
In a database of its own (``BENCH_DB=sehat_bench_retention``; the other benchmarks use
``sehat_bench``):

* 100,000 patients with ``bench/generate.py`` (``generate.ensure(registry, PATIENTS, LEADS)``:
  COPY, ORM defaults and stored computes as the ORM would write them) and its 1,000 leads (the
  generator makes leads too; this benchmark does not read them);
* 20 verified doctors ``BENCH-RET-DOC-01..20`` (ORM creates), a receivable account ``BRET01`` and
  a sale journal ``BRET`` (ORM creates: the database has no chart of accounts);
* 1,000,000 done appointments (``calendar_event``, named ``BENCH-RET-VISIT nnnnnnn``) over the
  last 30 months, with one ``INSERT ... SELECT generate_series`` driven by a per-patient plan
  (COPY of 100,000 rows): 8% of the patients have no visit, the others 1 or more (log-normal
  weights, mean ~11, a few hundred at most). Visit number ``s`` (0..999,999, consecutive for one
  patient) goes to doctor ``s // 50,000`` and time slot ``(s x 7,919) mod 50,000`` of a common
  grid of 26-minute slots (20-minute visits) starting 913 days ago: 50,000 slots cover 903 days.
  As 7,919 is prime to 50,000, every (doctor, slot) cell is used once, and a patient's visits
  fall in distinct slots spread over the 30 months, so neither exclusion constraint (doctor or
  patient overlap) can fire -- PostgreSQL checks both during the insert anyway;
* 500,000 paid customer invoices (``account_invoice`` headers only, ``origin =
  'sehat-bench-retention'``): one for every second visit, dated the visit's day, 300-3,000;
  RFM reads only the header (type, state, partner, date, amount), so there are no invoice lines,
  moves or payments;
* 1,000,000 ``sehat_nps_response`` rows, one per visit (``event_id`` is unique), sent two hours
  after the visit; ~70% answered (scores: 55% promoters, 25% passives, 20% detractors), the rest
  only sent.

Visits, invoices and answers are written with set-based SQL because the ORM path is far too slow
for millions of rows (an appointment create checks the booking rules and adds attendees, alarms,
followers and chatter; an invoice needs lines, a move and a payment). As a superuser, the
foreign-key triggers are switched off during the inserts (``session_replication_role =
replica``) and the foreign keys checked set-based afterwards; the exclusion and unique
constraints stay on. Rows get the ORM defaults (``default_get``, False for booleans) and what the
computes would store (appointments: ``start/stop_datetime``, ``display_start``, ``duration``).
Then ``VACUUM ANALYZE``. A part whose row count is not the expected one is deleted (set-based,
``generate.Deleter``) and generated again, with the parts that derive from it.

Results: a table on stdout, everything in bench/out/bench_retention.json.
"""
import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

import benchlib
import generate

PATIENTS = 100000
LEADS = 1000
VISITS = 1000000
INVOICES = 500000
ANSWERS = VISITS
DOCTORS = 20
SLOTS = VISITS // DOCTORS  # per doctor
SLOT_MINUTES = 26
VISIT_MINUTES = 20
STRIDE = 7919  # prime to SLOTS: s -> (s * STRIDE) % SLOTS is a permutation
HISTORY_DAYS = 913  # 30 months
NO_VISIT_SHARE = 0.08
ANSWERED_SHARE = 0.70
DOCTOR_REF = 'BENCH-RET-DOC-%02d'
EVENT_PREFIX = 'BENCH-RET-VISIT '
INVOICE_MARKER = 'sehat-bench-retention'
ACCOUNT_CODE = 'BRET01'
JOURNAL_CODE = 'BRET'
SEED = 42
SAMPLE_SEED = 7  # not SEED: random.sample() with the seed of the plan's shuffle() would pick its tail (no visits)

SAMPLE = 2000
WARMUP_RFM, RUNS_RFM = 1, 3
WARMUP_NPS, RUNS_NPS = 3, 20
WARMUP_EXPORT, RUNS_EXPORT = 1, 3
RFM_TARGET_S = 15.0
RATIO_TARGET = 20.0
NPS_TARGET_MS = 1000.0
EXPORT_TARGET_S = 15.0
EXPORT_MEMORY_TARGET_MB = 100.0
RFM_FIELDS = ('rfm_recency_days', 'rfm_frequency', 'rfm_monetary', 'rfm_r', 'rfm_f', 'rfm_m', 'rfm_segment',
              'rfm_date')


# --- data ----------------------------------------------------------------------------------
def _sql_values(model, defaults):
    """ORM default values usable as SQL parameters: False is NULL except in boolean columns."""
    fields_ = model._fields
    return {name: (None if value is False and fields_[name].type != 'boolean' else value)
            for name, value in defaults.items()}


def _insert_select(cr, model, expressions, defaults, tail, params):
    """INSERT INTO the model's table the columns of ``expressions`` (SQL) and of ``defaults``
    (parameters) not in ``expressions``, from ``tail`` (FROM ... clause). Returns the row count."""
    columns = dict((name, '%%(d_%s)s' % name) for name in defaults if name not in expressions)
    columns.update(expressions)
    generate.check_columns(cr, model._table, set(columns) | {'id'})
    names = sorted(columns)
    values = dict(params)
    values.update(('d_%s' % name, value) for name, value in defaults.items() if name not in expressions)
    cr.execute('INSERT INTO %s (%s) SELECT %s %s' % (
        model._table, ', '.join('"%s"' % n for n in names), ', '.join(columns[n] for n in names), tail), values)
    return cr.rowcount


def _replica(cr, on):
    """Foreign-key triggers off (superuser only) for the transaction; returns whether they are."""
    if on and not generate._superuser(cr):
        return False
    cr.execute('SET LOCAL session_replication_role = %s' % ('replica' if on else 'DEFAULT'))
    return on


def _check_foreign_keys(cr, table, where, params):
    """The foreign keys of the rows just loaded with the triggers off, checked set-based."""
    for _child, column, parent, _action in generate._foreign_keys(cr, referencing=table):
        cr.execute('SELECT count(*) FROM (SELECT DISTINCT t.%s AS v FROM %s t WHERE %s AND t.%s IS NOT NULL) x '
                   'WHERE NOT EXISTS (SELECT 1 FROM %s p WHERE p.id = x.v)' % (column, table, where, column, parent),
                   params)
        missing = cr.fetchone()[0]
        if missing:
            raise RuntimeError('%d value(s) of %s.%s refer to a missing %s row.' % (missing, table, column, parent))


def ensure_doctors(env):
    Doctor = env['sehat.doctor'].with_context(active_test=False, tracking_disable=True, mail_create_nolog=True,
                                              mail_create_nosubscribe=True)
    specialties = env['sehat.specialty'].search([], order='id').ids
    bench = [('registration_number', '=like', 'BENCH-RET-DOC-%')]
    existing = {d.registration_number: d.id for d in Doctor.search(bench)}
    ids, created = [], 0
    for n in range(1, DOCTORS + 1):
        ref = DOCTOR_REF % n
        if ref not in existing:
            existing[ref] = Doctor.create({
                'name': 'BENCH Dr. %s %s %02d' % (generate.FIRST_NAMES[n], generate.LAST_NAMES[n], n),
                'registration_number': ref, 'registration_verified': True, 'registration_verified_by': env.uid,
                'registration_verified_date': datetime.utcnow().replace(microsecond=0),
                'specialty_ids': [(6, 0, [specialties[(n - 1) % len(specialties)]])]}).id
            created += 1
        ids.append(existing[ref])
    return ids, created


def ensure_accounting(env):
    """A receivable account and a sale journal for the invoices (ORM creates; no chart of accounts here)."""
    Account = env['account.account']
    account = Account.search([('code', '=', ACCOUNT_CODE)], limit=1) or Account.create({
        'code': ACCOUNT_CODE, 'name': 'BENCH Receivable (retention)', 'reconcile': True,
        'user_type_id': env.ref('account.data_account_type_receivable').id})
    Journal = env['account.journal']
    journal = Journal.search([('code', '=', JOURNAL_CODE)], limit=1) or Journal.create({
        'name': 'BENCH Sales (retention)', 'code': JOURNAL_CODE, 'type': 'sale'})
    return account, journal


def _count(cr, sql, params=()):
    cr.execute(sql, params)
    return cr.fetchone()[0]


def visit_plan(patient_ids):
    """[(patient id, first visit number, visits)], in a seeded random patient order."""
    rng = random.Random(SEED)
    order = list(patient_ids)
    rng.shuffle(order)
    active = order[:int(round(len(order) * (1 - NO_VISIT_SHARE)))]
    weights = [rng.lognormvariate(0.0, 1.0) for _p in active]
    total, extra = sum(weights), VISITS - len(active)
    counts = [1 + int(w / total * extra) for w in weights]
    for n in range(VISITS - sum(counts)):
        counts[n % len(counts)] += 1
    plan, first = [], 0
    for pid, count in zip(active, counts):
        plan.append((pid, first, count))
        first += count
    assert first == VISITS and max(counts) < SLOTS
    return plan


def generate_visits(env, doctors):
    cr = env.cr
    Event = env['calendar.event']
    cr.execute('SELECT id FROM res_partner WHERE ref = %s AND is_patient ORDER BY id', (generate.MARKER,))
    patient_ids = [row[0] for row in cr.fetchall()]
    cr.execute('CREATE TEMP TABLE bench_ret_plan (patient_id int, first_s int, visits int) ON COMMIT DROP')
    generate.copy_rows(cr, 'bench_ret_plan', ('patient_id', 'first_s', 'visits'), visit_plan(patient_ids))
    specialty = {d.id: d.specialty_ids[:1].id for d in env['sehat.doctor'].browse(doctors)}
    base = (datetime.utcnow() - timedelta(days=HISTORY_DAYS)).replace(minute=0, second=0, microsecond=0)
    defaults = _sql_values(Event, generate.orm_defaults(Event))
    start = "t.t0"
    stop = "t.t0 + interval '%d minutes'" % VISIT_MINUTES
    expressions = {
        'name': "%(prefix)s || lpad(s::text, 7, '0')", 'start': start, 'stop': stop,
        'start_datetime': start, 'stop_datetime': stop, 'display_start': "to_char(t.t0, 'YYYY-MM-DD HH24:MI:SS')",
        'start_date': 'NULL', 'stop_date': 'NULL', 'allday': 'false', 'recurrency': 'false', 'active': 'true',
        'duration': str(VISIT_MINUTES / 60.0), 'doctor_id': '(%(doctors)s::int[])[s / %(slots)s + 1]',
        'specialty_id': '(%(specialties)s::int[])[s / %(slots)s + 1]', 'patient_id': 'p.patient_id',
        'appointment_state': "'done'", 'mode': "'in_person'", 'privacy': "'public'", 'show_as': "'busy'",
        'user_id': '%(uid)s', 'create_uid': '%(uid)s', 'write_uid': '%(uid)s', 'create_date': start,
        'write_date': stop,
    }
    tail = """FROM bench_ret_plan p, generate_series(p.first_s, p.first_s + p.visits - 1) AS s,
                   LATERAL (SELECT %(base)s::timestamp
                                   + ((s::bigint * %(stride)s) %% %(slots)s) * %(slot_minutes)s
                                     * interval '1 minute' AS t0) t
               ORDER BY t.t0, s"""
    params = {'prefix': EVENT_PREFIX, 'doctors': doctors, 'specialties': [specialty[d] for d in doctors],
              'slots': SLOTS, 'stride': STRIDE, 'slot_minutes': SLOT_MINUTES, 'base': base, 'uid': env.uid}
    fast = _replica(cr, True)
    inserted = _insert_select(cr, Event, expressions, defaults, tail, params)
    if fast:
        _replica(cr, False)
        _check_foreign_keys(cr, 'calendar_event', 't.name LIKE %s', (EVENT_PREFIX + '%',))
    return inserted


def generate_invoices(env, account, journal):
    cr = env.cr
    Invoice = env['account.invoice']
    defaults = _sql_values(Invoice, generate.orm_defaults(Invoice.with_context(type='out_invoice')))
    amount = '(300 + (e.n * 7919) %% 2701)::numeric'
    expressions = {
        'type': "'out_invoice'", 'state': "'paid'", 'reference_type': "'none'", 'origin': '%(marker)s',
        'number': "'BENCH-RET/' || lpad(e.n::text, 7, '0')", 'move_name': "'BENCH-RET/' || lpad(e.n::text, 7, '0')",
        'partner_id': 'e.patient_id', 'commercial_partner_id': 'e.patient_id', 'account_id': '%(account)s',
        'journal_id': '%(journal)s', 'company_id': '%(company)s', 'currency_id': '%(currency)s',
        'date_invoice': 'e.stop::date', 'date_due': 'e.stop::date', 'date': 'e.stop::date',
        'amount_untaxed': amount, 'amount_untaxed_signed': amount, 'amount_tax': '0', 'amount_total': amount,
        'amount_total_signed': amount, 'amount_total_company_signed': amount, 'residual': '0',
        'residual_signed': '0', 'residual_company_signed': '0', 'reconciled': 'true', 'sent': 'false',
        'user_id': '%(uid)s', 'create_uid': '%(uid)s', 'write_uid': '%(uid)s', 'create_date': 'e.stop',
        'write_date': 'e.stop',
    }
    tail = """FROM (SELECT patient_id, stop, row_number() OVER (ORDER BY id) AS n
                      FROM calendar_event WHERE name LIKE %(prefix)s) e
               WHERE e.n %% 2 = 0 ORDER BY e.n"""
    company = env.user.company_id
    params = {'marker': INVOICE_MARKER, 'account': account.id, 'journal': journal.id, 'company': company.id,
              'currency': (journal.currency_id or company.currency_id).id, 'uid': env.uid,
              'prefix': EVENT_PREFIX + '%'}
    fast = _replica(cr, True)
    inserted = _insert_select(cr, Invoice, expressions, defaults, tail, params)
    if fast:
        _replica(cr, False)
        _check_foreign_keys(cr, 'account_invoice', 't.origin = %s', (INVOICE_MARKER,))
    return inserted


def generate_answers(env):
    cr = env.cr
    Response = env['sehat.nps.response']
    defaults = _sql_values(Response, generate.orm_defaults(Response))
    score = """CASE WHEN NOT e.answered THEN NULL
                    WHEN e.h %% 100 < 55 THEN 9 + (e.h / 100) %% 2
                    WHEN e.h %% 100 < 80 THEN 7 + (e.h / 100) %% 2
                    ELSE (e.h / 100) %% 7 END"""
    expressions = {
        'event_id': 'e.id', 'patient_id': 'e.patient_id', 'doctor_id': 'e.doctor_id',
        'sent_date': "e.stop + interval '2 hours'",
        'answered_date': "CASE WHEN e.answered THEN e.stop + interval '26 hours' END",
        'state': "CASE WHEN e.answered THEN 'answered' ELSE 'sent' END", 'score': score,
        'category': """CASE WHEN NOT e.answered THEN NULL WHEN e.h %% 100 < 55 THEN 'promoter'
                            WHEN e.h %% 100 < 80 THEN 'passive' ELSE 'detractor' END""",
        'create_uid': '%(uid)s', 'write_uid': '%(uid)s', 'create_date': "e.stop + interval '2 hours'",
        'write_date': "e.stop + interval '2 hours'",
    }
    tail = """FROM (SELECT id, patient_id, doctor_id, stop,
                           (id::bigint * 48271) %% 100000 < %(answered)s AS answered,
                           (id::bigint * 69621) %% 100003 AS h
                      FROM calendar_event WHERE name LIKE %(prefix)s) e ORDER BY e.id"""
    params = {'uid': env.uid, 'prefix': EVENT_PREFIX + '%', 'answered': int(ANSWERED_SHARE * 100000)}
    fast = _replica(cr, True)
    inserted = _insert_select(cr, Response, expressions, defaults, tail, params)
    if fast:
        _replica(cr, False)
        _check_foreign_keys(cr, 'sehat_nps_response',
                            't.event_id IN (SELECT id FROM calendar_event WHERE name LIKE %s)', (EVENT_PREFIX + '%',))
    return inserted


def ensure_data(registry):
    """Generates what is missing (see the module docstring). Returns (doctor ids, manager uid, stats)."""
    from odoo import SUPERUSER_ID, api
    started = time.perf_counter()
    stats = {}
    patients = generate.ensure(registry, PATIENTS, LEADS)
    if patients:
        stats['patients'] = patients
    steps = [
        ('visits', "SELECT count(*) FROM calendar_event WHERE name LIKE %s AND appointment_state = 'done'",
         (EVENT_PREFIX + '%',), VISITS),
        ('invoices', "SELECT count(*) FROM account_invoice WHERE origin = %s AND state = 'paid'",
         (INVOICE_MARKER,), INVOICES),
        ('answers', "SELECT count(*) FROM sehat_nps_response r JOIN calendar_event e ON e.id = r.event_id "
                    "WHERE e.name LIKE %s", (EVENT_PREFIX + '%',), ANSWERS),
    ]
    with api.Environment.manage():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
            manager = generate.ensure_users(env)['manager']
            doctors, stats['doctors_created'] = ensure_doctors(env)
            account, journal = ensure_accounting(env)
        regenerate = False
        for name, sql, params, expected in steps:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
                account, journal = ensure_accounting(env)
                if not regenerate and _count(cr, sql, params) == expected:
                    continue
                regenerate = True  # the parts after this one derive from it
                step = time.perf_counter()
                deleter = generate.Deleter(cr)
                if name == 'visits':
                    deleted = deleter.delete('calendar_event', 'name LIKE %s', (EVENT_PREFIX + '%',))
                    inserted = generate_visits(env, doctors)
                elif name == 'invoices':
                    deleted = deleter.delete('account_invoice', 'origin = %s', (INVOICE_MARKER,))
                    inserted = generate_invoices(env, account, journal)
                else:
                    deleted = deleter.delete('sehat_nps_response', 'event_id IN (SELECT id FROM calendar_event '
                                                                   'WHERE name LIKE %s)', (EVENT_PREFIX + '%',))
                    inserted = generate_answers(env)
                cr.commit()
                stats[name] = {'deleted': deleted, 'inserted': inserted,
                               'seconds': round(time.perf_counter() - step, 1)}
                sys.stderr.write('generated %s: %s\n' % (name, stats[name]))
                sys.stderr.flush()
        if regenerate:
            stats['vacuum_s'] = round(generate.vacuum(
                registry, ('calendar_event', 'account_invoice', 'sehat_nps_response', 'res_partner')), 1)
    stats['seconds'] = round(time.perf_counter() - started, 1)
    return doctors, manager, stats


def data_facts(registry, doctors):
    with registry.cursor() as cr:
        facts = {}
        cr.execute("""SELECT count(*), count(DISTINCT patient_id), min(start), max(stop)
                        FROM calendar_event WHERE appointment_state = 'done' AND active""")
        facts['done_visits'], facts['patients_with_visits'], facts['first_visit'], facts['last_visit'] = cr.fetchone()
        cr.execute("""SELECT count(*), count(DISTINCT partner_id), min(date_invoice), max(date_invoice),
                             sum(amount_total_company_signed)
                        FROM account_invoice WHERE type = 'out_invoice' AND state = 'paid'""")
        (facts['paid_invoices'], facts['patients_with_invoices'], facts['first_invoice'], facts['last_invoice'],
         facts['invoiced_total']) = cr.fetchone()
        facts['patients'] = _count(cr, 'SELECT count(*) FROM res_partner WHERE is_patient')
        cr.execute("""SELECT count(*), count(category), count(*) FILTER (WHERE doctor_id = %s),
                             count(*) FILTER (WHERE category = 'promoter'),
                             count(*) FILTER (WHERE category = 'detractor')
                        FROM sehat_nps_response""", (doctors[0],))
        (facts['nps_rows'], facts['nps_answered'], facts['nps_rows_doctor'], facts['nps_promoters'],
         facts['nps_detractors']) = cr.fetchone()
        for table in ('res_partner', 'calendar_event', 'account_invoice', 'sehat_nps_response'):
            cr.execute('SELECT pg_size_pretty(pg_total_relation_size(%s))', (table,))
            facts['size_%s' % table] = cr.fetchone()[0]
    return facts


# --- RFM -------------------------------------------------------------------------------------
def rfm_sql_run(registry):
    """One cron-like run: sehat_compute_rfm() then commit. (seconds, call seconds, scored, queries)."""
    from odoo import SUPERUSER_ID, api
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        queries = cr.sql_log_count
        start = time.perf_counter()
        scored = env['res.partner'].sehat_compute_rfm()
        called = time.perf_counter()
        cr.commit()
        end = time.perf_counter()
        return end - start, called - start, scored, cr.sql_log_count - queries


def _rfm_params(env):
    from odoo import fields
    from odoo.addons.sehat_crm.lib.lifecycle import months_before
    from odoo.addons.sehat_crm.models.res_partner_rfm import DEFAULT_WINDOW_MONTHS
    months = int(env['ir.config_parameter'].sudo().get_param('sehat_crm.rfm_months', DEFAULT_WINDOW_MONTHS))
    today = fields.Date.from_string(fields.Date.context_today(env['res.partner']))
    return {'today': today, 'since': months_before(today, months), 'now': fields.Datetime.now()}, months


def _node_ms(node):
    return node.get('Actual Total Time', 0.0) * node.get('Actual Loops', 1)


def _ctes(plan, out):
    """{CTE name: ms} of the CTE sub-plans (run by their CTE Scan, not by the node they hang under)."""
    for child in plan.get('Plans', []):
        if child.get('Parent Relationship') == 'InitPlan' and child.get('Subplan Name', '').startswith('CTE '):
            out[child['Subplan Name'][4:]] = _node_ms(child)
        _ctes(child, out)
    return out


def _exclusive_times(plan, ctes, out):
    """(exclusive ms, node label, rows) of every plan node: its own time without its children's (a CTE
    Scan without its CTE's). Approximate for parallel nodes (the workers' times add up, Gather goes to 0)."""
    children = plan.get('Plans', [])
    inner = sum(_node_ms(c) for c in children if c.get('Parent Relationship') != 'InitPlan')
    if plan['Node Type'] == 'CTE Scan':
        inner += ctes.get(plan.get('CTE Name'), 0.0)
    label = plan['Node Type']
    for key in ('Relation Name', 'CTE Name', 'Index Name', 'Strategy'):
        if key in plan:
            label += ' %s' % plan[key]
    out.append((round(max(0.0, _node_ms(plan) - inner), 1), label, plan.get('Actual Rows')))
    for child in children:
        _exclusive_times(child, ctes, out)
    return out


def explain(cr, sql, params):
    cr.execute('EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' + sql, params)
    result = cr.fetchone()[0]
    result = result[0] if isinstance(result, list) else json.loads(result)[0]
    nodes = sorted(_exclusive_times(result['Plan'], _ctes(result['Plan'], {}), []), reverse=True)
    return {'execution_ms': round(result.get('Execution Time', 0.0), 1),
            'planning_ms': round(result.get('Planning Time', 0.0), 1),
            'top_nodes': [{'exclusive_ms': ms, 'node': label, 'rows': rows} for ms, label, rows in nodes[:8]],
            'plan': result['Plan']}


def rfm_explain(registry):
    """EXPLAIN ANALYZE of the RFM statement and of the reset, rolled back."""
    from odoo import SUPERUSER_ID, api
    from odoo.addons.sehat_crm.models.res_partner_rfm import RFM_RESET_SQL, RFM_SQL
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        params, _months = _rfm_params(env)
        out = {'rfm': explain(cr, RFM_SQL, params), 'reset': explain(cr, RFM_RESET_SQL, params)}
        cr.rollback()
    return out


def orm_rfm_loop(env, partner_ids, today, since):
    """The straightforward per-patient ORM implementation (see the module docstring) over
    ``partner_ids``. Returns (timings, rows read, queries)."""
    from odoo import fields
    from odoo.addons.sehat_crm.lib import rfm as rfm_lib
    Event, Invoice, Partner = env['calendar.event'], env['account.invoice'], env['res.partner']
    since_dt = datetime(since.year, since.month, since.day)
    cr = env.cr
    timings = {'events_s': 0.0, 'invoices_s': 0.0, 'compute_s': 0.0, 'write_s': 0.0}
    queries = cr.sql_log_count
    rows = []
    for pid in partner_ids:
        start = time.perf_counter()
        visits = Event.search_read([('patient_id', '=', pid), ('appointment_state', '=', 'done')], ['stop'])
        middle = time.perf_counter()
        invoices = Invoice.search_read([('partner_id', '=', pid), ('type', '=', 'out_invoice'), ('state', '=', 'paid')],
                                       ['date_invoice', 'amount_total_company_signed'])
        end = time.perf_counter()
        timings['events_s'] += middle - start
        timings['invoices_s'] += end - middle
        stops = [fields.Datetime.from_string(v['stop']) for v in visits]
        paid = [(fields.Date.from_string(i['date_invoice']), i['amount_total_company_signed']) for i in invoices]
        days = [s.date() for s in stops] + [day for day, _amount in paid]
        recency = (today - max(days)).days if days else None
        frequency = sum(1 for s in stops if s >= since_dt)
        monetary = sum(amount for day, amount in paid if day >= since)
        rows.append(rfm_lib.RfmRow(pid, recency, frequency, monetary))
        timings['events_s'] += time.perf_counter() - end  # the Python arithmetic, counted with the reads
    start = time.perf_counter()
    scores = rfm_lib.compute(rows)
    timings['compute_s'] = time.perf_counter() - start
    now = fields.Datetime.now()
    start = time.perf_counter()
    for row in rows:
        score = scores[row.key]
        Partner.browse(row.key).write({
            'rfm_recency_days': row.recency_days if row.recency_days is not None else False,
            'rfm_frequency': row.frequency, 'rfm_monetary': row.monetary, 'rfm_r': score.r or False,
            'rfm_f': score.f or False, 'rfm_m': score.m or False, 'rfm_segment': score.segment, 'rfm_date': now})
    timings['write_s'] = time.perf_counter() - start
    return timings, rows, cr.sql_log_count - queries


def rfm_orm_sample(registry, sample_size):
    """Runs the ORM loop on a seeded random sample of the generated patients (rolled back) and checks
    its inputs against the SQL path's. Returns a dict."""
    from odoo import SUPERUSER_ID, api
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sample = _sample_ids(cr, sample_size)
        cr.execute('SELECT id, rfm_recency_days, COALESCE(rfm_frequency, 0), COALESCE(rfm_monetary, 0) '
                   'FROM res_partner WHERE id = ANY(%s)', (sample,))
        sql_inputs = {row[0]: row[1:] for row in cr.fetchall()}
        params, months = _rfm_params(env)
        started = time.perf_counter()
        timings, rows, queries = orm_rfm_loop(env, sample, params['today'], params['since'])
        total = time.perf_counter() - started
        cr.rollback()
    mismatches = [row.key for row in rows
                  if (row.recency_days, row.frequency, round(row.monetary, 2)) !=
                  (sql_inputs[row.key][0], sql_inputs[row.key][1], round(sql_inputs[row.key][2], 2))]
    return {'sample': len(sample), 'with_activity': sum(1 for r in rows if r.recency_days is not None),
            'seconds': round(total, 2), 'timings_s': {k: round(v, 2) for k, v in timings.items()},
            'queries': queries, 'queries_per_patient': round(queries / float(len(sample)), 1),
            'ms_per_patient': round(1000.0 * (total - timings['compute_s']) / len(sample), 2),
            'window_months': months, 'input_mismatches': len(mismatches), 'input_mismatch_ids': mismatches[:20]}


def rfm_compute_full(registry):
    """lib.rfm.compute over all patients' inputs (as written by the SQL path): its time, and whether
    its scores and segments agree with the SQL's."""
    from odoo.addons.sehat_crm.lib import rfm as rfm_lib
    with registry.cursor() as cr:
        cr.execute("""SELECT id, rfm_recency_days, COALESCE(rfm_frequency, 0), COALESCE(rfm_monetary, 0),
                             rfm_r, rfm_f, rfm_m, COALESCE(rfm_segment, 'none')
                        FROM res_partner WHERE is_patient""")
        data = cr.fetchall()
    rows = [rfm_lib.RfmRow(pid, recency, frequency, monetary) for pid, recency, frequency, monetary, *_s in data]
    start = time.perf_counter()
    scores = rfm_lib.compute(rows)
    seconds = time.perf_counter() - start
    differ = [row[0] for row in data if tuple(scores[row[0]]) != tuple(row[4:])]
    return {'patients': len(rows), 'seconds': round(seconds, 3), 'score_mismatches': len(differ),
            'score_mismatch_ids': differ[:20]}


def invoice_search_explain(registry, sample_size):
    """EXPLAIN ANALYZE of the loop's invoice search for a sampled patient who has invoices."""
    with registry.cursor() as cr:
        cr.execute('SELECT min(partner_id) FROM account_invoice WHERE partner_id = ANY(%s)',
                   (_sample_ids(cr, sample_size),))
        partner_id = cr.fetchone()[0]
        out = explain(cr, "SELECT id FROM account_invoice WHERE partner_id = %s AND type = 'out_invoice' "
                          "AND state = 'paid'", (partner_id,))
        out.pop('plan')
        return out


def measure_rfm(registry, args):
    result = {'loadavg_start': os.getloadavg()}
    runs = []
    for n in range(args.rfm_warmup + args.rfm_runs):
        vacuum_s = generate.vacuum(registry, ['res_partner'])
        seconds, call, scored, queries = rfm_sql_run(registry)
        timed = n >= args.rfm_warmup
        if timed:
            runs.append({'seconds': round(seconds, 2), 'call_s': round(call, 2), 'scored': scored,
                         'queries': queries, 'vacuum_before_s': round(vacuum_s, 1)})
        sys.stderr.write('RFM SQL %s: %.2f s (call %.2f s), %d scored, %d queries\n' % (
            'run' if timed else 'warm-up', seconds, call, scored, queries))
        sys.stderr.flush()
    seconds = [r['seconds'] for r in runs]
    result.update({'runs': runs, 'median_s': _median(seconds), 'min_s': min(seconds), 'max_s': max(seconds),
                   'scored': runs[-1]['scored']})
    generate.vacuum(registry, ['res_partner'])
    result['explain'] = rfm_explain(registry)
    result['compute_100k'] = rfm_compute_full(registry)
    sys.stderr.write('lib.rfm.compute over %(patients)d patients: %(seconds).2f s, %(score_mismatches)d '
                     'mismatches with the SQL\n' % result['compute_100k'])
    orm = rfm_orm_sample(registry, args.sample)
    sys.stderr.write('ORM loop, %(sample)d patients: %(seconds).1f s (%(ms_per_patient).1f ms and '
                     '%(queries_per_patient).1f queries per patient)\n' % orm)
    sys.stderr.flush()
    per_patient_s = (orm['seconds'] - orm['timings_s']['compute_s']) / orm['sample']
    orm['extrapolated_patients'] = result['compute_100k']['patients']
    orm['extrapolated_s'] = round(per_patient_s * orm['extrapolated_patients'] + result['compute_100k']['seconds'], 1)
    orm['invoice_search_explain'] = invoice_search_explain(registry, args.sample)
    result['orm'] = orm
    result['ratio'] = round(orm['extrapolated_s'] / result['median_s'], 1)
    result['loadavg_end'] = os.getloadavg()
    return result


def _sample_ids(cr, size):
    """A seeded random sample of the generated patients (SAMPLE_SEED), sorted."""
    cr.execute('SELECT id FROM res_partner WHERE ref = %s AND is_patient ORDER BY id', (generate.MARKER,))
    ids = [row[0] for row in cr.fetchall()]
    return sorted(random.Random(SAMPLE_SEED).sample(ids, min(size, len(ids))))


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else round((ordered[middle - 1] + ordered[middle]) / 2.0, 3)


# --- NPS -------------------------------------------------------------------------------------
def measure_nps(registry, users, doctor_id, runs, warmup):
    from odoo import SUPERUSER_ID, api
    scenarios = [('NPS all answers', []), ('NPS one doctor', [('doctor_id', '=', doctor_id)])]
    with registry.cursor() as cr:
        cr.execute("""SELECT count(category), count(*) FILTER (WHERE category = 'promoter'),
                             count(*) FILTER (WHERE category = 'passive'),
                             count(*) FILTER (WHERE category = 'detractor'), count(*)
                        FROM sehat_nps_response""")
        expected_all = cr.fetchone()
        cr.execute("""SELECT count(category), count(*) FILTER (WHERE category = 'promoter'),
                             count(*) FILTER (WHERE category = 'passive'),
                             count(*) FILTER (WHERE category = 'detractor'), count(*)
                        FROM sehat_nps_response WHERE doctor_id = %s""", (doctor_id,))
        expected = {'NPS all answers': expected_all, 'NPS one doctor': cr.fetchone()}
    results = []
    for user, uid in users:
        for name, domain in scenarios:
            loadavg = os.getloadavg()
            seconds, queries, result = [], [], None
            for n in range(warmup + runs):
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    count = cr.sql_log_count
                    start = time.perf_counter()
                    result = env['sehat.nps.report'].sehat_nps(domain)
                    took = time.perf_counter() - start
                    if n >= warmup:
                        seconds.append(took)
                        queries.append(cr.sql_log_count - count)
            out = benchlib.summary_ms(seconds)
            answers, promoters, passives, detractors, sent = expected[name]
            out.update({'scenario': name, 'user': user, 'queries': max(queries), 'target_ms': NPS_TARGET_MS,
                        'met': out['p95_ms'] < NPS_TARGET_MS, 'result': dict(result._asdict()),
                        'rows': sent, 'loadavg_start': loadavg,
                        'checked': (result.answers, result.promoters, result.passives, result.detractors) ==
                                   (answers, promoters, passives, detractors)})
            results.append(out)
            sys.stderr.write('%-6s %-16s median %7.1f ms  p95 %7.1f ms  NPS %s over %d answers\n' % (
                user, name, out['median_ms'], out['p95_ms'], result.nps, result.answers))
            sys.stderr.flush()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        plans = {}
        for name, domain in scenarios:
            query = env['sehat.nps.report']._where_calc(domain)
            from_clause, where_clause, params = query.get_sql()
            sql = """SELECT count(*) FILTER (WHERE category = 'promoter'), count(*) FILTER (WHERE category = 'passive'),
                            count(*) FILTER (WHERE category = 'detractor'), count(*)
                       FROM {table} WHERE {where}""".format(table=from_clause, where=where_clause or 'TRUE')
            plan = explain(cr, sql, params)
            plan.pop('plan')
            plans[name] = plan
    return results, plans


# --- export ----------------------------------------------------------------------------------
def _proc_status_mb(key):
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key + ':')) / 1024.0


def _reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open('/proc/self/clear_refs', 'w') as handle:
            handle.write('5')
        return True
    except OSError:
        return False


def export_child(runs, warmup, profile_path=None):
    """In the child process: the 'rfm' export, warm-up then timed runs; prints one JSON line. With
    ``profile_path``, the runs are profiled (cProfile) and the top functions written there."""
    import odoo
    from odoo import SUPERUSER_ID, api
    registry = benchlib.load_registry()
    results = []
    profiler = cProfile.Profile() if profile_path else None
    with api.Environment.manage():
        for n in range(warmup + runs):
            fd, path = tempfile.mkstemp(prefix='bench_retention_', suffix='.xlsx')
            os.close(fd)
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    wizard = env['sehat.export'].create({'report': 'rfm'})
                    gc.collect()
                    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
                    rss_before = _proc_status_mb('VmRSS')
                    reset = _reset_peak_rss()
                    start, cpu = time.perf_counter(), time.process_time()
                    if profiler:
                        profiler.enable()
                    rows = wizard.sehat_write(path)
                    if profiler:
                        profiler.disable()
                    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                    peak = _proc_status_mb('VmHWM')
                    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
                    cr.rollback()
                size = os.path.getsize(path)
            finally:
                os.unlink(path)
            results.append({'warmup': n < warmup, 'rows': rows, 'seconds': round(seconds, 2),
                            'cpu_s': round(cpu, 2), 'rss_before_mb': round(rss_before, 1),
                            'peak_rss_mb': round(peak, 1), 'peak_increase_mb': round(peak - rss_before, 1),
                            'peak_reset': reset, 'ru_maxrss_before_mb': round(maxrss_before, 1),
                            'ru_maxrss_after_mb': round(maxrss_after, 1), 'file_mb': round(size / 1e6, 2)})
    odoo.sql_db.close_all()
    if profiler:
        with open(profile_path, 'w') as handle:
            for sort in ('tottime', 'cumulative'):
                buf = io.StringIO()
                pstats.Stats(profiler, stream=buf).sort_stats(sort).print_stats(30)
                handle.write('=== export rfm, %d run(s) under cProfile, sorted by %s ===\n%s\n'
                             % (len(results), sort, buf.getvalue()))
    print(json.dumps(results))


def _export_child_runs(runs, warmup, profile_path=None):
    command = [sys.executable, os.path.abspath(__file__), '--export-child', '--export-runs', str(runs),
               '--export-warmup', str(warmup)]
    if profile_path:
        command += ['--export-profile', profile_path]
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          env=dict(os.environ), check=False)
    if proc.returncode:
        raise RuntimeError('export child failed:\n%s' % proc.stderr[-4000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_export(runs, warmup):
    """The export runs in a child process (see the module docstring); profiled once more when the
    time target is missed."""
    loadavg = os.getloadavg()
    all_runs = _export_child_runs(runs, warmup)
    timed = [r for r in all_runs if not r['warmup']]
    for r in all_runs:
        sys.stderr.write('export %s: %.2f s, %d rows, peak RSS %.0f MB (+%.0f MB over %.0f MB)\n' % (
            'warm-up' if r['warmup'] else 'run', r['seconds'], r['rows'], r['peak_rss_mb'], r['peak_increase_mb'],
            r['rss_before_mb']))
    seconds = [r['seconds'] for r in timed]
    increase = [r['peak_increase_mb'] for r in timed]
    profile = None
    if _median(seconds) >= EXPORT_TARGET_S:
        profile = os.path.join(benchlib.OUT, 'bench_retention_profile.txt')
        os.makedirs(benchlib.OUT, exist_ok=True)
        _export_child_runs(1, 0, profile)
    return {'profile': profile and os.path.relpath(profile, benchlib.ROOT), 'runs': all_runs,
            'rows': timed[-1]['rows'], 'median_s': _median(seconds), 'min_s': min(seconds),
            'max_s': max(seconds), 'median_increase_mb': _median(increase), 'max_increase_mb': max(increase),
            'max_peak_rss_mb': max(r['peak_rss_mb'] for r in timed),
            'baseline_rss_mb': _median([r['rss_before_mb'] for r in timed]),
            'file_mb': timed[-1]['file_mb'], 'peak_reset': all(r['peak_reset'] for r in timed),
            'median_cpu_s': _median([r['cpu_s'] for r in timed]),
            'loadavg_start': loadavg, 'loadavg_end': os.getloadavg()}


# --- main ------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description='RFM, NPS and Excel export of the retention reports at scale.')
    parser.add_argument('--sample', type=int, default=SAMPLE, help='patients of the ORM loop (extrapolated)')
    parser.add_argument('--rfm-runs', type=int, default=RUNS_RFM)
    parser.add_argument('--rfm-warmup', type=int, default=WARMUP_RFM)
    parser.add_argument('--nps-runs', type=int, default=RUNS_NPS)
    parser.add_argument('--nps-warmup', type=int, default=WARMUP_NPS)
    parser.add_argument('--export-runs', type=int, default=RUNS_EXPORT)
    parser.add_argument('--export-warmup', type=int, default=WARMUP_EXPORT)
    parser.add_argument('--export-child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--export-profile', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_child:
        return export_child(args.export_runs, args.export_warmup, args.export_profile)
    import odoo
    from odoo import SUPERUSER_ID, api
    registry = benchlib.load_registry()
    report = {
        'benchmark': 'bench_retention', 'database': benchlib.bench_db(),
        'started': time.strftime('%Y-%m-%d %H:%M:%S'),
        'machine': {'cpus': os.cpu_count(), 'loadavg_start': os.getloadavg(), 'python': platform.python_version()},
        'sample': args.sample,
    }
    with registry.cursor() as cr:
        report['machine']['postgresql'] = cr._cnx.server_version
    doctors, manager, report['generated'] = ensure_data(registry)
    report['data'] = data_facts(registry, doctors)
    with api.Environment.manage():
        report['rfm'] = measure_rfm(registry, args)
        report['nps'], report['nps_explain'] = measure_nps(
            registry, [('admin', SUPERUSER_ID), ('manager', manager)], doctors[0], args.nps_runs, args.nps_warmup)
    report['export'] = measure_export(args.export_runs, args.export_warmup)
    report['machine']['loadavg_end'] = os.getloadavg()
    odoo.sql_db.close_all()
    print_report(report)
    path = benchlib.write_json('bench_retention', report)
    print('JSON: %s' % os.path.relpath(path, benchlib.ROOT))


def _yes(met):
    return 'yes' if met else 'NO'


def print_report(report):
    data, rfm, orm, export = report['data'], report['rfm'], report['rfm']['orm'], report['export']
    print('Retention reports: RFM, NPS and Excel export at scale (admin unless stated; each run in its own cursor)\n')
    print('%d patients; %d done visits of %d patients (%s .. %s); %d paid invoices of %d patients; '
          '%d NPS surveys (%d answered).' % (
              data['patients'], data['done_visits'], data['patients_with_visits'], str(data['first_visit'])[:10],
              str(data['last_visit'])[:10], data['paid_invoices'], data['patients_with_invoices'], data['nps_rows'],
              data['nps_answered']))
    machine = report['machine']
    print('Load average (1, 5, 15 min): start %s, end %s; %s CPUs (shared).\n' % (
        ', '.join('%.2f' % v for v in machine['loadavg_start']), ', '.join('%.2f' % v for v in machine['loadavg_end']),
        machine['cpus']))
    rows = [
        {'what': 'RFM SQL: sehat_compute_rfm + commit (%d scored)' % rfm['scored'], 'runs': len(rfm['runs']),
         'median': rfm['median_s'], 'min': rfm['min_s'], 'max': rfm['max_s'], 'unit': 's',
         'target': '< %g s' % RFM_TARGET_S, 'met': _yes(rfm['median_s'] < RFM_TARGET_S)},
        {'what': 'RFM ORM loop, MEASURED on %d sampled patients' % orm['sample'], 'runs': 1,
         'median': orm['seconds'], 'unit': 's'},
        {'what': 'RFM ORM loop, %d patients: EXTRAPOLATED (x%d)' % (
            orm['extrapolated_patients'], orm['extrapolated_patients'] / orm['sample']),
         'runs': '-', 'median': orm['extrapolated_s'], 'unit': 's'},
        {'what': 'RFM ratio ORM (extrapolated) / SQL', 'runs': '-', 'median': rfm['ratio'], 'unit': 'x',
         'target': '>= %g x' % RATIO_TARGET, 'met': _yes(rfm['ratio'] >= RATIO_TARGET)},
    ]
    for nps in report['nps']:
        rows.append({'what': '%s (%d rows), %s' % (nps['scenario'], nps['rows'], nps['user']), 'runs': nps['runs'],
                     'median': nps['median_ms'], 'p95': nps['p95_ms'], 'min': nps['min_ms'], 'max': nps['max_ms'],
                     'unit': 'ms', 'target': '< %g ms (p95)' % NPS_TARGET_MS, 'met': _yes(nps['met'])})
    timed = [r for r in export['runs'] if not r['warmup']]
    rows.extend([
        {'what': "Export 'rfm' to .xlsx (%d rows, %.1f MB): wall" % (export['rows'], export['file_mb']),
         'runs': len(timed), 'median': export['median_s'], 'min': export['min_s'], 'max': export['max_s'],
         'unit': 's', 'target': '< %g s' % EXPORT_TARGET_S, 'met': _yes(export['median_s'] < EXPORT_TARGET_S)},
        {'what': 'Export: CPU time of the exporting process', 'runs': len(timed),
         'median': export['median_cpu_s'], 'unit': 's'},
        {'what': 'Export: peak RSS increase during the export', 'runs': len(timed),
         'median': export['median_increase_mb'], 'max': export['max_increase_mb'], 'unit': 'MB',
         'target': '< %g MB' % EXPORT_MEMORY_TARGET_MB,
         'met': _yes(export['max_increase_mb'] < EXPORT_MEMORY_TARGET_MB)},
        {'what': 'Export: peak RSS of the process (baseline %.0f MB)' % export['baseline_rss_mb'],
         'runs': len(timed), 'max': export['max_peak_rss_mb'], 'unit': 'MB'},
    ])
    print(benchlib.table(rows, [('what', 'measurement'), ('runs', 'runs'), ('median', 'median'), ('p95', 'p95'),
                                ('min', 'min'), ('max', 'max'), ('unit', 'unit'), ('target', 'target'),
                                ('met', 'met')]))
    timings = orm['timings_s']
    print('\nThe ORM figure for %d patients is an EXTRAPOLATION, not a measurement: (%.1f s of reads and writes '
          'for %d random patients) / %d x %d + lib.rfm.compute over the %d real inputs (%.2f s, measured).' % (
              orm['extrapolated_patients'], orm['seconds'] - timings['compute_s'], orm['sample'], orm['sample'],
              orm['extrapolated_patients'], rfm['compute_100k']['patients'], rfm['compute_100k']['seconds']))
    print('ORM loop per patient: %.1f ms, %.1f queries (appointments %.1f s, invoices %.1f s, writes %.1f s, '
          'compute %.2f s in total); %d of %d sampled patients with activity.' % (
              orm['ms_per_patient'], orm['queries_per_patient'], timings['events_s'], timings['invoices_s'],
              timings['write_s'], timings['compute_s'], orm['with_activity'], orm['sample']))
    print('Checks: ORM inputs vs SQL inputs, %d mismatches of %d; lib.rfm.compute vs SQL scores/segments, '
          '%d mismatches of %d; NPS results equal to direct counts: %s.' % (
              orm['input_mismatches'], orm['sample'], rfm['compute_100k']['score_mismatches'],
              rfm['compute_100k']['patients'], all(n['checked'] for n in report['nps'])))
    top = rfm['explain']['rfm']['top_nodes'][:4]
    print('RFM statement (EXPLAIN ANALYZE, rolled back): %.0f ms; own time of the plan nodes: %s.' % (
        rfm['explain']['rfm']['execution_ms'], '; '.join('%s %.0f ms' % (n['node'], n['exclusive_ms']) for n in top)))
    if export['profile']:
        print('Export time target missed: cProfile of one more export in %s.' % export['profile'])
    print()


if __name__ == '__main__':
    main()

"""Treatment plans at scale: activating 10,000 plans (~60,000 follow-up tasks), the daily horizon
job and the daily overdue job.

What is measured
----------------
Inside Odoo (registry loaded in this process, no HTTP), each call in its own cursor and
environment, committed at the end as a cron run or an RPC is (the commit is timed separately),
as admin (superuser: a cron runs as its user, and activating is a button of the plan form):

* ``activate 10k, horizon 90 d``: ``plans.action_activate()`` on 10,000 draft plans in one call
  (models/sehat_treatment_plan.py: state written through the ORM, then
  ``SehatTreatmentPlanLine.sehat_generate``: one SELECT of the lines, the occurrences in Python
  with lib/plans.py, one ``INSERT ... ON CONFLICT DO NOTHING`` per 5,000 tasks), with the
  horizon parameter ``sehat_crm.plan_horizon_days`` at its default of 90 days (batch A);
* ``extend horizon 90 -> 365 d``: the parameter raised to 365, then the daily job
  ``sehat.treatment.plan.sehat_extend_horizon()`` (cron context: empty), which generates the
  follow-ups now inside the horizon for batch A;
* ``daily horizon job, nothing to do``: ``sehat_extend_horizon()`` again, NOTHING_RUNS times
  (median and max); target < 1 s;
* ``activate 10k, horizon 365 d``: ``action_activate()`` on a second batch of 10,000 draft
  plans (batch B) with the horizon at 365 days: this is the run that creates ~60,000 tasks in
  one call (58,000 with the five templates mixed evenly: antenatal 11, diabetes 5,
  hypertension 7, post-op 5, health check 1 within a year), target < 60 s; at 90 days an
  activation creates far fewer tasks (the batch A row);
* ``overdue job``: ``project.task.sehat_overdue_cron()`` on that data (models/project_task.py:
  the follow-ups past their due date go to the Overdue stage with one ``write``, and get one
  ``mail.activity`` each, created one by one through the ORM); target < 60 s. See below why it
  is measured on parts of the backlog.

Each row reports the tasks created (or moved), the seconds of the call, the seconds of its
commit, the SQL queries (``cursor.sql_log_count`` delta) and tasks per second; the load average
is recorded at the start of every measurement. When a target is missed (or always with
``--profile``), a sample is profiled afterwards in a transaction that is rolled back:
PROFILE_PLANS plans of batch B put back to draft (their tasks deleted) and activated again, or
PROFILE_TASKS overdue tasks put back to "To call" (their activities and followers deleted) and
the overdue job run again; cProfile listings (with the callers of the ORM's cache invalidations),
the ORM's record reads by field and caller, and the SQL grouped by statement go to bench/out/bench_plans_profile.txt and
the JSON. After the batch B activation, a diagnostic run (rolled back) activates batch B again with
``mail_notrack`` in the context: the same call without the chatter tracking of the state change.

Why the overdue job is measured on parts of the backlog: its cost per task grows with the
number of tasks it handles (``message_subscribe`` of each activity, and ``_notify`` of a message
with a parent, clear the whole ORM cache; the loops then re-read the whole recordset, up to the
ORM's PREFETCH_MAX of 1,000 records, for the next task; see the profile), so the ~12,700 tasks
due in this data would take hours. When more than max(OVERDUE_SIZES) tasks are due, the job is
measured (committed) on OVERDUE_SIZES tasks due, a seeded sample each time, the other tasks due
being archived (``active = false``, the job skips them) for the run and restored right after;
the time for the whole backlog is extrapolated with ``t(N) = N * (a + b * min(N, 1000))`` fitted
on those runs. ``--overdue-full`` runs it on the whole backlog anyway.

Data (generated for the run, deleted at the end)
------------------------------------------------
* Patients: the 10,000 first generated patients of bench/generate.py (``ref = 'sehat-bench'``)
  when the database holds that many (the 200k lead size: 100,000 patients); otherwise 10,000
  patients of this benchmark (``ref = 'sehat-bench-plans'``, patient IDs ``BENCH-PLAN-000001``...),
  built with bench/generate.py's patient generator (ORM defaults, stored computed fields,
  lifecycle history) and loaded with ``COPY``; every patient gets one plan of each batch.
* Doctors: the first DOCTORS ``sehat.doctor`` records (the 500 of bench_booking.py when they
  exist), round robin; if there is none, one doctor is created with the ORM.
* Plans: 2 x 10,000 draft plans named ``BENCH-PLAN A-00001 <template>``..., the five templates
  (``sehat_crm.plan_template_antenatal``, ``_diabetes``, ``_hypertension``, ``_postop``,
  ``_health_check``) in turn, start dates spread (seeded) over the last 60 days, so that some
  follow-ups are already due (their tasks are created with a call date of today; the overdue
  job finds those past their due date).
  The ORM is measured first: ORM_SAMPLE plans per template created with ``create(template_id=...)``
  in a transaction rolled back afterwards (one create is ~80 queries and ~60 ms: chatter message,
  follower, tracking; 10,000 would take about 10 minutes). When the extrapolated ORM time for a
  batch is above ORM_BUDGET_S, the batches are inserted with ``COPY`` instead, copying for every
  plan the rows the ORM stored for the sample plan of its template: ``sehat_treatment_plan``, its
  ``sehat_treatment_plan_line`` rows (the template's lines) and the creator's ``mail_followers`` row
  with its subtypes; only name, patient, doctor, start date, ids and timestamps differ. Not
  copied: the chatter messages of the creation ("Treatment plan created" and its tracking).

Cleanup (at the end, also after a failure, and at the start for a run that was interrupted):
the mail messages, followers and activities of the benchmark's tasks and plans, then the tasks,
plan lines and plans (``name LIKE 'BENCH-PLAN%'``) with set-based DELETEs (bench/generate.py's
``Deleter``), this benchmark's patients (and doctor), the ``activity_updated`` bus notifications
the overdue job sent; then ``VACUUM ANALYZE`` of those tables. The horizon parameter gets back
its value from before the run (kept in ``sehat_crm.bench_plans_saved_horizon`` during the run, so
that an interrupted run is repaired by the next one). ``--keep`` keeps everything for inspection.

Results: a table on stdout, everything in bench/out/bench_plans.json.
"""
import argparse
import cProfile
import io
import os
import platform
import pstats
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

import benchlib
import generate

PLANS = 10000
TEMPLATES = ('antenatal', 'diabetes', 'hypertension', 'postop', 'health_check')
PLAN_PREFIX = 'BENCH-PLAN'
PATIENT_MARKER = 'sehat-bench-plans'
PATIENT_REF = 'BENCH-PLAN-%06d'
PATIENT_PHONE = '+9192%08d'     # generate.py uses +9190 (patients), +9191 (leads), +9199 (emergency contacts)
EMERGENCY_PHONE = '+9193%08d'
DOCTOR_REF = 'BENCH-PLAN-DOC'
DOCTORS = 50
HORIZON_KEY = 'sehat_crm.plan_horizon_days'
SAVED_KEY = 'sehat_crm.bench_plans_saved_horizon'
HORIZON_SHORT = 90
HORIZON_LONG = 365
START_SPREAD_DAYS = 60
ORM_SAMPLE = 10                 # plans per template created with the ORM (rolled back)
ORM_BUDGET_S = 150.0            # above this extrapolated time per batch, the plans are inserted with SQL
ACTIVATE_TARGET_S = 60.0
NOTHING_TARGET_S = 1.0
NOTHING_RUNS = 5
OVERDUE_TARGET_S = 60.0
PROFILE_PLANS = 1000
PROFILE_TASKS = 150
OVERDUE_SIZES = (100, 200, 400)  # tasks due, when the whole backlog is larger than the largest
PROFILE_TOP = 35
SEED = 42
VACUUM_TABLES = ('project_task', 'sehat_treatment_plan', 'sehat_treatment_plan_line', 'mail_message',
                 'mail_tracking_value', 'mail_followers', 'mail_followers_mail_message_subtype_rel', 'mail_activity')


# --- horizon parameter ---------------------------------------------------------------------
def _params(env):
    return env['ir.config_parameter'].sudo()


def save_horizon(registry):
    """The horizon parameter's value before the run (None: not set). Kept in SAVED_KEY during the
    run: when that key exists, an earlier run was interrupted and it holds the true original."""
    from odoo import SUPERUSER_ID, api
    with registry.cursor() as cr:
        params = _params(api.Environment(cr, SUPERUSER_ID, {}))
        saved = params.get_param(SAVED_KEY)
        if saved:
            return None if saved == 'unset' else saved
        original = params.get_param(HORIZON_KEY) or None
        params.set_param(SAVED_KEY, original or 'unset')
        return original


def set_horizon(registry, value):
    from odoo import SUPERUSER_ID, api
    with registry.cursor() as cr:
        _params(api.Environment(cr, SUPERUSER_ID, {})).set_param(HORIZON_KEY, value)


def restore_horizon(registry, original):
    from odoo import SUPERUSER_ID, api
    with registry.cursor() as cr:
        params = _params(api.Environment(cr, SUPERUSER_ID, {}))
        params.set_param(HORIZON_KEY, original or False)  # False deletes the parameter
        params.set_param(SAVED_KEY, False)


# --- data ----------------------------------------------------------------------------------
def ensure_patients(registry, count):
    """(patient ids, source, seconds): generated patients of bench/generate.py when there are
    enough, else this benchmark's own (COPY with generate.py's patient rows)."""
    from odoo import SUPERUSER_ID, api
    started = time.perf_counter()
    with benchlib.request_environments(), registry.cursor() as cr:
        for marker in (generate.MARKER, PATIENT_MARKER):
            cr.execute("SELECT id FROM res_partner WHERE ref = %s AND is_patient ORDER BY id LIMIT %s", (marker, count))
            ids = [row[0] for row in cr.fetchall()]
            if len(ids) == count:
                return ids, marker, None
        if ids:  # fewer than wanted: replace them
            generate.Deleter(cr).delete('res_partner', 'ref = %s', (PATIENT_MARKER,))
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        ctx = generate.Context(env, generate.ensure_users(env))
        rng = random.Random(SEED)
        now = datetime.utcnow().replace(microsecond=0)
        ids = generate.reserve_ids(cr, 'res_partner', count)
        rows, _facts = generate._patients(ctx, rng, ids, [], now)
        for n, row in enumerate(rows, 1):
            row.update({'ref': PATIENT_MARKER, 'patient_ref': PATIENT_REF % n, 'mobile': PATIENT_PHONE % n,
                        'phone_e164': PATIENT_PHONE % n})
            if row.get('emergency_contact_phone'):
                row['emergency_contact_phone'] = EMERGENCY_PHONE % n
            if row.get('email'):
                row['email'] = row['email'].replace('@', '.plans@')
        generate._write(cr, env['res.partner'], rows)
        cr.execute(generate.LIFECYCLE_SQL, {'uid': ctx.uid, 'marker': PATIENT_MARKER})
        for table in ('res_partner', 'sehat_lifecycle_history'):
            cr.execute('ANALYZE %s' % table)
    return ids, PATIENT_MARKER, round(time.perf_counter() - started, 2)


def ensure_doctors(registry):
    """(doctor ids, created): the first DOCTORS doctors; one created with the ORM if there is none."""
    from odoo import SUPERUSER_ID, api
    with benchlib.request_environments(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'tracking_disable': True})
        ids = env['sehat.doctor'].search([], order='id', limit=DOCTORS).ids
        if ids:
            return ids, False
        doctor = env['sehat.doctor'].create({'name': 'BENCH-PLAN Doctor', 'registration_number': DOCTOR_REF})
        return doctor.ids, True


def template_ids(env):
    return {key: env.ref('sehat_crm.plan_template_%s' % key).id for key in TEMPLATES}


def plan_specs(batch, count, patients, doctors, templates, names, today, rng):
    """The draft plans of a batch: templates in turn, start dates over the last START_SPREAD_DAYS days."""
    specs = []
    for n in range(count):
        key = TEMPLATES[n % len(TEMPLATES)]
        specs.append({
            'name': '%s %s-%05d %s' % (PLAN_PREFIX, batch, n + 1, names[key]), 'template': key,
            'template_id': templates[key], 'patient_id': patients[n % len(patients)],
            'doctor_id': doctors[n % len(doctors)],
            'start_date': (today - timedelta(days=rng.randint(0, START_SPREAD_DAYS))).isoformat(),
        })
    return specs


def orm_values(spec):
    return {key: spec[key] for key in ('name', 'template_id', 'patient_id', 'doctor_id', 'start_date')}


def orm_sample(registry, specs_by_template, context):
    """ORM creates of ORM_SAMPLE plans per template, timed, then rolled back. Returns the stats and,
    per template, the rows the ORM stored for its first plan (plan, lines, followers)."""
    from odoo import SUPERUSER_ID, api
    refs = {}
    with benchlib.request_environments(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        Plan = env['sehat.treatment.plan']
        created = Plan
        queries = cr.sql_log_count
        start = time.perf_counter()
        for key in TEMPLATES:
            for spec in specs_by_template[key][:ORM_SAMPLE]:
                created |= Plan.create(orm_values(spec))
        seconds = time.perf_counter() - start
        queries = cr.sql_log_count - queries
        for key in TEMPLATES:
            first = created.filtered(lambda p: p.template_id.id == specs_by_template[key][0]['template_id'])[:1]
            cr.execute('SELECT * FROM sehat_treatment_plan WHERE id = %s', (first.id,))
            plan = cr.dictfetchall()[0]
            cr.execute('SELECT * FROM sehat_treatment_plan_line WHERE plan_id = %s ORDER BY id', (first.id,))
            lines = cr.dictfetchall()
            cr.execute("""SELECT f.partner_id, f.channel_id, array_remove(array_agg(
                                     r.mail_message_subtype_id ORDER BY r.mail_message_subtype_id), NULL)
                            FROM mail_followers f
                            LEFT JOIN mail_followers_mail_message_subtype_rel r ON r.mail_followers_id = f.id
                           WHERE f.res_model = 'sehat.treatment.plan' AND f.res_id = %s GROUP BY f.id ORDER BY f.id""",
                       (first.id,))
            followers = cr.fetchall()
            cr.execute("SELECT count(*) FROM mail_message WHERE model = 'sehat.treatment.plan' AND res_id = %s",
                       (first.id,))
            refs[key] = {'plan': plan, 'lines': lines, 'followers': followers, 'messages': cr.fetchone()[0]}
        cr.rollback()
    plans = len(created)
    return {'plans': plans, 'seconds': round(seconds, 2), 'queries': queries,
            'ms_per_plan': round(seconds * 1000.0 / plans, 1), 'queries_per_plan': round(float(queries) / plans, 1),
            'messages_per_plan': {key: ref['messages'] for key, ref in refs.items()},
            'followers_per_plan': {key: len(ref['followers']) for key, ref in refs.items()}}, refs


def _booleans(cr, table):
    cr.execute("""SELECT column_name FROM information_schema.columns
                   WHERE table_name = %s AND table_schema = current_schema() AND data_type = 'boolean'""", (table,))
    return {row[0] for row in cr.fetchall()}


def _copy(cr, table, rows):
    if not rows:
        return
    columns = sorted(rows[0])
    generate.check_columns(cr, table, set(columns))
    generate.copy_rows(cr, table, columns, ([row[c] for c in columns] for row in rows), booleans=_booleans(cr, table))


def insert_plans_sql(registry, specs, refs):
    """COPY of the plans, their lines and followers: the ORM's rows of the template's sample plan
    with this plan's ids, name, patient, doctor, start date and timestamps."""
    started = time.perf_counter()
    with registry.cursor() as cr:
        cr.execute("SELECT (now() AT TIME ZONE 'UTC')::text")  # what the ORM stores in create_date
        now = cr.fetchone()[0]
        stamps = {'create_date': now, 'write_date': now}
        plan_ids = generate.reserve_ids(cr, 'sehat_treatment_plan', len(specs))
        line_ids = iter(generate.reserve_ids(cr, 'sehat_treatment_plan_line',
                                             sum(len(refs[s['template']]['lines']) for s in specs)))
        follower_ids = iter(generate.reserve_ids(cr, 'mail_followers',
                                                 sum(len(refs[s['template']]['followers']) for s in specs)))
        plans, lines, followers, subtypes = [], [], [], []
        for plan_id, spec in zip(plan_ids, specs):
            ref = refs[spec['template']]
            row = dict(ref['plan'], id=plan_id, name=spec['name'], patient_id=spec['patient_id'],
                       doctor_id=spec['doctor_id'], start_date=spec['start_date'], **stamps)
            if row.get('message_last_post'):
                row['message_last_post'] = now
            plans.append(row)
            lines.extend(dict(line, id=next(line_ids), plan_id=plan_id, **stamps) for line in ref['lines'])
            for partner_id, channel_id, subtype_ids in ref['followers']:
                follower_id = next(follower_ids)
                followers.append({'id': follower_id, 'res_model': 'sehat.treatment.plan', 'res_id': plan_id,
                                  'partner_id': partner_id, 'channel_id': channel_id})
                subtypes.extend({'mail_followers_id': follower_id, 'mail_message_subtype_id': subtype_id}
                                for subtype_id in subtype_ids)
        _copy(cr, 'sehat_treatment_plan', plans)
        _copy(cr, 'sehat_treatment_plan_line', lines)
        _copy(cr, 'mail_followers', followers)
        _copy(cr, 'mail_followers_mail_message_subtype_rel', subtypes)
        for table in ('sehat_treatment_plan', 'sehat_treatment_plan_line', 'mail_followers'):
            cr.execute('ANALYZE %s' % table)
    return plan_ids, {'plans': len(plans), 'lines': len(lines), 'followers': len(followers), 'method': 'sql',
                      'seconds': round(time.perf_counter() - started, 2)}


def insert_plans_orm(registry, specs, context):
    from odoo import SUPERUSER_ID, api
    started = time.perf_counter()
    with benchlib.request_environments(), registry.cursor() as cr:
        Plan = api.Environment(cr, SUPERUSER_ID, context)['sehat.treatment.plan']
        ids = [Plan.create(orm_values(spec)).id for spec in specs]
        cr.execute('SELECT count(*) FROM sehat_treatment_plan_line WHERE plan_id IN %s', (tuple(ids),))
        lines = cr.fetchone()[0]
    return ids, {'plans': len(ids), 'lines': lines, 'method': 'orm', 'seconds': round(time.perf_counter() - started, 2)}


def create_batch(registry, specs, refs, method, context):
    if method == 'orm':
        return insert_plans_orm(registry, specs, context)
    return insert_plans_sql(registry, specs, refs)


# --- measurement ---------------------------------------------------------------------------
def bench_task_count(cr):
    cr.execute("""SELECT count(*) FROM project_task t JOIN sehat_treatment_plan p ON p.id = t.sehat_plan_id
                   WHERE p.name LIKE %s""", (PLAN_PREFIX + '%',))
    return cr.fetchone()[0]


def run_call(registry, call, context, profiler=None, recorder=False, commit=True):
    """One call in its own cursor and environment, committed (or rolled back): (seconds, commit
    seconds, queries, result, recorder)."""
    from odoo import SUPERUSER_ID, api
    with benchlib.request_environments(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        queries = cr.sql_log_count
        with benchlib.recorder(cr, recorder) as rec:
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            result = call(env)
            seconds = time.perf_counter() - start
            if profiler:
                profiler.disable()
        queries = cr.sql_log_count - queries
        start = time.perf_counter()
        if commit:
            cr.commit()
        else:
            cr.rollback()
        commit_s = time.perf_counter() - start
    return seconds, commit_s, queries, result, rec


def measure(registry, name, call, context, target_s, plans=None, horizon=None, counter='created'):
    """One committed call; tasks created = growth of the benchmark's tasks (or the call's result)."""
    with registry.cursor() as cr:
        before = bench_task_count(cr)
    load = os.getloadavg()
    seconds, commit_s, queries, result, _rec = run_call(registry, call, context)
    with registry.cursor() as cr:
        after = bench_task_count(cr)
    tasks = after - before if counter == 'created' else result
    row = {'scenario': name, 'horizon_days': horizon, 'plans': plans, 'tasks': tasks, 'result': result,
           'seconds': round(seconds, 3), 'commit_s': round(commit_s, 3), 'queries': queries,
           'tasks_per_s': round(tasks / seconds) if tasks and seconds else 0,
           'queries_per_plan': round(float(queries) / plans, 1) if plans else None,
           'target_s': target_s, 'met': seconds < target_s, 'loadavg_1m': round(load[0], 2),
           'bench_tasks_after': after}
    _progress(row)
    return row


def measure_nothing(registry, runs, horizon):
    """The daily horizon job when every follow-up inside the horizon has its task: `runs` calls."""
    seconds, queries, results = [], [], []
    load = os.getloadavg()
    for _n in range(runs):
        took, _commit, count, result, _rec = run_call(
            registry, lambda env: env['sehat.treatment.plan'].sehat_extend_horizon(), {})
        seconds.append(took)
        queries.append(count)
        results.append(result)
    row = {'scenario': 'daily horizon job, nothing to do', 'horizon_days': horizon, 'tasks': max(results),
           'result': results, 'runs': runs, 'seconds': round(statistics.median(seconds), 4),
           'max_s': round(max(seconds), 4), 'queries': max(queries), 'target_s': NOTHING_TARGET_S,
           'met': max(seconds) < NOTHING_TARGET_S, 'loadavg_1m': round(load[0], 2), 'tasks_per_s': 0}
    _progress(row)
    return row


def _progress(row):
    sys.stderr.write('%-36s %7s tasks  %9.3f s  %8d queries  (load %.2f)\n' % (
        row['scenario'], row['tasks'], row['seconds'], row['queries'], row['loadavg_1m']))
    sys.stderr.flush()


def _reset_to_draft(cr, plan_ids):
    """Plans back to draft as before their activation: tasks deleted, next due dates cleared."""
    cr.execute('DELETE FROM project_task WHERE sehat_plan_id IN %s', (plan_ids,))
    cr.execute("UPDATE sehat_treatment_plan SET state = 'draft' WHERE id IN %s", (plan_ids,))
    cr.execute('UPDATE sehat_treatment_plan_line SET next_due_date = NULL WHERE plan_id IN %s', (plan_ids,))


def diagnostic_activation(registry, plan_ids, context, horizon):
    """The activation again, with ``mail_notrack`` (no tracking message per plan), rolled back."""
    plan_ids = tuple(plan_ids)
    outcome = {}

    def call(env):
        cr = env.cr
        _reset_to_draft(cr, plan_ids)
        env.cache.invalidate()
        outcome['load'] = os.getloadavg()
        queries = cr.sql_log_count
        start = time.perf_counter()
        env(context=dict(env.context, mail_notrack=True))['sehat.treatment.plan'].browse(list(plan_ids)) \
            .action_activate()
        outcome.update(seconds=time.perf_counter() - start, queries=cr.sql_log_count - queries)
        cr.execute('SELECT count(*) FROM project_task WHERE sehat_plan_id IN %s', (plan_ids,))
        outcome['tasks'] = cr.fetchone()[0]

    run_call(registry, call, context, commit=False)
    seconds = outcome['seconds']
    row = {'scenario': 'same, mail_notrack (diagnostic, rolled back)', 'horizon_days': horizon,
           'plans': len(plan_ids), 'tasks': outcome['tasks'], 'seconds': round(seconds, 3), 'commit_s': None,
           'queries': outcome['queries'], 'tasks_per_s': round(outcome['tasks'] / seconds) if seconds else 0,
           'queries_per_plan': round(float(outcome['queries']) / len(plan_ids), 1),
           'target_s': ACTIVATE_TARGET_S, 'met': seconds < ACTIVATE_TARGET_S,
           'loadavg_1m': round(outcome['load'][0], 2), 'diagnostic': True}
    _progress(row)
    return row


def due_tasks(cr, today, stages):
    """The benchmark's tasks the overdue job would pick (its query; they have no appointment)."""
    cr.execute("""SELECT t.id FROM project_task t JOIN sehat_treatment_plan p ON p.id = t.sehat_plan_id
                   WHERE p.name LIKE %s AND t.active AND NOT t.sehat_fulfilled AND t.sehat_close_reason IS NULL
                     AND t.sehat_due_date < %s AND t.stage_id IN %s ORDER BY t.id""",
               (PLAN_PREFIX + '%', today, (stages['to_call'], stages['booked'])))
    return [row[0] for row in cr.fetchall()]


def measure_overdue(registry, stages, full=False):
    """The overdue job on the whole backlog when it is small (or ``full``), else on OVERDUE_SIZES
    samples of it (see the module docstring). Returns (rows, summary with the extrapolation)."""
    from odoo import SUPERUSER_ID, api, fields
    with registry.cursor() as cr:
        today = fields.Date.context_today(api.Environment(cr, SUPERUSER_ID, {})['project.task'])  # cron: no tz
        due = due_tasks(cr, today, stages)
    sizes = [len(due)] if full or len(due) <= max(OVERDUE_SIZES) else list(OVERDUE_SIZES)
    rng = random.Random(SEED)
    rows = []
    for size in sizes:
        with registry.cursor() as cr:
            remaining = due_tasks(cr, today, stages)
            sample = set(rng.sample(remaining, min(size, len(remaining))))
            parked = tuple(task_id for task_id in remaining if task_id not in sample)
            if parked:
                cr.execute('UPDATE project_task SET active = false WHERE id IN %s', (parked,))
        try:
            name = 'overdue job, all %d due' % len(due) if size == len(due) else 'overdue job, %d of %d due' % (
                len(sample), len(due))
            row = measure(registry, name, lambda env: env['project.task'].sehat_overdue_cron(), {},
                          OVERDUE_TARGET_S, horizon=HORIZON_LONG, counter='result')
        finally:
            if parked:
                with registry.cursor() as cr:
                    cr.execute('UPDATE project_task SET active = true WHERE id IN %s', (parked,))
        with registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_activity WHERE res_model = 'project.task' AND res_id IN %s",
                       (tuple(sample) or (0,),))
            row['activities'] = cr.fetchone()[0]
        row['ms_per_task'] = round(row['seconds'] * 1000.0 / row['tasks'], 1) if row['tasks'] else None
        rows.append(row)
    summary = {'due': len(due), 'sizes': sizes, 'today': today}
    if len(rows) > 1:
        summary.update(extrapolate([(row['tasks'], row['seconds']) for row in rows], len(due)))
    return rows, summary


def extrapolate(points, total, cap=1000):
    """Least squares of the seconds per task against N (t/N = a + b * N), then
    t(total) = total * (a + b * min(total, cap)): the per-task cost grows with the recordset up to the
    ORM's PREFETCH_MAX (1,000 records read again per invalidation)."""
    xs = [float(n) for n, _s in points]
    ys = [seconds / n for n, seconds in points]
    mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread if spread else 0.0
    b = max(b, 0.0)
    a = mean_y - b * mean_x
    seconds = total * (a + b * min(total, cap))
    return {'fit_a_ms_per_task': round(a * 1000.0, 3), 'fit_b_ms_per_task_per_task': round(b * 1000.0, 4),
            'extrapolated_s': round(seconds), 'extrapolated_h': round(seconds / 3600.0, 2)}


# --- profiles (rolled back) ----------------------------------------------------------------
class ReadRecorder(object):
    """Counts the ORM's record reads (``BaseModel._prefetch_field``: a field missing from the cache is
    read for every record of the prefetch set that lacks it, up to PREFETCH_MAX) by model, field and
    the first caller outside the ORM core: calls, records read and seconds."""

    CORE = ('odoo/models.py', 'odoo/fields.py', 'odoo/api.py', 'odoo/tools/func.py')

    def __init__(self):
        self.stats = {}

    def __enter__(self):
        from odoo import models
        self.models = models
        self.original = original = models.BaseModel._prefetch_field
        stats, core = self.stats, self.CORE

        def _prefetch_field(record, field):
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.endswith(core):
                frame = frame.f_back
            where = '?' if frame is None else '%s:%d(%s)' % (
                os.path.basename(frame.f_code.co_filename), frame.f_lineno, frame.f_code.co_name)
            count = len(record._in_cache_without(field))
            start = time.perf_counter()
            try:
                return original(record, field)
            finally:
                entry = stats.setdefault((record._name, field.name, where), [0, 0, 0.0])
                entry[0] += 1
                entry[1] += count
                entry[2] += time.perf_counter() - start
        models.BaseModel._prefetch_field = _prefetch_field
        return self

    def __exit__(self, *exc):
        self.models.BaseModel._prefetch_field = self.original

    def top(self, limit=15):
        ordered = sorted(self.stats.items(), key=lambda item: -item[1][2])
        return [{'model': model, 'field': field, 'caller': where, 'reads': calls, 'records': records,
                 'seconds': round(seconds, 2)} for (model, field, where), (calls, records, seconds) in ordered[:limit]]


def _profile_texts(profiler, outcome, label, units, what):
    texts = {}
    for sort in ('cumulative', 'tottime'):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(sort).print_stats(PROFILE_TOP)
        texts[sort] = buf.getvalue()
    buf = io.StringIO()  # who invalidates the ORM cache (after which the records are read again)
    stats = pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats('cumulative')
    for pattern in (r'\(invalidate_cache\)', r'\(_message_post_after_hook\)', r'\(message_subscribe\)'):
        stats.print_callers(pattern)
    texts['callers'] = buf.getvalue()
    seconds, queries = outcome['seconds'], outcome['queries']
    return {'label': label, 'units': units, 'what': what, 'seconds_profiled': round(seconds, 2),
            'queries': queries, 'ms_per_unit': round(seconds * 1000.0 / units, 2) if units else None,
            'queries_per_unit': round(float(queries) / units, 1) if units else None,
            'sql_grouped': outcome['recorder'].grouped(), 'record_reads': outcome['reads'].top(), 'pstats': texts,
            'tasks': outcome.get('tasks')}


def _profiled(env, profiler, outcome, call):
    """Runs ``call()`` under cProfile with the SQL and the ORM record reads recorded."""
    cr = env.cr
    queries = cr.sql_log_count
    with benchlib.QueryRecorder(cr) as rec, ReadRecorder() as reads:
        profiler.enable()
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
        profiler.disable()
    outcome.update(seconds=seconds, queries=cr.sql_log_count - queries, recorder=rec, reads=reads)
    return result


def profile_activation(registry, plan_ids, context):
    """PROFILE_PLANS active plans put back to draft (tasks deleted, next due dates cleared) and
    activated again under cProfile, in a transaction rolled back."""
    sample = tuple(plan_ids[:PROFILE_PLANS])

    def call(env):
        cr = env.cr
        _reset_to_draft(cr, sample)
        env.cache.invalidate()
        _profiled(env, profiler, outcome, lambda: env['sehat.treatment.plan'].browse(list(sample)).action_activate())
        cr.execute('SELECT count(*) FROM project_task WHERE sehat_plan_id IN %s', (sample,))
        outcome['tasks'] = cr.fetchone()[0]

    profiler, outcome = cProfile.Profile(), {}
    run_call(registry, call, context, commit=False)
    return _profile_texts(profiler, outcome, 'action_activate() of %d plans (%d tasks)' % (
        len(sample), outcome['tasks']), len(sample), 'plan')


def profile_overdue(registry, stages):
    """PROFILE_TASKS overdue tasks put back to To call (their activities and followers deleted), the
    other tasks due archived, the overdue job run again under cProfile, in a transaction rolled back."""
    from odoo import fields

    def call(env):
        cr = env.cr
        cr.execute("""SELECT t.id FROM project_task t JOIN sehat_treatment_plan p ON p.id = t.sehat_plan_id
                       WHERE p.name LIKE %s AND t.stage_id = %s ORDER BY t.id LIMIT %s""",
                   (PLAN_PREFIX + '%', stages['overdue'], PROFILE_TASKS))
        sample = tuple(row[0] for row in cr.fetchall()) or (0,)
        others = tuple(due_tasks(cr, fields.Date.context_today(env['project.task']), stages))
        if others:
            cr.execute('UPDATE project_task SET active = false WHERE id IN %s', (others,))
        cr.execute("DELETE FROM mail_activity WHERE res_model = 'project.task' AND res_id IN %s", (sample,))
        cr.execute("DELETE FROM mail_followers WHERE res_model = 'project.task' AND res_id IN %s", (sample,))
        cr.execute('UPDATE project_task SET stage_id = %s WHERE id IN %s', (stages['to_call'], sample))
        env.cache.invalidate()
        outcome['tasks'] = _profiled(env, profiler, outcome, lambda: env['project.task'].sehat_overdue_cron())

    profiler, outcome = cProfile.Profile(), {}
    run_call(registry, call, {}, commit=False)
    return _profile_texts(profiler, outcome, 'sehat_overdue_cron() on %d tasks' % outcome['tasks'],
                          outcome['tasks'], 'task')


# --- cleanup -------------------------------------------------------------------------------
def cleanup(registry, started=None, doctor_created=False, delete_patients=True):
    """Delete what the benchmark created (see the module docstring). Returns the counts."""
    from odoo import SUPERUSER_ID, api
    counts = {}
    with benchlib.request_environments(), registry.cursor() as cr:
        deleter = generate.Deleter(cr)
        plans = '(SELECT id FROM sehat_treatment_plan WHERE name LIKE %s)'
        tasks = '(SELECT id FROM project_task WHERE sehat_plan_id IN %s)' % plans
        like = (PLAN_PREFIX + '%',)
        for model, ids in (('project.task', tasks), ('sehat.treatment.plan', plans)):
            for table, column in (('mail_activity', 'res_model'), ('mail_message', 'model'),
                                  ('mail_followers', 'res_model')):
                counts['%s of %s' % (table, model)] = deleter.delete(
                    table, '%s = %%s AND res_id IN %s' % (column, ids), (model,) + like)
        counts['project_task'] = deleter.delete('project_task', 'sehat_plan_id IN %s' % plans, like)
        counts['sehat_treatment_plan_line'] = deleter.delete('sehat_treatment_plan_line', 'plan_id IN %s' % plans, like)
        counts['sehat_treatment_plan'] = deleter.delete('sehat_treatment_plan', 'name LIKE %s', like)
        if started:
            cr.execute("DELETE FROM bus_bus WHERE create_date >= %s AND message LIKE %s",
                       (started, '%activity_updated%'))
            counts['bus_bus'] = cr.rowcount
        if delete_patients:
            counts['res_partner (patients)'] = deleter.delete('res_partner', 'ref = %s', (PATIENT_MARKER,))
        if doctor_created:
            env = api.Environment(cr, SUPERUSER_ID, {'active_test': False})
            doctors = env['sehat.doctor'].search([('registration_number', '=', DOCTOR_REF)])
            counts['sehat_doctor'] = len(doctors)
            doctors.unlink()
    return {key: value for key, value in counts.items() if value}


# --- main ------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description='Treatment plans: activation of 10k plans, horizon and overdue jobs.')
    parser.add_argument('--plans', type=int, default=PLANS, help='plans per batch (default %(default)s)')
    parser.add_argument('--method', choices=('auto', 'orm', 'sql'), default='auto',
                        help='how the draft plans are created (auto: the ORM if the sample says it takes '
                             'less than %d s per batch)' % ORM_BUDGET_S)
    parser.add_argument('--profile', action='store_true', help='profile activation and the overdue job '
                                                               '(default: when they miss their target)')
    parser.add_argument('--overdue-full', action='store_true',
                        help='run the overdue job on the whole backlog (hours at 2 x 10k plans)')
    parser.add_argument('--keep', action='store_true', help='keep the plans, tasks and patients afterwards')
    args = parser.parse_args(argv)
    import odoo
    from odoo import SUPERUSER_ID, api, fields
    registry = benchlib.load_registry()
    report = {
        'benchmark': 'bench_plans', 'database': benchlib.bench_db(), 'started': time.strftime('%Y-%m-%d %H:%M:%S'),
        'machine': {'cpus': os.cpu_count(), 'loadavg_start': os.getloadavg(), 'python': platform.python_version()},
        'plans_per_batch': args.plans, 'results': [], 'profiles': [],
    }
    started_utc = datetime.utcnow().replace(microsecond=0)
    with api.Environment.manage():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            report['machine']['postgresql'] = cr._cnx.server_version
            context = env['res.users'].context_get()  # what an RPC of admin carries
            env = api.Environment(cr, SUPERUSER_ID, context)
            templates = template_ids(env)
            names = {key: env['sehat.treatment.plan.template'].browse(templates[key]).name for key in TEMPLATES}
            today = fields.Date.from_string(fields.Date.context_today(env['sehat.treatment.plan']))
            stages = {key: env.ref('sehat_crm.task_stage_%s' % key).id for key in ('to_call', 'booked', 'overdue')}
        leftover = cleanup(registry, delete_patients=False)
        if leftover:
            print('removed the leftovers of an interrupted run: %s' % leftover)
        original = save_horizon(registry)
        report['horizon_before'] = original
        doctor_created, rows = False, []
        try:
            patients, source, patients_s = ensure_patients(registry, args.plans)
            doctors, doctor_created = ensure_doctors(registry)
            report['data'] = {'patients': len(patients), 'patients_source': source, 'patients_created_s': patients_s,
                              'doctors': len(doctors), 'doctor_created': doctor_created}
            rng = random.Random(SEED)
            batches = {}
            for batch in ('A', 'B'):
                specs = plan_specs(batch, args.plans, patients, doctors, templates, names, today, rng)
                batches[batch] = specs
            by_template = {key: [s for s in batches['A'] if s['template'] == key] for key in TEMPLATES}
            sample, refs = orm_sample(registry, by_template, context)
            sample['extrapolated_batch_s'] = round(sample['ms_per_plan'] * args.plans / 1000.0, 1)
            method = args.method if args.method != 'auto' else (
                'orm' if sample['extrapolated_batch_s'] <= ORM_BUDGET_S else 'sql')
            report['orm_sample'] = sample
            report['data']['method'] = method
            print('ORM create of %d sample plans: %.1f ms and %.1f queries per plan -> %d plans in ~%.0f s: %s' % (
                sample['plans'], sample['ms_per_plan'], sample['queries_per_plan'], args.plans,
                sample['extrapolated_batch_s'], 'ORM' if method == 'orm' else 'set-based SQL copy of the ORM rows'))

            # batch A: activation at the default 90-day horizon, then the horizon raised to 365 days
            ids_a, report['data']['batch_A'] = create_batch(registry, batches['A'], refs, method, context)
            set_horizon(registry, HORIZON_SHORT)
            rows.append(measure(registry, 'activate %d plans, horizon %d d' % (len(ids_a), HORIZON_SHORT),
                                lambda env: env['sehat.treatment.plan'].browse(ids_a).action_activate(), context,
                                ACTIVATE_TARGET_S, plans=len(ids_a), horizon=HORIZON_SHORT))
            set_horizon(registry, HORIZON_LONG)
            rows.append(measure(registry, 'extend horizon %d -> %d d (job)' % (HORIZON_SHORT, HORIZON_LONG),
                                lambda env: env['sehat.treatment.plan'].sehat_extend_horizon(), {},
                                ACTIVATE_TARGET_S, plans=len(ids_a), horizon=HORIZON_LONG))
            rows.append(measure_nothing(registry, NOTHING_RUNS, HORIZON_LONG))

            # batch B: activation at 365 days: the ~60k tasks in one call
            ids_b, report['data']['batch_B'] = create_batch(registry, batches['B'], refs, method, context)
            activate_b = measure(registry, 'activate %d plans, horizon %d d' % (len(ids_b), HORIZON_LONG),
                                 lambda env: env['sehat.treatment.plan'].browse(ids_b).action_activate(), context,
                                 ACTIVATE_TARGET_S, plans=len(ids_b), horizon=HORIZON_LONG)
            activate_b['headline'] = True
            rows.append(activate_b)
            rows.append(diagnostic_activation(registry, ids_b, context, HORIZON_LONG))
            if args.profile or not activate_b['met']:
                report['profiles'].append(profile_activation(registry, ids_b, context))

            overdue_rows, report['overdue'] = measure_overdue(registry, stages, args.overdue_full)
            rows.extend(overdue_rows)
            if (args.profile or not all(row['met'] for row in overdue_rows)) and overdue_rows[-1]['tasks']:
                report['profiles'].append(profile_overdue(registry, stages))
            with registry.cursor() as cr:
                report['data']['bench_tasks'] = bench_task_count(cr)
        finally:
            if not args.keep:
                report['cleanup'] = cleanup(registry, started_utc, doctor_created,
                                            delete_patients=report.get('data', {}).get('patients_source')
                                            == PATIENT_MARKER)
                tables = VACUUM_TABLES + (('res_partner', 'sehat_lifecycle_history')
                                          if report['cleanup'].get('res_partner (patients)') else ())
                report['vacuum_s'] = generate.vacuum(registry, tables)
            restore_horizon(registry, original)
    report['results'] = rows
    report['machine']['loadavg_end'] = os.getloadavg()
    print_report(report, rows)
    if report['profiles']:
        path = os.path.join(benchlib.OUT, 'bench_plans_profile.txt')
        with open(path, 'w') as handle:
            for prof in report['profiles']:
                handle.write('=== %s: %.2f s under cProfile, %d queries (%.1f ms, %.1f queries per %s) ===\n' % (
                    prof['label'], prof['seconds_profiled'], prof['queries'], prof['ms_per_unit'],
                    prof['queries_per_unit'], prof['what']))
                handle.write('SQL statements, most frequent first:\n')
                for item in prof['sql_grouped']:
                    handle.write('  %6d  %s\n' % (item['count'], item['sql']))
                handle.write('\nORM record reads (prefetch of a field missing from the cache), by model.field and '
                             'caller:\n%s\n' % _reads_table(prof))
                for sort, text in sorted(prof['pstats'].items()):
                    handle.write('\n--- sorted by %s ---\n%s\n' % (sort, text))
        print('cProfile: %s' % os.path.relpath(path, benchlib.ROOT))
    path = benchlib.write_json('bench_plans', report)
    print('JSON: %s' % os.path.relpath(path, benchlib.ROOT))
    odoo.sql_db.close_all()


def _reads_table(prof, limit=None):
    return benchlib.table([dict(read, field='%s.%s' % (read['model'], read['field']))
                           for read in prof['record_reads'][:limit]], [
        ('field', 'field read'), ('caller', 'caller'), ('reads', 'reads'), ('records', 'records read'),
        ('seconds', 'seconds')])


def print_report(report, rows):
    data = report.get('data', {})
    print('\nTreatment plans: activation, horizon job and overdue job; each call in its own cursor, committed\n')
    sample = report.get('orm_sample')
    if sample:
        print('Draft plans: 2 x %d (%s), five templates in turn, started over the last %d days; %d patients (%s), '
              '%d doctors. ORM create: %.1f ms / %.1f queries per plan (sample of %d, rolled back).' % (
                  report['plans_per_batch'], 'ORM' if data.get('method') == 'orm' else 'SQL copy of the ORM rows',
                  START_SPREAD_DAYS, data.get('patients', 0), data.get('patients_source'), data.get('doctors', 0),
                  sample['ms_per_plan'], sample['queries_per_plan'], sample['plans']))
    machine = report['machine']
    print('Load average (1, 5, 15 min): start %s, end %s; %s CPUs.\n' % (
        ', '.join('%.2f' % v for v in machine['loadavg_start']), ', '.join('%.2f' % v for v in machine['loadavg_end']),
        machine['cpus']))
    for row in rows:
        row['target'] = '< %g s' % row['target_s']
        row['met_text'] = 'yes' if row['met'] else 'NO'
        row['label'] = row['scenario'] + (' *' if row.get('headline') else '')
    print(benchlib.table(rows, [
        ('label', 'scenario'), ('tasks', 'tasks'), ('seconds', 'seconds'), ('commit_s', 'commit s'),
        ('queries', 'SQL queries'), ('queries_per_plan', 'queries/plan'), ('tasks_per_s', 'tasks/s'),
        ('ms_per_task', 'ms/task'), ('loadavg_1m', 'load 1m'), ('target', 'target'), ('met_text', 'met')]))
    print('\n* the "10k plans, ~60k tasks" number. Tasks: created by the call (overdue job: moved to Overdue, '
          'with one activity each).')
    overdue = report.get('overdue') or {}
    if overdue.get('extrapolated_s') is not None:
        print('Overdue job: %d tasks due in all; measured on %s of them (the others archived meanwhile); '
              't(N) = N x (%.2f ms + %.4f ms x min(N, 1000)) -> all %d: ~%d s (%.1f h), extrapolated.' % (
                  overdue['due'], ', '.join(str(n) for n in overdue['sizes']), overdue['fit_a_ms_per_task'],
                  overdue['fit_b_ms_per_task_per_task'], overdue['due'], overdue['extrapolated_s'],
                  overdue['extrapolated_h']))
    for row in rows:
        if row.get('runs'):
            print('%s: median of %d runs, max %.4f s.' % (row['scenario'], row['runs'], row['max_s']))
    for prof in report.get('profiles', []):
        print('\nProfile (rolled back): %s: %.1f s under cProfile, %.2f ms and %.1f queries per %s. Most frequent SQL:'
              % (prof['label'], prof['seconds_profiled'], prof['ms_per_unit'], prof['queries_per_unit'], prof['what']))
        for item in prof['sql_grouped'][:8]:
            print('  %6d  %s' % (item['count'], item['sql'][:110]))
        print('ORM record reads (prefetch of a field missing from the cache) by model.field and caller:')
        print(_reads_table(prof, 8))
    if report.get('cleanup'):
        print('\nCleanup: %s; VACUUM ANALYZE %ss; horizon parameter back to %s.' % (
            ', '.join('%s %d' % kv for kv in sorted(report['cleanup'].items())), report.get('vacuum_s'),
            report.get('horizon_before')))
    print()


if __name__ == '__main__':
    main()

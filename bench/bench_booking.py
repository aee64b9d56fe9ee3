"""Server time and SQL queries of the slot finder (one busy doctor) and of doctor matching (500 doctors).

What is measured
----------------
Inside Odoo (registry loaded in this process, no HTTP), each call in its own cursor and
environment, as an RPC gets (so no record cache is shared between runs; registry caches are
warm), for admin (superuser) and ``bench_agent_1`` (Sehat User, the call centre):

* ``slots 30d``: ``doctor.sehat_free_slots(days=30)`` of the benchmark doctor, who has 2,000
  booked appointments in those 30 days (models/sehat_doctor.py: ``_free_slots_by_doctor`` =
  ``_busy_by_doctor`` (one query) + ``_calendar_work`` (working hours laid over the days by
  lib/workhours.py, leaves cut out) + lib/slots.py ``free_slots``). Target < 50 ms.
* ``slots 30d limit 30``: the same with ``limit=30``, what the slot picker asks
  (wizard/sehat_appointment_book.py ``MAX_SLOTS``).
* ``match 1 specialty``: ``sehat.doctor.match.sehat_rank()`` (wizard/sehat_doctor_match.py) for
  one specialty (the benchmark doctor's, General Medicine) and a preferred language, among
  500 verified doctors: hard filters on all 500, then ``sehat_availability`` for the
  candidates (~1/20 of the doctors). Target < 200 ms.
* ``match any specialty``: no specialty requested: all 500 doctors are candidates and get
  ``sehat_availability`` (worst case). Target < 200 ms.

The wizards are created (and committed) once per user and scenario; every run browses the
wizard in a fresh environment and calls ``sehat_rank()``, as the web client's button call would.
Per scenario: WARMUP untimed runs, then RUNS timed runs; median and p95 (nearest rank) of the
call's wall time, and its SQL queries (``cursor.sql_log_count`` delta). A target is met when
the p95 is below it. The SQL of one run of each scenario is listed in the JSON. With
``--profile`` (every scenario and user; without it, a scenario that misses its target, for the
first user only) cProfile runs PROFILE_RUNS more calls; the top functions go to the JSON and
to bench/out/bench_booking_profile.txt.

Data (generated here, idempotent: kept and reused by the next run)
-----------------------------------------------------------------
* a ``resource.calendar`` "BENCH Sehat Mon-Sat 09:00-13:00, 14:00-17:00" (doctors' time zone
  Asia/Kolkata), created with the ORM;
* 500 doctors ``BENCH-DOC-0001``..``0500`` (registration number = marker), created with the
  ORM (``sehat.doctor`` create: partner, consultation product), verified by writing
  ``registration_verified`` directly; one or two of the 20 specialties each (round robin), two
  languages, alternating gender, fees 300-1,000. ``BENCH-DOC-0001`` is the benchmark doctor:
  5-minute slots and a daily capacity of 200 (more than a day's 84 slots: capacity never cuts
  the search short); the others 10-minute slots and 24 a day;
* 300 patients (``res.partner``, ``is_patient``, ``ref = 'sehat-bench-booking'``), ORM;
* appointments, named ``BENCH-APPT ...``: 2,000 for the benchmark doctor on the 5-minute grid
  of his working hours on the local days from tomorrow to today + 29 (24-25 working days x 84
  slots = 2,016-2,100 slots, so the days are 95-99% booked; seeded random choice of the slots),
  and 5 per other doctor on his 10-minute grid in the next 7 days (so the 7-day load used by the
  matching is not zero). Why 5-minute slots: 2,000 ten-minute appointments do not fit in 30 days
  of these hours (26 working days x 7 h = 1,092 ten-minute slots), and the doctor exclusion
  constraint forbids overlaps.

The appointments are inserted with set-based SQL (one ``COPY`` into ``calendar_event``): an ORM
create of an appointment checks the booking rules (working hours, overlaps, capacity: several
queries), adds attendees, alarms, followers and chatter messages; 4,500 of them would take
minutes, and the slot finder and the matching read only ``calendar_event`` (start, stop,
doctor, state). The rows get the ORM's defaults (``default_get`` of calendar.event, False for
booleans) plus what the computes would store (``start_datetime``/``stop_datetime``,
``display_start``, ``duration``), state ``booked``; no attendee, alarm or message rows. The
patients are spread so that no patient has two overlapping appointments, and the exclusion
constraints check both rules during the COPY. They are regenerated (deleted and inserted again)
when one of them has started (they must lie in the next 30 days) or their count is not the
expected one; doctors, patients and calendar are created only when missing.

Results: a table on stdout, everything in bench/out/bench_booking.json.
"""
import argparse
import cProfile
import io
import os
import platform
import pstats
import random
import sys
import time
from datetime import datetime, time as clock, timedelta

import pytz

import benchlib
import generate

RUNS = 20
WARMUP = 3
PROFILE_RUNS = 10
TZ = 'Asia/Kolkata'
CALENDAR_NAME = 'BENCH Sehat Mon-Sat 09:00-13:00, 14:00-17:00'
WORK_DAYS = (0, 1, 2, 3, 4, 5)  # Monday..Saturday
WORK_HOURS = ((9, 13), (14, 17))
DOCTORS = 500
DOCTOR_REF = 'BENCH-DOC-%04d'
MAIN_REF = DOCTOR_REF % 1
MAIN_SLOT_MINUTES = 5  # see the docstring: 2,000 ten-minute appointments do not fit in 30 days
MAIN_CAPACITY = 200
MAIN_APPOINTMENTS = 2000
OTHER_SLOT_MINUTES = 10
OTHER_CAPACITY = 24
OTHER_APPOINTMENTS = 5
OTHER_DAYS = 7
PATIENTS = 300
PATIENT_MARKER = 'sehat-bench-booking'
EVENT_PREFIX = 'BENCH-APPT '
SLOT_DAYS = 30
PICKER_LIMIT = 30  # wizard/sehat_appointment_book.py MAX_SLOTS
MATCH_DAYS = 14  # sehat.doctor.match default
SLOTS_TARGET_MS = 50.0
MATCH_TARGET_MS = 200.0
SEED = 42


# --- data ----------------------------------------------------------------------------------
def _orm_env(env):
    return env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True,
                            mail_create_nosubscribe=True, mail_notrack=True, no_reset_password=True))


def ensure_calendar(env):
    Calendar = env['resource.calendar']
    calendar = Calendar.search([('name', '=', CALENDAR_NAME)], limit=1)
    if not calendar:
        calendar = Calendar.create({'name': CALENDAR_NAME, 'attendance_ids': [
            (0, 0, {'name': 'Day %d %02d-%02d' % (day, start, stop), 'dayofweek': str(day),
                    'hour_from': start, 'hour_to': stop})
            for day in WORK_DAYS for start, stop in WORK_HOURS]})
    return calendar


def ensure_patients(env):
    Partner = _orm_env(env)['res.partner'].with_context(active_test=False)
    patients = Partner.search([('ref', '=', PATIENT_MARKER), ('is_patient', '=', True)], order='id')
    for n in range(len(patients) + 1, PATIENTS + 1):
        patients |= Partner.create({'name': 'BENCH Booking Patient %03d' % n, 'is_patient': True,
                                    'ref': PATIENT_MARKER})
    return patients[:PATIENTS]


def doctor_values(env, n, calendar, specialties, languages):
    """Values of bench doctor number ``n`` (1-based): round-robin specialty, a second one for
    every third doctor, English plus one other language, alternating gender."""
    specialty_ids = [specialties[(n - 1) % len(specialties)]]
    if n % 3 == 0:
        specialty_ids.append(specialties[(n + 2) % len(specialties)])
    main = n == 1
    first, last = generate.FIRST_NAMES, generate.LAST_NAMES
    return {
        'name': 'BENCH Dr. %s %s %04d' % (first[n % len(first)], last[(n * 7) % len(last)], n),
        'registration_number': DOCTOR_REF % n,
        'registration_verified': True, 'registration_verified_by': env.uid,
        'registration_verified_date': datetime.utcnow().replace(microsecond=0),
        'specialty_ids': [(6, 0, specialty_ids)],
        'language_ids': [(6, 0, sorted({languages[0], languages[1 + n % (len(languages) - 1)]}))],
        'gender': 'female' if n % 2 else 'male',
        'consultation_fee': 300 + 100 * (n % 8),
        'resource_calendar_id': calendar.id, 'calendar_tz': TZ,
        'slot_minutes': MAIN_SLOT_MINUTES if main else OTHER_SLOT_MINUTES,
        'daily_capacity': MAIN_CAPACITY if main else OTHER_CAPACITY,
    }


def ensure_doctors(registry, uid):
    """The 500 bench doctors (ORM creates of the missing ones, committed every 50). Returns
    ({number: doctor id}, created count)."""
    from odoo import api
    created = 0
    while True:
        with registry.cursor() as cr:
            env = _orm_env(api.Environment(cr, uid, {}))
            Doctor = env['sehat.doctor'].with_context(active_test=False)
            calendar = ensure_calendar(env)
            specialties = env['sehat.specialty'].search([], order='id').ids
            languages = env['sehat.language'].search([], order='id').ids
            bench = [('registration_number', '=like', 'BENCH-DOC-%')]
            existing = {d.registration_number: d for d in Doctor.search(bench)}
            missing = [n for n in range(1, DOCTORS + 1) if DOCTOR_REF % n not in existing]
            for n in missing[:50]:
                Doctor.create(doctor_values(env, n, calendar, specialties, languages))
                created += 1
            if len(missing) > 50:
                continue  # commit this batch, next one
            # an existing set: make sure the benchmark settings hold (someone may have edited them)
            for number, doctor in existing.items():
                n = int(number.rsplit('-', 1)[1])
                wanted = {'registration_verified': True, 'active': True, 'resource_calendar_id': calendar.id,
                          'calendar_tz': TZ, 'slot_minutes': MAIN_SLOT_MINUTES if n == 1 else OTHER_SLOT_MINUTES,
                          'daily_capacity': MAIN_CAPACITY if n == 1 else OTHER_CAPACITY}
                changed = {k: v for k, v in wanted.items()
                           if (doctor[k].id if k == 'resource_calendar_id' else doctor[k]) != v}
                if changed:
                    doctor.with_context(sehat_keep_verification=True).write(changed)
            ids = {int(d.registration_number.rsplit('-', 1)[1]): d.id for d in Doctor.search(bench)}
            return ids, created


def _grid(day, slot_minutes, zone):
    """(start, stop) naive UTC of the slots of a local ``day`` on the doctor's grid (none on Sunday)."""
    if day.weekday() not in WORK_DAYS:
        return
    step = timedelta(minutes=slot_minutes)
    for hour_from, hour_to in WORK_HOURS:
        start, end = [zone.localize(datetime.combine(day, clock(hour))).astimezone(pytz.utc).replace(tzinfo=None)
                      for hour in (hour_from, hour_to)]
        while start + step <= end:
            yield start, start + step
            start += step


def plan_appointments(doctors, patient_ids, now):
    """[(doctor number, start, stop, patient id)]: 2,000 for doctor 1 over the next 30 days, 5 per
    other doctor in the next 7 days; patients rotate so that none has two overlapping visits."""
    zone = pytz.timezone(TZ)
    today = pytz.utc.localize(now).astimezone(zone).date()
    rng = random.Random(SEED)
    horizon = now + timedelta(days=SLOT_DAYS)
    main_slots = [s for offset in range(1, SLOT_DAYS)
                  for s in _grid(today + timedelta(days=offset), MAIN_SLOT_MINUTES, zone)
                  if s[0] > now and s[1] <= horizon]
    if len(main_slots) < MAIN_APPOINTMENTS:
        raise RuntimeError('only %d slots for %d appointments' % (len(main_slots), MAIN_APPOINTMENTS))
    plan = [(1, start, stop) for start, stop in sorted(rng.sample(main_slots, MAIN_APPOINTMENTS))]
    other_slots = [s for offset in range(1, OTHER_DAYS + 1)
                   for s in _grid(today + timedelta(days=offset), OTHER_SLOT_MINUTES, zone)]
    for n in sorted(doctors):
        if n != 1:
            plan.extend((n, start, stop) for start, stop in sorted(rng.sample(other_slots, OTHER_APPOINTMENTS)))
    taken = set()  # (patient, 5-minute bucket)
    turn = 0
    out = []
    for n, start, stop in plan:
        buckets = range(int(start.timestamp()) // 300, -(-int(stop.timestamp()) // 300))
        for attempt in range(len(patient_ids)):
            patient = patient_ids[(turn + attempt) % len(patient_ids)]
            if not any((patient, b) in taken for b in buckets):
                break
        else:
            raise RuntimeError('no free patient at %s' % start)
        turn += attempt + 1
        taken.update((patient, b) for b in buckets)
        out.append((n, start, stop, patient))
    return out


def _event_stats(cr, main_id):
    cr.execute("""SELECT count(*), count(*) FILTER (WHERE doctor_id = %s), min(start)
                    FROM calendar_event WHERE name LIKE %s""", (main_id, EVENT_PREFIX + '%'))
    return cr.fetchone()


def ensure_appointments(registry, uid, doctors):
    """The bench appointments (SQL, see the module docstring). Returns generation stats or None when reused."""
    from odoo import api, fields
    now = datetime.utcnow().replace(microsecond=0)
    expected = MAIN_APPOINTMENTS + OTHER_APPOINTMENTS * (len(doctors) - 1)
    with registry.cursor() as cr:
        total, main, first = _event_stats(cr, doctors[1])
        if total == expected and main == MAIN_APPOINTMENTS and first and fields.Datetime.from_string(first) > now:
            return None
        started = time.perf_counter()
        env = api.Environment(cr, uid, {})
        patients = ensure_patients(env)
        cr.execute('DELETE FROM calendar_event WHERE name LIKE %s', (EVENT_PREFIX + '%',))
        deleted = cr.rowcount
        Event = env['calendar.event']
        defaults = generate.orm_defaults(Event)
        booleans = {name for name, field in Event._fields.items() if field.type == 'boolean'}
        specialty = {d.id: d.specialty_ids[:1].id for d in env['sehat.doctor'].browse(list(doctors.values()))}
        stamp = fields.Datetime.to_string(now)
        rows = []
        for n, start, stop, patient in plan_appointments(doctors, patients.ids, now):
            start_s, stop_s = fields.Datetime.to_string(start), fields.Datetime.to_string(stop)
            row = dict(defaults)
            row.update({
                'name': '%s%04d %s' % (EVENT_PREFIX, n, start_s), 'start': start_s, 'stop': stop_s,
                'start_datetime': start_s, 'stop_datetime': stop_s, 'display_start': start_s,
                'start_date': False, 'stop_date': False, 'allday': False, 'recurrency': False, 'active': True,
                'duration': (stop - start).total_seconds() / 3600.0, 'privacy': 'public', 'show_as': 'busy',
                'state': 'draft', 'doctor_id': doctors[n], 'patient_id': patient,
                'specialty_id': specialty[doctors[n]], 'mode': 'in_person', 'appointment_state': 'booked',
                'user_id': uid, 'create_uid': uid, 'write_uid': uid, 'create_date': stamp, 'write_date': stamp,
            })
            rows.append(row)
        columns = sorted(rows[0])
        generate.check_columns(cr, 'calendar_event', set(columns) | {'id'})
        generate.copy_rows(cr, 'calendar_event', columns, [[row[c] for c in columns] for row in rows],
                           booleans=booleans)
        cr.execute('ANALYZE calendar_event')
        return {'deleted': deleted, 'inserted': len(rows), 'seconds': round(time.perf_counter() - started, 2)}


def ensure_data(registry, uid):
    started = time.perf_counter()
    doctors, created = ensure_doctors(registry, uid)
    events = ensure_appointments(registry, uid, doctors)
    return doctors, {'doctors_created': created, 'appointments': events,
                     'seconds': round(time.perf_counter() - started, 2)}


def data_facts(registry, uid, doctors):
    from odoo import api
    now = datetime.utcnow().replace(microsecond=0)
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        cr.execute("""SELECT count(*) FILTER (WHERE doctor_id = %(main)s AND start >= %(now)s
                                               AND start < %(now)s + interval '30 days'),
                             count(*) FILTER (WHERE doctor_id <> %(main)s), count(DISTINCT patient_id)
                        FROM calendar_event WHERE name LIKE %(prefix)s AND active AND appointment_state = 'booked'""",
                   {'main': doctors[1], 'now': now, 'prefix': EVENT_PREFIX + '%'})
        main_30d, others, patients = cr.fetchone()
        main = env['sehat.doctor'].browse(doctors[1])
        return {'doctors': len(doctors), 'verified_doctors': env['sehat.doctor'].search_count(
                    [('registration_verified', '=', True)]),
                'main_doctor': main.name, 'main_doctor_id': main.id, 'main_slot_minutes': main.slot_minutes,
                'main_daily_capacity': main.daily_capacity, 'main_appointments_next_30d': main_30d,
                'main_specialty': main.specialty_ids[:1].name, 'other_doctors_appointments': others,
                'patients_used': patients}


# --- measurement ---------------------------------------------------------------------------
class Scenario(object):
    def __init__(self, name, target_ms, call, describe):
        self.name, self.target_ms, self.call, self.describe = name, target_ms, call, describe


def slot_scenarios(main_id):
    def slots(limit):
        return lambda env: env['sehat.doctor'].browse(main_id).sehat_free_slots(days=SLOT_DAYS, limit=limit)

    def describe(result):
        return {'slots': len(result), 'first_slot': str(result[0].start) if result else None}
    return [Scenario('slots 30d', SLOTS_TARGET_MS, slots(None), describe),
            Scenario('slots 30d limit %d' % PICKER_LIMIT, SLOTS_TARGET_MS, slots(PICKER_LIMIT), describe)]


def match_scenarios(registry, uid, main_id):
    """Creates (and commits) the two wizards for this user; returns their scenarios and ids."""
    from odoo import api
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        main = env['sehat.doctor'].browse(main_id)
        specialty = main.specialty_ids[:1]
        language = env['sehat.language'].search([], order='id', limit=2)[-1:]
        Match = env['sehat.doctor.match']
        one = Match.create({'specialty_ids': [(6, 0, specialty.ids)], 'language_id': language.id, 'days': MATCH_DAYS})
        anyone = Match.create({'language_id': language.id, 'days': MATCH_DAYS})
        candidates = env['sehat.doctor'].search_count([('registration_verified', '=', True),
                                                       ('specialty_ids', 'in', specialty.ids)])
        total = env['sehat.doctor'].search_count([('registration_verified', '=', True)])

    def rank(wizard_id):
        return lambda env: env['sehat.doctor.match'].browse(wizard_id).sehat_rank()

    def describe(count):
        return lambda result: {'candidates': count, 'ranked': len(result[0]), 'not_proposed': len(result[1]),
                               'best_score': result[0][0][0].score if result[0] else None}
    return [Scenario('match 1 specialty', MATCH_TARGET_MS, rank(one.id), describe(candidates)),
            Scenario('match any specialty', MATCH_TARGET_MS, rank(anyone.id), describe(total))], [one.id, anyone.id]


def run_once(registry, uid, context, call, recorder=False, profiler=None):
    """One call in its own cursor, environments and record cache, like an RPC:
    (seconds, queries, result, sql)."""
    from odoo import api
    with benchlib.request_environments(), registry.cursor() as cr:
        env = api.Environment(cr, uid, context)
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
    return seconds, queries, result, rec.texts() if recorder else None


def measure(registry, uid, context, scenario, runs, warmup):
    for _n in range(warmup):
        run_once(registry, uid, context, scenario.call)
    seconds, queries = [], []
    result = None
    for _n in range(runs):
        took, count, result, _sql = run_once(registry, uid, context, scenario.call)
        seconds.append(took)
        queries.append(count)
    _took, _count, _result, sql = run_once(registry, uid, context, scenario.call, recorder=True)
    out = benchlib.summary_ms(seconds)
    out.update({'queries': max(queries), 'queries_min': min(queries), 'target_ms': scenario.target_ms,
                'met': out['p95_ms'] < scenario.target_ms, 'sql': sql})
    out.update(scenario.describe(result))
    return out


def profile(registry, uid, context, scenario, runs=PROFILE_RUNS, top=25):
    profiler = cProfile.Profile()
    for _n in range(runs):
        run_once(registry, uid, context, scenario.call, profiler=profiler)
    texts = {}
    for sort in ('cumulative', 'tottime'):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(sort).print_stats(top)
        texts[sort] = buf.getvalue()
    return texts


# --- main ------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description='Slot finder and doctor matching: server time and SQL queries.')
    parser.add_argument('--runs', type=int, default=RUNS)
    parser.add_argument('--warmup', type=int, default=WARMUP)
    parser.add_argument('--users', default='admin,agent', help='comma-separated among admin, agent')
    parser.add_argument('--profile', action='store_true', help='cProfile every scenario (default: missed targets)')
    args = parser.parse_args(argv)
    import odoo
    from odoo import SUPERUSER_ID, api
    registry = benchlib.load_registry()
    report = {
        'benchmark': 'bench_booking', 'database': benchlib.bench_db(), 'started': time.strftime('%Y-%m-%d %H:%M:%S'),
        'machine': {'cpus': os.cpu_count(), 'loadavg_start': os.getloadavg(), 'python': platform.python_version()},
        'runs': args.runs, 'warmup': args.warmup, 'results': [], 'profiles': {},
    }
    rows, profiles = [], []
    with api.Environment.manage():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            report['machine']['postgresql'] = cr._cnx.server_version
            agent = generate.ensure_users(env)['agents'][0]
        users = [(label, uid) for label, uid in (('admin', SUPERUSER_ID), ('agent', agent))
                 if label in args.users.split(',')]
        doctors, report['generated'] = ensure_data(registry, SUPERUSER_ID)
        if report['generated']['doctors_created'] or report['generated']['appointments']:
            print('generated: %s' % report['generated'])
        report['data'] = data_facts(registry, SUPERUSER_ID, doctors)
        wizards, profiled = [], set()
        for user, uid in users:
            with registry.cursor() as cr:
                context = api.Environment(cr, uid, {})['res.users'].context_get()
            match, ids = match_scenarios(registry, uid, doctors[1])
            wizards.extend((uid, wizard_id) for wizard_id in ids)
            for scenario in slot_scenarios(doctors[1]) + match:
                result = measure(registry, uid, context, scenario, args.runs, args.warmup)
                result.update({'scenario': scenario.name, 'user': user})
                report['results'].append(result)
                rows.append(result)
                sys.stderr.write('%-6s %-20s median %7.1f ms  p95 %7.1f ms  %3d queries\n' % (
                    user, scenario.name, result['median_ms'], result['p95_ms'], result['queries']))
                sys.stderr.flush()
                if args.profile or (not result['met'] and scenario.name not in profiled):
                    profiled.add(scenario.name)  # a missed target: profiled once (first user)
                    texts = profile(registry, uid, context, scenario)
                    report['profiles']['%s / %s' % (user, scenario.name)] = texts
                    profiles.append(('%s / %s' % (user, scenario.name), texts))
        for uid, wizard_id in wizards:
            with registry.cursor() as cr:
                api.Environment(cr, uid, {})['sehat.doctor.match'].browse(wizard_id).unlink()
    report['machine']['loadavg_end'] = os.getloadavg()
    print_report(report, rows)
    if profiles:
        path = os.path.join(benchlib.OUT, 'bench_booking_profile.txt')
        with open(path, 'w') as handle:
            for label, texts in profiles:
                for sort, text in sorted(texts.items()):
                    handle.write('=== %s, %d runs, sorted by %s ===\n%s\n' % (label, PROFILE_RUNS, sort, text))
        print('cProfile: %s' % os.path.relpath(path, benchlib.ROOT))
    path = benchlib.write_json('bench_booking', report)
    print('JSON: %s' % os.path.relpath(path, benchlib.ROOT))
    odoo.sql_db.close_all()


def print_report(report, rows):
    data = report['data']
    print('Slot finder and doctor matching: server time of one call, each in its own cursor/environment\n')
    print('%d verified doctors; %s: %d-minute slots, capacity %d/day, %d booked appointments in the next 30 days;'
          ' other doctors: %d appointments; %d patients.' % (
              data['verified_doctors'], data['main_doctor'], data['main_slot_minutes'], data['main_daily_capacity'],
              data['main_appointments_next_30d'], data['other_doctors_appointments'], data['patients_used']))
    machine = report['machine']
    print('Load average (1, 5, 15 min): start %s, end %s; %s CPUs.\n' % (
        ', '.join('%.2f' % v for v in machine['loadavg_start']), ', '.join('%.2f' % v for v in machine['loadavg_end']),
        machine['cpus']))
    for row in rows:
        row['found'] = ('%d slots' % row['slots']) if 'slots' in row else '%d candidates' % row['candidates']
        row['target'] = '< %d ms' % row['target_ms']
        row['met_text'] = 'yes' if row['met'] else 'NO'
    print(benchlib.table(rows, [
        ('scenario', 'scenario'), ('user', 'user'), ('found', 'result'), ('runs', 'runs'),
        ('median_ms', 'median ms'), ('p95_ms', 'p95 ms'), ('min_ms', 'min ms'), ('queries', 'queries'),
        ('target', 'target (p95)'), ('met_text', 'met')]))
    print()


if __name__ == '__main__':
    main()

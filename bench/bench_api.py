"""Capture throughput of the JSON API (POST /api/sehat/v1/leads) on a prefork Odoo (--workers 2).

What is measured
----------------
1. The bench database holds the 200k-lead / 100k-patient data set of bench/generate.py (made
   if needed), so every capture's duplicate look-ups run against production-size tables.
2. Odoo itself is started (``scripts/odoo -d BENCH_DB --db-filter ^BENCH_DB$ --workers 2
   --http-port 8769 --longpolling-port 8772 --max-cron-threads 0``, log in
   bench/out/api_server.log) and polled until /web/login answers.
3. A bearer token is issued over JSON-RPC as admin (``/web/session/authenticate``, then
   ``/web/dataset/call_kw`` ``sehat.api.token.sehat_issue_token``).
4. REQUESTS valid enquiries are POSTed by a pool of THREADS threads (keep-alive connection per
   thread): unique phone numbers, 1-3 symptom codes from the ``sehat_symptom`` catalogue
   (a few red flags, which escalate), and DUPLICATE_SHARE of the requests repeating the phone
   of another request (the same person calling again), sent in random order, so some
   duplicates run concurrently with their original and exercise the capture's advisory lock
   and Odoo's serialization-failure retry.
   WARMUP_REQUESTS enquiries go first, untimed: each prefork worker loads the registry on its
   first request. Sending stops after SEND_BUDGET_S (``--budget``): on a busy machine the requests not sent by
   then are reported as such, and the checks below cover the ones sent.
5. Reported: leads/s (requests / wall time of the sending phase), p50 / p95 / max latency,
   responses by status, serialization retries logged by Odoo; and the checks that nothing was
   lost: every 201 ``lead_id`` exists in the database, leads created == unique phones,
   patients created == unique phones, and the enquiries counted on the leads
   (``enquiry_count``) == 201 responses.
6. The server is stopped at the end (also on error or Ctrl-C), and the leads, patients,
   messages and activities the run created are deleted so other benchmarks see the generated
   data only (``--keep`` keeps them).

Results: a table on stdout, everything in bench/out/bench_api.json.
"""
import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

import benchlib
import generate

HOST = '127.0.0.1'
HTTP_PORT = 8769
LONGPOLLING_PORT = 8772
REQUESTS = 2000
THREADS = 8
WARMUP_REQUESTS = 16          # sent first, not timed (checked like the others)
DUPLICATE_SHARE = 0.10
RED_FLAG_SHARE = 0.03
DATA_LEADS, DATA_PATIENTS = 200000, 100000
START_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 120
SEND_BUDGET_S = 600            # stop sending after this (the run stays bounded on a busy machine)
SOURCE = 'sehat-bench-api'      # utm_source of every enquiry: marks the leads of this benchmark
NAME_PREFIX = 'BenchAPI'       # name of every enquiry: marks the patients of this benchmark
PHONE_PREFIX = '+9181'         # never used by bench/generate.py (+9190 patients, +9191 leads)
LOG = os.path.join(benchlib.OUT, 'api_server.log')


# --- database side (in this process, through the registry) ---------------------------------
def db_cleanup(registry):
    """Delete what earlier runs of this benchmark created (leads, patients, their chatter)."""
    with registry.cursor() as cr:
        deleter = generate.Deleter(cr)
        leads = ("(SELECT l.id FROM crm_lead l JOIN utm_source s ON s.id = l.source_id WHERE s.name = '%s')"
                 % SOURCE)
        # (no parameters: these conditions are pasted into the SQL as they are)
        partners = ("(SELECT id FROM res_partner WHERE is_patient AND name LIKE '%s %%' "
                    "AND phone_e164 LIKE '%s%%')" % (NAME_PREFIX, PHONE_PREFIX))
        for table, column in (('mail_activity', 'res_model'), ('mail_message', 'model'),
                              ('mail_followers', 'res_model')):
            deleter.delete(table, "%s = 'crm.lead' AND res_id IN %s" % (column, leads))
            deleter.delete(table, "%s = 'res.partner' AND res_id IN %s" % (column, partners))
        lead_count = deleter.delete('crm_lead', 'id IN %s' % leads)
        partner_count = deleter.delete('res_partner', 'id IN %s' % partners)
        deleter.delete('utm_source', "name = '%s'" % SOURCE)  # (concurrent first captures may create two)
        cr.execute("SELECT to_regclass('sehat_capture_key')")
        if cr.fetchone()[0]:  # the capture's per-person lock rows
            cr.execute("DELETE FROM sehat_capture_key WHERE key LIKE %s", (PHONE_PREFIX + '%',))
    return partner_count, lead_count


def db_state(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT code, red_flag FROM sehat_symptom WHERE active IS NOT FALSE ORDER BY code")
        symptoms = cr.fetchall()
        cr.execute("SELECT count(*) FROM crm_lead")
        leads = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM res_partner WHERE is_patient")
        patients = cr.fetchone()[0]
    return {'symptoms': symptoms, 'crm_lead_rows': leads, 'patients': patients}


def db_verify(registry, responses, unique_phones):
    created_ids = sorted({r['lead_id'] for r in responses if r['status'] == 201 and r.get('lead_id')})
    with registry.cursor() as cr:
        cr.execute("SELECT id FROM crm_lead WHERE id = ANY(%s)", (created_ids,))
        found = {row[0] for row in cr.fetchall()}
        cr.execute("""SELECT count(*), coalesce(sum(l.enquiry_count), 0), count(DISTINCT l.phone_e164)
                        FROM crm_lead l JOIN utm_source s ON s.id = l.source_id WHERE s.name = %s""", (SOURCE,))
        leads, enquiries, lead_phones = cr.fetchone()
        cr.execute("SELECT count(*) FROM res_partner WHERE is_patient AND name LIKE %s AND phone_e164 LIKE %s",
                   (NAME_PREFIX + ' %', PHONE_PREFIX + '%'))
        patients = cr.fetchone()[0]
    ok_201 = sum(1 for r in responses if r['status'] == 201)
    return {
        'lead_ids_in_responses': len(created_ids),
        'lead_ids_missing_in_db': len(set(created_ids) - found),
        'leads_created': leads, 'patients_created': patients, 'unique_phones': unique_phones,
        'enquiries_counted_on_leads': enquiries, 'responses_201': ok_201,
        'leads_equal_unique_phones': leads == unique_phones and lead_phones == unique_phones,
        'patients_equal_unique_phones': patients == unique_phones,
        'no_lost_enquiry': enquiries == ok_201 == len(responses) and not set(created_ids) - found,
    }


# --- the server -----------------------------------------------------------------------------
class Server(object):
    """Odoo in prefork mode, in its own process group so that stopping it stops every worker."""

    def __init__(self, db):
        self.db, self.process = db, None
        self.url = 'http://%s:%d' % (HOST, HTTP_PORT)

    def start(self):
        for port in (HTTP_PORT, LONGPOLLING_PORT):
            try:
                requests.get('http://%s:%d/' % (HOST, port), timeout=2)
            except requests.ConnectionError:
                continue
            raise RuntimeError('Port %d is already in use: stop what listens there first.' % port)
        if os.path.exists(LOG):
            os.remove(LOG)
        command = [os.path.join(benchlib.ROOT, 'scripts', 'odoo'), '-d', self.db, '--db-filter', '^%s$' % self.db,
                   '--workers', '2', '--http-port', str(HTTP_PORT), '--longpolling-port', str(LONGPOLLING_PORT),
                   '--max-cron-threads', '0', '--logfile', LOG]
        self.process = subprocess.Popen(command, cwd=benchlib.ROOT, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('Odoo exited with code %s while starting: see %s' % (self.process.returncode, LOG))
            try:
                if requests.get(self.url + '/web/login', timeout=5).status_code == 200:
                    return time.time()
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError('Odoo did not answer on %s within %ds: see %s' % (self.url, START_TIMEOUT_S, LOG))

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the server leads its own process group
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        # the prefork workers and the gevent process are in the same group: make sure none is left
        deadline = time.time() + 10
        while time.time() < deadline and _group_alive(pgid):
            time.sleep(0.2)
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def issue_token(url, db):
    session = requests.Session()

    def call(route, params):
        response = session.post(url + route, json={'jsonrpc': '2.0', 'method': 'call', 'params': params, 'id': 1},
                                timeout=60)
        response.raise_for_status()
        body = response.json()
        if body.get('error'):
            raise RuntimeError('%s: %s' % (route, json.dumps(body['error'])[:500]))
        return body['result']

    user = call('/web/session/authenticate', {'db': db, 'login': 'admin', 'password': 'admin'})
    if not user.get('uid'):
        raise RuntimeError('admin/admin could not log in to %s' % db)
    return call('/web/dataset/call_kw', {'model': 'sehat.api.token', 'method': 'sehat_issue_token',
                                         'args': ['Benchmark %s' % time.strftime('%Y-%m-%d %H:%M:%S')],
                                         'kwargs': {}})['token']


# --- the load ---------------------------------------------------------------------------------
def build_enquiries(symptoms, count, duplicate_share, seed):
    """(payloads, unique phone count): unique phones, some repeated (same person, same name)."""
    rng = random.Random(seed)
    red = [code for code, flag in symptoms if flag]
    other = [code for code, flag in symptoms if not flag]
    base = rng.randrange(0, 10 ** 8 - 2 * count)
    unique = count - int(round(count * duplicate_share))
    people = []
    for n in range(unique):
        people.append({'name': '%s %d' % (NAME_PREFIX, n + 1), 'phone': '%s%08d' % (PHONE_PREFIX, base + n)})
    payloads = []
    for n in range(count):
        person = people[n] if n < unique else rng.choice(people)
        codes = rng.sample(other, rng.randint(1, 3))
        if red and rng.random() < RED_FLAG_SHARE:
            codes[0] = rng.choice(red)
        payloads.append(dict(person, symptoms=codes, city=rng.choice(generate.CITIES), age=rng.randint(1, 90),
                             consent_sms=True, utm_source=SOURCE))
    rng.shuffle(payloads)
    return payloads, unique


def send_all(url, token, payloads, threads, budget):
    """POST every payload from ``threads`` threads; after ``budget`` seconds the remaining ones
    are not sent (status 'skipped'), the ones in flight finish."""
    local = threading.local()
    headers = {'Authorization': 'Bearer %s' % token, 'Content-Type': 'application/json'}
    deadline = time.perf_counter() + budget

    def send(payload):
        if not hasattr(local, 'session'):
            local.session = requests.Session()
        start = time.perf_counter()
        result = {'phone': payload['phone']}
        if start > deadline:
            return dict(result, status='skipped', seconds=0.0)
        try:
            response = local.session.post(url + '/api/sehat/v1/leads', data=json.dumps(payload), headers=headers,
                                          timeout=REQUEST_TIMEOUT_S)
            result['status'] = response.status_code
            try:
                body = response.json()
            except ValueError:
                body = {'error': response.text[:200]}
            result.update(lead_id=body.get('lead_id'), duplicate_of=body.get('duplicate_of'),
                          error=body.get('error'))
        except requests.RequestException as err:
            result.update(status='error', error=str(err)[:200])
        result['end'] = time.perf_counter()
        result['seconds'] = result['end'] - start
        return result

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        responses = list(pool.map(send, payloads, timeout=budget + 2 * REQUEST_TIMEOUT_S))
    finished = max([started] + [r['end'] for r in responses if r['status'] != 'skipped'])
    return responses, finished - started


def count_retries():
    if not os.path.exists(LOG):
        return 0
    pattern = re.compile(r'SERIALIZATION_FAILURE, retry|LOCK_NOT_AVAILABLE, retry|DEADLOCK_DETECTED, retry')
    with open(LOG, errors='replace') as handle:
        return sum(1 for line in handle if pattern.search(line))


def main(argv=None):
    parser = argparse.ArgumentParser(description='JSON API capture throughput with --workers 2.')
    parser.add_argument('--requests', type=int, default=REQUESTS)
    parser.add_argument('--threads', type=int, default=THREADS)
    parser.add_argument('--duplicates', type=float, default=DUPLICATE_SHARE, help='share of repeated phones')
    parser.add_argument('--seed', type=int, default=None, help='default: random (fresh phones every run)')
    parser.add_argument('--leads', type=int, default=DATA_LEADS, help='generated leads in the database')
    parser.add_argument('--patients', type=int, default=DATA_PATIENTS)
    parser.add_argument('--keep', action='store_true', help='keep the leads and patients created')
    parser.add_argument('--budget', type=float, default=SEND_BUDGET_S,
                        help='seconds of sending at most (default %(default)s); unsent requests are reported')
    args = parser.parse_args(argv)
    import odoo
    registry = benchlib.load_registry()
    db = benchlib.bench_db()
    stats = generate.ensure(registry, args.patients, args.leads)
    if stats:
        print('generated %d leads / %d patients in %ss' % (args.leads, args.patients, stats['total_s']))
    leftovers = db_cleanup(registry)
    state = db_state(registry)
    payloads, _unique = build_enquiries(state['symptoms'], args.requests + WARMUP_REQUESTS, args.duplicates,
                                        args.seed if args.seed is not None else random.randrange(10 ** 9))
    warmup_payloads, payloads = payloads[:WARMUP_REQUESTS], payloads[WARMUP_REQUESTS:]
    report = {
        'benchmark': 'bench_api', 'database': db, 'started': time.strftime('%Y-%m-%d %H:%M:%S'),
        'machine': {'cpus': os.cpu_count(), 'loadavg_start': os.getloadavg()},
        'server': {'workers': 2, 'http_port': HTTP_PORT, 'max_cron_threads': 0},
        'data': {'crm_lead_rows': state['crm_lead_rows'], 'patients': state['patients'],
                 'deleted_from_earlier_runs': {'patients': leftovers[0], 'leads': leftovers[1]}},
        'load': {'requests': args.requests, 'threads': args.threads},
    }
    server = Server(db)
    previous = signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    try:
        started = time.time()
        ready = server.start()
        report['server']['start_s'] = round(ready - started, 1)
        token = issue_token(server.url, db)
        # warm-up: each prefork worker loads the registry on its first request; not timed
        warmup, _wall = send_all(server.url, token, warmup_payloads, args.threads, args.budget)
        responses, wall = send_all(server.url, token, payloads, args.threads, args.budget)
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    skipped = sum(1 for r in responses if r['status'] == 'skipped')
    responses = [r for r in responses if r['status'] != 'skipped']
    all_sent = warmup + responses
    unique_sent = len({r['phone'] for r in all_sent})
    report['load']['warmup_requests'] = len(warmup)
    report['load'].update(sent=len(responses), not_sent_time_budget=skipped, unique_phones_sent=unique_sent,
                          repeated_phone_requests_sent=len(all_sent) - unique_sent)
    latencies = [r['seconds'] * 1000.0 for r in responses]
    statuses = {}
    for r in responses:
        statuses[str(r['status'])] = statuses.get(str(r['status']), 0) + 1
    report['results'] = {
        'wall_s': round(wall, 2), 'leads_per_s': round(len(responses) / wall, 1),
        'latency_p50_ms': round(statistics.median(latencies), 1),
        'latency_p95_ms': round(benchlib.percentile(latencies, 95), 1),
        'latency_max_ms': round(max(latencies), 1),
        # each of the 2 workers is busy all the time: server time per capture ~ workers * wall / requests
        'server_ms_per_capture': round(2 * wall * 1000.0 / len(responses), 1),
        'statuses': statuses, 'non_201': sum(n for status, n in statuses.items() if status != '201'),
        'merged_responses': sum(1 for r in responses if r['status'] == 201 and r.get('duplicate_of')),
        'serialization_retries': count_retries(),
        'errors_sample': sorted({'%s %s' % (r['status'], r.get('error')) for r in responses
                                 if r['status'] != 201})[:10],
    }
    report['checks'] = db_verify(registry, all_sent, unique_sent)
    if not args.keep:
        deleted = db_cleanup(registry)
        report['data']['deleted_after_run'] = {'patients': deleted[0], 'leads': deleted[1]}
    report['machine']['loadavg_end'] = os.getloadavg()
    print_report(report)
    path = benchlib.write_json('bench_api', report)
    print('\nJSON: %s' % os.path.relpath(path, benchlib.ROOT))
    odoo.sql_db.close_all()


def print_report(report):
    res, checks, load = report['results'], report['checks'], report['load']
    print('JSON API capture: %d POST /api/sehat/v1/leads, %d threads, Odoo --workers 2, database with %d leads / '
          '%d patients\n' % (load['sent'], load['threads'], report['data']['crm_lead_rows'],
                             report['data']['patients']))
    if load['not_sent_time_budget']:
        print('(time budget reached: %d of the %d planned requests were not sent)\n'
              % (load['not_sent_time_budget'], load['requests']))
    print(benchlib.table([dict(res, statuses=', '.join('%s: %d' % kv for kv in sorted(res['statuses'].items())))], [
        ('leads_per_s', 'leads/s'), ('latency_p50_ms', 'p50 ms'), ('latency_p95_ms', 'p95 ms'),
        ('latency_max_ms', 'max ms'), ('server_ms_per_capture', 'server ms/capture'),
        ('non_201', 'non-201'), ('statuses', 'responses'),
        ('merged_responses', 'merged'), ('serialization_retries', 'retries'), ('wall_s', 'wall s')]))
    print()
    print('unique phones %(unique_phones)d, leads created %(leads_created)d, patients created %(patients_created)d, '
          'enquiries counted on the leads %(enquiries_counted_on_leads)d / 201 responses %(responses_201)d, '
          '201 lead_ids missing in the database %(lead_ids_missing_in_db)d (warm-up requests included)' % checks)
    print('no lost enquiry: %s; leads == unique phones: %s; patients == unique phones: %s' % (
        'yes' if checks['no_lost_enquiry'] else 'NO', 'yes' if checks['leads_equal_unique_phones'] else 'NO',
        'yes' if checks['patients_equal_unique_phones'] else 'NO'))
    for line in res['errors_sample']:
        print('  error: %s' % line)


if __name__ == '__main__':
    main()

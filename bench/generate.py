"""Fast generator of Sehat CRM benchmark data: patients (res.partner) and leads (crm.lead).

Usage (Odoo venv; database and config from BENCH_DB / SEHAT_CONF, or -d / -c)::

    .venv/bin/python bench/generate.py --leads 200000 --patients 100000   # replaces generated rows
    .venv/bin/python bench/generate.py --reset                           # only deletes them

Why batched SQL and not the ORM
-------------------------------
Odoo 11 has no batch ``create`` (``@api.model_create_multi`` arrived in Odoo 12): every
``create()`` is one INSERT plus the computes, tracking, mail followers and chatter message,
lifecycle history, the triage and the SLA activity of ``sehat_crm`` -- dozens of queries and
tens of milliseconds per lead, i.e. hours for 200,000 leads. The generator instead builds the
rows in Python (seeded, reproducible) and loads them with PostgreSQL ``COPY`` (one statement
per table), plus ``INSERT ... SELECT`` for the derived lifecycle history: 200k leads and 100k
patients take well under a minute.

Odoo's invariants kept
----------------------
* ids come from the tables' own sequences (``nextval``), so later ORM creates do not collide;
* every stored column with an ORM default gets it (``default_get`` of the model, as ``create``
  does), stored booleans not set are ``False`` (``BaseModel._create`` does the same), and
  ``create_uid/write_uid`` (admin), ``create_date/write_date``, ``company_id`` are filled;
* stored computed fields are written with the values their computes would store: partners'
  ``display_name``, ``commercial_partner_id``, ``commercial_partner_country_id``,
  ``partner_share``, ``phone_e164``, ``profile_completeness/profile_missing`` (computed with the
  add-on's own ``lib.profile``); leads' ``urgency_score/band/rank/reasons``, ``red_flag``
  (scored by the add-on's own ``lib.urgency.score_urgency`` from the generated symptoms, age,
  pregnancy and duration), ``sla_deadline`` (the configured SLA of the band), ``sla_overdue``
  (deadline before the generation time, open leads only), ``day_open``,
  ``day_close``;
* the symptoms are real ``crm_lead_sehat_symptom_rel`` rows from the ``sehat_symptom``
  catalogue, and every patient gets its ``sehat_lifecycle_history`` (capture, then the last
  transition to its current stage);
* one open lead per person: leads ``0..patients-1`` belong to one patient each, the others
  have no patient (callers not registered yet); every lead has its own phone number, so the
  capture's duplicate detection finds nothing to merge;
* ``ANALYZE`` at the end, so the planner knows the new sizes.

Not generated: chatter (``mail_message``, ``mail_followers``), activities, tracking values.
The queue does not read them (``activity_state`` of a lead without activity is simply empty).

Every generated row is marked -- partners ``ref = 'sehat-bench'`` and ``patient_ref``
``BENCH-0000001``..., leads ``referred = 'sehat-bench'`` -- so ``--reset`` (or a new size)
deletes exactly them, and benchmarks can switch between 1k and 200k leads.

Distributions (defaults): urgency bands 3% emergency, 15% urgent, 35% soon, 47% routine of the
leads; 90% open leads, 5% lost (archived), 5% converted to opportunities; 60% unassigned, the
rest spread over five "bench agent" users; enquiry dates uniform over the last 90 days.
"""
import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import date, datetime, timedelta

MARKER = 'sehat-bench'
PATIENT_REF = 'BENCH-%07d'
BAND_SHARES = (('emergency', 0.03), ('urgent', 0.15), ('soon', 0.35), ('routine', 0.47))
BAND_RANGES = {'emergency': (80, 100), 'urgent': (55, 79), 'soon': (30, 54), 'routine': (0, 29)}
LOST_SHARE = 0.05
OPPORTUNITY_SHARE = 0.05
UNASSIGNED_SHARE = 0.60
DAYS_SPREAD = 90
STAGE_SHARES = (('prospect', 0.50), ('qualified', 0.20), ('customer', 0.20), ('loyal', 0.05), ('lapsed', 0.05))
CHANNEL_SHARES = (('phone', 0.45), ('web', 0.25), ('api', 0.15), ('walk_in', 0.10), ('email', 0.05))
AGENT_LOGINS = ['bench_agent_%d' % n for n in range(1, 6)]
MANAGER_LOGIN = 'bench_manager'

FIRST_NAMES = (
    'Aarav Aditi Akash Ananya Anil Anjali Arjun Asha Deepa Deepak Divya Farhan Gaurav Geeta Harish Ishaan '
    'Kavya Kiran Lakshmi Manoj Meera Mohan Nandini Neha Nikhil Pooja Pradeep Priya Rahul Rajesh Ramesh Ritu '
    'Rohan Sanjay Sara Shreya Simran Sunita Suresh Tanvi Usha Varun Vikram Vinod Zoya').split()
LAST_NAMES = (
    'Agarwal Bhat Chatterjee Das Desai Gupta Iyer Jain Joshi Kapoor Khan Kumar Menon Mishra Nair Naidu Patel '
    'Pillai Rao Reddy Saxena Shah Sharma Shetty Singh Sinha Srinivasan Verma Yadav').split()
CITIES = ('Bengaluru Mumbai Delhi Chennai Hyderabad Pune Kolkata Mysuru Mangaluru Hubballi Ahmedabad '
          'Jaipur Lucknow Kochi Coimbatore').split()
BLOOD_GROUPS = ('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')


def _pick(rng, shares):
    roll, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if roll < total:
            return value
    return shares[-1][0]


def copy_rows(cr, table, columns, rows, booleans=()):
    """Load ``rows`` (sequences in ``columns`` order) with one COPY ... FROM STDIN (CSV, empty = NULL).

    Values are ORM-style: False is NULL except in boolean columns (t/f); dates and datetimes
    are written by str() (datetimes have no microseconds, so 'YYYY-MM-DD HH:MM:SS').
    """
    flags = [column in booleans for column in columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    for row in rows:
        writer.writerow([(None if v is None else 't' if v else 'f') if b else (None if v is False else v)
                         for v, b in zip(row, flags)])
    buf.seek(0)
    cr.copy_expert('COPY %s (%s) FROM STDIN WITH (FORMAT csv)' % (table, ', '.join('"%s"' % c for c in columns)),
                   buf)


def reserve_ids(cr, table, count):
    """``count`` ids from the table's own sequence (what INSERT would have used)."""
    if not count:
        return []
    cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table, count))
    return [row[0] for row in cr.fetchall()]


def orm_defaults(model):
    """Column values the ORM's create() would use for the fields we do not set: default_get, then
    False for every stored boolean (BaseModel._create)."""
    columns = {name: field for name, field in model._fields.items()
               if field.store and field.column_type and name != 'id'}
    values = {}
    for name, value in model.default_get(list(columns)).items():
        if name in columns and not isinstance(value, (list, tuple)):
            values[name] = value
    for name, field in columns.items():
        if field.type == 'boolean' and name not in values:
            values[name] = False
    return values


def check_columns(cr, table, filled):
    """Fail loudly on a NOT NULL column without default that the generator does not fill (a new
    required field added by someone else), and list stored columns left empty for information."""
    cr.execute("""SELECT column_name, is_nullable, column_default FROM information_schema.columns
                   WHERE table_name = %s AND table_schema = current_schema()""", (table,))
    missing = [name for name, nullable, default in cr.fetchall()
               if nullable == 'NO' and default is None and name not in filled]
    if missing:
        raise RuntimeError('bench/generate.py does not fill the NOT NULL column(s) %s of %s: add them.'
                           % (', '.join(missing), table))


# --- users ---------------------------------------------------------------------------------
def ensure_users(env):
    """The bench users (created once with the ORM, kept by --reset): five Sehat Users (agents the
    leads are assigned to) and one Sehat Manager. Returns {'agents': [ids], 'manager': id}."""
    Users = env['res.users'].sudo().with_context(no_reset_password=True, active_test=False)
    user_group = env.ref('sehat_crm.group_sehat_user')
    manager_group = env.ref('sehat_crm.group_sehat_manager')
    ids = {}
    for login, group in [(login, user_group) for login in AGENT_LOGINS] + [(MANAGER_LOGIN, manager_group)]:
        user = Users.search([('login', '=', login)], limit=1)
        if not user:
            name = 'Bench Manager' if login == MANAGER_LOGIN else 'Bench Agent %s' % login.rsplit('_', 1)[1]
            user = Users.create({'name': name, 'login': login, 'password': login, 'email': '%s@example.com' % login,
                                 'groups_id': [(6, 0, [group.id])]})
        ids[login] = user.id
    return {'agents': [ids[login] for login in AGENT_LOGINS], 'manager': ids[MANAGER_LOGIN]}


# --- counts and reset ----------------------------------------------------------------------
def counts(cr):
    cr.execute("SELECT count(*) FROM res_partner WHERE ref = %s", (MARKER,))
    patients = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM crm_lead WHERE referred = %s", (MARKER,))
    leads = cr.fetchone()[0]
    return patients, leads


def _superuser(cr):
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cr.fetchone()
    return bool(row and row[0])


def _foreign_keys(cr, referenced=None, referencing=None):
    """Single-column foreign keys as (referencing table, column, referenced table, on delete action)."""
    cr.execute("""
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, c.confdeltype
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1
           AND (%(referenced)s IS NULL OR c.confrelid = %(referenced)s::regclass)
           AND (%(referencing)s IS NULL OR c.conrelid = %(referencing)s::regclass)
         ORDER BY 1, 2""", {'referenced': referenced, 'referencing': referencing})
    return cr.fetchall()


class Deleter(object):
    """Set-based DELETE that applies the foreign keys' ON DELETE actions itself.

    A plain ``DELETE FROM res_partner`` of 100k rows runs ~50 foreign-key triggers per row, some
    of them a sequential scan (``res_partner.insurance_partner_id`` has no index): it takes hours.
    As a superuser the triggers are switched off for the transaction
    (``session_replication_role = replica``) and every referencing table is handled with one
    statement per foreign key instead: CASCADE deletes (recursively), SET NULL updates, RESTRICT /
    NO ACTION refuse when a row still refers to a deleted one. Without superuser rights, the plain
    (slow but correct) DELETE is used.
    """

    def __init__(self, cr):
        self.cr = cr
        self.fast = _superuser(cr)
        self.serial = 0
        self.depth = 0

    def delete(self, table, where, params=()):
        cr = self.cr
        fks = _foreign_keys(cr, referenced=table) if self.fast else None
        if not fks:  # not a superuser, or nothing refers to this table (e.g. a many2many table)
            cr.execute('DELETE FROM %s WHERE %s' % (table, where), params)
            return cr.rowcount
        self.serial += 1
        doomed = 'bench_doomed_%d' % self.serial
        cr.execute('CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT id FROM %s WHERE %s' % (doomed, table, where),
                   params)
        top = not self.depth
        if top:
            cr.execute('SET LOCAL session_replication_role = replica')
        self.depth += 1
        try:
            for child, column, _parent, action in fks:
                condition = '%s IN (SELECT id FROM %s)' % (column, doomed)
                if child == table:  # self reference: rows outside the deleted set only
                    condition += ' AND id NOT IN (SELECT id FROM %s)' % doomed
                if action == 'c':
                    self.delete(child, condition)
                elif action in ('n', 'd'):
                    cr.execute('UPDATE %s SET %s = %s WHERE %s' % (
                        child, column, 'NULL' if action == 'n' else 'DEFAULT', condition))
                else:
                    cr.execute('SELECT count(*) FROM %s WHERE %s' % (child, condition))
                    if cr.fetchone()[0]:
                        raise RuntimeError('Cannot delete the generated %s rows: %s.%s still refers to them.'
                                           % (table, child, column))
            cr.execute('DELETE FROM %s WHERE id IN (SELECT id FROM %s)' % (table, doomed))
            count = cr.rowcount
        finally:
            self.depth -= 1
        if top:  # (SET LOCAL: an error aborts the transaction, which ends the setting too)
            cr.execute('SET LOCAL session_replication_role = DEFAULT')
        cr.execute('DROP TABLE %s' % doomed)
        return count


def check_foreign_keys(cr, table, rows):
    """The foreign-key checks of rows loaded with the triggers off, done set-based: for each
    foreign key of ``table``, the distinct values written must all exist in the referenced table."""
    for _child, column, parent, _action in _foreign_keys(cr, referencing=table):
        values = {row[column] for row in rows if row.get(column)}
        if not values:
            continue
        cr.execute('SELECT count(*) FROM %s WHERE id = ANY(%%s)' % parent, (sorted(values),))
        found = cr.fetchone()[0]
        if found != len(values):
            raise RuntimeError('%d value(s) of %s.%s refer to a missing %s row.'
                               % (len(values) - found, table, column, parent))


def reset(cr):
    """Delete every generated row (and anything the ORM may have hung on them since).

    Returns (patients, leads) deleted.
    """
    deleter = Deleter(cr)
    leads = "(SELECT id FROM crm_lead WHERE referred = '%s')" % MARKER
    partners = "(SELECT id FROM res_partner WHERE ref = '%s')" % MARKER
    for table, column in (('mail_activity', 'res_model'), ('mail_message', 'model'), ('mail_followers', 'res_model')):
        deleter.delete(table, "%s = 'crm.lead' AND res_id IN %s" % (column, leads))
        deleter.delete(table, "%s = 'res.partner' AND res_id IN %s" % (column, partners))
    lead_count = deleter.delete('crm_lead', 'referred = %s', (MARKER,))
    partner_count = deleter.delete('res_partner', 'ref = %s', (MARKER,))
    return partner_count, lead_count


# --- generation ----------------------------------------------------------------------------
class Context(object):
    """Reference data read once through the ORM."""

    def __init__(self, env, users):
        from odoo.addons.sehat_crm.lib import urgency
        self.urgency = urgency
        self.uid = env.uid
        self.company_id = env.user.company_id.id
        self.country_id = (env.user.company_id.country_id or env.ref('base.in')).id
        Team = env['crm.team'].sudo()
        self.team_id = Team._get_default_team_id(user_id=env.ref('base.user_root').id).id
        website = env.ref('sales_team.salesteam_website_sales', raise_if_not_found=False)
        self.web_team_id = website.id if website else self.team_id
        stages = env['crm.stage'].sudo().search([], order='sequence, id')
        self.stages = [(s.id, s.probability) for s in stages]
        # in the model's _order: the compute passes symptom_ids in that order, and the first of
        # equal weights counts in full (lib.urgency), so the reasons text depends on it
        self.symptoms = [urgency.Symptom(s.code, s.name, s.urgency_weight, s.red_flag) + (s.id,)
                         for s in env['sehat.symptom'].sudo().search([])]
        self.symptom_rank = {s[0]: n for n, s in enumerate(self.symptoms)}
        self.symptom_id = {s[0]: s[4] for s in self.symptoms}
        self.red = [s for s in self.symptoms if s[3]]
        self.mild = [s for s in self.symptoms if not s[3] and s[2] <= 20]
        Lead = env['crm.lead'].sudo()
        self.sla = {band: Lead._sla_minutes(band) for band in urgency.BANDS}
        self.required = env['res.partner'].sudo()._profile_required_fields()
        self.languages = env['sehat.language'].sudo().search([]).ids or [None]
        self.agents = users['agents']
        self.agent_names = {user.id: user.name for user in env['res.users'].sudo().browse(self.agents)}
        self.lead_defaults = orm_defaults(Lead)
        self.partner_defaults = orm_defaults(env['res.partner'].sudo())
        from odoo.addons.sehat_crm.lib.profile import completeness
        self.completeness = completeness
        self.partner_fields = env['res.partner']._fields
        self.env = env

    def profile_completeness(self, profile):
        """lib.profile.completeness fed exactly as ResPartner._compute_profile_completeness feeds it:
        lists of ids for relational fields (empty when unset), False for empty values."""
        values = {}
        for name, _label in self.required:
            field, value = self.partner_fields[name], profile.get(name)
            if field.relational:
                value = list(value) if isinstance(value, (list, tuple)) else ([value] if value else [])
            elif isinstance(value, date):
                value = value.strftime('%Y-%m-%d')
            values[name] = False if value is None else value
        return self.completeness(values, self.required)


def _age(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _patients(ctx, rng, ids, first_leads, now):
    """Rows of res_partner, plus per patient (age or None, pregnant) for the lead scoring."""
    today = now.date()
    rows, facts = [], []
    for n, pid in enumerate(ids):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = '%s %s' % (first, last)
        created = first_leads[n] if n < len(first_leads) else now - timedelta(seconds=rng.randrange(365 * 86400))
        stage = _pick(rng, STAGE_SHARES)
        complete = stage != 'prospect'
        phone = '+9190%08d' % (n + 1)
        gender = rng.choice(('female', 'male')) if complete or rng.random() < 0.6 else None
        born = None
        if complete or rng.random() < 0.6:
            born = today - timedelta(days=rng.randrange(365, 85 * 365))
        pregnant = bool(gender == 'female' and born and 18 <= _age(born, today) <= 40 and rng.random() < 0.05)
        profile = {
            'birthdate': born, 'gender': gender, 'mobile': phone, 'email': None,
            'city': rng.choice(CITIES) if complete or rng.random() < 0.7 else None,
            'blood_group': rng.choice(BLOOD_GROUPS) if complete or rng.random() < 0.3 else None,
            'allergies': 'None known' if complete or rng.random() < 0.3 else None,
            'preferred_language_id': rng.choice(ctx.languages) if complete or rng.random() < 0.4 else None,
            'emergency_contact_name': '%s %s' % (rng.choice(FIRST_NAMES), last) if complete else None,
            'emergency_contact_phone': '+9199%08d' % (n + 1) if complete else None,
        }
        if rng.random() < 0.5:
            profile['email'] = '%s.%s.%d@example.com' % (first.lower(), last.lower(), n + 1)
        percent, missing = ctx.profile_completeness(profile)
        if not complete and percent == 100:
            profile['allergies'] = None  # a prospect with a complete profile would be Qualified
            percent, missing = ctx.profile_completeness(profile)
        row = dict(ctx.partner_defaults)
        row.update(profile)
        row.update({
            'id': pid, 'name': name, 'display_name': name, 'company_id': ctx.company_id,
            'country_id': ctx.country_id, 'commercial_partner_id': pid,
            'commercial_partner_country_id': ctx.country_id, 'partner_share': True, 'customer': True,
            'is_patient': True, 'patient_ref': PATIENT_REF % (n + 1), 'ref': MARKER, 'phone_e164': phone,
            'pregnant': pregnant, 'profile_completeness': percent, 'profile_missing': ', '.join(missing) or None,
            'lifecycle_stage': stage, 'lifecycle_date': created + timedelta(days=2) if complete else created,
            'create_uid': ctx.uid, 'write_uid': ctx.uid, 'create_date': created, 'write_date': created,
        })
        rows.append(row)
        facts.append((_age(born, today) if born else None, pregnant, row))
    return rows, facts


def _choose_symptoms(ctx, rng, band, bonus):
    """Symptoms (and the sudden-onset flag) that put a lead with ``bonus`` modifier points in ``band``."""
    low, high = BAND_RANGES[band]
    if band == 'emergency':
        if bonus >= 10 and rng.random() < 0.2:
            pool = [s for s in ctx.symptoms if not s[3] and s[2] + bonus + 5 >= 80]
            if pool:
                return [rng.choice(pool)], True
        return [rng.choice(ctx.red)] + ([rng.choice(ctx.mild)] if rng.random() < 0.3 else []), rng.random() < 0.5
    pool = [s for s in ctx.symptoms if not s[3] and low <= s[2] + bonus <= high - 3]
    if not pool:
        pool = [min((s for s in ctx.symptoms if not s[3]), key=lambda s: abs(s[2] + bonus - low))]
    primary = rng.choice(pool)
    chosen = [primary]
    if rng.random() < 0.3:
        second = rng.choice(ctx.mild)
        if second[0] != primary[0] and second[2] <= primary[2]:
            chosen.append(second)
    return chosen, False


def _leads(ctx, rng, ids, patients, facts, enquiries, now):
    """Rows of crm_lead and of crm_lead_sehat_symptom_rel."""
    urgency = ctx.urgency
    rows, rel = [], []
    for n, lid in enumerate(ids):
        enquiry = enquiries[n]
        patient = facts[n] if n < len(facts) else None
        if patient:
            age, pregnant, partner = patient
            name, phone, email, city = partner['name'], partner['mobile'], partner['email'], partner['city']
            lead_age = 0
        else:
            name = '%s %s' % (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
            phone, email, city = '+9191%08d' % (n + 1), None, rng.choice(CITIES)
            age = lead_age = rng.choice((0, rng.randrange(1, 90)))
            age = age or None
            pregnant = False
        band = _pick(rng, BAND_SHARES)
        bonus = (10 if age is not None and age >= 65 else 15 if age is not None and age < 2 else 0)
        bonus += 10 if pregnant else 0
        chosen, sudden = _choose_symptoms(ctx, rng, band, bonus)
        chosen.sort(key=lambda s: ctx.symptom_rank[s[0]])
        duration = 0.5 if sudden else float(rng.randrange(1, 31))
        result = urgency.score_urgency([s[:4] for s in chosen], age=age, pregnant=pregnant, duration_days=duration)
        kind = rng.random()
        lead_type, active = 'lead', True
        stage_id, probability = ctx.stages[0] if ctx.stages else (None, 10.0)
        user_id = None if rng.random() < UNASSIGNED_SHARE else rng.choice(ctx.agents)
        date_closed = date_conversion = None
        if kind < LOST_SHARE:
            active, probability = False, 0.0
        elif kind < LOST_SHARE + OPPORTUNITY_SHARE and len(ctx.stages) > 1:
            lead_type = 'opportunity'
            stage_id, probability = rng.choice(ctx.stages[1:])
            user_id = user_id or rng.choice(ctx.agents)
            date_conversion = enquiry + timedelta(hours=rng.randrange(1, 72))
            date_closed = date_conversion if probability >= 100 else None
        channel = _pick(rng, CHANNEL_SHARES)
        deadline = enquiry + timedelta(minutes=ctx.sla[result.band])
        symptom_names = ', '.join(s[1] for s in chosen)
        row = dict(ctx.lead_defaults)
        row.update({
            'id': lid, 'type': lead_type, 'active': active, 'name': '%s: %s' % (name, symptom_names),
            'contact_name': name, 'partner_id': patient[2]['id'] if patient else None,
            'mobile': phone, 'phone_e164': phone, 'email_from': email, 'city': city,
            'country_id': ctx.country_id, 'company_id': ctx.company_id,
            'team_id': ctx.web_team_id if channel == 'web' else ctx.team_id, 'user_id': user_id,
            'assignee_name': ctx.agent_names.get(user_id),
            'stage_id': stage_id, 'probability': probability, 'channel': channel,
            'priority': _pick(rng, (('0', 0.7), ('1', 0.2), ('2', 0.08), ('3', 0.02))),
            'referred': MARKER, 'enquiry_date': enquiry, 'enquiry_count': 1,
            'symptom_duration_days': duration, 'patient_age': lead_age, 'pregnant': False,
            'urgency_score': result.score, 'urgency_band': result.band, 'urgency_rank': result.rank,
            'urgency_reasons': '\n'.join(result.reasons), 'red_flag': bool(result.red_flags),
            'sla_deadline': deadline,
            'sla_overdue': lead_type == 'lead' and active and deadline < now,
            'date_open': enquiry, 'day_open': 0.0, 'date_last_stage_update': date_conversion or enquiry,
            'date_conversion': date_conversion, 'date_closed': date_closed,
            'day_close': (date_closed - enquiry).days if date_closed else 0.0,
            'create_uid': ctx.uid, 'write_uid': ctx.uid, 'create_date': enquiry, 'write_date': enquiry,
        })
        rows.append(row)
        rel.extend((lid, s[4]) for s in chosen)
    return rows, rel


def _write(cr, model, rows):
    """COPY the rows into the model's table. As a superuser, with the foreign-key triggers off
    (one trigger call per row and key otherwise) and the same checks done set-based afterwards."""
    table = model._table
    columns = sorted(rows[0]) if rows else []
    check_columns(cr, table, set(columns) | {'id'})
    booleans = {name for name, field in model._fields.items() if field.type == 'boolean'}
    if not rows:
        return
    fast = _superuser(cr)
    if fast:
        cr.execute('SET LOCAL session_replication_role = replica')
    copy_rows(cr, table, columns, ([row.get(c) for c in columns] for row in rows), booleans)
    if fast:  # (SET LOCAL: an error aborts the transaction, which ends the setting too)
        cr.execute('SET LOCAL session_replication_role = DEFAULT')
        check_foreign_keys(cr, table, rows)


LIFECYCLE_SQL = """
INSERT INTO sehat_lifecycle_history (partner_id, from_stage, to_stage, date, user_id, trigger, days_in_previous,
                                     create_uid, create_date, write_uid, write_date)
SELECT id, NULL, 'prospect', create_date, %(uid)s, 'captured', 0, %(uid)s, create_date, %(uid)s, create_date
  FROM res_partner WHERE ref = %(marker)s
UNION ALL
SELECT id,
       CASE lifecycle_stage WHEN 'qualified' THEN 'prospect' WHEN 'customer' THEN 'prospect' ELSE 'customer' END,
       lifecycle_stage, lifecycle_date, %(uid)s,
       CASE lifecycle_stage WHEN 'qualified' THEN 'profile_complete' WHEN 'customer' THEN 'appointment_booked'
                            WHEN 'loyal' THEN 'loyalty_reached' ELSE 'no_recent_visit' END,
       round((extract(epoch FROM lifecycle_date - create_date) / 86400.0)::numeric, 2),
       %(uid)s, lifecycle_date, %(uid)s, lifecycle_date
  FROM res_partner WHERE ref = %(marker)s AND lifecycle_stage <> 'prospect'
"""


def generate(env, patients, leads, seed=42, now=None):
    """Insert ``patients`` patients and ``leads`` leads (on top of what exists). Returns stats."""
    cr = env.cr
    started = time.time()
    users = ensure_users(env)
    ctx = Context(env, users)
    rng = random.Random(seed)
    now = (now or datetime.utcnow()).replace(microsecond=0)
    enquiries = sorted(now - timedelta(seconds=rng.randrange(DAYS_SPREAD * 86400)) for _n in range(leads))
    rng.shuffle(enquiries)
    partner_ids = reserve_ids(cr, 'res_partner', patients)
    partner_rows, facts = _patients(ctx, rng, partner_ids, enquiries[:patients], now)
    lead_ids = reserve_ids(cr, 'crm_lead', leads)
    lead_rows, rel = _leads(ctx, rng, lead_ids, partner_rows, facts, enquiries, now)
    built = time.time()
    steps = {}
    _write(cr, env['res.partner'], partner_rows)
    steps['copy_res_partner_s'] = round(time.time() - built, 2)
    _write(cr, env['crm.lead'], lead_rows)
    steps['copy_crm_lead_s'] = round(time.time() - built - sum(steps.values()), 2)
    copy_rows(cr, 'crm_lead_sehat_symptom_rel', ('lead_id', 'symptom_id'), rel)
    steps['copy_symptom_rel_s'] = round(time.time() - built - sum(steps.values()), 2)
    cr.execute(LIFECYCLE_SQL, {'uid': ctx.uid, 'marker': MARKER})
    history = cr.rowcount
    steps['insert_history_s'] = round(time.time() - built - sum(steps.values()), 2)
    loaded = time.time()
    for table in ('res_partner', 'crm_lead', 'crm_lead_sehat_symptom_rel', 'sehat_lifecycle_history'):
        cr.execute('ANALYZE %s' % table)
    env.cache.invalidate()
    bands = {}
    for row in lead_rows:
        bands[row['urgency_band']] = bands.get(row['urgency_band'], 0) + 1
    return {
        'patients': patients, 'leads': leads, 'symptom_links': len(rel), 'lifecycle_history': history,
        'open_leads': sum(1 for r in lead_rows if r['active'] and r['type'] == 'lead'),
        'bands': bands, 'seed': seed,
        'build_s': round(built - started, 2), 'load_s': round(loaded - built, 2),
        'analyze_s': round(time.time() - loaded, 2), 'total_s': round(time.time() - started, 2),
        'steps': steps,
    }


VACUUM_TABLES = ('crm_lead', 'res_partner', 'crm_lead_sehat_symptom_rel', 'sehat_lifecycle_history')


def vacuum(registry, tables=VACUUM_TABLES):
    """VACUUM ANALYZE ``tables`` (by default those this generator deletes from / loads into),
    outside a transaction; returns the seconds it took.

    After a reset the 200k deleted rows stay as dead tuples in the tables and their indexes until
    autovacuum comes by: every index scan of the queue would wade through them (a search_count of
    the 1k queue took 190 ms instead of 1 ms). Vacuuming also sets the visibility map, so the
    benchmarks start from the state a production database is normally in."""
    started = time.perf_counter()
    with registry.cursor() as cr:
        cr.autocommit(True)
        for table in tables:
            cr.execute('VACUUM ANALYZE %s' % table)
    return round(time.perf_counter() - started, 2)


def ensure(registry, patients, leads, seed=42):
    """Make the generated data exactly ``patients`` / ``leads`` (regenerates when the sizes differ),
    committed and vacuumed. Returns None when nothing had to change, else the stats of generate()."""
    from odoo import SUPERUSER_ID, api
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        ensure_users(env)
        if counts(cr) == (patients, leads):
            return None
        reset(cr)
        stats = generate(env, patients, leads, seed=seed)
    stats['vacuum_s'] = vacuum(registry)
    return stats


def main(argv=None):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import benchlib
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-d', '--database', default=benchlib.bench_db())
    parser.add_argument('-c', '--config', default=benchlib.bench_conf())
    parser.add_argument('--patients', type=int, default=None, help='default: half the leads')
    parser.add_argument('--leads', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--reset', action='store_true', help='only delete the generated rows')
    args = parser.parse_args(argv)
    import odoo
    from odoo import SUPERUSER_ID, api
    registry = benchlib.load_registry(args.database, args.config)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {'lang': 'en_US'})
        print('deleted %d generated patients and %d generated leads' % reset(cr))
        if not args.reset:
            patients = args.leads // 2 if args.patients is None else args.patients
            stats = generate(env, patients, args.leads, seed=args.seed)
            print('generated %(patients)d patients, %(leads)d leads (%(open_leads)d open), %(symptom_links)d '
                  'symptom links, %(lifecycle_history)d history rows in %(total_s)ss (build %(build_s)ss, '
                  'COPY %(load_s)ss, ANALYZE %(analyze_s)ss)' % stats)
            print('load steps: %s' % ', '.join('%s %s' % kv for kv in sorted(stats['steps'].items())))
            print('bands: %s' % ', '.join('%s %d' % (b, stats['bands'].get(b, 0))
                                          for b in ('emergency', 'urgent', 'soon', 'routine')))
    print('VACUUM ANALYZE in %ss' % vacuum(registry))
    odoo.sql_db.close_all()


if __name__ == '__main__':
    main()

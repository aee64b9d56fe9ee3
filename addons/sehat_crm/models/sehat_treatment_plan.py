"""Treatment plans: a doctor's follow-up schedule becomes dated call-centre tasks.

Tasks are ``project.task`` records of the "Patient follow-ups" project, one per occurrence of
a plan line (unique on line and occurrence number). They are inserted with set-based SQL:
Odoo 11 has no batch create, and a plan activation or the daily horizon extension may create
tens of thousands of tasks; the insert sets every column the ORM's create would (defaults,
the stored computed fields' values for a new unassigned task), without followers or chatter
messages, and ON CONFLICT DO NOTHING makes it idempotent, also for two workers at once.
"""
import logging
from datetime import date, timedelta

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import plans as plans_lib
from .sql_errors import expected_sql_errors

_logger = logging.getLogger(__name__)

CLINICAL = 'sehat_crm.group_sehat_doctor'
UNITS = [('days', 'Days'), ('weeks', 'Weeks'), ('months', 'Months')]
PLAN_STATES = [('draft', 'Draft'), ('active', 'Active'), ('completed', 'Completed'), ('cancelled', 'Cancelled')]
DEFAULT_HORIZON_DAYS = 90
BULK_TRACKING_LIMIT = 100  # plans activated in one call above this: no chatter tracking (imports)
SCHEDULE_FIELDS = ('interval_number', 'interval_unit', 'occurrences', 'end_date', 'lead_days')


class SehatTreatmentPlanTemplate(models.Model):
    _name = 'sehat.treatment.plan.template'
    _description = 'Treatment plan template'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    condition_id = fields.Many2one('sehat.condition', string='Condition')
    description = fields.Text(translate=True)
    line_ids = fields.One2many('sehat.treatment.plan.template.line', 'template_id', string='Follow-ups', copy=True)
    active = fields.Boolean(default=True)

    def _plan_line_commands(self):
        """One2many commands creating a plan's lines from this template's lines."""
        self.ensure_one()
        return [(0, 0, {
            'sequence': line.sequence, 'product_id': line.product_id.id, 'specialty_id': line.specialty_id.id,
            'interval_number': line.interval_number, 'interval_unit': line.interval_unit,
            'occurrences': line.occurrences, 'lead_days': line.lead_days, 'instructions': line.instructions,
        }) for line in self.line_ids]


class ScheduleMixin(models.AbstractModel):
    """What a plan line and a template line share: the service and its schedule."""
    _name = 'sehat.treatment.schedule.mixin'
    _description = 'Follow-up schedule'

    sequence = fields.Integer(default=10)
    product_id = fields.Many2one('product.product', string='Service', required=True,
                                 domain=[('type', '=', 'service')], ondelete='restrict')
    specialty_id = fields.Many2one('sehat.specialty', string='Specialty')
    interval_number = fields.Integer(string='Every', required=True, default=1)
    interval_unit = fields.Selection(UNITS, string='Unit', required=True, default='months')
    occurrences = fields.Integer(string='Times', help='How many follow-ups; leave 0 to use an end date.')
    lead_days = fields.Integer(string='Call days before', default=7,
                               help='The call centre calls this many days before the due date to book.')
    instructions = fields.Text(help='What the call centre tells the patient (preparation, fasting...).')

    @api.constrains('interval_number', 'occurrences', 'lead_days')
    def _check_schedule(self):
        for line in self:
            try:
                plans_lib.check_line(date(2000, 1, 1), line.interval_number, line.interval_unit,
                                     line.occurrences or None, date(2100, 1, 1) if not line.occurrences else None,
                                     line.lead_days)
            except ValueError as err:
                raise ValidationError(_('%(service)s: %(error)s.') % {'service': line.product_id.name, 'error': err})


class SehatTreatmentPlanTemplateLine(models.Model):
    _name = 'sehat.treatment.plan.template.line'
    _inherit = 'sehat.treatment.schedule.mixin'
    _description = 'Treatment plan template line'
    _order = 'template_id, sequence, id'

    template_id = fields.Many2one('sehat.treatment.plan.template', required=True, ondelete='cascade')


class SehatTreatmentPlan(models.Model):
    _name = 'sehat.treatment.plan'
    _inherit = ['mail.thread']
    _description = 'Treatment plan'
    _order = 'start_date desc, id desc'

    name = fields.Char(required=True, default=lambda self: _('New plan'), track_visibility='onchange')
    patient_id = fields.Many2one('res.partner', string='Patient', required=True, index=True, ondelete='restrict',
                                 domain=[('is_patient', '=', True)], track_visibility='onchange')
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', required=True, ondelete='restrict',
                                track_visibility='onchange')
    condition_id = fields.Many2one('sehat.condition', string='Condition', track_visibility='onchange')
    template_id = fields.Many2one('sehat.treatment.plan.template', string='Template')
    event_id = fields.Many2one('calendar.event', string='From appointment', ondelete='set null')
    diagnosis = fields.Text(groups=CLINICAL, help='Clinical: seen by doctors only, not by the call centre.')
    clinical_notes = fields.Text(groups=CLINICAL)
    start_date = fields.Date(required=True, default=fields.Date.context_today, track_visibility='onchange')
    state = fields.Selection(PLAN_STATES, default='draft', required=True, index=True, track_visibility='onchange')
    close_reason = fields.Char(readonly=True, track_visibility='onchange')
    line_ids = fields.One2many('sehat.treatment.plan.line', 'plan_id', string='Follow-ups', copy=True)
    task_ids = fields.One2many('project.task', 'sehat_plan_id', string='Follow-up tasks')
    task_count = fields.Integer(compute='_compute_adherence')
    due_count = fields.Integer(string='Due', compute='_compute_adherence')
    fulfilled_count = fields.Integer(string='Fulfilled', compute='_compute_adherence')
    adherence = fields.Float(string='Adherence (%)', compute='_compute_adherence', digits=(5, 1))

    def _compute_adherence(self):
        today = fields.Date.context_today(self)
        counts = {}
        if self.ids:
            self.env.cr.execute("""
                SELECT sehat_plan_id, count(*),
                       count(*) FILTER (WHERE sehat_due_date <= %s AND (sehat_fulfilled OR sehat_close_reason IS NULL)),
                       count(*) FILTER (WHERE sehat_due_date <= %s AND sehat_fulfilled)
                  FROM project_task WHERE sehat_plan_id IN %s GROUP BY 1
            """, (today, today, tuple(self.ids)))
            counts = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for plan in self:
            total, due, done = counts.get(plan.id, (0, 0, 0))
            plan.task_count, plan.due_count, plan.fulfilled_count = total, due, done
            plan.adherence = plans_lib.adherence(due, done) or 0.0

    @api.onchange('template_id')
    def _onchange_template(self):
        template = self.template_id
        if template:
            self.condition_id = template.condition_id
            self.line_ids = [(5, 0, 0)] + template._plan_line_commands()
            if self.name in (False, _('New plan')):
                self.name = template.name

    @api.model
    def create(self, vals):
        if vals.get('template_id') and not vals.get('line_ids'):
            template = self.env['sehat.treatment.plan.template'].browse(vals['template_id'])
            vals = dict(vals, line_ids=template._plan_line_commands())
            vals.setdefault('condition_id', template.condition_id.id)
            if vals.get('name') in (None, False, _('New plan')):
                vals['name'] = template.name
        return super(SehatTreatmentPlan, self).create(vals)

    @api.constrains('patient_id')
    def _check_patient(self):
        for plan in self:
            if not plan.patient_id.is_patient:
                raise ValidationError(_('%(name)s is not registered as a patient: a treatment plan is for a patient.')
                                      % {'name': plan.patient_id.name})

    # --- states ---------------------------------------------------------------------------
    def action_activate(self):
        for plan in self:
            if plan.state != 'draft':
                raise UserError(_('Only a draft plan can be activated.'))
            if not plan.line_ids:
                raise UserError(_('Add at least one follow-up to the plan before activating it.'))
        # A doctor activates a plan or a few: each plan's chatter records it. Activating thousands
        # at once (an import of plans from another system) would post thousands of tracking
        # messages, 30 queries each: there the state is written without chatter tracking.
        plans = self if len(self) <= BULK_TRACKING_LIMIT else self.with_context(tracking_disable=True)
        plans.write({'state': 'active'})
        if plans is not self:
            _logger.info('activated %d treatment plans at once, without chatter tracking', len(self))
        self.env['sehat.treatment.plan.line'].sehat_generate(self.mapped('line_ids'))
        return True

    def action_complete(self):
        return self._close('completed', _('Plan completed'))

    def action_cancel(self):
        reason = self.env.context.get('sehat_close_reason')
        if not reason:
            raise UserError(_('Give a reason to cancel a treatment plan.'))
        return self._close('cancelled', reason)

    def _close(self, state, reason):
        for plan in self:
            if plan.state not in ('draft', 'active'):
                raise UserError(_('%(plan)s is already closed.') % {'plan': plan.name})
        self.write({'state': state, 'close_reason': reason})
        open_tasks = self.env['project.task'].sudo().search([
            ('sehat_plan_id', 'in', self.ids), ('sehat_fulfilled', '=', False), ('sehat_close_reason', '=', False)])
        open_tasks._sehat_close(reason)
        return True

    def action_view_tasks(self):
        self.ensure_one()
        action = self.env.ref('sehat_crm.action_followup_tasks').read()[0]
        action['domain'] = [('sehat_plan_id', '=', self.id)]
        action['context'] = {'default_project_id': self.env.ref('sehat_crm.project_patient_followups').id}
        return action

    @api.model
    def sehat_extend_horizon(self):
        """Daily: generate the follow-ups now inside the horizon (only lines with one due)."""
        horizon = self.env['sehat.treatment.plan.line']._sehat_horizon()
        self.env.cr.execute("""
            SELECT l.id FROM sehat_treatment_plan_line l JOIN sehat_treatment_plan p ON p.id = l.plan_id
             WHERE p.state = 'active' AND l.next_due_date IS NOT NULL AND l.next_due_date <= %s
        """, (horizon,))
        lines = self.env['sehat.treatment.plan.line'].browse([row[0] for row in self.env.cr.fetchall()])
        return self.env['sehat.treatment.plan.line'].sehat_generate(lines)


class SehatTreatmentPlanLine(models.Model):
    _name = 'sehat.treatment.plan.line'
    _inherit = 'sehat.treatment.schedule.mixin'
    _description = 'Treatment plan line'
    _order = 'plan_id, sequence, id'

    plan_id = fields.Many2one('sehat.treatment.plan', required=True, ondelete='cascade', index=True)
    end_date = fields.Date(string='Until')
    preferred_doctor_id = fields.Many2one('sehat.doctor', string='Preferred doctor')
    next_due_date = fields.Date(readonly=True, copy=False, index=True,
                                help='Due date of the next follow-up without a task yet (empty when all have one).')

    @api.constrains('interval_number', 'occurrences', 'end_date', 'lead_days')
    def _check_line_dates(self):
        for line in self:
            start = fields.Date.from_string(line.plan_id.start_date)
            end = fields.Date.from_string(line.end_date) if line.end_date else None
            try:
                plans_lib.check_line(start, line.interval_number, line.interval_unit, line.occurrences or None,
                                     end, line.lead_days)
            except ValueError as err:
                raise ValidationError(_('%(service)s: %(error)s.') % {'service': line.product_id.name, 'error': err})

    def _schedule(self):
        self.ensure_one()
        return (fields.Date.from_string(self.plan_id.start_date), self.interval_number, self.interval_unit,
                self.occurrences or None, fields.Date.from_string(self.end_date) if self.end_date else None)

    @api.model
    def _sehat_horizon(self):
        get = self.env['ir.config_parameter'].sudo().get_param
        days = int(get('sehat_crm.plan_horizon_days', DEFAULT_HORIZON_DAYS))
        return fields.Date.from_string(fields.Date.context_today(self)) + timedelta(days=days)

    def write(self, vals):
        res = super(SehatTreatmentPlanLine, self).write(vals)
        if set(SCHEDULE_FIELDS) & set(vals):
            active = self.filtered(lambda l: l.plan_id.state == 'active')
            if active:
                active._sehat_reschedule()
        return res

    def _sehat_reschedule(self):
        """The schedule changed: open future tasks move to their new dates, occurrences the new
        schedule no longer has are closed, and missing ones are generated."""
        today = fields.Date.from_string(fields.Date.context_today(self))
        Task = self.env['project.task'].sudo()
        for line in self:
            start, interval, unit, count, end = line._schedule()
            tasks = Task.search([('sehat_plan_line_id', '=', line.id), ('sehat_fulfilled', '=', False),
                                 ('sehat_close_reason', '=', False), ('sehat_event_id', '=', False),
                                 ('sehat_due_date', '>=', fields.Date.to_string(today))])
            for task in tasks:
                number = task.sehat_occurrence
                due = plans_lib.due_date(start, interval, unit, number)
                if (count and number > count) or (end and due > end):
                    task._sehat_close(_('No longer in the plan after a change of schedule'))
                    continue
                task.write({'sehat_due_date': fields.Date.to_string(due), 'date_deadline': fields.Date.to_string(
                    plans_lib.call_date(due, line.lead_days, today))})
        self.sehat_generate(self)  # also sets each line's next due date
        return True

    @api.model
    def sehat_generate(self, lines):
        """Creates the missing follow-up tasks of these lines of active plans, due within the
        horizon: one INSERT ... ON CONFLICT DO NOTHING per batch. Returns the tasks created."""
        if not lines:
            return 0
        horizon = self._sehat_horizon()
        today = fields.Date.from_string(fields.Date.context_today(self))
        project = self.env.ref('sehat_crm.project_patient_followups')
        stage = self.env['project.task']._sehat_stage('to_call')
        now = fields.Datetime.now()
        uid = self.env.uid
        company_id = project.company_id.id or self.env.user.company_id.id
        self.env.cr.execute("""
            SELECT l.id, l.plan_id, p.start_date, l.interval_number, l.interval_unit, l.occurrences, l.end_date,
                   l.lead_days, l.instructions, pp.name, pt.name, p.patient_id,
                   (SELECT max(sehat_occurrence) FROM project_task t WHERE t.sehat_plan_line_id = l.id)
              FROM sehat_treatment_plan_line l
              JOIN sehat_treatment_plan p ON p.id = l.plan_id AND p.state = 'active'
              JOIN product_product prod ON prod.id = l.product_id
              JOIN product_template pt ON pt.id = prod.product_tmpl_id
              JOIN res_partner pp ON pp.id = p.patient_id
             WHERE l.id IN %s
        """, (tuple(lines.ids),))
        rows, next_due = [], []
        for (line_id, plan_id, start, interval, unit, count, end, lead, instructions, patient_name, service,
             patient_id, last) in self.env.cr.fetchall():
            start = fields.Date.from_string(start)
            end = fields.Date.from_string(end) if end else None
            schedule = plans_lib.occurrences(start, interval, unit, count or None, end, until=horizon)
            for number, due in schedule:
                if last and number <= last:
                    continue
                rows.append((
                    '%s #%d: %s' % (service, number, patient_name), project.id, stage.id, patient_id, company_id,
                    plans_lib.call_date(due, lead or 0, today), due, plan_id, line_id, number, instructions,
                    now, now, uid, uid, now, now))
            generated = max([number for number, _d in schedule] + [last or 0])
            following = generated + 1
            due_following = plans_lib.due_date(start, interval, unit, following)
            done = (count and following > count) or (end and due_following > end) or \
                following > plans_lib.MAX_OCCURRENCES
            next_due.append((line_id, None if done else due_following))
        with expected_sql_errors(self.env.cr):  # two runs at once: one gets a serialization failure, retried
            created = self._sehat_insert_tasks(rows, next_due)
        self.env['project.task'].invalidate_cache()
        self.invalidate_cache(['next_due_date'])
        return created

    def _sehat_insert_tasks(self, rows, next_due):
        created = 0
        for batch in range(0, len(rows), 5000):
            chunk = rows[batch:batch + 5000]
            result = execute_values(self.env.cr, """
                INSERT INTO project_task (name, project_id, stage_id, partner_id, company_id, date_deadline,
                                          sehat_due_date, sehat_plan_id, sehat_plan_line_id, sehat_occurrence,
                                          description, date_start, date_last_stage_update, create_uid, write_uid,
                                          create_date, write_date, active, kanban_state, priority, sequence,
                                          working_hours_open, working_hours_close, working_days_open,
                                          working_days_close, sehat_fulfilled)
                SELECT v.name, v.project_id, v.stage_id, v.partner_id, v.company_id, v.deadline::date, v.due::date,
                       v.plan_id, v.line_id, v.number, v.description, v.date_start::timestamp,
                       v.last_update::timestamp, v.cuid, v.wuid, v.cdate::timestamp, v.wdate::timestamp, true,
                       'normal', '0', 10, 0, 0, 0, 0, false
                  FROM (VALUES %s) AS v(name, project_id, stage_id, partner_id, company_id, deadline, due, plan_id,
                                        line_id, number, description, date_start, last_update, cuid, wuid, cdate,
                                        wdate)
                ON CONFLICT (sehat_plan_line_id, sehat_occurrence) DO NOTHING
                RETURNING id
            """, chunk, page_size=len(chunk), fetch=True)
            created += len(result)
        if next_due:
            execute_values(self.env.cr, """
                UPDATE sehat_treatment_plan_line l SET next_due_date = v.due::date
                  FROM (VALUES %s) AS v(id, due) WHERE l.id = v.id
            """, next_due, page_size=5000)
        return created

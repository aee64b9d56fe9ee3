from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import patient_history

STAGES = {
    'to_call': 'sehat_crm.task_stage_to_call',
    'booked': 'sehat_crm.task_stage_booked',
    'done': 'sehat_crm.task_stage_done',
    'overdue': 'sehat_crm.task_stage_overdue',
    'cancelled': 'sehat_crm.task_stage_cancelled',
}


class ProjectTask(models.Model):
    """A follow-up of a treatment plan: one occurrence of a plan line, worked by the call centre."""
    _inherit = 'project.task'

    sehat_plan_id = fields.Many2one('sehat.treatment.plan', string='Treatment plan', index=True, ondelete='cascade',
                                    readonly=True)
    sehat_plan_line_id = fields.Many2one('sehat.treatment.plan.line', string='Plan follow-up', index=True,
                                         ondelete='cascade', readonly=True)
    sehat_occurrence = fields.Integer(string='Occurrence', readonly=True)
    sehat_due_date = fields.Date(string='Due', index=True, readonly=True)
    sehat_event_id = fields.Many2one('calendar.event', string='Appointment', ondelete='set null', readonly=True)
    sehat_fulfilled = fields.Boolean(string='Fulfilled', index=True, readonly=True)
    sehat_fulfilled_date = fields.Datetime(string='Fulfilled on', readonly=True)
    sehat_close_reason = fields.Char(string='Closed because', readonly=True)

    _sql_constraints = [
        ('sehat_occurrence_uniq', 'unique(sehat_plan_line_id, sehat_occurrence)',
         'This follow-up of the treatment plan already has a task.'),
    ]

    def _sehat_stage(self, key):
        return self.env.ref(STAGES[key])

    def _sehat_close(self, reason):
        self.sudo().write({'stage_id': self._sehat_stage('cancelled').id, 'sehat_close_reason': reason})
        return True

    def action_sehat_book(self):
        """Opens the slot picker for this follow-up: its patient, preferred doctor or specialty."""
        self.ensure_one()
        if not self.sehat_plan_line_id:
            raise UserError(_('This task is not a treatment-plan follow-up.'))
        if self.sehat_fulfilled or self.sehat_close_reason:
            raise UserError(_('This follow-up is already closed.'))
        line = self.sudo().sehat_plan_line_id
        doctor = line.preferred_doctor_id or line.plan_id.doctor_id
        book = self.env['sehat.appointment.book'].create({
            'patient_id': self.partner_id.id, 'task_id': self.id, 'doctor_id': doctor.id,
            'specialty_id': line.specialty_id.id if not doctor else False,
        })
        return book.action_find_slots()

    def sehat_link_appointment(self, event):
        """A follow-up booked: the task moves to Booked and remembers the appointment."""
        for task in self:
            if task.partner_id != event.patient_id:
                raise UserError(_('This follow-up is for %(patient)s, not for %(other)s.') % {
                    'patient': task.partner_id.name, 'other': event.patient_id.name})
        self.sudo().write({'sehat_event_id': event.id, 'stage_id': self._sehat_stage('booked').id})
        return True

    @api.model
    def sehat_appointments_changed(self, events):
        """Done appointments fulfil their follow-ups; cancelled or missed ones put them back to call."""
        tasks = self.sudo().search([('sehat_event_id', 'in', events.ids)])
        done = tasks.filtered(lambda task: task.sehat_event_id.appointment_state == 'done')
        if done:
            done.write({'sehat_fulfilled': True, 'sehat_fulfilled_date': fields.Datetime.now(),
                        'stage_id': self._sehat_stage('done').id})
        missed = tasks.filtered(lambda task: task.sehat_event_id.appointment_state in ('cancelled', 'no_show'))
        if missed:
            missed.write({'sehat_event_id': False, 'stage_id': self._sehat_stage('to_call').id})
        return True

    @api.model
    def sehat_overdue_cron(self):
        """Daily: follow-ups past their due date without a visit go to Overdue, with a call
        activity for the task's user (else the project manager, else the job's user), who also
        follows the task. Set-based: one UPDATE and two INSERTs whatever the backlog (through the
        ORM, every activity clears the whole cache and the job grows quadratically)."""
        today = fields.Date.context_today(self)
        open_stages = (self._sehat_stage('to_call') | self._sehat_stage('booked')).ids
        self.env.cr.execute("""
            UPDATE project_task t
               SET stage_id = %(overdue)s, date_last_stage_update = now() AT TIME ZONE 'UTC',
                   kanban_state = 'normal', write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
             WHERE t.sehat_plan_line_id IS NOT NULL AND t.active AND NOT t.sehat_fulfilled
               AND t.sehat_close_reason IS NULL AND t.sehat_due_date < %(today)s AND t.stage_id IN %(open)s
               AND NOT EXISTS (SELECT 1 FROM calendar_event e WHERE e.id = t.sehat_event_id
                                AND e.appointment_state IN %(booked)s
                                AND e.start::date >= t.sehat_due_date - 1)
            RETURNING t.id
        """, {'overdue': self._sehat_stage('overdue').id, 'uid': self.env.uid, 'today': today,
              'open': tuple(open_stages), 'booked': patient_history.OPEN_STATES})
        ids = tuple(row[0] for row in self.env.cr.fetchall())
        if not ids:
            return 0
        params = {'ids': ids, 'uid': self.env.uid, 'today': today,
                  'model_id': self.env['ir.model']._get('project.task').id,
                  'type': self.env.ref('mail.mail_activity_data_call').id,
                  'summary': _('Overdue follow-up: call the patient')}
        self.env.cr.execute("""
            INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id, summary,
                                       date_deadline, user_id, create_uid, create_date, write_uid, write_date)
            SELECT %(model_id)s, 'project.task', t.id, t.name, %(type)s, %(summary)s, %(today)s,
                   COALESCE(t.user_id, p.user_id, %(uid)s), %(uid)s, now() AT TIME ZONE 'UTC',
                   %(uid)s, now() AT TIME ZONE 'UTC'
              FROM project_task t LEFT JOIN project_project p ON p.id = t.project_id
             WHERE t.id IN %(ids)s
        """, params)
        self.env.cr.execute("""
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'project.task', t.id, u.partner_id
              FROM project_task t LEFT JOIN project_project p ON p.id = t.project_id
              JOIN res_users u ON u.id = COALESCE(t.user_id, p.user_id, %(uid)s)
             WHERE t.id IN %(ids)s
            ON CONFLICT DO NOTHING
        """, params)
        self.invalidate_cache(['stage_id', 'date_last_stage_update', 'kanban_state', 'activity_ids',
                               'message_follower_ids'], list(ids))
        self.env['mail.activity'].invalidate_cache()
        return len(ids)

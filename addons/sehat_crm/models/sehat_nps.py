"""NPS after visits: an Odoo survey sent a while after each done appointment (at most one per
visit), answers linked to the visit, detractors followed up by a service-recovery task."""
import logging
from datetime import datetime, timedelta

from odoo import _, api, fields, models

from ..lib import nps as nps_lib

_logger = logging.getLogger(__name__)

CATEGORIES = [(category, nps_lib.CATEGORY_LABELS[category]) for category in nps_lib.CATEGORIES]
RECOVERY_HOURS = 24
SEND_WINDOW_DAYS = 30  # visits done longer ago than this are not surveyed any more


def doctor_rating(score):
    """An NPS score 0-10 as a doctor rating 1-5 (0-1 -> 1, 5 -> 3, 9-10 -> 5)."""
    return 1 + int(round(score * 4 / 10.0 + 1e-9))


class SehatNpsResponse(models.Model):
    _name = 'sehat.nps.response'
    _description = 'NPS survey of a visit'
    _order = 'sent_date desc, id desc'
    _rec_name = 'event_id'

    event_id = fields.Many2one('calendar.event', string='Visit', required=True, ondelete='cascade', index=True)
    patient_id = fields.Many2one('res.partner', string='Patient', required=True, index=True)
    doctor_id = fields.Many2one('sehat.doctor', string='Doctor', index=True)
    department_id = fields.Many2one('sehat.department', string='Department')
    campaign_id = fields.Many2one('utm.campaign', string='Campaign')
    user_input_id = fields.Many2one('survey.user_input', string='Survey answer', ondelete='set null', index=True)
    sent_date = fields.Datetime(required=True, default=fields.Datetime.now)
    answered_date = fields.Datetime()
    state = fields.Selection([('sent', 'Sent'), ('answered', 'Answered')], default='sent', required=True, index=True)
    score = fields.Integer()
    category = fields.Selection(CATEGORIES, index=True)
    comment = fields.Text()
    recovery_task_id = fields.Many2one('project.task', string='Service recovery', ondelete='set null')

    _sql_constraints = [('event_uniq', 'unique(event_id)', 'This visit already has its survey.')]

    @api.model
    def _survey(self):
        return self.env.ref('sehat_crm.survey_nps')

    def survey_url(self):
        self.ensure_one()
        return '%s/%s' % (self.user_input_id.survey_id.public_url, self.user_input_id.token)

    # --- sending -------------------------------------------------------------------
    @api.model
    def sehat_send_surveys(self, now=None):
        """Scheduled hourly: visits done at least the configured delay ago (and not more than
        SEND_WINDOW_DAYS) without a survey get one, by email. The unique visit makes a second
        run or a second worker skip them."""
        now = now or datetime.utcnow()
        delay = float(self.env['ir.config_parameter'].sudo().get_param('sehat_crm.nps_delay_hours', 2))
        self.env.cr.execute("""
            SELECT e.id FROM calendar_event e JOIN res_partner p ON p.id = e.patient_id
             WHERE e.appointment_state = 'done' AND e.active AND e.stop <= %s AND e.stop >= %s
               AND p.email IS NOT NULL AND p.email != ''
               AND NOT EXISTS (SELECT 1 FROM sehat_nps_response r WHERE r.event_id = e.id)
             ORDER BY e.stop LIMIT 500
        """, (now - timedelta(hours=delay), now - timedelta(days=SEND_WINDOW_DAYS)))
        events = self.env['calendar.event'].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        sent = 0
        template = self.env.ref('sehat_crm.mail_template_nps')
        for event in events:
            self.env.cr.execute("""
                INSERT INTO sehat_nps_response (event_id, patient_id, sent_date, state, create_uid, create_date,
                                                write_uid, write_date)
                VALUES (%s, %s, %s, 'sent', %s, now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC')
                ON CONFLICT (event_id) DO NOTHING RETURNING id
            """, (event.id, event.patient_id.id, fields.Datetime.to_string(now), self.env.uid, self.env.uid))
            row = self.env.cr.fetchone()
            if not row:
                continue  # another run took it
            response = self.sudo().browse(row[0])
            answer = self.env['survey.user_input'].sudo().create({
                'survey_id': self._survey().id, 'partner_id': event.patient_id.id, 'email': event.patient_id.email,
                'type': 'link'})
            response.write({'user_input_id': answer.id, 'doctor_id': event.doctor_id.id,
                            'department_id': event.doctor_id.department_id.id,
                            'campaign_id': event.lead_id.campaign_id.id})
            template.sudo().send_mail(response.id)
            sent += 1
        return sent

    # --- answers -------------------------------------------------------------------
    def _sehat_record(self, answer):
        """The patient completed the survey: score, comment, doctor rating, recovery for detractors."""
        self.ensure_one()
        score_question = self.env.ref('sehat_crm.nps_question_score')
        comment_question = self.env.ref('sehat_crm.nps_question_comment')
        score, comment = None, False
        for line in answer.user_input_line_ids:
            if line.question_id == score_question and line.value_suggested:
                score = int(line.value_suggested.quizz_mark)
            elif line.question_id == comment_question:
                comment = line.value_free_text or line.value_text or False
        if score is None:
            return False
        category = nps_lib.category(score)
        self.write({'state': 'answered', 'score': score, 'category': category, 'comment': comment,
                    'answered_date': fields.Datetime.now()})
        if self.doctor_id:
            self.env['sehat.doctor.review'].sudo().create({
                'doctor_id': self.doctor_id.id, 'partner_id': self.patient_id.id, 'event_id': self.event_id.id,
                'rating': doctor_rating(score), 'source': 'survey', 'comment': comment})
        if category == 'detractor':
            self._sehat_open_recovery()
        return True

    def _sehat_open_recovery(self):
        self.ensure_one()
        get = self.env['ir.config_parameter'].sudo().get_param
        user = self.env['res.users'].sudo().browse(int(get('sehat_crm.recovery_user_id', 0) or 0)).exists()
        if not user:
            user = self.env.ref('sehat_crm.group_sehat_manager').users.filtered(lambda u: u.id != 1)[:1]
        due = datetime.utcnow() + timedelta(hours=RECOVERY_HOURS)
        task = self.env['project.task'].sudo().create({
            'name': _('Service recovery: %(patient)s (score %(score)s)') % {
                'patient': self.patient_id.name, 'score': self.score},
            'project_id': self.env.ref('sehat_crm.project_service_recovery').id,
            'user_id': user.id or False, 'partner_id': self.patient_id.id,
            'date_deadline': fields.Date.to_string(due.date()),
            'sehat_recovery_due': fields.Datetime.to_string(due),
            'description': _('<p>Visit: %(visit)s</p><p>Comment: %(comment)s</p>') % {
                'visit': self.event_id.name, 'comment': self.comment or _('(none)')},
        })
        self.recovery_task_id = task
        return task


class SurveyUserInput(models.Model):
    _inherit = 'survey.user_input'

    def write(self, vals):
        res = super(SurveyUserInput, self).write(vals)
        if vals.get('state') == 'done':
            responses = self.env['sehat.nps.response'].sudo().search([('user_input_id', 'in', self.ids),
                                                                      ('state', '=', 'sent')])
            for response in responses:
                response._sehat_record(response.user_input_id)
        return res


class ProjectTask(models.Model):
    _inherit = 'project.task'

    sehat_recovery_due = fields.Datetime(string='Recover by', readonly=True)
    sehat_recovery_closed = fields.Datetime(string='Recovered on', readonly=True)
    sehat_recovery_on_time = fields.Boolean(string='Recovered in time', readonly=True)

    def write(self, vals):
        res = super(ProjectTask, self).write(vals)
        if 'stage_id' in vals:
            resolved = self.env.ref('sehat_crm.task_stage_recovered', raise_if_not_found=False)
            for task in self.filtered(lambda t: t.sehat_recovery_due and not t.sehat_recovery_closed):
                if resolved and task.stage_id == resolved:
                    now = fields.Datetime.now()
                    super(ProjectTask, task).write({'sehat_recovery_closed': now,
                                                    'sehat_recovery_on_time': now <= task.sehat_recovery_due})
        return res

from odoo import fields, models

from ..lib import lifecycle

TRIGGERS = [
    ('captured', 'Enquiry captured'),
    ('profile_complete', 'Medical profile completed'),
    ('appointment_booked', 'First appointment booked'),
    ('loyalty_reached', 'Repeat visits (loyalty rule)'),
    ('no_recent_visit', 'No recent visit (lapse rule)'),
    ('override', 'Changed by a manager'),
]


class SehatLifecycleHistory(models.Model):
    """One row per lifecycle transition of a patient: the source of funnel analytics."""
    _name = 'sehat.lifecycle.history'
    _description = 'Patient lifecycle transition'
    _order = 'date desc, id desc'
    _rec_name = 'to_stage'

    partner_id = fields.Many2one('res.partner', string='Patient', required=True, ondelete='cascade', index=True)
    from_stage = fields.Selection([(s, lifecycle.STAGE_LABELS[s]) for s in lifecycle.STAGES], string='From')
    to_stage = fields.Selection([(s, lifecycle.STAGE_LABELS[s]) for s in lifecycle.STAGES], string='To',
                                required=True, index=True)
    date = fields.Datetime(required=True, index=True, default=fields.Datetime.now)
    user_id = fields.Many2one('res.users', string='By', default=lambda self: self.env.uid)
    trigger = fields.Selection(TRIGGERS, required=True)
    reason = fields.Char()
    days_in_previous = fields.Float(string='Days in previous stage', group_operator='avg')
    source_id = fields.Many2one('utm.source', string='Source', index=True)
    campaign_id = fields.Many2one('utm.campaign', string='Campaign', index=True)

from odoo.tests.common import SavepointCase


class SehatCase(SavepointCase):
    """Creates one user per Sehat group (plus a second rep and a portal user)."""

    @classmethod
    def setUpClass(cls):
        super(SehatCase, cls).setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, no_reset_password=True))
        cls.company = cls.env.ref('base.main_company')
        cls.company.country_id = cls.env.ref('base.in')
        cls.rep = cls._user('t_rep', 'sehat_crm.group_sehat_user')
        cls.rep2 = cls._user('t_rep2', 'sehat_crm.group_sehat_user')
        cls.manager = cls._user('t_manager', 'sehat_crm.group_sehat_manager')
        cls.doctor_user = cls._user('t_doctor', 'sehat_crm.group_sehat_doctor')
        cls.referral = cls._user('t_referral', 'sehat_crm.group_sehat_referral_manager')
        cls.finance = cls._user('t_finance', 'sehat_crm.group_sehat_finance')
        cls.portal = cls._user('t_portal', 'base.group_portal')
        cls.public = cls.env.ref('base.public_user')
        cls.plain_employee = cls._user('t_employee', 'base.group_user')

    @classmethod
    def _user(cls, login, group_xmlid):
        return cls.env['res.users'].create({
            'name': login.replace('_', ' ').title(),
            'login': login,
            'email': '%s@example.com' % login,
            'company_id': cls.company.id,
            'company_ids': [(6, 0, [cls.company.id])],
            'groups_id': [(6, 0, [cls.env.ref(group_xmlid).id])],
        })

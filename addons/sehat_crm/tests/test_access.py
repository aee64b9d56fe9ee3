from odoo.exceptions import AccessError

from .common import SehatCase

ROOT_MENU = 'sehat_crm.menu_sehat_root'


class TestAccess(SehatCase):

    def _sehat_menus(self, user):
        """Leaf menus under Sehat as the web client shows them to ``user``: {xmlid: action}."""
        tree = self.env['ir.ui.menu'].sudo(user).load_menus(False)
        root_id = self.env.ref(ROOT_MENU).id
        roots = [m for m in tree['children'] if m['id'] == root_id]
        leaves, todo = {}, list(roots)
        while todo:
            menu = todo.pop()
            todo.extend(menu['children'])
            if menu['action'] and not menu['children']:
                model, action_id = menu['action'].split(',')
                leaves[menu['xmlid']] = self.env[model].browse(int(action_id))
        return leaves

    def test_menus_per_group(self):
        expect = {
            self.rep: ({'sehat_crm.menu_sehat_lead_queue', 'sehat_crm.menu_sehat_patients'},
                       {'sehat_crm.menu_sehat_config_departments', 'sehat_crm.menu_sehat_report_leads'}),
            self.manager: ({'sehat_crm.menu_sehat_lead_queue', 'sehat_crm.menu_sehat_config_departments',
                            'sehat_crm.menu_sehat_report_leads'}, set()),
            self.doctor_user: ({'sehat_crm.menu_sehat_patients', 'sehat_crm.menu_sehat_appointments'},
                               {'sehat_crm.menu_sehat_lead_queue', 'sehat_crm.menu_sehat_config_departments'}),
            self.finance: ({'sehat_crm.menu_sehat_report_invoices', 'sehat_crm.menu_sehat_doctors'},
                           {'sehat_crm.menu_sehat_lead_queue', 'sehat_crm.menu_sehat_patients'}),
            self.referral: ({'sehat_crm.menu_sehat_lead_queue'}, {'sehat_crm.menu_sehat_config_departments'}),
        }
        for user, (shown, hidden) in expect.items():
            menus = set(self._sehat_menus(user))
            self.assertTrue(shown <= menus, '%s should see %s' % (user.login, shown - menus))
            self.assertFalse(hidden & menus, '%s should not see %s' % (user.login, hidden & menus))

    def test_every_visible_menu_opens_for_its_users(self):
        """The action of every menu a user sees is readable by that user (no access error)."""
        for user in (self.rep, self.manager, self.doctor_user, self.referral, self.finance):
            for action in self._sehat_menus(user).values():
                if action._name != 'ir.actions.act_window':
                    continue
                data = action.sudo(user).read()[0]
                Model = self.env[data['res_model']].sudo(user)
                Model.check_access_rights('read')
                domain = action.domain and eval(action.domain, {'uid': user.id}) or []  # pylint: disable=eval-used
                Model.search(domain, limit=5).read(['display_name'])

    def test_users_without_sehat_group_see_no_sehat_menu(self):
        self.assertFalse(self._sehat_menus(self.plain_employee))
        with self.assertRaises(AccessError):  # portal users never get the back-end menus
            self._sehat_menus(self.portal)

    def test_rep_sees_own_and_unassigned_leads_manager_sees_all(self):
        Lead = self.env['crm.lead']
        own = Lead.create({'name': 'Own lead', 'user_id': self.rep.id})
        unassigned = Lead.create({'name': 'Queue lead', 'user_id': False})
        foreign = Lead.create({'name': 'Colleague lead', 'user_id': self.rep2.id})
        mine = Lead.sudo(self.rep).search([('id', 'in', (own | unassigned | foreign).ids)])
        self.assertEqual(mine, own | unassigned)
        everything = Lead.sudo(self.manager).search([('id', 'in', (own | unassigned | foreign).ids)])
        self.assertEqual(everything, own | unassigned | foreign)

    def test_doctor_and_finance_do_not_read_the_lead_queue(self):
        for user in (self.doctor_user, self.finance):
            with self.assertRaises(AccessError):
                self.env['crm.lead'].sudo(user).search([])

    def test_public_user_reads_no_lead_or_patient_data(self):
        with self.assertRaises(AccessError):
            self.env['crm.lead'].sudo(self.public).search([])

    def test_medical_fields_are_for_clinical_and_call_centre_staff_only(self):
        patient = self.env['res.partner'].create({
            'name': 'Zoya Mirza', 'is_patient': True, 'mobile': '98450 64646', 'allergies': 'Penicillin',
            'birthdate': '1990-02-02'})
        for user in (self.rep, self.doctor_user, self.manager):
            self.assertEqual(patient.sudo(user).read(['allergies'])[0]['allergies'], 'Penicillin')
        for user in (self.finance, self.plain_employee, self.portal, self.public):
            with self.assertRaises(AccessError):
                patient.sudo(user).read(['allergies'])
        lead = self.env['crm.lead'].create({'name': 'x', 'partner_id': patient.id,
                                            'symptoms_text': 'chest pain at night'})
        with self.assertRaises(AccessError):
            lead.sudo(self.public).read(['symptoms_text'])

    def test_public_user_reads_no_patient(self):
        patient = self.env['res.partner'].create({'name': 'Private Patient', 'is_patient': True})
        with self.assertRaises(AccessError):
            patient.sudo(self.public).read(['name', 'birthdate'])

    def test_only_managers_manage_api_tokens(self):
        record, token = self.env['sehat.api.token'].sudo(self.manager).sehat_create_token('Hospital app')
        self.assertTrue(token.startswith('sehat_'))
        self.assertNotIn(token, record.token_hash)
        self.assertEqual(self.env['sehat.api.token'].sehat_authenticate(token), record)
        record.action_revoke()
        self.assertFalse(self.env['sehat.api.token'].sehat_authenticate(token))
        with self.assertRaises(AccessError):
            self.env['sehat.api.token'].sudo(self.rep).search([])

    def test_referral_manager_works_leads(self):
        lead = self.env['crm.lead'].sudo(self.referral).create({'name': 'Referred patient'})
        self.assertEqual(lead.user_id, self.referral)

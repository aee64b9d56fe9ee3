"""Patient 360: the call centre answers a patient from the patient form (appointments, visits,
doctors seen, enquiries, invoices) and finds the patient by phone whatever the format typed."""
from datetime import datetime, timedelta

from lxml import etree

from odoo import fields
from odoo.addons.base.res.res_partner import Partner as BasePartner
from odoo.exceptions import AccessError

from .common import SehatCase

PATIENT_360_FIELDS = ['upcoming_appointment_ids', 'upcoming_appointment_count', 'past_appointment_ids', 'visit_count',
                      'previous_doctor_ids', 'previous_doctors_summary', 'sehat_invoice_count', 'sehat_invoice_due',
                      'sehat_invoice_summary']


def ts(value):
    return fields.Datetime.to_string(value)


def day_at(days, hour):
    """UTC naive datetime ``days`` from today at ``hour``:00 (inside the test doctors' 08-20 UTC hours)."""
    return (datetime.utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


class Patient360Case(SehatCase):

    @classmethod
    def setUpClass(cls):
        super(Patient360Case, cls).setUpClass()
        hours = cls.env['resource.calendar'].create({
            'name': 'Every day 08-20 UTC',
            'attendance_ids': [(5, 0, 0)] + [
                (0, 0, {'name': 'day', 'dayofweek': str(d), 'hour_from': 8, 'hour_to': 20}) for d in range(7)],
        })
        cls.cardio = cls.env.ref('sehat_crm.specialty_card')
        cls.ortho = cls.env.ref('sehat_crm.specialty_ortho')
        cls.heart, cls.bones = [cls.env['sehat.doctor'].create({
            'name': name, 'specialty_ids': [(6, 0, specialty.ids)], 'registration_number': number,
            'resource_calendar_id': hours.id, 'calendar_tz': 'UTC', 'slot_minutes': 30, 'daily_capacity': 10,
        }) for name, specialty, number in (('Dr. P360 Heart', cls.cardio, 'REG-P360-1'),
                                           ('Dr. P360 Bones', cls.ortho, 'REG-P360-2'))]
        (cls.heart | cls.bones).sudo(cls.manager).action_verify_registration()
        cls.patient = cls.env['res.partner'].create({
            'name': 'Meera P360', 'is_patient': True, 'mobile': '+91 98867 11234'})
        cls.other = cls.env['res.partner'].create({
            'name': 'Other P360', 'is_patient': True, 'mobile': '+91 90000 33333'})
        cls.Event = cls.env['calendar.event'].with_context(no_mail_to_attendees=True)
        book = cls._book
        cls.soon = book(cls.heart, day_at(1, 10), specialty_id=cls.cardio.id)
        cls.later = book(cls.bones, day_at(2, 11), mode='video')
        cls.cancelled = book(cls.heart, day_at(3, 10))
        cls.cancelled.action_appointment_cancel(reason='Feeling better')
        past = cls.Event.with_context(sehat_record_past=True)
        cls.visits = []
        for doctor, days in ((cls.heart, -50), (cls.heart, -40), (cls.bones, -10)):
            event = book(doctor, day_at(days, 9), Event=past)
            event.action_appointment_check_in()
            event.action_appointment_done()
            cls.visits.append(event)
        cls.no_show = book(cls.bones, day_at(-5, 9), Event=past)
        cls.no_show.action_appointment_no_show()
        cls.others_visit = book(cls.heart, day_at(1, 12), patient=cls.other)

    @classmethod
    def _book(cls, doctor, start, patient=None, Event=None, **extra):
        return (cls.Event if Event is None else Event).create(dict({
            'doctor_id': doctor.id, 'patient_id': (patient or cls.patient).id, 'start': ts(start),
            'stop': ts(start + timedelta(minutes=30))}, **extra))


class TestPatient360Lists(Patient360Case):

    def test_upcoming_appointments_soonest_first(self):
        patient = self.patient.sudo(self.rep)
        self.assertEqual(patient.upcoming_appointment_ids.ids, [self.soon.id, self.later.id])
        self.assertEqual(patient.upcoming_appointment_count, 2)
        row = patient.upcoming_appointment_ids[1]
        self.assertEqual((row.doctor_id, row.mode, row.appointment_state), (self.bones, 'video', 'booked'))

    def test_past_visits_latest_first_with_no_shows_and_cancellations(self):
        patient = self.patient.sudo(self.rep)
        expected = [self.cancelled, self.no_show] + list(reversed(self.visits))
        self.assertEqual(patient.past_appointment_ids.ids, [e.id for e in expected])
        self.assertEqual(patient.past_appointment_ids.mapped('appointment_state'),
                         ['cancelled', 'no_show', 'done', 'done', 'done'])
        self.assertEqual(patient.visit_count, 3, 'only completed visits count as visits')
        self.assertNotIn(self.others_visit, patient.past_appointment_ids | patient.upcoming_appointment_ids)

    def test_a_booking_whose_time_passed_moves_to_the_past(self):
        stale = self._book(self.heart, day_at(-2, 15), Event=self.Event.with_context(sehat_record_past=True))
        self.patient.invalidate_cache()
        self.assertNotIn(stale, self.patient.upcoming_appointment_ids)
        self.assertIn(stale, self.patient.past_appointment_ids)
        self.assertEqual(self.patient.visit_count, 3)

    def test_previous_doctors_most_recent_first(self):
        patient = self.patient.sudo(self.rep)
        self.assertEqual(patient.previous_doctor_ids.ids, [self.bones.id, self.heart.id])
        summary = patient.previous_doctors_summary
        self.assertLess(summary.index('Dr. P360 Bones'), summary.index('Dr. P360 Heart'))
        self.assertIn('Dr. P360 Heart (Cardiology): last seen %s, 2 visit(s)' % day_at(-40, 9).strftime('%d %b %Y'),
                      summary)
        self.assertFalse(self.other.previous_doctor_ids, 'a booking is not a visit')
        self.assertFalse(self.other.previous_doctors_summary)

    def test_lists_follow_a_reschedule_and_a_cancel_made_from_the_page(self):
        Book = self.env['sehat.appointment.book'].sudo(self.rep)
        wizard = Book.with_context(default_event_id=self.later.id).create({})
        self.assertEqual((wizard.patient_id, wizard.doctor_id), (self.patient, self.bones))
        wizard.days = 7
        wizard.action_find_slots()
        slot = wizard.slot_ids.filtered(lambda s: s.start > self.soon.stop)[-1]
        slot.action_book()
        self.assertEqual(self.later.start, slot.start)
        self.env['sehat.appointment.cancel'].sudo(self.rep).with_context(default_event_id=self.soon.id).create({
            'reason': 'Travelling'}).action_cancel()
        patient = self.patient.sudo(self.rep)
        self.assertEqual(patient.upcoming_appointment_ids, self.later)
        self.assertIn(self.soon, patient.past_appointment_ids)

    def test_smart_button_actions(self):
        patient = self.patient.sudo(self.rep)
        Event = self.env['calendar.event'].sudo(self.rep)
        upcoming = patient.action_sehat_upcoming()
        self.assertEqual(upcoming['res_model'], 'calendar.event')
        self.assertEqual(upcoming['views'][0][1], 'tree')
        self.assertEqual(Event.search(upcoming['domain']), self.soon | self.later)
        visits = patient.action_sehat_visits()
        self.assertEqual(sorted(Event.search(visits['domain']).ids), sorted(e.id for e in self.visits))
        self.assertEqual(visits['context']['default_patient_id'], self.patient.id)

    def test_book_and_log_a_call(self):
        Match = self.env['sehat.doctor.match'].sudo(self.rep)
        match = Match.with_context(default_patient_id=self.patient.id).create({})
        self.assertEqual(match.patient_id, self.patient)
        action = self.patient.sudo(self.rep).action_sehat_log_call()
        self.assertEqual(action['res_model'], 'mail.activity')
        activity = self.env['mail.activity'].sudo(self.rep).with_context(**action['context']).create({})
        self.assertEqual(activity.activity_type_id, self.env.ref('mail.mail_activity_data_call'))
        self.assertEqual((activity.res_model, activity.res_id), ('res.partner', self.patient.id))
        activity.action_done()
        logged = self.patient.message_ids.filtered(
            lambda m: m.mail_activity_type_id == self.env.ref('mail.mail_activity_data_call'))
        self.assertEqual(len(logged), 1, 'the call is noted in the patient history')
        self.assertEqual(logged.author_id, self.rep.partner_id)

    def test_open_enquiries_as_the_user_may_see_them(self):
        Lead = self.env['crm.lead']
        lead = Lead.create({'name': 'Knee pain', 'type': 'lead', 'partner_id': self.patient.id, 'user_id': self.rep.id})
        Lead.create({'name': 'Old', 'type': 'lead', 'partner_id': self.patient.id, 'active': False})
        Lead.create({'name': 'Won', 'type': 'opportunity', 'partner_id': self.patient.id})
        self.assertEqual(self.patient.sudo(self.rep).open_lead_ids, lead)
        self.assertEqual(self.patient.sudo(self.rep).open_lead_count, 1)
        self.assertEqual(self.patient.sudo(self.rep2).open_lead_count, 0, "another rep's lead stays hidden")
        action = self.patient.sudo(self.rep).action_sehat_enquiries()
        self.assertEqual(Lead.sudo(self.rep).search(action['domain']), lead)
        with self.assertRaises(AccessError):
            self.patient.sudo(self.doctor_user).read(['open_lead_count'])


class TestPatient360Invoices(Patient360Case):

    @classmethod
    def setUpClass(cls):
        super(TestPatient360Invoices, cls).setUpClass()
        cls.receivable, cls.income, cls.sales, cls.bank = cls._accounting()
        cls.open_invoice = cls._invoice(1000.0)
        cls.paid_invoice = cls._invoice(500.0)
        cls.paid_invoice.pay_and_reconcile(cls.bank, 500.0)
        cls.draft = cls._invoice(70.0, validate=False)
        cls._invoice(90.0, partner=cls.other)

    @classmethod
    def _accounting(cls):
        """The accounts and journals of the installed chart; made here when no chart is installed."""
        company = [('company_id', '=', cls.company.id)]
        Account, Journal = cls.env['account.account'], cls.env['account.journal']

        def account(xmlid, code, **extra):
            kind = cls.env.ref(xmlid)
            return Account.search([('user_type_id', '=', kind.id)] + company, limit=1) or Account.create(dict({
                'code': code, 'name': kind.name, 'user_type_id': kind.id, 'company_id': cls.company.id}, **extra))
        receivable = account('account.data_account_type_receivable', 'P360REC', reconcile=True)
        income = account('account.data_account_type_revenue', 'P360INC')
        liquidity = account('account.data_account_type_liquidity', 'P360BNK')
        sales = Journal.search([('type', '=', 'sale')] + company, limit=1) or Journal.create({
            'name': 'P360 sales', 'code': 'P360S', 'type': 'sale', 'company_id': cls.company.id,
            'default_debit_account_id': income.id, 'default_credit_account_id': income.id})
        bank = Journal.search([('type', '=', 'bank')] + company, limit=1) or Journal.create({
            'name': 'P360 bank', 'code': 'P360B', 'type': 'bank', 'company_id': cls.company.id,
            'default_debit_account_id': liquidity.id, 'default_credit_account_id': liquidity.id})
        return receivable, income, sales, bank

    @classmethod
    def _invoice(cls, amount, partner=None, validate=True):
        invoice = cls.env['account.invoice'].create({
            'partner_id': (partner or cls.patient).id, 'type': 'out_invoice', 'account_id': cls.receivable.id,
            'journal_id': cls.sales.id, 'date_invoice': fields.Date.today(),
            'invoice_line_ids': [(0, 0, {'name': 'Consultation', 'quantity': 1, 'price_unit': amount,
                                         'account_id': cls.income.id})]})
        if validate:
            invoice.action_invoice_open()
        return invoice

    def test_invoice_counts_and_amount_due(self):
        self.assertEqual(self.open_invoice.state, 'open')
        self.assertEqual(self.paid_invoice.state, 'paid')
        patient = self.patient.sudo(self.rep)
        self.assertEqual(patient.sehat_invoice_count, 2, 'drafts are not issued invoices')
        self.assertAlmostEqual(patient.sehat_invoice_due, 1000.0)

    def test_summary_for_the_call_centre_without_accounting_rights(self):
        summary = self.patient.sudo(self.rep).sehat_invoice_summary
        for text in (self.open_invoice.number, self.paid_invoice.number, 'Not paid', 'Paid', 'Due'):
            self.assertIn(text, summary)
        self.assertNotIn(self.draft.name or 'no-draft-number', summary)
        with self.assertRaises(AccessError):
            self.env['account.invoice'].sudo(self.rep).search([('partner_id', '=', self.patient.id)])
        action = self.patient.sudo(self.rep).action_sehat_invoices()
        self.assertEqual((action['res_model'], action['res_id'], action['target']),
                         ('res.partner', self.patient.id, 'new'))
        popup = self.env['res.partner'].sudo(self.rep).fields_view_get(view_id=action['views'][0][0])
        self.assertIn('sehat_invoice_summary', popup['fields'])

    def test_billing_users_get_the_invoices_themselves(self):
        action = self.patient.action_sehat_invoices()
        self.assertEqual(action['res_model'], 'account.invoice')
        found = self.env['account.invoice'].search(action['domain'])
        self.assertEqual(found, self.open_invoice | self.paid_invoice | self.draft)

    def test_a_partly_paid_invoice(self):
        self.open_invoice.pay_and_reconcile(self.bank, 400.0)
        self.patient.invalidate_cache()
        self.assertAlmostEqual(self.patient.sehat_invoice_due, 600.0)
        self.assertIn('Partly paid', self.patient.sehat_invoice_summary)


class TestPhoneSearch(Patient360Case):

    def test_search_in_any_format(self):
        Partner = self.env['res.partner'].sudo(self.rep)
        for typed in ('98867 11234', '+91-98867-11234', '09886711234', '+919886711234'):
            self.assertEqual(Partner.search([('phone_search', 'ilike', typed)]), self.patient, typed)
        self.assertIn(self.patient, Partner.search([('phone_search', 'ilike', '11234')]), 'a part of the number')
        self.assertFalse(Partner.search([('phone_search', 'ilike', 'Meera')]), 'not a phone number')
        self.assertNotIn(self.patient, Partner.search([('phone_search', 'not ilike', '098867 11234')]))

    def test_patients_search_view_looks_up_the_phone(self):
        arch = etree.fromstring(self.env.ref('sehat_crm.view_partner_search_patient').arch)
        name_filter = arch.xpath("//field[@name='name']")[0].get('filter_domain')
        Partner = self.env['res.partner'].sudo(self.rep)
        for typed in ('98867 11234', '+91-98867-11234', '09886711234', 'Meera P360'):
            domain = eval(name_filter, {'self': typed})  # pylint: disable=eval-used
            self.assertEqual(Partner.search([('is_patient', '=', True)] + domain), self.patient, typed)

    def test_name_search_puts_the_phone_match_first(self):
        Partner = self.env['res.partner'].sudo(self.rep)
        # a patient whose name holds the digits typed, and a contact (not a patient) with the same phone
        tenant = self.env['res.partner'].create({'name': 'Flat 98867 11234 tenant', 'is_patient': True})
        office = self.env['res.partner'].create({'name': 'Aaa Meera office', 'phone': '+91 98867 11234'})
        for typed in ('98867 11234', '+91-98867-11234', '09886711234'):
            found = [pid for pid, _name in Partner.name_search(typed, args=[('is_patient', '=', True)], limit=5)]
            self.assertEqual(found[0], self.patient.id, typed)
            self.assertNotIn(office.id, found, 'the domain of the field still applies')
            found = [pid for pid, _name in Partner.name_search(typed, limit=5)]
            self.assertEqual(found[:2], [self.patient.id, office.id], 'patients first, then other contacts')
        self.assertIn(tenant.id, [pid for pid, _name in Partner.name_search('98867 11234', limit=5)],
                      'what the stock search finds is still there')

    def test_appointments_searched_by_the_patient_phone(self):
        Event = self.env['calendar.event'].sudo(self.rep)
        found = Event.search([('patient_id', 'ilike', '098867 11234')])
        mine = [self.soon, self.later, self.cancelled, self.no_show] + self.visits
        self.assertEqual(set(found.ids), {e.id for e in mine})

    def test_name_search_of_other_text_is_stock(self):
        Partner = self.env['res.partner'].sudo(self.rep)
        for name, operator in (('Meera', 'ilike'), ('P360', 'ilike'), ('Other P360', '='), ('12345', 'ilike'),
                               ('', 'ilike')):
            self.assertEqual(Partner.name_search(name, operator=operator, limit=8),
                             BasePartner.name_search(Partner, name, operator=operator, limit=8), name)


class TestPatient360Access(Patient360Case):

    @staticmethod
    def _shown(arch, xpath):
        """Nodes the user may see (Odoo 11 hides, rather than removes, nodes of other groups)."""
        return [node for node in arch.xpath(xpath) if node.get('invisible') != '1']

    def _form_arch(self, user):
        view = self.env['res.partner'].sudo(user).fields_view_get(
            view_id=self.env.ref('base.view_partner_form').id, view_type='form')
        return view, etree.fromstring(view['arch'])

    def test_sehat_user_and_doctor_open_the_page(self):
        for user in (self.rep, self.doctor_user):
            data = self.patient.sudo(user).read(PATIENT_360_FIELDS)[0]
            self.assertEqual(data['upcoming_appointment_count'], 2, user.login)
            self.assertEqual(data['previous_doctor_ids'], [self.bones.id, self.heart.id], user.login)
            view, arch = self._form_arch(user)
            self.assertTrue(self._shown(arch, "//page[@name='sehat_patient_360']"), user.login)
            self.assertTrue(self._shown(arch, "//button[@name='action_sehat_upcoming']"), user.login)
            self.assertIn('past_appointment_ids', view['fields'])
            # the rows of the page open for them too
            self.env['calendar.event'].sudo(user).browse(data['upcoming_appointment_ids']).read(
                ['start', 'doctor_id', 'specialty_id', 'mode', 'appointment_state'])
        _view, arch = self._form_arch(self.rep)
        self.assertTrue(self._shown(arch, "//button[@name='action_sehat_log_call']"))
        book = self._shown(arch, "//header/button[@string='Book']")
        self.assertIn("'default_patient_id': active_id", book[0].get('context'))
        _view, arch = self._form_arch(self.doctor_user)
        self.assertFalse(self._shown(arch, "//header/button[@string='Book']"), 'booking is the call centre\'s')

    def test_plain_employee_does_not_see_the_page(self):
        view, arch = self._form_arch(self.plain_employee)
        self.assertFalse(self._shown(arch, "//page[@name='sehat_patient_360']"))
        self.assertFalse(self._shown(arch, "//button[@name='action_sehat_upcoming']"))
        self.assertFalse(set(PATIENT_360_FIELDS) & set(view['fields']))
        for name in PATIENT_360_FIELDS + ['appointment_ids']:
            with self.assertRaises(AccessError):
                self.patient.sudo(self.plain_employee).read([name])

    def test_portal_user_cannot_read_appointments_of_others(self):
        with self.assertRaises(AccessError):
            self.patient.sudo(self.portal).read(['upcoming_appointment_ids'])
        Event = self.env['calendar.event'].sudo(self.portal)
        self.assertFalse(Event.search([('patient_id', '=', self.patient.id)]))
        with self.assertRaises(AccessError):
            Event.browse(self.soon.id).read(['doctor_id'])

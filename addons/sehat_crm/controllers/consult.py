"""Public web form /consult: a person describes how they feel and the care team calls back.

GET renders the form (UTM values of the query string are carried in hidden inputs); POST
validates it with :func:`lib.capture.clean_enquiry`. An invalid form is rendered again with
status 400, every typed value kept and a message under each bad field. A valid one is stored
with ``crm.lead.sehat_capture`` and answered with a thank-you page that tells the person what
to do now: call the emergency number at once for a red-flag symptom, else wait for our call.

The thank-you page only shows what this submission said (its own symptoms, its own triage):
the enquiry may have been merged into an open lead of the same phone or email, and nothing of
that lead (other symptoms, urgency, the fact that it existed) is shown to the visitor.
"""
import logging
import re

from psycopg2 import OperationalError

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from ..lib import urgency as urgency_lib
from ..lib.capture import _TRUE, MAX_LEN, InvalidEnquiry, clean_enquiry

_logger = logging.getLogger(__name__)

TEMPLATE_FORM = 'sehat_crm.consult_form'
TEMPLATE_THANKS = 'sehat_crm.consult_thanks'

TEXT_FIELDS = ('name', 'phone', 'email', 'age', 'dob', 'gender', 'city', 'symptoms_text', 'duration_days')
CHECKBOXES = ('pregnant', 'consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone')
UTM_FIELDS = ('utm_source', 'utm_medium', 'utm_campaign')

# Field labels, in the order of the form (the error summary follows it).
LABELS = [
    ('name', 'Full name'), ('phone', 'Mobile number'), ('email', 'Email'), ('age', 'Age'),
    ('dob', 'Date of birth'), ('gender', 'Gender'), ('city', 'City'), ('symptoms', 'Symptoms'),
    ('symptoms_text', 'Description'), ('duration_days', 'Duration'), ('pregnant', 'Pregnancy'),
    ('consent_email', 'Email consent'), ('consent_sms', 'SMS consent'),
    ('consent_whatsapp', 'WhatsApp consent'), ('consent_phone', 'Phone consent'),
]
DURATIONS = [('0.5', 'Less than a day'), ('2', '1-3 days'), ('7', 'About a week'),
             ('21', '2-4 weeks'), ('60', 'More than a month')]
GENDERS = [('female', 'Female'), ('male', 'Male'), ('other', 'Other')]
CONSENTS = [('consent_phone', 'Phone calls'), ('consent_sms', 'SMS'),
            ('consent_whatsapp', 'WhatsApp'), ('consent_email', 'Email')]
CALLBACK = {
    'emergency': 'as a priority',
    'urgent': 'soon',
    'soon': 'today',
    'routine': 'at a convenient time',
}

# Messages of lib.capture that continue the field name ("is required.", "must be ...").
_CONTINUES = re.compile(r'^(is|are|must|contains|cannot)\b')
_UTM_OK = re.compile(r'^[\w .:/+@-]*$')


def _message(field, message):
    """A whole sentence for the visitor: 'Full name is required.'."""
    label = dict(LABELS).get(field)
    if not label:
        return message[:1].upper() + message[1:]
    if _CONTINUES.match(message):
        return '%s %s' % (label, message)
    return '%s: %s' % (label, message)


def _clean_utm(source):
    """UTM values of ``source`` that clean_enquiry accepts; others are dropped, never shown as an error
    (the visitor cannot see nor fix the hidden inputs)."""
    utm = {}
    for field in UTM_FIELDS:
        value = source.get(field)
        if isinstance(value, str):
            value = ' '.join(value.split())
            if value and len(value) <= MAX_LEN[field] and _UTM_OK.match(value):
                utm[field] = value
    return utm


def _human_minutes(minutes):
    if minutes < 60:
        return '%d minutes' % minutes
    if minutes < 48 * 60:
        hours = int(round(minutes / 60.0))
        return '1 hour' if hours == 1 else '%d hours' % hours
    return '%d days' % int(round(minutes / 1440.0))


def _tel(number):
    return re.sub(r'[^\d+]', '', number or '') or '108'


class SehatConsult(http.Controller):

    def _emergency_number(self):
        return request.env['ir.config_parameter'].sudo().get_param('sehat_crm.emergency_number') or '108'

    def _catalogue(self):
        """Active symptoms: the red flags first, then the others grouped by specialty."""
        symptoms = request.env['sehat.symptom'].sudo().search([])
        groups = []
        red = symptoms.filtered('red_flag')
        if red:
            groups.append({'title': 'Warning signs', 'red_flag': True,
                           'symptoms': [{'code': s.code, 'name': s.name} for s in red]})
        others = symptoms - red
        for specialty in others.mapped('specialty_id').sorted(lambda sp: sp.name or ''):
            groups.append({'title': specialty.name, 'red_flag': False, 'symptoms': [
                {'code': s.code, 'name': s.name} for s in others if s.specialty_id == specialty]})
        return symptoms, groups

    def _region(self):
        company = request.website.sudo().company_id if getattr(request, 'website', None) else None
        return (company and company.country_id.code) or 'IN'

    def _render_form(self, values=None, selected=(), checked=(), utm=None, errors=None, status=200):
        _symptoms, groups = self._catalogue()
        errors = errors or {}
        order = [field for field, _label in LABELS]
        summary = [(field, errors[field]) for field in order if field in errors]
        summary += [(field, errors[field]) for field in sorted(errors) if field not in order]
        return request.render(TEMPLATE_FORM, {
            'values': values or {},
            'selected': set(selected),
            'checked': set(checked),
            'utm': utm or {},
            'errors': errors,
            'error_summary': summary,
            'groups': groups,
            'durations': DURATIONS,
            'genders': GENDERS,
            'consents': CONSENTS,
            'emergency_number': self._emergency_number(),
            'emergency_tel': _tel(self._emergency_number()),
        }, status=status)

    @http.route('/consult', type='http', auth='public', website=True, csrf=True, methods=['GET', 'POST'])
    def consult(self, **_kwargs):
        if request.httprequest.method != 'POST':
            return self._render_form(utm=_clean_utm(request.httprequest.args))
        return self._submit()

    def _submit(self):
        form = request.httprequest.form
        values = {field: form.get(field) for field in TEXT_FIELDS if form.get(field) is not None}
        selected = [code for code in form.getlist('symptoms') if code]
        raw_checkboxes = {field: form.get(field) for field in CHECKBOXES if form.get(field) is not None}
        checked = [field for field, value in raw_checkboxes.items() if value.strip().lower() in _TRUE]
        utm = _clean_utm(form)
        # Not csrf_token (Odoo checked it already) nor any other key: only the fields of the form.
        payload = dict(values, symptoms=selected, **dict(raw_checkboxes, **utm))
        symptoms, _groups = self._catalogue()
        shown_form = {'values': values, 'selected': selected, 'checked': checked, 'utm': utm}
        try:
            clean = clean_enquiry(payload, set(symptoms.mapped('code')), self._region(), form=True)
        except InvalidEnquiry as err:
            errors = {field: _message(field, message) for field, message in err.errors.items()}
            return self._render_form(errors=errors, status=400, **shown_form)

        Lead = request.env['crm.lead'].sudo().with_context(sehat_consent_source='Website form /consult')
        try:
            with request.env.cr.savepoint():
                lead, _patient, _duplicate_of = Lead.sehat_capture(clean, 'web')
        except OperationalError:
            raise  # concurrency: Odoo retries the request in a new transaction
        except (ValidationError, UserError, AccessError) as err:
            _logger.warning('/consult: enquiry refused: %s', err)
            reason = '' if isinstance(err, AccessError) else ' (%s)' % (getattr(err, 'name', None) or err)
            errors = {'form': 'We could not save your enquiry%s. Please check it, or call us.' % reason}
            return self._render_form(errors=errors, status=400, **shown_form)
        return self._render_thanks(lead, clean, symptoms)

    def _render_thanks(self, lead, clean, catalogue):
        """The answer to this submission only: its own symptoms and its own triage."""
        own = catalogue.filtered(lambda s: s.code in clean['symptoms'])
        result = urgency_lib.score_urgency(
            own.as_lib_symptoms(), age=clean.get('age'), pregnant=clean.get('pregnant'),
            duration_days=clean.get('duration_days') or None)
        red = own.filtered('red_flag')
        minutes = lead._sla_minutes(result.band)
        number = self._emergency_number()
        return request.render(TEMPLATE_THANKS, {
            'reference': lead.id,
            'first_name': (clean['name'] or '').split()[0] if clean.get('name') else '',
            'red_flag': bool(result.red_flags),
            'red_flag_advice': [{'name': s.name, 'advice': s.advice} for s in red],
            'other_advice': [{'name': s.name, 'advice': s.advice} for s in own - red if s.advice],
            'band': result.band,
            'band_label': urgency_lib.BAND_LABELS[result.band],
            'callback_when': CALLBACK[result.band],
            'callback_within': _human_minutes(minutes),
            'emergency_number': number,
            'emergency_tel': _tel(number),
        }, status=200)

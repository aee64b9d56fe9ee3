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

from odoo import _, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from ..lib import urgency as urgency_lib
from ..lib.capture import _TRUE, MAX_LEN, InvalidEnquiry, clean_enquiry
from ..lib.messages import translate

_logger = logging.getLogger(__name__)

TEMPLATE_FORM = 'sehat_crm.consult_form'
TEMPLATE_THANKS = 'sehat_crm.consult_thanks'

TEXT_FIELDS = ('name', 'phone', 'email', 'age', 'dob', 'gender', 'city', 'symptoms_text', 'duration_days')
CHECKBOXES = ('pregnant', 'consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone')
UTM_FIELDS = ('utm_source', 'utm_medium', 'utm_campaign')

# The words of the form and of the thank-you page are built for each request in the
# visitor's language: odoo._ translates into the website's current language (request.env.lang).
FIELD_ORDER = ('name', 'phone', 'email', 'age', 'dob', 'gender', 'city', 'symptoms', 'symptoms_text',
               'duration_days', 'pregnant', 'consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone')


def _labels():
    """Field labels, for the error messages."""
    return {
        'name': _('Full name'), 'phone': _('Mobile number'), 'email': _('Email'), 'age': _('Age'),
        'dob': _('Date of birth'), 'gender': _('Gender'), 'city': _('City'), 'symptoms': _('Symptoms'),
        'symptoms_text': _('Description'), 'duration_days': _('Duration'), 'pregnant': _('Pregnancy'),
        'consent_email': _('Email consent'), 'consent_sms': _('SMS consent'),
        'consent_whatsapp': _('WhatsApp consent'), 'consent_phone': _('Phone consent'),
    }


def _durations():
    return [('0.5', _('Less than a day')), ('2', _('1-3 days')), ('7', _('About a week')),
            ('21', _('2-4 weeks')), ('60', _('More than a month'))]


def _genders():
    return [('female', _('Female')), ('male', _('Male')), ('other', _('Other'))]


def _consents():
    return [('consent_phone', _('Phone calls')), ('consent_sms', _('SMS')),
            ('consent_whatsapp', _('WhatsApp')), ('consent_email', _('Email'))]


def _callback_when(band):
    return {'emergency': _('as a priority'), 'urgent': _('soon'), 'soon': _('today'),
            'routine': _('at a convenient time')}[band]


# Messages of lib.capture that continue the field name ("is required.", "must be ...").
_CONTINUES = re.compile(r'^(is|are|must|contains|cannot)\b')
_UTM_OK = re.compile(r'^[\w .:/+@-]*$')


def _message(field, message):
    """A whole sentence for the visitor, in their language: 'Full name is required.'."""
    text = translate(message, _)
    label = _labels().get(field)
    if not label:
        return text[:1].upper() + text[1:]
    if _CONTINUES.match(message):  # the English text continues the field's name
        return '%s %s' % (label, text)
    return '%s: %s' % (label, text)


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
        return _('%d minutes') % minutes
    if minutes < 48 * 60:
        hours = int(round(minutes / 60.0))
        return _('1 hour') if hours == 1 else _('%d hours') % hours
    return _('%d days') % int(round(minutes / 1440.0))


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
            groups.append({'title': _('Warning signs'), 'red_flag': True,
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
        summary = [(field, errors[field]) for field in FIELD_ORDER if field in errors]
        summary += [(field, errors[field]) for field in sorted(errors) if field not in FIELD_ORDER]
        return request.render(TEMPLATE_FORM, {
            'values': values or {},
            'selected': set(selected),
            'checked': set(checked),
            'utm': utm or {},
            'errors': errors,
            'error_summary': summary,
            'groups': groups,
            'durations': _durations(),
            'genders': _genders(),
            'consents': _consents(),
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
            if isinstance(err, AccessError):
                message = _('We could not save your enquiry. Please check it, or call us.')
            else:
                message = _('We could not save your enquiry (%s). Please check it, or call us.') % (
                    getattr(err, 'name', None) or err)
            errors = {'form': message}
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
            'band_label': _(urgency_lib.BAND_LABELS[result.band]),
            'callback_when': _callback_when(result.band),
            'callback_within': _human_minutes(minutes),
            'emergency_number': number,
            'emergency_tel': _tel(number),
        }, status=200)

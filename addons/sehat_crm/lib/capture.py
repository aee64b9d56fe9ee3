"""Validation of a patient enquiry from the web form or the JSON API.

:func:`clean_enquiry` takes the submitted values and returns clean, typed values, or
raises :class:`InvalidEnquiry` whose ``errors`` maps each bad field to a message a
person can act on. Nothing is stored before the whole enquiry is valid.
"""
import datetime
import re

from .messages import Message, _
from .phone import InvalidPhone, normalize_phone

MAX_LEN = {
    'name': 120, 'email': 254, 'city': 80, 'symptoms_text': 2000,
    'utm_source': 100, 'utm_medium': 100, 'utm_campaign': 100,
}
GENDERS = ('female', 'male', 'other')
CONSENTS = ('consent_email', 'consent_sms', 'consent_whatsapp', 'consent_phone')
BOOLEANS = ('pregnant',) + CONSENTS
FIELDS = ('name', 'phone', 'email', 'age', 'dob', 'gender', 'city', 'symptoms', 'symptoms_text',
          'duration_days', 'pregnant') + CONSENTS + ('utm_source', 'utm_medium', 'utm_campaign')
MAX_AGE = 130
MAX_DURATION_DAYS = 3650
MAX_SYMPTOMS = 20

_MARKUP = re.compile(r'<\s*[a-zA-Z/!?]|&#?\w+;')
_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')  # control chars, lone surrogates
_EMAIL = re.compile(r'^[^@\s<>(),;:"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$')
_TRUE = ('1', 'true', 'on', 'yes')
_FALSE = ('', '0', 'false', 'off', 'no')


class InvalidEnquiry(ValueError):
    """``errors``: {field: message}."""

    def __init__(self, errors):
        super(InvalidEnquiry, self).__init__('; '.join('%s: %s' % kv for kv in sorted(errors.items())))
        self.errors = errors


def _text(errors, field, value, multiline=False):
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = Message(_('must be text.'))
        return None
    value = value.strip()
    if not multiline:
        value = ' '.join(value.split())
    if len(value) > MAX_LEN[field]:
        errors[field] = Message(_('is too long (%(length)d characters, at most %(limit)d).'),
                                length=len(value), limit=MAX_LEN[field])
    elif _MARKUP.search(value):
        errors[field] = Message(_('must not contain HTML or markup.'))
    elif _CONTROL.search(value):
        errors[field] = Message(_('contains control characters.'))
    return value or None


def _bool(errors, field, value, form):
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if form and isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    errors[field] = Message(_('must be true or false.'))
    return False


def _number(errors, field, value, form, low, high, integer):
    if value is None or (form and value == ''):
        return None
    if form and isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            errors[field] = Message(_('must be a number.'))
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        errors[field] = Message(_('must be a whole number.')) if integer else Message(_('must be a number.'))
        return None
    if value != value or not low <= value <= high:  # value != value: NaN
        errors[field] = Message(_('must be between %(low)s and %(high)s.'), low=low, high=high)
        return None
    return value


def _dob(errors, value, today):
    if value is None or value == '':
        return None
    if not isinstance(value, str):
        errors['dob'] = Message(_('must be a date written YYYY-MM-DD.'))
        return None
    try:
        born = datetime.datetime.strptime(value.strip(), '%Y-%m-%d').date()
    except ValueError:
        errors['dob'] = Message(_('must be a date written YYYY-MM-DD.'))
        return None
    if born > today:
        errors['dob'] = Message(_('is in the future.'))
    elif today.year - born.year > MAX_AGE:
        errors['dob'] = Message(_('is more than %d years ago.'), MAX_AGE)
    return born


def _symptoms(errors, value, known_codes):
    if value is None or value == '':
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        errors['symptoms'] = Message(_('must be a list of symptom codes.'))
        return []
    codes = []
    for code in value:
        code = code.strip().upper()
        if code and code not in codes:
            codes.append(code)
    unknown = [code for code in codes if code not in known_codes]
    if unknown:
        errors['symptoms'] = Message(_('unknown symptom code(s): %s.'), ', '.join(sorted(unknown)[:10])[:300])
    elif len(codes) > MAX_SYMPTOMS:
        errors['symptoms'] = Message(_('at most %d symptoms.'), MAX_SYMPTOMS)
    return codes


def age_from_dob(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def clean_enquiry(payload, known_codes, region='IN', today=None, form=False):
    """Validate an enquiry. ``form=True`` accepts the strings an HTML form sends.

    Returns a dict with every key of :data:`FIELDS` (``phone`` in E.164, ``dob`` a date,
    ``age`` from ``dob`` when given, ``symptoms`` a list of known codes).
    """
    if not isinstance(payload, dict):
        raise InvalidEnquiry({'body': Message(_('must be a JSON object.'))})
    today = today or datetime.date.today()
    errors = {}
    unknown = sorted(key for key in payload if key not in FIELDS)
    if unknown and not form:
        errors['body'] = Message(_('unknown field(s): %s.'), ', '.join(str(k)[:40] for k in unknown[:10]))
    clean = {}
    for field in ('name', 'email', 'city', 'utm_source', 'utm_medium', 'utm_campaign'):
        clean[field] = _text(errors, field, payload.get(field))
    clean['symptoms_text'] = _text(errors, 'symptoms_text', payload.get('symptoms_text'), multiline=True)
    if not clean['name'] and 'name' not in errors:
        errors['name'] = Message(_('is required.'))
    phone = payload.get('phone')
    if phone is None or (isinstance(phone, str) and not phone.strip()):
        errors['phone'] = Message(_('is required.'))
    elif not isinstance(phone, str):
        errors['phone'] = Message(_('must be text.'))
    elif _CONTROL.search(phone):
        errors['phone'] = Message(_('contains control characters.'))
    else:
        try:
            clean['phone'] = normalize_phone(phone, region)
        except InvalidPhone as err:
            errors['phone'] = err.args[0] if isinstance(err.args[0], Message) else str(err)
    if clean['email']:
        clean['email'] = clean['email'].lower()
        if 'email' not in errors and not _EMAIL.match(clean['email']):
            errors['email'] = Message(_('is not a valid email address.'))
    clean['dob'] = _dob(errors, payload.get('dob'), today)
    clean['age'] = _number(errors, 'age', payload.get('age'), form, 0, MAX_AGE, integer=True)
    if clean['dob'] and 'dob' not in errors:
        clean['age'] = age_from_dob(clean['dob'], today)
    gender = payload.get('gender')
    clean['gender'] = None
    if gender not in (None, ''):
        if isinstance(gender, str) and gender.strip().lower() in GENDERS:
            clean['gender'] = gender.strip().lower()
        else:
            errors['gender'] = Message(_('must be one of %s.'), ', '.join(GENDERS))
    clean['symptoms'] = _symptoms(errors, payload.get('symptoms'), known_codes)
    if not clean['symptoms'] and not clean['symptoms_text'] and not {'symptoms', 'symptoms_text'} & set(errors):
        errors['symptoms'] = Message(_('pick at least one symptom or describe the problem.'))
    clean['duration_days'] = _number(errors, 'duration_days', payload.get('duration_days'), form,
                                     0, MAX_DURATION_DAYS, integer=False)
    for field in BOOLEANS:
        clean[field] = _bool(errors, field, payload.get(field), form)
    if clean['pregnant'] and clean['gender'] == 'male':
        errors['pregnant'] = Message(_('cannot be set for a male patient.'))
    if errors:
        raise InvalidEnquiry(errors)
    return clean

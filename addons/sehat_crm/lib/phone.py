"""Phone numbers: E.164 normalisation and validation with ``phonenumbers``."""
import phonenumbers

from .messages import Message, _


class InvalidPhone(ValueError):
    """Raised with a message a call-centre operator can act on (a lib.messages.Message)."""


def normalize_phone(raw, default_region='IN'):
    """Return ``raw`` as an E.164 string (``+919876543210``).

    ``default_region`` (ISO 3166 alpha-2) is used for numbers written without a
    country code. Empty input returns ``False`` so optional phone fields stay
    empty. Raises :class:`InvalidPhone` for anything that is not a valid number.
    """
    if raw is None or raw is False:
        return False
    if not isinstance(raw, str):
        raise InvalidPhone(Message(_('The phone number must be text, got %s.'), type(raw).__name__))
    text = raw.strip()
    if not text:
        return False
    if len(text) > 40:
        raise InvalidPhone(Message(_('"%s…" is too long to be a phone number.'), text[:20]))
    region = (default_region or 'IN').upper()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(Message(_('"%s" is not a phone number.'), text))
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(Message(
            _('"%s" is not a valid phone number (expected a number like +91 98765 43210).'), text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """International format for display: ``+91 98765 43210``."""
    if not e164:
        return ''
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

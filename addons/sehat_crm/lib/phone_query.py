"""Is a search text a phone number? Used to find patients by phone whatever the format typed.

Pure Python: no Odoo import. Normalising the number itself is :mod:`.phone`'s job.
"""
import re

# digits with the separators people type: "+91-98450-11234", "(080) 2222 3333", "098450.11234"
_PHONE_TEXT = re.compile(r'^\+?[0-9\s().\-/]*[0-9][0-9\s().\-/]*$')
MIN_PHONE_DIGITS = 7


def phone_digits(text):
    """The ASCII digits of ``text``, in order ("+91 98450-11234" -> "919845011234")."""
    return ''.join(char for char in (text or '') if '0' <= char <= '9')


def is_phone_text(text):
    """True when ``text`` is made only of digits and phone separators, with at least one digit."""
    return bool(text) and bool(_PHONE_TEXT.match(text.strip()))


def looks_like_phone(text):
    """True when ``text`` reads as a phone number: phone characters only, and at least
    :data:`MIN_PHONE_DIGITS` digits. Names, e-mails and patient IDs never do."""
    return is_phone_text(text) and len(phone_digits(text)) >= MIN_PHONE_DIGITS

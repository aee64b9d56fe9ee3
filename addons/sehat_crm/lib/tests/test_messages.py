import json

from ..capture import InvalidEnquiry, clean_enquiry
from ..messages import Message, translate

FRENCH = {
    'is required.': 'est obligatoire.',
    'is too long (%(length)d characters, at most %(limit)d).':
        'est trop long (%(length)d caractères, au plus %(limit)d).',
    '"%s" is not a phone number.': '« %s » n\'est pas un numéro de téléphone.',
    'at most %d symptoms.': 'au plus %s %s symptômes.',  # a translator's slip: one value, two placeholders
}


def french(text):
    return FRENCH.get(text, text)


def errors_of(payload):
    try:
        clean_enquiry(payload, {'FEVER'}, 'IN')
    except InvalidEnquiry as err:
        return err.errors
    raise AssertionError('valid: %r' % payload)


def test_a_message_is_its_english_text():
    message = Message('at most %d symptoms.', 20)
    assert message == 'at most 20 symptoms.'
    assert json.dumps({'symptoms': message}) == '{"symptoms": "at most 20 symptoms."}'
    assert (message.template, message.args) == ('at most %d symptoms.', (20,))
    named = Message('must be between %(low)s and %(high)s.', low=0, high=130)
    assert named == 'must be between 0 and 130.' and named.args == {'low': 0, 'high': 130}


def test_enquiry_errors_translate_with_their_values():
    errors = errors_of({'name': 'x' * 150, 'phone': 'call me'})
    assert errors['name'] == 'is too long (150 characters, at most 120).'
    assert translate(errors['name'], french) == 'est trop long (150 caractères, au plus 120).'
    assert translate(errors['phone'], french) == '« call me » n\'est pas un numéro de téléphone.'
    assert translate(errors_of({'phone': '98450 00001', 'symptoms': ['FEVER']})['name'], french) == \
        'est obligatoire.'


def test_untranslated_and_plain_texts():
    assert translate(Message('is in the future.'), french) == 'is in the future.'
    assert translate('is required.', french) == 'est obligatoire.'


def test_a_wrong_translation_falls_back_to_english():
    assert translate(Message('at most %d symptoms.', 20), french) == 'at most 20 symptoms.'

import pytest

from ..phone_query import MIN_PHONE_DIGITS, is_phone_text, looks_like_phone, phone_digits


@pytest.mark.parametrize('text', [
    '98450 11234', '+91-98450-11234', '09845011234', '(080) 2222 3333', '+1 650.253.0000', ' 98450/11234 ',
])
def test_phone_numbers_look_like_phones(text):
    assert looks_like_phone(text)


@pytest.mark.parametrize('text', [
    '', None, 'Ravi Kumar', 'ravi@example.com', 'PAT000123', 'Flat 12345678', '12345', '+91', '---', '98450 1123x',
    '9845011234 Ravi', '+91+9845011234',
])
def test_other_text_does_not(text):
    assert not looks_like_phone(text)


def test_short_digit_runs_are_phone_text_but_not_phones():
    assert is_phone_text('11234')
    assert not looks_like_phone('11234')
    assert len(phone_digits('11234')) < MIN_PHONE_DIGITS
    assert not is_phone_text('Ravi 5')
    assert not is_phone_text(' - ')


def test_digits_keep_order_and_drop_separators():
    assert phone_digits('+91 (98450)-11234') == '919845011234'
    assert phone_digits('') == ''
    assert phone_digits(None) == ''
    assert phone_digits('٣٤٥') == '', 'only ASCII digits: the index holds ASCII E.164 numbers'

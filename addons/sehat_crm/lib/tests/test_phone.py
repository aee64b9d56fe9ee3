import pytest

from ..phone import InvalidPhone, display_phone, normalize_phone

VALID = [
    # raw, region, expected E.164
    ('98765 43210', 'IN', '+919876543210'),
    ('098765-43210', 'IN', '+919876543210'),
    ('+91 98765 43210', 'IN', '+919876543210'),
    ('0091 9876543210', 'IN', '+919876543210'),
    ('(080) 2222 3333', 'IN', '+918022223333'),
    ('+1 650-253-0000', 'IN', '+16502530000'),
    ('650 253 0000', 'us', '+16502530000'),
    ('  +44 20 7946 0958 ', 'IN', '+442079460958'),
]

INVALID = [
    'abc',
    '12345',
    '+91 12345',
    '98765 4321099999',
    '+999 123456789',
    '9' * 50,
]


@pytest.mark.parametrize('raw,region,expected', VALID)
def test_valid_numbers_become_e164(raw, region, expected):
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize('raw', INVALID)
def test_invalid_numbers_are_rejected_with_a_message(raw):
    with pytest.raises(InvalidPhone) as err:
        normalize_phone(raw, 'IN')
    assert 'phone' in str(err.value)


@pytest.mark.parametrize('empty', [None, False, '', '   '])
def test_empty_is_not_an_error(empty):
    assert normalize_phone(empty) is False


def test_non_text_is_rejected():
    with pytest.raises(InvalidPhone):
        normalize_phone(9876543210)


def test_same_number_written_differently_gives_one_key():
    forms = ['98765 43210', '+91-98765-43210', '09876543210', '+919876543210']
    assert {normalize_phone(f, 'IN') for f in forms} == {'+919876543210'}


def test_display_format():
    assert display_phone('+919876543210') == '+91 98765 43210'
    assert display_phone('') == ''
    assert display_phone(False) == ''

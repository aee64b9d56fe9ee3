import datetime

import pytest

from ..profile import completeness, is_filled


class Empty:
    """Behaves like an empty Odoo recordset: falsy, not a list."""

    def __bool__(self):
        return False


REQUIRED = [('birthdate', 'Date of birth'), ('gender', 'Gender'), ('city', 'City'), ('allergies', 'Allergies')]


@pytest.mark.parametrize('values,percent,missing', [
    ({}, 0, ['Date of birth', 'Gender', 'City', 'Allergies']),
    ({'birthdate': '1980-01-01', 'gender': 'female'}, 50, ['City', 'Allergies']),
    ({'birthdate': '1980-01-01', 'gender': 'female', 'city': '  ', 'allergies': 'None known'}, 75, ['City']),
    ({'birthdate': '1980-01-01', 'gender': 'male', 'city': 'Mysuru', 'allergies': 'Penicillin'}, 100, []),
    ({'birthdate': False, 'gender': None, 'city': 'Pune', 'allergies': ''}, 25,
     ['Date of birth', 'Gender', 'Allergies']),
])
def test_completeness(values, percent, missing):
    assert completeness(values, REQUIRED) == (percent, missing)


def test_nothing_required_is_complete():
    assert completeness({}, []) == (100, [])


@pytest.mark.parametrize('value,filled', [
    (None, False), (False, False), ('', False), (' ', False), ([], False), ('x', True), ([1], True), (7, True),
    (0, True), (datetime.date(2026, 1, 1), True), (Empty(), False),
])
def test_is_filled(value, filled):
    assert is_filled(value) is filled

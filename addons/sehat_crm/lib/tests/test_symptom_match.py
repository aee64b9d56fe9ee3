import pytest

from ..symptom_match import match_symptoms

CATALOGUE = [
    ('CHEST_PAIN', 'Chest pain or pressure', 'chest pain, chest tightness, seene mein dard'),
    ('FEVER', 'Fever', 'temperature, bukhar'),
    ('COUGH', 'Cough', ''),
    ('EAR', 'Ear pain', 'earache'),
]


@pytest.mark.parametrize('text,codes', [
    ('', []),
    (None, []),
    ('I have CHEST PAIN since morning', ['CHEST_PAIN']),
    ('Chest-tightness and a high temperature!', ['CHEST_PAIN', 'FEVER']),
    ('bukhar aur khansi', ['FEVER']),
    ('My child has a cough and an earache', ['COUGH', 'EAR']),
    ('coughing at night', []),
    ('Feverish? no, just tired', []),
])
def test_match(text, codes):
    assert match_symptoms(text, CATALOGUE) == codes

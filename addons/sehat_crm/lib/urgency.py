"""Urgency of a patient's enquiry: a 0-100 score, a band and the reasons for it.

The call centre records the symptoms a caller reports (from the ``sehat.symptom``
catalogue, each with an ``urgency_weight`` 0-100 and a ``red_flag`` tick) and a
few facts about the patient. :func:`score_urgency` turns them into a score that
an operator can explain to a supervisor line by line.

Rules
-----
1. **Symptoms.** The highest symptom weight counts in full; every other symptom
   adds 15% of its weight. The 15% is taken of the *sum* of the other weights
   and rounded half up, so several symptoms add up but one severe symptom
   dominates: chest pain (95) + cough (20) = 95 + 3 = 98.
2. **Modifiers.**

   ========================================  =====
   Age 65 or older                            +10
   Age under 2 (infants)                      +15
   Pregnant                                   +10
   Chronic conditions, +5 each                at most +10
   Sudden onset: duration under 1 day          +5 (only when a symptom is given)
   Long-standing: duration over 30 days        -5
   ========================================  =====

3. **Clamp** the total to 0..100.
4. **Red flags.** Any red-flag symptom raises the score to at least 90 and
   makes the band ``emergency``, whatever the other rules say.
5. **Bands** by score: 80 and above ``emergency``, 55 and above ``urgent``,
   30 and above ``soon``, below 30 ``routine``.

No symptoms and no modifiers score 0, band ``routine``. Every point added or
taken away is listed in :attr:`UrgencyResult.reasons`, e.g.
``"Chest pain (weight 95)"`` or ``"Age 70: 65 or older (+10)"``.

Bad input (a weight outside 0..100, a negative or impossible age, a negative
duration or chronic-condition count) raises :class:`ValueError` with a message
naming the value. The module is pure Python: no Odoo import.
"""
from collections import namedtuple
from numbers import Real

from .messages import _

BANDS = ('emergency', 'urgent', 'soon', 'routine')  # most to least urgent
BAND_LABELS = {'emergency': _('Emergency'), 'urgent': _('Urgent'), 'soon': _('Soon'), 'routine': _('Routine')}
BAND_RANK = {'emergency': 4, 'urgent': 3, 'soon': 2, 'routine': 1}  # stored on the lead, ordering DESC
DEFAULT_SLA_MINUTES = {'emergency': 15, 'urgent': 60, 'soon': 240, 'routine': 1440}

# Lowest score of each band, most urgent first (see band_for_score).
BAND_THRESHOLDS = (('emergency', 80), ('urgent', 55), ('soon', 30), ('routine', 0))

MIN_SCORE = 0
MAX_SCORE = 100
MAX_WEIGHT = 100
MAX_AGE = 130
OTHER_SYMPTOMS_PERCENT = 15
RED_FLAG_FLOOR = 90

ELDERLY_AGE = 65
ELDERLY_POINTS = 10
INFANT_AGE = 2
INFANT_POINTS = 15
PREGNANCY_POINTS = 10
CHRONIC_POINTS_EACH = 5
CHRONIC_POINTS_MAX = 10
SUDDEN_ONSET_DAYS = 1
SUDDEN_ONSET_POINTS = 5
LONG_STANDING_DAYS = 30
LONG_STANDING_POINTS = -5


def _is_number(value):
    """True for int and float values, False for ``bool`` (a common typo for a number)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_weight(name, weight):
    """Raise ValueError unless ``weight`` is a whole number 0..100."""
    if not isinstance(weight, int) or isinstance(weight, bool):
        raise ValueError('The urgency weight of "%s" must be a whole number, got %r.' % (name, weight))
    if not 0 <= weight <= MAX_WEIGHT:
        raise ValueError('The urgency weight of "%s" must be between 0 and %d, got %d.'
                         % (name, MAX_WEIGHT, weight))


class Symptom(namedtuple('Symptom', 'code name weight red_flag')):
    """One reported symptom: catalogue ``code``, display ``name``, ``weight`` 0..100, ``red_flag``.

    The constructor checks the weight and raises :class:`ValueError` when it is
    not a whole number between 0 and 100.
    """

    __slots__ = ()

    def __new__(cls, code, name, weight, red_flag=False):
        _check_weight(name or code, weight)
        return super().__new__(cls, code, name or code, weight, bool(red_flag))


class UrgencyResult(namedtuple('UrgencyResult', 'score band red_flags reasons')):
    """Outcome of :func:`score_urgency`.

    ``score`` int 0..100, ``band`` one of :data:`BANDS`, ``red_flags`` the names
    of the red-flag symptoms (tuple), ``reasons`` human-readable lines (tuple).
    """

    __slots__ = ()

    @property
    def label(self):
        """Display label of the band, e.g. ``'Emergency'``."""
        return BAND_LABELS[self.band]

    @property
    def rank(self):
        """Sortable rank of the band: 4 for emergency down to 1 for routine."""
        return BAND_RANK[self.band]


def band_for_score(score, red_flag=False):
    """Return the band for a 0..100 ``score``; a ``red_flag`` is always ``'emergency'``."""
    if not _is_number(score):
        raise ValueError('The urgency score must be a number, got %r.' % (score,))
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise ValueError('The urgency score must be between %d and %d, got %s.' % (MIN_SCORE, MAX_SCORE, score))
    if red_flag:
        return 'emergency'
    for band, lowest in BAND_THRESHOLDS:
        if score >= lowest:
            return band
    return 'routine'  # not reached: the last threshold is 0


def _as_symptom(item):
    """Return ``item`` as a validated :class:`Symptom` (a Symptom or a 4-item tuple/list)."""
    if isinstance(item, Symptom):
        _check_weight(item.name, item.weight)  # _make/_replace bypass the constructor check
        return item
    if isinstance(item, (tuple, list)) and len(item) == 4:
        return Symptom(*item)
    raise ValueError('A symptom must be a Symptom(code, name, weight, red_flag), got %r.' % (item,))


def _fmt(number):
    """``70`` for 70 and 70.0, ``0.5`` for 0.5: numbers as an operator would write them."""
    return '%g' % number


def _validate_patient(age, chronic_conditions, duration_days):
    """Raise ValueError for an impossible age, chronic-condition count or duration."""
    if age is not None:
        if not _is_number(age):
            raise ValueError('The age must be a number of years, got %r.' % (age,))
        if age < 0:
            raise ValueError('The age cannot be negative, got %s.' % _fmt(age))
        if age > MAX_AGE:
            raise ValueError('The age must be at most %d years, got %s.' % (MAX_AGE, _fmt(age)))
    if not isinstance(chronic_conditions, int) or isinstance(chronic_conditions, bool):
        raise ValueError('The number of chronic conditions must be a whole number, got %r.' % (chronic_conditions,))
    if chronic_conditions < 0:
        raise ValueError('The number of chronic conditions cannot be negative, got %d.' % chronic_conditions)
    if duration_days is not None:
        if not _is_number(duration_days):
            raise ValueError('The duration must be a number of days, got %r.' % (duration_days,))
        if duration_days < 0:
            raise ValueError('The duration cannot be negative, got %s days.' % _fmt(duration_days))


def _symptom_points(symptoms):
    """Return ``(points, reasons)`` for the symptoms: the highest weight + 15% of the others."""
    if not symptoms:
        return 0, []
    top = max(symptoms, key=lambda s: s.weight)  # first of equal weights, in reported order
    others = list(symptoms)
    others.remove(top)
    reasons = ['%s (weight %d)' % (top.name, top.weight)]
    if not others:
        return top.weight, reasons
    others_sum = sum(s.weight for s in others)
    # Round half up, in integers: 15% of 30 = 4.5 -> 5 (round() would give 4, rounding half to even).
    extra = (others_sum * OTHER_SYMPTOMS_PERCENT + 50) // 100
    listed = ', '.join('%s (weight %d)' % (s.name, s.weight) for s in others)
    reasons.append('Also %s: %d%% of %d (+%d)' % (listed, OTHER_SYMPTOMS_PERCENT, others_sum, extra))
    return top.weight + extra, reasons


def _modifiers(has_symptoms, age, pregnant, chronic_conditions, duration_days):
    """Return a list of ``(points, reason)`` for the patient modifiers that apply."""
    found = []
    if age is not None and age >= ELDERLY_AGE:
        found.append((ELDERLY_POINTS, 'Age %s: %d or older' % (_fmt(age), ELDERLY_AGE)))
    elif age is not None and age < INFANT_AGE:
        found.append((INFANT_POINTS, 'Age %s: infant under %d' % (_fmt(age), INFANT_AGE)))
    if pregnant:
        found.append((PREGNANCY_POINTS, 'Pregnant'))
    if chronic_conditions:
        points = min(chronic_conditions * CHRONIC_POINTS_EACH, CHRONIC_POINTS_MAX)
        found.append((points, '%d chronic condition%s: %d each, at most %d' % (
            chronic_conditions, '' if chronic_conditions == 1 else 's', CHRONIC_POINTS_EACH, CHRONIC_POINTS_MAX)))
    if duration_days is not None:
        if has_symptoms and duration_days < SUDDEN_ONSET_DAYS:
            found.append((SUDDEN_ONSET_POINTS, 'Sudden onset: under %d day' % SUDDEN_ONSET_DAYS))
        elif duration_days > LONG_STANDING_DAYS:
            found.append((LONG_STANDING_POINTS, 'Long-standing: %s days, more than %d'
                          % (_fmt(duration_days), LONG_STANDING_DAYS)))
    return found


def _signed(points):
    """``+10`` / ``-5``: the way each reason shows its points."""
    return '%+d' % points


def score_urgency(symptoms, age=None, pregnant=False, chronic_conditions=0, duration_days=None):
    """Score an enquiry and return an :class:`UrgencyResult`.

    ``symptoms`` is an iterable of :class:`Symptom` (or 4-tuples
    ``(code, name, weight, red_flag)``), ``None`` or empty for none. ``age`` in
    years (may be fractional, e.g. ``0.25`` for a three-month-old) or ``None``
    if unknown; ``chronic_conditions`` a count; ``duration_days`` how long the
    symptoms have lasted, or ``None`` if unknown. See the module docstring for
    the rules. Raises :class:`ValueError` for invalid input.
    """
    symptoms = [_as_symptom(item) for item in (symptoms or ())]
    _validate_patient(age, chronic_conditions, duration_days)

    score, reasons = _symptom_points(symptoms)
    for points, reason in _modifiers(bool(symptoms), age, pregnant, chronic_conditions, duration_days):
        score += points
        reasons.append('%s (%s)' % (reason, _signed(points)))

    if score > MAX_SCORE:
        reasons.append('Capped at %d (%s)' % (MAX_SCORE, _signed(MAX_SCORE - score)))
        score = MAX_SCORE
    elif score < MIN_SCORE:
        reasons.append('Raised to %d (%s)' % (MIN_SCORE, _signed(MIN_SCORE - score)))
        score = MIN_SCORE

    red_flags = tuple(s.name for s in symptoms if s.red_flag)
    if red_flags:
        reason = 'Red flag (%s): Emergency, score at least %d' % (', '.join(red_flags), RED_FLAG_FLOOR)
        if score < RED_FLAG_FLOOR:
            reason += ' (%s)' % _signed(RED_FLAG_FLOOR - score)
            score = RED_FLAG_FLOOR
        reasons.append(reason)

    return UrgencyResult(score, band_for_score(score, bool(red_flags)), red_flags, tuple(reasons))

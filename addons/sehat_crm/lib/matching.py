"""Which doctor for this patient: a ranked, explained shortlist.

The call centre describes what the patient needs in a :class:`MatchRequest`
(specialties weighted by the reported symptoms, preferred languages, a
preferred gender of doctor, a fee cap, a department) and the caller gives the
facts of each doctor as :class:`DoctorFacts`. :func:`rank_doctors` drops the
doctors who cannot be offered and scores the rest 0-100, every point explained.

Only the facts below count. There is no field through which a sponsor,
a partner hospital or anyone else could pay to move a doctor up the list:
paid placement is impossible by design. To change the ranking, change these
rules, in this file, in review.

Rules
-----
1. **Who is left out** (:func:`excluded_reason` says why):

   - specialties were requested and the doctor practises none of them;
   - a gender of doctor was preferred and the doctor's is different;
   - a fee cap was given and the doctor's fee is above it (equal is fine);
   - a department was given and the doctor works in another one;
   - the doctor has no free slot.

2. **Score** = the sum of five parts, each a whole number (halves round up):

   ============  ====  ==========================================================
   Part           Max  Points
   ============  ====  ==========================================================
   Specialty       40  40 x the share of the symptoms' weight that falls on
                       specialties the doctor practises; 40 when no specialty
                       was requested
   Language        20  20 if the doctor speaks a preferred language, 0 if not;
                       10 when the patient has no preference
   Availability    20  20 when the next free slot is within 24 hours, then
                       down in a straight line to 0 at 14 days or later
   Rating          10  the rating (0-5) x 2; 5 for a doctor not rated yet, so
                       new doctors are not buried
   Load            10  10 x the share of the next 7 days' capacity still free
                       (3 of 40 booked: 10 x 37/40 = 9.25 -> 9); 0 when full
   ============  ====  ==========================================================

   Example: symptom weights cardiology 2, general medicine 1; a cardiologist
   scores 40 x 2/3 = 26.67 -> 27 for the specialty.

3. **Order**: highest score first; on equal scores the sooner free slot, then
   the lower fee, then the lower doctor id, so the same input always gives the
   same list. At most ``limit`` doctors are returned (5 by default).

Each :class:`Match` lists its parts in ``components`` and one line per part in
``reasons``, each ending with its points, e.g. ``"Speaks a preferred language
(+20)"``, ``"Next free slot in 3 h (+20)"``, ``"Rated 4.5/5 (+9)"``,
``"Light schedule: 3 of 40 appointments booked in the next 7 days (+9)"``.
The points in the reasons add up to the score.

Bad input (a specialty weight that is not above 0, a rating outside 0..5, a
capacity that is not above 0, a negative load or fee, a limit below 1, ...)
raises :class:`ValueError` with a message naming the value. The module is pure
Python: no Odoo import.
"""
import datetime
import heapq
import math
from collections import namedtuple
from operator import itemgetter
from numbers import Real

COMPONENTS = ('specialty', 'language', 'availability', 'rating', 'load')
GENDERS = ('male', 'female')

SPECIALTY_POINTS = 40
LANGUAGE_POINTS = 20
LANGUAGE_NEUTRAL_POINTS = 10
AVAILABILITY_POINTS = 20
AVAILABILITY_FULL_HOURS = 24  # a slot within this many hours earns all availability points
AVAILABILITY_ZERO_HOURS = 14 * 24  # a slot this far away or further earns none
RATING_POINTS = 10
MAX_RATING = 5
UNRATED_POINTS = 5
LOAD_POINTS = 10
LOAD_DAYS = 7
DEFAULT_LIMIT = 5

# Schedule labels by the share of the week's capacity already booked (below the bound).
LOAD_LABELS = ((1.0 / 3, 'Light schedule'), (2.0 / 3, 'Moderate schedule'), (1.0, 'Busy schedule'))


class MatchRequest(namedtuple('MatchRequest', 'specialty_weights language_ids gender fee_cap department_id')):
    """What the patient needs.

    ``specialty_weights`` {specialty id: weight > 0} from the symptoms (empty:
    any specialty), ``language_ids`` preferred language ids (empty: no
    preference), ``gender`` ``'male'``, ``'female'`` or ``None`` (no
    preference), ``fee_cap`` the highest acceptable fee or ``None``,
    ``department_id`` or ``None``. Empty Odoo values (``False``) count as none.
    """

    __slots__ = ()


class DoctorFacts(namedtuple('DoctorFacts', 'id name specialty_ids language_ids gender fee department_id '
                                            'rating next_slot load capacity')):
    """The facts about one doctor that the ranking may use, and nothing else.

    ``rating`` 0..5 or ``None`` (not rated yet), ``next_slot`` naive UTC
    datetime of the soonest free slot or ``None``, ``load`` appointments booked
    in the next 7 days, ``capacity`` appointments the doctor can take in 7 days.
    """

    __slots__ = ()


class Match(namedtuple('Match', 'doctor_id score components reasons')):
    """One ranked doctor: ``score`` 0..100, ``components`` {part: points}, ``reasons`` (tuple of lines)."""

    __slots__ = ()


def _is_number(value):
    """True for finite int and float values, False for ``bool`` (a common typo for a number)."""
    kind = type(value)
    if kind is int:  # the common cases first, without the slower isinstance(value, Real)
        return True
    if kind is float:
        return math.isfinite(value)
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _round_half_up(value):
    """Round to a whole number, halves up: 8.5 -> 9 (``round`` would give 8).

    Rounding to 9 decimals first absorbs float noise such as 2.4999999999999996.
    """
    return int(math.floor(round(value, 9) + 0.5))


def _fmt(number):
    """``4.5`` for 4.5, ``4`` for 4.0, ``1500`` for 1500.0: numbers as an operator would write them."""
    return '%g' % number


def _ids(what, values):
    """Return ``values`` (ids, ``None`` or ``False``) as a frozenset."""
    if not values:
        return frozenset()
    if isinstance(values, (str, bytes)) or not hasattr(values, '__iter__'):
        raise ValueError('%s must be a collection of ids, got %r.' % (what, values))
    return frozenset(values)


def _check_request(request):
    """Validate ``request``; return ``(weights dict, total weight, language ids, gender)``."""
    if not isinstance(request, MatchRequest):
        raise ValueError('The request must be a MatchRequest, got %r.' % (request,))
    weights = request.specialty_weights or {}
    if not isinstance(weights, dict):
        raise ValueError('The specialty weights must be a dict {specialty id: weight}, got %r.' % (weights,))
    for specialty_id, weight in weights.items():
        if not _is_number(weight):
            raise ValueError('The weight of specialty %r must be a number, got %r.' % (specialty_id, weight))
        if weight <= 0:
            raise ValueError('The weight of specialty %r must be above 0, got %s.' % (specialty_id, _fmt(weight)))
    gender = request.gender or None
    if gender is not None and gender not in GENDERS:
        raise ValueError('The preferred gender must be "male", "female" or None, got %r.' % (gender,))
    fee_cap = request.fee_cap
    if fee_cap is not None and fee_cap is not False:
        if not _is_number(fee_cap):
            raise ValueError('The fee cap must be a number, got %r.' % (fee_cap,))
        if fee_cap < 0:
            raise ValueError('The fee cap cannot be negative, got %s.' % _fmt(fee_cap))
    return weights, sum(weights.values()), _ids('The preferred languages', request.language_ids), gender


def _check_doctor(doctor):
    """Raise ValueError unless ``doctor`` is a :class:`DoctorFacts` with possible values."""
    if not isinstance(doctor, DoctorFacts):
        raise ValueError('A doctor must be a DoctorFacts, got %r.' % (doctor,))
    who = doctor.name or doctor.id
    if not _is_number(doctor.fee):
        raise ValueError('The fee of doctor %s must be a number, got %r.' % (who, doctor.fee))
    if doctor.fee < 0:
        raise ValueError('The fee of doctor %s cannot be negative, got %s.' % (who, _fmt(doctor.fee)))
    if doctor.rating is not None:
        if not _is_number(doctor.rating):
            raise ValueError('The rating of doctor %s must be a number or None, got %r.' % (who, doctor.rating))
        if not 0 <= doctor.rating <= MAX_RATING:
            raise ValueError('The rating of doctor %s must be between 0 and %d, got %s.'
                             % (who, MAX_RATING, _fmt(doctor.rating)))
    if not _is_number(doctor.capacity):
        raise ValueError('The capacity of doctor %s must be a number, got %r.' % (who, doctor.capacity))
    if doctor.capacity <= 0:
        raise ValueError('The capacity of doctor %s must be above 0, got %s.' % (who, _fmt(doctor.capacity)))
    if not _is_number(doctor.load):
        raise ValueError('The load of doctor %s must be a number, got %r.' % (who, doctor.load))
    if doctor.load < 0:
        raise ValueError('The load of doctor %s cannot be negative, got %s.' % (who, _fmt(doctor.load)))
    if doctor.next_slot is not None and not isinstance(doctor.next_slot, datetime.datetime):
        raise ValueError('The next slot of doctor %s must be a datetime or None, got %r.' % (who, doctor.next_slot))


def _exclusion(request, weights, gender, doctor, specialty_ids):
    """The reason ``doctor`` cannot be offered, or None (inputs already checked)."""
    if weights and not any(s in weights for s in specialty_ids):
        return 'Practises none of the %d requested specialt%s' % (len(weights), 'y' if len(weights) == 1 else 'ies')
    if gender is not None and doctor.gender != gender:
        return 'The patient prefers a %s doctor' % gender
    fee_cap = request.fee_cap
    if fee_cap is not None and fee_cap is not False and doctor.fee > fee_cap:
        return 'Fee %s is above the cap of %s' % (_fmt(doctor.fee), _fmt(fee_cap))
    if request.department_id and doctor.department_id != request.department_id:
        return 'Works in another department'
    if doctor.next_slot is None:
        return 'No free slot'
    return None


def excluded_reason(request, doctor):
    """Return why ``doctor`` is left out for ``request`` (a sentence), or None if the doctor can be offered.

    The first failing rule is given, in the order of the module docstring.
    Raises :class:`ValueError` for invalid input.
    """
    weights, _total, _languages, gender = _check_request(request)
    _check_doctor(doctor)
    return _exclusion(request, weights, gender, doctor, _ids('The specialties', doctor.specialty_ids))


def _wait_text(wait):
    """``now``, ``in 25 min``, ``in 3 h``, ``in 5 days``: how long until the next free slot."""
    minutes = int(wait.total_seconds() // 60)
    if minutes <= 0:
        return 'now'
    if minutes < 60:
        return 'in %d min' % minutes
    if minutes < 48 * 60:
        return 'in %d h' % (minutes // 60)
    return 'in %d days' % (minutes // (24 * 60))


# Points of each part (see the table in the module docstring) ...

def _specialty_points(weights, total, specialty_ids):
    if not weights:
        return SPECIALTY_POINTS
    return _round_half_up(SPECIALTY_POINTS * sum(w for s, w in weights.items() if s in specialty_ids) / total)


def _language_points(languages, doctor_languages):
    if not languages:
        return LANGUAGE_NEUTRAL_POINTS
    return LANGUAGE_POINTS if languages & doctor_languages else 0


def _availability_points(next_slot, now):
    hours = (next_slot - now).total_seconds() / 3600.0
    if hours <= AVAILABILITY_FULL_HOURS:
        return AVAILABILITY_POINTS
    if hours >= AVAILABILITY_ZERO_HOURS:
        return 0
    return _round_half_up(AVAILABILITY_POINTS * (AVAILABILITY_ZERO_HOURS - hours)
                          / (AVAILABILITY_ZERO_HOURS - AVAILABILITY_FULL_HOURS))


def _rating_points(rating):
    if rating is None:
        return UNRATED_POINTS
    return _round_half_up(rating * RATING_POINTS / MAX_RATING)


def _load_points(load, capacity):
    return max(0, _round_half_up(LOAD_POINTS * (1 - load / capacity)))


# ... and the sentence explaining them, built only for the doctors returned.

def _specialty_text(weights, total, specialty_ids):
    if not weights:
        return 'No specialty requested: any specialty fits'
    practised = [s for s in weights if s in specialty_ids]
    share = sum(weights[s] for s in practised) / total
    return "Practises %d of %d requested specialties, %d%% of the symptoms' weight" % (
        len(practised), len(weights), _round_half_up(100 * share))


def _language_text(languages, doctor_languages):
    if not languages:
        return 'No language preference: neutral'
    if languages & doctor_languages:
        return 'Speaks a preferred language'
    return 'Speaks none of the preferred languages'


def _availability_text(next_slot, now):
    return 'Next free slot %s' % _wait_text(next_slot - now)


def _rating_text(rating):
    if rating is None:
        return 'Not rated yet: neutral'
    return 'Rated %s/%d' % (_fmt(rating), MAX_RATING)


def _load_text(load, capacity):
    share = load / capacity
    label = 'Fully booked'
    for bound, text in LOAD_LABELS:
        if share < bound:
            label = text
            break
    return '%s: %s of %s appointments booked in the next %d days' % (label, _fmt(load), _fmt(capacity), LOAD_DAYS)


def rank_doctors(request, doctors, now, limit=DEFAULT_LIMIT):
    """Return up to ``limit`` :class:`Match` for the doctors that fit ``request``, best first.

    ``doctors`` is an iterable of :class:`DoctorFacts`, ``now`` the current naive
    UTC datetime (availability is measured from it). See the module docstring
    for the rules. Raises :class:`ValueError` for invalid input.
    """
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise ValueError('The limit must be a whole number, got %r.' % (limit,))
    if limit < 1:
        raise ValueError('The limit must be at least 1, got %d.' % limit)
    if not isinstance(now, datetime.datetime):
        raise ValueError('Now must be a datetime, got %r.' % (now,))
    weights, total, languages, gender = _check_request(request)

    scored = []
    for doctor in doctors:
        _check_doctor(doctor)
        specialty_ids = _ids('The specialties', doctor.specialty_ids)
        if _exclusion(request, weights, gender, doctor, specialty_ids) is not None:
            continue
        doctor_languages = _ids('The languages', doctor.language_ids)
        points = (
            _specialty_points(weights, total, specialty_ids),
            _language_points(languages, doctor_languages),
            _availability_points(doctor.next_slot, now),
            _rating_points(doctor.rating),
            _load_points(doctor.load, doctor.capacity),
        )
        key = (-sum(points), doctor.next_slot, doctor.fee, doctor.id)
        scored.append((key, points, doctor, specialty_ids, doctor_languages))

    matches = []
    for key, points, doctor, specialty_ids, doctor_languages in heapq.nsmallest(limit, scored, key=itemgetter(0)):
        texts = (
            _specialty_text(weights, total, specialty_ids),
            _language_text(languages, doctor_languages),
            _availability_text(doctor.next_slot, now),
            _rating_text(doctor.rating),
            _load_text(doctor.load, doctor.capacity),
        )
        matches.append(Match(doctor.id, -key[0], dict(zip(COMPONENTS, points)),
                             tuple('%s (+%d)' % pair for pair in zip(texts, points))))
    return matches

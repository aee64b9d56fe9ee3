"""Net Promoter Score (NPS) of the patient satisfaction surveys.

After a visit the patient is asked "How likely are you to recommend our
hospital to a friend or relative?" and answers with a whole number 0..10.
:func:`category` files each answer and :func:`nps` turns a set of answers into
the score the management report shows.

Rules
-----
1. **Categories.** 9 or 10 is a *promoter*, 7 or 8 a *passive*, 0 to 6 a
   *detractor*. Anything else (no answer, 11, -1, 7.5, text, ``True``) is not a
   valid answer and raises :class:`ValueError`.
2. **Score.** NPS = % of promoters - % of detractors, from -100 (everybody a
   detractor) to +100 (everybody a promoter). Passives count in the number of
   answers but in neither percentage, so a survey where everybody answered 7 or
   8 scores 0.0.
3. **Rounding.** The score is rounded to one decimal, halves away from zero
   (as PostgreSQL's ``round(numeric, 1)`` does): 1 promoter more than
   detractors out of 16 answers is 6.25 -> 6.3, and 1 fewer is -6.25 -> -6.3.
   The arithmetic is exact (fractions, no binary floating point), so 6.25 is
   never "6.2499999".
4. **No answers.** With no answers there is no score: ``nps`` is ``None``, not 0.
5. **Response rate.** When the number of surveys ``sent`` is given, the
   response rate is answers / sent x 100, rounded the same way (1 answer out of
   16 sent is 6.3%). It is ``None`` when ``sent`` is not given, or is 0. Fewer
   surveys sent than answers received, or a negative number, raises
   :class:`ValueError`.

The add-on computes the same numbers in SQL from counts, e.g.::

    round(100.0 * (promoters - detractors) / NULLIF(promoters + passives + detractors, 0), 1)

:func:`nps_from_counts` takes those counts and shares the arithmetic with
:func:`nps`, so both paths agree. The module is pure Python: no Odoo import.
"""
from collections import namedtuple
from fractions import Fraction

CATEGORIES = ('promoter', 'passive', 'detractor')
CATEGORY_LABELS = {'promoter': 'Promoter', 'passive': 'Passive', 'detractor': 'Detractor'}

MIN_ANSWER = 0
MAX_ANSWER = 10
PROMOTER_FROM = 9  # 9..10
PASSIVE_FROM = 7  # 7..8; 0..6 are detractors

NpsResult = namedtuple('NpsResult', 'answers promoters passives detractors nps response_rate')
NpsResult.__doc__ = """Outcome of :func:`nps` and :func:`nps_from_counts`.

``answers`` the number of answers, ``promoters`` / ``passives`` /
``detractors`` how many of each, ``nps`` the score -100.0..100.0 (one decimal)
or ``None`` without answers, ``response_rate`` the percentage of surveys
answered (one decimal) or ``None`` when the number sent is not known.
"""


def _is_whole(value):
    """True for ``int`` values, False for ``bool`` (a common typo for a number)."""
    return isinstance(value, int) and not isinstance(value, bool)


def category(score):
    """Return ``'promoter'`` (9-10), ``'passive'`` (7-8) or ``'detractor'`` (0-6) for an answer.

    Raises :class:`ValueError` for anything but a whole number 0..10.
    """
    if not _is_whole(score):
        raise ValueError('An NPS answer must be a whole number from 0 to 10, got %r.' % (score,))
    if not MIN_ANSWER <= score <= MAX_ANSWER:
        raise ValueError('An NPS answer must be between %d and %d, got %d.' % (MIN_ANSWER, MAX_ANSWER, score))
    if score >= PROMOTER_FROM:
        return 'promoter'
    if score >= PASSIVE_FROM:
        return 'passive'
    return 'detractor'


def _round1(fraction):
    """Round an exact :class:`~fractions.Fraction` to one decimal, halves away from zero, as a float."""
    # In whole tenths, exactly: floor(|x| * 10 + 1/2), then the sign back. 6.25 -> 63 tenths -> 6.3.
    tenths = (abs(fraction.numerator) * 20 + fraction.denominator) // (2 * fraction.denominator)
    return (tenths if fraction >= 0 else -tenths) / 10


def _check_count(name, value):
    """Raise ValueError unless ``value`` is a whole number 0 or more."""
    if not _is_whole(value):
        raise ValueError('The number of %s must be a whole number, got %r.' % (name, value))
    if value < 0:
        raise ValueError('The number of %s cannot be negative, got %d.' % (name, value))


def nps_from_counts(promoters, passives, detractors, sent=None):
    """Return an :class:`NpsResult` from the number of promoters, passives and detractors.

    ``sent`` is the number of surveys sent, or ``None`` if unknown. This is the
    path used with counts from SQL; :func:`nps` counts a list of answers and
    calls it. Raises :class:`ValueError` for negative or non-whole counts and
    for ``sent`` below the number of answers.
    """
    _check_count('promoters', promoters)
    _check_count('passives', passives)
    _check_count('detractors', detractors)
    answers = promoters + passives + detractors
    score = _round1(Fraction(100 * (promoters - detractors), answers)) if answers else None
    response_rate = None
    if sent is not None:
        _check_count('surveys sent', sent)
        if sent < answers:
            raise ValueError('The number of surveys sent (%d) cannot be below the number of answers (%d).'
                             % (sent, answers))
        if sent:
            response_rate = _round1(Fraction(100 * answers, sent))
    return NpsResult(answers, promoters, passives, detractors, score, response_rate)


def nps(scores, sent=None):
    """Return the :class:`NpsResult` of a set of answers 0..10.

    ``scores`` is an iterable of whole numbers 0..10 (``None`` or empty for no
    answers); ``sent`` the number of surveys sent, or ``None`` if unknown. See
    the module docstring for the rules. Raises :class:`ValueError` for an
    invalid answer or ``sent``.
    """
    counts = dict.fromkeys(CATEGORIES, 0)
    for score in scores or ():
        counts[category(score)] += 1
    return nps_from_counts(counts['promoter'], counts['passive'], counts['detractor'], sent=sent)

"""RFM segmentation of patients: Recency, Frequency and Monetary value, each scored 1-5.

Marketing uses the segments to decide whom to thank, whom to remind and whom to
win back. :func:`compute` is the reference for the add-on's SQL, which must give
the same scores and segments.

Inputs per patient
------------------
- ``recency_days``: days since the last completed visit or paid invoice, at any
  time; ``None`` if the patient never had either.
- ``frequency``: completed visits in the analysis window (a whole number, 0 or more).
- ``monetary``: total of the invoices paid in the window (0 or more).

A patient whose last visit was before the window has a recency but frequency 0
and monetary 0: they are scored (low), which is what makes them *Lost* rather
than invisible. A patient with no visit and no payment ever (recency ``None``)
gets no score and the segment ``'none'`` (:data:`NO_ACTIVITY`); they are also
left out of the population the others are ranked in. Frequency or monetary
above 0 without a recency is contradictory and raises :class:`ValueError`, as
do negative or non-numeric values.

Scores: quintiles by rank
-------------------------
Each of R, F and M is scored separately over the population of patients with
activity (n patients). Patients are put in order, worst first, and::

    score = 1 + floor(5 * (rank - 1) / n)

where ``rank`` is 1 + the number of patients strictly worse (equal values
share a rank, as SQL ``rank()`` does). So the worst fifth scores 1 and the best
fifth 5; the score never exceeds 5 because rank - 1 < n.

- **R**: fewer days is better, so the order is most days first: the most
  recent patients score 5.
- **F** and **M**: more is better, so the order is smallest first: the most
  frequent / highest paying patients score 5.

Ties stay together: equal values always get the same score, the score of the
first place they occupy, and the next value skips ahead. With 10 patients of
whom 3 share the second-lowest frequency, those 3 all score 1 and the next one
scores 3 (nobody scores 2). Consequences to keep in mind: a single patient
scores 1, 1, 1; when everybody has the same value, everybody scores 1 on that
measure (nobody is better than anybody else). With 10 patients and no ties
each score goes to exactly 2 patients; with 5, to one each.

In PostgreSQL, over the patients with activity only, the three scores are
(integer division of two bigints truncates, which is floor here)::

    1 + 5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER ()  -- r_score
    1 + 5 * (rank() OVER (ORDER BY frequency) - 1) / count(*) OVER ()          -- f_score
    1 + 5 * (rank() OVER (ORDER BY monetary) - 1) / count(*) OVER ()           -- m_score

(:data:`R_SCORE_SQL`, :data:`F_SCORE_SQL`, :data:`M_SCORE_SQL`; a
``LEAST(5, ...)`` around them would never change anything). The three
columns must not be NULL there: COALESCE frequency and monetary to 0.
:func:`quintile_scores` computes exactly this.

Segments
--------
F and M are combined into FM = (F + M) / 2 rounded half up, i.e.
``(f + m + 1) // 2``: F 4 with M 3 gives FM 4. The segment then follows from
R and FM:

======  ==================  ==================  ==================  ==========  ==========
R       FM 1                FM 2                FM 3                FM 4        FM 5
======  ==================  ==================  ==================  ==========  ==========
5, 4    New                 Potential loyalist  Potential loyalist  Champions   Champions
3       Hibernating         Hibernating         Potential loyalist  Loyal       Loyal
2       Hibernating         Hibernating         At risk             Can't lose  Can't lose
1       Lost                Lost                At risk             Can't lose  Can't lose
======  ==================  ==================  ==================  ==========  ==========

- **Champions**: R 4-5 and FM 4-5. Recent, frequent, high value.
- **Loyal**: R 3 and FM 4-5. Valuable, seen a while ago.
- **Potential loyalist**: R 4-5 and FM 2-3, or R 3 and FM 3.
- **New**: R 4-5 and FM 1. Recent, little history yet.
- **At risk**: R 1-2 and FM 3. Used to come fairly often, not lately.
- **Can't lose**: R 1-2 and FM 4-5. Best patients who stopped coming.
- **Hibernating**: R 2-3 and FM 1-2.
- **Lost**: R 1 and FM 1-2.

Every combination of R, F and M 1..5 falls in exactly one segment. In SQL the
same table is :data:`SEGMENT_SQL_CASE`; it writes FM through the sum
``f_score + m_score`` (FM 1 = sum 2, FM 2 = 3-4, FM 3 = 5-6, FM 4 = 7-8,
FM 5 = 9-10) so that no division is involved, and gives ``'none'`` when the
scores are NULL.

The module is pure Python: no Odoo import.
"""
from bisect import bisect_left, bisect_right
from collections import namedtuple
from decimal import Decimal
from numbers import Real

SEGMENTS = ('champions', 'loyal', 'potential_loyalist', 'new', 'at_risk', 'cant_lose', 'hibernating', 'lost')
# The segments that may also make a customer Loyal in the lifecycle (a setting, off by default).
LOYAL_SEGMENTS = ('champions', 'loyal')
SEGMENT_LABELS = {
    'champions': 'Champions',
    'loyal': 'Loyal',
    'potential_loyalist': 'Potential loyalist',
    'new': 'New',
    'at_risk': 'At risk',
    'cant_lose': "Can't lose",
    'hibernating': 'Hibernating',
    'lost': 'Lost',
}
NO_ACTIVITY = 'none'  # segment of patients without any visit or payment
NO_ACTIVITY_LABEL = 'No activity'

QUINTILES = 5
MIN_SCORE = 1
MAX_SCORE = 5

# Segment by R score, then by FM = 1..5 (the table in the module docstring).
SEGMENT_GRID = {
    5: ('new', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'),
    4: ('new', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'),
    3: ('hibernating', 'hibernating', 'potential_loyalist', 'loyal', 'loyal'),
    2: ('hibernating', 'hibernating', 'at_risk', 'cant_lose', 'cant_lose'),
    1: ('lost', 'lost', 'at_risk', 'cant_lose', 'cant_lose'),
}


def score_sql(column, higher_is_better=True):
    """Return the PostgreSQL window expression scoring ``column`` 1..5, as :func:`quintile_scores` does.

    The query must range over the patients with activity only (e.g.
    ``WHERE recency_days IS NOT NULL``), since ``count(*) OVER ()`` is n.
    """
    order = column if higher_is_better else column + ' DESC'
    return '1 + %d * (rank() OVER (ORDER BY %s) - 1) / count(*) OVER ()' % (QUINTILES, order)


R_SCORE_SQL = score_sql('recency_days', higher_is_better=False)
F_SCORE_SQL = score_sql('frequency')
M_SCORE_SQL = score_sql('monetary')

# One WHEN per segment, mutually exclusive (order does not matter); NULL scores give 'none'.
SEGMENT_SQL_CASE = """CASE
    WHEN r_score >= 4 AND f_score + m_score >= 7 THEN 'champions'
    WHEN r_score = 3 AND f_score + m_score >= 7 THEN 'loyal'
    WHEN (r_score >= 4 AND f_score + m_score BETWEEN 3 AND 6)
      OR (r_score = 3 AND f_score + m_score BETWEEN 5 AND 6) THEN 'potential_loyalist'
    WHEN r_score >= 4 AND f_score + m_score <= 2 THEN 'new'
    WHEN r_score <= 2 AND f_score + m_score BETWEEN 5 AND 6 THEN 'at_risk'
    WHEN r_score <= 2 AND f_score + m_score >= 7 THEN 'cant_lose'
    WHEN r_score IN (2, 3) AND f_score + m_score <= 4 THEN 'hibernating'
    WHEN r_score = 1 AND f_score + m_score <= 4 THEN 'lost'
    ELSE 'none'
END"""

RfmRow = namedtuple('RfmRow', 'key recency_days frequency monetary')
RfmRow.__doc__ = """One patient's input: ``key`` (e.g. the partner id), ``recency_days``, ``frequency``,
``monetary``: see the module docstring."""

RfmScore = namedtuple('RfmScore', 'r f m segment')
RfmScore.__doc__ = """One patient's result: scores ``r``, ``f``, ``m`` 1..5 (``None`` without activity)
and ``segment``, one of :data:`SEGMENTS` or :data:`NO_ACTIVITY`."""


def _is_number(value):
    """True for int, float and Decimal values, False for ``bool`` (a common typo for a number)."""
    return isinstance(value, (Real, Decimal)) and not isinstance(value, bool)


def _check_score(name, score):
    """Raise ValueError unless ``score`` is a whole number 1..5."""
    if not isinstance(score, int) or isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
        raise ValueError('The %s score must be a whole number from %d to %d, got %r.'
                         % (name, MIN_SCORE, MAX_SCORE, score))


def fm_score(f, m):
    """Return FM, the mean of the F and M scores rounded half up: ``(f + m + 1) // 2``."""
    _check_score('F', f)
    _check_score('M', m)
    return (f + m + 1) // 2


def segment(r, f, m):
    """Return the segment code (one of :data:`SEGMENTS`) for scores ``r``, ``f``, ``m`` 1..5.

    See the table in the module docstring. Raises :class:`ValueError` for a
    score that is not a whole number 1..5.
    """
    _check_score('R', r)
    return SEGMENT_GRID[r][fm_score(f, m) - 1]


def quintile_scores(values, higher_is_better=True):
    """Return the 1..5 score of each value, in input order: ``1 + 5 * (rank - 1) // n``.

    ``rank`` is 1 + the number of values strictly worse: smaller ones when
    ``higher_is_better``, larger ones otherwise (recency in days). Equal values
    get equal scores. An empty input gives an empty list. Raises
    :class:`ValueError` for a value that is not a number.
    """
    values = list(values)
    for value in values:
        if not _is_number(value):
            raise ValueError('A value to score must be a number, got %r.' % (value,))
    ordered = sorted(values)
    n = len(values)
    scores = []
    for value in values:
        if higher_is_better:
            worse = bisect_left(ordered, value)
        else:
            worse = n - bisect_right(ordered, value)
        scores.append(1 + QUINTILES * worse // n)  # worse = rank - 1
    return scores


def _as_row(item):
    """Return ``item`` as a validated :class:`RfmRow` (an RfmRow or a 4-item tuple/list)."""
    if not isinstance(item, (tuple, list)) or len(item) != 4:
        raise ValueError('A patient row must be an RfmRow(key, recency_days, frequency, monetary), got %r.'
                         % (item,))
    row = RfmRow(*item)
    key = row.key
    if row.recency_days is not None:
        if not _is_number(row.recency_days):
            raise ValueError('Patient %r: the recency must be a number of days or None, got %r.'
                             % (key, row.recency_days))
        if row.recency_days < 0:
            raise ValueError('Patient %r: the recency cannot be negative, got %s days.' % (key, row.recency_days))
    if not isinstance(row.frequency, int) or isinstance(row.frequency, bool):
        raise ValueError('Patient %r: the frequency must be a whole number of visits, got %r.' % (key, row.frequency))
    if row.frequency < 0:
        raise ValueError('Patient %r: the frequency cannot be negative, got %d.' % (key, row.frequency))
    if not _is_number(row.monetary):
        raise ValueError('Patient %r: the monetary value must be a number, got %r.' % (key, row.monetary))
    if row.monetary < 0:
        raise ValueError('Patient %r: the monetary value cannot be negative, got %s.' % (key, row.monetary))
    if row.recency_days is None and (row.frequency or row.monetary):
        raise ValueError('Patient %r: a frequency (%d) or monetary value (%s) needs a recency, got None.'
                         % (key, row.frequency, row.monetary))
    return row


def compute(rows):
    """Score and segment patients: return ``{key: RfmScore(r, f, m, segment)}``.

    ``rows`` is an iterable of :class:`RfmRow` (or 4-tuples ``(key,
    recency_days, frequency, monetary)``). Patients with a recency are scored
    by :func:`quintile_scores` among themselves and segmented by
    :func:`segment`; the others get ``RfmScore(None, None, None, 'none')``.
    Raises :class:`ValueError` for invalid values or a key given twice.
    """
    result = {}
    active = []
    for item in rows:
        row = _as_row(item)
        if row.key in result:
            raise ValueError('Patient %r is given twice.' % (row.key,))
        result[row.key] = RfmScore(None, None, None, NO_ACTIVITY)
        if row.recency_days is not None:
            active.append(row)
    r_scores = quintile_scores([row.recency_days for row in active], higher_is_better=False)
    f_scores = quintile_scores([row.frequency for row in active])
    m_scores = quintile_scores([row.monetary for row in active])
    for row, r, f, m in zip(active, r_scores, f_scores, m_scores):
        result[row.key] = RfmScore(r, f, m, segment(r, f, m))
    return result

import itertools
import random
import re
import sqlite3
from decimal import Decimal

import pytest

from ..rfm import (
    F_SCORE_SQL, M_SCORE_SQL, NO_ACTIVITY, R_SCORE_SQL, SEGMENT_GRID, SEGMENT_LABELS, SEGMENT_SQL_CASE, SEGMENTS,
    RfmRow, RfmScore, compute, fm_score, quintile_scores, score_sql, segment)

QUINTILES = [
    # id, values, higher_is_better, expected scores in input order
    ('no values', [], True, []),
    ('a single patient scores 1', [7], True, [1]),
    ('a single patient scores 1 on recency too', [7], False, [1]),
    ('5 distinct: one each', [10, 50, 30, 20, 40], True, [1, 5, 3, 2, 4]),
    ('5 distinct, fewer is better', [10, 50, 30, 20, 40], False, [5, 1, 3, 4, 2]),
    ('10 distinct: two each', list(range(1, 11)), True, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
    ('10 distinct, fewer is better', list(range(1, 11)), False, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]),
    ('all equal: everybody 1', [3, 3, 3, 3], True, [1, 1, 1, 1]),
    ('all equal, fewer is better: everybody 1', [3, 3, 3, 3], False, [1, 1, 1, 1]),
    # 10 values, 1 shared by ranks 2-4: all three score 1, the next (rank 5) scores 3, nobody 2.
    ('a tie skips a score', [0, 1, 1, 1, 2, 3, 4, 5, 6, 7], True, [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]),
    # Descending: 9 is rank 1, the three 5s share rank 2 (score 1), 4 is rank 5 (score 3).
    ('a tie, fewer is better', [9, 5, 5, 5, 4, 3, 2, 1, 0, 0], False, [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]),
    ('ties at the top share the top score', [1, 2, 3, 4, 5, 6, 7, 8, 9, 9], True, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
    ('a tie across a boundary takes the lower score', [1, 2, 3, 3, 5], True, [1, 2, 3, 3, 5]),
    ('most at zero', [0, 0, 0, 0, 0, 0, 0, 2, 3, 4], True, [1, 1, 1, 1, 1, 1, 1, 4, 5, 5]),
    ('3 values', [1, 2, 3], True, [1, 2, 4]),
    ('7 values', [1, 2, 3, 4, 5, 6, 7], True, [1, 1, 2, 3, 3, 4, 5]),
    ('12 values: 3, 2, 3, 2, 2', list(range(12)), True, [1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]),
    ('money as floats and Decimals', [0.0, Decimal('150.50'), 150.5, 99.99, 1000], True, [1, 3, 3, 2, 5]),
]


@pytest.mark.parametrize('values,higher_is_better,expected', [row[1:] for row in QUINTILES],
                         ids=[row[0] for row in QUINTILES])
def test_quintile_scores(values, higher_is_better, expected):
    assert quintile_scores(values, higher_is_better=higher_is_better) == expected


@pytest.mark.parametrize('value', [None, '5', True], ids=['None', 'text', 'bool'])
def test_quintile_scores_rejects_non_numbers(value):
    with pytest.raises(ValueError) as err:
        quintile_scores([1, value, 3])
    assert 'got %r' % (value,) in str(err.value)


def test_quintile_scores_accepts_any_iterable():
    assert quintile_scores(value for value in (3, 1, 2)) == [4, 1, 2]


def test_equal_values_always_get_equal_scores_and_order_is_kept():
    rng = random.Random(11)
    for _ in range(200):
        values = [rng.randint(0, 6) for _ in range(rng.randint(1, 25))]
        for higher_is_better in (True, False):
            scores = quintile_scores(values, higher_is_better)
            assert all(1 <= score <= 5 for score in scores)
            for (v1, s1), (v2, s2) in itertools.combinations(zip(values, scores), 2):
                if v1 == v2:
                    assert s1 == s2
                elif (v1 < v2) == higher_is_better:
                    assert s1 <= s2
                else:
                    assert s1 >= s2


# The add-on's SQL is checked here on SQLite, which has the same rank() and integer division.
def _sqlite():
    return sqlite3.connect(':memory:')


def _sql_scores(values, higher_is_better):
    db = _sqlite()
    db.execute('CREATE TABLE t (id INTEGER, x NUMERIC)')
    db.executemany('INSERT INTO t VALUES (?, ?)', enumerate(values))
    query = 'SELECT id, %s FROM t' % score_sql('x', higher_is_better)
    return [score for _id, score in sorted(db.execute(query).fetchall())]


@pytest.mark.parametrize('values,higher_is_better,expected', [row[1:] for row in QUINTILES if row[1]],
                         ids=[row[0] for row in QUINTILES if row[1]])
def test_sql_scores_agree(values, higher_is_better, expected):
    values = [float(value) for value in values]
    assert _sql_scores(values, higher_is_better) == expected


def test_sql_scores_agree_on_random_populations_with_ties():
    rng = random.Random(5)
    for _ in range(100):
        values = [rng.randint(0, 8) for _ in range(rng.randint(1, 40))]
        for higher_is_better in (True, False):
            assert _sql_scores(values, higher_is_better) == quintile_scores(values, higher_is_better)


def test_score_sql_text():
    assert R_SCORE_SQL == '1 + 5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER ()'
    assert F_SCORE_SQL == '1 + 5 * (rank() OVER (ORDER BY frequency) - 1) / count(*) OVER ()'
    assert M_SCORE_SQL == '1 + 5 * (rank() OVER (ORDER BY monetary) - 1) / count(*) OVER ()'


@pytest.mark.parametrize('f,m,fm', [(1, 1, 1), (1, 2, 2), (2, 2, 2), (2, 3, 3), (3, 4, 4), (4, 5, 5), (5, 5, 5),
                                    (1, 5, 3), (5, 1, 3), (2, 5, 4)])
def test_fm_rounds_half_up(f, m, fm):
    assert fm_score(f, m) == fm


# The rules as the module docstring words them, on R and FM.
RULES = {
    'champions': lambda r, fm: r >= 4 and fm >= 4,
    'loyal': lambda r, fm: r == 3 and fm >= 4,
    'potential_loyalist': lambda r, fm: (r >= 4 and 2 <= fm <= 3) or (r == 3 and fm == 3),
    'new': lambda r, fm: r >= 4 and fm == 1,
    'at_risk': lambda r, fm: r <= 2 and fm == 3,
    'cant_lose': lambda r, fm: r <= 2 and fm >= 4,
    'hibernating': lambda r, fm: r in (2, 3) and fm <= 2,
    'lost': lambda r, fm: r == 1 and fm <= 2,
}
ALL_SCORES = list(itertools.product(range(1, 6), repeat=3))


def test_every_score_combination_has_exactly_one_segment():
    seen = set()
    for r, f, m in ALL_SCORES:
        fm = (f + m + 1) // 2
        matching = [name for name, rule in RULES.items() if rule(r, fm)]
        assert matching == [segment(r, f, m)], (r, f, m)
        seen.add(segment(r, f, m))
    assert seen == set(SEGMENTS)


@pytest.mark.parametrize('r,f,m,expected', [
    (5, 5, 5, 'champions'), (4, 4, 3, 'champions'), (3, 5, 4, 'loyal'), (3, 3, 3, 'potential_loyalist'),
    (5, 2, 3, 'potential_loyalist'), (4, 1, 2, 'potential_loyalist'), (5, 1, 1, 'new'), (2, 3, 3, 'at_risk'),
    (1, 2, 4, 'at_risk'), (2, 5, 5, 'cant_lose'), (1, 4, 3, 'cant_lose'), (3, 1, 3, 'hibernating'),
    (2, 2, 2, 'hibernating'), (1, 1, 3, 'lost'), (1, 1, 1, 'lost'),
])
def test_segment_examples(r, f, m, expected):
    assert segment(r, f, m) == expected


@pytest.mark.parametrize('args,message', [
    ((0, 3, 3), 'R score must be a whole number from 1 to 5, got 0'),
    ((6, 3, 3), 'R score must be a whole number from 1 to 5, got 6'),
    ((3, None, 3), 'F score must be a whole number from 1 to 5, got None'),
    ((3, 3, 2.5), 'M score must be a whole number from 1 to 5, got 2.5'),
    ((True, 3, 3), 'R score must be a whole number from 1 to 5, got True'),
    ((3, '4', 3), "F score must be a whole number from 1 to 5, got '4'"),
], ids=['R 0', 'R 6', 'F None', 'M 2.5', 'R bool', 'F text'])
def test_segment_rejects_bad_scores(args, message):
    with pytest.raises(ValueError) as err:
        segment(*args)
    assert message in str(err.value)


def _case_on_sqlite(case, scores):
    db = _sqlite()
    db.execute('CREATE TABLE s (r_score INTEGER, f_score INTEGER, m_score INTEGER)')
    db.executemany('INSERT INTO s VALUES (?, ?, ?)', scores)
    return db.execute('SELECT r_score, f_score, m_score, %s FROM s' % case).fetchall()


def test_segment_sql_case_agrees_with_segment():
    for r, f, m, name in _case_on_sqlite(SEGMENT_SQL_CASE, ALL_SCORES):
        assert name == segment(r, f, m), (r, f, m)


WHEN_RE = re.compile(r"WHEN (.*?) THEN '(\w+)'", re.S)


def test_segment_sql_case_has_one_when_per_segment():
    whens = WHEN_RE.findall(SEGMENT_SQL_CASE)
    assert SEGMENT_SQL_CASE.count('WHEN') == len(whens) == len(SEGMENTS)
    assert sorted(name for _condition, name in whens) == sorted(SEGMENTS)
    assert SEGMENT_SQL_CASE.startswith('CASE') and SEGMENT_SQL_CASE.endswith('END')
    assert "ELSE 'none'" in SEGMENT_SQL_CASE


def test_segment_sql_case_whens_do_not_overlap():
    """Each WHEN alone matches exactly the cells of its segment: the order of the WHENs does not matter."""
    for condition, name in WHEN_RE.findall(SEGMENT_SQL_CASE):
        case = "CASE WHEN %s THEN 'yes' ELSE 'no' END" % condition
        for r, f, m, answer in _case_on_sqlite(case, ALL_SCORES):
            assert (answer == 'yes') == (segment(r, f, m) == name), (name, r, f, m)


def test_segment_sql_case_gives_none_without_scores():
    assert _case_on_sqlite(SEGMENT_SQL_CASE, [(None, None, None)]) == [(None, None, None, 'none')]


def test_segment_tables_agree():
    assert set(SEGMENT_LABELS) == set(SEGMENTS)
    assert NO_ACTIVITY not in SEGMENTS
    assert SEGMENT_LABELS['cant_lose'] == "Can't lose"
    assert SEGMENT_LABELS['potential_loyalist'] == 'Potential loyalist'
    assert sorted(SEGMENT_GRID) == [1, 2, 3, 4, 5]
    assert all(len(row) == 5 and set(row) <= set(SEGMENTS) for row in SEGMENT_GRID.values())


# Ten patients with activity (so each score goes to two places, ranks 1-2 -> 1 ... 9-10 -> 5) and two without.
PATIENTS = [
    # key, recency_days, frequency, monetary, expected (r, f, m, segment)
    ('amina', 3, 7, 12000, (5, 5, 5, 'champions')),
    ('bilal', 30, 5, 9000, (4, 5, 5, 'champions')),
    ('chen', 7, 2, 2000, (5, 3, 3, 'potential_loyalist')),
    ('dara', 60, 4, 5000, (3, 4, 4, 'loyal')),
    ('emre', 90, 2, 2000, (2, 3, 3, 'at_risk')),  # same F and M as chen, but not recent
    ('farah', 200, 3, 7000, (2, 4, 4, 'cant_lose')),
    ('gita', 400, 1, 800, (1, 1, 2, 'lost')),
    ('hamza', 14, 1, 0, (4, 1, 1, 'new')),  # first visit, free consultation
    ('ines', 700, 0, 0, (1, 1, 1, 'lost')),  # last visit before the window
    ('jonas', 90, 1, 1200, (2, 1, 2, 'hibernating')),  # recency tied with emre
    ('karim', None, 0, 0, (None, None, None, 'none')),  # never came
    ('lena', None, 0, 0.0, (None, None, None, 'none')),
]
# Recency, most days first: ines 700 (rank 1), gita 400 (2), farah 200 (3), emre = jonas 90 (4, 4 -> R 2),
# dara 60 (6), bilal 30 (7), hamza 14 (8), chen 7 (9), amina 3 (10).
# Frequency: ines 0 (1), gita = hamza = jonas 1 (2, 2, 2 -> F 1), chen = emre 2 (5, 5 -> F 3), farah 3 (7),
# dara 4 (8), bilal 5 (9), amina 7 (10): nobody gets F 2.
# Monetary: ines = hamza 0 (1, 1), gita 800 (3), jonas 1200 (4), chen = emre 2000 (5, 5), dara 5000 (7),
# farah 7000 (8), bilal 9000 (9), amina 12000 (10).
ROWS = [RfmRow(*row[:4]) for row in PATIENTS]
EXPECTED = {row[0]: RfmScore(*row[4]) for row in PATIENTS}


def test_compute_fixed_dataset():
    assert compute(ROWS) == EXPECTED


@pytest.mark.parametrize('key', [row[0] for row in PATIENTS])
def test_compute_fixed_dataset_per_patient(key):
    assert compute(ROWS)[key] == EXPECTED[key]


def test_compute_covers_every_segment():
    assert {score.segment for score in EXPECTED.values()} == set(SEGMENTS) | {NO_ACTIVITY}


def test_compute_is_independent_of_row_order():
    shuffled = list(ROWS)
    random.Random(3).shuffle(shuffled)
    assert compute(shuffled) == EXPECTED
    assert compute(reversed(ROWS)) == EXPECTED


def test_patients_without_activity_do_not_change_the_others():
    active = [row for row in ROWS if row.recency_days is not None]
    more_inactive = ROWS + [RfmRow('never-%d' % i, None, 0, 0) for i in range(20)]
    assert compute(active) == {key: score for key, score in EXPECTED.items() if score.segment != NO_ACTIVITY}
    assert {key: score for key, score in compute(more_inactive).items() if key in EXPECTED} == EXPECTED


def test_nobody_active():
    assert compute([RfmRow(1, None, 0, 0), RfmRow(2, None, 0, 0)]) == {
        1: (None, None, None, 'none'), 2: (None, None, None, 'none')}
    assert compute([]) == {}


def test_a_single_active_patient_scores_1_and_is_lost():
    """Documented: with nobody to compare with, rank 1 of 1 gives 1 + floor(0) = 1 on each measure."""
    assert compute([RfmRow(7, 1, 9, 50000), RfmRow(8, None, 0, 0)]) == {
        7: (1, 1, 1, 'lost'), 8: (None, None, None, 'none')}


def test_everybody_equal_scores_1():
    rows = [RfmRow(key, 10, 2, 300) for key in range(6)]
    assert set(compute(rows).values()) == {RfmScore(1, 1, 1, 'lost')}


def test_ties_get_the_same_scores():
    rows = [RfmRow('a', 5, 3, 100), RfmRow('b', 5, 3, 100), RfmRow('c', 50, 1, 10), RfmRow('d', 500, 0, 0),
            RfmRow('e', 1, 6, 900)]
    result = compute(rows)
    assert result['a'] == result['b'] == (3, 3, 3, 'potential_loyalist')
    assert result['c'] == (2, 2, 2, 'hibernating')
    assert result['d'] == (1, 1, 1, 'lost')
    assert result['e'] == (5, 5, 5, 'champions')


def test_compute_accepts_tuples_and_money_types():
    rows = [('a', 1, 1, Decimal('10.00')), ['b', 2, 1, 10.0], ('c', 3.5, 0, 0)]
    result = compute(rows)
    assert result['a'].m == result['b'].m == 2  # Decimal 10.00 and float 10.0 tie at rank 2 of 3: 1 + 5 // 3
    assert result['c'] == (1, 1, 1, 'lost')


def _sql_compute(rows):
    """The add-on's query shape, run on SQLite: scores over the active patients, segment for everybody."""
    db = _sqlite()
    db.execute('CREATE TABLE patient (key TEXT, recency_days INTEGER, frequency INTEGER, monetary NUMERIC)')
    db.executemany('INSERT INTO patient VALUES (?, ?, ?, ?)', rows)
    query = '''
        WITH scored AS (
            SELECT key, {r} AS r_score, {f} AS f_score, {m} AS m_score
              FROM patient WHERE recency_days IS NOT NULL
        )
        SELECT p.key, s.r_score, s.f_score, s.m_score, {case}
          FROM patient p LEFT JOIN scored s ON s.key = p.key
    '''.format(r=R_SCORE_SQL, f=F_SCORE_SQL, m=M_SCORE_SQL, case=SEGMENT_SQL_CASE)
    return {row[0]: RfmScore(*row[1:]) for row in db.execute(query)}


def test_sql_path_agrees_on_the_fixed_dataset():
    assert _sql_compute(ROWS) == EXPECTED


def test_sql_path_agrees_on_random_populations():
    rng = random.Random(8)
    for _ in range(50):
        rows = []
        for key in range(rng.randint(1, 60)):
            if rng.random() < 0.15:
                rows.append(RfmRow(str(key), None, 0, 0))
            else:
                rows.append(RfmRow(str(key), rng.choice([0, 1, 7, 30, 90, 200, 365, 800]), rng.randint(0, 6),
                                   rng.choice([0, 500, 1500, 2500, 10000])))
        assert _sql_compute(rows) == compute(rows)


INVALID = [
    # id, rows, words expected in the message
    ('negative recency', [('p1', -1, 1, 10)], "Patient 'p1': the recency cannot be negative, got -1 days"),
    ('recency as text', [('p1', '3', 1, 10)], "recency must be a number of days or None, got '3'"),
    ('negative frequency', [('p2', 5, -1, 10)], "Patient 'p2': the frequency cannot be negative, got -1"),
    ('fractional frequency', [('p2', 5, 1.5, 10)], 'frequency must be a whole number of visits, got 1.5'),
    ('frequency None', [('p2', 5, None, 10)], 'frequency must be a whole number of visits, got None'),
    ('negative monetary', [('p3', 5, 1, -20.5)], "Patient 'p3': the monetary value cannot be negative, got -20.5"),
    ('monetary None', [('p3', 5, 1, None)], 'monetary value must be a number, got None'),
    ('monetary as bool', [('p3', 5, 1, True)], 'monetary value must be a number, got True'),
    ('visits without a recency', [('p4', None, 2, 0)], "Patient 'p4': a frequency (2) or monetary value (0)"),
    ('payment without a recency', [('p4', None, 0, 300)], 'needs a recency, got None'),
    ('same patient twice', [('p5', 5, 1, 10), ('p5', 9, 2, 10)], "Patient 'p5' is given twice"),
    ('not a row', [('p6', 5, 1)], 'must be an RfmRow(key, recency_days, frequency, monetary)'),
    ('a bad row among good ones', ROWS + [RfmRow('zoe', 5, -2, 0)], "Patient 'zoe': the frequency cannot be negative"),
]


@pytest.mark.parametrize('rows,message', [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_invalid_input_is_rejected_with_a_message(rows, message):
    with pytest.raises(ValueError) as err:
        compute(rows)
    assert message in str(err.value)

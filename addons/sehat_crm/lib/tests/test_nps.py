import pytest

from ..nps import CATEGORIES, CATEGORY_LABELS, NpsResult, category, nps, nps_from_counts


@pytest.mark.parametrize('score,expected', [
    (0, 'detractor'), (3, 'detractor'), (6, 'detractor'),
    (7, 'passive'), (8, 'passive'),
    (9, 'promoter'), (10, 'promoter'),
])
def test_category(score, expected):
    assert category(score) == expected


@pytest.mark.parametrize('score,message', [
    (None, 'whole number'), (11, 'between 0 and 10, got 11'), (-1, 'between 0 and 10, got -1'),
    (7.5, 'got 7.5'), (7.0, 'whole number'), ('9', "got '9'"), (True, 'got True'), (False, 'got False'),
], ids=['None', '11', '-1', '7.5', '7.0', 'text', 'True', 'False'])
def test_category_rejects_bad_answers(score, message):
    with pytest.raises(ValueError) as err:
        category(score)
    assert message in str(err.value)


SURVEYS = [
    # id, answers, sent, expected NpsResult(answers, promoters, passives, detractors, nps, response_rate)
    ('no answers', [], None, (0, 0, 0, 0, None, None)),
    ('None is no answers', None, None, (0, 0, 0, 0, None, None)),
    ('no answers out of 20 sent', [], 20, (0, 0, 0, 0, None, 0.0)),
    ('all passives', [7, 8, 8, 7, 7], None, (5, 0, 5, 0, 0.0, None)),
    ('all promoters', [9, 10, 10], None, (3, 3, 0, 0, 100.0, None)),
    ('all detractors', [0, 6, 3, 5], None, (4, 0, 0, 4, -100.0, None)),
    ('a single passive', [8], None, (1, 0, 1, 0, 0.0, None)),
    # 12 answers: promoters 10 10 9 9 9 10 = 6 (50%), passives 8 7 7 = 3, detractors 6 3 0 = 3 (25%).
    ('mixed: 50% - 25%', [10, 10, 9, 9, 9, 8, 7, 6, 3, 0, 10, 7], 40, (12, 6, 3, 3, 25.0, 30.0)),
    # 10 answers: promoters 10 9 9 10 = 4, passives 8 7 = 2, detractors 6 5 0 3 = 4: 40% - 40%.
    ('mixed: as many promoters as detractors', [10, 9, 9, 8, 7, 6, 5, 0, 10, 3], None, (10, 4, 2, 4, 0.0, None)),
    # 7 answers: 3 promoters, 2 passives, 2 detractors: 100 / 7 = 14.2857...
    ('mixed: one seventh', [9, 9, 10, 7, 8, 1, 2], 9, (7, 3, 2, 2, 14.3, 77.8)),
    # 3 answers: 1 promoter, 2 detractors: -100 / 3 = -33.333...
    ('mixed: negative third', [10, 4, 6], 3, (3, 1, 0, 2, -33.3, 100.0)),
    # 6 answers: 1 promoter, 5 detractors: -400 / 6 = -66.666...
    ('mixed: negative two thirds', [9, 0, 0, 1, 2, 6], None, (6, 1, 0, 5, -66.7, None)),
]


@pytest.mark.parametrize('answers,sent,expected', [row[1:] for row in SURVEYS], ids=[row[0] for row in SURVEYS])
def test_nps(answers, sent, expected):
    result = nps(answers, sent=sent)
    assert result == NpsResult(*expected)
    assert result.answers == result.promoters + result.passives + result.detractors


@pytest.mark.parametrize('answers,sent,expected', [row[1:] for row in SURVEYS], ids=[row[0] for row in SURVEYS])
def test_counts_give_the_same_result(answers, sent, expected):
    _answers, promoters, passives, detractors, _nps, _rate = expected
    assert nps_from_counts(promoters, passives, detractors, sent=sent) == nps(answers, sent=sent)


ROUNDING = [
    # id, promoters, passives, detractors, expected nps: halves go away from zero, as PostgreSQL round()
    ('6.25 rounds up to 6.3', 1, 15, 0, 6.3),
    ('-6.25 rounds down to -6.3', 0, 15, 1, -6.3),
    ('1.25 rounds up to 1.3', 1, 79, 0, 1.3),
    ('-1.25 rounds down to -1.3', 0, 79, 1, -1.3),
    ('18.75 rounds up to 18.8', 5, 9, 2, 18.8),
    ('2.5 is kept', 1, 39, 0, 2.5),
    ('0.04 rounds to 0.0', 1, 2499, 0, 0.0),
    ('-0.04 rounds to 0.0, not -0.0', 0, 2499, 1, 0.0),
    ('0.05 rounds up to 0.1', 1, 1999, 0, 0.1),
    ('66.666... rounds to 66.7', 2, 1, 0, 66.7),
    ('33.333... rounds to 33.3', 1, 2, 0, 33.3),
]


@pytest.mark.parametrize('promoters,passives,detractors,expected', [row[1:] for row in ROUNDING],
                         ids=[row[0] for row in ROUNDING])
def test_rounding(promoters, passives, detractors, expected):
    score = nps_from_counts(promoters, passives, detractors).nps
    assert score == expected
    assert str(score) == str(expected)  # no -0.0, no 6.300000000000001


def test_rounding_of_answers_half_up_where_float_round_would_not():
    answers = [10] + [8] * 15  # 1 promoter out of 16: exactly 6.25
    assert round(100 / 16, 1) == 6.2  # Python's round(): binary float, halves to even
    assert nps(answers).nps == 6.3


@pytest.mark.parametrize('answers,sent,rate', [
    (1, 16, 6.3),
    (1, 8, 12.5),
    (2, 3, 66.7),
    (1, 3, 33.3),
    (12, 40, 30.0),
    (5, 5, 100.0),
    (0, 7, 0.0),
    (0, 0, None),
    (1, None, None),
], ids=['6.25 rounds up', 'one eighth', 'two thirds', 'one third', '30%', 'all answered', 'none answered',
        'nothing sent', 'sent unknown'])
def test_response_rate(answers, sent, rate):
    assert nps_from_counts(answers, 0, 0, sent=sent).response_rate == rate
    assert nps([9] * answers, sent=sent).response_rate == rate


def test_nps_accepts_any_iterable():
    assert nps(iter([9, 7, 0])) == nps((9, 7, 0)) == NpsResult(3, 1, 1, 1, 0.0, None)
    assert nps(score for score in (10, 10)).nps == 100.0


INVALID = [
    # id, call, words expected in the message
    ('answer 11', lambda: nps([9, 11]), 'between 0 and 10, got 11'),
    ('answer None', lambda: nps([9, None]), 'got None'),
    ('answer 7.5', lambda: nps([7.5]), 'got 7.5'),
    ('answer True', lambda: nps([True]), 'got True'),
    ('sent below answers', lambda: nps([9, 8, 7], sent=2), 'sent (2) cannot be below the number of answers (3)'),
    ('negative sent', lambda: nps([], sent=-1), 'surveys sent cannot be negative, got -1'),
    ('fractional sent', lambda: nps([9], sent=2.5), 'surveys sent must be a whole number, got 2.5'),
    ('sent as text', lambda: nps([9], sent='5'), "got '5'"),
    ('negative promoters', lambda: nps_from_counts(-1, 0, 0), 'promoters cannot be negative, got -1'),
    ('negative passives', lambda: nps_from_counts(0, -2, 0), 'passives cannot be negative, got -2'),
    ('negative detractors', lambda: nps_from_counts(0, 0, -3), 'detractors cannot be negative, got -3'),
    ('fractional count', lambda: nps_from_counts(1.5, 0, 0), 'promoters must be a whole number, got 1.5'),
    ('count None', lambda: nps_from_counts(1, None, 0), 'passives must be a whole number, got None'),
    ('count as bool', lambda: nps_from_counts(1, 0, True), 'detractors must be a whole number, got True'),
    ('counts above sent', lambda: nps_from_counts(3, 2, 1, sent=5), 'surveys sent (5) cannot be below'),
]


@pytest.mark.parametrize('call,message', [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_invalid_input_is_rejected_with_a_message(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)


def test_every_answer_has_a_category_and_the_bounds_hold():
    assert [category(score) for score in range(11)] == ['detractor'] * 7 + ['passive'] * 2 + ['promoter'] * 2
    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    for promoters in range(6):
        for passives in range(6):
            for detractors in range(6):
                score = nps_from_counts(promoters, passives, detractors).nps
                assert score is None or -100.0 <= score <= 100.0

import pytest

from ..appointment import HOLDING, STATES, TRANSITIONS, InvalidTransition, next_state, sign, verify

ALLOWED = [(source, action, target) for action, (sources, target) in sorted(TRANSITIONS.items())
           for source in sources]


@pytest.mark.parametrize('current, action, expected', ALLOWED, ids=['%s-%s' % (s, a) for s, a, _t in ALLOWED])
def test_allowed_moves(current, action, expected):
    assert next_state(current, action) == expected


REFUSED = [(state, action) for state in STATES for action in TRANSITIONS
           if (state, action) not in {(s, a) for s, a, _t in ALLOWED}]


@pytest.mark.parametrize('current, action', REFUSED, ids=['%s-%s' % r for r in REFUSED])
def test_refused_moves(current, action):
    with pytest.raises(InvalidTransition, match='cannot'):
        next_state(current, action)


def test_examples_of_refusals_read_well():
    with pytest.raises(InvalidTransition, match='cannot cancel an appointment that is Done'):
        next_state('done', 'cancel')
    with pytest.raises(InvalidTransition, match='unknown action'):
        next_state('booked', 'teleport')


def test_cancelled_and_no_show_free_the_slot():
    assert 'cancelled' not in HOLDING and 'no_show' not in HOLDING
    assert set(HOLDING) | {'cancelled', 'no_show'} == set(STATES)


def test_tokens_bind_secret_event_and_action():
    token = sign('s3cret', 42, 'cancel')
    assert verify('s3cret', 42, 'cancel', token)
    assert not verify('s3cret', 43, 'cancel', token)
    assert not verify('s3cret', 42, 'confirm', token)
    assert not verify('other', 42, 'cancel', token)
    assert not verify('s3cret', 42, 'cancel', token[:-1] + ('0' if token[-1] != '0' else '1'))
    assert not verify('s3cret', 42, 'cancel', '')
    assert not verify('s3cret', 42, 'cancel', None)
    assert not verify('s3cret', 42, 'done', token)


@pytest.mark.parametrize('secret, action', [('', 'cancel'), ('s', 'done')], ids=['no secret', 'not a link action'])
def test_sign_refuses(secret, action):
    with pytest.raises(ValueError):
        sign(secret, 1, action)

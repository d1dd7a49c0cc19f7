"""The checker on a catalogue of student attempts (tests/exercise_attempts.py): every
correct solution passes, every wrong one fails with the hint it should get (the catalogued
mistake, or words the report must hold) and without the words it must not hold; the
default report names the principle and never the catalogued mistake's line of code, which
``hint="code"`` adds."""
import numpy as np
import pytest

from cnnbook.exercises import check
from cnnbook.exercises.mistakes import MISTAKES

from exercise_attempts import ATTEMPTS

CODE = {m.key: m.code for ms in MISTAKES.values() for m in ms}


def test_the_catalogue_is_large_and_covers_every_exercise():
    from cnnbook.exercises import NAMES
    assert len(ATTEMPTS) >= 60
    assert len({a.id for a in ATTEMPTS}) == len(ATTEMPTS)
    assert {a.name for a in ATTEMPTS if a.passes} == set(NAMES)
    assert sum(not a.passes for a in ATTEMPTS) >= 60


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.id for a in ATTEMPTS])
def test_attempt(attempt):
    result = check(attempt.name, attempt.fn, quiet=True, **dict(attempt.options))
    message = result.message
    assert result.passed is attempt.passes, message
    if attempt.mistake:
        assert result.mistake == attempt.mistake, message
    for words in attempt.says:
        assert words in message, (words, message)
    for words in attempt.never:
        assert words not in message, (words, message)
    assert "is the sign is" not in message
    if result.passed:
        assert result.case is None
        return
    if result.mistake:  # principle first; the line of code only on request
        code = CODE[result.mistake]
        assert code not in message
        assert 'hint="code"' in message
        with_code = check(attempt.name, attempt.fn, quiet=True, hint="code",
                          **dict(attempt.options))
        assert f"  code: {code}" in with_code.message
        assert with_code.passed is False and with_code.mistake == result.mistake


def test_a_failing_case_can_be_rerun_and_printed():
    attempt = next(a for a in ATTEMPTS if a.id == "conv-b-dx-assign")
    result = check(attempt.name, attempt.fn, quiet=True)
    case = result.case
    assert set(case.inputs) == {"dout", "x", "w", "stride", "padding"}
    assert set(case.expected) == set(case.got) == {"dx", "dw", "db"}
    dx, dw, db = case.call(attempt.fn)
    np.testing.assert_array_equal(dx, case.got["dx"])
    assert not np.allclose(dx, case.expected["dx"])
    np.testing.assert_allclose(dw, case.expected["dw"])
    assert "FailedCase('1 image" in repr(case)


def test_a_correct_answer_passes_when_numpy_raises_on_every_floating_point_error():
    attempt = next(a for a in ATTEMPTS if a.id == "sigmoid-ok")
    old = np.seterr(all="raise")
    try:
        result = check(attempt.name, attempt.fn, quiet=True)
    finally:
        np.seterr(**old)
    assert result.passed, result.message


def test_the_time_limit_is_a_few_seconds():
    from cnnbook.exercises import TIME_LIMIT
    assert 1 <= TIME_LIMIT <= 10

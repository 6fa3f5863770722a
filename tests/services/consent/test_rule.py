"""The consent rule: any refusal or revocation by a guardian with rights blocks; silence never consents."""

from __future__ import annotations

import pytest

from app.models.consent import ConsentStatus as S
from app.services.consent.rule import allowed_answers, student_status


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([], S.pending),
        ([S.granted], S.granted),
        ([S.granted, S.refused], S.refused),  # grant + refuse
        ([S.refused, S.granted], S.refused),  # refuse + grant
        ([S.revoked], S.revoked),  # grant then revoke (the latest answer counts)
        ([S.granted, S.revoked], S.revoked),
        ([S.revoked, S.refused], S.refused),
        ([S.granted, S.granted], S.granted),
    ],
)
def test_student_status(answers: list[S], expected: S) -> None:
    assert student_status(answers) == expected


def test_what_a_guardian_may_answer_next() -> None:
    assert allowed_answers(None) == {S.granted, S.refused}
    assert allowed_answers(S.granted) == {S.revoked}
    assert allowed_answers(S.refused) == {S.granted}
    assert allowed_answers(S.revoked) == {S.granted}

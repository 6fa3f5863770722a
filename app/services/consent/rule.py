"""The consent rule, as one pure function (DPP §V and §VI, DESIGN.md §3).

A student's consent for a request is *granted* only when at least one guardian with educational
rights granted and no guardian with rights refused or revoked. Only each guardian's latest answer
counts, so a revocation blocks at once whatever came before, and a revoked consent comes back
only with a new answer from the guardian who revoked it. Silence is never consent.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.models.consent import ConsentStatus


def student_status(latest_answers: Iterable[ConsentStatus]) -> ConsentStatus:
    """The student's status from the latest answer of each guardian with educational rights."""
    answers = set(latest_answers)
    if ConsentStatus.refused in answers:
        return ConsentStatus.refused
    if ConsentStatus.revoked in answers:
        return ConsentStatus.revoked
    if ConsentStatus.granted in answers:
        return ConsentStatus.granted
    return ConsentStatus.pending


def allowed_answers(own_latest: ConsentStatus | None) -> set[ConsentStatus]:
    """What a guardian may answer next: first grant or refuse; then revoke what they granted, or
    grant what they refused or revoked (the same answer again changes nothing)."""
    if own_latest is None or own_latest == ConsentStatus.pending:
        return {ConsentStatus.granted, ConsentStatus.refused}
    if own_latest == ConsentStatus.granted:
        return {ConsentStatus.revoked}
    return {ConsentStatus.granted}

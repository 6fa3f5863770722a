from datetime import UTC, datetime

from sqlmodel import Session

from app.services.platform.references import next_reference


def test_references_count_up_per_prefix_and_local_year(db: Session) -> None:
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert next_reference(db, prefix="D", at=at) == "D-2026-0001"
    assert next_reference(db, prefix="D", at=at) == "D-2026-0002"
    assert next_reference(db, prefix="INC", at=at) == "INC-2026-0001"
    # 03:00 UTC on January 1 is still December 31 in Massachusetts.
    assert next_reference(db, prefix="D", at=datetime(2027, 1, 1, 3, tzinfo=UTC)) == "D-2026-0003"
    assert next_reference(db, prefix="D", at=datetime(2027, 1, 1, 12, tzinfo=UTC)) == "D-2027-0001"

"""Stored files follow their transaction: kept on commit, removed when it does not commit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from app.actors import SYSTEM
from app.config import get_settings
from app.models import Document
from app.services.platform.documents import PDF, read_document, store_document
from tests.support.vendors import pdf_bytes


def _file_of(document: Document) -> Path:
    return Path(get_settings().documents_dir) / document.storage_key


def test_a_committed_upload_keeps_its_file(committed: Engine) -> None:
    with Session(committed) as session:
        document = store_document(
            session, data=pdf_bytes(), original_name="a.pdf", allowed=frozenset({PDF}), actor=SYSTEM
        )
        session.commit()
        assert _file_of(document).exists()
        assert read_document(document) == pdf_bytes()


def test_a_rolled_back_upload_leaves_no_file(committed: Engine) -> None:
    with Session(committed) as session:
        document = store_document(
            session, data=pdf_bytes(), original_name="a.pdf", allowed=frozenset({PDF}), actor=SYSTEM
        )
        path = _file_of(document)
        assert path.exists()
        session.rollback()
        assert not path.exists()


def test_an_upload_in_a_session_closed_without_commit_leaves_no_file(committed: Engine) -> None:
    """A request that fails after the upload closes its session without committing."""
    with Session(committed) as session:
        document = store_document(
            session, data=pdf_bytes(), original_name="a.pdf", allowed=frozenset({PDF}), actor=SYSTEM
        )
        path = _file_of(document)
    assert not path.exists()


def test_only_the_uncommitted_files_go(committed: Engine) -> None:
    with Session(committed) as session:
        kept = store_document(
            session, data=pdf_bytes(), original_name="a.pdf", allowed=frozenset({PDF}), actor=SYSTEM
        )
        session.commit()
        dropped = store_document(
            session, data=pdf_bytes(2), original_name="b.pdf", allowed=frozenset({PDF}), actor=SYSTEM
        )
        session.rollback()
        assert _file_of(kept).exists() and not _file_of(dropped).exists()

"""Deleting stored documents: the rows in the caller's transaction, the files after it commits.

A file is removed only once the transaction that deleted its row has committed, so a rollback
never leaves a row without its file. A process killed between the commit and the unlink leaves a
file whose row is gone: ``sweep_orphans`` (run by every purge) removes such files, sparing the
newest ones, whose upload may not have committed yet.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.platform.documents import Document

GRACE = timedelta(hours=1)  # a file younger than this may belong to an upload still in flight
_CHUNK = 500


def delete_documents(session: Session, document_ids: Iterable[uuid.UUID | None]) -> list[str]:
    """Delete the rows; returns their storage keys, for ``remove_files`` after the commit."""
    ids = sorted({d for d in document_ids if d is not None})
    keys: list[str] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        keys += session.exec(select(Document.storage_key).where(col(Document.id).in_(chunk))).all()
        session.execute(sa.delete(Document).where(col(Document.id).in_(chunk)))
    return keys


def remove_files(storage_keys: Iterable[str]) -> int:
    root = Path(get_settings().documents_dir)
    removed = 0
    for key in storage_keys:
        path = root / key
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep_orphans(session: Session) -> int:
    """Remove files older than ``GRACE`` that no document row names; returns how many."""
    root = Path(get_settings().documents_dir)
    if not root.is_dir():
        return 0
    limit = time.time() - GRACE.total_seconds()  # files age on the file system's (wall) clock
    files = [p for p in root.iterdir() if p.is_file() and p.stat().st_mtime < limit]
    removed = 0
    for i in range(0, len(files), _CHUNK):
        chunk = files[i : i + _CHUNK]
        known = set(
            session.exec(
                select(Document.storage_key).where(col(Document.storage_key).in_([p.name for p in chunk]))
            ).all()
        )
        for path in chunk:
            if path.name not in known:
                path.unlink(missing_ok=True)
                removed += 1
    return removed

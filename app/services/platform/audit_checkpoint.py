"""Checkpoints of the audit chain's head, kept outside the database.

A keyed chain stops anyone without the key from rewriting events, but deleting the newest events
leaves a valid, shorter chain. So the head is anchored: at least daily a checkpoint (sequence
number, head hash, time) signed with the audit key is written to the log as a JSON line and
appended to ``STEWARD_AUDIT_CHECKPOINT_PATH`` (a file, or a directory to hold one), which belongs
where the database's writers cannot change it. ``steward audit verify --checkpoint PATH`` then
fails when the chain is shorter than a checkpoint or holds a different event at its sequence.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.models import AuditAnchor, AuditEvent
from app.security import audit_keys
from app.services.platform.audit import GENESIS, event_hash
from app.services.platform.audit_anchor import chain_start

log = logging.getLogger("steward.audit")

FILE_NAME = "steward-audit-checkpoints.jsonl"  # the file inside a configured directory
KEY = "audit_checkpoint"  # each line is {"audit_checkpoint": {...}}
_PURPOSE = "audit-checkpoint"
_BATCH = 1000


class ChainHeadInvalid(RuntimeError):
    """The newest event does not verify: checkpointing it would vouch for a forgery."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str  # ISO 8601, UTC
    key_id: str
    mac: str = ""

    def _signed_part(self) -> bytes:
        body = {"seq": self.seq, "head": self.head, "at": self.at, "key_id": self.key_id}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def signed(self) -> Checkpoint:
        mac = audit_keys.sign(self.key_id, _PURPOSE, self._signed_part())
        return Checkpoint(self.seq, self.head, self.at, self.key_id, mac)

    def genuine(self) -> bool:
        return audit_keys.matches(self.key_id, _PURPOSE, self._signed_part(), self.mac)

    def line(self) -> str:
        body = {"seq": self.seq, "head": self.head, "at": self.at, "key_id": self.key_id, "mac": self.mac}
        return json.dumps({KEY: body}, sort_keys=True, separators=(",", ":"))


def checkpoint_file(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    return target / FILE_NAME if target.is_dir() else target


def take_checkpoint(session: Session, *, now: datetime, path: str | None = None) -> Checkpoint | None:
    """Sign the chain's head and write it to the log and the checkpoint file (None: empty chain)."""
    head = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    if head is None or head.seq is None:
        return None
    if event_hash(head) != head.hash:
        raise ChainHeadInvalid(f"audit event #{head.seq} does not verify; no checkpoint written")
    checkpoint = Checkpoint(head.seq, head.hash, now.isoformat(), audit_keys.signing_key_id()).signed()
    line = checkpoint.line()
    log.info(line, extra={KEY: json.loads(line)[KEY]})
    target = checkpoint_file(path or get_settings().audit_checkpoint_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    return checkpoint


def _parse_line(text: str) -> dict[str, Any] | None:
    """The checkpoint in one line of a checkpoint file or of a log (JSON or text), if any."""
    start = text.find("{")
    while start != -1:
        try:
            value, _ = json.JSONDecoder().raw_decode(text, start)
        except ValueError:
            value = None
        if isinstance(value, dict):
            found = value.get(KEY) if KEY in value else None
            if isinstance(found, dict):
                return found
        start = text.find("{", start + 1)
    return None


def read_checkpoints(path: str | os.PathLike[str]) -> Iterator[tuple[str, Checkpoint | None]]:
    """(where, checkpoint) for every checkpoint line in a file, or in every file of a directory;
    the checkpoint is None when the line is not well formed. Other lines (a log's) are skipped."""
    root = Path(path)
    files = sorted(p for p in root.iterdir() if p.is_file()) if root.is_dir() else [root]
    for file in files:
        with file.open(encoding="utf-8", errors="replace") as lines:
            for number, text in enumerate(lines, start=1):
                if KEY not in text:
                    continue
                found = _parse_line(text)
                if found is None:  # only mentions the word (a job name in a log line, say)
                    continue
                where = f"{file.name} line {number}"
                try:
                    yield (
                        where,
                        Checkpoint(
                            seq=int(found["seq"]),
                            head=str(found["head"]),
                            at=str(found["at"]),
                            key_id=str(found["key_id"]),
                            mac=str(found["mac"]),
                        ),
                    )
                except (KeyError, TypeError, ValueError):
                    yield where, None


@dataclass
class CheckpointReport:
    ok: bool
    checked: int
    reason: str | None = None


def check_checkpoints(session: Session, found: Iterable[tuple[str, Checkpoint | None]]) -> CheckpointReport:
    """Fail when a checkpoint is forged, or the chain is shorter than or differs from one."""
    checkpoints: list[tuple[str, Checkpoint]] = []
    for where, checkpoint in found:
        if checkpoint is None or not checkpoint.genuine():
            return CheckpointReport(
                False, 0, f"the checkpoint at {where} is not genuine (bad or no signature)"
            )
        checkpoints.append((where, checkpoint))
    if not checkpoints:
        return CheckpointReport(False, 0, "no checkpoints found there")
    last_seq = session.exec(select(func.max(AuditEvent.seq))).one() or 0
    wanted = sorted({c.seq for _, c in checkpoints})
    hashes: dict[int, str] = {0: GENESIS}
    for i in range(0, len(wanted), _BATCH):
        rows = session.exec(
            select(AuditEvent.seq, AuditEvent.hash).where(col(AuditEvent.seq).in_(wanted[i : i + _BATCH]))
        ).all()
        hashes.update({seq: digest for seq, digest in rows if seq is not None})
        anchors = session.exec(
            select(AuditAnchor.seq, AuditAnchor.head).where(col(AuditAnchor.seq).in_(wanted[i : i + _BATCH]))
        ).all()
        hashes.update(dict(anchors))
    first, _, _ = chain_start(session)  # events before it were purged under a signed anchor
    for where, checkpoint in sorted(checkpoints, key=lambda item: item[1].seq):
        if checkpoint.seq < first and checkpoint.seq not in hashes:
            continue  # before the purge: the anchor, checked by verify_chain, vouches for it
        if checkpoint.seq > last_seq:
            return CheckpointReport(
                False,
                len(checkpoints),
                f"the chain ends at event #{last_seq}, but the checkpoint of {checkpoint.at} ({where}) "
                f"saw event #{checkpoint.seq}: the newest events were deleted",
            )
        if hashes.get(checkpoint.seq) != checkpoint.head:
            return CheckpointReport(
                False,
                len(checkpoints),
                f"event #{checkpoint.seq} is not the one the checkpoint of {checkpoint.at} ({where}) "
                "saw: the chain was rewritten",
            )
    return CheckpointReport(True, len(checkpoints))

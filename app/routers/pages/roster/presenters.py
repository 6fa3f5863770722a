"""View-models for the roster pages: an import's progress and outcome in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import ImportStatus, RosterImport

PHASES = {
    "waiting": "Waiting to start",
    "reading": "Reading and checking every row",
    "writing": "Writing the roster",
    "done": "Finished",
}
KINDS = (("students", "Students"), ("guardians", "Guardians"), ("guardianships", "Guardianships"))
COLUMNS = ("created", "updated", "unchanged", "unenrolled", "removed")


@dataclass
class ImportView:
    row: RosterImport

    @property
    def running(self) -> bool:
        return self.row.status in (ImportStatus.queued, ImportStatus.running)

    @property
    def percent(self) -> int:
        if self.row.status == ImportStatus.succeeded:
            return 100
        total = max(self.row.rows_total, 1)
        return min(99 if self.running else 100, self.row.rows_done * 100 // total)

    @property
    def phase(self) -> str:
        return PHASES.get(self.row.phase, self.row.phase)

    @property
    def outcome(self) -> str:
        status = self.row.status
        if status == ImportStatus.succeeded:
            changed = (self.row.summary or {}).get("changed")
            return "Imported." if changed else "Imported; nothing had changed."
        if status == ImportStatus.failed:
            if self.row.problem_count:
                noun = "problem" if self.row.problem_count == 1 else "problems"
                return f"Refused whole: {self.row.problem_count} {noun}. Nothing was written."
            return self.row.error or "Failed. Nothing was written."
        return self.phase

    @property
    def mode(self) -> str:
        mode = (self.row.summary or {}).get("mode")
        return {"full": "Full (bulk)", "delta": "Delta"}.get(mode or "", "")

    def table(self) -> list[tuple[str, list[Any]]]:
        """Rows (kind, counts per column; None where a count does not apply) for the summary table."""
        summary = self.row.summary or {}
        return [(label, [summary.get(kind, {}).get(c) for c in COLUMNS]) for kind, label in KINDS]

    def short_summary(self) -> str:
        summary = self.row.summary or {}
        students = summary.get("students", {})
        guardians = summary.get("guardians", {})
        if not summary:
            return self.outcome
        return (
            f"students: {students.get('created', 0)} new, {students.get('updated', 0)} changed, "
            f"{students.get('unenrolled', 0)} unenrolled; guardians: {guardians.get('created', 0)} new, "
            f"{guardians.get('updated', 0)} changed"
        )

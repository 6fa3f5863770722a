"""Read a OneRoster 1.1 CSV set into a roster batch, collecting every problem on the way.

What is read (1EdTech OneRoster v1.1 CSV binding):
- ``manifest.csv`` (``propertyName,value``): ``oneroster.version`` 1.1 and ``file.orgs``,
  ``file.users``, ``file.enrollments`` each ``bulk`` or ``delta``. ``file.users=bulk`` makes the
  import a full one (enrolled students missing from it are unenrolled); ``delta`` touches only
  the rows present. ``file.demographics`` must be ``absent``: it carries dates of birth.
- ``orgs.csv``: ``sourcedId``, ``name``, ``type``: a student's school is the name of the first
  of its ``orgSourcedIds``.
- ``users.csv``: ``role=student`` rows are students (grade: the first of ``grades``);
  ``parent``, ``guardian`` and ``relative`` rows are guardians (``metadata.preferredLanguage``
  if present). Guardianships come from ``agentSourcedIds`` in either direction;
  ``relationship`` is the agent's role, and parents and guardians hold educational rights, a
  relative does not. Other roles (teachers, aides ...) are not Steward's business and skipped.
- ``enrollments.csv``: each row must name a known user and school.
In delta files ``status`` (``active``/``tobedeleted``) and ``dateLastModified`` are required;
a ``tobedeleted`` student is unenrolled, a ``tobedeleted`` guardian loses their links.
CSV files may start with a byte-order mark and use CRLF line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from app.models.schemas.roster import forbidden_name
from app.services.roster.records import (
    GuardianRecord,
    LinkRecord,
    Problems,
    RosterBatch,
    StudentRecord,
    check_guardian,
    check_student,
)

Progress = Callable[[int], None]
GUARDIAN_ROLES = {"parent": True, "guardian": True, "relative": False}  # role -> educational rights
OTHER_ROLES = {"administrator", "aide", "proctor", "teacher"}
STATUSES = {"active", "tobedeleted"}
REQUIRED = {
    "orgs.csv": ("sourcedId", "name", "type"),
    "users.csv": ("sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
}
DELTA_COLUMNS = ("status", "dateLastModified")
# The columns Steward reads; the others (username, password, phone ...) are not even kept in memory.
USED = {c for cols in REQUIRED.values() for c in cols} | {
    *DELTA_COLUMNS,
    "agentSourcedIds",
    "grades",
    "email",
    "metadata.preferredLanguage",
}


@dataclass
class Table:
    name: str
    delta: bool
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def count_rows(files: dict[str, bytes]) -> int:
    """Roughly how many data rows the set holds (for a progress bar): lines minus headers."""
    return sum(max(data.count(b"\n") - 1, 0) for name, data in files.items() if name in REQUIRED) or 1


def _decode(name: str, data: bytes, problems: Problems) -> str | None:
    if not data.strip():
        problems.add(name, 1, "", "The file is empty.")
        return None
    if b"\x00" in data[:65536]:
        problems.add(name, 1, "", "This is not a CSV file.")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(name, line, "", f"The file is not valid UTF-8 (byte 0x{data[exc.start]:02x}).")
        return None


def _records(name: str, text: str, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for fields in reader:
            yield reader.line_num, fields
    except csv.Error as exc:
        problems.add(name, reader.line_num, "", f"This is not well-formed CSV ({exc}).")


def read_manifest(files: dict[str, bytes], problems: Problems) -> dict[str, str]:
    text = (
        _decode("manifest.csv", files.get("manifest.csv", b""), problems) if "manifest.csv" in files else None
    )
    if text is None:
        if "manifest.csv" not in files:
            problems.add("manifest.csv", 0, "", "manifest.csv is missing; a OneRoster set starts with it.")
        return {}
    values: dict[str, str] = {}
    for line, fields in _records("manifest.csv", text, problems):
        if line == 1:
            if [f.strip() for f in fields[:2]] != ["propertyName", "value"]:
                problems.add("manifest.csv", 1, "propertyName", "The header must be propertyName,value.")
            continue
        if len(fields) >= 2:
            values[fields[0].strip()] = fields[1].strip()
    if values.get("oneroster.version") != "1.1":
        problems.add("manifest.csv", 0, "oneroster.version", "oneroster.version must be 1.1.")
    for name in REQUIRED:
        mode = values.get(f"file.{name.removesuffix('.csv')}", "absent")
        if mode not in ("bulk", "delta"):
            problems.add(
                "manifest.csv",
                0,
                f"file.{name.removesuffix('.csv')}",
                f"{name} is required: declare it bulk or delta.",
            )
        elif name not in files:
            problems.add(name, 0, "", f"The manifest declares {name} but the file is missing.")
    if values.get("file.demographics", "absent") != "absent" or "demographics.csv" in files:
        problems.add(
            "demographics.csv",
            0,
            "",
            "Demographics carry dates of birth, which Steward never holds; export without them.",
        )
    return values


def read_table(
    name: str, data: bytes, *, delta: bool, problems: Problems, progress: Progress
) -> Table | None:
    text = _decode(name, data, problems)
    if text is None:
        return None
    table = Table(name, delta, [], [])
    keep: list[tuple[int, str]] = []
    for line, fields in _records(name, text, problems):
        if line == 1 or not table.header:
            table.header = [f.strip() for f in fields]
            forbidden = [c for c in table.header if forbidden_name(c)]
            for column in forbidden:
                problems.add(
                    name, line, column, f"Column {column} would carry what Steward never holds; remove it."
                )
            missing = [c for c in (*REQUIRED[name], *DELTA_COLUMNS) if c not in table.header]
            for column in missing:
                problems.add(name, line, column, f"The required column {column} is missing.")
            if missing or forbidden:
                return None
            keep = [(i, name) for i, name in enumerate(table.header) if name in USED]
            continue
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(table.header):
            problems.add(
                name, line, "", f"The row has {len(fields)} fields; the header has {len(table.header)}."
            )
            continue
        row = {name: fields[i].strip() for i, name in keep}
        for column in REQUIRED[name]:
            if not row[column]:
                problems.add(name, line, column, f"{column} is required.")
        _check_delta(name, line, row, delta, problems)
        table.rows.append((line, row))
        if len(table.rows) % 1000 == 0:
            progress(1000)
    progress(len(table.rows) % 1000)
    if not table.header:
        problems.add(name, 1, "", "The file has no header row.")
        return None
    return table


def _check_delta(name: str, line: int, row: dict[str, str], delta: bool, problems: Problems) -> None:
    status, modified = row["status"], row["dateLastModified"]
    if delta and not status:
        problems.add(name, line, "status", "status is required in a delta file (active or tobedeleted).")
    if status and status not in STATUSES:
        problems.add(name, line, "status", f"status must be active or tobedeleted, not {status[:20]!r}.")
    if delta and not modified:
        problems.add(name, line, "dateLastModified", "dateLastModified is required in a delta file.")
    if modified:
        try:
            datetime.fromisoformat(modified.replace("Z", "+00:00"))
        except ValueError:
            problems.add(
                name, line, "dateLastModified", "dateLastModified must be an ISO 8601 date and time."
            )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _orgs(table: Table, problems: Problems) -> dict[str, str]:
    names: dict[str, str] = {}
    for line, row in table.rows:
        if row["sourcedId"] in names:
            problems.add(table.name, line, "sourcedId", f"Duplicate sourcedId {row['sourcedId']!r}.")
        names[row["sourcedId"]] = row["name"]
    return names


def _users(users: Table, orgs: dict[str, str], batch: RosterBatch, problems: Problems) -> dict[str, str]:
    """Students and guardians into ``batch``; returns every user's role by sourcedId."""
    roles: dict[str, str] = {}
    seen: dict[str, int] = {}
    for line, row in users.rows:
        sid, role = row["sourcedId"], row["role"]
        if sid in seen:
            problems.add(
                users.name, line, "sourcedId", f"Duplicate sourcedId {sid!r} (first on line {seen[sid]})."
            )
            continue
        seen[sid] = line
        roles[sid] = role
        deleted = row["status"] == "tobedeleted"
        if role == "student":
            school_ids = _split(row["orgSourcedIds"])
            school = orgs.get(school_ids[0], "") if school_ids else ""
            if school_ids and school_ids[0] not in orgs and not deleted:
                problems.add(users.name, line, "orgSourcedIds", f"Org {school_ids[0]!r} is not in orgs.csv.")
            grades = _split(row.get("grades", ""))
            batch.students.append(
                StudentRecord(
                    sid,
                    row["givenName"],
                    row["familyName"],
                    school,
                    grades[0] if grades else "",
                    enrolled=not deleted,
                    status_only=deleted,
                    where=(users.name, line),
                )
            )
        elif role in GUARDIAN_ROLES:
            if deleted:
                batch.detached_guardians.append(sid)
                continue
            batch.guardians.append(
                GuardianRecord(
                    sid,
                    row["givenName"],
                    row["familyName"],
                    row.get("email") or None,
                    row.get("metadata.preferredLanguage", ""),
                    where=(users.name, line),
                )
            )
        elif role not in OTHER_ROLES:
            problems.add(users.name, line, "role", f"Unknown role {role[:30]!r}.")
    return roles


def _links(users: Table, roles: dict[str, str], batch: RosterBatch, problems: Problems) -> None:
    pairs: dict[tuple[str, str], LinkRecord] = {}
    for line, row in users.rows:
        sid, role = row["sourcedId"], row["role"]
        if row["status"] == "tobedeleted" or (role != "student" and role not in GUARDIAN_ROLES):
            continue
        for agent in _split(row.get("agentSourcedIds", "")):
            other = roles.get(agent)
            student, guardian = (sid, agent) if role == "student" else (agent, sid)
            guardian_role = other if role == "student" else role
            if other is not None and other not in GUARDIAN_ROLES and role == "student":
                problems.add(
                    users.name,
                    line,
                    "agentSourcedIds",
                    f"Agent {agent!r} is a {other}, not a parent, guardian or relative.",
                )
                continue
            if other is not None and role != "student" and other != "student":
                problems.add(
                    users.name, line, "agentSourcedIds", f"Agent {agent!r} of a {role} must be a student."
                )
                continue
            rights = GUARDIAN_ROLES.get(guardian_role, True) if guardian_role else True
            pairs.setdefault(
                (student, guardian),
                LinkRecord(student, guardian, guardian_role, rights, where=(users.name, line)),
            )
    batch.links.extend(pairs.values())


def _enrollments(
    table: Table, orgs: dict[str, str], roles: dict[str, str], problems: Problems, *, all_users: bool
) -> None:
    """Each enrollment names a school in orgs.csv and, when users.csv is bulk, a user in it."""
    for line, row in table.rows:
        if row["status"] == "tobedeleted":
            continue
        if row["schoolSourcedId"] and row["schoolSourcedId"] not in orgs:
            problems.add(
                table.name, line, "schoolSourcedId", f"School {row['schoolSourcedId']!r} is not in orgs.csv."
            )
        if all_users and row["userSourcedId"] and row["userSourcedId"] not in roles:
            problems.add(
                table.name, line, "userSourcedId", f"User {row['userSourcedId']!r} is not in users.csv."
            )


def read_oneroster(files: dict[str, bytes], *, problems: Problems, progress: Progress) -> RosterBatch:
    """The batch a OneRoster set describes; check ``problems`` before using it."""
    manifest = read_manifest(files, problems)
    tables: dict[str, Table] = {}
    for name in REQUIRED:
        mode = manifest.get(f"file.{name.removesuffix('.csv')}")
        if name in files and mode in ("bulk", "delta"):
            table = read_table(name, files[name], delta=mode == "delta", problems=problems, progress=progress)
            if table is not None:
                tables[name] = table
    # A users.csv row (bulk or delta) is the whole record: its agentSourcedIds are all its agents.
    batch = RosterBatch(full=manifest.get("file.users") == "bulk", complete_links=True)
    if problems or len(tables) != len(REQUIRED):
        return batch
    orgs = _orgs(tables["orgs.csv"], problems)
    roles = _users(tables["users.csv"], orgs, batch, problems)
    _links(tables["users.csv"], roles, batch, problems)
    _enrollments(tables["enrollments.csv"], orgs, roles, problems, all_users=not tables["users.csv"].delta)
    for student in batch.students:
        check_student(student, problems)
    for guardian in batch.guardians:
        check_guardian(guardian, problems)
    return batch

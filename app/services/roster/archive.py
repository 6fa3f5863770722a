"""Open a OneRoster CSV set (a zip or a folder) safely, before a single row is read.

A zip is refused when a member name carries a path (``../x``, ``dir/x``, ``C:\\x``), when it
holds another zip, when it has more members than a roster set needs, or when it would unpack
to more than ``MAX_UNPACKED`` bytes or at a ratio no CSV compresses to (a zip bomb). Members
are read with a hard cap, so a size the zip lies about cannot get past it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

from app.services.roster.records import Problems

WANTED = ("manifest.csv", "orgs.csv", "users.csv", "enrollments.csv", "demographics.csv")
MAX_MEMBERS = 64
MAX_UNPACKED = 512 * 1024 * 1024
MAX_RATIO = 100  # CSV compresses 5-15x; 100x and more is a bomb
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def _bad_name(name: str) -> bool:
    return "/" in name.rstrip("/") or "\\" in name or ".." in name or ":" in name or name.startswith("/")


def check_zip(handle: BinaryIO, problems: Problems) -> zipfile.ZipFile | None:
    """The zip, if its directory is safe to unpack; otherwise None and the reasons in ``problems``."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        problems.add("(upload)", 0, "", "The file is not a zip of OneRoster CSV files.")
        return None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        problems.add(
            "(upload)",
            0,
            "",
            f"The zip holds {len(members)} files; a OneRoster set has at most {MAX_MEMBERS}.",
        )
    total = 0
    for member in archive.infolist():
        name = member.filename
        if _bad_name(name):
            problems.add(
                name[:120],
                0,
                "",
                "A file name in the zip carries a path; put the CSV files at the top of the zip.",
            )
            continue
        if member.is_dir():
            continue
        if name.lower().endswith((".zip", ".gz", ".7z", ".rar", ".tar")):
            problems.add(name, 0, "", "The zip holds another archive; nested archives are refused.")
        total += member.file_size
        if member.file_size > MAX_RATIO * max(member.compress_size, 1) and member.file_size > 1024 * 1024:
            problems.add(name, 0, "", "The file unpacks to far more than a CSV compresses to (a zip bomb?).")
    if total > MAX_UNPACKED:
        problems.add("(upload)", 0, "", f"The zip unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB.")
    if problems:
        archive.close()
        return None
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, problems: Problems) -> bytes | None:
    with archive.open(name) as stream:
        data = stream.read(MAX_UNPACKED + 1)
    if len(data) > MAX_UNPACKED:
        problems.add(name, 0, "", "The file unpacks to more than the zip said (a zip bomb?).")
        return None
    if data.startswith(ZIP_MAGIC):
        problems.add(name, 0, "", "The file is itself a zip; nested archives are refused.")
        return None
    return data


def read_set(path: Path | BinaryIO, problems: Problems) -> dict[str, bytes]:
    """The OneRoster files of a zip (a path or an open file) or a folder, by lowercase name."""
    files: dict[str, bytes] = {}
    if isinstance(path, Path) and path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.is_file() and entry.name.lower() in WANTED:
                if entry.stat().st_size > MAX_UNPACKED:
                    problems.add(entry.name, 0, "", "The file is larger than a roster import may be.")
                    continue
                data = entry.read_bytes()
                if data.startswith(ZIP_MAGIC):
                    problems.add(entry.name, 0, "", "The file is a zip, not a CSV file.")
                    continue
                files[entry.name.lower()] = data
        return files
    with path.open("rb") if isinstance(path, Path) else path as handle:
        archive = check_zip(handle, problems)
        if archive is None:
            return files
        with archive:
            for member in archive.infolist():
                if not member.is_dir() and member.filename.lower() in WANTED:
                    content = _read_member(archive, member.filename, problems)
                    if content is not None:
                        files[member.filename.lower()] = content
    return files

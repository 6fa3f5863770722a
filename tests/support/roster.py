"""OneRoster fixtures for tests: the sample set written from the 1.1 CSV specification, zipped."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "oneroster"


def sample_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(SAMPLE.glob("*.csv"))}


def zip_bytes(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    path.write_bytes(zip_bytes(files))
    return path


def with_users(rows: list[str], *, users_mode: str = "bulk") -> dict[str, bytes]:
    """The sample set with extra lines appended to users.csv (and users declared bulk or delta)."""
    files = sample_files()
    files["users.csv"] = files["users.csv"] + "".join(r + "\n" for r in rows).encode()
    if users_mode != "bulk":
        files["manifest.csv"] = files["manifest.csv"].replace(
            b"file.users,bulk", f"file.users,{users_mode}".encode()
        )
    return files


def generated_set(students: int, *, prefix: str = "gen") -> dict[str, bytes]:
    """A bulk set of ``students`` students, each with one parent."""
    files = sample_files()
    header = files["users.csv"].split(b"\n", 1)[0].decode()
    lines = [header]
    for n in range(students):
        lines.append(f"{prefix}-s{n},,,true,org-maple,student,u{n},,Kid{n},Family{n},,,,,,{prefix}-p{n},04,,")
        lines.append(
            f"{prefix}-p{n},,,true,org-maple,parent,p{n},,Parent{n},Family{n},,,p{n}@example.net,,,,,,en"
        )
    files["users.csv"] = ("\n".join(lines) + "\n").encode()
    files["enrollments.csv"] = files["enrollments.csv"].split(b"\n", 1)[0] + b"\n"
    return files

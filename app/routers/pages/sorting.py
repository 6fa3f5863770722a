"""Column headers that sort a paged list on the server, so a sort covers every page and survives
the htmx swaps of filters and pages (``partials/_sort.html`` draws them)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode


@dataclass(frozen=True)
class SortHeader:
    label: str
    href: str  # the list sorted by this column (back to page 1, the filters kept)
    state: str  # its aria-sort now: "ascending", "descending" or "none"


def known_sort(value: str | None, sorts: type[StrEnum]) -> str:
    """``value`` if it is one of ``sorts``, else "" (a hand-edited address gets the usual order)."""
    return value if value in set(sorts) else ""


def list_link(path: str, values: Mapping[str, str], **changes: str | None) -> str:
    """``path`` with the query ``values`` changed (a value of None or "" drops the key)."""
    merged = {k: v for k, v in {**values, **changes}.items() if v}
    return path + ("?" + urlencode(merged) if merged else "")


def sort_headers(
    path: str,
    values: Mapping[str, str],
    columns: Mapping[str, str],
    *,
    default: str = "",
    descending_first: Collection[str] = (),
) -> dict[str, SortHeader]:
    """For each sortable column (key → label): its header. The list is sorted by ``values["sort"]``
    or else by ``default`` ("-key" is descending). A column's first click sorts it ascending, or
    descending for those in ``descending_first`` (dates, severity: the newest or worst first);
    the next click reverses it."""
    current = values.get("sort") or default
    headers = {}
    for key, label in columns.items():
        if current == key:
            state, target = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, target = "descending", key
        else:
            state, target = "none", f"-{key}" if key in descending_first else key
        headers[key] = SortHeader(label, list_link(path, values, sort=target, page=None), state)
    return headers

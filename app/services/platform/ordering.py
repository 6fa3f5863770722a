"""The ORDER BY of a sortable list: a sort value names a column, a leading ``-`` reverses it.

Every list ends its order with a unique column, so pages never overlap or skip a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import sqlalchemy as sa


def sort_order(
    sort: Enum | None, columns: Mapping[str, Any], *, default: str, unique: Any
) -> tuple[sa.ColumnElement[Any], ...]:
    """The ORDER BY for ``sort`` (``"name"``, ``"-name"``; ``default`` when None) over ``columns``,
    then ``unique`` in the same direction."""
    value = str(sort.value) if sort is not None else default
    column = columns[value.lstrip("-")]
    if value.startswith("-"):
        return (sa.desc(column), sa.desc(unique))
    return (sa.asc(column), sa.asc(unique))


def in_declared_order(column: Any, members: type[Enum]) -> sa.ColumnElement[int]:
    """A status or severity column ranked as its enum declares its members (the workflow's order,
    low to critical), not alphabetically; no value ranks first."""
    # Compared as the column (its type turns each member into what is stored), not as bare literals.
    return sa.case(*((column == member, rank) for rank, member in enumerate(members)), else_=-1)

"""Finding disputes by reference or requester (name or email), part of a word included.

A plain ``LIKE '%text%'`` reads every dispute. An index does the work instead:

- PostgreSQL: trigram GIN indexes (``pg_trgm``) on the three columns, which serve the
  ``column ILIKE '%text%'`` conditions as they are. Where the extension could not be created the
  indexes are absent and the query still works, as a scan.
- SQLite: an FTS5 table with the trigram tokenizer (``dispute_search``), kept in step with
  ``dispute`` by triggers, so no code path that writes disputes can forget it. Its rows are keyed
  through ``dispute_search_key`` (an INTEGER PRIMARY KEY, stable across VACUUM, unlike the implicit
  rowid of a table keyed by UUID). Trigrams need three characters: shorter text is matched by scan.

Both live in migration 0015; ``text_matches`` picks the form when the statement is compiled.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from app.models import Dispute

TRIGRAM = 3
_KEYS = sa.table("dispute_search_key", sa.column("id"), sa.column("dispute_id"))
_FTS = sa.table("dispute_search", sa.column("rowid"))


class _TextMatch(ColumnElement[bool]):
    """Reference, requester name or requester email contains the text (case-insensitive)."""

    type = sa.Boolean()
    inherit_cache = False  # the text chooses the form on SQLite; a search is not worth caching
    _is_implicitly_boolean = True  # a condition already: no "= 1" after it where booleans are ints

    def __init__(self, text: str) -> None:
        self.text = text


def text_matches(text: str) -> ColumnElement[bool]:
    """A condition on ``Dispute`` for the queue's search box."""
    return _TextMatch(text.strip())


def _scan(text: str) -> ColumnElement[bool]:
    """Grouped: it is compiled on its own, then placed among the queue's other conditions."""
    return sa.or_(
        col(Dispute.reference).icontains(text, autoescape=True),
        col(Dispute.requester_name).icontains(text, autoescape=True),
        col(Dispute.requester_email).icontains(text, autoescape=True),
    ).self_group()


def fts_phrase(text: str) -> str:
    """The text as one FTS5 phrase: with trigrams, a phrase matches wherever it occurs."""
    return '"' + text.replace('"', '""') + '"'


@compiles(_TextMatch)
def _compile_default(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(_scan(element.text), **kw))


@compiles(_TextMatch, "sqlite")
def _compile_sqlite(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    if len(element.text) < TRIGRAM:
        return str(compiler.process(_scan(element.text), **kw))
    found = (
        sa.select(_KEYS.c.dispute_id)
        .join(_FTS, _FTS.c.rowid == _KEYS.c.id)
        .where(
            sa.text("dispute_search MATCH :dispute_search_phrase").bindparams(
                dispute_search_phrase=fts_phrase(element.text)
            )
        )
    )
    return str(compiler.process(col(Dispute.id).in_(found), **kw))

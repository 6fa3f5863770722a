"""Count the SQL statements a request runs (an SQLAlchemy event on the engine), and check that the
count does not grow with the number of rows on the page: a count that grows is a query per row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_of(engine: Engine, run: Callable[[], object]) -> list[str]:
    run()  # warm up: a session's first request of a minute also records its last-seen time
    with counting(engine) as statements:
        run()
    return statements


def assert_constant_queries(engine: Engine, run: Callable[[], object], grow: Callable[[], object]) -> int:
    """Run, add rows with ``grow``, run again: no more statements the second time. (One fewer can
    happen: the test session shares its identity map with the app, so an object loaded by the
    first run may not be loaded again; a query per row always shows as more.)"""
    few = statements_of(engine, run)
    grow()
    many = statements_of(engine, run)
    assert len(many) <= len(few), f"{len(few)} statements became {len(many)}:\n" + "\n".join(many)
    return len(few)

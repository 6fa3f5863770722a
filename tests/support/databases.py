"""One PostgreSQL database per pytest-xdist worker, beside the one CI made for the run.

Imported by conftest before the app (so only the standard library and psycopg here).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def _admin_conninfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def _name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def worker_database_url(url: str, worker: str) -> str:
    """``url`` with its database renamed ``<name>_<worker>``, created fresh."""
    parts = urlsplit(url)
    name = f"{_name_of(url)}_{worker}"
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_worker_database(url: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_name_of(url))))

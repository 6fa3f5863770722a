"""The benchmarks keep working as the schema and the settings change (they run outside the suite,
so nothing else would notice): bulk rows go in through the real migrations, a bench database is
marked and any other refused, and the servers' production settings are valid."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from app.config import Settings
from app.db import make_engine
from app.migrate import upgrade
from app.models import Dispute, Vendor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_http
import benchkit


def test_bulk_rows_go_into_a_marked_bench_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bench.db'}")
    benchkit.mark_bench_database(engine)
    upgrade(engine)
    benchkit.add_bulk(engine, disputes=30, vendors=4, tag="T")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Dispute)).one() == 30
        assert session.exec(select(func.count()).select_from(Vendor)).one() == 4
    engine.dispose()


def test_a_database_that_is_not_a_bench_database_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'real.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE dispute (id INTEGER)"))
    with pytest.raises(SystemExit, match="not a bench database"):
        benchkit.mark_bench_database(engine)
    engine.dispose()


def test_the_http_bench_serves_with_valid_production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**bench_http.SECRETS, **bench_http.SERVE_AS}.items():
        monkeypatch.setenv(name, value)
    assert Settings().is_production

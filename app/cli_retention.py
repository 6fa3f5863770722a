"""``steward retention``: run the purge by hand (the worker runs it daily), with a progress bar."""

from __future__ import annotations

import typer
from rich.console import Console

retention_cli = typer.Typer(help="Retention: purge records past their period.", no_args_is_help=True)
console = Console()


@retention_cli.command("run")
def retention_run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what is due; delete nothing."),
) -> None:
    """Purge every record past its retention period (holds respected); resumes a killed run."""
    import getpass

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from app import clock
    from app.actors import Actor
    from app.db import get_engine
    from app.errors import Conflict
    from app.services.retention.purge import run_purge
    from app.services.retention.schedule import BY_KEY

    actor = Actor(type="system", label=f"steward retention run ({getpass.getuser()})")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        tasks: dict[str, TaskID] = {}

        def before(kind: str, due: int) -> None:
            tasks[kind] = progress.add_task(BY_KEY[kind].label, total=due or 1, completed=0 if due else 1)

        def after(kind: str, count: int) -> None:
            progress.advance(tasks[kind], count)

        try:
            run = run_purge(
                get_engine(),
                now=clock.now(),
                dry_run=dry_run,
                trigger="cli",
                actor=actor,
                before_type=before,
                after_batch=after,
            )
        except Conflict as exc:
            console.print(f"[red]{exc.detail}[/]")
            raise typer.Exit(1) from exc
    table = Table(title=("Due (dry run)" if dry_run else "Purged") + f" on {run.today:%-d %B %Y}")
    for heading in ("Record type", "Due", "Purged", "Held"):
        table.add_column(heading, justify="left" if heading == "Record type" else "right")
    for key, state in run.progress.items():
        table.add_row(BY_KEY[key].label, str(state["due"]), str(state["purged"]), str(state["held"]))
    console.print(table)

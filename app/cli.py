"""The ``steward`` command."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import typer
from rich.console import Console

from app.cli_retention import retention_cli
from app.config import Settings, get_settings, new_audit_key, new_data_key
from app.db import get_engine
from app.models.disputes import CLOCK_CEILING_DAYS

console = Console()
cli = typer.Typer(help="Steward: the district's student-data privacy program.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
staff_cli = typer.Typer(help="Employee (staff) accounts.", no_args_is_help=True)
cli.add_typer(staff_cli, name="staff")
audit_cli = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")
roster_cli = typer.Typer(help="The roster from the SIS.", no_args_is_help=True)
cli.add_typer(roster_cli, name="roster")
cli.add_typer(retention_cli, name="retention")
log = logging.getLogger("steward")


@cli.command()
def run(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    with_worker: bool = typer.Option(
        True, "--with-worker/--no-worker", help="Run the job worker in this process."
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        envvar="STEWARD_FORWARDED_ALLOW_IPS",
        help="Proxies whose X-Forwarded-For and X-Forwarded-Proto are trusted (comma-separated "
        "addresses or networks). Only these; the client address is what throttling keys on.",
    ),
) -> None:
    """Serve Steward (and, by default, run the job worker in the same process)."""
    import uvicorn

    from app.jobs.worker import Worker
    from app.main import create_app

    settings = settings_or_exit()
    web_app = create_app(settings)
    stop = threading.Event()
    if with_worker:
        from app.jobs import JOBS  # importing registers the jobs

        log.info("jobs: %s", ", ".join(JOBS))
        worker = Worker(get_engine(), settings)
        threading.Thread(target=worker.run_forever, args=(stop,), name="worker", daemon=True).start()
    console.print(f"Steward is serving [bold]{settings.district_name}[/] on http://{host}:{port}/")
    try:
        uvicorn.run(
            web_app,
            host=host,
            port=port,
            log_config=None,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
        )
    finally:
        stop.set()


@cli.command()
def worker() -> None:
    """Run the periodic jobs only (for a separate worker process)."""
    from app.jobs import JOBS
    from app.jobs.worker import Worker
    from app.log import configure_logging

    settings = settings_or_exit()
    configure_logging(
        json_lines=settings.log_json if settings.log_json is not None else settings.is_production
    )
    log.info("jobs: %s", ", ".join(JOBS))
    stop = threading.Event()
    try:
        Worker(get_engine(), settings).run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Upgrade the database schema to the latest migration."""
    from app.migrate import upgrade

    upgrade(get_engine(), revision)
    console.print("[green]database is at the latest migration[/]")


@cli.command()
def demo(
    force: bool = typer.Option(False, help="Load even when the database already has people."),
) -> None:
    """Load demo data (a realistic small district) into an empty database."""
    from sqlmodel import Session

    from app.demo import has_data, load_demo
    from app.demo.identity import sign_in_guide

    with Session(get_engine()) as session:
        if has_data(session) and not force:
            console.print("database already has data; demo data not loaded")
        else:
            summary = load_demo(session)
            session.commit()
            for what, count in summary.items():
                console.print(f"  {count:>5} {what}")
            console.print("[green]demo data loaded[/]")
        for line in sign_in_guide(session):
            console.print(line, highlight=False, soft_wrap=True)


def settings_or_exit() -> Settings:
    """The settings, or a plain message naming what is wrong and exit status 2 (start-up refusal)."""
    from pydantic import ValidationError

    try:
        return get_settings()
    except ValidationError as exc:
        console.print(f"[red]configuration error[/]:\n{exc}", highlight=False)
        raise typer.Exit(2) from exc


def policy_settings(settings: Settings) -> list[str]:
    """The settings the policies bound, as `steward check` reports them."""
    from app.services.disputes.clock import clock_days

    overridden = settings.dispute_clock_days
    clocks = ", ".join(
        f"{c} {clock_days(c)}" + (" (shortened)" if c in overridden else "") for c in CLOCK_CEILING_DAYS
    )
    age = settings.password_max_age_days
    return [
        f"dispute clocks (days; policy: 21, access_to_record 10): {clocks}",
        "password change: " + (f"every {age} days at most" if age else "off (development only)"),
    ]


@cli.command()
def check() -> None:
    """Check the configuration and that the database is reachable and migrated."""
    from app.services.platform.health import check_readiness

    settings = settings_or_exit()
    console.print(f"environment: {settings.environment.value}")
    console.print(f"database: {get_engine().url.render_as_string(hide_password=True)}")
    mail = f"SMTP {settings.smtp_host}" if settings.smtp_host else "not sent (logged, see /dev/outbox)"
    console.print(f"email: {mail}")
    from app.services.platform.audit_checkpoint import checkpoint_file

    anchors = checkpoint_file(settings.audit_checkpoint_path)
    console.print(f"audit chain: signed with key {settings.audit_key_list[0][0]!r}; checkpoints to {anchors}")
    console.print(f"API docs (/docs, /openapi.json): {settings.api_docs_access.value}")
    for line in policy_settings(settings):
        console.print(line, highlight=False)
    readiness = check_readiness(get_engine())
    if not readiness.ready:
        console.print(
            f"[red]database {readiness.database}[/] (at {readiness.revision}, head {readiness.head})"
        )
        raise typer.Exit(1)
    console.print(f"[green]ready[/]: database at {readiness.revision}")


@roster_cli.command("import")
def roster_import(
    path: str = typer.Argument(..., help="A OneRoster 1.1 CSV zip, or a folder holding its CSV files."),
) -> None:
    """Import a OneRoster 1.1 CSV set: every row checked first, then written all at once."""
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from sqlmodel import Session

    from app import clock
    from app.actors import Actor
    from app.errors import DomainError
    from app.models import ImportSource, ImportStatus, RosterImport
    from app.services.roster.imports import create_import, run_import

    source = Path(path)
    if not source.exists():
        console.print(f"[red]no such file or folder[/]: {path}")
        raise typer.Exit(2)
    import getpass

    actor = Actor(type="system", label=f"steward roster import ({getpass.getuser()})")
    engine = get_engine()
    with Session(engine) as session:
        try:
            row = create_import(
                session, file_name=source.name, source=ImportSource.cli, actor=actor, now=clock.now()
            )
        except DomainError as exc:
            console.print(f"[red]{exc.detail}[/]")
            raise typer.Exit(1) from exc
        session.commit()
        import_id = row.id
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("reading rows", total=None)

        def show(job: RosterImport) -> None:
            progress.update(
                task, total=job.rows_total or None, completed=job.rows_done, description=job.phase
            )

        final = run_import(engine, import_id=import_id, path=source, on_progress=show)
    if final is None:
        console.print("[red]another runner took this import[/]")
        raise typer.Exit(1)
    if final.status != ImportStatus.succeeded:
        console.print(f"[red]refused[/]: {final.problem_count} problem(s); nothing was written.")
        for p in (final.problems or [])[:50]:
            console.print(f"  {p['file']}:{p['line']} {p['column']}: {p['message']}", highlight=False)
        if final.error:
            console.print(final.error)
        raise typer.Exit(1)
    summary = final.summary or {}
    console.print(f"[green]imported[/] ({summary.get('mode')}); changed: {summary.get('changed')}")
    for kind in ("students", "guardians", "guardianships"):
        counts = ", ".join(f"{k} {v}" for k, v in summary.get(kind, {}).items())
        console.print(f"  {kind}: {counts}")


@cli.command()
def keygen(
    audit: bool = typer.Option(
        False, "--audit", help="Print an audit-chain key (id:secret) for STEWARD_AUDIT_KEYS instead."
    ),
) -> None:
    """Print a new data-encryption key for STEWARD_DATA_KEYS (or, with --audit, an audit key)."""
    if audit:
        from app import clock

        print(new_audit_key(clock.now().strftime("a%Y%m%d")))
        return
    print(new_data_key())


def _prompt_password(email: str, name: str) -> str:
    """Ask twice, without echo, until the password is confirmed and meets the policy."""
    from app.security.password_policy import problems

    while True:
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        found = problems(password, email=email, name=name)
        if not found:
            return password
        for message in found:
            console.print(f"[red]{message}[/]")


@staff_cli.command("create")
def staff_create(
    email: str = typer.Option(..., help="Their email: the sign-in id."),
    name: str = typer.Option(..., help="Their full name."),
    role: list[str] = typer.Option(
        ..., help="A role (repeatable): staff, privacy_team, privacy_admin, auditor."
    ),
    title: str | None = typer.Option(None, help="Job title."),
    department: str | None = typer.Option(None, help="Department or school."),
    password_prompt: bool = typer.Option(
        False,
        "--password-prompt",
        help="Set a password now (asked twice); otherwise a welcome email asks them to choose one.",
    ),
) -> None:
    """Create an employee account (the first privacy administrator, for example)."""
    from pydantic import ValidationError
    from sqlmodel import Session

    from app.actors import Actor
    from app.errors import DomainError
    from app.models.schemas.identity.staff import EmployeeCreate
    from app.services.identity.staff import create_employee

    try:
        data = EmployeeCreate(email=email, name=name, roles=role, title=title, department=department)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "input"
            console.print(f"[red]{field}[/]: {err['msg']}")
        raise typer.Exit(2) from exc
    password = _prompt_password(str(data.email), data.name) if password_prompt else None
    actor = Actor(type="system", label="steward staff create")
    with Session(get_engine()) as session:
        try:
            employee = create_employee(
                session, actor=actor, data=data, password=password, send_welcome=password is None
            )
        except DomainError as exc:
            console.print(f"[red]{exc.detail}[/]")
            raise typer.Exit(1) from exc
        session.commit()
        console.print(f"[green]created[/] {employee.email} ({', '.join(employee.roles)}) id {employee.id}")
    if password is None:
        console.print("a welcome email asks them to choose a password (see /dev/outbox in development)")
    console.print("at first sign-in they must enroll a second factor")


@audit_cli.command("verify")
def audit_verify(
    checkpoint: list[Path] = typer.Option(
        [],
        "--checkpoint",
        help="A checkpoint file or directory (or a log holding checkpoint lines); repeatable.",
    ),
) -> None:
    """Check the audit chain: every event links to the one before, is unaltered and signed with
    an audit key; with --checkpoint, also that the chain still holds every checkpointed head."""
    from sqlmodel import Session

    from app.services.platform.audit import verify_chain
    from app.services.platform.audit_checkpoint import check_checkpoints, read_checkpoints

    missing = [str(p) for p in checkpoint if not p.exists()]
    if missing:
        console.print(f"[red]no such checkpoint file or directory[/]: {', '.join(missing)}")
        raise typer.Exit(2)
    with Session(get_engine()) as session:
        report = verify_chain(session)
        if not report.ok:
            console.print(f"[red]audit chain broken at event #{report.broken_at}[/]: {report.reason}")
            raise typer.Exit(1)
        console.print(f"[green]audit chain intact[/]: {report.checked} events")
        for path in checkpoint:
            result = check_checkpoints(session, read_checkpoints(path))
            if not result.ok:
                console.print(f"[red]audit chain does not match {path}[/]: {result.reason}")
                raise typer.Exit(1)
            console.print(f"[green]matches {result.checked} checkpoints[/] in {path}")


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Write a signed checkpoint of the chain's head now (the worker does it every six hours)."""
    from sqlmodel import Session

    from app import clock
    from app.services.platform.audit_checkpoint import checkpoint_file, take_checkpoint

    with Session(get_engine()) as session:
        written = take_checkpoint(session, now=clock.now())
    if written is None:
        console.print("the audit chain is empty; no checkpoint written")
        return
    target = checkpoint_file(get_settings().audit_checkpoint_path)
    console.print(f"[green]checkpoint of event #{written.seq}[/] written to {target}")


@cli.command("demo-totp")
def demo_totp(email: str = typer.Argument(..., help="A demo account's email.")) -> None:
    """Development only: print the current authenticator code of a demo account."""
    from sqlmodel import Session

    from app.demo.identity import DemoTotpRefused, demo_totp_code

    settings = get_settings()
    if settings.is_production:
        console.print("[red]refused[/]: demo codes exist only in development")
        raise typer.Exit(1)
    with Session(get_engine()) as session:
        try:
            code, seconds_left = demo_totp_code(session, email=email)
        except DemoTotpRefused as exc:
            console.print(f"[red]refused[/]: {exc}")
            raise typer.Exit(1) from exc
    print(code)
    console.print(f"valid for about {seconds_left} more seconds; each code works once", style="dim")


def main() -> None:
    try:
        cli()
    except Exception as exc:  # configuration errors and the like, without a stack trace
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            console.print(f"[red]configuration error[/]:\n{exc}")
            sys.exit(2)
        raise

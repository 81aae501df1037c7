"""The ``newsdesk`` command. Heavy libraries are imported inside commands so --help stays fast."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from newsdesk.render import console as _console
from newsdesk.render import print_story_table, print_summary
from newsdesk.stages import REGISTRY, STAGE_NAMES

if TYPE_CHECKING:
    from newsdesk.pipeline import Newsroom
    from newsdesk.records import Source

app = typer.Typer(
    help="newsdesk: an automated newsroom. Sources in, verified and cited stories out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: rich's would eat "[sources]" as markup and print every option's type as "<bool>".
    rich_markup_mode=None,
)
sources_app = typer.Typer(help="Manage the sources a newsroom reads.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(sources_app, name="sources")

DirOption = Annotated[
    Path,
    typer.Option(
        "--dir",
        "-d",
        envvar="NEWSDESK_DIR",
        help="Newsroom folder (holds newsdesk.toml and the database).",
        show_default=True,
        metavar="FOLDER",
    ),
]


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"newsdesk {version('newsdesk')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            _fail("newsdesk is not installed (no package metadata): pip install -e . first")
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool, typer.Option("--version", help="Print the installed version and stop.", callback=_show_version, is_eager=True)
    ] = False,
) -> None:
    pass


class Format(str, Enum):
    table = "table"
    json = "json"


def _fail(message: str, code: int = 2) -> NoReturn:
    from rich.markup import escape

    # The message is plain text: "[store] url" must not be read as rich markup and vanish.
    _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _plain(text: object) -> str:
    """Text from outside (a path, a URL, a source's error) safe inside a rich markup string."""
    from rich.markup import escape

    return escape(str(text))


def _say(text: str) -> None:
    """A line of plain text: brackets in it ("[sources]", a headline's "[1]") are printed, not read as markup."""
    _console().print(text, markup=False, highlight=False)


def _open(path: Path) -> Newsroom:
    from newsdesk.config import ConfigError
    from newsdesk.pipeline import open_newsroom

    try:
        return open_newsroom(path)
    except ConfigError as exc:
        _fail(str(exc))


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the newsroom in.", metavar="FOLDER")] = Path("."),
) -> None:
    """Create a newsroom folder with a commented newsdesk.toml and an empty database."""
    config, created = _init(directory)
    newsroom = _open(directory)
    newsroom.close()
    verb = "Created" if created else "Kept existing"
    _console().print(
        f"{verb} {_plain(config)}. Next: [bold]newsdesk sources add FEED_URL --dir {_plain(directory)}[/]", highlight=False
    )


def _init(directory: Path) -> tuple[Path, bool]:
    """The newsroom folder made (or kept), or a clear error: a file in the way, no permission."""
    from newsdesk.pipeline import init_newsroom

    for part in (directory, *directory.parents):
        if part.exists() and not part.is_dir():
            _fail(f"{part} is a file, not a folder: give the newsroom a new or existing folder")
    try:
        return init_newsroom(directory)
    except OSError as exc:
        _fail(f"cannot create the newsroom in {directory}: {exc.strerror or exc}")


@sources_app.command("add")
def sources_add(
    url: Annotated[
        str, typer.Argument(help="Feed URL (RSS or Atom), a local feed file, reddit:r/NAME or hn:top.", metavar="URL")
    ],
    name: Annotated[str, typer.Option(help="Outlet name; defaults to the feed's title.", metavar="NAME")] = "",
    weight: Annotated[float, typer.Option(help="Source weight used in ranking (1.0 = normal).", metavar="WEIGHT")] = 1.0,
    directory: DirOption = Path("."),
) -> None:
    """Add a feed (URL or file), a subreddit (reddit:r/NAME, or reddit:r/NAME/top?t=week; listings
    hot, new, top), a Hacker News list (hn:top, hn:new, hn:best) or a web page (web:URL: an article,
    or a section page whose article links become items). Adding twice is harmless. Sources can
    also be listed under [sources] in newsdesk.toml."""
    from newsdesk.sources import SourceSpecError, classify

    try:
        kind, default = classify(url)
    except SourceSpecError as exc:
        _fail(str(exc))
    import math

    if not math.isfinite(weight) or weight <= 0:
        _fail(f"--weight must be a positive number, got {weight}")
    newsroom = _open(directory)
    source, created = newsroom.store.add_source(url, kind=kind, name=name or default, weight=weight)
    _say(("Added" if created else "Already present:") + f" source {source.id} {url}")


@sources_app.command("remove")
def sources_remove(
    ref: Annotated[str, typer.Argument(help="The source's id (as `sources list` shows it) or its URL.", metavar="ID_OR_URL")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Remove without asking.")] = False,
    directory: DirOption = Path("."),
) -> None:
    """Stop reading a source and delete its items. Stories only it reported are deleted (their
    pages go with the next publish); stories other sources also report are rewritten on the next run."""
    newsroom = _open(directory)
    source = newsroom.store.find_source(ref.strip())
    if source is None:
        _fail(f"no source {ref!r} in {directory}: `newsdesk sources list --dir {directory}` shows each source's id and URL")
    configured = {e if isinstance(e, str) else e.url for e in newsroom.settings.sources.urls}
    if source.url in configured:
        _fail(
            f"{source.url} is listed under [sources] urls in {directory / 'newsdesk.toml'}, so the next run would add it "
            "again: delete it there, then run this command again"
        )
    if source.kind == "facts":
        _fail(
            f"{source.name or source.url} holds what enrichment finds and comes back with it: set [enrich] enabled = false instead"
        )
    items = len(newsroom.store.known_guids(source.id))
    if not yes and not typer.confirm(f"Remove source {source.id} ({source.url}) and its {items} items?", default=False):
        _say("Nothing removed.")
        raise typer.Exit(1)
    removed = newsroom.store.remove_source(source.id)
    _say(
        f"Removed source {source.id} {source.url}: {removed.items} items, {removed.stories_removed} stories that only it "
        f"reported; {removed.stories_changed} stories to rewrite on the next run."
    )


@sources_app.command("import")
def sources_import(
    opml: Annotated[Path, typer.Argument(help="OPML file exported from a feed reader.", metavar="OPML_FILE")],
    directory: DirOption = Path("."),
) -> None:
    """Add every feed listed in an OPML file."""
    from newsdesk.sources.opml import OpmlError, read_opml

    try:
        feeds = read_opml(opml)
    except OpmlError as exc:
        _fail(str(exc))
    newsroom = _open(directory)
    added = sum(newsroom.store.add_source(f.url, name=f.title)[1] for f in feeds)
    _say(f"Imported {len(feeds)} feeds from {opml}: {added} new, {len(feeds) - added} already present.")


@sources_app.command("list")
def sources_list(
    fmt: Annotated[Format, typer.Option("--format", help="table or json", metavar="table|json")] = Format.table,
    directory: DirOption = Path("."),
) -> None:
    """Each source with its last fetch status and error."""
    newsroom = _open(directory)
    rows = newsroom.store.list_sources()
    if fmt is Format.json:
        from newsdesk.exports import source_json

        print(json.dumps([source_json(s) for s in rows], indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} sources")
    for col in ("id", "name", "url", "last fetched", "status", "new", "error"):
        table.add_column(col, overflow="fold")
    for s in rows:
        status = s.last_status or "never fetched"
        style = {"error": "red", "ok": "green", "unchanged": "cyan"}.get(s.last_status or "", "dim")
        table.add_row(
            str(s.id),
            _plain(s.name),
            _plain(s.url),
            s.last_fetched_at.strftime("%Y-%m-%d %H:%M") if s.last_fetched_at else "—",
            f"[{style}]{_plain(status)}[/]",
            str(s.last_new_items),
            _plain(s.last_error or ""),
        )
    _console().print(table)


def _run_stages(directory: Path, stages: tuple[str, ...]) -> None:
    from newsdesk.pipeline import NewsroomBusy, run
    from newsdesk.progress import RichProgress

    newsroom = _open(directory)
    if "ingest" in stages and not newsroom.store.list_sources() and not newsroom.settings.sources.urls:
        _fail(f"the newsroom in {directory} has no sources: add one with `newsdesk sources add URL --dir {directory}`")
    from newsdesk.config import ConfigError

    try:
        with RichProgress(console=_console(stderr=True)) as progress:
            report = run(newsroom, stages, progress)
    except ConfigError as exc:  # a setting only a stage can check (a writer plugin, say)
        _fail(str(exc))
    except NewsroomBusy as exc:  # another run holds the newsroom: this run did nothing
        _fail(str(exc), code=1)
    except Exception as exc:  # a full disk or a folder gone read-only mid-run: say so, keep the rest
        from newsdesk.pipeline import storage_problem

        problem = storage_problem(exc, directory)
        if problem is None:
            raise
        _fail(f"the run stopped: {problem}", code=1)
    print_summary(report)
    if not report.ok:
        raise typer.Exit(1)


def _stage_command(stage_name: str, summary: str) -> Callable[..., None]:
    def command(directory: DirOption = Path(".")) -> None:
        _run_stages(directory, (stage_name,))

    command.__doc__ = summary
    return command


for _spec in REGISTRY:  # one command per stage, from the registry: `newsdesk ingest`, `newsdesk cluster`, …
    app.command(_spec.command)(_stage_command(_spec.name, _spec.summary))


@app.command("run")
def run_command(directory: DirOption = Path(".")) -> None:
    """The main job: ingest → stories → enrich → write → verify → media → publish. Exit 1 if a source failed."""
    _run_stages(directory, STAGE_NAMES)


@app.command()
def watch(directory: DirOption = Path(".")) -> None:
    """Always on: read each source on its own schedule, update only the stories that changed, publish. Ctrl-C stops."""
    import signal
    import threading

    from newsdesk.watch import watch as watch_loop

    newsroom = _open(directory)
    if not newsroom.store.list_sources() and not newsroom.settings.sources.urls:
        _fail(f"the newsroom in {directory} has no sources: add one with `newsdesk sources add URL --dir {directory}`")
    watched = _read_sources(newsroom)
    stop = threading.Event()

    def asked_to_stop(signum: int, _frame: object) -> None:
        if not stop.is_set():
            _console(stderr=True).print("Stopping after the current step…")
        stop.set()

    signal.signal(signal.SIGINT, asked_to_stop)
    signal.signal(signal.SIGTERM, asked_to_stop)
    console = _console()
    console.print(f"Watching {len(watched)} sources in {directory} (Ctrl-C to stop).", markup=False)
    ticks = watch_loop(newsroom, stop, lambda t: console.print(t.line(), markup=False, highlight=False))
    newsroom.close()
    console.print(f"Stopped cleanly after {ticks} ticks.")


def _read_sources(newsroom: Newsroom) -> list[Source]:
    """The sources newsdesk reads, as `watch` and `status` count them: those in newsdesk.toml
    added first, "facts" sources (filled by enrichment, never fetched) left out."""
    from newsdesk.config import ConfigError
    from newsdesk.sources import add_configured_sources

    try:
        add_configured_sources(newsroom.store, newsroom.settings)
    except ConfigError as exc:
        _fail(str(exc))
    return newsroom.store.read_sources()


def _queue(directory: Path) -> tuple[Newsroom, object]:
    """The newsroom and its Procrastinate app, or a clear error when the newsroom has no queue."""
    newsroom = _open(directory)
    url = newsroom.settings.store.url
    if not url.startswith("postgresql") or newsroom.settings.queue.backend != "procrastinate":
        _fail(
            f"workers need a PostgreSQL store and a queue: in {directory}/newsdesk.toml set [store] url = "
            '"postgresql+psycopg://…" and [queue] backend = "procrastinate" (see the README)'
        )
    try:
        from newsdesk.workers import make_app
    except ImportError:
        _fail("workers need Procrastinate: pip install 'newsdesk[postgres]'")
    return newsroom, make_app(url)


db_app = typer.Typer(help="The database: migrations (and the job queue's schema).", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(directory: DirOption = Path(".")) -> None:
    """Bring the store's schema up to date (migrations run on open), and the job queue's when workers are configured."""
    newsroom = _open(directory)  # opening the store applies its migrations
    said = f"Store schema up to date ({newsroom.settings.store.url.split('@')[-1]})."
    if newsroom.settings.queue.backend == "procrastinate":
        from newsdesk.workers import apply_schema

        _, queue_app = _queue(directory)
        with queue_app.open():  # type: ignore[attr-defined]
            said += " Job queue schema " + ("installed." if apply_schema(queue_app, newsroom) else "already there.")  # type: ignore[arg-type]
    _console().print(said)


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Stop when no job is left (tests, batch runs).")] = False,
    directory: DirOption = Path("."),
) -> None:
    """Take jobs from the queue (fetch a source, cluster, update a story, publish); start as many as you like, anywhere."""
    import os

    newsroom, queue_app = _queue(directory)
    os.environ["NEWSDESK_DIR"] = str(directory)
    settings = newsroom.settings.queue
    newsroom.close()
    with queue_app.open():  # type: ignore[attr-defined]
        queue_app.run_worker(  # type: ignore[attr-defined]
            concurrency=1,
            wait=not once,
            install_signal_handlers=True,
            update_heartbeat_interval=settings.heartbeat_seconds,
            stalled_worker_timeout=settings.stalled_seconds,
            delete_jobs="never",
        )


@app.command()
def schedule(
    once: Annotated[bool, typer.Option("--once", help="Enqueue what is due now, then stop.")] = False,
    directory: DirOption = Path("."),
) -> None:
    """Enqueue a fetch for every source that is due (and the daily newsletter), and hand stalled jobs to other workers; repeats every [watch] tick_seconds."""
    import signal
    import threading

    from newsdesk.workers import enqueue_due, enqueue_newsletter, retry_stalled

    newsroom, queue_app = _queue(directory)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with queue_app.open():  # type: ignore[attr-defined]
        while True:
            # Stalled jobs first: a retried fetch is the one job waiting for its source.
            stalled = retry_stalled(newsroom.settings.store.url, newsroom.settings.queue.stalled_seconds)
            queued = enqueue_due(queue_app, newsroom)  # type: ignore[arg-type]
            letter = ", the newsletter" if enqueue_newsletter(queue_app, newsroom) else ""  # type: ignore[arg-type]
            _console().print(
                f"{queued} fetches{letter} enqueued, {stalled} stalled jobs handed to other workers.", highlight=False
            )
            if once or stop.wait(newsroom.settings.watch.tick_seconds):
                break


newsletter_app = typer.Typer(help="The newsletter: build an issue, send it.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(newsletter_app, name="newsletter")
subscribers_app = typer.Typer(help="The newsletter's subscribers.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(subscribers_app, name="subscribers")


@newsletter_app.command("build")
def newsletter_build(
    since: Annotated[
        str | None,
        typer.Option(
            help="Articles published or updated since this date or time (ISO 8601, UTC unless it says).", metavar="WHEN"
        ),
    ] = None,
    directory: DirOption = Path("."),
) -> None:
    """An issue of the verified articles published since the last issue (or the last day)."""
    from newsdesk.newsletter import build_issue

    start = None
    if since is not None:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            _fail(f"--since {since!r} is not a date or time: write it as 2026-11-30 or 2026-11-30T07:00")
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
    newsroom = _open(directory)
    issue_id = build_issue(newsroom.store, newsroom.settings, since=start)
    if issue_id is None:
        _console().print("Nothing new since the last issue: no issue built.")
        return
    issue = newsroom.store.newsletter_issue(issue_id)
    assert issue is not None
    from newsdesk.pipeline import NewsroomBusy, run

    try:
        run(newsroom, ("publish",))  # the issue's "view in a browser" page and the archive
    except NewsroomBusy:
        _console().print("A run is in progress: the issue's web page appears with its publish.")
    _say(f"Issue {issue_id} built: {issue['subject']} ({len(issue['stories'])} articles).")


@newsletter_app.command("send")
def newsletter_send(
    issue: Annotated[int | None, typer.Option(help="The issue (default: the newest).", metavar="N")] = None,
    dry_run: Annotated[
        Path | None, typer.Option("--dry-run", help="Write each message as an .eml file here instead.", metavar="FOLDER")
    ] = None,
    directory: DirOption = Path("."),
) -> None:
    """Send an issue to every confirmed subscriber it has not reached; safe to re-run after a crash."""
    from smtplib import SMTPException

    from newsdesk.newsletter import send_issue

    newsroom = _open(directory)
    chosen = newsroom.store.newsletter_issue(issue)
    if chosen is None:
        _fail("no newsletter issue yet: run `newsdesk newsletter build` first")
    try:
        report = send_issue(newsroom.store, newsroom.settings, chosen["id"], dry_run, folder=newsroom.path)
    except ValueError as exc:  # DKIM configured but not usable
        _fail(str(exc), 1)
    except (OSError, SMTPException) as exc:
        _fail(
            f"cannot send through the SMTP server {newsroom.settings.newsletter.smtp_host}:{newsroom.settings.newsletter.smtp_port} "
            f"({exc}); check [newsletter] smtp_host, smtp_port, smtp_security and smtp_ca_file",
            1,
        )
    log = newsroom.store.send_log(chosen["id"])
    _console().print(
        f"Issue {chosen['id']}: {report.sent} sent, {report.failed} to retry, {report.permanent} refused for good; "
        f"log: {', '.join(f'{n} {k}' for k, n in sorted(log.items())) or 'empty'}.",
        highlight=False,
    )
    if report.failed:
        raise typer.Exit(1)


@subscribers_app.command("import")
def subscribers_import(
    csv_file: Annotated[
        Path, typer.Argument(help="A CSV with an 'email' column, of people who opted in elsewhere.", metavar="CSV")
    ],
    directory: DirOption = Path("."),
) -> None:
    """Add confirmed subscribers from a CSV (they opted in elsewhere); invalid addresses are listed, not added."""
    import csv

    from email_validator import EmailNotValidError, validate_email

    if not csv_file.is_file():
        _fail(f"{csv_file} is not a file")
    newsroom = _open(directory)
    added, bad, blank = 0, [], 0
    try:
        with csv_file.open(newline="", encoding="utf-8-sig") as handle:  # -sig: a spreadsheet's BOM is not in the name
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            column = next((c for c in reader.fieldnames or [] if c.strip().lower() == "email"), None)
            if column is None:
                found = ", ".join(repr(c) for c in columns) if columns else "none (the file is empty)"
                _fail(f"{csv_file} has no 'email' column: columns found: {found}; the first row must name an 'email' column")
            for row in reader:
                raw = (row.get(column) or "").strip()
                if not raw:
                    blank += 1
                    continue
                try:
                    email = validate_email(raw, check_deliverability=False).normalized
                except EmailNotValidError:
                    bad.append(raw)
                    continue
                added += newsroom.store.add_subscriber(email, "confirmed")[1]
    except (UnicodeDecodeError, csv.Error) as exc:
        _fail(f"{csv_file} is not a UTF-8 CSV file ({exc})")
    said = f"{added} subscribers added"
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        said += f"; {len(bad)} invalid addresses skipped: {shown}"
    if blank:
        said += f"; {blank} rows without an address skipped"
    _say(said + ".")


@subscribers_app.command("list")
def subscribers_list(directory: DirOption = Path(".")) -> None:
    """Every subscriber with status (pending, confirmed, unsubscribed, failed)."""
    newsroom = _open(directory)
    for s in newsroom.store.subscribers():
        print(f"{s['email']}\t{s['status']}\t{s['created_at']:%Y-%m-%d}")


@subscribers_app.command("export")
def subscribers_export(directory: DirOption = Path(".")) -> None:
    """The confirmed subscribers as CSV on standard output."""
    import csv

    newsroom = _open(directory)
    writer = csv.writer(sys.stdout)
    writer.writerow(["email", "confirmed_at"])
    for s in newsroom.store.subscribers("confirmed"):
        writer.writerow([s["email"], s["confirmed_at"].isoformat() if s["confirmed_at"] else ""])


@app.command()
def status(directory: DirOption = Path(".")) -> None:
    """Sources due and when the next is, each source's schedule, the last runs, errors in the last hour."""
    from datetime import timedelta

    from rich.table import Table

    from newsdesk.store import utcnow

    newsroom = _open(directory)
    store = newsroom.store
    now = utcnow()
    listed = _read_sources(newsroom)
    due = store.due_source_ids(now)
    upcoming = store.next_due_at()
    recent_errors = [
        s for s in listed if s.last_status == "error" and s.last_fetched_at and s.last_fetched_at >= now - timedelta(hours=1)
    ]
    console = _console()
    console.print(
        f"{len(listed)} sources: {len(due)} due now"
        + (f"; next due {upcoming:%Y-%m-%d %H:%M} UTC" if upcoming and not due else "")
        + f"; {len(recent_errors)} failed in the last hour.",
        highlight=False,
    )
    table = Table(title="Sources")
    for col in ("source", "last read", "status", "every", "failures", "next read"):
        table.add_column(col, overflow="fold")
    for s in listed:
        every = f"{s.interval_seconds / 60:.0f} min" if s.interval_seconds else ""
        table.add_row(
            _plain(s.name or s.url),
            f"{s.last_fetched_at:%m-%d %H:%M}" if s.last_fetched_at else "never",
            _plain(s.last_status or ""),
            every,
            str(s.failures),
            f"{s.next_fetch_at:%m-%d %H:%M}" if s.next_fetch_at else "now",
        )
    console.print(table)
    runs = store.recent_runs(10)
    if runs:
        table = Table(title="Last runs")
        for col in ("started", "what", "took", "result"):
            table.add_column(col, overflow="fold")
        for r in runs:
            took = f"{(r['finished_at'] - r['started_at']).total_seconds():.1f} s" if r["finished_at"] else "unfinished"
            style = "green" if r["outcome"] == "ok" else "red" if r["outcome"].startswith("failed") else "yellow"
            table.add_row(f"{r['started_at']:%m-%d %H:%M:%S}", r["command"], took, f"[{style}]{r['outcome']}[/]")
        console.print(table)
    for s in recent_errors:
        console.print(f"[red]error[/] {_plain(s.name or s.url)}: {_plain(s.last_error)}", highlight=False)
    if newsroom.settings.queue.backend == "procrastinate":
        from newsdesk.workers import job_counts

        counts = job_counts(newsroom)
        console.print(
            "Jobs: "
            + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none")
            + (f" — {counts['failed']} parked after repeated failures" if counts.get("failed") else ""),
            highlight=False,
        )


@app.command()
def serve(
    port: Annotated[
        int | None, typer.Option(help="Port ([service] port; 0 picks a free one).", min=0, max=65535, metavar="PORT")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on ([service] host: loopback).", metavar="HOST")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes answering requests ([service] workers: 1).", min=1, max=64, metavar="N")
    ] = None,
    directory: DirOption = Path("."),
) -> None:
    """The newsroom as a service: the site with readers' feedback, and the editor's desk at /desk."""
    import socket

    newsroom = _open(directory)
    from newsdesk.pipeline import NewsroomBusy, run
    from newsdesk.service.app import create_app

    settings = newsroom.settings.service
    host = host or settings.host
    port = settings.port if port is None else port
    app_ = create_app(newsroom)  # turns the feedback forms on for the site it serves
    try:
        run(newsroom, ("publish",))  # the site as this app serves it: with its forms
    except NewsroomBusy:
        _console(stderr=True).print("A newsroom run is in progress; serving the site as last published.")
    try:  # say so before uvicorn does, in one line
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port} ({exc.strerror}); pass --port or --host")
    import uvicorn

    if settings.forwarded_allow_ips is not None:
        _console(stderr=True).print(
            f"[service] forwarded_allow_ips is deprecated: it is read as trusted_proxies = {settings.trusted_proxies!r}"
            " (X-Forwarded-For / -Proto believed from those addresses). Write trusted_proxies instead,"
            " or delete the line if no reverse proxy runs there.",
            markup=False,
            highlight=False,
        )
    shown = f"http://{host}:{port or '(a free port)'}{settings.base_path.rstrip('/')}/"
    processes = workers or settings.workers
    _console().print(
        f"Serving {newsroom.site_dir} at {shown} — editors: {shown}desk (Ctrl-C to stop)"
        + (f" — {processes} worker processes" if processes > 1 else ""),
        markup=False,
    )
    target: Any = app_
    if processes > 1:  # uvicorn starts each by import path; each builds its own app of this newsroom
        import os

        from newsdesk.service.app import SERVE_DIRECTORY

        # The processes read the newsroom's settings again; --workers reaches them as [service] workers.
        os.environ[SERVE_DIRECTORY], os.environ["NEWSDESK_SERVICE__WORKERS"] = str(newsroom.path), str(processes)
        target = "newsdesk.service.app:app_from_environment"
    uvicorn.run(
        target,
        factory=processes > 1,
        workers=processes if processes > 1 else None,
        host=host,
        port=port,
        # uvicorn never rewrites the client or scheme itself (its default believes 127.0.0.1):
        # the app does, from [service] trusted_proxies only.
        proxy_headers=False,
        root_path=settings.base_path.rstrip("/"),
        log_level="warning",
    )


users_app = typer.Typer(
    help="Editors' accounts for the desk (newsdesk serve → /desk).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The editor's login name.", metavar="NAME")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    directory: DirOption = Path("."),
) -> None:
    """Create an editor account (the password is stored as an argon2id hash)."""
    from newsdesk.service.auth import hash_password

    if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", name):
        _fail(f"{name!r} is not a usable name: use 1 to 64 letters, digits, '_', '.', '@' or '-'")
    password = _read_password(password_stdin)
    newsroom = _open(directory)
    if not newsroom.store.add_user(name, hash_password(password)):
        _fail(f"an editor called {name!r} already exists")
    newsroom.store.log_action(name, "account created", None, {})
    _say(f"Editor {name!r} created; log in at /desk of `newsdesk serve --dir {directory}`.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        _fail("the password must be at least 10 characters long")
    return password


@users_app.command("list")
def users_list(directory: DirOption = Path(".")) -> None:
    """Every editor account: name, when created, and whether failed logins have locked it."""
    from newsdesk.store import utcnow

    newsroom = _open(directory)
    rows = newsroom.store.users()
    if not rows:
        _say(f"No editors yet: add one with `newsdesk users add NAME --dir {directory}`.")
        return
    now = utcnow()
    for u in rows:
        locked = u["locked_until"] is not None and u["locked_until"] > now
        state = f"locked until {u['locked_until']:%Y-%m-%d %H:%M} UTC" if locked else "active"
        print(f"{u['name']}\tcreated {u['created_at']:%Y-%m-%d}\t{state}")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="The editor's login name.", metavar="NAME")],
    directory: DirOption = Path("."),
) -> None:
    """Delete an editor account; the audit log keeps what it did."""
    newsroom = _open(directory)
    if not newsroom.store.remove_user(name):
        _fail(f"no editor called {name!r}: `newsdesk users list --dir {directory}` shows the accounts")
    newsroom.store.log_action(name, "account removed", None, {})
    _say(f"Editor {name!r} removed.")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="The editor's login name.", metavar="NAME")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    directory: DirOption = Path("."),
) -> None:
    """Set an editor's password (argon2id hash); this also lifts a lock-out after failed logins."""
    from newsdesk.service.auth import hash_password

    newsroom = _open(directory)
    if newsroom.store.user(name) is None:
        _fail(f"no editor called {name!r}: `newsdesk users list --dir {directory}` shows the accounts")
    password = _read_password(password_stdin)
    newsroom.store.set_password(name, hash_password(password))
    newsroom.store.log_action(name, "password changed", None, {})
    _say(f"Password of {name!r} changed.")


@app.command()
def audit(
    fmt: Annotated[
        Format, typer.Option("--format", help="table for people, json for programs", metavar="table|json")
    ] = Format.table,
    directory: DirOption = Path("."),
) -> None:
    """Every editor action, oldest first: who, when, what, on which story."""
    newsroom = _open(directory)
    rows = newsroom.store.audit_log()
    if fmt is Format.json:
        print(json.dumps([{**r, "at": r["at"].isoformat()} for r in rows], indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} editor actions")
    for col in ("when", "editor", "action", "story", "detail"):
        table.add_column(col, overflow="fold")
    for r in rows:
        detail = "; ".join(f"{k}: {v}" for k, v in (r["detail"] or {}).items())
        table.add_row(
            r["at"].strftime("%Y-%m-%d %H:%M:%S"), *map(_plain, (r["editor"], r["action"], r["story_id"] or "", detail))
        )
    _console().print(table)


@app.command()
def persona(
    name: Annotated[str, typer.Argument(help="editorial or columnist", metavar="NAME")] = "editorial",
) -> None:
    """Print a bundled LLM persona template, to copy and edit: `newsdesk persona columnist > mine.txt`,
    then set [llm] persona = "mine.txt"."""
    from importlib import resources

    from newsdesk.write.llm import PERSONAS

    if name not in PERSONAS:
        _fail(f"unknown persona {name!r}; bundled personas: {', '.join(PERSONAS)}")
    sys.stdout.write(resources.files("newsdesk.write").joinpath(f"personas/{name}.txt").read_text("utf-8"))


@app.command()
def review(
    fmt: Annotated[
        Format, typer.Option("--format", help="table for people, json for programs", metavar="table|json")
    ] = Format.table,
    directory: DirOption = Path("."),
) -> None:
    """The review queue: claims of the latest article versions that verification could not
    confirm (REVIEW) or found unsupported (FAIL), with reasons and evidence."""
    newsroom = _open(directory)
    from newsdesk.exports import review_export

    rows = review_export(newsroom.store)
    if fmt is Format.json:
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} claims to review")
    for col in ("story", "verdict", "claim", "reasons", "best evidence"):
        table.add_column(col, overflow="fold")
    for r in rows:
        evidence = r["evidence"][0]["text"] if r["evidence"] else ""
        table.add_row(*map(_plain, (r["story_id"], r["verdict"], r["text"], "; ".join(r["reasons"]), evidence)))
    _console().print(table)


@app.command()
def articles(
    fmt: Annotated[
        Format, typer.Option("--format", help="table for people, json for programs", metavar="table|json")
    ] = Format.table,
    directory: DirOption = Path("."),
) -> None:
    """The latest version of every article, with sentences, citations and provenance spans."""
    newsroom = _open(directory)
    rows = sorted(newsroom.store.latest_articles(), key=lambda a: a.story_id)
    if fmt is Format.json:
        from newsdesk.exports import articles_export

        out = articles_export(newsroom.store, rows)
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return
    from rich import box
    from rich.table import Table

    # Narrow terminals first: short numeric columns never wrap, the headline takes what is left,
    # and the LLM's usage columns only appear when some article has them.
    with_usage = any(a.usage for a in rows)
    table = Table(title=f"{len(rows)} articles", box=box.SIMPLE_HEAD, pad_edge=False)
    short = ["story", "v", "tier", "writer", "words", "refs"] + (["calls", "tokens", "s"] if with_usage else [])
    for col in short:
        table.add_column(col, no_wrap=True, justify="right" if col not in ("tier", "writer") else "left")
    table.add_column("headline", ratio=1, overflow="fold")
    for a in rows:
        u = a.usage or {}
        usage = (
            [
                str(u.get("calls", "—")),
                f"{u['prompt_tokens'] + u['completion_tokens']:,}" if u else "—",
                f"{u['seconds']:.1f}" if u else "—",
            ]
            if with_usage
            else []
        )
        table.add_row(
            str(a.story_id),
            str(a.version),
            a.tier,
            a.writer,
            str(a.word_count),
            str(len(a.references)),
            *usage,
            _plain(a.headline),
        )
    _console().print(table)


@app.command()
def stories(
    fmt: Annotated[
        Format, typer.Option("--format", help="table for people, json for programs", metavar="table|json")
    ] = Format.table,
    tier: Annotated[str | None, typer.Option(help="Only stories of this tier: major, standard or brief.", metavar="TIER")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many stories (table only; 0 = all).", metavar="N")] = 0,
    directory: DirOption = Path("."),
) -> None:
    """Every story with its score breakdown, tier and items."""
    from newsdesk.records import TIERS

    if tier is not None and tier not in TIERS:
        _fail(f"--tier must be one of {', '.join(TIERS)}, got {tier!r}")
    newsroom = _open(directory)
    rows = [s for s in newsroom.store.stories() if tier is None or s.tier == tier]
    if fmt is Format.json:
        from newsdesk.exports import story_json

        json.dump([story_json(s) for s in rows], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return
    print_story_table(rows[:limit] if limit else rows)


@app.command()
def facts(
    fmt: Annotated[
        Format, typer.Option("--format", help="table for people, json for programs", metavar="table|json")
    ] = Format.table,
    story: Annotated[int | None, typer.Option(help="Only this story's facts.", metavar="STORY_ID")] = None,
    directory: DirOption = Path("."),
) -> None:
    """Typed facts read from the stories' outlet reports (subject, measure, value, time), with
    the item, sentence and span each was read from."""
    newsroom = _open(directory)
    rows = [s for s in newsroom.store.stories() if story is None or s.id == story]
    if story is not None and not rows:
        _fail(f"no story {story}; `newsdesk stories --dir {directory}` lists them")
    from newsdesk.exports import facts_export

    out = facts_export(newsroom.store, rows)
    if fmt is Format.json:
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return
    from rich.table import Table

    table = Table(title=f"{sum(len(s['facts']) for s in out)} facts")
    for col in ("story", "outlet", "subject", "measure", "figure", "time", "cited"):
        table.add_column(col, overflow="fold")
    for s in out:
        for f in s["facts"]:
            cells = (s["story_id"], f["outlet"], f["subject"] or "—", f["measure"] or "—", f["text"], f["time_text"] or "")
            table.add_row(*map(_plain, cells), "yes" if f["cited"] else "")
    _console().print(table)


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", "-d", help="Newsroom folder for the demo.", metavar="FOLDER")] = Path(
        "demo-newsroom"
    ),
    port: Annotated[
        int, typer.Option(help="Loopback port for the demo's outlets (0 picks a free one).", min=0, max=65535, metavar="PORT")
    ] = 8765,
    show: Annotated[int, typer.Option(help="Stories to show at the end.", metavar="N")] = 15,
) -> None:
    """Run the whole pipeline on the bundled demo outlets, served from a loopback HTTP server."""
    from newsdesk.config import ConfigError
    from newsdesk.demo.server import DemoServer
    from newsdesk.pipeline import STAGES, NewsroomBusy, run
    from newsdesk.progress import RichProgress

    _init(directory)
    newsroom = _open(directory)
    console = _console()
    try:
        server = DemoServer(port).__enter__()
    except OSError as exc:
        _fail(str(exc))
    try:
        server.attach(newsroom)
        console.print(
            f"Demo outlets served at {server.site.base}/ ({len(server.feed_urls())} feeds, one deliberately broken; "
            "a subreddit, Hacker News, and Hugging Face Hub and GitHub APIs)."
        )
        with RichProgress(console=_console(stderr=True)) as progress:
            report = run(newsroom, STAGES, progress)
    except ConfigError as exc:
        _fail(str(exc))
    except NewsroomBusy as exc:
        _fail(str(exc), code=1)
    finally:
        server.__exit__(None, None, None)
    print_summary(report)
    print_story_table(newsroom.store.stories(with_items=True)[:show])
    assert report.publish is not None
    index = report.publish.index
    console.print(
        f"\n[bold]The site is ready:[/] {index}\n"
        f"  open it as a file:  {index.as_uri()}\n"
        f"  or serve it:        newsdesk serve --dir {directory}   (then http://127.0.0.1:8000/)\n"
        f"Newsroom: {directory.resolve()}  ·  newsdesk stories --format json --dir {directory}  ·  "
        f"newsdesk articles --format json --dir {directory}"
    )


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

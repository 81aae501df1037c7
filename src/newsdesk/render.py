"""What people see in the terminal: tables and the run summary (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from newsdesk.pipeline import RunReport
    from newsdesk.records import Story


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr)


def print_story_table(rows: list[Story]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} stories")
    for col, kw in (
        ("id", {}),
        ("tier", {}),
        ("score", {"justify": "right"}),
        ("outlets", {"justify": "right"}),
        ("items", {"justify": "right"}),
        ("title", {"overflow": "fold"}),
        ("latest", {}),
    ):
        table.add_column(col, **kw)  # type: ignore[arg-type]  # justify/overflow literals, written as plain strings
    for s in rows:
        style = {"major": "bold magenta", "standard": "cyan", "brief": "dim"}[s.tier]
        outlets = s.breakdown.independent_outlets if s.breakdown else len({i.publisher for i in s.items})
        table.add_row(
            str(s.id),
            f"[{style}]{s.tier}[/]",
            f"{s.score:.2f}",
            str(outlets),
            str(len(s.items)),
            escape(s.title),  # a title's "[Updated]" is text, not markup
            s.last_seen.strftime("%Y-%m-%d %H:%M"),
        )
    console().print(table)


def print_summary(report: RunReport) -> None:
    """Each stage's table and lines, in pipeline order, then the times."""
    from rich.table import Table

    out = console()
    for stage_report in report.reports.values():
        shown = stage_report.table()
        if shown is not None:
            title, columns, rows = shown
            table = Table(title=title)
            for col in columns:
                table.add_column(col, overflow="fold")
            for row in rows:
                table.add_row(*row)
            out.print(table)
        for line in stage_report.lines():
            out.print(line)
    out.print("Time: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()))

"""Progress reporting that stages can use without knowing about the terminal."""

from __future__ import annotations

from typing import Any, Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...
    def add_total(self, n: int) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: int | None = None) -> Task: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass

    def add_total(self, n: int) -> None:
        pass


class NullProgress:
    def task(self, description: str, total: int | None = None) -> Task:
        return _NullTask()


class _RichTask:
    def __init__(self, progress: Any, task_id: Any) -> None:
        self._progress, self._id = progress, task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._id, n)

    def add_total(self, n: int) -> None:
        task = self._progress.tasks[[t.id for t in self._progress.tasks].index(self._id)]
        self._progress.update(self._id, total=(task.total or 0) + n)


class RichProgress:
    """Bars on stderr; they vanish when not a terminal (CI logs stay readable)."""

    def __init__(self, console: Any = None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def task(self, description: str, total: int | None = None) -> Task:
        return _RichTask(self._progress, self._progress.add_task(description, total=total))

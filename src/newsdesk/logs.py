"""Operators' logs for the long-running processes (``newsdesk serve``, ``newsdesk worker``): one
line per notable event (an SMTP failure, a job run with its duration and outcome, feedback
stored) on standard error, under the ``newsdesk`` logger.

Plain text by default; one JSON object a line with ``NEWSDESK_LOG_FORMAT=json`` (for a log
shipper). Each event's fields (``extra=`` on the logging call) are keys of the JSON object and
``key=value`` pairs after the text message.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

FORMAT_ENV = "NEWSDESK_LOG_FORMAT"
LEVEL_ENV = "NEWSDESK_LOG_LEVEL"
# The attributes every LogRecord has: anything else on a record is an event's own field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextLines(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in fields_of(record).items())
        return f"{line} [{extra}]" if extra else line


_HANDLER: logging.Handler | None = None


def configure(stream: Any = None) -> logging.Logger:
    """Send the ``newsdesk`` logger's records to standard error (or ``stream``), in the format
    ``NEWSDESK_LOG_FORMAT`` names ("text" or "json"). Called again, it replaces its own handler."""
    global _HANDLER
    root = logging.getLogger("newsdesk")
    if _HANDLER is not None:
        root.removeHandler(_HANDLER)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines() if os.environ.get(FORMAT_ENV, "").lower() == "json" else TextLines())
    root.addHandler(handler)
    level = os.environ.get(LEVEL_ENV, "INFO").upper()
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    _HANDLER = handler
    return root

"""A loopback server that speaks the OpenAI chat-completions protocol and answers from a script.

Each scripted step is a function of the parsed request returning a dict: ``{"content": str}``
(a normal answer), ``{"status": 429, "headers": {...}}``, ``{"sleep": seconds, ...}``,
``{"content": ""}`` (an empty answer) or ``{"refusal": "..."}``. Requests are validated the way
the real API does it (JSON body, model, messages with roles and string content, a known
response_format) and a malformed request gets a 400 like the real API's.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLES = {"system", "user", "assistant"}


def validate(body: dict) -> str | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model is required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty array"
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            return "each message needs a role (system, user, assistant) and string content"
    fmt = body.get("response_format")
    if fmt is not None:
        if fmt.get("type") == "json_schema":
            schema = (fmt.get("json_schema") or {}).get("schema")
            if not isinstance(schema, dict) or "properties" not in schema or not fmt["json_schema"].get("name"):
                return "response_format.json_schema needs a name and a schema"
        elif fmt.get("type") not in ("json_object", "text"):
            return f"unknown response_format type {fmt.get('type')!r}"
    return None


def sources_in(prompt: str) -> dict[str, int]:
    """Outlet name → source number, read from the prompt's "[n] Outlet (kind, date): title" lines."""
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^\[(\d+)\] (.+?) \(", prompt, re.M)}


class ScriptedOpenAI:
    def __init__(self, key: str | None = None):
        self.key = key
        self.script: list = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.default = None  # used when the script runs out

    def __enter__(self) -> ScriptedOpenAI:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
                if server.key and self.headers.get("Authorization") != f"Bearer {server.key}":
                    return self._json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                problem = validate(body)
                if problem:
                    return self._json(400, {"error": {"message": problem, "type": "invalid_request_error"}})
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                step = server.script.pop(0) if server.script else server.default
                reply = step(body) if callable(step) else dict(step)
                if reply.get("sleep"):
                    time.sleep(reply["sleep"])
                if reply.get("status", 200) != 200:
                    return self._json(
                        reply["status"],
                        {"error": {"message": reply.get("message", "scripted error"), "type": "server_error"}},
                        reply.get("headers"),
                    )
                message = {"role": "assistant", "content": reply.get("content"), "refusal": reply.get("refusal")}
                prompt_tokens = sum(len(m["content"].split()) for m in body["messages"])
                completion_tokens = len((reply.get("content") or "").split())
                return self._json(
                    200,
                    {
                        "id": f"chatcmpl-{len(server.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body["model"],
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": {
                            "prompt_tokens": prompt_tokens,
                            "completion_tokens": completion_tokens,
                            "total_tokens": prompt_tokens + completion_tokens,
                        },
                    },
                )

            def _json(self, status: int, data: dict, headers: dict | None = None) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

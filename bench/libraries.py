"""Hand-written helpers against the libraries that could replace them, on our own cases.

    python bench/libraries.py

- URL canonicalisation: ``newsdesk.infra.urls.canonicalize`` against courlan (installed with
  trafilatura) on the cases of ``tests/test_urls.py``.
- Slugs: ``newsdesk.site.slug`` against python-slugify.
- Figures: ``newsdesk.text.numbers.figures`` against text2num (number words) and quantulum3
  (quantities), on the figure cases of ``tests/test_verify.py``.

The verdicts and why are in docs/benchmarks.md. Libraries not installed are reported as such
(``pip install python-slugify text2num quantulum3`` to run all).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def url_cases() -> list[tuple[str, str]]:
    """The (url, expected) cases of tests/test_urls.py, read from its parametrize list."""
    import ast

    tree = ast.parse((Path(__file__).resolve().parent.parent / "tests" / "test_urls.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize" and len(node.args) == 2:
            return [tuple(ast.literal_eval(e)) for e in node.args[1].elts]  # type: ignore[misc]
    raise SystemExit("no cases found in tests/test_urls.py")


URL_CASES = url_cases()
SLUG_CASES = [
    ("Marta Quell", "marta-quell"),
    ("Café Müller & Co.", "cafe-muller-co"),
    ("  ", "tag"),
    ("AI/ML — 2026", "ai-ml-2026"),
]
FIGURE_CASES = [
    ("1,200", 1200),
    ("1.2k", 1200),
    ("twelve hundred", 1200),
    ("fifty-four", 54),
    ("$45m", 45e6),
    ("45 million dollars", 45e6),
    ("five percent", 5),
    ("2.4 billion", 2.4e9),
    ("a dozen", 12),
]


def main() -> None:
    from newsdesk.infra.urls import canonicalize
    from newsdesk.site import slug
    from newsdesk.text.numbers import figures

    ours = sum(canonicalize(u) == e for u, e in URL_CASES)
    print(f"URL canonicalisation, {len(URL_CASES)} cases: newsdesk {ours}/{len(URL_CASES)}", end="")
    try:
        import courlan

        def theirs(u: str) -> str:
            return (courlan.normalize_url(courlan.clean_url(u) or u, strict=True) or "").rstrip("/").replace("://www.", "://")

        got = sum(theirs(u) == e for u, e in URL_CASES)
        print(f", courlan {got}/{len(URL_CASES)}")
        for u, e in URL_CASES:
            if theirs(u) != e:
                print(f"  courlan: {u} -> {theirs(u)} (want {e})")
    except ImportError:
        print(", courlan not installed")
    ours = sum(slug(t) == e for t, e in SLUG_CASES)
    print(f"Slugs, {len(SLUG_CASES)} cases: newsdesk {ours}/{len(SLUG_CASES)}", end="")
    try:
        from slugify import slugify

        got = sum((slugify(t) or "tag") == e for t, e in SLUG_CASES)
        print(f", python-slugify {got}/{len(SLUG_CASES)}")
    except ImportError:
        print(", python-slugify not installed")

    def our_value(t: str) -> float | None:
        found = figures(t)
        return found[0].value if found else None

    ours = sum(our_value(t) == v for t, v in FIGURE_CASES)
    print(f"Figures, {len(FIGURE_CASES)} cases: newsdesk {ours}/{len(FIGURE_CASES)}", end="")
    try:
        from text_to_num import text2num

        def t2n(t: str) -> float | None:
            try:
                return float(text2num(t.replace("-", " "), "en"))
            except ValueError:
                return None

        print(f", text2num {sum(t2n(t) == v for t, v in FIGURE_CASES)}/{len(FIGURE_CASES)}", end="")
    except ImportError:
        print(", text2num not installed", end="")
    try:
        from quantulum3 import parser

        def q3(t: str) -> float | None:
            found = parser.parse(t)
            return float(found[0].value) if found else None

        print(f", quantulum3 {sum(q3(t) == v for t, v in FIGURE_CASES)}/{len(FIGURE_CASES)}")
        for t, v in FIGURE_CASES:
            if q3(t) != v:
                print(f"  quantulum3: {t!r} -> {q3(t)} (want {v})")
    except Exception as exc:  # not installed, or its bundled classifier fails to load
        print(f", quantulum3 unusable here ({type(exc).__name__}: {str(exc)[:80]})")


if __name__ == "__main__":
    main()

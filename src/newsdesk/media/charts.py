"""Bar charts as SVG: deterministic (fixed hash salt, no date, text kept as text), titled,
labelled, captioned, with a source line and a <title>/<desc> for screen readers."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

from newsdesk.media.figures import Point, Series


@dataclass
class Chart:
    title: str
    caption: str
    source_line: str
    svg: str
    points: list[Point]
    unit: str
    # The same figure as a PNG, for mail clients (which do not show SVG).
    png: bytes = b""


def _format(value: float, kind: str) -> str:
    if kind == "money":
        for scale, word in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if value >= scale:
                return f"${value / scale:g}{word}"
        return f"${value:,.0f}"
    if kind == "percent":
        return f"{value:g}%"
    return f"{value:,.0f}"


# Measures whose subjects are organisations (a company's job cuts, a start-up's funding), and
# those of people; any other series (viewers of shows, a storm's rainfall) says no "by" it does
# not know: rows may be people, places or titles.
_BY_ORGANISATION = frozenset(
    {"market value", "valuation", "jobs cut", "layoffs", "headcount", "parameters", "funding", "investment"}
    | {"revenue", "profit", "loss", "shares", "settlement"}
)
_BY_PERSON = frozenset({"net worth"})


def chart_title(series: Series) -> str:
    """ "Jobs cut by organisation", "Passengers by period", "Viewers compared": what is counted
    (as the claims write it when they agree), and by what only where the measure says so."""
    # "users" stands for viewers, subscribers, customers…: the claims' own word says which.
    what = (series.noun if series.measure == "users" and series.noun else series.measure).capitalize()
    if series.over_time:
        return f"{what} by period"
    if series.measure in _BY_ORGANISATION:
        return f"{what} by organisation"
    if series.measure in _BY_PERSON:
        return f"{what} by person"
    return f"{what} compared"


def bar_chart(series: Series, points: list[Point], headline: str) -> Chart:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    title = chart_title(series)
    refs = sorted({r for p in points for r in p.refs})
    source_line = "Source: " + ", ".join(f"[{r}]" for r in refs) + " — see References"
    whole = f' Parts of the stated total of {series.total.text}; "Others" is the remainder.' if series.total else ""
    caption = (
        f"{title} as stated in the verified claims of “{headline}”: "
        + "; ".join(f"{p.label} {_format(p.value, series.kind)}" for p in points)
        + "."
        + whole
    )
    with matplotlib.rc_context(
        {"svg.hashsalt": "newsdesk", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 10}
    ):
        fig, ax = plt.subplots(figsize=(6.4, 3.2 + 0.1 * len(points)))
        labels = [p.label for p in points]
        values = [p.value for p in points]
        if series.over_time:  # values over time: a line, in time order
            ax.plot(labels, values, color="#b3261e", marker="o", linewidth=2)
            for x, value in zip(labels, values):
                ax.annotate(
                    _format(value, series.kind), (x, value), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=9
                )
            ax.set_ylabel(series.unit.capitalize())
            ax.set_ylim(bottom=0)
        else:
            bars = ax.barh(labels[::-1], values[::-1], color="#b3261e")
            for bar, value in zip(bars, values[::-1]):
                ax.text(
                    bar.get_width(),
                    bar.get_y() + bar.get_height() / 2,
                    " " + _format(value, series.kind),
                    va="center",
                    fontsize=9,
                )
            ax.set_xlabel(series.unit.capitalize())
        ax.set_title(title, loc="left", fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.2)
        fig.text(0.01, 0.01, source_line, fontsize=8, color="#555555")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "newsdesk"})
        raster = io.BytesIO()
        fig.savefig(raster, format="png", dpi=100, metadata={"Software": None})
        plt.close(fig)
    svg = buffer.getvalue()
    png = _small_png(raster.getvalue())
    accessible = f"<title>{html.escape(title)}</title><desc>{html.escape(caption)} {html.escape(source_line)}</desc>"
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1).replace("<svg", '<svg role="img"', 1) + accessible, svg, count=1)
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in pages
    return Chart(title=title, caption=caption, source_line=source_line, svg=svg, points=points, unit=series.unit, png=png)


def _small_png(raw: bytes) -> bytes:
    """A 32-colour palette PNG (a third of the size): every email carries it, to every subscriber."""
    from PIL import Image  # matplotlib's own dependency

    image = Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

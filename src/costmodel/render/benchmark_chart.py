"""The benchmark as a chart (matplotlib, Agg): one panel per measure, the council's history against England,
its region and the median of its peers, with its Ofsted inspections marked. PNG or SVG by the file's suffix.
"""
from __future__ import annotations

import io
import math
import textwrap


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def _render(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    _plt().close(fig)
    return buf.getvalue()


LINES = (  # geography, label pattern, style
    ("council", "{council}", dict(color="#c05621", linewidth=2.4, marker="o", markersize=3.5)),
    ("england", "England", dict(color="#2d3748", linewidth=1.4, linestyle="--")),
    ("region", "{region}", dict(color="#2b6cb0", linewidth=1.4, linestyle=":")),
    ("peer_median", "Median of peers", dict(color="#38a169", linewidth=1.4)),
)
GRADE_LETTER = {1: "O", 2: "G", 3: "RI", 4: "I"}


def _series(rows: list[dict], measure: str, geography: str) -> tuple[list[int], list[float]]:
    pts = sorted((r["year"], r["value"]) for r in rows if r["measure"] == measure and r["geography"] == geography)
    return [p[0] for p in pts], [p[1] for p in pts]


def _inspection_year(date: str) -> float:
    """An inspection's date on the reporting-year axis (year + fraction of the year)."""
    y, m, d = (int(x) for x in date.split("-"))
    return y + (m - 1 + (d - 1) / 31) / 12


def benchmark_chart(data: dict, fmt: str = "png") -> bytes:
    """Small multiples of the benchmark's history (the data of :meth:`Benchmark.to_dict`)."""
    plt = _plt()
    measures = data["measures"]
    cols = 4
    rows_n = math.ceil(len(measures) / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(16, 3.6 * rows_n + 1.2), squeeze=False)
    names = {"council": data["council"]["name"], "region": data["council"]["region"]}
    for ax, m in zip(axes.flat, measures):
        for geo, label, style in LINES:
            x, y = _series(data["rows"], m["measure"], geo)
            if x:
                ax.plot(x, y, label=label.format(**names), **style)
        for i in data["ofsted"]["inspections"]:
            at = _inspection_year(i["date"])
            ax.axvline(at, color="#a0aec0", linewidth=0.8)
            ax.annotate(GRADE_LETTER[i["grade"]], (at, 1.0), xycoords=("data", "axes fraction"), ha="center",
                        va="bottom", fontsize=7, color="#4a5568")
        ax.set_title(textwrap.fill(m["label"], 48), fontsize=9, pad=12)
        ax.set_ylabel(m["unit"], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
    for ax in list(axes.flat)[len(measures):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", fontsize=8, ncol=4)
    c = data["council"]
    fig.suptitle(f"{c['name']} ({c['code']}) against England, {c['region']} and {len(data['peers']['list'])} peers "
                 f"({data['peers']['method']})", x=0.01, ha="left", fontsize=11)
    fig.text(0.01, 0.005, "Year: DfE reporting year (workforce at 30 September, children at 31 March, spend the "
             "financial year ending 31 March, cash prices). Ofsted ILACS inspections marked O/G/RI/I. "
             + data["attribution"], fontsize=7, color="#4a5568")
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return _render(fig, fmt)

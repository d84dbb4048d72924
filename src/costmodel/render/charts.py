"""Charts of sensitivity results with matplotlib (Agg backend): PNG or SVG by the file's suffix.

Amounts are shown in £m, real terms at the price base. ``tornado_chart`` draws the familiar form:
one horizontal bar per lever from its NPC at low to its NPC at high, widest at the top, around the
central NPC. ``distribution_chart`` draws a histogram of each option's NPC against business as usual
with its cumulative share on a second axis.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..finite import check_finite

FORMATS = {".png": "png", ".svg": "svg"}


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    matplotlib.rcParams["svg.hashsalt"] = "costmodel"  # the same chart, the same SVG (no random ids)
    import matplotlib.pyplot as plt
    return plt


def chart_format(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: a chart must end .png or .svg")
    return fmt


def _render(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=120, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    _plt().close(fig)
    return buf.getvalue()


def tornado_chart(t, fmt: str = "png", top: int = 15) -> bytes:
    """Tornado of NPC of ``t.option`` against ``t.against``: the ``top`` widest swings, £m."""
    check_finite([t.central_npc, [(b.low, b.high, b.npc_at_low, b.npc_at_high) for b in t.bars]], "the tornado")
    plt = _plt()
    bars = list(t.bars[:top])[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(bars) + 1.6))
    base = t.central_npc / 1e6
    for y, b in enumerate(bars):
        lo, hi = b.npc_at_low / 1e6, b.npc_at_high / 1e6
        ax.barh(y, lo - base, left=base, color="#2b6cb0", height=0.7, label="lever at low" if y == 0 else None)
        ax.barh(y, hi - base, left=base, color="#dd6b20", height=0.7, label="lever at high" if y == 0 else None)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(range(len(bars)))
    ax.set_yticklabels([f"{b.label} ({b.low:g}–{b.high:g} {b.unit})" for b in bars], fontsize=8)
    ax.set_xlabel(f"Net present cost of {t.option} against {t.against}, £m (negative: {t.option} cheaper)")
    ax.set_title(f"What moves the NPC of {t.option} against {t.against} most (central {base:,.1f} £m)")
    ax.legend(loc="lower right", fontsize=8)
    return _render(fig, fmt)


def distribution_chart(npc: np.ndarray, options: tuple[str, ...], fmt: str = "png", bins: int = 80) -> bytes:
    """Histogram and cumulative share of each option's NPC against business as usual (£m)."""
    check_finite(npc, "the Monte Carlo NPC")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 5))
    ax2 = ax.twinx()
    colours = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096"]
    shown = [(i, o) for i, o in enumerate(options) if np.ptp(npc[:, i]) > 0 or npc[0, i] != 0]
    for n, (i, o) in enumerate(shown):
        x = np.sort(npc[:, i]) / 1e6
        c = colours[n % len(colours)]
        ax.hist(x, bins=bins, alpha=0.35, color=c, label=o)
        ax2.plot(x, np.arange(1, x.size + 1) / x.size, color=c, linewidth=1.5)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_xlabel("Net present cost against business as usual, £m (left of 0: cheaper)")
    ax.set_ylabel("Draws")
    ax2.set_ylabel("Cumulative share of draws")
    ax2.set_ylim(0, 1)
    ax.set_title(f"Monte Carlo: {npc.shape[0]:,} draws")
    ax.legend(loc="upper left", fontsize=8)
    return _render(fig, fmt)

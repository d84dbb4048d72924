"""Charts of the value of information, Sobol indices and scenario discovery (matplotlib, PNG or SVG).

``evppi_chart``: the EVPI and each group's and lever's EVPPI as ranked bars in £m with ±2 standard
errors; ``sobol_chart``: first-order and total indices side by side with their confidence intervals;
``discovery_chart``: the box's range of each restricted lever inside its low-high range.
"""
from __future__ import annotations

import numpy as np

from .charts import _plt, _render

BLUE, ORANGE, GREY = "#2b6cb0", "#dd6b20", "#a0aec0"


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def evppi_chart(v, fmt: str = "png", top: int = 12) -> bytes:
    """Ranked EVPPI of the groups and the ``top`` levers (£m, ±2 SE), with the EVPI as the ceiling."""
    plt = _plt()
    items = [(f"Group: {g.label}", g.evppi, BLUE) for g in v.groups] + [(p.label, p.evppi, ORANGE) for p in v.levers[:top]]
    items.sort(key=lambda t: t[1].value)
    fig, ax = plt.subplots(figsize=(9, 0.36 * len(items) + 1.8))
    y = np.arange(len(items))
    ax.barh(y, [e.value / 1e6 for _, e, _ in items], color=[c for _, _, c in items], height=0.7,
            xerr=[2 * (e.standard_error or 0.0) / 1e6 for _, e, _ in items], error_kw={"elinewidth": 1, "capsize": 2})
    ax.axvline(v.evpi.value / 1e6, color="black", linestyle="--", linewidth=1)
    ax.text(v.evpi.value / 1e6, len(items) - 0.4, " EVPI", fontsize=8, va="bottom")
    ax.set_yticks(y)
    ax.set_yticklabels([_short(t[0]) for t in items], fontsize=8)
    ax.set_xlabel("Expected value of partial perfect information, £m (bars ± 2 standard errors)")
    ax.set_title(f"What resolving each uncertainty before deciding is worth ({v.draws:,} draws)")
    return _render(fig, fmt)


def sobol_chart(s, fmt: str = "png", top: int = 15) -> bytes:
    """First-order and total Sobol indices of the cost difference between the two leading options."""
    plt = _plt()
    out = s.outputs[s.headline]
    rows = sorted(range(len(s.factors)), key=lambda i: -out["total"][i])[:top][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.36 * len(rows) + 1.8))
    y = np.arange(len(rows))
    ax.barh(y + 0.18, [out["total"][i] for i in rows], height=0.36, color=ORANGE, label="total",
            xerr=[out["total_conf"][i] for i in rows], error_kw={"elinewidth": 1, "capsize": 2})
    ax.barh(y - 0.18, [out["first"][i] for i in rows], height=0.36, color=BLUE, label="first order",
            xerr=[out["first_conf"][i] for i in rows], error_kw={"elinewidth": 1, "capsize": 2})
    ax.set_yticks(y)
    ax.set_yticklabels([_short(s.labels[i]) for i in rows], fontsize=8)
    ax.set_xlabel("Share of the variance (Sobol index, 95% bootstrap interval)")
    ax.set_title(f"Sobol indices of {s.output_labels[s.headline]}")
    ax.legend(loc="lower right", fontsize=8)
    return _render(fig, fmt)


def discovery_chart(d, fmt: str = "png") -> bytes:
    """The chosen box: each restricted lever's range inside its low-high range (shaded)."""
    plt = _plt()
    rows = d.restrictions
    fig, ax = plt.subplots(figsize=(9, 0.5 * max(len(rows), 1) + 1.8))
    for y, r in enumerate(rows):
        span = (r.high - r.low) or 1.0
        ax.barh(y, 1.0, left=0.0, color=GREY, height=0.6)
        ax.barh(y, (r.box_high - r.box_low) / span, left=(r.box_low - r.low) / span, color=BLUE, height=0.6)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r.label for r in rows], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Position within the lever's low (0) to high (1) range; blue: where the option is cheapest")
    ax.set_title(f"{d.option_label} is cheapest here: coverage {d.coverage:.0%}, density {d.density:.0%}")
    return _render(fig, fmt)

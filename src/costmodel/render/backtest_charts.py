"""Charts of the back-test with matplotlib (imported lazily, Agg backend): PNG or SVG bytes.

* :func:`event_study_chart`: extra spend as a share of the counterfactual by years from the judgement,
  median and middle half of the councils that improved, beside the placebo's median;
* :func:`paths_chart`: agency share, caseload, turnover, children looked after and unit cost relative
  to England by years from the judgement (median and middle half);
* :func:`survival_chart`: the Kaplan-Meier share of councils improved by months since the judgement,
  censored councils marked, with the model's months to a safe core service if given.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..evidence.backtest import COMPARATORS, Backtest
from ..evidence.panel import LINE_LABELS, PATHS
from .charts import _plt, _render

BLUE, ORANGE, GREY = "#2b6cb0", "#dd6b20", "#718096"


def _bands(df: pd.DataFrame, value: str) -> pd.DataFrame:
    return df.groupby("k")[value].quantile([0.25, 0.5, 0.75]).unstack()


def event_study_chart(b: Backtest, lines=("safeguarding", "childrens_social_care"), comparator: str = "england",
                      fmt: str = "png") -> bytes:
    """Extra spend by years from the inadequate judgement, one panel per line."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(lines), figsize=(5.2 * len(lines), 3.8), squeeze=False, sharey=True)
    st = b.event_study[b.event_study.comparator == comparator]
    for ax, line in zip(axes[0], lines):
        g = st[(st.line == line) & (st.group == "improved")]
        q = _bands(g, "extra_share") * 100
        ax.fill_between(q.index, q[0.25], q[0.75], color=BLUE, alpha=0.2, label="councils that improved: middle half")
        ax.plot(q.index, q[0.5], color=BLUE, marker="o", label="councils that improved: median")
        pl = st[(st.line == line) & (st.group == "placebo")].groupby("k").extra_share.median() * 100
        ax.plot(pl.index, pl.values, color=GREY, linestyle="--", label="placebo (never inadequate): median")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color=ORANGE, linewidth=1)
        ax.set_title(LINE_LABELS[line], fontsize=10)
        ax.set_xlabel("Financial years from the judgement (0 = its year)")
    axes[0][0].set_ylabel(f"Spend above the pre-judgement share of {COMPARATORS[comparator]}, %")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Extra spend of the councils judged inadequate that improved", fontsize=11)
    return _render(fig, fmt)


def paths_chart(b: Backtest, fmt: str = "png") -> bytes:
    """Each path relative to England: median and middle half of the councils that improved."""
    plt = _plt()
    measures = list(PATHS)
    fig, axes = plt.subplots(1, len(measures), figsize=(3.4 * len(measures), 3.4))
    t = b.paths[b.paths.outcome == "improved"]
    for ax, m in zip(axes, measures):
        label, unit, _, how = PATHS[m]
        q = _bands(t[t.measure == m], "relative")
        ax.fill_between(q.index, q[0.25], q[0.75], color=BLUE, alpha=0.2)
        ax.plot(q.index, q[0.5], color=BLUE, marker="o")
        ax.axhline(1.0 if how == "ratio" else 0.0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color=ORANGE, linewidth=1)
        ax.set_title(label, fontsize=9)
        ax.set_ylabel("ratio to England" if how == "ratio" else f"{unit} above England", fontsize=8)
        ax.set_xlabel("years from the judgement", fontsize=8)
    fig.suptitle("Paths of the councils that improved, relative to England (median and middle half)", fontsize=11)
    fig.tight_layout()
    return _render(fig, fmt)


def survival_chart(b: Backtest, model_months: dict[str, float] | None = None, fmt: str = "png") -> bytes:
    """Share of councils judged inadequate that had an improved judgement, by months since the judgement."""
    plt = _plt()
    km = b.survival
    fig, ax = plt.subplots(figsize=(7.5, 4))
    end = max(float(b.judgements.months_to_improve.max()), float(km.times[-1]) if km.times.size else 0.0)
    x = np.concatenate([[0.0], km.times, [end]])
    y = np.concatenate([[0.0], 1 - km.survival, [1 - km.at(end)]]) * 100
    ax.step(x, y, where="post", color=BLUE, label=f"Kaplan-Meier ({km.n} councils)")
    j = b.judgements[~b.judgements.event_observed]
    ax.plot(j.months_to_improve, [(1 - km.at(m)) * 100 for m in j.months_to_improve], "|", color=GREY,
            markersize=10, label=f"censored ({len(j)})")
    for i, (name, m) in enumerate((model_months or {}).items()):
        ax.axvline(m, color=ORANGE, linestyle=":", linewidth=1.2)
        ax.text(m, 95 - 8 * i, f" model: {name}", color=ORANGE, fontsize=7, va="top")
    ax.set_xlabel("Months since the inadequate judgement")
    ax.set_ylabel("Improved (requires improvement or better), %")
    ax.set_ylim(0, 100)
    ax.set_title("Time to an improved Ofsted judgement")
    ax.legend(fontsize=8, loc="lower right")
    return _render(fig, fmt)

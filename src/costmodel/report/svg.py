"""Hand-written inline SVG charts for the chief executive's report (no network, no plotting library).

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states what the chart
shows in words, so a screen reader (and a reader of the printed page) gets the point without the
picture. Colours are the Okabe–Ito colour-blind-safe palette; lines also differ by dash pattern and
bars carry text labels, so nothing depends on colour alone. Money arrives in pounds and is shown in £m.
"""
from __future__ import annotations

import math
from html import escape

from ..comparison import CATEGORY_LABELS
from ..render.text import money_m

#: Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
CATEGORY_COLOURS = {"recurring": OKABE_ITO["sky"], "legacy": OKABE_ITO["blue"], "improvement": OKABE_ITO["vermillion"],
                    "set_up": OKABE_ITO["orange"], "transitional": OKABE_ITO["purple"], "saving": OKABE_ITO["yellow"]}
#: category -> (label, colour), in the order the stacked bars are drawn
CATEGORY_STYLE = {c: (CATEGORY_LABELS[c], colour) for c, colour in CATEGORY_COLOURS.items()}
OPTION_COLOURS = [OKABE_ITO[c] for c in ("black", "blue", "orange", "green", "purple", "vermillion", "sky")]
OPTION_DASHES = ["6 4", "", "", "", "2 3", "8 3 2 3", "1 2"]
PHASE_STYLE = {  # phase -> (label, colour)
    "mobilisation": ("Mobilisation", "#BBBBBB"),
    "diagnosis": ("Diagnosis", OKABE_ITO["orange"]),
    "stabilise": ("Stabilise", OKABE_ITO["sky"]),
    "implement": ("Implement", OKABE_ITO["blue"]),
    "sustain": ("Sustain", OKABE_ITO["green"]),
}
FONT = "font-family='Segoe UI, Helvetica, Arial, sans-serif'"
MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


def month_name(start_year: int, month: float) -> str:
    """Month number → calendar month: month 24 of a 2025 start is ``Apr 2027``."""
    m = int(math.floor(month))
    return f"{MONTHS[m % 12]} {start_year + m // 12 + (1 if m % 12 >= 9 else 0)}"


def short(label: str, n: int) -> str:
    """``label`` cut to ``n`` characters at a word boundary, with an ellipsis."""
    if len(label) <= n:
        return label
    cut = label[: n - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _lines(x, y, text: str, width: int, size=11, anchor="end", weight="normal", fill="#222") -> str:
    """Up to two lines of text centred on ``y``, split at a word boundary near ``width`` characters."""
    if len(text) <= width:
        return _text(x, y + 4, text, size, anchor, weight, fill)
    head = text[:width].rsplit(" ", 1)[0]
    tail = short(text[len(head):].strip(), width)
    return (f"<text x='{x:.1f}' y='{y - 2:.1f}' font-size='{size}' text-anchor='{anchor}' font-weight='{weight}' fill='{fill}'>"
            f"<title>{escape(text)}</title><tspan x='{x:.1f}'>{escape(head)}</tspan>"
            f"<tspan x='{x:.1f}' dy='{size + 1}'>{escape(tail)}</tspan></text>")


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round axis ticks covering ``lo … hi`` (always including 0 when in range)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=10 * mag)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t < hi + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    return (f"<svg class='chart' id='{chart_id}' role='img' aria-labelledby='{chart_id}-t {chart_id}-d' "
            f"viewBox='0 0 {width} {height}' width='100%' preserveAspectRatio='xMidYMid meet' {FONT} "
            f"xmlns='http://www.w3.org/2000/svg'><title id='{chart_id}-t'>{escape(title)}</title>"
            f"<desc id='{chart_id}-d'>{escape(desc)}</desc>" + "".join(body) + "</svg>")


def _text(x, y, s, size=11, anchor="start", weight="normal", fill="#222", extra="") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' font-weight='{weight}' "
            f"fill='{fill}' {extra}>{escape(str(s))}</text>")


def _legend(items: list[tuple[str, str, str]], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Swatches in rows: ``items`` are (label, colour, kind) with kind ``box`` or a dash pattern for lines."""
    out, cx, cy = [], x, y
    for label, colour, kind in items:
        w = 22 + 7 * len(label)
        if cx + w > x + width:
            cx, cy = x, cy + 18
        if kind == "box":
            out.append(f"<rect x='{cx:.1f}' y='{cy - 9:.1f}' width='12' height='12' fill='{colour}' stroke='#333' stroke-width='0.5'/>")
        else:
            out.append(f"<line x1='{cx:.1f}' y1='{cy - 3:.1f}' x2='{cx + 14:.1f}' y2='{cy - 3:.1f}' stroke='{colour}' "
                       f"stroke-width='2.5' stroke-dasharray='{kind}'/>")
        out.append(_text(cx + 17, cy + 1, label, 11))
        cx += w
    return out, cy + 14


def annual_stacked(options: list[dict], years: list[str]) -> str:
    """Small multiples, one panel per option: annual cost (real) stacked by category, savings below zero."""
    cats = [c for c in CATEGORY_STYLE if any(abs(r[c]) > 0 for o in options for r in o["annual"])]
    pos = [sum(max(r[c], 0) for c in cats) for o in options for r in o["annual"]]
    neg = [sum(min(r[c], 0) for c in cats) for o in options for r in o["annual"]]
    ticks = nice_ticks(min(neg + [0]) / 1e6, max(pos + [1]) / 1e6, 4)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    if ticks[0] < 0 and min(neg + [0]) / 1e6 > -0.25 * step:  # small savings: no empty band below zero
        ticks = [t for t in ticks if t >= 0]
    lo, hi = min(ticks[0], min(neg + [0]) / 1e6), ticks[-1]
    cols, pw, ph, top = 2, 360, 190, 40
    rows = math.ceil(len(options) / cols)
    W, H = 760, top + rows * (ph + 34) + 10
    legend, _ = _legend([(CATEGORY_STYLE[c][0], CATEGORY_STYLE[c][1], "box") for c in cats], 10, 16, 740)
    body = legend
    for n, o in enumerate(options):
        ox, oy = 10 + (n % cols) * (pw + 20), top + (n // cols) * (ph + 34)
        left, plot_w, plot_h = ox + 44, pw - 50, ph - 40
        y = lambda v: oy + 22 + (hi - v / 1e6) / (hi - lo) * plot_h  # noqa: E731
        body.append(_text(ox, oy + 12, o["label"], 12, weight="bold"))
        for t in ticks:
            yy = oy + 22 + (hi - t) / (hi - lo) * plot_h
            body.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='{'#555' if t == 0 else '#ddd'}'/>")
            body.append(_text(left - 4, yy + 4, f"£{t:g}m", 10, "end", fill="#555"))
        bw = plot_w / len(years)
        for t, r in enumerate(o["annual"]):
            bx, up, down = left + t * bw + bw * 0.15, 0.0, 0.0
            for c in cats:
                v = r[c]
                if v == 0:
                    continue
                a, b = (up, up + v) if v > 0 else (down + v, down)
                if v > 0:
                    up += v
                else:
                    down += v
                body.append(f"<rect x='{bx:.1f}' y='{y(b):.1f}' width='{bw * 0.7:.1f}' height='{max(y(a) - y(b), 0.3):.1f}' "
                            f"fill='{CATEGORY_STYLE[c][1]}'><title>{escape(o['label'])}, {years[t]}: "
                            f"{CATEGORY_STYLE[c][0]} {money_m(v, report=True)}</title></rect>")
            if t % 2 == 0 or len(years) <= 6:
                body.append(_text(bx + bw * 0.35, oy + 22 + plot_h + 14, years[t], 9, "middle", fill="#555"))
    desc = "Annual cost in real terms of each option, by category. " + " ".join(
        f"{o['label']}: {money_m(o['annual'][0]['total'], report=True)} in {years[0]}, {money_m(o['annual'][-1]['total'], report=True)} in {years[-1]}."
        for o in options)
    return _svg("chart-annual", W, H, "Annual cost by option, stacked by category (£m, real terms)", desc, body)


def cumulative_difference(options: list[dict], years: list[str], comparator: str) -> str:
    """Cumulative discounted cost of each option minus business as usual's, by year, with payback points."""
    base = next(o for o in options if o["key"] == comparator)
    series = []
    for i, o in enumerate(options):
        d = [(r["cumulative_present_value"] - b["cumulative_present_value"]) / 1e6 for r, b in zip(o["annual"], base["annual"])]
        series.append((i, o, d))
    allv = [v for _, _, d in series for v in d] + [0.0]
    ticks = nice_ticks(min(allv), max(allv), 5)
    lo, hi = ticks[0], ticks[-1]
    W, H, left, right, top, bottom = 760, 330, 60, 200, 44, 36
    pw, ph = W - left - right, H - top - bottom
    X = lambda t: left + t / max(len(years) - 1, 1) * pw  # noqa: E731
    Y = lambda v: top + (hi - v) / (hi - lo) * ph  # noqa: E731
    legend, _ = _legend([(o["label"], OPTION_COLOURS[i % 7], OPTION_DASHES[i % 7] or "0") for i, o, _ in series], 10, 16, 740)
    body = legend
    for t in ticks:
        body.append(f"<line x1='{left}' x2='{left + pw}' y1='{Y(t):.1f}' y2='{Y(t):.1f}' stroke='{'#555' if t == 0 else '#ddd'}'/>")
        body.append(_text(left - 5, Y(t) + 4, money_m(t * 1e6, signed=True, report=True).replace(".0m", "m"), 10, "end", fill="#555"))
    for t, fy in enumerate(years):
        body.append(_text(X(t), H - bottom + 16, fy, 9, "middle", fill="#555"))
    body.append(f"<line x1='{left}' x2='{left + pw}' y1='{Y(0):.1f}' y2='{Y(0):.1f}' stroke='#000' stroke-width='1.5' stroke-dasharray='6 4'/>")
    body.append(_text(left + 4, Y(0) - 5 if Y(0) > top + 20 else Y(0) + 14, "Business as usual", 10, fill="#333"))
    body.append(_text(left + pw, top - 2 if hi > 0 else top + 10, "above zero: costs more than business as usual", 9, "end", fill="#555"))
    body.append(_text(left + pw, H - bottom - 4, "below zero: costs less", 9, "end", fill="#555"))
    ends = []
    for i, o, d in series:
        if o["key"] == comparator:
            continue
        pts = " ".join(f"{X(t):.1f},{Y(v):.1f}" for t, v in enumerate(d))
        dash = OPTION_DASHES[i % 7]
        body.append(f"<polyline points='{pts}' fill='none' stroke='{OPTION_COLOURS[i % 7]}' stroke-width='2.5'"
                    + (f" stroke-dasharray='{dash}'" if dash else "") + "/>")
        ends.append([Y(d[-1]), i, o, d])
        p = o.get("payback_year_vs_do_minimum")
        if p is not None and 0 < p < len(years):
            body.append(f"<circle cx='{X(p):.1f}' cy='{Y(d[p]):.1f}' r='5' fill='white' stroke='{OPTION_COLOURS[i % 7]}' stroke-width='2.5'>"
                        f"<title>{escape(o['label'])} pays back in {years[p]}</title></circle>")
    ends.sort(key=lambda e: e[0])
    for k in range(1, len(ends)):  # keep end labels apart
        ends[k][0] = max(ends[k][0], ends[k - 1][0] + 13)
    for yy, i, o, d in ends:
        body.append(_text(left + pw + 6, yy + 4, f"{money_m(d[-1] * 1e6, signed=True, report=True)} {short(o['label'], 24)}", 10, fill="#222"))
    paid = [f"{o['label']} pays back in {years[o['payback_year_vs_do_minimum']]}" for _, o, _ in series
            if o["key"] != comparator and o.get("payback_year_vs_do_minimum") is not None]
    desc = ("Cumulative discounted cost of each option minus that of business as usual, at the end of each financial year. "
            + " ".join(f"{o['label']}: {money_m(d[-1] * 1e6, signed=True, report=True)} by {years[-1]}." for _, o, d in series if o["key"] != comparator)
            + (" Payback (circles): " + "; ".join(paid) + "." if paid else " No option pays back within the horizon."))
    return _svg("chart-cumulative", W, H, "Cumulative discounted cost compared with business as usual (£m)", desc, body)


def journey_timeline(rows: list[dict], months: int, start_year: int, years: list[str]) -> str:
    """Each option's journey: phases as bars over months, the safe-core-service month marked with a diamond."""
    W, left, top, rh = 760, 190, 44, 34
    H = top + len(rows) * rh + 30
    pw = W - left - 20
    X = lambda m: left + min(max(m, 0), months) / months * pw  # noqa: E731
    legend, _ = _legend([(lab, col, "box") for lab, col in PHASE_STYLE.values()] + [("Safe core service", "#000", "box")], 10, 16, 740)
    body = legend
    for t, fy in enumerate(years):
        body.append(f"<line x1='{X(12 * t):.1f}' x2='{X(12 * t):.1f}' y1='{top - 4}' y2='{H - 26}' stroke='#e4e4e4'/>")
        body.append(_text(X(12 * t + 6), H - 12, fy, 9, "middle", fill="#555"))
    desc = []
    for n, r in enumerate(rows):
        y0 = top + n * rh
        body.append(_lines(left - 8, y0 + rh / 2, r["label"], 26, 11))
        if not r["phases"]:
            body.append(_text(left + 6, y0 + rh / 2 + 4, "No improvement journey: does not reach a safe core service in the model", 10, fill="#555",
                              extra="font-style='italic'"))
            desc.append(f"{r['label']}: no improvement journey.")
            continue
        for phase, a, b in r["phases"]:
            if b <= a or a >= months:
                continue
            lab, col = PHASE_STYLE[phase]
            body.append(f"<rect x='{X(a):.1f}' y='{y0 + 6}' width='{X(b) - X(a):.1f}' height='{rh - 12}' fill='{col}'"
                        f"{' fill-opacity=0.45' if phase == 'sustain' else ''}><title>{escape(r['label'])}: {lab}, month {a:g} to {b:g}</title></rect>")
        s = r["safe_month"]
        if s is not None and s <= months:
            cx, cy = X(s), y0 + rh / 2
            body.append(f"<path d='M{cx:.1f},{cy - 9:.1f} L{cx + 7:.1f},{cy:.1f} L{cx:.1f},{cy + 9:.1f} L{cx - 7:.1f},{cy:.1f} Z' "
                        f"fill='#000' stroke='white' stroke-width='1.5'/>")
            body.append(_text(cx + 10, cy + 4, month_name(start_year, s), 10, weight="bold"))
        parts = ", ".join(f"{PHASE_STYLE[p][0].lower()} months {a:g}–{b:g}" for p, a, b in r["phases"] if b > a)
        desc.append(f"{r['label']}: {parts}; safe core service from {month_name(start_year, s) if s is not None else 'never'}"
                    f" (month {s:g})." if s is not None else f"{r['label']}: {parts}.")
    return _svg("chart-timeline", W, H, "Each option's journey to a safe core service", " ".join(desc), body)


def tornado(bars: list[dict], central: float, metric: str, sides: tuple[str, str] = ("", "")) -> str:
    """One-at-a-time tornado: each lever at its low and high value, the metric in £m, widest swing first."""
    W, left, top, rh = 760, 300, 62, 30
    H = top + len(bars) * rh + 34
    vals = [central] + [b["low_result"] for b in bars] + [b["high_result"] for b in bars]
    ticks = nice_ticks(min(vals + [0.0]) / 1e6, max(vals + [0.0]) / 1e6, 5)
    lo, hi = ticks[0], ticks[-1]
    pw = W - left - 20
    X = lambda v: left + (v / 1e6 - lo) / (hi - lo) * pw  # noqa: E731
    legend, _ = _legend([("Lever at its low value", OKABE_ITO["sky"], "box"), ("Lever at its high value", OKABE_ITO["vermillion"], "box"),
                         (f"Central: {money_m(central, report=True)}", "#000", "0")], 10, 16, 740)
    body = legend
    for t in ticks:
        body.append(f"<line x1='{X(t * 1e6):.1f}' x2='{X(t * 1e6):.1f}' y1='{top - 4}' y2='{H - 28}' stroke='{'#777' if t == 0 else '#e4e4e4'}'/>")
        body.append(_text(X(t * 1e6), H - 14, money_m(t * 1e6, report=True).replace(".0m", "m"), 10, "middle", fill="#555"))
    if lo < 0 < hi and all(sides):
        body.append(_text(X(0) - 6, top - 8, f"← {short(sides[1], 34)} cheaper", 10, "end", "bold", "#555"))
        body.append(_text(X(0) + 6, top - 8, f"{short(sides[0], 34)} cheaper →", 10, "start", "bold", "#555"))
    for n, b in enumerate(bars):
        y0 = top + n * rh
        body.append(_lines(left - 8, y0 + rh / 2, b["label"], 50, 10))
        for res, col in ((b["low_result"], OKABE_ITO["sky"]), (b["high_result"], OKABE_ITO["vermillion"])):
            a, c = sorted((X(central), X(res)))
            body.append(f"<rect x='{a:.1f}' y='{y0 + 4}' width='{max(c - a, 0.5):.1f}' height='{rh - 8}' fill='{col}' fill-opacity='0.9'>"
                        f"<title>{escape(b['label'])}: {money_m(res, report=True)}</title></rect>")
    body.append(f"<line x1='{X(central):.1f}' x2='{X(central):.1f}' y1='{top - 4}' y2='{H - 28}' stroke='#000' stroke-width='1.5'/>")
    desc = (f"{metric}. Central value {money_m(central, report=True)}. " + " ".join(
        f"{b['label']}: {money_m(b['low_result'], report=True)} at its low value, {money_m(b['high_result'], report=True)} at its high value." for b in bars))
    return _svg("chart-tornado", W, H, f"What moves the answer most: {metric}", desc, body)

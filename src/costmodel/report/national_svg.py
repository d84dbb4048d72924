"""The national page's three inline SVG charts: NPC by option across councils, the cheapest option by region, and
each council against its statistical neighbours on the drivers. Money arrives in pounds and is shown in £m; each
chart has a title and a description in words; colours are Okabe–Ito and every bar or dot carries a text label or a
tooltip, so nothing depends on colour alone."""
from __future__ import annotations

import statistics
from html import escape

from .svg import OPTION_COLOURS, _legend, _svg, _text, nice_ticks, short


def _axis(ticks, x, top: float, bottom: float, unit: str) -> list[str]:
    out = []
    for t in ticks:
        xx = x(t)
        out.append(f"<line x1='{xx:.1f}' x2='{xx:.1f}' y1='{top:.1f}' y2='{bottom:.1f}' "
                   f"stroke='{'#555' if t == 0 else '#ddd'}'/>")
        out.append(_text(xx, bottom + 14, unit.format(t), 10, "middle", fill="#555"))
    return out


def npc_by_option(rows: list[dict], labels: dict[str, str]) -> str:
    """One strip per option (business as usual left out): a dot per council at its central NPC vs business as usual,
    with the councils' median marked."""
    options = [k for k in labels if k != "do_minimum"]
    values = {k: [(r["la_name"], r["options"][k]["npc_vs_do_minimum"]) for r in rows if k in r["options"]]
              for k in options}
    every = [v / 1e6 for vs in values.values() for _, v in vs] or [0.0]
    ticks = nice_ticks(min(every + [0]), max(every + [0]), 6)
    W, left, right, band = 760, 230, 740, 46
    H = 30 + band * len(options) + 30
    x = lambda v: left + (v - ticks[0]) / (ticks[-1] - ticks[0] or 1) * (right - left)  # noqa: E731
    body = _axis(ticks, x, 20, 20 + band * len(options), "£{:g}m")
    for n, k in enumerate(options):
        y = 20 + band * n + band / 2
        body.append(_text(left - 8, y + 4, short(labels[k], 40), 11, "end"))
        for i, (name, v) in enumerate(values[k]):
            jitter = ((i * 7) % 11 - 5) * 2.2
            body.append(f"<circle cx='{x(v / 1e6):.1f}' cy='{y + jitter:.1f}' r='3' fill='{OPTION_COLOURS[n + 1]}' "
                        f"fill-opacity='0.6'><title>{escape(name)}: £{v / 1e6:,.2f}m</title></circle>")
        if values[k]:
            med = statistics.median(v for _, v in values[k]) / 1e6
            body.append(f"<line x1='{x(med):.1f}' x2='{x(med):.1f}' y1='{y - 14:.1f}' y2='{y + 14:.1f}' "
                        "stroke='#000' stroke-width='2'/>")
            body.append(_text(x(med) + 3, y - 15, f"median £{med:,.1f}m", 9))
    desc = "; ".join(f"{labels[k]}: median NPC £{statistics.median(v for _, v in values[k]) / 1e6:,.1f}m over "
                     f"{len(values[k])} councils" for k in options if values[k])
    return _svg("national-npc", W, H, "NPC vs business as usual by option across councils (central, £m; negative "
                "is cheaper)", desc, body)


def cheapest_by_region(rows: list[dict], labels: dict[str, str]) -> str:
    """A bar per region: how many of its councils have each option as the cheapest (central)."""
    regions = sorted({r["region"] for r in rows})
    counts = {g: {k: sum(1 for r in rows if r["region"] == g and r["cheapest"] == k) for k in labels} for g in regions}
    most = max((sum(c.values()) for c in counts.values()), default=1) or 1
    W, left, right, band = 760, 200, 740, 26
    legend, top = _legend([(labels[k], OPTION_COLOURS[i], "box") for i, k in enumerate(labels)], 10, 16, 740)
    H = int(top) + band * len(regions) + 10
    body = legend
    for n, g in enumerate(regions):
        y, x0 = top + band * n, left
        body.append(_text(left - 8, y + 15, g, 11, "end"))
        for i, k in enumerate(labels):
            c = counts[g][k]
            if not c:
                continue
            w = c / most * (right - left)
            body.append(f"<rect x='{x0:.1f}' y='{y + 3:.1f}' width='{w:.1f}' height='{band - 6}' "
                        f"fill='{OPTION_COLOURS[i]}'><title>{escape(g)}: {escape(labels[k])} cheapest in {c}</title></rect>")
            body.append(_text(x0 + w / 2, y + 17, str(c), 10, "middle", fill="#fff" if i in (0, 1) else "#000"))
            x0 += w
    desc = "; ".join(f"{g}: " + ", ".join(f"{labels[k]} {c}" for k, c in counts[g].items() if c) for g in regions)
    return _svg("national-regions", W, H, "Cheapest option (central) by region: number of councils", desc, body)


def against_peers(positions: list[dict], drivers: dict[str, str]) -> str:
    """A strip per driver: each council's figure as a percentage above (right) or below (left) the median of its
    DfE statistical neighbours."""
    rel = {d: [(p["la_name"], 100 * (p["value"] / p["peer_median"] - 1)) for p in positions
               if p["driver"] == d and p["value"] is not None and p["peer_median"]] for d in drivers}
    every = [v for vs in rel.values() for _, v in vs] or [0.0]
    ticks = nice_ticks(max(min(every), -100), min(max(every), 300), 6)
    W, left, right, band = 760, 230, 740, 50
    H = 30 + band * len(drivers) + 30
    x = lambda v: left + (min(max(v, ticks[0]), ticks[-1]) - ticks[0]) / (ticks[-1] - ticks[0] or 1) * (right - left)  # noqa: E731
    body = _axis(ticks, x, 20, 20 + band * len(drivers), "{:+g}%")
    for n, (d, label) in enumerate(drivers.items()):
        y = 20 + band * n + band / 2
        body.append(_text(left - 8, y + 4, short(label, 40), 11, "end"))
        for i, (name, v) in enumerate(rel[d]):
            jitter = ((i * 7) % 11 - 5) * 2.4
            body.append(f"<circle cx='{x(v):.1f}' cy='{y + jitter:.1f}' r='3' fill='{OPTION_COLOURS[n + 1]}' "
                        f"fill-opacity='0.6'><title>{escape(name)}: {v:+.0f}% against its neighbours' median"
                        "</title></circle>")
    desc = "; ".join(f"{label}: {sum(1 for _, v in rel[d] if v > 0)} of {len(rel[d])} councils above their "
                     "neighbours' median" for d, label in drivers.items())
    return _svg("national-peers", W, H, "Each council against its statistical neighbours' median (% above or below)",
                desc, body)

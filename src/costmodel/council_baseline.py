"""A council's baseline from its own published statistics: which figure sets which lever, and how.

Pure (no I/O): :func:`council_baseline` takes what the statistics say about one council
(:class:`~costmodel.council_statistics.CouncilStatistics`, its documented fallbacks applied), the national
defaults (the bundled example), the council those defaults describe (:class:`Reference`) and the publications
the figures come from (:class:`Publication`), and returns the national set with the council's baseline in
place; ``costmodel init --council`` writes it as an assumption folder. The rules, with a worked example, are in
docs/any-council.md:

* **the council's own figures**: children in need at 31 March (published); social worker FTE = employed +
  agency at 30 September, the agency share and the case-holding share of that total (derived); the weekly cost
  of a legacy placement from its residential unit cost and of its replacement from its fostering and
  residential unit costs (section 251, at the price year of the outturn); the outset spend (below); the
  decision-framework flags from its Ofsted inspections;
* **the outset spend**: section 251 gross spend on children looked after + safeguarding + family support +
  other children and family services (:data:`CORE_SPEND`), less the lines the model adds separately (legacy
  placements, agency premium, interim leaders), restated in the outturn's prices: the baseline reconciliation
  then adds up to the council's outturn in base-year prices;
* **national defaults scaled to the council's size**: legacy placements (count and floor) in proportion to
  children looked after; interim leaders and the senior team by (children in need / the reference council's)
  to the power of the national improvement-scaling elasticity; council support services and a new
  organisation's own back office (an option lever) in proportion to the outset spend;
* **national defaults copied** (everything else): each note says so (:data:`costmodel.comparison.NATIONAL_DEFAULT`).
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from .assumptions import Assumptions, Scenario
from .council_build import (CAPACITY, CORE_SPEND, CORE_SPEND_WORDS, FOSTER_SHARE, LEADERS, SCENARIO_RATIO, Builder,
                            CouncilBaseline, Publication, Reference, reconciled_net)
from .council_statistics import CouncilStatistics


def council_baseline(stats: CouncilStatistics, national: Assumptions, ref: Reference, pubs: dict[str, Publication],
                     measure_source: dict[str, str], leaders: str | None = None) -> CouncilBaseline:
    """The national set with the council's baseline (module docstring); ``measure_source`` maps each measure to
    its publication key, ``leaders`` is Ofsted's latest judgement of the impact of leaders (None: none)."""
    b = Builder(stats, national, ref, pubs, measure_source)
    workforce(b)
    caseload(b)
    placements(b)
    senior_posts(b)
    capacity(b, leaders)
    outset_spend(b)
    scaled_to_spend(b)
    copied(b)
    a = replace(b.assumptions(), scenarios=MappingProxyType(scenarios(b)))
    council = stats.council
    identity = {"name": council.name, "code": council.code, "dfe_code": council.dfe_code, "region": council.region}
    a = replace(a, extra=MappingProxyType({**dict(national.extra), "council": {
        "council": identity, "statistics": dict(stats.vintage), "summary": summary(b), "levers": b.trace,
        "fallbacks": b.fallbacks,
        "ofsted": {"latest": None if stats.ofsted.latest is None else
                   f"{stats.ofsted.latest.judgement} (inspection starting {stats.ofsted.latest.date})",
                   "systemic_or_persistent": stats.ofsted.systemic_or_persistent,
                   "reasons": list(stats.ofsted.reasons)}}}))
    return CouncilBaseline(a, b.trace, b.fallbacks)


def summary(b) -> list[str]:
    """The council's headline published figures, each with the date it refers to (the report's masthead)."""
    f = b.fig
    out = []
    if f("children_in_need"):
        out.append(f"{f('children_in_need').value:,.0f} children in need ({f('children_in_need').reference})")
    if f("children_looked_after"):
        out.append(f"{f('children_looked_after').value:,.0f} looked after ({f('children_looked_after').reference})")
    sw, ag = f("social_worker_fte"), f("agency_fte")
    if sw and ag and sw.value + ag.value > 0:
        out.append(f"{sw.value + ag.value:,.1f} social worker FTE, {ag.value / (sw.value + ag.value):.1%} agency "
                   f"({sw.reference})")
    parts = [f(m) for m in CORE_SPEND]
    if all(parts):
        out.append(f"section 251 outturn £{sum(p.value for p in parts) / 1e6:,.1f}m on children looked after, "
                   f"safeguarding, family support and other children's services ({parts[0].reference})")
    res, fos = f("s251_weekly_cost_per_residential_placement_gbp"), f("s251_weekly_cost_per_foster_placement_gbp")
    if res and fos:
        out.append(f"£{res.value:,.0f} a week a residential placement, £{fos.value:,.0f} a foster placement ({res.reference})")
    latest = b.stats.ofsted.latest
    if latest is not None:
        out.append(f"Ofsted: {latest.judgement} (inspection starting {latest.date})")
    return out



def _n(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def _fy(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def workforce(b) -> None:
    """Social worker FTE (employed + agency), the agency share and the case-holding share of that total."""
    keys = ("baseline.social_workers.fte", "baseline.social_workers.agency_share",
            "baseline.social_workers.case_holding_share")
    sw, ag, ch = b.fig("social_worker_fte"), b.fig("agency_fte"), b.fig("case_holding_fte")
    if not (sw and ag and ch) or sw.value + ag.value <= 0:
        absent = [m for m, f in (("social workers", sw), ("agency workers", ag), ("case holders", ch)) if not f]
        for k in keys:
            b.keep(k, f"no workforce figure for {', '.join(absent) or 'any social worker'} in the statistics")
        return
    fte = sw.value + ag.value
    b.put(keys[0], round(fte, 1), basis="derived", figures=(sw, ag),
          derivation=f"Employed {_n(sw.value)} + agency {_n(ag.value)} FTE = {_n(fte)} FTE at 30 September "
                     "(DfE inpost_fte + agency_fte); the agency and case-holding shares are shares of this total.")
    b.put(keys[1], round(ag.value / fte, 4), basis="derived", figures=(ag, sw),
          derivation=f"Agency {_n(ag.value)} / ({_n(sw.value)} + {_n(ag.value)}) FTE = {ag.value / fte:.4f}: the DfE's "
                     "agency rate as a fraction.")
    share = min(1.0, ch.value / fte)
    b.put(keys[2], round(share, 4), basis="derived", figures=(ch, sw, ag),
          derivation=f"Case-holding {_n(ch.value)} / ({_n(sw.value)} + {_n(ag.value)}) FTE = {ch.value / fte:.4f}"
                     + (", capped at 1" if share < ch.value / fte else "")
                     + ". The DfE's case holders include agency workers, so the denominator does too.")


def caseload(b) -> None:
    """Children in need at 31 March (published); the target per case holder stays the national one, on the same
    basis as the council's own figure (children in need at 31 March per case-holding FTE at 30 September)."""
    cin = b.fig("children_in_need")
    if cin is None:
        b.keep("baseline.caseload.children_in_need", "children in need at 31 March are not in the statistics")
    else:
        b.put("baseline.caseload.children_in_need", cin.value, basis="published", figures=(cin,))
    ch = b.fig("case_holding_fte")
    own = (f"On the same basis {b.council.name} has {cin.value:,.0f} children in need / {_n(ch.value)} case-holding "
           f"FTE = {cin.value / ch.value:.2f} a case holder." if cin and ch and ch.value > 0 else "")
    b.keep("baseline.caseload.target_per_case_holder", extra="The target is England's caseload restated on the "
           "children-in-need count, the same basis as the council's figures. " + own)


def _scaled(nat, factor: float, digits: int = 1):
    return tuple(round(v * factor, digits) for v in (nat.low, nat.central, nat.high))


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6g}"


def _range(nat) -> str:
    return f"{_num(nat.low)} / {_num(nat.central)} / {_num(nat.high)}"


def placements(b) -> None:
    """Legacy placements: weekly cost and replacement from the council's unit costs; count and floor scaled by
    children looked after (children in need where the looked-after count is not published)."""
    res, fos = b.fig("s251_weekly_cost_per_residential_placement_gbp"), b.fig("s251_weekly_cost_per_foster_placement_gbp")
    key = "baseline.legacy_placements.weekly_cost"
    if res is None:
        b.keep(key, "no residential unit cost published for the council")
    else:
        nat = b.national.levers[key]
        lo, hi = nat.low / nat.central, nat.high / nat.central
        b.put(key, (round(res.value * lo, 2), res.value, round(res.value * hi, 2)), basis="derived", figures=(res,),
              price_base=res.year - 1,
              derivation=f"Central: the council's residential care spend per residential placement week in {_fy(res.year)} "
                         f"(DfE LAIT unit cost: spend / placement days x 7, to the nearest 5 pounds), £{res.value:,.0f}. "
                         f"Low and high: the national default's spread around its central figure (x {lo:.4f} and "
                         f"x {hi:.4f}), for legacy placements dearer or cheaper than the council's average.")
    key = "baseline.legacy_placements.replacement_weekly_cost"
    if res is None or fos is None:
        b.keep(key, "the council's fostering or residential unit cost is not published")
    else:
        mix = [round(s * fos.value + (1 - s) * res.value, 2) for s in FOSTER_SHARE]
        b.put(key, tuple(sorted(mix)), basis="derived", figures=(fos, res), price_base=max(fos.year, res.year) - 1,
              derivation=f"The council's {_fy(fos.year)} unit costs, foster care £{fos.value:,.0f} and residential care "
                         f"£{res.value:,.0f} a week, mixed as the national default mixes them: low all to foster care; "
                         f"central three quarters to foster care, a quarter to local residential care "
                         f"(0.75 x {fos.value:,.0f} + 0.25 x {res.value:,.0f} = {mix[1]:,.2f}); high half and half.")
    cla, cin = b.fig("children_looked_after"), b.fig("children_in_need")
    if cla is not None:
        size, ref, what = cla, b.ref.children_looked_after, "children looked after"
    elif cin is not None:
        size, ref, what = cin, b.ref.children_in_need, "children in need (children looked after are not published)"
    else:
        for k in ("baseline.legacy_placements.count", "baseline.legacy_placements.floor"):
            b.keep(k, "neither children looked after nor children in need are in the statistics")
        return
    factor = size.value / ref
    for k, words in (("baseline.legacy_placements.count", "its placement register"),
                     ("baseline.legacy_placements.floor", "its placement register")):
        nat = b.national.levers[k]
        b.put(k, _scaled(nat, factor), basis="derived", figures=(size,), scaled=words,
              derivation=f"National default {_range(nat)} for the council the defaults describe, which has "
                         f"{ref:,.0f} {what.split(' (')[0]} ({b.ref.description}), x {size.value:,.0f} / {ref:,.0f} = "
                         f"x {factor:.4f}: in proportion to {what}.")


def senior_posts(b) -> None:
    """Interim leaders and the senior team: the national defaults x (children in need ratio) ^ elasticity."""
    cin = b.fig("children_in_need")
    keys = (("baseline.interim_leaders.count", 1, "its interim contracts"),
            ("baseline.senior_team.annual_cost", 0, "its establishment"))
    if cin is None:
        for k, _, _ in keys:
            b.keep(k, "children in need are not in the statistics, so the council's size is not known")
        return
    e = b.national.levers["baseline.improvement_scaling.elasticity"].central
    factor = (cin.value / b.ref.children_in_need) ** e
    for k, digits, words in keys:
        nat = b.national.levers[k]
        b.put(k, _scaled(nat, factor, digits), basis="derived", figures=(cin,), scaled=words,
              derivation=f"National default {_range(nat)} for the council the defaults describe ({b.ref.description}: "
                         f"{b.ref.children_in_need:,.0f} children in need) x ({cin.value:,.0f} / "
                         f"{b.ref.children_in_need:,.0f}) ^ {e:g} = x {factor:.4f}. The exponent is the national "
                         "improvement-scaling elasticity (baseline.improvement_scaling.elasticity): leadership posts, "
                         "like improvement work, partly grow with the service and partly do not.")


def capacity(b, leaders: str | None) -> None:
    """The decision framework's flags from the council's Ofsted inspections (module docstring of council_baseline)."""
    o = b.stats.ofsted
    if o.latest is None:
        for k in ("systemic_issues", *CAPACITY):
            b.keep(f"baseline.capacity.{k}", "no ILACS inspection of the council in the statistics")
        return
    src = b.cite("OFSTED", b.pubs["OFSTED"].latest_year)
    said = "; ".join(f"Ofsted ILACS {i.judgement} (inspection starting {i.date}"
                     + ("" if i.council_code == b.council.code else f", {i.council_name}") + ")" for i in o.inspections)
    b.put("baseline.capacity.systemic_issues", float(o.systemic_or_persistent), basis="derived", source=src, said=said,
          derivation="Yes if the latest ILACS judgement is inadequate, if it and the one before are both inadequate, or "
                     "if the latest is requires improvement and the one before inadequate (docs/council-data.md). "
                     + " ".join(o.reasons))
    answers = LEADERS.get(leaders or "")
    for k, yes in zip(CAPACITY, answers or (None,) * 3):
        if answers is None:
            b.keep(f"baseline.capacity.{k}", "no judgement of the impact of leaders in the latest inspection")
            continue
        b.put(f"baseline.capacity.{k}", float(yes), basis="judgement", source=src,
              said=f"Ofsted ILACS, impact of leaders: {leaders} (inspection starting {o.latest.date})",
              reasoning=f"Ofsted judged the impact of leaders on social work practice '{leaders}' at the inspection "
                        f"starting {o.latest.date} (published {o.latest.published}). Read as: good or outstanding - "
                        "leaders can self-assess, set a strategy and implement it; requires improvement - they can "
                        "self-assess and set a strategy but have not yet implemented it; inadequate - none of the three "
                        "(a judgement: the leadership judgement is the nearest published evidence to the framework's "
                        "questions). Replace with the council's own answer.")


def outset_spend(b) -> None:
    """Outset spend from the section 251 outturn less the lines the model adds (the module docstring)."""
    parts = [b.fig(m) for m in CORE_SPEND]
    key = "baseline.outset_spend"
    if any(p is None for p in parts):
        b.keep(key, "a section 251 line of the core service is not in the statistics")
        return
    year = max(p.year for p in parts)
    total = sum(p.value for p in parts)
    nat = b.national.levers[key]
    b.provisional(key, float(total), year - 1)
    net, f = reconciled_net(b.assumptions())
    core = max(0.0, total - sum(net.values()))
    lo, hi = nat.low / nat.central, nat.high / nat.central
    listed = " + ".join(f"{w} £{p.value:,.0f}" for w, p in zip(CORE_SPEND_WORDS, parts))
    b.put(key, (round(core * lo), round(core), round(core * hi)), basis="derived", figures=tuple(parts),
          price_base=year - 1,
          derivation=f"Section 251 outturn {_fy(year)}, gross, excluding capital: {listed} = £{total:,.0f}. Less the lines "
                     f"the model adds separately, restated in {_fy(year)} prices (their base-year cost / "
                     f"{f:.6f}, the price factor of {_fy(year)}): " + " + ".join(
                         f"{line.replace('_', ' ')} £{v:,.0f}" for line, v in net.items())
                     + f" = £{sum(net.values()):,.0f}. £{total:,.0f} - £{sum(net.values()):,.0f} = £{core:,.0f}"
                     + (" (floored at 0)" if core == 0 else "") + ". Left out: Sure Start and early years, services "
                     f"for young people, youth justice. Low and high: the national default's spread (x {lo:g} and "
                     f"x {hi:g}) for how the council's ledger allocates central costs (judgement).")


def scaled_to_spend(b) -> None:
    """Council support services and a new organisation's own back office: national defaults in proportion to the
    outset spend (their reasoning: about 5 and 3 percent of it), so a trust's net back-office cost keeps its share."""
    nat, own = b.national.levers["baseline.outset_spend"], b.levers["baseline.outset_spend"]
    if "baseline.outset_spend" not in b.set_keys:
        return  # the outset spend is the national default: so are these (copied)
    a = b.assumptions()
    factor = own.central * a.price_factor("baseline.outset_spend") / (
        nat.central * b.national.price_factor("baseline.outset_spend"))
    parts = tuple(b.fig(m) for m in CORE_SPEND)
    keys = ["baseline.support_services.annual_cost"] + [
        k for k, lever in b.national.levers.items()
        if k.startswith("options.") and k.endswith(".back_office.annual_cost") and not lever.is_default and lever.high]
    for key in keys:
        sup = b.national.levers[key]
        b.put(key, _scaled(sup, factor, 0), basis="derived", figures=parts,
              scaled="its recharge schedule" if key.startswith("baseline.") else "the new organisation's business plan",
              derivation=f"National default {_range(sup)} for an outset spend of £{nat.central:,.0f} "
                         f"({nat.price_base}-{(nat.price_base + 1) % 100:02d} prices), x the council's outset spend "
                         f"over it, both in base-year prices = x {factor:.4f}: a share of the spend it serves.")


def copied(b) -> None:
    """Every other baseline, journey and option lever keeps its national default, its note saying so."""
    cin = b.levers["baseline.caseload.children_in_need"].central
    scaling = b.national.levers["baseline.improvement_scaling.reference_children_in_need"].central
    e = b.national.levers["baseline.improvement_scaling.elasticity"].central
    if scaling:
        for key in ("baseline.improvement_scaling.reference_children_in_need", "baseline.improvement_scaling.elasticity"):
            b.keep(key, hint=False, extra="A parameter of the model, not a figure of the council: with the council's "
                   f"{cin:,.0f} children in need it scales every improvement cost by ({cin:,.0f} / {scaling:,.0f}) ^ "
                   f"{e:g} = {(cin / scaling) ** e:.4f} centrally.")
    for key, lever in b.national.levers.items():
        if key in b.done or lever.is_default or not key.startswith(("baseline.", "journey.", "options.")):
            continue
        b.keep(key)


def _ratio_lever(b, key: str) -> str | None:
    """The lever whose council / national ratio restates a scenario value of ``key`` (None: keep the value)."""
    if key in b.set_keys:
        return key
    parts = key.split(".")
    pattern = ".".join(["options", "*", *parts[2:]]) if parts[0] == "options" else key
    target = SCENARIO_RATIO.get(pattern)
    return target if target in b.set_keys else None


def scenarios(b) -> dict[str, Scenario]:
    """The national scenarios for the council: a value of a lever set from the council's figures (and an agency
    target, against its agency share) keeps its ratio to the national central value, so "40 legacy placements,
    twice the example's 20" becomes twice the council's own count; every other value is copied."""
    out = {}
    for name, sc in b.national.scenarios.items():
        overrides, restated = {}, []
        for key, raw in sc.overrides.items():
            lever = _ratio_lever(b, key)
            value = raw.get("value") if isinstance(raw, dict) or hasattr(raw, "keys") else raw
            if lever is None or not isinstance(value, (int, float)) or isinstance(value, bool):
                overrides[key] = raw
                continue
            nat, own = b.national.levers[lever].central, b.levers[lever].central
            new = value * own / nat if nat else value
            new = min(1.0, round(new, 4)) if b.levers[key].unit == "fraction" else round(new, 2)
            overrides[key] = {**dict(raw), "value": new} if hasattr(raw, "keys") else new
            restated.append(f"{key} {value:,.6g} -> {new:,.6g}")
        reason = sc.reason + (f" For {b.council.name}, restated in proportion to its own figures (the ratio to the "
                              f"national default kept): {'; '.join(restated)}." if restated else "")
        out[name] = sc._replace(overrides=overrides, reason=reason)
    return out

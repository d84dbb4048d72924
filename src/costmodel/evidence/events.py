"""The inspection sequences the back-test follows: who was judged inadequate, when, and what followed.

From Ofsted's ILACS inspection history (``files/data/ofsted_inspections.csv``: every standard and short
inspection from 2018 to 31 March 2025). Judgements under the earlier single inspection framework (before
2018) are not in that file, so a council judged inadequate only before 2018 does not appear, and a
council's first ILACS judgement may follow an earlier, unseen inadequate one.

A council's *event* is its first inadequate ILACS judgement (the inspection's first day). What followed
is read from its next inspection: ``improved`` (requires improvement or better), ``still inadequate``,
or ``not yet re-inspected`` by 31 March 2025. A council that no longer exists is followed through its
successors (:data:`SUCCESSORS`): Northamptonshire (inadequate 2019) through North and West
Northamptonshire, inspected together in October 2022. :data:`TRUSTS` lists the councils whose
children's social care went to a trust or council-owned company, each with its dates and a source.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

#: The day the Ofsted history ends: councils not improved by then are censored at it.
DATA_END = pd.Timestamp("2025-03-31")
IMPROVED_GRADES = (1, 2, 3)  # outstanding, good, requires improvement to be good
INADEQUATE = 4


@dataclass(frozen=True)
class Trust:
    """A trust or council-owned company that ran a council's children's social care."""

    la_codes: tuple[str, ...]
    council: str
    name: str
    start: date
    end: date | None
    kind: str          # "directed" (by the Secretary of State) or "voluntary"
    source: str        # URL of the publication that gives the dates


TRUSTS: tuple[Trust, ...] = (
    Trust(("E08000017",), "Doncaster", "Doncaster Children's Services Trust", date(2014, 10, 1), date(2022, 9, 30),
          "directed", "https://www.theguardian.com/society/2014/oct/01/doncaster-child-protection-company-launched; "
          "https://www.communitycare.co.uk/2022/04/13/council-takes-childrens-services-back-from-countrys-first-trust/"),
    Trust(("E09000021", "E09000027"), "Kingston upon Thames and Richmond upon Thames", "Achieving for Children",
          date(2014, 4, 1), None, "voluntary",
          "https://www.kingston.gov.uk/news/article/485/expansion_of_innovative_joint_children_s_services_company_on_the_horizon"),
    Trust(("E06000039",), "Slough", "Slough Children's Services Trust (Slough Children First from April 2021)",
          date(2015, 10, 1), None, "directed",
          "https://www.communitycare.co.uk/2015/10/01/sloughs-independent-childrens-services-trust-launches/; "
          "https://thelink.slough.gov.uk/safeguarding/slough-childrens-services-trust"),
    Trust(("E08000024",), "Sunderland", "Together for Children", date(2017, 4, 1), None, "directed",
          "https://www.localgov.co.uk/Sunderland-completes-transfer-of-childrens-services-to-new-company/42854"),
    Trust(("E06000040",), "Windsor and Maidenhead", "Achieving for Children", date(2017, 8, 1), None, "voluntary",
          "https://www3.rbwm.gov.uk/press/article/301/children_s_services_partnership_begins"),
    Trust(("E08000025",), "Birmingham", "Birmingham Children's Trust", date(2018, 4, 1), None, "directed",
          "https://www.birmingham.gov.uk/info/20131/childrens_services/1024/childrens_trust"),
    Trust(("E08000028",), "Sandwell", "Sandwell Children's Trust", date(2018, 4, 1), None, "directed",
          "https://www.sandwellchildrenstrust.org/news/2018/launch-sandwells-childrens-trust/"),
    Trust(("E06000038",), "Reading", "Brighter Futures for Children", date(2018, 12, 1), None, "directed",
          "https://reading.gov.uk/news/council-agrees-to-bring-children-s-services-back-in-house"),
    Trust(("E10000034",), "Worcestershire", "Worcestershire Children First", date(2019, 10, 1), date(2024, 9, 30),
          "directed", "https://www.communitycare.co.uk/2019/10/01/childrens-services-company-launches-in-worcestershire/; "
          "https://www.communitycare.co.uk/2024/01/22/childrens-trust-to-be-disbanded-as-council-takes-services-back-in-house/"),
    Trust(("E10000021", "E06000061", "E06000062"), "Northamptonshire (North and West Northamptonshire from April 2021)",
          "Northamptonshire Children's Trust", date(2020, 11, 1), None, "directed",
          "https://www.communitycare.co.uk/2020/11/08/independent-trust-takes-childrens-services-council/"),
    Trust(("E08000032",), "Bradford", "Bradford Children and Families Trust", date(2023, 4, 1), None, "directed",
          "https://bradfordzone.co.uk/2023/04/bradford-children-and-families-trust-goes-live/"),
)

#: Councils that were replaced, by the councils that replaced them and the day they did (boundary changes
#: that a council judged inadequate, or a trust, went through). Bournemouth, Poole and Dorset county are
#: not here: Christchurch moved from Dorset to BCP, so no sum of successors rebuilds a former area.
SUCCESSORS: dict[str, tuple[tuple[str, ...], date]] = {
    "E10000021": (("E06000061", "E06000062"), date(2021, 4, 1)),  # Northamptonshire
}


def trust_of(la_code: str, after: date | None = None) -> Trust | None:
    """The trust that ran ``la_code``'s services (starting on or after ``after`` if given), else None."""
    for t in TRUSTS:
        if la_code in t.la_codes and (after is None or t.start >= after):
            return t
    return None


def _next_inspection(ins: pd.DataFrame, codes: tuple[str, ...], after: pd.Timestamp) -> pd.Series | None:
    """The first inspection of any of ``codes`` after ``after``; for successors inspected together, the worst grade."""
    later = ins[ins.la_code.isin(codes) & (ins.insp_date > after)].sort_values("insp_date")
    if later.empty:
        return None
    first = later.iloc[0]
    same = later[later.insp_date == first.insp_date]
    return same.loc[same.grade.idxmax()]


def _follow(ins: pd.DataFrame, code: str, when: pd.Timestamp) -> dict:
    """What followed an inadequate judgement: the outcome, the improved judgement, the last inspection seen."""
    codes = (code,) + SUCCESSORS.get(code, ((), None))[0]
    nxt = _next_inspection(ins, codes, when)
    if nxt is None:
        return {"outcome": "not yet re-inspected", "improved_date": pd.NaT, "improved_grade": None,
                "next_date": pd.NaT, "next_grade": None}
    improved = nxt.grade in IMPROVED_GRADES
    return {"outcome": "improved" if improved else "still inadequate",
            "improved_date": nxt.insp_date if improved else pd.NaT,
            "improved_grade": int(nxt.grade) if improved else None,
            "next_date": nxt.insp_date, "next_grade": int(nxt.grade)}


def judgements(inspections: pd.DataFrame, data_end: pd.Timestamp = DATA_END) -> pd.DataFrame:
    """One row per council judged inadequate under ILACS: its first such judgement and what followed.

    Columns: ``la_code, la_name, inadequate_date, outcome, next_date, next_grade, improved_date,
    improved_grade, trust, trust_start, event_observed, months_to_improve`` (to the improved judgement,
    or to ``data_end`` for a censored council).
    """
    ins = inspections.dropna(subset=["grade"]).sort_values("insp_date")
    rows = []
    for code, grp in ins[ins.grade == INADEQUATE].groupby("la_code", sort=False):
        first = grp.iloc[0]
        follow = _follow(ins, code, first.insp_date)
        end = follow["improved_date"] if follow["outcome"] == "improved" else data_end
        trust = trust_of(code, after=first.insp_date.date())
        rows.append({"la_code": code, "la_name": first.la_name, "inadequate_date": first.insp_date, **follow,
                     "trust": trust.name if trust else "", "trust_start": pd.Timestamp(trust.start) if trust else pd.NaT,
                     "event_observed": follow["outcome"] == "improved",
                     "months_to_improve": months_between(first.insp_date, end)})
    out = pd.DataFrame(rows)
    return out.sort_values(["inadequate_date", "la_name"]).reset_index(drop=True)


def months_between(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Months from ``start`` to ``end`` (days / (365.25 / 12)), one decimal."""
    return round((end - start).days / (365.25 / 12), 1)


def event_council_codes(row) -> tuple[str, ...]:
    """The council and, after a boundary change, its successors: the area the back-test follows."""
    return (row["la_code"],) + SUCCESSORS.get(row["la_code"], ((), None))[0]

"""Read and write the assumption folder: one YAML file per topic, every number a lever record.

``appraisal.yaml``, ``baseline.yaml``, ``journey.yaml`` and ``options.yaml`` hold lever records;
``sources.yaml`` the source register; ``scenarios.yaml`` (optional) named overrides; ``prices.yaml``
(optional; the bundled one when absent) the price indices (:mod:`costmodel.files.price_file`);
``council.yaml`` (optional, written by ``costmodel init --council``) which council the baseline describes and
from which statistics, kept as ``Assumptions.extra["council"]`` for the report and the workbook. A lever record
is a mapping with ``unit`` and ``value`` (and label, price_base, source or basis/reasoning, note);
any other mapping is a group whose keys extend the dotted key. Problems name ``file:line``.
"""
from __future__ import annotations

from pathlib import Path
from collections.abc import Mapping

import yaml

from .. import levers as lv
from ..assumptions import Assumptions, Option, Scenario, Source, build
from ..errors import AssumptionError, OutputError, Problem
from ..groups import lever_groups
from ..validation import shown
from .atomic import atomic_write
from .price_file import parse_prices, prices_tree
from .safe_yaml import read_yaml
from .stale import recover

LEVER_FILES = ("appraisal", "baseline", "journey")
REQUIRED_FILES = ("appraisal.yaml", "baseline.yaml", "journey.yaml", "options.yaml", "sources.yaml")
SOURCE_FIELDS = ("title", "publisher", "year", "url", "identifier", "section", "note")
SCENARIO_FIELDS = ("label", "reason", "set")
SCENARIO_SECTIONS = ("scenarios", "correlations", "groups")
COUNCIL_FILE = "council.yaml"


def _line(d, key) -> int | None:
    return getattr(d, "lines", {}).get(key)


def _where(file: str, d, key) -> str:
    line = _line(d, key)
    return f"{file}:{line}" if line else file


def is_record(node) -> bool:
    """A lever record has a unit or a value; anything else is a group of keys."""
    return isinstance(node, Mapping) and ("value" in node or "unit" in node)


def walk(node, prefix: str, file: str, records: list, problems: list, skip: tuple = ()) -> None:
    """Flatten nested groups into ``(dotted key, record, file:line)``."""
    if not isinstance(node, Mapping):
        problems.append(Problem(file, prefix, "expected a group of levers (a mapping)"))
        return
    for key, child in node.items():
        if key in skip:
            continue
        full = f"{prefix}.{key}"
        where = _where(file, node, key)
        if is_record(child):
            records.append((full, child, where))
        elif isinstance(child, Mapping):
            walk(child, full, file, records, problems)
        else:
            problems.append(Problem(where, full, "expected a lever record (label, unit, value, source) or a group"))


def _sources(data, problems) -> dict[str, Source]:
    out = {}
    if not isinstance(data, Mapping):
        problems.append(Problem("sources.yaml", "", "expected a mapping of source keys"))
        return out
    for key, rec in data.items():
        where = _where("sources.yaml", data, key)
        if not isinstance(rec, Mapping):
            problems.append(Problem(where, f"sources.{key}", "expected title, publisher, year, url, section"))
            continue
        for f in rec:
            if f not in SOURCE_FIELDS:
                problems.append(Problem(where, f"sources.{key}.{f}", "unknown field" + lv.suggest(str(f), list(SOURCE_FIELDS))))
        wrong = [f for f in SOURCE_FIELDS if rec.get(f) is not None and not isinstance(rec[f], str)
                 and not (f == "year" and isinstance(rec[f], int) and not isinstance(rec[f], bool) and 1800 <= rec[f] <= 2100)]
        problems += [Problem(where, f"sources.{key}.{f}", f"expected {'a year such as 2024, or ' if f == 'year' else ''}text, "
                             f"got {shown(rec[f])}") for f in wrong]
        missing = [f for f in ("title", "publisher", "year") if not rec.get(f)]
        if missing or wrong:
            problems.append(Problem(where, f"sources.{key}", f"missing {', '.join(missing)}"))
            continue
        out[str(key)] = Source(key=str(key), **{f: rec.get(f, "") for f in SOURCE_FIELDS})
    return out


def _options(data, problems, records) -> list[Option]:
    out = []
    if not isinstance(data, Mapping) or not data:
        problems.append(Problem("options.yaml", "options", "expected a mapping of options (do_minimum, in_house, …)"))
        return out
    for key, body in data.items():
        where = _where("options.yaml", data, key)
        if not isinstance(body, Mapping):
            problems.append(Problem(where, f"options.{key}", "expected an option: label, model and its levers"))
            continue
        model = body.get("model", key if key in lv.MODELS else None)
        if key == "do_minimum" and "model" not in body:
            model = "business_as_usual"
        if not isinstance(model, str):
            problems.append(Problem(_where("options.yaml", body, "model") if "model" in body else where, f"options.{key}.model",
                                    f"missing model: one of {', '.join(lv.MODELS)}" if model is None
                                    else f"model must be text, one of {', '.join(lv.MODELS)}; got {shown(model)}"))
            model = "in_house"
        support = body.get("external_support") or {}
        if not isinstance(support, Mapping):
            problems.append(Problem(_where("options.yaml", body, "external_support"), f"options.{key}.external_support",
                                    "expected a mapping of support items (improvement_board: {annual_cost, months})"))
            support = {}
        for t in ("label", "description"):
            if t in body and not isinstance(body[t], str):
                problems.append(Problem(_where("options.yaml", body, t), f"options.{key}.{t}", "expected text"))
        out.append(Option(key=str(key), label=str(body.get("label") or key), model=str(model),
                          description=str(body.get("description") or ""),
                          support=tuple(str(n) for n in support), where=where))
        walk(body, f"options.{key}", "options.yaml", records, problems, skip=lv.OPTION_TEXT_KEYS)
    return out


def _scenarios(data, problems) -> tuple[dict[str, Scenario], dict]:
    if data is None:
        return {}, {}
    if not isinstance(data, Mapping):
        problems.append(Problem("scenarios.yaml", "", "expected sections: scenarios (and optionally correlations, groups)"))
        return {}, {}
    extra = {}
    for k in data:
        if k not in SCENARIO_SECTIONS:
            problems.append(Problem(_where("scenarios.yaml", data, k), str(k),
                                    "unknown section" + lv.suggest(str(k), list(SCENARIO_SECTIONS))))
        elif k != "scenarios":
            extra[k] = data[k]
    out = {}
    body = data.get("scenarios") or {}
    if not isinstance(body, Mapping):
        problems.append(Problem(_where("scenarios.yaml", data, "scenarios"), "scenarios",
                                "expected a mapping of named scenarios (name: {label, reason, set})"))
        return out, extra
    for key, sc in body.items():
        where = _where("scenarios.yaml", body, key)
        if not isinstance(sc, Mapping) or not isinstance(sc.get("set"), Mapping):
            problems.append(Problem(where, f"scenarios.{key}", "expected label, reason and set: {lever key: value}"))
            continue
        for f in sc:
            if f not in SCENARIO_FIELDS:
                problems.append(Problem(where, f"scenarios.{key}.{f}", "unknown field" + lv.suggest(str(f), list(SCENARIO_FIELDS))))
        if not sc.get("label") or not sc.get("reason"):
            problems.append(Problem(where, f"scenarios.{key}", "a scenario needs a label and a reason"))
        for f in ("label", "reason"):
            if sc.get(f) is not None and not isinstance(sc[f], str):
                problems.append(Problem(where, f"scenarios.{key}.{f}", f"expected text, got {shown(sc[f])}"))
        out[str(key)] = Scenario(key=str(key), label=str(sc.get("label", key)), reason=str(sc.get("reason", "")),
                                 overrides=dict(sc["set"]), where=where)
    return out, extra


def _prices(folder: Path, sources: dict, problems: list):
    """The folder's ``prices.yaml``, else the bundled one (adding the bundled sources it cites to ``sources``)."""
    path = folder / "prices.yaml"
    if not path.exists():
        from .bundled import bundled_assumptions
        bundled = bundled_assumptions()
        data, errs = read_yaml(bundled / "prices.yaml")
        problems += errs
        settings, records = parse_prices(data, lambda d, k: "prices.yaml (bundled)", problems)
        cited = {i.source for i in settings.indices.values()} - set(sources)
        if cited:
            raw, errs = read_yaml(bundled / "sources.yaml")
            problems += errs
            sources.update({k: v for k, v in _sources({k: raw[k] for k in cited if k in (raw or {})}, problems).items()})
        return settings, records
    data, errs = read_yaml(path)
    problems += errs
    if errs:
        return None, []
    return parse_prices(data, lambda d, k: _where("prices.yaml", d, k), problems, sources)


def _council(folder: Path, problems: list) -> dict | None:
    """``council.yaml``, if the folder has one: a mapping whose ``council`` names the council (name, code)."""
    path = folder / COUNCIL_FILE
    if not path.exists():
        return None
    data, errs = read_yaml(path)
    problems += errs
    who = data.get("council") if isinstance(data, Mapping) else None
    if not errs and not (isinstance(who, Mapping) and who.get("name") and who.get("code")):
        problems.append(Problem(COUNCIL_FILE, "council", "expected council: {name, code, dfe_code, region} "
                                "(written by costmodel init --council)"))
        return None
    return data


def load_folder(folder) -> Assumptions:
    """Read and validate an assumption folder; raise :class:`AssumptionError` with every problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AssumptionError([Problem(str(folder), "", "assumptions folder not found (expected a folder holding "
                                       + ", ".join(REQUIRED_FILES) + ")")])
    recover(folder)  # a write of this folder that was interrupted is finished (or its stray files removed) first
    problems: list[Problem] = []
    parsed = {}
    for name in REQUIRED_FILES + ("scenarios.yaml",):
        path = folder / name
        if name == "scenarios.yaml" and not path.exists():
            parsed[name] = None
            continue
        data, errs = read_yaml(path)
        problems += errs
        parsed[name] = data
    if problems:
        raise AssumptionError(problems)
    records: list = []
    for topic in LEVER_FILES:
        walk(parsed[f"{topic}.yaml"] or {}, topic, f"{topic}.yaml", records, problems)
    sources = _sources(parsed["sources.yaml"] or {}, problems)
    options = _options(parsed["options.yaml"], problems, records)
    scenarios, extra = _scenarios(parsed["scenarios.yaml"], problems)
    prices, price_records = _prices(folder, sources, problems)
    records += price_records
    council = _council(folder, problems)
    if council is not None:
        extra["council"] = council
    try:
        result = build(records, options, sources, scenarios, origin=str(folder), extra=extra, prices=prices)
        lever_groups(result, where_of=lambda key: _where("scenarios.yaml", extra.get("groups"), key))
    except AssumptionError as e:
        problems += e.problems
    if problems:
        raise AssumptionError(problems)
    return result


# --- writing ------------------------------------------------------------------------------------

def lever_record(lever) -> dict:
    """A lever as the record written to its file."""
    rec: dict = {"label": lever.label, "unit": lever.unit}
    if lever.price_base is not None:
        rec["price_base"] = lever.price_base
    rec["value"] = _plain(lever.central) if not lever.is_range else \
        {"low": _plain(lever.low), "central": _plain(lever.central), "high": _plain(lever.high)}
    if lever.basis != "published":
        rec["basis"] = lever.basis
    for f in ("derivation", "reasoning", "category"):
        if getattr(lever, f):
            rec[f] = getattr(lever, f)
    if lever.source:
        rec["source"] = lever.source
    if lever.note:
        rec["note"] = lever.note
    return rec


def _plain(v):
    if v is None:
        return None
    return int(v) if float(v).is_integer() and abs(v) < 1e15 else float(v)


def _flag_record(lever, rec):
    if lever.unit == "flag":
        rec["value"] = bool(lever.central)
    return rec


def _nest(tree: dict, parts: list[str], value) -> None:
    for p in parts[:-1]:
        tree = tree.setdefault(p, {})
    tree[parts[-1]] = value


def to_trees(a: Assumptions) -> dict[str, dict]:
    """The assumption set as the data of each file (defaults left out)."""
    trees: dict[str, dict] = {f"{t}.yaml": {} for t in LEVER_FILES}
    opts: dict = {}
    for o in a.options:
        opts[o.key] = {"label": o.label, "model": o.model}
        if o.description:
            opts[o.key]["description"] = o.description
    for key, lever in a.levers.items():
        if lever.is_default or key.startswith("prices."):
            continue
        rec = _flag_record(lever, lever_record(lever))
        parts = key.split(".")
        if parts[0] == "options":
            _nest(opts[parts[1]], parts[2:], rec)
        else:
            _nest(trees[f"{parts[0]}.yaml"], parts[1:], rec)
    trees["options.yaml"] = opts
    trees["sources.yaml"] = {k: {f: getattr(s, f) for f in SOURCE_FIELDS if getattr(s, f) not in ("", None)}
                             for k, s in a.sources.items()}
    sc = {"scenarios": {k: {"label": s.label, "reason": s.reason, "set": dict(s.overrides)} for k, s in a.scenarios.items()}}
    sc.update({k: v for k, v in a.extra.items() if k != "council"})
    trees["scenarios.yaml"] = sc
    if a.extra.get("council"):
        trees[COUNCIL_FILE] = a.extra["council"]
    if a.prices.indices:
        trees["prices.yaml"] = prices_tree(a)
    return trees


def write_folder(a: Assumptions, folder, force: bool = False) -> list[Path]:
    """Write an assumption set as a folder of YAML files; refuse to overwrite files unless ``force``.

    Inside :func:`costmodel.files.atomic.whole_outputs` (every command) the files move into place as one unit.
    """
    folder = Path(folder)
    trees = to_trees(a)
    targets = [folder / name for name in trees]
    clash = [p for p in targets if p.exists()]
    if clash and not force:
        raise OutputError(f"{clash[0]} already exists (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    for path, name in zip(targets, trees):
        text = yaml.safe_dump(_plain_tree(trees[name]), sort_keys=False, allow_unicode=True, width=110)
        atomic_write(path, text.encode("utf-8"))
    return targets


def _plain_tree(node):
    if isinstance(node, Mapping):
        return {str(k): _plain_tree(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain_tree(v) for v in node]
    return node

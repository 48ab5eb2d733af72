"""Front matter to typed pages. Each reader checks types; references are resolved later."""

from __future__ import annotations

from datetime import date

from okrsite.diagnostics import Diagnostics, did_you_mean
from okrsite.load.csvdata import read_csv_measurements
from okrsite.load.fields import ID_RE, Fields, describe
from okrsite.model import (
    BusinessValue,
    Checkin,
    FreePage,
    KeyResult,
    Kpi,
    Located,
    Measurement,
    Objective,
    OrgUnit,
    Page,
    PathKey,
    PlanPoint,
)

TYPES = ("org_unit", "objective", "kpi", "page")
FOLDER_TYPES = {"org": "org_unit", "objectives": "objective", "kpis": "kpi"}
KR_KINDS = ("increase", "decrease", "threshold", "milestone", "baseline")

COMMON = frozenset({"type", "id", "title", "order", "description"})
ALLOWED = {
    "org_unit": COMMON | {"kind", "parent", "lead"},
    "objective": COMMON | {"cycle", "org_unit", "owner", "parent", "kpis", "business_value", "key_results",
                           "depends_on"},
    "kpi": COMMON | {"org_unit", "owner", "unit", "better", "target", "alert", "range", "parent", "indicator",
                     "measurements", "data"},
    "page": COMMON,
}
KR_KEYS = frozenset({"id", "title", "kind", "start", "target", "unit", "kpi", "weight", "stretch", "checkins",
                     "range", "due", "done", "current", "description", "owner", "plan"})
CHECKIN_KEYS = frozenset({"date", "value", "confidence", "note"})
PLAN_KEYS = frozenset({"date", "value"})
MEASUREMENT_KEYS = frozenset({"date", "value", "note"})
BV_KEYS = frozenset({"planned", "actual"})


def default_type(rel: str) -> str:
    first = rel.split("/", 1)[0] if "/" in rel else ""
    return FOLDER_TYPES.get(first, "page")


def build_page(data: dict, loc: Located, body: str, body_line: int, diags: Diagnostics) -> Page | None:
    f = Fields(data, loc, diags)
    rel = loc.file.rel
    ptype = default_type(rel)
    if "type" in data and not _blank(data["type"]):  # `type:` left empty keeps the folder's type
        raw = data["type"]
        if isinstance(raw, str) and raw in TYPES:
            ptype = raw
        else:
            hint = did_you_mean(str(raw), TYPES)
            f.error("type", "bad-value", f"unknown page type {describe(raw)}{hint}; use one of {', '.join(TYPES)}")
    stem = rel.rsplit("/", 1)[-1][:-3]
    page_id = stem
    if "id" in data:
        page_id = f.text("id") or stem
        if isinstance(data["id"], str) and not data["id"].strip():
            f.error("id", "bad-id", f"'id' is empty; remove it to use the file name ('{stem}')")
    if not ID_RE.match(page_id):
        where = ("id",) if "id" in data else ()
        suggestion = _slug(page_id)
        hint = f" (try '{suggestion}')" if suggestion and ID_RE.match(suggestion) else ""
        if not hint and "id" not in data:
            hint = " (the id comes from the file name; rename the file or set 'id:')"
        diags.error(loc, where, "bad-id",
                    f"id '{page_id}' must be lower-case ASCII letters, digits and hyphens{hint}")
    title = f.text("title")
    if not title.strip() and not isinstance(data.get("title"), (dict, list)):  # else f.text said it
        f.require("title", "every page") if not f.has("title") else f.error("title", "missing-field",
                                                                             "'title' is empty")
    order = f.number("order") if f.has("order") else None
    f.unknown_keys(ALLOWED[ptype], ptype.replace("_", " "))
    common = {"id": page_id, "type": ptype, "title": title, "loc": loc, "body": body, "body_line": body_line,
              "fields": data, "order": order}
    if ptype == "org_unit":
        return OrgUnit(**common, kind=f.text("kind"), parent=f.ident("parent"), lead=f.text("lead"))
    if ptype == "objective":
        return _objective(f, common)
    if ptype == "kpi":
        return _kpi(f, common, diags)
    return FreePage(**common)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _slug(text: str) -> str:
    """An id suggestion: accents dropped (café → cafe), anything else non-ASCII removed."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9-]+", "-", ascii_text.lower()).strip("-")


def _objective(f: Fields, common: dict) -> Objective:
    f.require("cycle", "an objective")
    f.require("org_unit", "an objective")
    parent_raw = f.raw("parent")
    bv = None
    bvf = f.mapping("business_value")
    if bvf is not None:
        bvf.unknown_keys(BV_KEYS, "business_value")
        bv = BusinessValue(bvf.number("planned"), bvf.number("actual"))
        for key in ("planned", "actual"):
            value = getattr(bv, key)
            if value is not None and not 0 <= value <= 10:
                bvf.error(key, "bad-value", f"business value '{key}' should be between 0 and 10, not {value:g}")
    krs = [_key_result(kf) for kf in f.items("key_results", "key result")]
    if not f.has("key_results"):
        f.require("key_results", "an objective")
    elif not krs and isinstance(f.raw("key_results"), list):
        f.error("key_results", "missing-field", "an objective needs at least one key result")
    return Objective(
        **common,
        cycle=f.ident("cycle"),
        org_unit=f.ident("org_unit"),
        owner=f.text("owner"),
        parent_raw=parent_raw,
        parents=f.ident_list("parent"),
        kpis=f.ident_list("kpis"),
        business_value=bv,
        key_results=krs,
        depends_on=f.ident_list("depends_on"),
    )


def _key_result(kf: Fields) -> KeyResult:
    plain = _plain_key_result(kf.data, kf.prefix)
    if plain is not None:
        return plain
    kf.unknown_keys(KR_KEYS, "key result")
    kr_id = kf.text("id")
    if not kf.has("id"):
        kf.require("id", "a key result")
    elif not ID_RE.match(kr_id):
        kf.error("id", "bad-id", f"key result id '{kr_id}' must be lower-case ASCII letters, digits and hyphens")
    title = kf.text("title")
    if not title.strip() and not isinstance(kf.raw("title"), (dict, list)):  # else kf.text said it
        kf.require("title", "a key result") if not kf.has("title") else kf.error("title", "missing-field",
                                                                                 "'title' is empty")
    kind = kf.choice("kind", KR_KINDS, "increase") or "increase"
    weight = kf.number("weight")
    if weight is not None and weight < 0:
        kf.error("weight", "bad-value", f"'weight' cannot be negative ({weight:g})")
        weight = None
    checkins = _checkins(kf, kind)
    plan = []
    for pf in kf.items("plan", "plan point"):
        pf.unknown_keys(PLAN_KEYS, "plan point")
        plan.append(PlanPoint(pf.date("date", required_for="a plan point"),
                              pf.number("value", required_for="a plan point"), pf.prefix))
    has_current = kf.has("current")
    return KeyResult(
        id=kr_id,
        title=title,
        kind=kind,
        start=kf.number("start"),
        target=kf.number("target"),
        unit=kf.text("unit"),
        kpi=kf.ident("kpi"),
        weight=1.0 if weight is None else weight,
        stretch=kf.number("stretch"),
        range=kf.band("range"),
        due=kf.date("due"),
        done=kf.boolean("done"),
        current=kf.number("current") if has_current else None,
        has_current=has_current,
        checkins=checkins,
        owner=kf.text("owner"),
        plan=plan,
        prefix=kf.prefix,
    )


def _checkins(kf: Fields, kind: str) -> list[Checkin]:
    plain = _plain_checkins(kf.raw("checkins"), kf.path("checkins"), kind == "milestone")
    if plain is not None:
        return plain
    checkins = []
    for cf in kf.items("checkins", "check-in"):
        cf.unknown_keys(CHECKIN_KEYS, "check-in")
        when = cf.date("date", required_for="a check-in")
        value = cf.number("value") if kind != "milestone" or cf.has("value") else None
        if kind != "milestone" and not cf.has("value"):
            cf.require("value", "a check-in")
        confidence = cf.number("confidence")
        if confidence is not None and not 0 <= confidence <= 1:
            cf.error("confidence", "bad-value", f"'confidence' should be between 0 and 1, not {confidence:g}")
            confidence = None
        checkins.append(Checkin(when, value, confidence, cf.text("note"), cf.prefix))
    return checkins


def _kpi(f: Fields, common: dict, diags: Diagnostics) -> Kpi:
    f.require("org_unit", "a KPI")
    kpi = Kpi(
        **common,
        org_unit=f.ident("org_unit"),
        owner=f.text("owner"),
        unit=f.text("unit"),
        better=f.choice("better", ("higher", "lower"), "higher") or "higher",
        target=f.number("target"),
        alert=f.number("alert"),
        range=f.band("range"),
        parent=f.ident("parent"),
        indicator=f.choice("indicator", ("lagging", "leading"), None),
    )
    plain = _plain_measurements(f.raw("measurements"), f.path("measurements"))
    if plain is not None:
        kpi.measurements = plain
    else:
        for mf in f.items("measurements", "measurement"):
            mf.unknown_keys(MEASUREMENT_KEYS, "measurement")
            kpi.measurements.append(
                Measurement(mf.date("date", required_for="a measurement"),
                            mf.number("value", required_for="a measurement"), mf.prefix)
            )
    if f.has("data"):
        data_name = f.text("data")
        kpi.data_file = data_name
        if f.has("measurements"):
            f.error("data", "conflict", "use either 'measurements' or 'data', not both")
        elif data_name:
            source, rows = read_csv_measurements(f.loc, ("data",), data_name, diags)
            kpi.data_source = source
            kpi.measurements.extend(rows)
    return kpi


# -- plain values, read without Fields -----------------------------------------------------------
#
# Key results, their check-ins and a KPI's measurements are most of a handbook's values. When one
# is plain (known keys; text, dates, finite numbers in range, all of the expected types) it reads
# as through Fields would, with no diagnostic, at a fraction of the cost. Anything else (None is
# returned) is read through Fields, which says what is wrong.

_BIG = 10**300  # ints beyond this are left to Fields (float() of a 309-digit int overflows)
_BAD = object()


def _plain_key_result(data: dict, prefix: PathKey) -> KeyResult | None:
    if not data.keys() <= KR_KEYS:
        return None
    get = data.get
    kr_id, title, kind = get("id"), get("title"), get("kind", "increase")
    if kr_id.__class__ is not str or not ID_RE.match(kr_id) or title.__class__ is not str or not title.strip():
        return None
    if kind is None:
        kind = "increase"
    elif kind.__class__ is not str or kind not in KR_KINDS:
        return None
    start, target = _number_or_none(get("start")), _number_or_none(get("target"))
    stretch, weight = _number_or_none(get("stretch")), _number_or_none(get("weight"))
    current = _number_or_none(get("current"))
    if start is _BAD or target is _BAD or stretch is _BAD or weight is _BAD or current is _BAD:
        return None
    if weight is not None and weight < 0:  # type: ignore[operator]
        return None
    unit, owner, kpi, due, done = get("unit"), get("owner"), get("kpi"), get("due"), get("done")
    if unit is not None and unit.__class__ is not str or owner is not None and owner.__class__ is not str:
        return None
    if kpi is not None and kpi.__class__ is not str or due is not None and due.__class__ is not date:
        return None
    if done is not None and done.__class__ is not bool:
        return None
    band = _plain_band(get("range"))
    checkins = _plain_checkins(get("checkins"), prefix + ("checkins",), kind == "milestone")
    plan = _plain_plan(get("plan"), prefix + ("plan",))
    if band is _BAD or checkins is None or plan is None:
        return None
    return KeyResult(id=kr_id, title=title, kind=kind, start=start, target=target, unit=unit or "",  # type: ignore[arg-type]
                     kpi=kpi, weight=1.0 if weight is None else weight, stretch=stretch, range=band,  # type: ignore[arg-type]
                     due=due, done=bool(done), current=current, has_current=current is not None,  # type: ignore[arg-type]
                     checkins=checkins, owner=owner or "", plan=plan, prefix=prefix)


def _number_or_none(value: object) -> object:
    """None for None, a finite number as a float, else _BAD."""
    if value is None:
        return None
    number = _finite(value)
    return _BAD if number is None else number


def _plain_band(value: object) -> object:
    """Fields.band's `[low, high]` for None or a plain band, else _BAD."""
    if value is None:
        return None
    if value.__class__ is not list or len(value) != 2:  # type: ignore[arg-type]
        return _BAD
    low, high = (_number_or_none(v) for v in value)  # type: ignore[attr-defined]
    if low is _BAD or high is _BAD or (low is None and high is None):
        return _BAD
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        return _BAD
    return (low, high)


def _plain_plan(raw: object, path: PathKey) -> list[PlanPoint] | None:
    if raw is None:
        return []
    if raw.__class__ is not list:
        return None
    out = []
    for i, p in enumerate(raw):  # type: ignore[arg-type]
        if p.__class__ is not dict or not p.keys() <= PLAN_KEYS:
            return None
        when, value = p.get("date"), _finite(p.get("value"))
        if when.__class__ is not date or value is None:
            return None
        out.append(PlanPoint(when, value, path + (i,)))
    return out


def _finite(value: object) -> float | None:
    """`value` as Fields.as_number reads it without a diagnostic, else None (bool is not a number)."""
    cls = value.__class__
    if cls is float:
        return value if value - value == 0.0 else None  # type: ignore[return-value, operator]  # nan, ±inf
    if cls is int and -_BIG <= value <= _BIG:  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    return None


def _plain_measurements(raw: object, path: PathKey) -> list[Measurement] | None:
    if raw is None:
        return []
    if raw.__class__ is not list:
        return None
    out = []
    for i, m in enumerate(raw):  # type: ignore[arg-type]
        if m.__class__ is not dict or not m.keys() <= MEASUREMENT_KEYS:
            return None
        when, value = m.get("date"), _finite(m.get("value"))
        if when.__class__ is not date or value is None:
            return None
        out.append(Measurement(when, value, path + (i,)))
    return out


def _plain_checkins(raw: object, path: PathKey, milestone: bool) -> list[Checkin] | None:
    if raw is None:
        return []
    if raw.__class__ is not list:
        return None
    out = []
    for i, c in enumerate(raw):  # type: ignore[arg-type]
        if c.__class__ is not dict or not c.keys() <= CHECKIN_KEYS:
            return None
        when, raw_value, raw_confidence, note = c.get("date"), c.get("value"), c.get("confidence"), c.get("note")
        if when.__class__ is not date:
            return None
        value = _finite(raw_value)
        if value is None and not (milestone and raw_value is None):  # a milestone's value may be left out
            return None
        confidence = None if raw_confidence is None else _finite(raw_confidence)
        if raw_confidence is not None and (confidence is None or not 0 <= confidence <= 1):
            return None
        if note is not None and note.__class__ is not str:
            return None
        out.append(Checkin(when, value, confidence, note or "", path + (i,)))
    return out

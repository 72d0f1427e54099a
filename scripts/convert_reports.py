#!/usr/bin/env python3
"""Convert the two clinical reports' data into crsguard timelines (docs/timeline-format.md).

Inputs (shared, read-only): data/README.md, data/adult-case-timeline.csv, data/paediatric-cohort-14.csv
Outputs (canonical form, byte-stable):
  <out>/adult-case-zi2021.timeline.json
  <out>/adult-case-zi2021.csv                     (same content, CSV long format)
  <out>/paediatric-cohort-pan2021/patient-NN.timeline.json   (NN = 01..14)

Usage: python3 scripts/convert_reports.py [--data DIR] [--out DIR]

Python 3 standard library only. Every value is written in its canonical unit; every fact that the
format cannot hold is kept in a note. The script fails (exit status 2) on any input row it does not
know how to map, rather than guessing.
"""

import argparse
import csv
import io
import json
import math
import re
import sys
from pathlib import Path

FORMAT = "crsguard.timeline/1"
CONVERTED_BY = "scripts/convert_reports.py"
DAYS_PER_MONTH = 30.4375  # 365.25 / 12

ZI_DOI = "10.1097/MD.0000000000025786"
PAN_DOI = "10.1111/jcmm.16176"


class InputError(Exception):
    """The input data is not what this converter knows how to map."""


# --------------------------------------------------------------------------------------------------
# Canonical numbers and JSON


def canonical_numbers(obj):
    """Return obj with every whole float below 2**53 turned into an int (bools left alone)."""
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise InputError(f"non-finite number {obj!r}")
        if obj.is_integer() and abs(obj) < 2**53:
            return int(obj)
        return obj
    if isinstance(obj, dict):
        return {k: canonical_numbers(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canonical_numbers(v) for v in obj]
    return obj


def canonical_json(obj):
    return json.dumps(canonical_numbers(obj), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def fmt_number(x):
    """A number as text, in the same form the canonical JSON uses."""
    x = canonical_numbers(x)
    return str(x) if isinstance(x, int) else repr(x)


def parse_number(text, what):
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"{what}: not a number: {text!r}") from None
    return canonical_numbers(x)


def months_to_day(months):
    """Study day for a follow-up given in months: round(months * 30.4375), halves rounded up."""
    return int(math.floor(months * DAYS_PER_MONTH + 0.5))


def day(n):
    return {"day": int(n)}


def quantity(value, unit):
    return {"value": value, "unit": unit}


# --------------------------------------------------------------------------------------------------
# Citations from data/README.md


def read_citations(readme_path):
    """Return {csv file name: (citation, doi)} from the paragraphs under the '## <file>' headings."""
    text = readme_path.read_text(encoding="utf-8")
    found = {}
    for m in re.finditer(r"^## (\S+)\n(.*?)(?:\n\s*\n|\Z)", text, re.S | re.M):
        name, para = m.group(1), " ".join(m.group(2).split())
        cm = re.fullmatch(r"(.*?)\s*doi:\s*(\S+?)\.?", para)
        if not cm:
            raise InputError(f"{readme_path}: no 'doi:' at the end of the citation under '## {name}'")
        found[name] = (cm.group(1), cm.group(2))
    return found


def source_block(citations, file_name, expected_doi):
    if file_name not in citations:
        raise InputError(f"README.md has no citation for {file_name}")
    citation, doi = citations[file_name]
    if doi != expected_doi:
        raise InputError(f"README.md gives doi {doi!r} for {file_name}, expected {expected_doi!r}")
    return {"citation": citation, "doi": doi, "converted_by": CONVERTED_BY}


# --------------------------------------------------------------------------------------------------
# Light self-check against the documented keys (the C++ reader is the real judge)

ALLOWED = {
    "top": {"format", "patient", "infusion", "baseline", "reported", "events", "outcome", "source", "note"},
    "patient": {"id", "sex", "age", "birth_date", "weight", "height", "bsa_formula"},
    "infusion": {"product", "targets", "time", "cell_dose", "cell_source", "lymphodepletion", "trial"},
    "baseline": {"diagnosis", "genetics", "complex_karyotype", "disease_status",
                 "marrow_blasts_morphology_percent", "marrow_morphologic_remission",
                 "marrow_blasts_flow_percent", "prior_therapy_months", "prior_hct", "months_since_hct",
                 "gvhd_before_cart"},
    "reported": {"crs_max_grade", "icans_max_grade", "severe_crs", "steroid_refractory_crs",
                 "tocilizumab_doses", "ruxolitinib_given", "max_steroid_dose"},
    "outcome": {"last_followup", "vital_status", "death", "hct_after_cart"},
    "source": {"citation", "doi", "url", "converted_by"},
    "observation": {"kind", "time", "note", "code", "value", "unit", "comparator", "interpretation",
                    "statistic", "reference_range"},
    "oxygen": {"kind", "time", "note", "device", "flow", "fio2"},
    "administration": {"kind", "time", "note", "drug", "drug_name", "dose", "route", "duration",
                       "indication", "repeat"},
    "response": {"kind", "time", "note", "status", "site", "mrd_flow_percent", "mrd_negative",
                 "cd19_status"},
}


def check_timeline(tl, label):
    def keys(obj, kind, where):
        extra = set(obj) - ALLOWED[kind]
        if extra:
            raise InputError(f"{label}: {where}: keys not in the format: {sorted(extra)}")

    keys(tl, "top", "/")
    for k in ("patient", "infusion", "baseline", "reported", "outcome", "source"):
        if k in tl:
            keys(tl[k], k, "/" + k)
    last = (tl["outcome"]["last_followup"]["day"] if "outcome" in tl else None)
    prev = None
    for i, ev in enumerate(tl["events"]):
        keys(ev, ev["kind"], f"/events/{i}")
        d = ev["time"]["day"]
        if prev is not None and d < prev:
            raise InputError(f"{label}: /events/{i} is out of time order")
        if last is not None and d > last:
            raise InputError(f"{label}: /events/{i} (day {d}) is after the last follow-up (day {last})")
        prev = d


def sort_events(events):
    # Stable: events at the same time keep their order.
    return sorted(events, key=lambda ev: (ev["time"]["day"], ev["time"].get("clock", "")))


# --------------------------------------------------------------------------------------------------
# Adult case, Zi 2021

ADULT_VITAL_CODES = {
    "temperature": ("body_temperature", "Cel"),
    "heart_rate": ("heart_rate", "/min"),
    "respiratory_rate": ("respiratory_rate", "/min"),
    "systolic_bp": ("systolic_bp", "mm[Hg]"),
}
ADULT_LAB_CODES = {
    "bone_marrow_blasts": ("bone_marrow_blasts", "%"),
    "bcr_abl_is": ("bcr_abl_is", "%"),
    "ast": ("ast", "U/L"),
    "alt": ("alt", "U/L"),
    "aptt": ("aptt", "s"),
    # The assay (FEU or DDU) is not reported, so the code is d_dimer_unspecified.
    "d_dimer": ("d_dimer_unspecified", "mg/L"),
}
# drug item -> (drug, drug_name, route, indication); route None = not reported
ADULT_DRUGS = {
    "fludarabine": ("fludarabine", None, "iv", "lymphodepletion"),
    "cyclophosphamide": ("cyclophosphamide", None, "iv", "lymphodepletion"),
    "tocilizumab": ("tocilizumab", None, "iv", "crs"),
    "methylprednisolone": ("methylprednisolone", None, "iv", "crs"),
    "ruxolitinib": ("ruxolitinib", None, "po", "crs"),
    "diclofenac": ("diclofenac", None, None, "fever"),
    "metoprolol": ("metoprolol", None, None, "other"),
    "empirical_antibiotics": ("other", "empirical antibiotics", None, "infection"),
}
ADULT_DOSE_UNITS = {"mg", "mg/kg", "mg/m2"}
COMPARATOR_RE = re.compile(r"^(<=|>=|<|>)?\s*([0-9.eE+-]+)$")


def join_notes(*parts):
    return "; ".join(p for p in parts if p)


def adult_observation(d, code, unit, raw_value, note, statistic=None):
    ev = {"kind": "observation", "time": day(d), "code": code}
    if raw_value == "normal":
        ev["interpretation"] = "normal"
    else:
        m = COMPARATOR_RE.match(raw_value)
        if not m:
            raise InputError(f"adult day {d} {code}: cannot read value {raw_value!r}")
        ev["value"] = parse_number(m.group(2), f"adult day {d} {code}")
        ev["unit"] = unit
        if m.group(1):
            ev["comparator"] = m.group(1)
    if statistic:
        ev["statistic"] = statistic
    if note:
        ev["note"] = note
    return ev


def adult_events(rows):
    events = []
    infusion_row = None
    for n, r in enumerate(rows, start=2):
        where = f"adult-case-timeline.csv line {n}"
        d = int(r["day"])
        kind, item, value, unit = r["kind"], r["item"], r["value"].strip(), r["unit"].strip()
        time_note, note = r["time_note"].strip(), r["note"].strip()

        if kind == "infusion":
            if d != 0:
                raise InputError(f"{where}: infusion not on day 0")
            infusion_row = r
            continue

        if kind == "vital":
            if item not in ADULT_VITAL_CODES:
                raise InputError(f"{where}: unknown vital {item!r}")
            code, canon_unit = ADULT_VITAL_CODES[item]
            if unit != canon_unit:
                raise InputError(f"{where}: unit {unit!r}, expected {canon_unit!r}")
            if time_note in ("max", "min"):
                events.append(adult_observation(d, code, canon_unit, value, note, time_note))
            elif time_note == "range":
                low, high = value.split("-")
                rnote = join_notes(f"range {value} {canon_unit}", note)
                events.append(adult_observation(d, code, canon_unit, low, rnote, "min"))
                events.append(adult_observation(d, code, canon_unit, high, rnote, "max"))
            elif time_note == "+12h":
                # No clock is known: kept on the day, without statistic, with the timing in the note.
                events.append(adult_observation(
                    d, code, canon_unit, value, join_notes("about 12 h after tocilizumab", note)))
            elif time_note == "":
                if value == "" and code == "body_temperature" and "fever persisted" in note:
                    # Daily values not reported; the report says the fever (>= 38 Cel) persisted.
                    fnote = note if "not reported" in note else join_notes(note, "value not reported")
                    ev = adult_observation(d, code, canon_unit, ">=38", fnote, "max")
                    events.append(ev)
                else:
                    events.append(adult_observation(d, code, canon_unit, value, note))
            else:
                raise InputError(f"{where}: unknown time_note {time_note!r}")
            continue

        if kind == "lab":
            if time_note:
                raise InputError(f"{where}: unexpected time_note {time_note!r} on a lab row")
            if item == "ast_alt":
                if value != "normal":
                    raise InputError(f"{where}: ast_alt with a value {value!r}")
                for code in ("ast", "alt"):
                    events.append(adult_observation(
                        d, code, "U/L", "normal", join_notes("reported together as AST/ALT normal", note)))
                continue
            if item not in ADULT_LAB_CODES:
                raise InputError(f"{where}: unknown lab {item!r}")
            code, canon_unit = ADULT_LAB_CODES[item]
            if value != "normal" and unit != canon_unit:
                raise InputError(f"{where}: unit {unit!r}, expected {canon_unit!r}")
            if code == "d_dimer_unspecified":
                note = join_notes(note, "D-dimer assay (FEU or DDU) not reported")
            events.append(adult_observation(d, code, canon_unit, value, note))
            continue

        if kind == "drug":
            if item not in ADULT_DRUGS:
                raise InputError(f"{where}: unknown drug {item!r}")
            drug, drug_name, route, indication = ADULT_DRUGS[item]
            ev = {"kind": "administration", "time": day(d), "drug": drug}
            if drug_name:
                ev["drug_name"] = drug_name
            if value:
                if unit not in ADULT_DOSE_UNITS:
                    raise InputError(f"{where}: dose unit {unit!r} not canonical")
                ev["dose"] = quantity(parse_number(value, where), unit)
            if route:
                ev["route"] = route
            ev["indication"] = indication
            if drug == "ruxolitinib":
                # "every 12 h orally for 11 days (day 7-17) then 5 mg every 12 h for 11 days (day 18-28)"
                m = re.fullmatch(
                    r"every 12 h orally for 11 days \(day (\d+)-(\d+)\) then (\d+) mg every 12 h "
                    r"for 11 days \(day (\d+)-(\d+)\)", note)
                if not m or int(m.group(1)) != d:
                    raise InputError(f"{where}: ruxolitinib schedule note not understood: {note!r}")
                first_note, then_dose, then_day = (
                    f"every 12 h orally for 11 days (day {m.group(1)}-{m.group(2)})",
                    parse_number(m.group(3), where), int(m.group(4)))
                ev["repeat"] = {"every": quantity(12, "h"), "count": 22}
                ev["note"] = join_notes(first_note, f"then {m.group(3)} mg every 12 h from day {then_day}")
                events.append(ev)
                events.append({
                    "kind": "administration", "time": day(then_day), "drug": "ruxolitinib",
                    "dose": quantity(then_dose, "mg"), "route": "po", "indication": "crs",
                    "repeat": {"every": quantity(12, "h"), "count": 22},
                    "note": f"{m.group(3)} mg every 12 h orally for 11 days "
                            f"(day {m.group(4)}-{m.group(5)}); after 10 mg every 12 h from day {d}",
                })
                continue
            if note:
                ev["note"] = note
            events.append(ev)
            continue

        if kind == "response":
            if item != "bone_marrow":
                raise InputError(f"{where}: unknown response site {item!r}")
            ev = {"kind": "response", "time": day(d), "site": "bone_marrow"}
            if value == "CR":
                ev["status"] = "CR"
            elif value == "CR MRD-negative (flow)":
                ev["status"] = "CR"
                ev["mrd_negative"] = True
                note = join_notes("MRD-negative by flow cytometry", note)
            else:
                raise InputError(f"{where}: unknown response {value!r}")
            if note:
                ev["note"] = note
            events.append(ev)
            # The day-28 note carries a measurement ("BCR-ABL/ABL IS 5.30%"): keep it as data too.
            if "IS 5.30%" in (row_note := r["note"] or ""):
                events.append({"kind": "observation", "time": day(d), "code": "bcr_abl_is", "value": 5.3,
                               "unit": "%", "note": "from the day-28 response note: " + row_note})
            continue

        raise InputError(f"{where}: unknown kind {kind!r}")

    if infusion_row is None:
        raise InputError("adult-case-timeline.csv: no infusion row")
    return infusion_row, events


def build_adult(data_dir, citations):
    with open(data_dir / "adult-case-timeline.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    infusion_row, events = adult_events(rows)

    if infusion_row["unit"] != "cells/kg":
        raise InputError(f"adult infusion: unit {infusion_row['unit']!r}, expected cells/kg")
    cell_dose = parse_number(infusion_row["value"], "adult infusion cell dose")
    if infusion_row["note"].strip() != "autologous":
        raise InputError("adult infusion: expected the note 'autologous'")

    # The report says no oxygen was ever given: record room air from day 0, so that grading knows
    # oxygen was assessed (an absent record would be "not recorded", not "none").
    events.append({"kind": "oxygen", "time": day(0), "device": "none",
                   "note": "room air throughout: the report says no oxygen was given at any time"})
    events = sort_events(events)
    last_day = max(ev["time"]["day"] for ev in events)

    note = (
        "Zi 2021 single case report. No oxygen and no vasopressor were given at any time (the report says "
        "so): the timeline records room air (oxygen device none) from day 0 and has no vasopressor events. Body weight and height are not reported "
        "(tocilizumab 400 mg would be 8 mg/kg at 50 kg). Daily temperatures on days 2-4 are not reported; "
        "the fever (>= 38 Cel) persisted, encoded as a daily maximum >= 38 Cel. The day-5 values marked "
        "'+12h' were taken about 12 h after tocilizumab; no clock time is reported, so they carry the day "
        "only. Procalcitonin (normal, day 2) and the continuous rise of ferritin and IL-6 (days 1-4) are "
        "reported without values and are kept in event notes. The report gives no follow-up beyond the "
        f"day-{last_day} bone-marrow assessment, so the last follow-up is the last reported assessment "
        f"(day {last_day}); the patient was alive then."
    )

    tl = {
        "format": FORMAT,
        "patient": {"id": "zi2021-case", "sex": "male", "age": quantity(20, "a")},
        "infusion": {
            "product": "CD19/CD22 bispecific CAR-T",
            "targets": ["CD19", "CD22"],
            "time": day(0),
            "cell_dose": quantity(cell_dose, "{cells}/kg"),
            "cell_source": "autologous",
            "lymphodepletion": "fludarabine/cyclophosphamide",
            "trial": "NCT04303520",
        },
        "baseline": {
            "diagnosis": "B-ALL",
            "genetics": ["BCR-ABL1 (P210)", "ABL1 T315I"],
            "disease_status": "refractory to dasatinib and ponatinib with chemotherapy",
        },
        "events": events,
        "outcome": {"last_followup": day(last_day), "vital_status": "alive"},
        "source": source_block(citations, "adult-case-timeline.csv", ZI_DOI),
        "note": note,
    }
    tl = canonical_numbers(tl)
    check_timeline(tl, "adult case")
    return tl


# --------------------------------------------------------------------------------------------------
# CSV long format (written from the same in-memory timeline as the JSON)

CSV_HEADER = ["patient_id", "day", "clock", "datetime", "kind", "item", "value", "unit", "detail", "note"]


def csv_bool(b):
    return "true" if b else "false"


def csv_scalar(v):
    if isinstance(v, bool):
        return csv_bool(v)
    if isinstance(v, (int, float)):
        return fmt_number(v)
    if isinstance(v, str):
        return v
    raise InputError(f"CSV: cannot write {v!r} as one cell")


def detail(pairs):
    return ";".join(f"{k}={csv_scalar(v)}" for k, v in pairs if v is not None)


def timeline_to_csv(tl):
    pid = tl["patient"]["id"]
    rows = []

    def row(kind, item, value="", unit="", detail_text="", note="", time=None):
        d = clock = ""
        if time is not None:
            d = str(time["day"])
            clock = time.get("clock", "")
        rows.append([pid, d, clock, "", kind, item, value, unit, detail_text, note])

    for k in ("citation", "doi", "url", "converted_by"):
        if k in tl.get("source", {}):
            row("source", k, tl["source"][k])

    pat = tl["patient"]
    for k in ("sex", "age", "birth_date", "weight", "height", "bsa_formula"):
        if k not in pat:
            continue
        v = pat[k]
        if isinstance(v, dict):
            row("patient", k, fmt_number(v["value"]), v["unit"])
        else:
            row("patient", k, v)

    inf = tl["infusion"]
    row("infusion", "product", inf["product"])
    for t in inf["targets"]:
        row("infusion", "target", t)
    if "time" in inf:
        row("infusion", "time", time=inf["time"])
    if "cell_dose" in inf:
        row("infusion", "cell_dose", fmt_number(inf["cell_dose"]["value"]), inf["cell_dose"]["unit"])
    for k in ("cell_source", "lymphodepletion", "trial"):
        if k in inf:
            row("infusion", k, inf[k])

    for k, v in tl.get("baseline", {}).items():
        if isinstance(v, list):
            for item in v:
                row("baseline", k, csv_scalar(item))
        else:
            row("baseline", k, csv_scalar(v))

    if "reported" in tl:
        raise InputError("CSV: the long format has no documented rows for 'reported'")

    out = tl.get("outcome")
    if out:
        row("outcome", "last_followup", time=out["last_followup"])
        row("outcome", "vital_status", out["vital_status"])
        if "death" in out or "hct_after_cart" in out:
            raise InputError("CSV: death / hct_after_cart rows are not used by this converter")

    if "note" in tl:
        row("timeline", "note", tl["note"])

    for ev in tl["events"]:
        k, t, note = ev["kind"], ev["time"], ev.get("note", "")
        if k == "observation":
            if "interpretation" in ev:
                value, unit = ev["interpretation"], ""
            else:
                value, unit = ev.get("comparator", "") + fmt_number(ev["value"]), ev["unit"]
            if "reference_range" in ev:
                raise InputError("CSV: reference_range is not used by this converter")
            row(k, ev["code"], value, unit, detail([("statistic", ev.get("statistic"))]), note, t)
        elif k == "administration":
            dose = ev.get("dose")
            rep = ev.get("repeat")
            if rep and rep["every"]["unit"] != "h":
                raise InputError("CSV: repeat interval must be in h")
            if "duration" in ev:
                raise InputError("CSV: duration is not used by this converter")
            row(k, ev["drug"],
                fmt_number(dose["value"]) if dose else "", dose["unit"] if dose else "",
                detail([("drug_name", ev.get("drug_name")), ("route", ev.get("route")),
                        ("indication", ev.get("indication")),
                        ("repeat_every_h", rep["every"]["value"] if rep else None),
                        ("repeat_count", rep["count"] if rep else None)]),
                note, t)
        elif k == "oxygen":
            if "flow" in ev or "fio2" in ev:
                raise InputError("CSV: oxygen flow and FiO2 are not used by this converter")
            row(k, ev["device"], "", "", "", note, t)
        elif k == "response":
            row(k, ev["status"], "", "",
                detail([("site", ev.get("site")), ("mrd_flow_percent", ev.get("mrd_flow_percent")),
                        ("mrd_negative", ev.get("mrd_negative")), ("cd19_status", ev.get("cd19_status"))]),
                note, t)
        else:
            raise InputError(f"CSV: event kind {k!r} is not used by this converter")

    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(CSV_HEADER)
    w.writerows(rows)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# Paediatric cohort, Pan 2021

SEVERE_CRS = {1, 2, 3, 4, 10}
STEROID_REFRACTORY = {1, 2, 3, 4}
CRS_MAX_GRADE = {1: 3, 2: 3, 4: 3, 3: 4}
ICANS_MAX_GRADE = {3: 3}
STEROID_INCONSISTENCY = (
    "Source inconsistency: the report's text gives 18 mg/kg methylprednisolone for patient 10, its "
    "Table 1 gives 18 (mg/kg/day) for patient 3 and 1.025 for patient 10; reported.max_steroid_dose "
    "follows the table."
)


def yn(value, where):
    if value == "Y":
        return True
    if value == "N":
        return False
    raise InputError(f"{where}: expected Y or N, got {value!r}")


def build_paediatric(r, source):
    n = int(r["patient"])
    where = f"paediatric-cohort-14.csv patient {n}"
    sex = {"M": "male", "F": "female"}[r["sex"]]
    target = r["car_target"]
    if target not in ("CD19", "CD22"):
        raise InputError(f"{where}: unknown target {target!r}")

    baseline = {"diagnosis": "B-ALL"}
    if r["fusion_gene"]:
        baseline["genetics"] = [r["fusion_gene"]]
    baseline["complex_karyotype"] = yn(r["complex_karyotype"], where)
    baseline["prior_therapy_months"] = parse_number(r["prior_therapy_months"], where)
    baseline["disease_status"] = r["baseline_status"]
    if r["bm_blasts_morphology_pct"] == "CR":
        baseline["marrow_morphologic_remission"] = True
    else:
        baseline["marrow_blasts_morphology_percent"] = parse_number(r["bm_blasts_morphology_pct"], where)
    baseline["marrow_blasts_flow_percent"] = parse_number(r["bm_blasts_fcm_pct"], where)
    baseline["prior_hct"] = yn(r["prior_hct"], where)
    if r["months_since_hct"]:
        baseline["months_since_hct"] = parse_number(r["months_since_hct"], where)
    gvhd = r["gvhd_before_cart"]
    if gvhd:
        baseline["gvhd_before_cart"] = {"N": "none", "chronic": "chronic", "acute": "acute"}[gvhd]

    reported = {
        "tocilizumab_doses": int(r["tocilizumab_doses"]),
        "ruxolitinib_given": yn(r["ruxolitinib"], where),
        "max_steroid_dose": quantity(parse_number(r["max_steroid_mg_per_kg_day"], where), "mg/kg/d"),
        "severe_crs": n in SEVERE_CRS,
        "steroid_refractory_crs": n in STEROID_REFRACTORY,
    }
    if n in CRS_MAX_GRADE:
        reported["crs_max_grade"] = CRS_MAX_GRADE[n]
    if n in ICANS_MAX_GRADE:
        reported["icans_max_grade"] = ICANS_MAX_GRADE[n]
    if reported["steroid_refractory_crs"] != reported["ruxolitinib_given"]:
        raise InputError(f"{where}: ruxolitinib column disagrees with the README's steroid-refractory list")

    followup_months = parse_number(r["followup_months"], where)
    last_day = months_to_day(followup_months)
    months_text = f"{fmt_number(followup_months)} months -> day {last_day} (round(months * 30.4375))"

    events = []
    if n == 3:
        events += [
            {"kind": "observation", "time": day(5), "code": "body_temperature",
             "value": 40, "unit": "Cel", "comparator": ">", "statistic": "max",
             "note": "fever > 40 Cel with grade 4 CRS and grade 3 ICANS on day 5 (report text)"},
            {"kind": "administration", "time": day(6), "drug": "ruxolitinib", "dose": quantity(5, "mg"),
             "route": "po", "indication": "crs",
             "note": "5 mg twice daily; per-patient duration not reported (series median 8 days, range "
                     "4-21); fever gone within 24 h"},
            {"kind": "administration", "time": day(6), "drug": "methylprednisolone", "indication": "crs",
             "note": "high-dose methylprednisolone (report text), dose per administration not reported; "
                     "see reported.max_steroid_dose (18 mg/kg/d in Table 1) and the source inconsistency "
                     "(the text gives 18 mg/kg for patient 10)"},
        ]
    if n == 10:
        events.append(
            {"kind": "administration", "time": day(10), "drug": "methylprednisolone", "indication": "crs",
             "note": "recovered day 15 after steroids alone; dose per administration not reported (the "
                     "text gives 18 mg/kg for patient 10, Table 1 gives 1.025 mg/kg/d: source inconsistent)"})

    if r["response_day30"] != "CR/MRD-":
        raise InputError(f"{where}: unknown day-30 response {r['response_day30']!r}")
    events.append({"kind": "response", "time": day(30), "status": "CR", "site": "bone_marrow",
                   "mrd_negative": True, "note": "day-30 response as reported (CR/MRD-)"})

    outcome_kind = r["outcome"]
    outcome = {"last_followup": day(last_day)}
    if outcome_kind == "CCR":
        outcome["vital_status"] = "alive"
    elif outcome_kind == "relapse":
        outcome["vital_status"] = "alive"
        events.append({"kind": "response", "time": day(last_day), "status": "relapse",
                       "note": f"relapse at {fmt_number(followup_months)} months as reported; day = "
                               f"round({fmt_number(followup_months)} * 30.4375) = {last_day}"})
    elif outcome_kind == "death":
        outcome["vital_status"] = "dead"
        outcome["death"] = {"time": day(last_day), "cause": "infection"}
    else:
        raise InputError(f"{where}: unknown outcome {outcome_kind!r}")

    post = r["post_car_treatment"]
    if post == "HCT":
        outcome["hct_after_cart"] = {"time_unknown": True}
    elif post != "none":
        raise InputError(f"{where}: unknown post-CAR-T treatment {post!r}")

    notes = [f"Pan 2021, Table 1, patient {n}."]
    outcome_text = {
        "CCR": "continuous complete remission at last follow-up",
        "relapse": "relapse at last follow-up",
        "death": "died of infection at last follow-up",
    }[outcome_kind]
    notes.append(f"Outcome: {outcome_text}, {months_text}; the month is the only time given.")
    if post == "HCT":
        notes.append("HCT after CAR-T; its time is not reported.")
    notes.append("Body weight, height, cell dose, cell source and lymphodepletion are not reported per "
                 "patient.")
    if n in (1, 2, 4):
        notes.append("Grade 3 CRS on days 1-3 (exact day not reported), refractory to high-dose steroids; "
                     "ruxolitinib 5 mg twice daily orally, start day and duration not reported, so it is "
                     "only in reported.ruxolitinib_given; steroid days not reported.")
    if n == 3:
        notes.append("Grade 3 CRS on day 3; grade 4 CRS with grade 3 ICANS on day 5 with fever > 40 Cel, "
                     "several vasopressors (agents and times not reported, so no vasopressor events), "
                     "CPAP (when it stopped is not reported; an oxygen event would hold until follow-up, so none is recorded) "
                     "and a seizure (type and duration not reported, so no neuro event); ruxolitinib "
                     "plus high-dose methylprednisolone on day 6; fever gone within 24 h.")
    if n == 10:
        notes.append("Severe (grade >= 3) CRS, exact grade not reported; recovered after steroids alone "
                     "(methylprednisolone from day 10, recovered day 15).")
    if n in (3, 10):
        notes.append(STEROID_INCONSISTENCY)
    if n not in SEVERE_CRS:
        notes.append("CRS grade not reported per patient (the series reports grade 1-2 CRS in 9 of the 11 "
                     "patients without prior HCT).")

    tl = {
        "format": FORMAT,
        "patient": {"id": f"pan2021-p{n:02d}", "sex": sex, "age": quantity(parse_number(r["age_years"], where), "a")},
        "infusion": {"product": f"{target} CAR-T", "targets": [target], "time": day(0)},
        "baseline": baseline,
        "reported": reported,
        "events": sort_events(events),
        "outcome": outcome,
        "source": source,
        "note": " ".join(notes),
    }
    tl = canonical_numbers(tl)
    check_timeline(tl, where)
    return n, tl


# --------------------------------------------------------------------------------------------------


def write_text(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def main(argv=None):
    repo = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=repo.parent / "shared" / "data",
                    help="folder with README.md and the two report CSV files (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=repo / "examples",
                    help="output folder (default: %(default)s)")
    args = ap.parse_args(argv)

    try:
        citations = read_citations(args.data / "README.md")
        written = []

        adult = build_adult(args.data, citations)
        p = args.out / "adult-case-zi2021.timeline.json"
        write_text(p, canonical_json(adult))
        written.append(p)
        p = args.out / "adult-case-zi2021.csv"
        write_text(p, timeline_to_csv(adult))
        written.append(p)

        pan_source = source_block(citations, "paediatric-cohort-14.csv", PAN_DOI)
        with open(args.data / "paediatric-cohort-14.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        seen = set()
        for r in rows:
            n, tl = build_paediatric(r, pan_source)
            if n in seen:
                raise InputError(f"paediatric-cohort-14.csv: patient {n} twice")
            seen.add(n)
            p = args.out / "paediatric-cohort-pan2021" / f"patient-{n:02d}.timeline.json"
            write_text(p, canonical_json(tl))
            written.append(p)
        if seen != set(range(1, 15)):
            raise InputError(f"paediatric-cohort-14.csv: expected patients 1-14, got {sorted(seen)}")
    except (InputError, OSError, KeyError, ValueError) as e:
        print(f"convert_reports.py: error: {e}", file=sys.stderr)
        return 2

    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fit a virtual twin's parameters to the reported facts of its patient (docs/simulator.md, virtual twins).

Each candidate is written to a temporary case file and run in closed loop by `crsguard twin FILE --json
--timeline-out TL`; the simulated record is graded by `crsguard episodes TL --json` (the same ASTCT grader
as for real patients). A derivative-free search on the parameters, log-scaled where they are rates, gains
or potencies (seeded random points, then compass searches from the best: see search()), minimises the loss
below. The same command gives the same fit: the random points come from a fixed --seed.

The loss (each fact term is 0 when the reported fact is met, and grows with the distance from it):
  grade      2 × (4 − maximum CRS grade)                     reported: grade 4 CRS
  g4_day     days outside 4–6 of the first grade-4 day     reported: day 5 (± 1)
  fever5     0.5 × °C below 40.1 of the day-5 maximum        reported: fever > 40 °C on day 5
  g3_before  days after day 4 of the first grade-≥ 3 day,    reported: grade 3 on day 3, before grade 4
             plus 1 unless it precedes the first grade-4 day
  order      1 unless steroids start before ruxolitinib      reported: steroid-refractory, then ruxolitinib
  rux_day    days outside [5, 8) of the first ruxolitinib    reported: day 6 (± 1)
  resolve    2 × days beyond 1 from the first ruxolitinib    reported: fever gone within 24 h (the
             dose to the resolution of its CRS episode       report's point, so it weighs double)
             (grader)
  relapse    1 + duration (days) of every later CRS episode  reported: no further CRS
  response   log10 short of a 4-log leukaemia reduction      reported: CR, MRD-negative on day 30
  expansion  relative shortfall of the CAR-T peak below      expansion not abolished (CAR-T still
             --car-t-floor cells/µL                          expanding, Pan 2021)
  prior      0.01 × Σ ((ln v − ln typical) / σ)², σ from cv_percent in the model (1 where none): breaks
             ties on the plateaus of the discrete terms in favour of values near the population's.
A run that fails costs 1000.

Usage:
  python3 scripts/fit_twin.py CASE [--fit NAME:LO:HI[:lin]]... [--evals N] [--write OUT]
  python3 scripts/fit_twin.py CASE --eval   (the loss of the case as it stands)
Without --fit, the parameters of DEFAULT_FIT (Pan 2021 patient 3) are fitted. The search starts from
DEFAULT_START (the hand-chosen values before the fit) for those, so that the command reproduces the
fit whatever the case file holds now. Python 3 standard library only.
"""

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRSGUARD = ROOT / "build" / "src" / "cli" / "crsguard"
MODEL = ROOT / "models" / "patient.json"
TMP = Path("/tmp/fit_twin")

# name: (low, high, log scale, the reported fact it serves). Bounds stay within the ranges of
# models/patient.json (cv_percent) and model.md; see docs/simulator.md for why each.
DEFAULT_FIT = {
    "leak_gain": (3.0, 8.0, True, "grade 4 on day 5 (several vasopressors, CPAP): a larger capillary leak"),
    "leak_tnf_weight": (0.2, 1.5, True, "grade 4 on day 5 despite tocilizumab: leak carried by TNF-α, not IL-6"),
    "leak_ifn_weight": (0.2, 1.5, True, "grade 3 on day 3 rising to grade 4 on day 5 on steroids: leak that follows CAR-T expansion"),
    "leak_rate": (1.0, 3.0, True, "grade 4 on day 5, yet resolved within 24 h of ruxolitinib: how fast the leak follows its drive"),
    "pyrogen_ifn_weight": (0.1, 1.0, True, "fever > 40 °C on day 5 despite tocilizumab and steroids"),
    "macrophage_deactivation": (0.5, 1.5, True, "fever gone within 24 h of ruxolitinib: activation decays once blocked"),
    "rux_ic50_macrophage_activation": (30.0, 300.0, True, "fever gone within 24 h of ruxolitinib 5 mg twice daily"),
    "rux_ic50_ifn_release": (30.0, 1000.0, True, "fever gone within 24 h of ruxolitinib 5 mg twice daily"),
}
# The case's hand-chosen values before the fit (cases/pan2021-patient3.json as first written; leak_rate
# was the model's).
DEFAULT_START = {
    "leak_gain": 5.0,
    "leak_tnf_weight": 0.5,
    "leak_ifn_weight": 0.5,
    "leak_rate": 2.0,
    "pyrogen_ifn_weight": 0.2,
    "macrophage_deactivation": 1.2,
    "rux_ic50_macrophage_activation": 40.0,
    "rux_ic50_ifn_release": 150.0,
}
CAR_T_FLOOR = 132.0  # cells/µL: half the hand-chosen twin's peak (264 on day 9)
FAILED = 1000.0
PRIOR_WEIGHT = 0.01


def run_case(case, workdir):
    """Run one candidate; return (twin JSON, episodes of its simulated record) or None if it failed."""
    case_file, timeline = workdir / "candidate.json", workdir / "candidate.timeline.json"
    case_file.write_text(json.dumps(case, indent=2, ensure_ascii=False))
    twin = subprocess.run([str(CRSGUARD), "twin", str(case_file), "--json", "--timeline-out", str(timeline)],
                          capture_output=True, text=True, cwd=ROOT)
    if twin.returncode != 0:
        return None
    episodes = subprocess.run([str(CRSGUARD), "episodes", str(timeline), "--json"], capture_output=True, text=True)
    if episodes.returncode != 0:
        return None
    return json.loads(twin.stdout), json.loads(episodes.stdout)["patients"][0]["episodes"]


def hours(t):
    return t["hours_since_infusion"] / 24.0


def course_facts(twin, episodes):
    """What the loss and the report need, from the twin's summary, its days and the grader's episodes."""
    s = twin["summary"]
    days = {d["day"]: d["simulated"] for d in twin["days"]}
    grades = [(day, sim["crs_grade"] or 0) for day, sim in sorted(days.items())]
    first = lambda g: next((day for day, grade in grades if grade >= g), None)
    rux = s["first_ruxolitinib_day"]
    # The episode ruxolitinib was given in, and any that began after it resolved.
    treated = next((e for e in episodes if rux is not None and hours(e["onset"]) <= rux
                    and (e.get("resolution") is None or hours(e["resolution"]) > rux)), None)
    resolution = None
    if treated is not None and treated.get("resolution") is not None:
        resolution = hours(treated["resolution"])
    later = [e for e in episodes if treated is not None and hours(e["onset"]) > hours(treated["onset"])]
    return {
        "max_grade": s["max_crs_grade"] or 0,
        "first_grade3_day": first(3),
        "first_grade4_day": first(4),
        "tmax_day5": days.get(5, {}).get("max_temperature_celsius") or 36.8,
        "first_tocilizumab_day": s["first_tocilizumab_day"],
        "first_steroid_day": s["first_steroid_day"],
        "first_ruxolitinib_day": rux,
        "resolution_day": resolution,
        "later_episodes": [(hours(e["onset"]), e["duration_days"] or 28.0) for e in later],
        "car_t_peak_per_ul": s["car_t_peak_per_ul"],
        "car_t_peak_day": s["car_t_peak_day"],
        "il6_peak_pg_per_ml": s["il6_peak_pg_per_ml"],
        "il6_peak_day": s["il6_peak_day"],
        "leukaemia_log10_reduction": s["leukaemia_log10_reduction"],
        "daily_grades": [g for _, g in grades],
    }


def outside(x, lo, hi):
    """Distance of x from the interval [lo, hi)."""
    return max(0.0, lo - x, x - hi)


def loss_terms(f, car_t_floor):
    rux, steroid, g3, g4 = f["first_ruxolitinib_day"], f["first_steroid_day"], f["first_grade3_day"], f["first_grade4_day"]
    t = {
        "grade": 2.0 * max(0, 4 - f["max_grade"]),
        "g4_day": outside(g4, 4, 6) if g4 is not None else 1.0,
        "fever5": 0.5 * max(0.0, 40.1 - f["tmax_day5"]),
        "g3_before": (max(0, g3 - 4) if g3 is not None else 2.0) + (0 if g3 is not None and g4 is not None and g3 < g4 else 1),
        "order": 0.0 if rux is not None and steroid is not None and steroid < rux else 1.0,
        "rux_day": outside(rux, 5, 8) if rux is not None else 3.0,
    }
    if rux is None:
        t["resolve"] = 3.0
    elif f["resolution_day"] is None:
        t["resolve"] = 2.0 * (28.0 - rux)
    else:
        t["resolve"] = 2.0 * max(0.0, f["resolution_day"] - rux - 1.0)
    t["relapse"] = sum(1.0 + duration for _, duration in f["later_episodes"])
    t["response"] = max(0.0, 4.0 - f["leukaemia_log10_reduction"])
    t["expansion"] = max(0.0, 1.0 - f["car_t_peak_per_ul"] / car_t_floor)
    return t


def prior_term(values, model):
    total = 0.0
    for name, v in values.items():
        p = model[name]
        cv = (p.get("cv_percent") or 0) / 100.0
        sigma = math.sqrt(math.log(1 + cv * cv)) if cv > 0 else 1.0
        total += ((math.log(v) - math.log(p["value"])) / sigma) ** 2
    return PRIOR_WEIGHT * total


class Objective:
    def __init__(self, case, model, car_t_floor, workdir):
        self.case, self.model, self.floor, self.workdir = case, model, car_t_floor, workdir
        self.evaluations, self.cache = 0, {}

    def with_values(self, values):
        case = json.loads(json.dumps(self.case))
        for name, v in values.items():
            case["parameters"].setdefault(name, {"why": "fitted by scripts/fit_twin.py"})["value"] = v
        return case

    def __call__(self, values):
        key = tuple(sorted(values.items()))
        if key not in self.cache:
            self.evaluations += 1
            result = run_case(self.with_values(values), self.workdir)
            if result is None:
                self.cache[key] = (FAILED, None, None)
            else:
                facts = course_facts(*result)
                terms = loss_terms(facts, self.floor)
                terms["prior"] = prior_term(values, self.model)
                self.cache[key] = (sum(terms.values()), terms, facts)
        return self.cache[key]


def to_value(u, spec):
    lo, hi, log = spec[0], spec[1], spec[2]
    return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if log else lo + u * (hi - lo)


def to_unit(v, spec):
    lo, hi, log = spec[0], spec[1], spec[2]
    v = min(max(v, lo), hi)
    return (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) if log else (v - lo) / (hi - lo)


def round3(v):
    """Three significant figures: what the case file keeps."""
    return float(f"{v:.3g}")


def unit_values(u, specs):
    return {n: round3(to_value(u[n], specs[n])) for n in specs}


def coordinate_search(objective, specs, u, max_evals):
    """Compass search on the unit cube from u: try ±step along each parameter in turn, keep any
    improvement, halve the step when a whole sweep finds none. Candidates are rounded to what the file
    will keep, so the loss printed is the loss of the file written."""
    names = list(specs)
    values = lambda uu: unit_values(uu, specs)
    best, _, _ = objective(values(u))
    step = 0.25
    while step >= 1.0 / 128 and objective.evaluations < max_evals:
        improved = False
        for n in names:
            for direction in (+1, -1):
                trial = dict(u, **{n: min(1.0, max(0.0, u[n] + direction * step))})
                loss, _, _ = objective(values(trial))
                if loss < best - 1e-12:
                    best, u, improved = loss, trial, True
                    break
        if not improved:
            step /= 2
    return values(u), best


def search(objective, specs, start, samples, starts, max_evals, seed):
    """The loss is piecewise constant in places (grades are whole numbers) and has several basins, so:
    the start and `samples` seeded random points of the unit cube, then a compass search from each of the
    `starts` best of them, each with an equal share of the remaining evaluations."""
    rng = random.Random(seed)
    points = [{n: to_unit(start[n], specs[n]) for n in specs}]
    points += [{n: rng.random() for n in specs} for _ in range(samples)]
    ranked = sorted(points, key=lambda u: objective(unit_values(u, specs))[0])[:starts]
    best, best_loss = None, math.inf
    for i, u in enumerate(ranked):
        budget = objective.evaluations + (max_evals - objective.evaluations) // (starts - i)
        values, loss = coordinate_search(objective, specs, u, budget)
        if loss < best_loss:
            best, best_loss = values, loss
    return best


def print_result(title, values, result, specs):
    loss, terms, facts = result
    print(f"{title}: loss {loss:.4f}")
    for n, v in values.items():
        print(f"  {n:32s} {v:<12g} [{specs[n][0]:g}, {specs[n][1]:g}]{' log' if specs[n][2] else ''}")
    if terms is None:
        print("  (the run failed)")
        return
    print("  terms: " + ", ".join(f"{k} {v:.3f}" for k, v in terms.items()))
    rux, res = facts["first_ruxolitinib_day"], facts["resolution_day"]
    print(f"  max grade {facts['max_grade']} (first grade ≥ 3 on day {facts['first_grade3_day']}, grade 4 on day "
          f"{facts['first_grade4_day']}), Tmax day 5 {facts['tmax_day5']} °C; daily grades {facts['daily_grades']}")
    print(f"  first tocilizumab {facts['first_tocilizumab_day']}, steroid {facts['first_steroid_day']}, "
          f"ruxolitinib {rux}; resolution day {res}"
          + (f" ({res - rux:.2f} d after ruxolitinib)" if res is not None and rux is not None else "")
          + f"; later episodes {facts['later_episodes']}")
    print(f"  CAR-T peak {facts['car_t_peak_per_ul']:.0f} cells/µL on day {facts['car_t_peak_day']:.1f}; IL-6 peak "
          f"{facts['il6_peak_pg_per_ml']:.0f} pg/mL on day {facts['il6_peak_day']:.1f}; leukaemia "
          f"{facts['leukaemia_log10_reduction']:.1f} log10")


def parse_fit(text, model):
    parts = text.split(":")
    if len(parts) not in (3, 4) or parts[0] not in model:
        raise SystemExit(f"--fit {text}: expected NAME:LO:HI[:lin] with NAME a model parameter")
    log = not (len(parts) == 4 and parts[3] == "lin")
    return parts[0], (float(parts[1]), float(parts[2]), log, "fitted")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", help="a crsguard.sim-case/1 file")
    ap.add_argument("--fit", action="append", default=[], help="NAME:LO:HI[:lin] (log scale unless lin)")
    ap.add_argument("--evals", type=int, default=800, help="about this many simulations in all")
    ap.add_argument("--samples", type=int, default=100, help="seeded random points before the local searches")
    ap.add_argument("--starts", type=int, default=3, help="local searches, from the best points so far")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random points")
    ap.add_argument("--car-t-floor", type=float, default=CAR_T_FLOOR, help="CAR-T peak floor, cells/µL")
    ap.add_argument("--eval", action="store_true", help="only print the loss of the case as it stands")
    ap.add_argument("--write", metavar="OUT", help="write the fitted case file here")
    args = ap.parse_args()

    case = json.loads(Path(args.case).read_text())
    model = json.loads(MODEL.read_text())["parameters"]
    specs = dict(parse_fit(f, model) for f in args.fit) if args.fit else DEFAULT_FIT
    TMP.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=TMP) as workdir:
        objective = Objective(case, model, args.car_t_floor, Path(workdir))
        current = {n: case["parameters"].get(n, model[n])["value"] for n in specs}
        print_result("the case as it stands", current, objective(current), specs)
        if args.eval:
            return 0
        start = {n: DEFAULT_START.get(n, current[n]) if not args.fit else current[n] for n in specs}
        print_result("start", start, objective(start), specs)
        best = search(objective, specs, start, args.samples, args.starts, args.evals, args.seed)
        print_result(f"best after {objective.evaluations} simulations", best, objective(best), specs)
    if args.write:
        for n, v in best.items():
            entry = case["parameters"].setdefault(n, {})
            entry["value"] = v
            entry["why"] = f"fitted by scripts/fit_twin.py: {specs[n][3]}"
        Path(args.write).write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

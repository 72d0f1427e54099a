#!/usr/bin/env bash
# The patient model's open-loop 28-day treated course (bench/sim_bench.cpp's course: tocilizumab 560 mg
# over 1 h at day 2, methylprednisolone 70 mg iv at days 3 and 4, ruxolitinib 10 mg po every 12 h from
# day 4.5 to day 10, read daily) for many virtual patients, crsguard against deSolve in the same run:
#   draws:    bench/sim_course_driver draws: PATIENTS parameter sets from models/patient.json, each
#             parameter with a CV log-normally scaled (seed SEED), written to one CSV file that both read
#   crsguard: sim_course_driver solve: Dormand–Prince at rtol 1e-6, every patient, best of 3 runs
#   R:        the model of scripts/patient_model_desolve.R with deSolve's lsoda at rtol 1e-6 (the same
#             per-state atol), patients in file order until R_SECONDS have passed
# and prints both rates (patients/s, building each patient's model included, reading the file not), the
# ratio, and the first patient's day-28 states from both, which must agree to 1e-3 relative, else the
# script fails: both solve to rtol 1e-6 per step, and leukaemia, killed by eight orders of magnitude,
# carries ~1e-4 of global error at day 28 (the other states ~1e-6).
#
#   bench/sim_vs_desolve.sh [BUILD_DIR [PATIENTS [R_SECONDS [SEED]]]]
#     BUILD_DIR  a Release build holding bench/sim_course_driver (default: build-bench)
#     PATIENTS   default 2000;  R_SECONDS  default 60;  SEED  default 20261123
# Needs: Rscript with deSolve and jsonlite.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
patients=${2:-2000}
r_seconds=${3:-60}
seed=${4:-20261123}
driver="$build/bench/sim_course_driver"
[ -x "$driver" ] || { echo "no $driver: cmake --build $build --target sim_course_driver" >&2; exit 2; }
work=$(mktemp -d /tmp/crsguard-sim-XXXXXX)
trap 'rm -rf "$work"' EXIT
draws="$work/draws.csv"

"$driver" draws models/patient.json "$patients" "$seed" "$draws"
c_out=$("$driver" solve "$draws" 3)

r_out=$(Rscript - "$draws" "$r_seconds" <<'RSCRIPT'
source("scripts/patient_model_desolve.R")
args <- commandArgs(trailingOnly = TRUE)
draws <- read.csv(args[1])
budget <- as.numeric(args[2])
doses <- rbind(
  data.frame(drug = "tocilizumab", route = "iv", time = 2, mg = 560, duration = 1 / 24),
  data.frame(drug = "methylprednisolone", route = "iv", time = c(3, 4), mg = 70, duration = 0),
  data.frame(drug = "ruxolitinib", route = "po", time = seq(4.5, 10, by = 0.5), mg = 10, duration = 0))
covariates <- patient_covariates()
atol <- patient_absolute_tolerances(1e2, 1e-8)
days <- 1:28
solved <- 0
first <- NULL
start <- proc.time()[["elapsed"]]
while (solved < nrow(draws) && proc.time()[["elapsed"]] - start < budget) {
  p <- unlist(draws[solved + 1, ])
  states <- solve_patient_course(p, covariates, patient_dose_schedule(p, doses), days, 1e-6, atol)
  if (solved == 0) first <- states[length(days), ]
  solved <- solved + 1
}
seconds <- proc.time()[["elapsed"]] - start
cat(sprintf("patients %d\n", solved))
cat(sprintf("seconds %.6f\n", seconds))
cat(sprintf("patients_per_second %.3f\n", solved / seconds))
for (name in names(first)) cat(sprintf("first_%s %.17g\n", name, first[[name]]))
cat(sprintf("version R %s, deSolve %s\n", paste(R.version$major, R.version$minor, sep = "."), packageVersion("deSolve")))
RSCRIPT
)
value() { echo "$1" | awk -v key="$2" '$1 == key { print $2 }'; }
echo "crsguard (Dormand–Prince): $(value "$c_out" patients) patients in $(value "$c_out" seconds) s: $(value "$c_out" patients_per_second) patients/s"
echo "R (deSolve lsoda):         $(value "$r_out" patients) patients in $(value "$r_out" seconds) s: $(value "$r_out" patients_per_second) patients/s ($(echo "$r_out" | grep '^version' | cut -d' ' -f2-))"
awk -v c="$(value "$c_out" patients_per_second)" -v r="$(value "$r_out" patients_per_second)" \
  'BEGIN { printf "ratio crsguard / R: %.0f×\n", c / r }'
# The first patient's day-28 state, both ways: a state near 0 in both (a drug long gone) is not compared.
status=0
for state in car_t_effector car_t_memory leukaemia normal_b_cells il6 crp ferritin vascular_leak tcz_central car_t_auc \
             rux_eliminated tcz_eliminated mp_eliminated; do
  c=$(value "$c_out" "first_$state")
  r=$(value "$r_out" "first_$state")
  awk -v s="$state" -v c="$c" -v r="$r" 'BEGIN {
    d = (c - r) / r; if (d < 0) d = -d
    printf "  first patient, day 28, %-16s crsguard %.8g, R %.8g (relative difference %.1e)\n", s, c, r, d
    exit d > 1e-3 }' || { echo "  $state differs" >&2; status=1; }
done
exit $status

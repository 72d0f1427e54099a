# Reference courses of the patient model (src/sim/patient_model.hpp) from deSolve's lsoda (deSolve 1.34
# on R 4.2; written with those), solving the R transcription of the model in
# scripts/patient_model_desolve.R with the parameter values of models/patient.json as they are now.
# Two cases of the typical patient (PatientCovariates' defaults, 2.1e8 = 3e6/kg × 70 kg CAR-T cells,
# 50 % marrow blasts): untreated, and treated (tocilizumab 560 mg over 1 h at day 2, methylprednisolone
# 70 mg iv at days 3 and 4, ruxolitinib 10 mg po every 12 h from day 4.5 to day 10). Every state at
# days 0.5 … 28; at a dose's own time, the state just before the dose.
# The fixture holds the parameter values, covariates and doses beside lsoda's answer, so that the C++
# test (tests/sim/desolve_reference_test.cpp) solves exactly the problem R solved.
#   Rscript tests/oracles/patient_model_desolve.R tests/data/oracles/patient_model_desolve.json
# Files are found from this script's own place, so it runs from any folder (the oracle_reproducible
# test runs it in the build tree). Numbers as sprintf("%.17g").
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript patient_model_desolve.R OUT.json")
script <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
if (length(script) != 1) stop("run this file with Rscript")
source_root <- normalizePath(file.path(dirname(script), "..", ".."))
source(file.path(source_root, "scripts", "patient_model_desolve.R"))

model_file <- "models/patient.json"
p <- read_patient_parameters(file.path(source_root, model_file))
covariates <- patient_covariates(car_t_dose_cells = 3e6 * 70, marrow_blasts_percent = 50)
times <- c(0.5, 1, 2, 3, 5, 7, 10, 14, 21, 28)
relative_tolerance <- 1e-10
# atol = 1e-10 × a state scale: 1e8 cells for the cell amounts (doses of 1e8, burdens to 1e12), 1e-2 in
# each state's unit for the rest (cytokines in pg/mL, drug amounts in mg, indices near 1).
absolute_cells <- 1e-2
absolute_other <- 1e-12
absolute <- patient_absolute_tolerances(absolute_cells, absolute_other)

no_doses <- data.frame(drug = character(0), route = character(0), time = numeric(0), mg = numeric(0),
                       duration = numeric(0))
tocilizumab_hours <- 1
treated_doses <- rbind(
  data.frame(drug = "tocilizumab", route = "iv", time = 2, mg = 560, duration = tocilizumab_hours / 24),
  data.frame(drug = "methylprednisolone", route = "iv", time = c(3, 4), mg = 70, duration = 0),
  data.frame(drug = "ruxolitinib", route = "po", time = seq(4.5, 10, by = 0.5), mg = 10, duration = 0))
cases <- list(list(name = "untreated", doses = no_doses), list(name = "treated", doses = treated_doses))

num <- function(x) sprintf("%.17g", x)
str <- function(s) paste0("\"", s, "\"")
vec <- function(v) paste0("[", paste(vapply(as.numeric(v), num, ""), collapse = ", "), "]")
strs <- function(v) paste0("[", paste(vapply(v, str, ""), collapse = ", "), "]")
field <- function(name, value) sprintf("\"%s\": %s", name, value)
object <- function(...) paste0("{", paste(c(...), collapse = ", "), "}")
array <- function(items, indent = "    ") {
  if (length(items) == 0) return("[]")
  paste0("[\n", indent, paste(items, collapse = paste0(",\n", indent)), "\n", substr(indent, 3, nchar(indent)), "]")
}

case_items <- vapply(cases, function(case) {
  schedule <- patient_dose_schedule(p, case$doses)
  states <- solve_patient_course(p, covariates, schedule, times, relative_tolerance, absolute)
  doses <- vapply(seq_len(nrow(case$doses)), function(i) {
    d <- case$doses[i, ]
    object(field("drug", str(d$drug)), field("route", str(d$route)), field("time", num(d$time)),
           field("mg", num(d$mg)), field("duration_days", num(d$duration)))
  }, "")
  paste0("{\n      ", field("name", str(case$name)), ",\n      ",
         field("doses", array(doses, "        ")), ",\n      ",
         field("states", array(apply(states, 1, vec), "        ")), "\n    }")
}, "")

parameters <- paste0("{\n    ", paste(vapply(names(p), function(n) field(n, num(p[[n]])), ""), collapse = ",\n    "), "\n  }")
out <- paste0("{\n",
  "  ", field("generator", str(sprintf("tests/oracles/patient_model_desolve.R, %s, deSolve %s lsoda", R.version.string,
                                       packageVersion("deSolve")))), ",\n",
  "  ", field("model_file", str(model_file)), ",\n",
  "  ", field("parameters", parameters), ",\n",
  "  ", field("covariates", object(field("weight_kg", num(covariates$weight_kg)), field("bsa_m2", num(covariates$bsa_m2)),
                                   field("female", if (covariates$female) "true" else "false"),
                                   field("marrow_blasts_percent", num(covariates$marrow_blasts_percent)),
                                   field("car_t_dose_cells", num(covariates$car_t_dose_cells)))), ",\n",
  "  ", field("relative_tolerance", num(relative_tolerance)), ",\n",
  "  ", field("absolute_tolerance_cells", num(absolute_cells)), ",\n",
  "  ", field("absolute_tolerance_other", num(absolute_other)), ",\n",
  "  ", field("state_names", strs(patient_state_names)), ",\n",
  "  ", field("times", vec(times)), ",\n",
  "  ", field("cases", array(case_items)), "\n}\n")
writeLines(out, args[1], sep = "")

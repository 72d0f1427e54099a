# The patient-mode model of src/sim/patient_model.{hpp,cpp} (../shared/spec/model.md §2) written again
# in R for deSolve (Soetaert, Petzoldt & Setzer, J Stat Softw 2010;33(9)), as an independent reference:
# the oracle tests/oracles/patient_model_desolve.R and the speed comparison bench/sim_vs_desolve.sh
# source this file. Sourcing it only defines functions.
#
# KEEP IN SYNC with src/sim/patient_model.cpp: patient_constants() mirrors PatientModel's constructor,
# patient_initial_state() its initial_state(), patient_rhs_function() its rhs() line for line (same state
# order and names). Parameter values are never written here: they are read from models/patient.json.
#
# Time in days, drug amounts in mg, as in the C++ model. Drug inputs (zero-order infusions, mg/d) are the
# deSolve `parms` of the RHS: c(tocilizumab =, dexamethasone =, methylprednisolone =).
suppressPackageStartupMessages({
  library(deSolve)
  library(jsonlite)
})

patient_state_names <- c(
  "car_t_effector", "car_t_memory", "leukaemia", "normal_b_cells", "macrophage_activation",
  "ifn_gamma", "il6", "il10", "tnf_alpha", "crp", "ferritin", "pyrogen", "vascular_leak",
  "rux_gut", "rux_central", "tcz_central", "tcz_peripheral", "dex_gut", "dex_central", "mp_central", "gc_effect",
  "car_t_auc", "rux_eliminated", "tcz_eliminated", "dex_eliminated", "mp_eliminated")

# The typical values of a parameter file (format crsguard.sim-parameters/1) as a named numeric vector, in
# the file's order.
read_patient_parameters <- function(path) {
  file <- fromJSON(path, simplifyVector = FALSE)
  if (!identical(file$model, "patient")) stop(path, ": not a patient-model parameter file")
  vapply(file$parameters, function(entry) as.numeric(entry$value), numeric(1))
}

# PatientCovariates' defaults (src/sim/patient_model.hpp), overridden by name.
patient_covariates <- function(...) {
  covariates <- list(weight_kg = 70, bsa_m2 = 1.8, female = FALSE, marrow_blasts_percent = 50,
                     car_t_dose_cells = 2.1e8)
  overrides <- list(...)
  unknown <- setdiff(names(overrides), names(covariates))
  if (length(unknown) > 0) stop("unknown covariates: ", paste(unknown, collapse = ", "))
  covariates[names(overrides)] <- overrides
  covariates
}

# The helpers of patient_model.cpp's anonymous namespace.
.inhibition <- function(imax, concentration, ic50) if (concentration <= 0) 0 else imax * concentration / (ic50 + concentration)
.saturation <- function(x, ec50) if (x <= 0) 0 else x / (ec50 + x)
.hill <- function(x, ec50, n) {
  if (x <= 0) return(0)
  r <- (x / ec50)^n
  r / (1 + r)
}
.signal_of <- function(p, il6, occupancy, rux_inhibition) {
  .saturation(il6, p[["il6_signal_ec50"]]) * (1 - occupancy) * (1 - rux_inhibition)
}

# PatientModel::initial_state().
patient_initial_state <- function(p, covariates) {
  y <- setNames(numeric(length(patient_state_names)), patient_state_names)
  y[["car_t_effector"]] <- covariates$car_t_dose_cells
  y[["leukaemia"]] <- covariates$marrow_blasts_percent / 100 * p[["leukaemia_cells_full_marrow"]]
  y[["normal_b_cells"]] <- p[["normal_b_cells_initial"]]
  y[["ifn_gamma"]] <- p[["ifn_gamma_baseline"]]
  y[["il6"]] <- p[["il6_baseline"]]
  y[["il10"]] <- p[["il10_baseline"]]
  y[["tnf_alpha"]] <- p[["tnf_baseline"]]
  y[["crp"]] <- p[["crp_baseline"]]
  y[["ferritin"]] <- p[["ferritin_baseline"]]
  signal <- .signal_of(p, p[["il6_baseline"]], 0, 0)
  y[["pyrogen"]] <- p[["pyrogen_il6_weight"]] * signal +
    p[["pyrogen_tnf_weight"]] * .saturation(p[["tnf_baseline"]], p[["pyrogen_tnf_ec50"]]) +
    p[["pyrogen_ifn_weight"]] * .saturation(p[["ifn_gamma_baseline"]], p[["pyrogen_ifn_ec50"]])
  y[["vascular_leak"]] <- 1 + p[["leak_gain"]] * (p[["leak_il6_weight"]] * signal +
    p[["leak_tnf_weight"]] * .saturation(p[["tnf_baseline"]], p[["leak_tnf_ec50"]]) +
    p[["leak_ifn_weight"]] * .saturation(p[["ifn_gamma_baseline"]], p[["leak_ifn_ec50"]]))
  y
}

# PatientModel's constructor: individual PK constants per day (allometry, Frey 2010 BSA scaling), the
# zero-order inputs that hold each marker at its baseline, and the effect states' untreated baselines.
patient_constants <- function(p, covariates) {
  hours_per_day <- 24
  size_ratio <- covariates$weight_kg / p[["reference_weight"]]
  clearance_scale <- size_ratio^p[["clearance_weight_exponent"]]
  rux_cl <- p[["rux_clearance"]] * clearance_scale
  rux_v <- p[["rux_volume"]] * size_ratio
  dex_cl <- p[["dex_clearance"]] * clearance_scale
  dex_v <- p[["dex_volume"]] * size_ratio
  mp_cl <- p[["mp_clearance_per_kg"]] * covariates$weight_kg
  mp_v <- p[["mp_volume_per_kg"]] * covariates$weight_kg
  bsa_ratio <- covariates$bsa_m2 / p[["tcz_reference_bsa"]]
  tcz_scale <- bsa_ratio^p[["tcz_bsa_exponent"]]
  k <- list()
  k$rux_ka <- p[["rux_absorption_rate"]] * hours_per_day
  k$rux_k <- rux_cl / rux_v * hours_per_day
  k$tcz_cl <- p[["tcz_clearance"]] * tcz_scale * (if (covariates$female) p[["tcz_female_clearance_factor"]] else 1)
  k$tcz_v1 <- p[["tcz_central_volume"]] * bsa_ratio
  k$tcz_q <- p[["tcz_intercompartmental_clearance"]] * tcz_scale
  k$tcz_v2 <- p[["tcz_peripheral_volume"]] * bsa_ratio
  k$dex_ka <- p[["dex_absorption_rate"]] * hours_per_day
  k$dex_k <- dex_cl / dex_v * hours_per_day
  k$dex_v <- dex_v
  k$mp_k <- mp_cl / mp_v * hours_per_day
  k$mp_v <- mp_v
  k$gc_ke0 <- p[["gc_effect_equilibration"]] * hours_per_day
  k$rux_volume <- rux_v
  il6_clearance <- p[["il6_linear_clearance"]] + p[["il6_receptor_clearance"]]
  k$il6_input <- il6_clearance * p[["il6_baseline"]]
  k$ifn_input <- p[["ifn_gamma_elimination"]] * p[["ifn_gamma_baseline"]]
  k$il10_input <- p[["il10_elimination"]] * p[["il10_baseline"]]
  k$tnf_input <- p[["tnf_elimination"]] * p[["tnf_baseline"]]
  signal0 <- .signal_of(p, p[["il6_baseline"]], 0, 0)
  k$crp_input <- p[["crp_elimination"]] * p[["crp_baseline"]] / (1 + p[["crp_il6_gain"]] * signal0)
  ferritin_drive0 <- p[["ferritin_ifn_gain"]] * .saturation(p[["ifn_gamma_baseline"]], p[["ferritin_ifn_ec50"]])
  k$ferritin_input <- p[["ferritin_elimination"]] * p[["ferritin_baseline"]] / (1 + ferritin_drive0)
  k$blood_volume_ul <- p[["blood_volume_per_kg"]] * covariates$weight_kg * 1000
  y0 <- patient_initial_state(p, covariates)
  k$pyrogen_baseline <- y0[["pyrogen"]]
  k$leak_baseline <- y0[["vascular_leak"]]
  k
}

# PatientModel::rhs() as a deSolve function(t, y, parms) returning list(dydt); parms holds the drug
# inputs (mg/d). The parameters and constants are bound once into the closure's environment, so that
# each evaluation looks them up by hash rather than by scanning a list.
patient_rhs_function <- function(p, k) {
  P <- list2env(as.list(p))
  K <- list2env(k)
  saturation <- .saturation
  inhibition <- .inhibition
  hill <- .hill
  mg_per_l_to_ng_per_ml <- 1000
  function(t, y, parms) {
    ce <- y[[1]]; cm <- y[[2]]; leukaemia <- y[[3]]; b_cells <- y[[4]]; activation <- y[[5]]
    ifn <- y[[6]]; il6 <- y[[7]]; il10 <- y[[8]]; tnf <- y[[9]]; crp <- y[[10]]; ferritin <- y[[11]]
    pyrogen <- y[[12]]; leak <- y[[13]]; rux_gut <- y[[14]]; rux_central <- y[[15]]; tcz_central <- y[[16]]
    tcz_peripheral <- y[[17]]; dex_gut <- y[[18]]; dex_central <- y[[19]]; mp_central <- y[[20]]
    gc_effect <- y[[21]]

    # Ruxolitinib on the unbound scale: potencies are quoted on total plasma, so IC50u = fu · IC50.
    fu <- P$rux_unbound_fraction
    rux_unbound <- fu * max(rux_central, 0) / K$rux_volume * 1e6 / P$rux_molar_mass
    rux_signalling <- inhibition(P$rux_imax_signalling, rux_unbound, fu * P$rux_ic50_signalling)
    rux_activation <- inhibition(P$rux_imax_macrophage_activation, rux_unbound, fu * P$rux_ic50_macrophage_activation)
    rux_ifn <- inhibition(P$rux_imax_ifn_release, rux_unbound, fu * P$rux_ic50_ifn_release)
    rux_prolif <- inhibition(P$rux_imax_proliferation, rux_unbound, fu * P$rux_ic50_proliferation)
    rux_kill <- inhibition(P$rux_imax_killing, rux_unbound, fu * P$rux_ic50_killing)
    rux_myeloid <- inhibition(P$rux_imax_myeloid_production, rux_unbound, fu * P$rux_ic50_myeloid_production)

    tcz_conc <- max(tcz_central, 0) / K$tcz_v1
    occupancy <- saturation(tcz_conc, P$tcz_receptor_half_occupancy)

    gc <- saturation(gc_effect, P$gc_ec50)
    gc_myeloid <- P$gc_imax_myeloid_production * gc
    gc_activation <- P$gc_imax_macrophage_activation * gc
    gc_ifn <- P$gc_imax_ifn_release * gc
    gc_prolif <- P$gc_imax_proliferation * gc

    prolif_left <- (1 - rux_prolif) * (1 - gc_prolif)
    myeloid_left <- (1 - rux_myeloid) * (1 - gc_myeloid)

    antigen <- max(leukaemia + b_cells, 0)
    stimulation <- antigen / (P$antigen_half_saturation + antigen)
    kill_per_target <- P$kill_rate_max * (1 - rux_kill) * saturation(ce, P$kill_half_saturation)
    killing <- kill_per_target * antigen

    # Homeostatic space bounds the expansion (Kimmel 2021's carrying capacity, in a saturating form).
    crowding <- P$car_t_capacity / (P$car_t_capacity + max(ce, 0) + max(cm, 0))
    d_ce <- P$car_t_proliferation_max * stimulation * prolif_left * crowding * ce -
      (P$car_t_effector_loss + P$car_t_effector_to_memory) * ce -
      P$car_t_exhaustion * stimulation * ce +
      P$car_t_memory_reactivation * stimulation * cm
    d_cm <- P$car_t_effector_to_memory * ce - P$car_t_memory_reactivation * stimulation * cm -
      P$car_t_memory_loss * cm
    d_leukaemia <- P$leukaemia_growth * leukaemia - kill_per_target * leukaemia
    d_b_cells <- P$normal_b_cells_initial * P$normal_b_cell_turnover -
      P$normal_b_cell_turnover * b_cells - kill_per_target * b_cells

    activation_drive <-
      P$macrophage_ifn_weight * saturation(ifn - P$ifn_gamma_baseline, P$macrophage_ifn_ec50) * (1 - rux_activation) +
      P$macrophage_kill_weight * hill(killing, P$macrophage_kill_ec50, P$macrophage_kill_hill)
    d_activation <- P$macrophage_activation_rate * activation_drive * (1 - activation) * (1 - gc_activation) -
      P$macrophage_deactivation * activation

    signal <- saturation(il6, P$il6_signal_ec50) * (1 - occupancy) * (1 - rux_signalling)
    d_ifn <- P$ifn_gamma_production * ce * stimulation * (1 - rux_ifn) * (1 - gc_ifn) -
      P$ifn_gamma_elimination * ifn + K$ifn_input
    d_il6 <- P$il6_production * activation * (1 + P$il6_feedback * signal) * myeloid_left -
      (P$il6_linear_clearance + P$il6_receptor_clearance * (1 - occupancy)) * il6 + K$il6_input
    d_il10 <- P$il10_myeloid_production * activation + P$il10_t_cell_production * ce * stimulation -
      P$il10_elimination * il10 + K$il10_input
    d_tnf <- P$tnf_production * activation * myeloid_left - P$tnf_elimination * tnf + K$tnf_input

    d_crp <- K$crp_input * (1 + P$crp_il6_gain * signal) - P$crp_elimination * crp
    d_ferritin <- K$ferritin_input * (1 + P$ferritin_activation_gain * activation +
                                        P$ferritin_ifn_gain * saturation(ifn, P$ferritin_ifn_ec50)) -
      P$ferritin_elimination * ferritin

    pyrogen_drive <- P$pyrogen_il6_weight * signal + P$pyrogen_tnf_weight * saturation(tnf, P$pyrogen_tnf_ec50) +
      P$pyrogen_ifn_weight * saturation(ifn, P$pyrogen_ifn_ec50)
    d_pyrogen <- P$pyrogen_equilibration * (pyrogen_drive - pyrogen)
    leak_drive <- P$leak_il6_weight * signal + P$leak_tnf_weight * saturation(tnf, P$leak_tnf_ec50) +
      P$leak_ifn_weight * saturation(ifn, P$leak_ifn_ec50)
    d_leak <- P$leak_rate * (1 + P$leak_gain * leak_drive) - P$leak_rate * leak

    rux_absorbed <- K$rux_ka * rux_gut
    rux_cleared <- K$rux_k * rux_central

    tcz_linear <- K$tcz_cl * tcz_conc
    tcz_saturable <- P$tcz_vmax * tcz_conc / (P$tcz_km + tcz_conc)
    tcz_distribution <- K$tcz_q * (tcz_conc - max(tcz_peripheral, 0) / K$tcz_v2)

    dex_absorbed <- K$dex_ka * dex_gut
    dex_cleared <- K$dex_k * dex_central
    mp_cleared <- K$mp_k * mp_central
    dex_equivalent <- (dex_central / K$dex_v + P$mp_dex_equivalence * mp_central / K$mp_v) * mg_per_l_to_ng_per_ml

    list(c(d_ce, d_cm, d_leukaemia, d_b_cells, d_activation,
           d_ifn, d_il6, d_il10, d_tnf, d_crp, d_ferritin, d_pyrogen, d_leak,
           -rux_absorbed, rux_absorbed - rux_cleared,
           parms[["tocilizumab"]] - tcz_linear - tcz_saturable - tcz_distribution, tcz_distribution,
           -dex_absorbed, parms[["dexamethasone"]] + dex_absorbed - dex_cleared,
           parms[["methylprednisolone"]] - mp_cleared,
           K$gc_ke0 * (dex_equivalent - gc_effect),
           ce + cm, rux_cleared, tcz_linear + tcz_saturable, dex_cleared, mp_cleared))
  }
}

# A dose schedule in model terms: boluses (state, time in days, mg added to that state) and zero-order
# infusions (input of the RHS parms, start and end in days, rate in mg/d).
patient_schedule <- function(boluses = data.frame(var = character(0), time = numeric(0), value = numeric(0)),
                             infusions = data.frame(input = character(0), start = numeric(0), end = numeric(0),
                                                    rate = numeric(0))) {
  list(boluses = boluses, infusions = infusions)
}

# Clinical doses (a data frame of drug, route, time in days, mg, and duration in days for an infusion)
# as the model takes them: ruxolitinib po → rux_gut += mg × F; methylprednisolone iv → mp_central += mg;
# dexamethasone iv → dex_central += mg, po → dex_gut += mg × F; tocilizumab → a zero-order infusion of
# mg / duration mg/d into tcz_central.
patient_dose_schedule <- function(p, doses) {
  boluses <- data.frame(var = character(0), time = numeric(0), value = numeric(0))
  infusions <- data.frame(input = character(0), start = numeric(0), end = numeric(0), rate = numeric(0))
  for (i in seq_len(nrow(doses))) {
    d <- doses[i, ]
    where <- paste(d$drug, d$route)
    if (where == "tocilizumab iv") {
      infusions <- rbind(infusions, data.frame(input = "tocilizumab", start = d$time, end = d$time + d$duration,
                                               rate = d$mg / d$duration))
      next
    }
    bolus <- switch(where,
      "ruxolitinib po" = c("rux_gut", d$mg * p[["rux_bioavailability"]]),
      "methylprednisolone iv" = c("mp_central", d$mg),
      "dexamethasone iv" = c("dex_central", d$mg),
      "dexamethasone po" = c("dex_gut", d$mg * p[["dex_oral_bioavailability"]]),
      stop("no model input for ", where))
    boluses <- rbind(boluses, data.frame(var = bolus[[1]], time = d$time, value = as.numeric(bolus[[2]])))
  }
  patient_schedule(boluses, infusions)
}

# The state at each of `times` (all after t0) under a schedule, by lsoda. The integration is split at
# every infusion start and end (the rate is a parameter of each piece); boluses are deSolve events inside
# a piece, added by hand at a piece's first time. A state at a dose's own time is the state just before
# that dose (deSolve's output at an event time, and what the C++ test does). Returns a matrix, one row
# per time, one column per state.
solve_patient_course <- function(p, covariates, schedule, times, rtol, atol, t0 = 0, maxsteps = 1e6) {
  k <- patient_constants(p, covariates)
  rhs <- patient_rhs_function(p, k)
  y <- patient_initial_state(p, covariates)
  if (any(times <= t0)) stop("output times must be after t0")
  t_end <- max(times)
  infusions <- schedule$infusions
  boluses <- schedule$boluses
  breaks <- sort(unique(c(t0, infusions$start, infusions$end, t_end)))
  breaks <- breaks[breaks >= t0 & breaks <= t_end]
  out <- matrix(NA_real_, length(times), length(y), dimnames = list(NULL, names(y)))
  for (piece in seq_len(length(breaks) - 1)) {
    a <- breaks[piece]
    b <- breaks[piece + 1]
    inputs <- c(tocilizumab = 0, dexamethasone = 0, methylprednisolone = 0)
    running <- infusions[infusions$start <= a & infusions$end > a, , drop = FALSE]
    for (i in seq_len(nrow(running))) inputs[[running$input[i]]] <- inputs[[running$input[i]]] + running$rate[i]
    at_start <- boluses[boluses$time == a, , drop = FALSE]
    for (i in seq_len(nrow(at_start))) y[[at_start$var[i]]] <- y[[at_start$var[i]]] + at_start$value[i]
    inside <- boluses[boluses$time > a & boluses$time < b, , drop = FALSE]
    wanted <- times[times > a & times <= b]
    piece_times <- sort(unique(c(a, wanted, inside$time, b)))
    events <- if (nrow(inside) > 0) {
      list(data = data.frame(var = inside$var, time = inside$time, value = inside$value, method = "add"))
    } else NULL
    solution <- lsoda(y, piece_times, rhs, inputs, rtol = rtol, atol = atol, events = events,
                      maxsteps = maxsteps)
    if (attr(solution, "istate")[1] != 2) stop(sprintf("lsoda failed on [%g, %g] (istate %d)", a, b, attr(solution, "istate")[1]))
    rows <- match(wanted, solution[, "time"])
    out[match(wanted, times), ] <- solution[rows, names(y), drop = FALSE]
    y <- solution[nrow(solution), names(y)]
  }
  out
}

# The absolute tolerance per state: tol for amounts of cells (and cells·d), tol_other for the rest.
patient_absolute_tolerances <- function(tol_cells, tol_other) {
  cells <- c("car_t_effector", "car_t_memory", "leukaemia", "normal_b_cells", "car_t_auc")
  ifelse(patient_state_names %in% cells, tol_cells, tol_other)
}

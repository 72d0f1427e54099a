# Reference values for src/analysis/survival.hpp from R's survival package (3.x; written with 3.5.3 on
# R 4.2): survfit (Kaplan–Meier, Greenwood, conf.type plain / log / log-log), summary(fit, times =),
# the median and its CI of summary(fit)$table (print.survfit), and survdiff (rho = 0). The fixture
# holds each input beside R's answer, so the C++ test (tests/analysis/survival_test.cpp) runs exactly
# the data R saw.
#   Rscript tests/oracles/survival.R tests/data/oracles/survival.json
# Numbers are written with sprintf("%.17g") (no jsonlite); NA and NaN as null, infinities as "Inf".
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript survival.R OUT.json")

num <- function(x) if (is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Inf\"" else "\"-Inf\"") else sprintf("%.17g", x)
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
vec <- function(v) paste0("[", paste(vapply(as.numeric(v), num, ""), collapse = ", "), "]")
strs <- function(v) paste0("[", paste(vapply(v, str, ""), collapse = ", "), "]")
rows <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ", "), "]")  # a matrix as its rows
field <- function(name, value) sprintf("\"%s\": %s", name, value)
object <- function(...) paste0("{", paste(c(...), collapse = ", "), "}")
array <- function(items, indent = "    ") {
  if (length(items) == 0) return("[]")
  paste0("[\n", indent, paste(items, collapse = paste0(",\n", indent)), "\n", substr(indent, 3, nchar(indent)), "]")
}

# Deterministic large data (no random number generator): times with ties and with several binary
# exponents, so that the C++ radix sort (used from 2 048 subjects on) is exercised.
large_n <- 3000
large_i <- 1:large_n
large_time <- ((large_i * 7919) %% 149) / 7 + ((large_i %% 11) == 0) * 1000.25
large_status <- as.integer((large_i %% 3) != 0 | (large_i %% 7) == 0)
large_group <- c("alpha", "beta", "gamma")[((large_i * 7) %/% 5) %% 3 + 1]

all_types <- c("plain", "log", "log-log")
curves <- list(
  # The worked example of ../shared/spec (S = 0.9, 0.8, 0.685714, 0.548571, 0.411429, 0.205714).
  list(name = "standards_example", time = c(1, 2, 2, 3, 4, 5, 6, 7, 8, 9),
       status = c(1, 1, 0, 1, 0, 1, 1, 0, 1, 0), conf = 0.95, types = all_types, at = c(0, 0.5, 2, 5.5, 6, 9, 9.5)),
  list(name = "heavy_ties", time = c(2, 2, 2, 2, 2, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 7, 7, 7, 8, 8),
       status = c(1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0), conf = 0.9, types = all_types,
       at = c(1, 2, 4, 7.5, 8)),
  list(name = "censoring_at_event_times", time = c(1, 1, 1, 2, 2, 3, 3, 3, 4, 6, 6),
       status = c(1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0), conf = 0.95, types = all_types, at = c(1, 3, 5, 6)),
  list(name = "all_censored", time = c(3, 5, 5, 8), status = c(0, 0, 0, 0), conf = 0.95, types = all_types,
       at = c(0, 4, 8, 9)),
  list(name = "single_event", time = c(4), status = c(1), conf = 0.95, types = all_types, at = c(0, 3, 4, 5)),
  list(name = "single_censored", time = c(4), status = c(0), conf = 0.95, types = all_types, at = c(0, 3, 4, 5)),
  list(name = "reaches_zero", time = c(1, 2, 3, 3, 4, 4), status = c(1, 0, 1, 0, 1, 1), conf = 0.95,
       types = all_types, at = c(2.5, 4, 4.5)),
  # S = 1/2 exactly from day 3 (a censoring at 4) to the event at 5: the median is (3 + 5)/2.
  list(name = "flat_at_half", time = c(1, 2, 3, 4, 5, 6), status = c(1, 1, 1, 0, 1, 1), conf = 0.95,
       types = all_types, at = c(3, 4.5, 6)),
  # Events and censoring at time 0: survfit0 adds no row of its own then.
  list(name = "time_zero", time = c(0, 0, 1, 2, 2, 5), status = c(1, 0, 1, 0, 1, 0), conf = 0.95,
       types = all_types, at = c(0, 1.5, 5)),
  # Paediatric leukaemia-free survival (days), evaluated at 6 months = 182.625 days.
  list(name = "paediatric_lfs", time = c(274, 228, 274, 274, 274, 304, 122, 274, 274, 244, 213, 76, 213, 335),
       status = c(0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0), conf = 0.95, types = all_types,
       at = c(182.625, 365.25)),
  list(name = "large", time = large_time, status = large_status, conf = 0.95, types = c("log"),
       at = c(1, 10.5, 500, 1021)))

fit_entry <- function(d, type) {
  fit <- survfit(Surv(d$time, d$status) ~ 1, conf.type = type, conf.int = d$conf)
  table <- summary(fit)$table
  at <- vapply(d$at, function(t) {
    s <- tryCatch(summary(fit, times = t), error = function(e) NULL)
    if (is.null(s) || length(s$time) == 0) return("null")
    object(field("time", num(s$time)), field("n_risk", num(s$n.risk)), field("surv", num(s$surv)),
           field("std_err", num(s$std.err)), field("lower", num(s$lower)), field("upper", num(s$upper)))
  }, "")
  object(field("conf_type", str(type)),
         field("time", vec(fit$time)), field("n_risk", vec(fit$n.risk)), field("n_event", vec(fit$n.event)),
         field("n_censor", vec(fit$n.censor)), field("surv", vec(fit$surv)),
         field("std_err_log", vec(fit$std.err)), field("std_err", vec(summary(fit, censored = TRUE)$std.err)),
         field("lower", vec(fit$lower)), field("upper", vec(fit$upper)),
         field("median", num(table[["median"]])),
         field("median_lower", num(table[[paste0(d$conf, "LCL")]])),
         field("median_upper", num(table[[paste0(d$conf, "UCL")]])),
         field("at", paste0("[", paste(at, collapse = ", "), "]")))
}
curve_items <- vapply(curves, function(d) {
  fits <- vapply(d$types, function(type) fit_entry(d, type), "")
  object(field("name", str(d$name)), field("time", vec(d$time)), field("status", vec(d$status)),
         field("conf_level", num(d$conf)), field("at_times", vec(d$at)),
         field("fits", array(fits, "      ")))
}, "")

groups_data <- list(
  list(name = "two_groups_unequal",
       time = c(3, 5, 7, 7, 10, 12, 15, 2, 4, 4, 6, 8, 9, 9, 11, 13, 14, 16, 18),
       status = c(1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0),
       group = c(rep("a", 7), rep("b", 12))),
  list(name = "three_groups",
       time = c(1, 4, 6, 6, 9, 2, 3, 3, 5, 8, 10, 12, 12, 14, 2, 4, 5, 7, 7, 9, 11, 13, 15, 16, 18, 20, 21, 24),
       status = c(1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1),
       group = c(rep("axi", 5), rep("liso", 9), rep("tisa", 14))),
  # Group d has no events (and is still at risk, so its expected count is positive).
  list(name = "four_groups_one_without_events",
       time = c(2, 3, 5, 8, 1, 4, 4, 6, 9, 10, 3, 5, 7, 7, 11, 12, 13, 3, 6, 9, 14, 15),
       status = c(1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0),
       group = c(rep("a", 4), rep("b", 6), rep("c", 7), rep("d", 5))),
  # Group b leaves before the first event: expected 0, so R drops it and the test has 1 df.
  list(name = "group_gone_before_first_event",
       time = c(1, 3, 4, 6, 0.5, 0.25, 2, 2, 5, 7, 8),
       status = c(1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0),
       group = c(rep("a", 4), rep("b", 2), rep("c", 5))),
  list(name = "large_three_groups", time = large_time, status = large_status, group = large_group))

rank_items <- vapply(groups_data, function(d) {
  test <- survdiff(Surv(d$time, d$status) ~ d$group, rho = 0)
  df <- sum(test$exp > 0) - 1
  object(field("name", str(d$name)), field("time", vec(d$time)), field("status", vec(d$status)),
         field("group", strs(d$group)), field("groups", strs(sort(unique(d$group)))),
         field("n", vec(as.vector(test$n))), field("observed", vec(test$obs)), field("expected", vec(test$exp)),
         field("variance", rows(test$var)), field("chi_square", num(test$chisq)), field("df", num(df)),
         field("p_value", num(test$pvalue)))
}, "")

out <- paste0("{\n",
  "  ", field("generator", str(sprintf("tests/oracles/survival.R, %s, survival %s", R.version.string, packageVersion("survival")))), ",\n",
  "  ", field("kaplan_meier", array(curve_items)), ",\n",
  "  ", field("log_rank", array(rank_items)), "\n}\n")
writeLines(out, args[1], sep = "")

# Reference values for the example paediatric cohort (Pan 2021, examples/paediatric-cohort-pan2021) from
# R survival and R stats: what `crsguard survival`, `compare` and `cohort` must print for it.
#   Rscript tests/oracles/paediatric_cohort.R tests/data/oracles/paediatric_cohort.json
# Leukaemia-free survival in days since infusion (months × 30.4375, as scripts/convert_reports.py writes
# them); events: patient 4's death (day 274) and the relapses of patients 7 (day 122) and 12 (day 76).
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript paediatric_cohort.R OUT.json")

num <- function(x) if (is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Inf\"" else "\"-Inf\"") else sprintf("%.17g", x)
field <- function(name, value) sprintf("\"%s\": %s", name, value)
object <- function(...) paste0("{", paste(c(...), collapse = ", "), "}")

days <- c(274, 228, 274, 274, 274, 304, 122, 274, 274, 244, 213, 76, 213, 335)
event <- c(0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0)
prior_hct <- c("yes", "yes", "no", "yes", "no", "no", "no", "no", "no", "no", "no", "no", "no", "no")
severe_crs <- c("yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "yes", "no", "no", "no", "no")
six_months <- 6 * 30.4375

lfs <- character(0)
for (type in c("plain", "log", "log-log")) {
  at <- summary(survfit(Surv(days, event) ~ 1, conf.type = type), times = six_months)
  lfs <- c(lfs, field(type, object(field("survival", num(at$surv)), field("std_err", num(at$std.err)),
                                   field("lower", num(at$lower)), field("upper", num(at$upper)),
                                   field("n_risk", num(at$n.risk)))))
}

# Rows prior_hct = no, yes; columns severe_crs = no, yes (crsguard sorts levels by name, as R sorts factors).
fisher <- fisher.test(table(factor(prior_hct, levels = c("no", "yes")), factor(severe_crs, levels = c("no", "yes"))))
log_rank <- survdiff(Surv(days, event) ~ prior_hct)
remission <- binom.test(14, 14)

out <- object(
  field("six_month_days", num(six_months)),
  field("lfs_at_six_months", object(lfs)),
  field("fisher_severe_crs_by_prior_hct", object(field("p_value", num(fisher$p.value)),
                                                 field("odds_ratio", num(fisher$estimate)),
                                                 field("lower", num(fisher$conf.int[1])),
                                                 field("upper", num(fisher$conf.int[2])))),
  field("log_rank_lfs_by_prior_hct", object(field("chi_square", num(log_rank$chisq)),
                                            field("p_value", num(pchisq(log_rank$chisq, 1, lower.tail = FALSE))))),
  field("remission_rate", object(field("lower", num(remission$conf.int[1])), field("upper", num(remission$conf.int[2])))))
writeLines(out, args[1])

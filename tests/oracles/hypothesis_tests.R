# Reference values for src/analysis/hypothesis_tests.hpp from R's stats package (R 4.2): t.test,
# wilcox.test, chisq.test, fisher.test, binom.test. The fixture holds each input with R's answer, so the
# C++ test (tests/analysis/hypothesis_tests_test.cpp) runs exactly the data R saw.
#   Rscript tests/oracles/hypothesis_tests.R tests/data/oracles/hypothesis_tests.json
# Numbers are written with sprintf("%.17g") (no jsonlite), infinities as the strings "Inf" / "-Inf".
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript hypothesis_tests.R OUT.json")

num <- function(x) if (is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Inf\"" else "\"-Inf\"") else sprintf("%.17g", x)
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
flag <- function(b) if (b) "true" else "false"
vec <- function(v) paste0("[", paste(vapply(v, num, ""), collapse = ", "), "]")
rows <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ", "), "]")  # a matrix as its rows
field <- function(name, value) sprintf("\"%s\": %s", name, value)
object <- function(...) paste0("{", paste(c(...), collapse = ", "), "}")
array <- function(items) paste0("[\n    ", paste(items, collapse = ",\n    "), "\n  ]")

# --- t-tests --------------------------------------------------------------------------------------------
# brief: the reference values of the brief (Welch p 0.01139662706, Student p 0.01151361107);
# il6: peak IL-6 (pg/mL), severe vs non-severe CRS; temperature: peak °C, unequal group sizes and spreads.
two_sample <- list(
  list(name = "brief", x = c(5.1, 4.9, 6.2, 5.8, 6.0), y = c(4.1, 4.5, 4.0, 4.8, 5.5, 3.9), conf = 0.95),
  list(name = "il6", x = c(1200, 850, 3400, 560, 2100, 980, 4300), y = c(150, 320, 90, 410, 260, 180, 75, 510), conf = 0.95),
  list(name = "temperature", x = c(38.5, 39.2, 40.1, 39.8), y = c(37.9, 38.2, 38.0, 38.6, 38.4, 37.7, 38.1, 38.3, 38.8, 37.6), conf = 0.9),
  list(name = "negative_difference", x = c(-1.5, 0.25, 2, -0.75, 1.1, 0.3), y = c(1.4, 2.2, 3.9, 0.8, 2.6), conf = 0.99))
paired <- list(
  list(name = "ferritin_day0_day7", x = c(540, 1200, 860, 2300, 410, 980), y = c(480, 3100, 1900, 5400, 600, 1500), conf = 0.95),
  list(name = "brief_first_five", x = c(5.1, 4.9, 6.2, 5.8, 6.0), y = c(4.1, 4.5, 4.0, 4.8, 5.5), conf = 0.95),
  list(name = "crp_two_pairs", x = c(12.5, 30.1), y = c(4.2, 9.9), conf = 0.8))
t_entry <- function(kind, d, res) {
  two <- kind != "paired"
  object(field("name", str(d$name)), field("kind", str(kind)), field("x", vec(d$x)), field("y", vec(d$y)),
         field("conf_level", num(d$conf)), field("method", str(trimws(res$method))),
         field("alternative", str(res$alternative)),
         field("statistic", num(res$statistic)), field("df", num(res$parameter)), field("p_value", num(res$p.value)),
         field("estimate", num(if (two) res$estimate[1] - res$estimate[2] else res$estimate)),
         field("mean_x", if (two) num(res$estimate[1]) else "null"), field("mean_y", if (two) num(res$estimate[2]) else "null"),
         field("std_err", num(res$stderr)), field("lower", num(res$conf.int[1])), field("upper", num(res$conf.int[2])))
}
t_items <- character(0)
for (d in two_sample) {
  t_items <- c(t_items, t_entry("student", d, t.test(d$x, d$y, var.equal = TRUE, conf.level = d$conf)))
  t_items <- c(t_items, t_entry("welch", d, t.test(d$x, d$y, conf.level = d$conf)))
}
# Student's t allows a group of one (its pooled variance comes from the other group); Welch's does not.
one <- list(name = "student_group_of_one", x = c(7), y = c(3, 4, 5.5), conf = 0.95)
t_items <- c(t_items, t_entry("student", one, t.test(one$x, one$y, var.equal = TRUE)))
for (d in paired) t_items <- c(t_items, t_entry("paired", d, t.test(d$x, d$y, paired = TRUE, conf.level = d$conf)))

# --- Wilcoxon rank sum ----------------------------------------------------------------------------------
# exact = NULL is R's default (exact when both n < 50 and no ties). The long series are fixed arithmetic
# sequences (distinct values, no ties) so the fixture does not depend on a random number generator.
seq_x <- function(n, a, b, p) ((1:n) * a + b) %% p
wilcox_data <- list(
  list(name = "brief_exact", x = c(5.1, 4.9, 6.2, 5.8, 6.0), y = c(4.1, 4.5, 4.0, 4.8, 5.5, 3.9), exact = NULL, correct = TRUE),
  list(name = "exact_below_centre", x = c(1.2, 2.3, 0.4, 3.1), y = c(2.9, 4.4, 3.8, 5.0, 2.6), exact = NULL, correct = TRUE),
  list(name = "exact_at_centre", x = c(1, 4), y = c(2, 3), exact = NULL, correct = TRUE),
  list(name = "exact_one_each", x = c(2), y = c(1), exact = NULL, correct = TRUE),
  list(name = "exact_20_25", x = seq_x(20, 37, 5, 101) + 0.5, y = seq_x(25, 53, 11, 103), exact = NULL, correct = TRUE),
  list(name = "exact_49_45", x = seq_x(49, 37, 5, 211) + 0.25, y = seq_x(45, 53, 11, 223) + 3, exact = NULL, correct = TRUE),
  list(name = "ties_small", x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
       y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29), exact = NULL, correct = TRUE),
  list(name = "ties_grades", x = c(1, 2, 2, 3, 3, 3, 4), y = c(0, 1, 1, 1, 2, 2, 3, 0), exact = NULL, correct = TRUE),
  list(name = "ties_grades_uncorrected", x = c(1, 2, 2, 3, 3, 3, 4), y = c(0, 1, 1, 1, 2, 2, 3, 0), exact = NULL, correct = FALSE),
  list(name = "large_60_55", x = seq_x(60, 37, 5, 307) + 0.5, y = seq_x(55, 53, 11, 311), exact = NULL, correct = TRUE),
  list(name = "large_60_55_exact", x = seq_x(60, 37, 5, 307) + 0.5, y = seq_x(55, 53, 11, 311), exact = TRUE, correct = TRUE),
  list(name = "small_forced_normal", x = c(5.1, 4.9, 6.2, 5.8, 6.0), y = c(4.1, 4.5, 4.0, 4.8, 5.5, 3.9), exact = FALSE, correct = TRUE))
w_items <- character(0)
for (d in wilcox_data) {
  res <- suppressWarnings(wilcox.test(d$x, d$y, exact = d$exact, correct = d$correct))
  w_items <- c(w_items, object(field("name", str(d$name)), field("x", vec(d$x)), field("y", vec(d$y)),
                               field("exact", if (is.null(d$exact)) "null" else flag(d$exact)), field("correct", flag(d$correct)),
                               field("method", str(res$method)), field("alternative", str(res$alternative)),
                               field("statistic", num(res$statistic)), field("p_value", num(res$p.value))))
}

# --- chi-square ---------------------------------------------------------------------------------------------
# A table is given as its rows; R's matrix() fills by column, hence byrow = TRUE.
tables <- list(
  list(name = "brief_3_1_1_3", rows = list(c(3, 1), c(1, 3))),
  list(name = "prior_hct_severe_crs", rows = list(c(3, 0), c(2, 9))),
  list(name = "two_by_two_large", rows = list(c(12, 5), c(7, 15))),
  list(name = "yates_smaller_than_half", rows = list(c(5, 5), c(5, 6))),
  list(name = "two_by_three", rows = list(c(4, 7, 2), c(6, 3, 8))),
  list(name = "three_by_three", rows = list(c(5, 2, 1), c(3, 6, 2), c(1, 2, 7))))
as_matrix <- function(rows) matrix(unlist(rows), nrow = length(rows), byrow = TRUE)
c_items <- character(0)
for (d in tables) {
  for (correct in c(TRUE, FALSE)) {
    warned <- FALSE
    res <- withCallingHandlers(chisq.test(as_matrix(d$rows), correct = correct),
                               warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
    c_items <- c(c_items, object(field("name", str(d$name)), field("table", rows(as_matrix(d$rows))),
                                 field("correct", flag(correct)), field("method", str(res$method)),
                                 field("statistic", num(res$statistic)), field("df", num(res$parameter)),
                                 field("p_value", num(res$p.value)), field("expected", rows(res$expected)),
                                 field("warns_small_expected", flag(warned))))
  }
}

# --- Fisher's exact test ------------------------------------------------------------------------------------
fisher_tables <- list(
  list(name = "brief_3_1_1_3", rows = list(c(3, 1), c(1, 3)), conf = 0.95),
  list(name = "prior_hct_severe_crs", rows = list(c(3, 0), c(2, 9)), conf = 0.95),
  list(name = "prior_hct_severe_crs_levels_sorted", rows = list(c(9, 2), c(0, 3)), conf = 0.95),
  list(name = "zero_diagonal", rows = list(c(0, 5), c(4, 0)), conf = 0.95),
  list(name = "zero_row", rows = list(c(0, 0), c(3, 4)), conf = 0.95),
  list(name = "two_by_two_large", rows = list(c(12, 5), c(7, 15)), conf = 0.95),
  list(name = "two_by_two_large_90", rows = list(c(12, 5), c(7, 15)), conf = 0.9),
  list(name = "below_one", rows = list(c(2, 10), c(9, 4)), conf = 0.95),
  list(name = "strong", rows = list(c(10, 2), c(3, 15)), conf = 0.99),
  list(name = "bigger", rows = list(c(25, 14), c(11, 30)), conf = 0.95),
  list(name = "two_by_three", rows = list(c(4, 7, 2), c(6, 3, 8)), conf = 0.95),
  list(name = "two_by_three_sparse", rows = list(c(3, 0, 1), c(0, 4, 2)), conf = 0.95),
  list(name = "three_by_three", rows = list(c(5, 2, 1), c(3, 6, 2), c(1, 2, 7)), conf = 0.95),
  list(name = "three_by_two", rows = list(c(2, 5), c(6, 1), c(3, 3)), conf = 0.95))
f_items <- character(0)
for (d in fisher_tables) {
  m <- as_matrix(d$rows)
  res <- fisher.test(m, conf.level = d$conf)
  two <- all(dim(m) == 2)
  f_items <- c(f_items, object(field("name", str(d$name)), field("table", rows(m)), field("conf_level", num(d$conf)),
                               field("method", str(res$method)), field("alternative", str(res$alternative)),
                               field("p_value", num(res$p.value)),
                               field("odds_ratio", if (two) num(res$estimate) else "null"),
                               field("lower", if (two) num(res$conf.int[1]) else "null"),
                               field("upper", if (two) num(res$conf.int[2]) else "null")))
}

# --- Clopper–Pearson -----------------------------------------------------------------------------------------
binomial <- list(c(0, 10, 0.95), c(10, 10, 0.95), c(3, 14, 0.95), c(14, 14, 0.95), c(7, 20, 0.9), c(1, 1, 0.95),
                 c(0, 1, 0.95), c(45, 50, 0.99), c(11, 14, 0.95))
b_items <- character(0)
for (d in binomial) {
  res <- binom.test(d[1], d[2], conf.level = d[3])
  b_items <- c(b_items, object(field("successes", num(d[1])), field("trials", num(d[2])), field("conf_level", num(d[3])),
                               field("method", str(res$method)), field("estimate", num(res$estimate)),
                               field("lower", num(res$conf.int[1])), field("upper", num(res$conf.int[2]))))
}

# --- inputs R refuses (the C++ functions must refuse them too) -----------------------------------------------
error_of <- function(expr) tryCatch({ expr; "" }, error = function(e) conditionMessage(e))
errors <- c(
  object(field("test", str("welch")), field("x", vec(c(3, 3, 3))), field("y", vec(c(3, 3, 3, 3))),
         field("r_error", str(error_of(t.test(c(3, 3, 3), c(3, 3, 3, 3)))))),
  object(field("test", str("student")), field("x", vec(c(2, 2))), field("y", vec(c(2, 2))),
         field("r_error", str(error_of(t.test(c(2, 2), c(2, 2), var.equal = TRUE))))),
  object(field("test", str("welch")), field("x", vec(c(4))), field("y", vec(c(1, 2, 3))),
         field("r_error", str(error_of(t.test(c(4), c(1, 2, 3)))))),
  object(field("test", str("student")), field("x", vec(c(4))), field("y", vec(c(1))),
         field("r_error", str(error_of(t.test(c(4), c(1), var.equal = TRUE))))),
  object(field("test", str("paired")), field("x", vec(c(1, 2, 3))), field("y", vec(c(1, 2))),
         field("r_error", str(error_of(t.test(c(1, 2, 3), c(1, 2), paired = TRUE))))),
  object(field("test", str("paired")), field("x", vec(c(5, 6, 7))), field("y", vec(c(4, 5, 6))),
         field("r_error", str(error_of(t.test(c(5, 6, 7), c(4, 5, 6), paired = TRUE))))))

out <- paste0("{\n  ",
              paste(c(field("r_version", str(paste(R.version$major, R.version$minor, sep = "."))),
                      field("t_tests", array(t_items)), field("wilcoxon", array(w_items)),
                      field("chi_square", array(c_items)), field("fisher", array(f_items)),
                      field("binomial", array(b_items)), field("errors", array(errors))),
                    collapse = ",\n  "),
              "\n}")
writeLines(out, args[1])

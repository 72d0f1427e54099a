"""Reference values for src/analysis/hypothesis_tests.hpp from SciPy 1.10, a second implementation beside R.

    /usr/bin/python3 tests/oracles/hypothesis_tests_scipy.py tests/data/oracles/hypothesis_tests_scipy.json

ttest_ind (equal_var True / False), ttest_rel, mannwhitneyu (method "exact" / "asymptotic"),
chi2_contingency (correction True / False), fisher_exact, contingency.odds_ratio (kind "conditional": the
conditional MLE and its exact CI, found by brentq to 1e-13, where R's uniroot stops at 1.2e-4) and
binomtest(...).proportion_ci(method="exact"). The fixture holds each input beside SciPy's answer;
json.dump with sort_keys and indent, infinities as the strings "Inf" / "-Inf", so the file is byte-stable.
"""
import json
import math
import sys

import scipy
from scipy import stats
from scipy.stats.contingency import odds_ratio


def number(value):
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return value


def sequence(n, a, b, p, shift):
    """A fixed arithmetic sequence of distinct values (no random generator, so no ties by chance)."""
    return [((i * a + b) % p) + shift for i in range(1, n + 1)]


BRIEF_X = [5.1, 4.9, 6.2, 5.8, 6.0]
BRIEF_Y = [4.1, 4.5, 4.0, 4.8, 5.5, 3.9]

TWO_SAMPLE = [
    ("brief", BRIEF_X, BRIEF_Y),
    ("il6", [1200, 850, 3400, 560, 2100, 980, 4300], [150, 320, 90, 410, 260, 180, 75, 510]),
    ("temperature", [38.5, 39.2, 40.1, 39.8], [37.9, 38.2, 38.0, 38.6, 38.4, 37.7, 38.1, 38.3, 38.8, 37.6]),
]
PAIRED = [
    ("ferritin_day0_day7", [540, 1200, 860, 2300, 410, 980], [480, 3100, 1900, 5400, 600, 1500], 0.95),
    ("brief_first_five", BRIEF_X, BRIEF_Y[:5], 0.9),
]
MANN_WHITNEY = [
    ("brief", BRIEF_X, BRIEF_Y, "exact", True),
    ("brief", BRIEF_X, BRIEF_Y, "asymptotic", True),
    ("brief_uncorrected", BRIEF_X, BRIEF_Y, "asymptotic", False),
    ("exact_at_centre", [1, 4], [2, 3], "exact", True),
    ("exact_20_25", sequence(20, 37, 5, 101, 0.5), sequence(25, 53, 11, 103, 0), "exact", True),
    ("ties_grades", [1, 2, 2, 3, 3, 3, 4], [0, 1, 1, 1, 2, 2, 3, 0], "asymptotic", True),
    ("large_60_55", sequence(60, 37, 5, 307, 0.5), sequence(55, 53, 11, 311, 0), "asymptotic", True),
    ("large_60_55", sequence(60, 37, 5, 307, 0.5), sequence(55, 53, 11, 311, 0), "exact", True),
]
TABLES = [
    ("brief_3_1_1_3", [[3, 1], [1, 3]]),
    ("prior_hct_severe_crs", [[3, 0], [2, 9]]),
    ("two_by_two_large", [[12, 5], [7, 15]]),
    ("yates_smaller_than_half", [[5, 5], [5, 6]]),
    ("two_by_three", [[4, 7, 2], [6, 3, 8]]),
    ("three_by_three", [[5, 2, 1], [3, 6, 2], [1, 2, 7]]),
]
FISHER = [
    ("brief_3_1_1_3", [[3, 1], [1, 3]], 0.95),
    ("prior_hct_severe_crs", [[3, 0], [2, 9]], 0.95),
    ("zero_diagonal", [[0, 5], [4, 0]], 0.95),
    ("two_by_two_large", [[12, 5], [7, 15]], 0.95),
    ("two_by_two_large_90", [[12, 5], [7, 15]], 0.9),
    ("below_one", [[2, 10], [9, 4]], 0.95),
    ("bigger", [[25, 14], [11, 30]], 0.95),
]
BINOMIAL = [(0, 10, 0.95), (10, 10, 0.95), (3, 14, 0.95), (14, 14, 0.95), (7, 20, 0.9), (45, 50, 0.99)]


def main(out_path):
    t_tests = []
    for name, x, y in TWO_SAMPLE:
        for kind, equal_var in (("student", True), ("welch", False)):
            result = stats.ttest_ind(x, y, equal_var=equal_var)
            t_tests.append({"name": name, "kind": kind, "x": x, "y": y, "conf_level": 0.95,
                            "statistic": number(result.statistic), "p_value": number(result.pvalue)})
    for name, x, y, level in PAIRED:
        result = stats.ttest_rel(x, y)
        interval = result.confidence_interval(confidence_level=level)
        t_tests.append({"name": name, "kind": "paired", "x": x, "y": y, "conf_level": level,
                        "statistic": number(result.statistic), "p_value": number(result.pvalue),
                        "df": number(result.df), "lower": number(interval.low), "upper": number(interval.high)})

    mann_whitney = []
    for name, x, y, method, continuity in MANN_WHITNEY:
        result = stats.mannwhitneyu(x, y, method=method, use_continuity=continuity, alternative="two-sided")
        mann_whitney.append({"name": name, "x": x, "y": y, "method": method, "use_continuity": continuity,
                             "statistic": number(result.statistic), "p_value": number(result.pvalue)})

    chi_square = []
    for name, table in TABLES:
        for correction in (True, False):
            result = stats.chi2_contingency(table, correction=correction)
            chi_square.append({"name": name, "table": table, "correction": correction,
                               "statistic": number(result.statistic), "p_value": number(result.pvalue),
                               "dof": int(result.dof),
                               "expected": [[number(e) for e in row] for row in result.expected_freq]})

    fisher = []
    for name, table, level in FISHER:
        exact = stats.fisher_exact(table)
        conditional = odds_ratio(table, kind="conditional")
        interval = conditional.confidence_interval(confidence_level=level)
        fisher.append({"name": name, "table": table, "conf_level": level, "p_value": number(exact.pvalue),
                       "conditional_odds_ratio": number(conditional.statistic),
                       "lower": number(interval.low), "upper": number(interval.high)})

    binomial = []
    for successes, trials, level in BINOMIAL:
        interval = stats.binomtest(successes, trials).proportion_ci(confidence_level=level, method="exact")
        binomial.append({"successes": successes, "trials": trials, "conf_level": level,
                         "lower": number(interval.low), "upper": number(interval.high)})

    document = {"scipy_version": scipy.__version__, "t_tests": t_tests, "mann_whitney": mann_whitney,
                "chi_square": chi_square, "fisher": fisher, "binomial": binomial}
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(document, out, sort_keys=True, indent=2, allow_nan=False)
        out.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 hypothesis_tests_scipy.py OUT.json")
    main(sys.argv[1])

#include "analysis/cohort.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "analysis/endpoints.hpp"
#include "core/drugs.hpp"
#include "core/observation_codes.hpp"

namespace crsguard {

std::vector<CohortPatient> grade_cohort(std::span<const Timeline> timelines, const GradingRules& rules) {
  std::vector<CohortPatient> out;
  out.reserve(timelines.size());
  for (const Timeline& timeline : timelines) out.push_back({&timeline, grade_course(timeline, rules)});
  return out;
}

std::string_view value_source_name(ValueSource source) {
  switch (source) {
    case ValueSource::record: return "record";
    case ValueSource::graded: return "graded";
    case ValueSource::reported: return "reported";
  }
  return "?";
}

namespace {

std::string number_text(double value) {
  // Up to three decimals, no trailing zeros: 9, 7.5, 38.06, 0.04.
  std::string text = fmt::format("{:.3f}", value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

std::optional<std::string> FieldValue::label() const {
  if (category) return category;
  if (number) return (lower_bound ? "≥" : "") + number_text(*number);
  return std::nullopt;
}

namespace {

FieldValue missing(std::string note) {
  FieldValue value;
  value.note = std::move(note);
  return value;
}

FieldValue category(std::string text, ValueSource source = ValueSource::record) {
  FieldValue value;
  value.category = std::move(text);
  value.source = source;
  return value;
}

FieldValue number(double x, ValueSource source = ValueSource::record) {
  FieldValue value;
  value.number = x;
  value.source = source;
  return value;
}

FieldValue yes_no(std::optional<bool> flag, ValueSource source = ValueSource::record) {
  if (!flag) return missing("not recorded");
  return category(*flag ? "yes" : "no", source);
}

FieldValue optional_number(std::optional<double> x) { return x ? number(*x) : missing("not recorded"); }

// The graded maximum over the course, and whether every day was graded completely (then it is exact).
struct GradedMaximum {
  std::optional<int> grade;
  bool exact = false;
};

GradedMaximum graded_crs_maximum(const CourseGrades& grades) {
  GradedMaximum out{grades.max_crs_grade(), !grades.crs.days.empty()};
  for (const CrsDayGrade& day : grades.crs.days) {
    if (day.worst.grade < 0 || day.missing != 0) out.exact = false;
  }
  if (!out.grade) out.exact = false;
  return out;
}

GradedMaximum graded_icans_maximum(const CourseGrades& grades) {
  GradedMaximum out{grades.max_icans_grade(), !grades.icans_days.empty()};
  for (const IcansDayGrade& day : grades.icans_days) {
    if (day.result.assessment != Assessment::complete) out.exact = false;
  }
  if (!out.grade) out.exact = false;
  return out;
}

// Graded when exact; else the reported value; else the graded lower bound.
FieldValue maximum_grade(GradedMaximum graded, std::optional<int> reported) {
  if (graded.grade && graded.exact) {
    FieldValue value = number(*graded.grade, ValueSource::graded);
    if (reported && *reported != *graded.grade) {
      value.note = fmt::format("the source reported grade {}", *reported);
    }
    return value;
  }
  if (reported) {
    FieldValue value = number(*reported, ValueSource::reported);
    if (graded.grade) {
      value.note = fmt::format("graded ≥{} from the record (not every day fully graded)", *graded.grade);
      if (*graded.grade > *reported) value.note += "; the record shows a higher grade than the source reported";
    }
    return value;
  }
  if (graded.grade) {
    FieldValue value = number(*graded.grade, ValueSource::graded);
    value.lower_bound = true;
    value.note = "lower bound: not every day of the course could be graded completely";
    return value;
  }
  return missing("not assessable from the record, and not reported");
}

// Severe CRS (grade ≥ 3): proven by a graded grade ≥ 3 even when a lower bound; disproven only by an
// exact graded maximum below 3; otherwise what the source reported.
FieldValue severe_crs(const CohortPatient& patient) {
  const GradedMaximum graded = graded_crs_maximum(patient.grades);
  const ReportedCourse& reported = patient.timeline->record().reported;
  std::optional<bool> reported_severe = reported.severe_crs;
  if (!reported_severe && reported.crs_max_grade) reported_severe = *reported.crs_max_grade >= 3;
  if (graded.grade && (*graded.grade >= 3 || graded.exact)) {
    FieldValue value = yes_no(*graded.grade >= 3, ValueSource::graded);
    if (reported_severe && *reported_severe != (*graded.grade >= 3)) {
      value.note = fmt::format("the source reported {}", *reported_severe ? "severe CRS" : "no severe CRS");
    }
    return value;
  }
  if (reported_severe) return yes_no(reported_severe, ValueSource::reported);
  return missing("not assessable from the record, and not reported");
}

int doses_of_class(const Timeline& timeline, DrugClass drug_class) {
  int count = 0;
  for (const DoseGiven& dose : timeline.doses()) {
    const DrugInfo* drug = find_drug(dose.administration->drug);
    if (drug != nullptr && drug->drug_class == drug_class) ++count;
  }
  return count;
}

int doses_of(const Timeline& timeline, std::string_view drug_name) {
  return static_cast<int>(std::count_if(timeline.doses().begin(), timeline.doses().end(), [&](const DoseGiven& dose) {
    return dose.administration->drug == drug_name;
  }));
}

FieldValue drug_given(const Timeline& timeline, std::string_view drug_name, std::optional<bool> reported) {
  if (doses_of(timeline, drug_name) > 0) return category("yes");
  if (reported) return yes_no(reported, ValueSource::reported);
  return category("no");
}

FieldValue tocilizumab_doses(const Timeline& timeline) {
  const int recorded = doses_of(timeline, "tocilizumab");
  const auto reported = timeline.record().reported.tocilizumab_doses;
  if (recorded > 0 || !reported) {
    FieldValue value = number(recorded);
    if (reported && *reported != recorded) value.note = fmt::format("the source reported {} doses", *reported);
    return value;
  }
  return number(*reported, ValueSource::reported);
}

// Best response recorded (CR > CRi > PR > NR); relapse is not a response.
FieldValue best_response(const Timeline& timeline) {
  std::optional<ResponseStatus> best;
  const auto rank = [](ResponseStatus status) {
    switch (status) {
      case ResponseStatus::cr: return 4;
      case ResponseStatus::cri: return 3;
      case ResponseStatus::pr: return 2;
      case ResponseStatus::nr: return 1;
      case ResponseStatus::relapse: return 0;
    }
    return 0;
  };
  for (const Event& event : timeline.events()) {
    const auto* response = event.as<Response>();
    if (response == nullptr || response->status == ResponseStatus::relapse) continue;
    if (!best || rank(response->status) > rank(*best)) best = response->status;
  }
  if (!best) return missing("no response assessment recorded");
  return category(std::string(to_name(*best)));
}

FieldValue remission_flag(const Timeline& timeline, bool require_mrd_negative) {
  bool any_response = false;
  for (const Event& event : timeline.events()) {
    const auto* response = event.as<Response>();
    if (response == nullptr || response->status == ResponseStatus::relapse) continue;
    any_response = true;
    const bool remission = response->status == ResponseStatus::cr || response->status == ResponseStatus::cri;
    if (remission && (!require_mrd_negative || response->mrd_negative.value_or(false))) return category("yes");
  }
  if (!any_response) return missing("no response assessment recorded");
  return category("no");
}

FieldValue relapse_flag(const Timeline& timeline) {
  for (const Event& event : timeline.events()) {
    const auto* response = event.as<Response>();
    if (response != nullptr && response->status == ResponseStatus::relapse) return category("yes");
  }
  return category("no");
}

FieldValue peak_value(const Timeline& timeline, ObservationCode code) {
  std::optional<double> peak;
  bool bound = false;
  for (const ObservedValue& value : timeline.values(code)) {
    if (value.time.seconds_since_infusion < 0) continue;  // before infusion: a baseline, not a peak
    if (!peak || value.value > *peak) {
      peak = value.value;
      bound = value.comparator == Comparator::greater || value.comparator == Comparator::greater_or_equal;
    }
  }
  if (!peak) return missing("no value recorded after infusion");
  FieldValue out = number(*peak);
  out.lower_bound = bound;
  return out;
}

std::optional<std::string> join(const std::vector<std::string>& parts) {
  if (parts.empty()) return std::nullopt;
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

struct FieldDefinition {
  FieldInfo info;
  std::function<FieldValue(const CohortPatient&)> read;
  bool baseline = false;
};

const std::vector<FieldDefinition>& field_definitions() {
  using P = const CohortPatient&;
  static const std::vector<FieldDefinition> kFields = {
      {{"sex", FieldKind::category, "sex", "", "patient.sex"},
       [](P p) {
         const Sex sex = p.timeline->patient().sex;
         return sex == Sex::unknown ? missing("not recorded") : category(std::string(to_name(sex)));
       },
       true},
      {{"age_years", FieldKind::number, "age, years", "a", "age at infusion"},
       [](P p) { return optional_number(p.timeline->patient().age_years); }, true},
      {{"weight_kg", FieldKind::number, "weight, kg", "kg", "patient.weight"},
       [](P p) { return optional_number(p.timeline->patient().weight_kg); }, true},
      {{"car_target", FieldKind::category, "CAR target", "", "infusion.targets, joined by /"},
       [](P p) {
         const auto targets = join(p.timeline->infusion().targets);
         return targets ? category(*targets) : missing("not recorded");
       },
       true},
      {{"cell_source", FieldKind::category, "CAR-T cell source", "", "infusion.cell_source"},
       [](P p) {
         const auto& source = p.timeline->infusion().cell_source;
         return source ? category(std::string(to_name(*source))) : missing("not recorded");
       },
       false},
      {{"disease_status", FieldKind::category, "disease status before CAR-T", "", "baseline.disease_status"},
       [](P p) {
         const auto& status = p.timeline->record().baseline.disease_status;
         return status.empty() ? missing("not recorded") : category(status);
       },
       false},
      {{"complex_karyotype", FieldKind::category, "complex karyotype", "", "baseline.complex_karyotype"},
       [](P p) { return yes_no(p.timeline->record().baseline.complex_karyotype); }, true},
      {{"prior_therapy_months", FieldKind::number, "prior therapy, months", "mo", "baseline.prior_therapy_months"},
       [](P p) { return optional_number(p.timeline->record().baseline.prior_therapy_months); }, true},
      {{"marrow_blasts_morphology_percent", FieldKind::number, "marrow blasts (morphology), %", "%",
        "baseline.marrow_blasts_morphology_percent (absent when reported as morphological remission)"},
       [](P p) { return optional_number(p.timeline->record().baseline.marrow_blasts_morphology_percent); }, true},
      {{"marrow_blasts_flow_percent", FieldKind::number, "marrow blasts (flow cytometry), %", "%",
        "baseline.marrow_blasts_flow_percent"},
       [](P p) { return optional_number(p.timeline->record().baseline.marrow_blasts_flow_percent); }, true},
      {{"prior_hct", FieldKind::category, "prior allogeneic HCT", "", "baseline.prior_hct"},
       [](P p) { return yes_no(p.timeline->record().baseline.prior_hct); }, true},
      {{"months_since_hct", FieldKind::number, "months from HCT to CAR-T", "mo", "baseline.months_since_hct"},
       [](P p) { return optional_number(p.timeline->record().baseline.months_since_hct); }, false},
      {{"gvhd_before_cart", FieldKind::category, "GvHD before CAR-T", "", "baseline.gvhd_before_cart"},
       [](P p) {
         const auto& gvhd = p.timeline->record().baseline.gvhd_before_cart;
         return gvhd ? category(std::string(to_name(*gvhd))) : missing("not recorded");
       },
       false},
      {{"crs_max_grade", FieldKind::number, "maximum CRS grade (ASTCT 2019)", "1",
        "graded from the record when every day is fully graded, else the reported maximum, else a graded lower bound"},
       [](P p) {
         return maximum_grade(graded_crs_maximum(p.grades), p.timeline->record().reported.crs_max_grade);
       }},
      {{"severe_crs", FieldKind::category, "severe CRS (grade ≥ 3)", "",
        "yes when graded ≥ 3, no when the graded maximum is exact and below 3, else as reported"},
       severe_crs},
      {{"icans_max_grade", FieldKind::number, "maximum ICANS grade (ASTCT 2019)", "1",
        "graded from the record when every day is fully graded, else the reported maximum, else a graded lower bound"},
       [](P p) {
         return maximum_grade(graded_icans_maximum(p.grades), p.timeline->record().reported.icans_max_grade);
       }},
      {{"steroid_refractory_crs", FieldKind::category, "steroid-refractory CRS", "",
        "as the source reported it (refractoriness depends on the protocol: see crsguard advise)"},
       [](P p) { return yes_no(p.timeline->record().reported.steroid_refractory_crs, ValueSource::reported); }},
      {{"crs_onset_day", FieldKind::number, "CRS onset, days after infusion", "d",
        "onset of the first graded CRS episode"},
       [](P p) {
         if (p.grades.crs.episodes.empty()) return missing("no CRS episode graded from the record");
         return number(static_cast<double>(p.grades.crs.episodes.front().onset) / kSecondsPerDay, ValueSource::graded);
       }},
      {{"crs_duration_days", FieldKind::number, "CRS duration, days", "d", "first graded episode, onset to resolution"},
       [](P p) {
         if (p.grades.crs.episodes.empty()) return missing("no CRS episode graded from the record");
         const auto duration = p.grades.crs.episodes.front().duration_days();
         return duration ? number(*duration, ValueSource::graded) : missing("the first CRS episode did not resolve");
       }},
      {{"tocilizumab_doses", FieldKind::number, "tocilizumab doses", "1", "doses recorded, else as reported"},
       [](P p) { return tocilizumab_doses(*p.timeline); }},
      {{"tocilizumab_given", FieldKind::category, "tocilizumab given", "", "any dose recorded, else as reported"},
       [](P p) {
         const auto doses = p.timeline->record().reported.tocilizumab_doses;
         return drug_given(*p.timeline, "tocilizumab", doses ? std::optional<bool>(*doses > 0) : std::nullopt);
       }},
      {{"corticosteroid_given", FieldKind::category, "corticosteroid given", "",
        "any corticosteroid dose recorded, else a reported maximum dose above 0"},
       [](P p) {
         if (doses_of_class(*p.timeline, DrugClass::corticosteroid) > 0) return category("yes");
         const auto steroid = p.timeline->record().reported.max_steroid_mg_per_kg_per_day;
         return steroid ? yes_no(*steroid > 0, ValueSource::reported) : category("no");
       }},
      {{"max_steroid_mg_per_kg_per_day", FieldKind::number, "maximum corticosteroid dose, mg/kg/day", "mg/kg/d",
        "methylprednisolone-equivalent, as reported"},
       [](P p) {
         const auto steroid = p.timeline->record().reported.max_steroid_mg_per_kg_per_day;
         return steroid ? number(*steroid, ValueSource::reported) : missing("not reported");
       }},
      {{"ruxolitinib_given", FieldKind::category, "ruxolitinib given", "", "any dose recorded, else as reported"},
       [](P p) { return drug_given(*p.timeline, "ruxolitinib", p.timeline->record().reported.ruxolitinib_given); }},
      {{"best_response", FieldKind::category, "best response", "", "best of the recorded assessments (CR > CRi > PR > NR)"},
       [](P p) { return best_response(*p.timeline); }},
      {{"remission", FieldKind::category, "complete remission (CR or CRi)", "", "any CR/CRi assessment recorded"},
       [](P p) { return remission_flag(*p.timeline, false); }},
      {{"mrd_negative_remission", FieldKind::category, "MRD-negative CR/CRi", "", "a CR/CRi assessment recorded MRD-negative"},
       [](P p) { return remission_flag(*p.timeline, true); }},
      {{"relapse", FieldKind::category, "relapse", "", "a relapse recorded"}, [](P p) { return relapse_flag(*p.timeline); }},
      {{"hct_after_cart", FieldKind::category, "HCT after CAR-T", "", "outcome.hct_after_cart"},
       [](P p) {
         const auto& outcome = p.timeline->outcome();
         return outcome ? yes_no(outcome->hct_after_cart) : missing("no outcome recorded");
       }},
      {{"vital_status", FieldKind::category, "vital status at last follow-up", "", "outcome.vital_status"},
       [](P p) {
         const auto& outcome = p.timeline->outcome();
         return outcome ? category(std::string(to_name(outcome->vital_status))) : missing("no outcome recorded");
       }},
      {{"followup_months", FieldKind::number, "follow-up, months", "mo", "last follow-up, days / 30.4375"},
       [](P p) {
         const auto& outcome = p.timeline->outcome();
         if (!outcome) return missing("no outcome recorded");
         return number(p.timeline->study_day(outcome->last_followup) / kDaysPerMonth);
       }},
  };
  return kFields;
}

constexpr std::string_view kPeakPrefix = "peak_";

}  // namespace

std::span<const FieldInfo> cohort_fields() {
  static const std::vector<FieldInfo> kInfos = [] {
    std::vector<FieldInfo> infos;
    for (const auto& definition : field_definitions()) infos.push_back(definition.info);
    return infos;
  }();
  return kInfos;
}

std::optional<FieldInfo> find_cohort_field(std::string_view name) {
  for (const auto& definition : field_definitions()) {
    if (definition.info.name == name) return definition.info;
  }
  if (name.starts_with(kPeakPrefix)) {
    const auto code = find_observation_code(name.substr(kPeakPrefix.size()));
    if (code) {
      const ObservationInfo& info = observation_info(*code);
      if (info.category != ObservationCategory::vital_sign) {
        return FieldInfo{std::string(name), FieldKind::number, fmt::format("peak {}, {}", info.display, info.canonical_unit),
                         std::string(info.canonical_unit), fmt::format("highest {} recorded after infusion", info.name)};
      }
    }
  }
  return std::nullopt;
}

FieldValue field_value(const CohortPatient& patient, const FieldInfo& field) {
  for (const auto& definition : field_definitions()) {
    if (definition.info.name == field.name) return definition.read(patient);
  }
  if (std::string_view(field.name).starts_with(kPeakPrefix)) {
    const auto code = find_observation_code(std::string_view(field.name).substr(kPeakPrefix.size()));
    if (code) return peak_value(*patient.timeline, *code);
  }
  throw std::invalid_argument(fmt::format("unknown cohort field \"{}\"", field.name));
}

double median_of(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("median of no values");
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return (lower + upper) / 2;
}

std::vector<FieldInfo> default_baseline_fields() {
  std::vector<FieldInfo> out;
  for (const auto& definition : field_definitions()) {
    if (definition.baseline) out.push_back(definition.info);
  }
  return out;
}

std::vector<BaselineRow> baseline_table(std::span<const CohortPatient> patients, std::span<const FieldInfo> fields) {
  std::vector<BaselineRow> rows;
  for (const FieldInfo& field : fields) {
    std::vector<FieldValue> values;
    for (const CohortPatient& patient : patients) values.push_back(field_value(patient, field));
    const auto missing_count = static_cast<int>(std::count_if(values.begin(), values.end(), [](const FieldValue& v) {
      return !v.present() || v.lower_bound;
    }));
    if (field.kind == FieldKind::number) {
      std::vector<double> numbers;
      for (const auto& value : values) {
        if (value.number && !value.lower_bound) numbers.push_back(*value.number);
      }
      BaselineRow row;
      row.field = field.name;
      row.label = field.title;
      row.n = static_cast<int>(numbers.size());
      row.missing = missing_count;
      if (!numbers.empty()) {
        row.median = median_of(numbers);
        row.minimum = *std::min_element(numbers.begin(), numbers.end());
        row.maximum = *std::max_element(numbers.begin(), numbers.end());
        row.value = fmt::format("{} ({}–{})", number_text(*row.median), number_text(*row.minimum),
                                number_text(*row.maximum));
      } else {
        row.value = "—";
      }
      rows.push_back(std::move(row));
      continue;
    }
    std::vector<std::string> levels;
    for (const auto& value : values) {
      if (value.category && std::find(levels.begin(), levels.end(), *value.category) == levels.end()) {
        levels.push_back(*value.category);
      }
    }
    std::sort(levels.begin(), levels.end());
    const int with_value = static_cast<int>(values.size()) - missing_count;
    for (const auto& level : levels) {
      BaselineRow row;
      row.field = field.name;
      row.level = level;
      row.label = fmt::format("{}: {}", field.title, level);
      row.n = static_cast<int>(std::count_if(values.begin(), values.end(), [&](const FieldValue& v) {
        return v.category == level;
      }));
      row.missing = missing_count;
      row.percent = 100.0 * row.n / with_value;
      row.value = fmt::format("{} ({:.1f} %)", row.n, *row.percent);
      rows.push_back(std::move(row));
    }
    if (levels.empty()) {
      BaselineRow row;
      row.field = field.name;
      row.label = field.title;
      row.value = "—";
      row.missing = missing_count;
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

namespace {

GradeDistribution distribution(std::span<const CohortPatient> patients, std::string what, const FieldInfo& field) {
  GradeDistribution out;
  out.what = std::move(what);
  for (const CohortPatient& patient : patients) {
    const FieldValue value = field_value(patient, field);
    if (!value.number) {
      ++out.not_assessable;
      continue;
    }
    const auto grade = static_cast<std::size_t>(std::clamp(static_cast<int>(*value.number), 0, 5));
    if (value.lower_bound) {
      ++out.at_least.at(grade);
    } else {
      ++out.exact.at(grade);
      if (value.source == ValueSource::reported) ++out.from_reported;
    }
  }
  return out;
}

}  // namespace

GradeDistribution crs_grade_distribution(std::span<const CohortPatient> patients) {
  return distribution(patients, "CRS (ASTCT 2019)", *find_cohort_field("crs_max_grade"));
}

GradeDistribution icans_grade_distribution(std::span<const CohortPatient> patients) {
  return distribution(patients, "ICANS (ASTCT 2019)", *find_cohort_field("icans_max_grade"));
}

}  // namespace crsguard

// ASTCT 2019 ICANS grading. Source of every rule below, cited once:
//   Lee DW, Santomasso BD, Locke FL, et al. Biol Blood Marrow Transplant 2019;25(4):625-638,
//   Table 5 (ICE score), Table 6 (adult ICANS grading) and the paediatric table using the
//   Cornell Assessment of Pediatric Delirium (../shared/spec/clinical.md §2.1-2.3).
//   CAPD: Traube C et al., Crit Care Med 2014;42:656 (delirium at a total of 9 or more).
#include "clinical/icans.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace crsguard {

namespace icans_rules {
constexpr std::string_view kAdultTable = "ASTCT 2019 (Lee et al., BBMT 2019;25:625) ICANS grading, adults";
constexpr std::string_view kChildTable = "ASTCT 2019 (Lee et al., BBMT 2019;25:625) ICANS grading, children (CAPD)";
const RuleRef kIce{"astct2019.icans.ice", kAdultTable};
const RuleRef kIceZeroAwakeAphasia{"astct2019.icans.ice0_awake_aphasia", kAdultTable};
const RuleRef kCapd{"astct2019.icans.capd", kChildTable};
const RuleRef kConsciousness{"astct2019.icans.consciousness", kAdultTable};
const RuleRef kSeizure{"astct2019.icans.seizure", kAdultTable};
const RuleRef kProlongedSeizure{"astct2019.icans.seizure_prolonged", kAdultTable};
const RuleRef kMotorWeakness{"astct2019.icans.motor_weakness", kAdultTable};
const RuleRef kFocalOedema{"astct2019.icans.focal_oedema", kAdultTable};
const RuleRef kRaisedIcp{"astct2019.icans.raised_icp", kAdultTable};
const RuleRef kDeath{"astct2019.icans.death", kAdultTable};
}  // namespace icans_rules

IcansRules IcansRules::from(const RuleSet& rules) {
  return IcansRules{rules.number("astct.icans.capd_below_age_years")};
}

namespace {

using namespace icans_rules;

constexpr int kIceMax = 10;
constexpr int kCapdDelirium = 9;           // Traube 2014: ≥ 9 suggests delirium
constexpr double kProlongedSeizureMin = 5;  // "> 5 min" is grade 4; exactly 5 is not

int ice_level(int total) {
  if (total >= kIceMax) return 0;
  if (total >= 7) return 1;
  if (total >= 3) return 2;
  return 3;
}

int consciousness_level(Consciousness consciousness) {
  switch (consciousness) {
    case Consciousness::alert: return 0;
    case Consciousness::awakens_spontaneously: return 1;
    case Consciousness::awakens_to_voice: return 2;
    case Consciousness::awakens_to_touch: return 3;
    case Consciousness::unarousable: return 4;
  }
  return 0;
}

std::string_view consciousness_words(Consciousness consciousness) {
  switch (consciousness) {
    case Consciousness::alert: return "alert";
    case Consciousness::awakens_spontaneously: return "awakens spontaneously";
    case Consciousness::awakens_to_voice: return "awakens to voice";
    case Consciousness::awakens_to_touch: return "awakens only to tactile stimulus";
    case Consciousness::unarousable: return "unarousable";
  }
  return "";
}

class AssessmentGrader {
 public:
  AssessmentGrader(const Timeline& timeline, const IcansRules& rules, std::size_t event_index)
      : timeline_(timeline), rules_(rules), event_index_(event_index),
        neuro_(*timeline.events()[event_index].as<NeuroAssessment>()) {}

  IcansAssessmentGrade grade() {
    const bool sedated = neuro_.sedated.value_or(false);
    if (sedated) {
      result_.review.emplace_back("sedated: encephalopathy and level of consciousness are not attributable to ICANS "
                                  "and were not graded");
    }
    if (!sedated) grade_encephalopathy();
    if (!sedated) grade_consciousness();
    grade_seizure();
    grade_motor();
    grade_icp();
    return finish();
  }

 private:
  void found(int level, const RuleRef& rule, std::string statement) {
    levels_.push_back({level, Reason{rule, std::move(statement), {event_evidence(timeline_, event_index_)}}});
  }

  void grade_encephalopathy() {
    const auto age = timeline_.patient().age_years;
    const bool child = age && *age < rules_.capd_below_age_years;
    if (!age && (neuro_.ice || neuro_.capd)) {
      result_.review.emplace_back(fmt::format("age unknown: {} used; ICE is valid from {:g} years, CAPD below",
                                              neuro_.ice ? "ICE" : "CAPD", rules_.capd_below_age_years));
    }
    if (child) {
      if (neuro_.capd) return grade_capd(*neuro_.capd);
      if (neuro_.ice) {
        result_.review.emplace_back(fmt::format("ICE is not valid under {:g} years; CAPD is needed",
                                                rules_.capd_below_age_years));
      }
      missing_encephalopathy_ = "capd";
      return;
    }
    if (neuro_.ice) return grade_ice(*neuro_.ice);
    if (neuro_.capd) {
      if (age) {
        result_.review.emplace_back(fmt::format("CAPD used at {:g} years: valid only with developmental delay", *age));
      }
      return grade_capd(*neuro_.capd);
    }
    missing_encephalopathy_ = "ice";
  }

  void grade_ice(const IceScore& ice) {
    tool_ = EncephalopathyTool::ice;
    const int level = ice_level(ice.total);
    // "Awake" must be recorded, not assumed.
    const bool awake = neuro_.consciousness && *neuro_.consciousness != Consciousness::unarousable;
    if (ice.total == 0 && neuro_.global_aphasia.value_or(false) && awake) {
      found(level, kIceZeroAwakeAphasia, "ICE 0 while awake with global aphasia");
      return;
    }
    found(level, kIce, fmt::format("ICE {}/10 (10: none; 7–9: grade 1; 3–6: grade 2; 0–2: grade 3)", ice.total));
  }

  void grade_capd(const CapdScore& capd) {
    tool_ = EncephalopathyTool::capd;
    const int level = capd.total == 0 ? 0 : capd.total < kCapdDelirium ? 1 : 3;
    found(level, kCapd, fmt::format("CAPD {} (0: none; 1–8: grade 1–2 by consciousness; ≥ {}: grade 3)", capd.total,
                                    kCapdDelirium));
  }

  void grade_consciousness() {
    if (!neuro_.consciousness) return;
    const Consciousness consciousness = *neuro_.consciousness;
    found(consciousness_level(consciousness), kConsciousness,
          std::string("level of consciousness: ") + std::string(consciousness_words(consciousness)));
  }

  void grade_seizure() {
    if (!neuro_.seizure || neuro_.seizure->type == SeizureType::none) return;
    const Seizure& seizure = *neuro_.seizure;
    const bool prolonged = seizure.duration_min && *seizure.duration_min > kProlongedSeizureMin;
    const bool repetitive = seizure.repetitive.value_or(false);
    std::string what = fmt::format("{} seizure", to_name(seizure.type));
    if (seizure.duration_min) what += fmt::format(" lasting {:g} min", *seizure.duration_min);
    if (prolonged || repetitive) {
      found(4, kProlongedSeizure, what + (repetitive ? ", repetitive without return to baseline" : "") +
                                      " (> 5 min or repetitive: grade 4)");
      return;
    }
    found(3, kSeizure, what + " that resolved (grade 3)");
    if (!seizure.duration_min) missing_seizure_duration_ = true;  // grade 4 if it lasted more than 5 min
  }

  void grade_motor() {
    if (!neuro_.motor) return;
    if (*neuro_.motor == MotorFinding::deep_focal_weakness) {
      found(4, kMotorWeakness, "deep focal motor weakness (hemiparesis or paraparesis)");
    } else if (*neuro_.motor != MotorFinding::none) {
      result_.review.emplace_back(fmt::format("{}: graded by CTCAE v5.0, does not change the ICANS grade",
                                              to_name(*neuro_.motor)));
    }
  }

  void grade_icp() {
    const bool haemorrhage = neuro_.intracranial_haemorrhage.value_or(false);
    for (const IcpFinding finding : neuro_.icp_findings) {
      const bool oedema = finding == IcpFinding::focal_oedema || finding == IcpFinding::diffuse_oedema;
      if (haemorrhage && oedema) {
        result_.review.emplace_back(fmt::format("{} with intracranial haemorrhage: not an ICANS feature "
                                                "(graded by CTCAE v5.0)", to_name(finding)));
        continue;
      }
      if (finding == IcpFinding::focal_oedema) {
        found(3, kFocalOedema, "focal or local oedema on neuroimaging");
      } else {
        found(4, kRaisedIcp, fmt::format("raised intracranial pressure: {}", to_name(finding)));
      }
    }
    if (haemorrhage) {
      result_.review.emplace_back("intracranial haemorrhage is not an ICANS feature: grade it by CTCAE v5.0; "
                                  "check that other findings are not caused by it");
    }
  }

  IcansAssessmentGrade finish() {
    const bool missing_consciousness = !neuro_.consciousness && !neuro_.sedated.value_or(false);
    std::stable_sort(levels_.begin(), levels_.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    IcansAssessmentGrade out;
    out.t = timeline_.events()[event_index_].time.seconds_since_infusion;
    out.event_index = event_index_;
    out.tool = tool_;
    result_.set_at = out.t;
    if (!missing_encephalopathy_.empty()) result_.missing.push_back(missing_encephalopathy_);
    if (missing_consciousness) result_.missing.emplace_back("consciousness");
    if (levels_.empty()) {
      result_.assessment = Assessment::not_assessable;
      out.result = std::move(result_);
      return out;
    }
    const int grade = levels_.front().first;
    result_.grade = grade;
    // A missing domain matters only if it could have raised the grade.
    if (missing_seizure_duration_ && grade < 4) result_.missing.emplace_back("seizure_duration");
    const bool could_rise = (!missing_encephalopathy_.empty() && grade < 3) || (missing_consciousness && grade < 4) ||
                            (missing_seizure_duration_ && grade < 4);
    if (!could_rise) result_.missing.clear();
    result_.assessment = could_rise ? Assessment::incomplete : Assessment::complete;
    for (auto& [level, reason] : levels_) result_.reasons.push_back(std::move(reason));
    out.result = std::move(result_);
    return out;
  }

  const Timeline& timeline_;
  const IcansRules& rules_;
  std::size_t event_index_;
  const NeuroAssessment& neuro_;
  GradeResult result_;
  std::vector<std::pair<int, Reason>> levels_;
  std::string missing_encephalopathy_;
  bool missing_seizure_duration_ = false;
  EncephalopathyTool tool_ = EncephalopathyTool::none;
};

bool names_icans(std::string cause) {
  std::transform(cause.begin(), cause.end(), cause.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return cause == "icans" || cause == "immune effector cell-associated neurotoxicity syndrome";
}

// The most an assessment could have been had its missing domains been recorded.
int possible_grade(const GradeResult& result) {
  int possible = result.grade.value_or(-1);
  for (const auto& item : result.missing) {
    if (item == "consciousness" || item == "seizure_duration") possible = std::max(possible, 4);
    if (item == "ice" || item == "capd") possible = std::max(possible, 3);
  }
  return possible;
}

}  // namespace

IcansAssessmentGrade grade_icans_assessment(const Timeline& timeline, const IcansRules& rules, std::size_t event_index) {
  return AssessmentGrader(timeline, rules, event_index).grade();
}

std::vector<IcansAssessmentGrade> grade_icans_assessments(const Timeline& timeline, const IcansRules& rules) {
  std::vector<IcansAssessmentGrade> grades;
  const auto& events = timeline.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind() != EventKind::neuro || events[i].time.seconds_since_infusion < 0) continue;
    grades.push_back(AssessmentGrader(timeline, rules, i).grade());
  }
  const auto& outcome = timeline.outcome();
  if (outcome && outcome->vital_status == VitalStatus::dead && outcome->death_time && names_icans(outcome->death_cause)) {
    IcansAssessmentGrade death;
    death.t = outcome->death_time->seconds_since_infusion;
    death.event_index = events.empty() ? 0 : events.size() - 1;
    death.result.grade = 5;
    death.result.assessment = Assessment::complete;
    death.result.set_at = death.t;
    death.result.reasons.push_back({kDeath, "death from ICANS: " + outcome->death_cause, {}});
    grades.push_back(std::move(death));
  }
  return grades;
}

std::vector<IcansDayGrade> icans_by_day(const Timeline& timeline, std::span<const IcansAssessmentGrade> grades,
                                        int first_day, int last_day) {
  std::vector<IcansDayGrade> days;
  std::size_t g = 0;
  for (int day = first_day; day <= last_day; ++day) {
    const TimeWindow window = timeline.day_window(day);
    std::vector<const GradeResult*> of_day;
    for (; g < grades.size() && grades[g].t < window.to; ++g) {
      if (grades[g].t >= window.from) of_day.push_back(&grades[g].result);
    }
    days.push_back({day, most_severe(of_day, possible_grade, "neuro_assessment"), static_cast<int>(of_day.size())});
  }
  return days;
}

}  // namespace crsguard

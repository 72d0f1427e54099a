// CRES grading. Source, cited once: Neelapu SS, Tummala S, Kebriaei P, et al. Chimeric antigen
// receptor T-cell therapy - assessment and management of toxicities. Nat Rev Clin Oncol
// 2018;15(1):47-62, CARTOX-10 and the CRES grading table (../shared/spec/clinical.md §3, tagged
// [M]: the domain details below are from memory of that table and are marked unconfirmed in
// rules/other-scales.json):
//   CARTOX-10 7–9 grade 1, 3–6 grade 2, 0–2 grade 3; obtunded, cannot perform the tasks: grade 4.
//   Raised ICP: stage 1–2 papilloedema (CSF opening pressure < 20 mmHg) grade 3; stage 3–5
//   papilloedema, CSF opening pressure ≥ 20 mmHg or cerebral oedema grade 4.
//   Seizures: partial seizure, or non-convulsive seizures on EEG responding to benzodiazepines,
//   grade 3; generalised seizures, or convulsive or non-convulsive status epilepticus, grade 4.
//   Motor: new motor weakness grade 4.
//   The CRES grade is the most severe domain.
// What a Timeline cannot hold: the CARTOX-10 "president / prime minister" item (so CARTOX-10 is a
// range, see cres.hpp), the papilloedema stage, the CSF opening pressure (never recorded, so a
// grade below 4 is always a lower bound), and the EEG response to benzodiazepines (assumed for a
// non-convulsive seizure). Like ICANS grading, an absent seizure, motor or ICP field counts as not
// found, and the scale is not applied to sedated patients or to children (CAPD-based CRES is not
// implemented).
#include "clinical/cres.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace crsguard {

CresRules CresRules::from(const RuleSet& rules) {
  CresRules out;
  out.cartox10_max_points = static_cast<int>(rules.number("cres.cartox10.max_points"));
  out.grade1_min_points = static_cast<int>(rules.number("cres.cartox10.grade1_min_points"));
  out.grade2_min_points = static_cast<int>(rules.number("cres.cartox10.grade2_min_points"));
  out.cartox10_min_age_years = rules.number("cres.cartox10.min_age_years");
  out.status_epilepticus_min_minutes = rules.number("cres.status_epilepticus_min_minutes");
  out.csf_opening_pressure_grade4_min_mmhg = rules.number("cres.csf_opening_pressure_grade4_min_mmhg");
  return out;
}

std::optional<Cartox10Range> cartox10_from_ice(const IceScore& ice) {
  if (!ice.items) return std::nullopt;
  const auto& [orientation, naming, commands, writing, attention] = *ice.items;
  (void)commands;  // the ICE item that CARTOX-10 does not have
  const int without_commands = orientation + naming + writing + attention;
  return Cartox10Range{without_commands, without_commands + 1};  // + the president item, 0 or 1
}

int cres_grade_of_cartox10(int points, const CresRules& rules) {
  if (points >= rules.cartox10_max_points) return 0;
  if (points >= rules.grade1_min_points) return 1;
  if (points >= rules.grade2_min_points) return 2;
  return 3;
}

namespace {

constexpr std::string_view kSource = "Neelapu 2018 (Nat Rev Clin Oncol 15:47) CRES grading";

namespace rule {
const RuleRef kCartox10Normal{"cres2018.cartox10.no_impairment", kSource};
const RuleRef kCartox10Grade1{"cres2018.grade1.cartox10", kSource};
const RuleRef kCartox10Grade2{"cres2018.grade2.cartox10", kSource};
const RuleRef kCartox10Grade3{"cres2018.grade3.cartox10", kSource};
const RuleRef kObtunded{"cres2018.grade4.obtunded", kSource};
const RuleRef kPapilloedema{"cres2018.grade3.papilloedema", kSource};
const RuleRef kCerebralOedema{"cres2018.grade4.cerebral_oedema", kSource};
const RuleRef kNoSeizure{"cres2018.no_seizure", kSource};
const RuleRef kPartialSeizure{"cres2018.grade3.partial_seizure", kSource};
const RuleRef kNonConvulsiveSeizure{"cres2018.grade3.non_convulsive_seizure", kSource};
const RuleRef kGeneralisedSeizure{"cres2018.grade4.generalised_seizure", kSource};
const RuleRef kStatusEpilepticus{"cres2018.grade4.status_epilepticus", kSource};
const RuleRef kNoMotorWeakness{"cres2018.no_motor_weakness", kSource};
const RuleRef kMotorWeakness{"cres2018.grade4.motor_weakness", kSource};
}  // namespace rule

const RuleRef& cartox10_rule(int level) {
  switch (level) {
    case 0: return rule::kCartox10Normal;
    case 1: return rule::kCartox10Grade1;
    case 2: return rule::kCartox10Grade2;
    default: return rule::kCartox10Grade3;
  }
}

class CresGrader {
 public:
  CresGrader(const Timeline& timeline, const CresRules& rules, std::size_t event_index)
      : timeline_(timeline), rules_(rules), event_index_(event_index),
        neuro_(*timeline.events()[event_index].as<NeuroAssessment>()) {}

  CresAssessmentGrade grade() {
    grade_encephalopathy();
    grade_icp();
    grade_seizure();
    grade_motor();
    // Never recorded: a pressure ≥ the threshold would make grade 4 on its own.
    need("csf_opening_pressure", 4);
    return finish();
  }

 private:
  void found(int level, const RuleRef& rule, std::string statement) {
    levels_.push_back({level, Reason{rule, std::move(statement), {event_evidence(timeline_, event_index_)}}});
  }
  void need(std::string input, int could_reach) { missing_.emplace_back(std::move(input), could_reach); }

  void grade_encephalopathy() {
    const bool unarousable = neuro_.consciousness == Consciousness::unarousable;
    if (neuro_.sedated.value_or(false)) {
      review_.emplace_back("sedated: the CARTOX-10 and level of consciousness are not attributable to CRES and were "
                           "not graded");
      return;
    }
    if (unarousable) {
      found(4, rule::kObtunded, "obtunded (unarousable): cannot perform the CARTOX-10 tasks");
      return;
    }
    const auto age = timeline_.patient().age_years;
    if (age && *age < rules_.cartox10_min_age_years) {
      review_.push_back(fmt::format("CARTOX-10 is validated from {:g} years; the paediatric CRES (CAPD) is not "
                                    "implemented", rules_.cartox10_min_age_years));
      need("cartox10", neuro_.consciousness ? 3 : 4);
      return;
    }
    if (!neuro_.ice) {
      need("ice", neuro_.consciousness ? 3 : 4);
      return;
    }
    range_ = cartox10_from_ice(*neuro_.ice);
    if (!range_) {
      need("ice_items", 3);  // the total alone does not tell which item "commands" scored
      return;
    }
    const int worse_band = cres_grade_of_cartox10(range_->low, rules_);
    const int better_band = cres_grade_of_cartox10(range_->high, rules_);
    if (worse_band != better_band) {
      // The president item decides between two bands: the CARTOX-10 domain is not graded.
      need("cartox10_president_item", worse_band);
      return;
    }
    found(worse_band, cartox10_rule(worse_band),
          fmt::format("CARTOX-10 {}–{}/10 (ICE {} less 'follows commands', plus the unrecorded president item; "
                      "7–9: grade 1, 3–6: grade 2, 0–2: grade 3)",
                      range_->low, range_->high, neuro_.ice->total));
  }

  void grade_icp() {
    const bool haemorrhage = neuro_.intracranial_haemorrhage.value_or(false);
    for (const IcpFinding finding : neuro_.icp_findings) {
      switch (finding) {
        case IcpFinding::papilloedema:
          found(3, rule::kPapilloedema, "papilloedema, stage not recorded: stage 1–2 is grade 3, stage 3–5 grade 4");
          need("papilloedema_stage", 4);
          break;
        case IcpFinding::focal_oedema:
        case IcpFinding::diffuse_oedema:
          if (haemorrhage) {
            review_.push_back(fmt::format("{} with intracranial haemorrhage: not counted as CRES cerebral oedema",
                                          to_name(finding)));
            break;
          }
          found(4, rule::kCerebralOedema, fmt::format("cerebral oedema ({})", to_name(finding)));
          break;
        case IcpFinding::posturing:
        case IcpFinding::cranial_nerve_vi_palsy:
        case IcpFinding::cushings_triad:
          review_.push_back(fmt::format("{}: a sign of raised intracranial pressure that CRES does not list "
                                        "(papilloedema, CSF opening pressure, oedema); review", to_name(finding)));
          break;
      }
    }
  }

  void grade_seizure() {
    if (!neuro_.seizure) return;
    const Seizure& seizure = *neuro_.seizure;
    if (seizure.type == SeizureType::none) {
      found(0, rule::kNoSeizure, "no seizure");
      return;
    }
    std::string what = fmt::format("{} seizure", to_name(seizure.type));
    if (seizure.duration_min) what += fmt::format(" lasting {:g} min", *seizure.duration_min);
    const bool prolonged = seizure.duration_min && *seizure.duration_min > rules_.status_epilepticus_min_minutes;
    if (prolonged || seizure.repetitive.value_or(false)) {
      found(4, rule::kStatusEpilepticus,
            what + fmt::format(": status epilepticus (> {:g} min, or repetitive without return to baseline)",
                               rules_.status_epilepticus_min_minutes));
      return;
    }
    if (seizure.type == SeizureType::generalised) {
      found(4, rule::kGeneralisedSeizure, what + ": generalised seizure");
      return;
    }
    if (seizure.type == SeizureType::focal) {
      found(3, rule::kPartialSeizure, what + ": partial seizure");
    } else {
      found(3, rule::kNonConvulsiveSeizure,
            what + ": non-convulsive seizure on EEG, taken as responding to benzodiazepines (not recorded)");
    }
    if (!seizure.duration_min && !seizure.repetitive) need("seizure_duration", 4);
  }

  void grade_motor() {
    if (!neuro_.motor) return;
    if (*neuro_.motor == MotorFinding::deep_focal_weakness) {
      found(4, rule::kMotorWeakness, "new motor weakness (deep focal weakness)");
      return;
    }
    found(0, rule::kNoMotorWeakness, fmt::format("no motor weakness ({})", to_name(*neuro_.motor)));
    if (*neuro_.motor != MotorFinding::none) {
      review_.push_back(fmt::format("{}: not a CRES criterion", to_name(*neuro_.motor)));
    }
  }

  CresAssessmentGrade finish() {
    CresAssessmentGrade out;
    out.t = timeline_.events()[event_index_].time.seconds_since_infusion;
    out.event_index = event_index_;
    if (range_) {
      out.cartox10_low = range_->low;
      out.cartox10_high = range_->high;
    }
    GradeResult& result = out.result;
    result.set_at = out.t;
    result.review = std::move(review_);
    std::stable_sort(levels_.begin(), levels_.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const int grade = levels_.empty() ? -1 : levels_.front().first;
    for (const auto& [input, could_reach] : missing_) {
      if (could_reach > grade) result.missing.push_back(input);
    }
    if (levels_.empty()) {
      result.assessment = Assessment::not_assessable;
      return out;
    }
    result.grade = grade;
    result.assessment = result.missing.empty() ? Assessment::complete : Assessment::incomplete;
    for (auto& [level, reason] : levels_) result.reasons.push_back(std::move(reason));
    return out;
  }

  const Timeline& timeline_;
  const CresRules& rules_;
  std::size_t event_index_;
  const NeuroAssessment& neuro_;
  std::optional<Cartox10Range> range_;
  std::vector<std::pair<int, Reason>> levels_;
  std::vector<std::pair<std::string, int>> missing_;
  std::vector<std::string> review_;
};

}  // namespace

std::vector<CresAssessmentGrade> grade_cres_assessments(const Timeline& timeline, const RuleSet& rules) {
  const CresRules cres = CresRules::from(rules);
  std::vector<CresAssessmentGrade> grades;
  const auto& events = timeline.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind() != EventKind::neuro || events[i].time.seconds_since_infusion < 0) continue;
    grades.push_back(CresGrader(timeline, cres, i).grade());
  }
  return grades;
}

namespace {

// A CRES result with any domain missing could have been grade 4 (the scale's top).
int possible_cres_grade(const GradeResult& result) {
  constexpr int kCresMax = 4;
  return result.missing.empty() ? result.grade.value_or(-1) : kCresMax;
}

}  // namespace

std::vector<ScaleDayGrade> cres_by_day(const Timeline& timeline, std::span<const CresAssessmentGrade> grades,
                                       int first_day, int last_day) {
  std::vector<ScaleDayGrade> days;
  std::size_t g = 0;
  for (int day = first_day; day <= last_day; ++day) {
    const TimeWindow window = timeline.day_window(day);
    std::vector<const GradeResult*> of_day;
    for (; g < grades.size() && grades[g].t < window.to; ++g) {
      if (grades[g].t >= window.from) of_day.push_back(&grades[g].result);
    }
    days.push_back({day, most_severe(of_day, possible_cres_grade, "neuro_assessment")});
  }
  return days;
}

}  // namespace crsguard

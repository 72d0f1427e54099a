#pragma once
// ASTCT 2019 grading of immune effector cell-associated neurotoxicity syndrome (ICANS) at each
// neurological assessment and per study day. Rules and sources: icans.cpp; docs/grading.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinical/grade.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

struct IcansRules {
  double capd_below_age_years = 0;  // children younger than this are assessed with CAPD, not ICE
  static IcansRules from(const RuleSet& rules);
};

enum class EncephalopathyTool : unsigned char { none, ice, capd };

struct IcansAssessmentGrade {
  std::int64_t t = 0;
  std::size_t event_index = 0;  // the neuro assessment (or, for grade 5, the last event)
  EncephalopathyTool tool = EncephalopathyTool::none;
  GradeResult result;
};

struct IcansDayGrade {
  int day = 0;
  GradeResult result;  // the day's most severe assessment; not assessable on a day without one
  int assessments = 0;
};

// The grade of one neurological assessment (events[event_index], a neuro event), from it alone.
IcansAssessmentGrade grade_icans_assessment(const Timeline& timeline, const IcansRules& rules, std::size_t event_index);
// One grade per neurological assessment (time order), and grade 5 at death from ICANS.
std::vector<IcansAssessmentGrade> grade_icans_assessments(const Timeline& timeline, const IcansRules& rules);
// The maximum of each study day from `first_day` to `last_day`.
std::vector<IcansDayGrade> icans_by_day(const Timeline& timeline, std::span<const IcansAssessmentGrade> grades,
                                        int first_day, int last_day);

namespace icans_rules {
extern const RuleRef kIce;
extern const RuleRef kIceZeroAwakeAphasia;
extern const RuleRef kCapd;
extern const RuleRef kConsciousness;
extern const RuleRef kSeizure;
extern const RuleRef kProlongedSeizure;
extern const RuleRef kMotorWeakness;
extern const RuleRef kFocalOedema;
extern const RuleRef kRaisedIcp;
extern const RuleRef kDeath;
}  // namespace icans_rules

}  // namespace crsguard

// Time-to-event endpoints read from timelines (analysis/endpoints.hpp): the example paediatric cohort's
// leukaemia-free and overall survival as Pan 2021 Table 1 gives them, and the edge cases of the rules.
#include "analysis/endpoints.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/cohort_fixture.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using testing::paediatric_cohort;

// Pan 2021 Table 1: follow-up months × 30.4375, rounded (scripts/convert_reports.py); relapse of patients 7
// and 12, death of patient 4 (infection, at the last follow-up).
constexpr double kLfsDays[] = {274, 228, 274, 274, 274, 304, 122, 274, 274, 244, 213, 76, 213, 335};
constexpr bool kLfsEvent[] = {false, false, false, true, false, false, true, false, false, false, false, true, false, false};

TEST(Endpoints, PaediatricLeukaemiaFreeSurvivalMatchesTable1) {
  const auto& cohort = paediatric_cohort();
  ASSERT_EQ(cohort.timelines.size(), 14u);
  for (std::size_t i = 0; i < cohort.timelines.size(); ++i) {
    const auto endpoint = derive_endpoint(cohort.timelines[i], Endpoint::leukaemia_free_survival, {});
    ASSERT_TRUE(endpoint.subject) << endpoint.patient_id << ": " << endpoint.reason;
    EXPECT_DOUBLE_EQ(endpoint.subject->time, kLfsDays[i]) << endpoint.patient_id;
    EXPECT_EQ(endpoint.subject->event, kLfsEvent[i]) << endpoint.patient_id << ": " << endpoint.reason;
  }
  const auto p07 = derive_endpoint(cohort.timelines[6], Endpoint::leukaemia_free_survival, {});
  EXPECT_EQ(p07.reason, "relapse on day 122");
}

TEST(Endpoints, DeathWithoutRelapseCanBeCensoredForLfs) {
  const auto& p04 = paediatric_cohort().timelines[3];
  EndpointOptions options;
  options.death_is_lfs_event = false;
  const auto endpoint = derive_endpoint(p04, Endpoint::leukaemia_free_survival, options);
  ASSERT_TRUE(endpoint.subject);
  EXPECT_FALSE(endpoint.subject->event) << endpoint.reason;
  EXPECT_DOUBLE_EQ(endpoint.subject->time, 274);
}

TEST(Endpoints, OverallSurvivalCountsOnlyDeaths) {
  const auto& cohort = paediatric_cohort();
  int deaths = 0;
  for (const auto& timeline : cohort.timelines) {
    const auto endpoint = derive_endpoint(timeline, Endpoint::overall_survival, {});
    ASSERT_TRUE(endpoint.subject) << endpoint.reason;
    deaths += endpoint.subject->event ? 1 : 0;
  }
  EXPECT_EQ(deaths, 1);  // patient 4, infection
}

TEST(Endpoints, CensoringAtHctNeedsItsTime) {
  // Patient 7 had an HCT after CAR-T whose time the report does not give.
  const auto endpoint = derive_endpoint(paediatric_cohort().timelines[6], Endpoint::overall_survival,
                                        {.censor_at_hct = true, .death_is_lfs_event = true});
  EXPECT_FALSE(endpoint.subject);
  EXPECT_NE(endpoint.reason.find("HCT"), std::string::npos) << endpoint.reason;
}

Timeline timeline_from(const std::string& events, const std::string& outcome) {
  const std::string text = R"({"format": "crsguard.timeline/1", "patient": {"id": "t1", "sex": "female",
    "age": {"value": 9, "unit": "a"}}, "infusion": {"time": {"day": 0}, "product": "CD19 CAR-T", "targets": ["CD19"]},
    "events": [)" + events + "]" + (outcome.empty() ? "" : ", \"outcome\": " + outcome) + "}";
  return read_timelines_json(text, "test.json").front();
}

TEST(Endpoints, NoRemissionMeansNoLfs) {
  const Timeline timeline = timeline_from(R"({"kind": "response", "time": {"day": 28}, "status": "NR"})",
                                          R"({"last_followup": {"day": 90}, "vital_status": "alive"})");
  const auto endpoint = derive_endpoint(timeline, Endpoint::leukaemia_free_survival, {});
  EXPECT_FALSE(endpoint.subject);
  EXPECT_FALSE(endpoint.reason.empty());
  EXPECT_TRUE(derive_endpoint(timeline, Endpoint::overall_survival, {}).subject);
}

TEST(Endpoints, NoOutcomeMeansNoFollowUp) {
  const Timeline timeline = timeline_from(R"({"kind": "response", "time": {"day": 28}, "status": "CR"})", "");
  const auto endpoint = derive_endpoint(timeline, Endpoint::overall_survival, {});
  EXPECT_FALSE(endpoint.subject);
  EXPECT_NE(endpoint.reason.find("outcome"), std::string::npos) << endpoint.reason;
}

TEST(Endpoints, RelapseOnTheLastFollowUpDayIsAnEvent) {
  const Timeline timeline = timeline_from(
      R"({"kind": "response", "time": {"day": 28}, "status": "CR"},
         {"kind": "response", "time": {"day": 90}, "status": "relapse"})",
      R"({"last_followup": {"day": 90}, "vital_status": "alive"})");
  const auto endpoint = derive_endpoint(timeline, Endpoint::leukaemia_free_survival, {});
  ASSERT_TRUE(endpoint.subject) << endpoint.reason;
  EXPECT_TRUE(endpoint.subject->event);
  EXPECT_DOUBLE_EQ(endpoint.subject->time, 90);
}

TEST(Endpoints, CrsOnsetFollowsTheGradedEpisodes) {
  const auto& cohort = paediatric_cohort();
  int with_onset = 0;
  for (const auto& patient : cohort.patients) {
    const auto endpoint = derive_endpoint(*patient.timeline, Endpoint::crs_onset, {}, &patient.grades.crs);
    if (!endpoint.subject) continue;
    if (endpoint.subject->event) {
      ++with_onset;
      EXPECT_FALSE(patient.grades.crs.episodes.empty()) << endpoint.patient_id;
      EXPECT_GE(endpoint.subject->time, 0) << endpoint.patient_id;
    } else {
      EXPECT_TRUE(patient.grades.crs.episodes.empty()) << endpoint.patient_id;
    }
  }
  // Only patient 3's timeline holds the temperatures that open an episode (fever on day 5).
  EXPECT_EQ(with_onset, 1);
  const auto p03 = derive_endpoint(*cohort.patients[2].timeline, Endpoint::crs_onset, {}, &cohort.patients[2].grades.crs);
  ASSERT_TRUE(p03.subject) << p03.reason;
  EXPECT_TRUE(p03.subject->event);
  EXPECT_GE(p03.subject->time, 5);
  EXPECT_LT(p03.subject->time, 6);
}

}  // namespace
}  // namespace crsguard

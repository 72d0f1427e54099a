#include <gtest/gtest.h>

#include "core/problem.hpp"
#include "io/timeline_csv.hpp"
#include "io/timeline_json.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

using testing::read_text;
using testing::source_path;

TEST(Csv, AdultCaseCsvMatchesItsJson) {
  const auto from_csv = read_timelines_csv(read_text(source_path("examples/adult-case-zi2021.csv")), "adult.csv");
  ASSERT_EQ(from_csv.size(), 1u);
  const std::string json_text = read_text(source_path("examples/adult-case-zi2021.timeline.json"));
  EXPECT_EQ(write_timeline_json(from_csv.front()), json_text);
}

constexpr const char* kHeader = "patient_id,day,clock,datetime,kind,item,value,unit,detail,note\n";

TEST(Csv, SeveralPatientsQuotedFieldsAndCrlf) {
  const std::string text = std::string(kHeader) +
                           "a1,,,,patient,sex,female,,,\r\n"
                           "a1,,,,infusion,product,\"CD19 CAR-T, academic\",,,\r\n"
                           "a1,,,,infusion,target,CD19,,,\r\n"
                           "b2,,,,patient,sex,male,,,\n"
                           "b2,,,,infusion,product,CD22 CAR-T,,,\n"
                           "b2,,,,infusion,target,CD22,,,\n"
                           "a1,1,08:00,,observation,body_temperature,101.3,[degF],statistic=max,\"said \"\"hot\"\"\"\n"
                           "b2,2,,,oxygen,nasal_cannula,4,L/min,fio2=30,\n";
  const auto timelines = read_timelines_csv(text, "two.csv");
  ASSERT_EQ(timelines.size(), 2u);
  EXPECT_EQ(timelines[0].patient().id, "a1");
  EXPECT_EQ(timelines[0].infusion().product, "CD19 CAR-T, academic");
  const auto& event = timelines[0].events().at(0);
  EXPECT_EQ(event.note, "said \"hot\"");
  EXPECT_DOUBLE_EQ(*event.as<Observation>()->value, 38.5);
  EXPECT_EQ(event.as<Observation>()->statistic, Statistic::max);
  const auto* support = timelines[1].events().at(0).as<OxygenSupport>();
  ASSERT_NE(support, nullptr);
  EXPECT_EQ(support->flow_l_per_min, 4);
  EXPECT_EQ(support->fio2_percent, 30);
}

TEST(Csv, NeuroRowsAtOneTimeMergeIntoOneAssessment) {
  const std::string text = std::string(kHeader) +
                           "n1,,,,patient,sex,male,,,\n"
                           "n1,,,,infusion,product,CAR-T,,,\n"
                           "n1,,,,infusion,target,CD19,,,\n"
                           "n1,5,10:00,,neuro,ice_total,6,,,\n"
                           "n1,5,10:00,,neuro,consciousness,awakens_to_voice,,,\n"
                           "n1,5,10:00,,neuro,seizure,focal,,duration_min=2,\n"
                           "n1,6,10:00,,neuro,ice_total,9,,,\n";
  const auto timelines = read_timelines_csv(text, "neuro.csv");
  ASSERT_EQ(timelines.front().events().size(), 2u);
  const auto* first = timelines.front().events()[0].as<NeuroAssessment>();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->ice->total, 6);
  EXPECT_EQ(first->consciousness, Consciousness::awakens_to_voice);
  EXPECT_EQ(first->seizure->type, SeizureType::focal);
  EXPECT_EQ(first->seizure->duration_min, 2);
}

TEST(Csv, DecoderProblemsAreReportedAtTheCsvCell) {
  const std::string text = std::string(kHeader) +
                           "p,,,,patient,sex,male,,,\n"
                           "p,,,,infusion,product,CAR-T,,,\n"
                           "p,,,,infusion,target,CD19,,,\n"
                           "p,1,,,observation,body_temperature,60,Cel,,\n"
                           "p,2,,,observation,heart_rate,120,furlongs,,\n";
  try {
    read_timelines_csv(text, "bad.csv");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 2u);
    const Problem& temperature = error.problems()[0];
    EXPECT_EQ(temperature.where.file, "bad.csv");
    EXPECT_EQ(temperature.where.line, 5);
    EXPECT_EQ(temperature.where.column, 7);  // the value column
    EXPECT_NE(temperature.reason.find("plausible range 30–45 Cel"), std::string::npos) << temperature.reason;
    const Problem& unit = error.problems()[1];
    EXPECT_EQ(unit.where.line, 6);
    EXPECT_EQ(unit.where.column, 8);  // the unit column
    EXPECT_EQ(unit.where.field, "unit");
    EXPECT_NE(unit.reason.find("unknown unit \"furlongs\""), std::string::npos) << unit.reason;
    EXPECT_EQ(unit.to_string().rfind("bad.csv: line 6, column 8, field \"unit\": patient p: unknown unit", 0), 0u)
        << unit.to_string();
  }
}

TEST(Csv, ProblemsBeyondTheLimitAreCounted) {
  std::string text = std::string(kHeader) + "p,,,,patient,sex,male,,,\np,,,,infusion,product,CAR-T,,,\n"
                     "p,,,,infusion,target,CD19,,,\n";
  for (int i = 0; i < 80; ++i) text += "p,1,,,observation,body_temperature,99,Cel,,\n";
  try {
    read_timelines_csv(text, "flood.csv");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().size() + error.dropped(), 80u);
    EXPECT_NE(error.lines().back().find("30 more problems not shown"), std::string::npos) << error.lines().back();
  }
}

}  // namespace
}  // namespace crsguard

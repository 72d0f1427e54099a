#include <gtest/gtest.h>

#include "model/timeline.hpp"

namespace crsguard {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

Event observation(std::int64_t t, ObservationCode code, double value, Comparator comparator = Comparator::equal) {
  Observation o;
  o.code = code;
  o.value = value;
  o.comparator = comparator;
  return Event{EventTime{t, TimeForm::study_day_clock}, o, ""};
}

Event oxygen(std::int64_t t, OxygenDevice device, std::optional<double> flow = std::nullopt) {
  return Event{EventTime{t, TimeForm::study_day_clock}, OxygenSupport{device, flow, std::nullopt}, ""};
}

Event vasopressor(std::int64_t t, VasopressorAgent agent, VasopressorAction action) {
  return Event{EventTime{t, TimeForm::study_day_clock}, VasopressorChange{agent, action, std::nullopt}, ""};
}

Event dose(std::int64_t t, std::string drug, double mg, std::optional<RepeatSchedule> repeat = std::nullopt) {
  Administration a;
  a.drug = std::move(drug);
  a.dose = DrugDose{mg, DoseBasis::mg};
  a.repeat = repeat;
  return Event{EventTime{t, TimeForm::study_day_clock}, a, ""};
}

// Infusion at 10:00 on day 0, so day 1 starts 14 h after the infusion.
TimelineRecord record_with(std::vector<Event> events) {
  TimelineRecord record;
  record.patient.id = "t1";
  record.infusion.product = "CD19 CAR-T";
  record.infusion.targets = {"CD19"};
  record.infusion.time.given = true;
  record.infusion.time.clock = 10 * 3600;
  record.infusion.time.form = TimeForm::study_day_clock;
  record.events = std::move(events);
  return record;
}

TEST(Timeline, StudyDaysFollowTheCalendarNotTwentyFourHourBlocks) {
  const Timeline timeline(record_with({}));
  EXPECT_EQ(timeline.study_day(0), 0);
  EXPECT_EQ(timeline.study_day(13 * kHour + 59 * 60), 0);  // 23:59 on day 0
  EXPECT_EQ(timeline.study_day(14 * kHour), 1);            // midnight
  EXPECT_EQ(timeline.study_day(-10 * kHour), 0);           // 00:00 on day 0
  EXPECT_EQ(timeline.study_day(-10 * kHour - 1), -1);
  EXPECT_EQ(timeline.day_start(1), 14 * kHour);
  EXPECT_EQ(timeline.day_start(-1), -34 * kHour);
}

TEST(Timeline, EventsAreSortedStablyByTime) {
  const Timeline timeline(record_with({observation(5 * kHour, ObservationCode::heart_rate, 120),
                                       observation(1 * kHour, ObservationCode::heart_rate, 100),
                                       observation(5 * kHour, ObservationCode::heart_rate, 130)}));
  const auto values = timeline.values(ObservationCode::heart_rate);
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].value, 100);
  EXPECT_EQ(values[1].value, 120);  // same time: file order kept
  EXPECT_EQ(values[2].value, 130);
}

TEST(Timeline, ValueAtIsTheLatestAtOrBefore) {
  const Timeline timeline(record_with({observation(2 * kHour, ObservationCode::platelets, 80),
                                       observation(30 * kHour, ObservationCode::platelets, 40)}));
  EXPECT_FALSE(timeline.value_at(ObservationCode::platelets, kHour).has_value());
  EXPECT_EQ(timeline.value_at(ObservationCode::platelets, 2 * kHour)->value, 80);
  EXPECT_EQ(timeline.value_at(ObservationCode::platelets, 29 * kHour)->value, 80);
  EXPECT_EQ(timeline.value_at(ObservationCode::platelets, 30 * kHour)->value, 40);
  EXPECT_FALSE(timeline.value_at(ObservationCode::neutrophils, 30 * kHour).has_value());
}

TEST(Timeline, MaxAndMinInAHalfOpenWindow) {
  const Timeline timeline(record_with({observation(1 * kHour, ObservationCode::body_temperature, 38.5),
                                       observation(3 * kHour, ObservationCode::body_temperature, 39.4),
                                       observation(6 * kHour, ObservationCode::body_temperature, 40.1)}));
  const TimeWindow window{kHour, 6 * kHour};
  EXPECT_EQ(timeline.max_in(ObservationCode::body_temperature, window)->value, 39.4);
  EXPECT_EQ(timeline.min_in(ObservationCode::body_temperature, window)->value, 38.5);
  EXPECT_FALSE(timeline.max_in(ObservationCode::body_temperature, {7 * kHour, 8 * kHour}).has_value());
}

TEST(Timeline, OxygenIsAStateUntilTheNextOxygenEvent) {
  const Timeline timeline(record_with({oxygen(2 * kHour, OxygenDevice::nasal_cannula, 2),
                                       oxygen(5 * kHour, OxygenDevice::high_flow_nasal_cannula, 30),
                                       oxygen(8 * kHour, OxygenDevice::nasal_cannula, 4),
                                       oxygen(40 * kHour, OxygenDevice::none)}));
  EXPECT_FALSE(timeline.oxygen_at(kHour).has_value());
  EXPECT_EQ(timeline.oxygen_at(3 * kHour)->device, OxygenDevice::nasal_cannula);
  EXPECT_EQ(timeline.oxygen_at(6 * kHour)->device, OxygenDevice::high_flow_nasal_cannula);
  // The HFNC ran only between 5 h and 8 h, but it is the day's highest support.
  EXPECT_EQ(timeline.highest_oxygen_in(timeline.day_window(0))->device, OxygenDevice::high_flow_nasal_cannula);
  // Day 1 starts on the 4 L/min cannula carried over from day 0.
  const auto day1 = timeline.highest_oxygen_in(timeline.day_window(1));
  EXPECT_EQ(day1->device, OxygenDevice::nasal_cannula);
  EXPECT_EQ(day1->flow_l_per_min, 4);
}

TEST(Timeline, MoreSupportComparesDeviceThenFlow) {
  EXPECT_TRUE(more_support({OxygenDevice::cpap, std::nullopt, std::nullopt}, {OxygenDevice::non_rebreather, 15, {}}));
  EXPECT_TRUE(more_support({OxygenDevice::nasal_cannula, 6, {}}, {OxygenDevice::nasal_cannula, 4, {}}));
  EXPECT_FALSE(more_support({OxygenDevice::nasal_cannula, 4, {}}, {OxygenDevice::nasal_cannula, 4, {}}));
}

TEST(Timeline, VasopressorRunsFromStartToStop) {
  const Timeline timeline(record_with({vasopressor(20 * kHour, VasopressorAgent::norepinephrine, VasopressorAction::start),
                                       vasopressor(22 * kHour, VasopressorAgent::vasopressin, VasopressorAction::start),
                                       vasopressor(23 * kHour, VasopressorAgent::vasopressin, VasopressorAction::stop),
                                       vasopressor(50 * kHour, VasopressorAgent::norepinephrine, VasopressorAction::stop)}));
  ASSERT_EQ(timeline.vasopressor_runs().size(), 2u);
  EXPECT_EQ(timeline.vasopressors_in(timeline.day_window(0)).size(), 0u);
  const auto day1 = timeline.vasopressors_in(timeline.day_window(1));  // 14 h to 38 h
  ASSERT_EQ(day1.size(), 2u);
  const auto day2 = timeline.vasopressors_in(timeline.day_window(2));  // 38 h to 62 h
  ASSERT_EQ(day2.size(), 1u);
  EXPECT_EQ(day2.front(), VasopressorAgent::norepinephrine);
  EXPECT_TRUE(timeline.vasopressors_in(timeline.day_window(3)).empty());
}

TEST(Timeline, RepeatSchedulesExpandIntoDoses) {
  const Timeline timeline(record_with({dose(14 * kHour, "ruxolitinib", 10, RepeatSchedule{12, 4})}));
  ASSERT_EQ(timeline.doses().size(), 4u);
  EXPECT_EQ(timeline.doses()[3].seconds_since_infusion, 14 * kHour + 36 * kHour);
}

TEST(Timeline, DaySummaries) {
  const Timeline timeline(record_with({
      observation(15 * kHour, ObservationCode::body_temperature, 38.6),
      observation(20 * kHour, ObservationCode::body_temperature, 39.9),
      observation(21 * kHour, ObservationCode::heart_rate, 135),
      observation(22 * kHour, ObservationCode::systolic_bp, 95),
      observation(23 * kHour, ObservationCode::systolic_bp, 84),
      observation(40 * kHour, ObservationCode::body_temperature, 38, Comparator::greater_or_equal),
      oxygen(23 * kHour, OxygenDevice::nasal_cannula, 3),
      dose(24 * kHour, "tocilizumab", 560),
      dose(33 * kHour, "tocilizumab", 560),
      dose(30 * kHour, "dexamethasone", 10, RepeatSchedule{6, 4}),
  }));
  const auto days = timeline.day_summaries();
  ASSERT_EQ(days.size(), 2u);
  const DaySummary& day1 = days[0];
  EXPECT_EQ(day1.day, 1);
  EXPECT_EQ(day1.max_temperature->value, 39.9);
  EXPECT_EQ(day1.max_heart_rate->value, 135);
  EXPECT_EQ(day1.min_systolic_bp->value, 84);
  EXPECT_EQ(day1.highest_oxygen->device, OxygenDevice::nasal_cannula);
  ASSERT_EQ(day1.drugs.size(), 2u);
  EXPECT_EQ(day1.drugs[0].drug, "tocilizumab");
  EXPECT_EQ(day1.drugs[0].doses, 2);
  EXPECT_EQ(day1.drugs[0].dose->value, 560);
  EXPECT_EQ(day1.drugs[1].drug, "dexamethasone");
  EXPECT_EQ(day1.drugs[1].doses, 2);  // 30 h and 36 h; 42 h and 48 h fall on day 2
  const DaySummary& day2 = days[1];
  EXPECT_EQ(day2.day, 2);
  EXPECT_EQ(day2.max_temperature->comparator, Comparator::greater_or_equal);
  EXPECT_EQ(day2.drugs[0].doses, 2);
  EXPECT_EQ(day2.highest_oxygen->device, OxygenDevice::nasal_cannula) << "support carried over";
}

TEST(Timeline, DaySummaryMarksDosesThatDiffer) {
  const Timeline timeline(record_with({dose(20 * kHour, "methylprednisolone", 40), dose(30 * kHour, "methylprednisolone", 80)}));
  const auto days = timeline.day_summaries();
  ASSERT_EQ(days.size(), 1u);
  EXPECT_TRUE(days[0].drugs[0].doses_differ);
  EXPECT_FALSE(days[0].drugs[0].dose.has_value());
}

}  // namespace
}  // namespace crsguard

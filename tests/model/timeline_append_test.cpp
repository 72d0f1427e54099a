// Timeline::append keeps the indices the constructor builds, and complete_at says when a cut at t
// would change nothing (the protocol engine then reads the record without a copy).
#include <gtest/gtest.h>

#include "model/timeline.hpp"

namespace crsguard {
namespace {

constexpr std::int64_t kHour = 3600;

Event at(std::int64_t t, EventDetail detail) { return Event{EventTime{t, TimeForm::study_day_clock}, std::move(detail), ""}; }

Event temperature(std::int64_t t, double value) {
  Observation o;
  o.code = ObservationCode::body_temperature;
  o.value = value;
  return at(t, o);
}

Event dose(std::int64_t t, const std::string& drug, double mg, std::optional<RepeatSchedule> repeat = std::nullopt) {
  Administration a;
  a.drug = drug;
  a.dose = DrugDose{mg, DoseBasis::mg};
  a.repeat = repeat;
  return at(t, a);
}

std::vector<Event> course() {
  return {temperature(0, 37.0),
          dose(2 * kHour, "ruxolitinib", 10, RepeatSchedule{12, 4}),
          temperature(4 * kHour, 38.9),
          at(5 * kHour, VasopressorChange{VasopressorAgent::norepinephrine, VasopressorAction::start, std::nullopt}),
          at(6 * kHour, OxygenSupport{OxygenDevice::nasal_cannula, 2.0, std::nullopt}),
          dose(14 * kHour, "tocilizumab", 400),
          dose(14 * kHour, "methylprednisolone", 40),
          at(20 * kHour, VasopressorChange{VasopressorAgent::norepinephrine, VasopressorAction::stop, std::nullopt}),
          temperature(40 * kHour, 37.2)};
}

TEST(TimelineAppend, BuildsTheSameIndicesAsTheConstructor) {
  TimelineRecord record;
  record.events = course();
  const Timeline whole(record);
  TimelineRecord empty;
  Timeline grown(empty);
  for (const Event& e : course()) grown.append(e);

  ASSERT_EQ(grown.events().size(), whole.events().size());
  ASSERT_EQ(grown.doses().size(), whole.doses().size());
  for (std::size_t i = 0; i < whole.doses().size(); ++i) {
    EXPECT_EQ(grown.doses()[i].seconds_since_infusion, whole.doses()[i].seconds_since_infusion) << i;
    EXPECT_EQ(grown.doses()[i].event_index, whole.doses()[i].event_index) << i;
    // The pointers follow the events when the vector grows.
    EXPECT_EQ(grown.doses()[i].administration, grown.events()[grown.doses()[i].event_index].as<Administration>());
  }
  ASSERT_EQ(grown.vasopressor_runs().size(), 1U);
  EXPECT_EQ(grown.vasopressor_runs()[0].to, 20 * kHour);
  EXPECT_EQ(grown.values(ObservationCode::body_temperature).size(), 3U);
  EXPECT_EQ(grown.oxygen_at(7 * kHour)->device, OxygenDevice::nasal_cannula);
}

TEST(TimelineCopy, DosesPointIntoTheCopysOwnEvents) {
  TimelineRecord record;
  record.events = course();
  std::optional<Timeline> original(std::in_place, record);
  const Timeline copy = *original;
  Timeline assigned(TimelineRecord{});
  assigned = *original;
  original.reset();  // the copies must not point into freed events
  for (const Timeline* t : {&copy, static_cast<const Timeline*>(&assigned)}) {
    ASSERT_FALSE(t->doses().empty());
    for (const auto& dose : t->doses()) {
      EXPECT_EQ(dose.administration, t->events()[dose.event_index].as<Administration>());
      EXPECT_EQ(dose.administration->drug.empty(), false);
    }
  }
}

TEST(TimelineAppend, RefusesAnEventBeforeTheLast) {
  Timeline timeline(TimelineRecord{});
  timeline.append(temperature(10 * kHour, 37.0));
  EXPECT_THROW(timeline.append(temperature(9 * kHour, 37.0)), std::invalid_argument);
  EXPECT_NO_THROW(timeline.append(temperature(10 * kHour, 37.5)));  // equal times keep their order
}

TEST(TimelineCompleteAt, TrueOnlyWhenTheCutWouldChangeNothing) {
  TimelineRecord record;
  record.events = {temperature(0, 37.0), dose(2 * kHour, "tocilizumab", 400), temperature(4 * kHour, 38.0)};
  const Timeline timeline(record);
  EXPECT_TRUE(timeline.complete_at(4 * kHour));
  EXPECT_FALSE(timeline.complete_at(3 * kHour));  // a reading after t
  EXPECT_FALSE(timeline.complete_at(2 * kHour));  // a dose at t is not known at t

  TimelineRecord repeating;
  repeating.events = {temperature(0, 37.0), dose(kHour, "ruxolitinib", 10, RepeatSchedule{12, 3})};
  EXPECT_FALSE(Timeline(repeating).complete_at(2 * kHour));  // its later doses lie after t

  record.outcome = Outcome{EventTime{30 * kHour, TimeForm::study_day_clock}, VitalStatus::alive, std::nullopt, "", false, std::nullopt};
  EXPECT_FALSE(Timeline(record).complete_at(4 * kHour));  // an outcome known only later
}

}  // namespace
}  // namespace crsguard

// Hyperinflammation flags on small timelines: each criterion met, not met, and not assessable,
// and which organ findings a timeline cannot hold.
#include <gtest/gtest.h>

#include <algorithm>

#include "clinical/hyperinflammation.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

using testing::rules_with;
using testing::shipped_rules;

Event lab(std::int64_t t, ObservationCode code, double value, std::optional<ReferenceRange> range = std::nullopt,
          Comparator comparator = Comparator::equal) {
  Observation o;
  o.code = code;
  o.value = value;
  o.comparator = comparator;
  o.reference_range = range;
  return Event{EventTime{t, TimeForm::study_day_clock}, o, ""};
}

// Infusion at 00:00 on day 0, so study day d starts at d × 24 h.
Timeline timeline_of(std::vector<Event> events) {
  TimelineRecord record;
  record.patient.id = "hlh";
  record.infusion.product = "CD19 CAR-T";
  record.infusion.time.given = true;
  record.infusion.time.clock = 0;
  record.infusion.time.form = TimeForm::study_day_clock;
  record.events = std::move(events);
  return Timeline(std::move(record));
}

HyperinflammationFlag flag_of(const Timeline& timeline, HyperinflammationCriterion criterion,
                              const RuleSet& rules = shipped_rules()) {
  const auto flags = hyperinflammation_flags(timeline, rules);
  const auto found = std::find_if(flags.begin(), flags.end(),
                                  [&](const HyperinflammationFlag& f) { return f.criterion == criterion; });
  if (found == flags.end()) throw std::runtime_error("criterion not reported");
  return *found;
}

bool lists(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

bool cites(const HyperinflammationFlag& flag, std::string_view rule_id) {
  return std::any_of(flag.reasons.begin(), flag.reasons.end(), [&](const Reason& r) { return r.rule.id == rule_id; });
}

const ReferenceRange kLiverRange{std::nullopt, 40};
const ReferenceRange kCreatinineRange{0.6, 1.2};
const ReferenceRange kPlateletRange{150, 400};
const ReferenceRange kFerritinRange{20, 300};

// ---- all three, named ----------------------------------------------------------------------------

TEST(Hyperinflammation, ReportsEachCriterionOnceWithItsRule) {
  const auto flags = hyperinflammation_flags(timeline_of({}), shipped_rules());
  ASSERT_EQ(flags.size(), 3u);
  EXPECT_EQ(flags[0].criterion, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_EQ(flags[0].rule.id, "astct2023.iec_hs.screen");
  EXPECT_EQ(flags[1].criterion, HyperinflammationCriterion::cartox_hlh_mas_2018);
  EXPECT_EQ(flags[1].rule.id, "cartox2018.hlh_mas");
  EXPECT_NE(flags[1].rule.source.find("Neelapu"), std::string_view::npos);
  EXPECT_EQ(flags[2].criterion, HyperinflammationCriterion::pan2021_severe_crs_marker);
  EXPECT_EQ(flags[2].rule.id, "pan2021.severe_crs.ferritin_with_cytopenia");
  for (const auto& flag : flags) {
    EXPECT_FALSE(flag.met.has_value()) << to_name(flag.criterion);  // nothing recorded: not assessable
    EXPECT_TRUE(lists(flag.missing, "ferritin")) << to_name(flag.criterion);
  }
  EXPECT_EQ(to_name(HyperinflammationCriterion::pan2021_severe_crs_marker), "pan2021_severe_crs_marker");
  EXPECT_EQ(from_name<HyperinflammationCriterion>("cartox_hlh_mas_2018"), HyperinflammationCriterion::cartox_hlh_mas_2018);
}

// ---- CARTOX HLH/MAS --------------------------------------------------------------------------------

TEST(CartoxHlhMas, FerritinAbove10000WithTwoOrganCriteriaIsMet) {
  const Timeline timeline = timeline_of({
      lab(-5 * kDay, ObservationCode::ast, 30, kLiverRange),
      lab(-5 * kDay, ObservationCode::creatinine, 0.9, kCreatinineRange),
      lab(3 * kDay, ObservationCode::ferritin, 15000),
      lab(3 * kDay + 2 * kHour, ObservationCode::ast, 300, kLiverRange),  // 7.5 × ULN: grade 3
      lab(4 * kDay, ObservationCode::creatinine, 4.0, kCreatinineRange),  // > 3 × ULN: grade 3
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018);
  ASSERT_TRUE(flag.met.has_value());
  EXPECT_TRUE(*flag.met);
  EXPECT_EQ(flag.first_met_at, std::optional<std::int64_t>(4 * kDay));  // when the second organ criterion held
  EXPECT_TRUE(cites(flag, "cartox2018.hlh_mas.ferritin"));
  EXPECT_TRUE(cites(flag, "cartox2018.hlh_mas.bilirubin_or_transaminases"));
  EXPECT_TRUE(cites(flag, "cartox2018.hlh_mas.creatinine_or_oliguria"));
  EXPECT_TRUE(lists(flag.missing, "pulmonary_oedema"));
  EXPECT_TRUE(lists(flag.missing, "haemophagocytosis"));
  EXPECT_FALSE(lists(flag.missing, "oliguria"));  // the creatinine rise settled the renal criterion
  const auto& ferritin_evidence = flag.reasons.at(0).evidence.at(0);
  EXPECT_EQ(ferritin_evidence.item, "ferritin");
  EXPECT_EQ(ferritin_evidence.value, 15000);
}

TEST(CartoxHlhMas, FerritinOf10000OrLessIsNotMet) {
  const Timeline timeline = timeline_of({
      lab(2 * kDay, ObservationCode::ferritin, 10000),
      lab(2 * kDay, ObservationCode::ast, 900, kLiverRange),
      lab(2 * kDay, ObservationCode::creatinine, 8.0, kCreatinineRange),
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018);
  EXPECT_EQ(flag.met, std::optional<bool>(false));
  EXPECT_FALSE(flag.first_met_at);
}

TEST(CartoxHlhMas, OneOrganCriterionLeavesItOpenWhileOthersCannotBeChecked) {
  const Timeline timeline = timeline_of({
      lab(2 * kDay, ObservationCode::ferritin, 22000),
      lab(2 * kDay, ObservationCode::bilirubin, 4.0, ReferenceRange{std::nullopt, 1.2}),  // > 3 × ULN: grade 3
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018);
  EXPECT_FALSE(flag.met.has_value());
  EXPECT_TRUE(lists(flag.missing, "creatinine"));
  EXPECT_TRUE(lists(flag.missing, "oliguria"));
  EXPECT_TRUE(lists(flag.missing, "pulmonary_oedema"));
  EXPECT_TRUE(lists(flag.missing, "haemophagocytosis"));
}

TEST(CartoxHlhMas, NotMetWhenEvenTheUncheckableCriteriaCouldNotMakeUpTheCount) {
  const Timeline timeline = timeline_of({lab(2 * kDay, ObservationCode::ferritin, 22000)});
  const auto flag = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018,
                            rules_with("hyperinflammation.cartox.organ_criteria_needed", 5));
  EXPECT_EQ(flag.met, std::optional<bool>(false));
}

TEST(CartoxHlhMas, FerritinOutsideTheCrsPhaseDoesNotCount) {
  const Timeline timeline = timeline_of({
      lab(8 * kDay, ObservationCode::ferritin, 30000),
      lab(8 * kDay, ObservationCode::ast, 900, kLiverRange),
      lab(8 * kDay, ObservationCode::creatinine, 8.0, kCreatinineRange),
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018);
  EXPECT_FALSE(flag.met.has_value());
  EXPECT_TRUE(lists(flag.missing, "ferritin"));
  const auto later = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018,
                             rules_with("hyperinflammation.cartox.window_last_day", 10));
  EXPECT_EQ(later.met, std::optional<bool>(true));
}

TEST(CartoxHlhMas, AnUngradableLiverResultKeepsTheCriterionOpen) {
  const Timeline timeline = timeline_of({
      lab(2 * kDay, ObservationCode::ferritin, 22000),
      lab(-3 * kDay, ObservationCode::creatinine, 0.9, kCreatinineRange),
      lab(2 * kDay, ObservationCode::ast, 500),  // no ULN: not gradable
      lab(2 * kDay, ObservationCode::creatinine, 1.0, kCreatinineRange),
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018);
  EXPECT_FALSE(flag.met.has_value());
  EXPECT_TRUE(lists(flag.missing, "bilirubin_or_transaminases"));
  EXPECT_TRUE(lists(flag.missing, "oliguria"));
  EXPECT_FALSE(lists(flag.missing, "creatinine"));  // measured, just not raised
}

// ---- Pan 2021 ------------------------------------------------------------------------------------

TEST(Pan2021Marker, FerritinAbove5000WithSevereCytopeniaIsMet) {
  const Timeline timeline = timeline_of({
      lab(4 * kDay, ObservationCode::ferritin, 6000),
      lab(4 * kDay + 6 * kHour, ObservationCode::platelets, 20, kPlateletRange),  // grade 4
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::pan2021_severe_crs_marker);
  EXPECT_EQ(flag.met, std::optional<bool>(true));
  EXPECT_EQ(flag.first_met_at, std::optional<std::int64_t>(4 * kDay + 6 * kHour));
  EXPECT_TRUE(cites(flag, "pan2021.severe_crs.ferritin"));
  EXPECT_TRUE(cites(flag, "pan2021.severe_crs.cytopenia"));
  // The CARTOX definition is not met by the same course: which criterion fired is reported.
  const auto cartox = flag_of(timeline, HyperinflammationCriterion::cartox_hlh_mas_2018);
  EXPECT_EQ(cartox.met, std::optional<bool>(false));
}

TEST(Pan2021Marker, MildCytopeniaIsNotEnough) {
  const Timeline timeline = timeline_of({
      lab(4 * kDay, ObservationCode::ferritin, 6000),
      lab(4 * kDay, ObservationCode::platelets, 120, kPlateletRange),  // grade 1
      lab(4 * kDay, ObservationCode::neutrophils, 1.2, ReferenceRange{1.8, 7.5}),  // grade 2
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::pan2021_severe_crs_marker);
  EXPECT_EQ(flag.met, std::optional<bool>(false));
  const auto looser = flag_of(timeline, HyperinflammationCriterion::pan2021_severe_crs_marker,
                              rules_with("hyperinflammation.pan2021.cytopenia_min_ctcae_grade", 2));
  EXPECT_EQ(looser.met, std::optional<bool>(true));
}

TEST(Pan2021Marker, FerritinOf5000OrLessIsNotMet) {
  const Timeline timeline = timeline_of({
      lab(4 * kDay, ObservationCode::ferritin, 5000),
      lab(4 * kDay, ObservationCode::platelets, 10, kPlateletRange),
  });
  EXPECT_EQ(flag_of(timeline, HyperinflammationCriterion::pan2021_severe_crs_marker).met, std::optional<bool>(false));
}

TEST(Pan2021Marker, HighFerritinWithoutABloodCountNearbyIsNotAssessable) {
  const Timeline timeline = timeline_of({
      lab(4 * kDay, ObservationCode::ferritin, 9000),
      lab(7 * kDay, ObservationCode::platelets, 10, kPlateletRange),  // three days later
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::pan2021_severe_crs_marker);
  EXPECT_FALSE(flag.met.has_value());
  EXPECT_TRUE(lists(flag.missing, "blood_counts"));
}

TEST(Pan2021Marker, AFerritinBoundAboveTheThresholdCounts) {
  const Timeline timeline = timeline_of({
      lab(4 * kDay, ObservationCode::ferritin, 5000, std::nullopt, Comparator::greater),
      lab(4 * kDay, ObservationCode::neutrophils, 0.2, ReferenceRange{1.8, 7.5}),
  });
  EXPECT_EQ(flag_of(timeline, HyperinflammationCriterion::pan2021_severe_crs_marker).met, std::optional<bool>(true));
}

// ---- IEC-HS screen -------------------------------------------------------------------------------

TEST(IecHsScreen, FerritinAboveTwiceUlnWithLowFibrinogenIsFlagged) {
  const Timeline timeline = timeline_of({
      lab(10 * kDay, ObservationCode::ferritin, 2000, kFerritinRange),
      lab(11 * kDay, ObservationCode::fibrinogen, 120, ReferenceRange{200, 400}),
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_EQ(flag.met, std::optional<bool>(true));
  EXPECT_EQ(flag.first_met_at, std::optional<std::int64_t>(11 * kDay));
  EXPECT_TRUE(cites(flag, "astct2023.iec_hs.ferritin"));
  EXPECT_TRUE(cites(flag, "astct2023.iec_hs.fibrinogen"));
}

TEST(IecHsScreen, ModestFerritinIsNotFlagged) {
  const Timeline timeline = timeline_of({
      lab(10 * kDay, ObservationCode::ferritin, 500, kFerritinRange),
      lab(10 * kDay, ObservationCode::fibrinogen, 100, ReferenceRange{200, 400}),
  });
  EXPECT_EQ(flag_of(timeline, HyperinflammationCriterion::iec_hs_2023).met, std::optional<bool>(false));
}

TEST(IecHsScreen, HighFerritinAloneStaysOpenBecauseHaemophagocytosisIsNotRecorded) {
  const Timeline timeline = timeline_of({lab(10 * kDay, ObservationCode::ferritin, 2000, kFerritinRange)});
  const auto flag = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_FALSE(flag.met.has_value());
  EXPECT_TRUE(lists(flag.missing, "haemophagocytosis"));
  EXPECT_TRUE(cites(flag, "astct2023.iec_hs.ferritin"));
}

TEST(IecHsScreen, WithoutAFerritinUlnItCannotBeAssessed) {
  const Timeline timeline = timeline_of({lab(10 * kDay, ObservationCode::ferritin, 2000)});
  const auto flag = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_FALSE(flag.met.has_value());
  EXPECT_TRUE(lists(flag.missing, "ferritin_uln"));
  const auto with_default = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023,
                                    rules_with("hyperinflammation.iec_hs.use_default_uln", 1));
  EXPECT_TRUE(cites(with_default, "astct2023.iec_hs.ferritin"));  // 2000 > 2 × default 400
}

TEST(IecHsScreen, RapidlyRisingFerritinWithTransaminitisIsFlagged) {
  const Timeline timeline = timeline_of({
      lab(8 * kDay, ObservationCode::ferritin, 400),
      lab(9 * kDay, ObservationCode::ferritin, 1000),  // 2.5-fold in 24 h, no ULN needed
      lab(9 * kDay, ObservationCode::alt, 250, kLiverRange),  // > 5 × ULN
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_EQ(flag.met, std::optional<bool>(true));
  EXPECT_TRUE(cites(flag, "astct2023.iec_hs.transaminases"));
  EXPECT_EQ(flag.reasons.at(0).evidence.size(), 2u);  // the rising ferritin and the value it rose from
}

TEST(IecHsScreen, CytopeniaMustBeNewOrWorseThanBaseline) {
  const auto course = [](double platelets_after) {
    return timeline_of({
        lab(-6 * kDay, ObservationCode::platelets, 20, kPlateletRange),  // grade 4 before lymphodepletion
        lab(12 * kDay, ObservationCode::ferritin, 3000, kFerritinRange),
        lab(12 * kDay, ObservationCode::platelets, platelets_after, kPlateletRange),
        lab(12 * kDay, ObservationCode::fibrinogen, 300, ReferenceRange{200, 400}),
        lab(12 * kDay, ObservationCode::ldh, 200, ReferenceRange{120, 250}),
        lab(12 * kDay, ObservationCode::ast, 35, kLiverRange),
    });
  };
  const auto unchanged = flag_of(course(15), HyperinflammationCriterion::iec_hs_2023);
  EXPECT_FALSE(cites(unchanged, "astct2023.iec_hs.cytopenia"));
  EXPECT_FALSE(unchanged.met.value_or(false));
  const auto with_normal_baseline = timeline_of({
      lab(-6 * kDay, ObservationCode::platelets, 200, kPlateletRange),
      lab(12 * kDay, ObservationCode::ferritin, 3000, kFerritinRange),
      lab(12 * kDay, ObservationCode::platelets, 15, kPlateletRange),
  });
  const auto worse = flag_of(with_normal_baseline, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_EQ(worse.met, std::optional<bool>(true));
  EXPECT_TRUE(cites(worse, "astct2023.iec_hs.cytopenia"));
}

TEST(IecHsScreen, RaisedLdhCountsAsAFeature) {
  const Timeline timeline = timeline_of({
      lab(15 * kDay, ObservationCode::ferritin, 5000, kFerritinRange),
      lab(16 * kDay, ObservationCode::ldh, 600, ReferenceRange{120, 250}),
  });
  const auto flag = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023);
  EXPECT_EQ(flag.met, std::optional<bool>(true));
  EXPECT_TRUE(cites(flag, "astct2023.iec_hs.ldh"));
  const auto two_needed = flag_of(timeline, HyperinflammationCriterion::iec_hs_2023,
                                  rules_with("hyperinflammation.iec_hs.features_needed", 2));
  EXPECT_FALSE(two_needed.met.has_value());  // haemophagocytosis could be the second
}

}  // namespace
}  // namespace crsguard

// FHIR R4 Bundles in (io/fhir/fhir_import.hpp): hand-made Bundles with the unit traps of
// ../shared/spec/standards.md §1.2–1.3, each value checked as the timeline reader checks it, and every
// refusal reported at its place in the Bundle.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/drugs.hpp"
#include "core/observation_codes.hpp"
#include "core/problem.hpp"
#include "io/fhir/fhir_codes.hpp"
#include "io/fhir/fhir_import.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

json coding(std::string_view system, const std::string& code) { return {{"coding", json::array({{{"system", system}, {"code", code}}})}}; }
json quantity(double value, const std::string& ucum) { return {{"value", value}, {"system", kUcumSystem}, {"code", ucum}}; }

json observation(const std::string& id, const std::string& loinc, double value, const std::string& ucum,
                 const std::string& time = "2024-03-06T08:00:00+01:00") {
  return {{"resourceType", "Observation"}, {"id", id}, {"status", "final"}, {"code", coding(kLoincSystem, loinc)},
          {"subject", {{"reference", "Patient/p1"}}}, {"effectiveDateTime", time}, {"valueQuantity", quantity(value, ucum)}};
}

// A patient infused on 2024-03-05 at 10:00, and the given resources.
json bundle(const std::vector<json>& resources) {
  json entries = json::array();
  entries.push_back({{"fullUrl", "urn:uuid:patient-1"},
                     {"resource", {{"resourceType", "Patient"}, {"id", "p1"}, {"gender", "female"}, {"birthDate", "2015-06-01"}}}});
  entries.push_back({{"resource",
                      {{"resourceType", "Procedure"}, {"id", "infusion"}, {"status", "completed"},
                       {"code", {{"coding", json::array({{{"system", kCrsguardCodeSystem}, {"code", "car-t-infusion"}}})}, {"text", "CD19 CAR-T"}}},
                       {"subject", {{"reference", "urn:uuid:patient-1"}}}, {"performedDateTime", "2024-03-05T10:00:00+01:00"},
                       {"extension", json::array({{{"url", kCarTargetExtension}, {"valueString", "CD19"}}})}}}});
  for (const json& r : resources) entries.push_back({{"resource", r}});
  return {{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", entries}};
}

const Observation& only_observation(const Timeline& t, ObservationCode code) {
  const Observation* found = nullptr;
  for (const Event& e : t.events()) {
    if (const auto* o = e.as<Observation>(); o && o->code == code) {
      EXPECT_EQ(found, nullptr) << "two observations of " << observation_info(code).name;
      found = o;
    }
  }
  if (!found) throw std::runtime_error(std::string("no observation of ") + std::string(observation_info(code).name));
  return *found;
}

InputError refusal(const json& b, FhirImportOptions options = {}) {
  try {
    (void)import_fhir_bundle(b.dump(), "bundle.json", options);
  } catch (const InputError& error) {
    return error;
  }
  throw std::runtime_error("the Bundle was accepted");
}

TEST(FhirImport, ReadsThePatientTheInfusionAndTheUnitTraps) {
  json bp{{"resourceType", "Observation"}, {"id", "bp"}, {"status", "final"}, {"code", coding(kLoincSystem, "85354-9")},
          {"subject", {{"reference", "Patient/p1"}}}, {"effectiveDateTime", "2024-03-06T09:00:00Z"},
          {"component", json::array({{{"code", coding(kLoincSystem, "8480-6")}, {"valueQuantity", quantity(84, "mm[Hg]")}},
                                     {{"code", coding(kLoincSystem, "8462-4")}, {"valueQuantity", quantity(48, "mm[Hg]")}}})}};
  json tocilizumab{{"resourceType", "MedicationAdministration"}, {"id", "toci"}, {"status", "completed"},
                   {"medicationCodeableConcept", coding(kRxNormSystem, "612865")}, {"subject", {{"reference", "Patient/p1"}}},
                   {"effectiveDateTime", "2024-03-06T10:30:00+01:00"}, {"dosage", {{"dose", quantity(240, "mg")}}}};
  const FhirImport imported = import_fhir_bundle(
      bundle({observation("t", "8310-5", 102.2, "[degF]"), bp, observation("crp", "1988-5", 45, "mg/L"),
              observation("creatinine", "14682-9", 88.4, "umol/L"), observation("dd-feu", "48065-7", 2.4, "mg/L"),
              observation("dd-ddu", "48058-2", 1.1, "mg/L"), observation("sil2r-mass", "76039-7", 2400, "pg/mL"),
              observation("sil2r-units", "76039-7", 1800, "U/mL"), observation("day-only", "8867-4", 120, "/min", "2024-03-07"), tocilizumab})
          .dump(),
      "bundle.json");
  ASSERT_EQ(imported.timelines.size(), 1U);
  const Timeline& t = imported.timelines.front();
  EXPECT_EQ(t.patient().id, "p1");
  EXPECT_TRUE(imported.unmapped.empty());
  EXPECT_NEAR(*only_observation(t, ObservationCode::body_temperature).value, 39.0, 1e-9);  // 102.2 °F
  EXPECT_EQ(*only_observation(t, ObservationCode::systolic_bp).value, 84);                  // the panel's components
  EXPECT_EQ(*only_observation(t, ObservationCode::diastolic_bp).value, 48);
  EXPECT_NEAR(*only_observation(t, ObservationCode::crp).value, 4.5, 1e-9);                // mg/L → mg/dL, never assumed
  EXPECT_NEAR(*only_observation(t, ObservationCode::creatinine).value, 1.0, 1e-3);         // µmol/L by molar mass
  EXPECT_EQ(*only_observation(t, ObservationCode::d_dimer_feu).value, 2.4);                 // FEU and DDU kept apart
  EXPECT_EQ(*only_observation(t, ObservationCode::d_dimer_ddu).value, 1.1);
  EXPECT_EQ(*only_observation(t, ObservationCode::scd25).value, 2400);                     // one code, two assays, apart
  EXPECT_EQ(*only_observation(t, ObservationCode::scd25_activity).value, 1800);
  // 08:00+01:00 the next day, in the infusion's zone: 22 h after the 10:00+01:00 infusion.
  bool found_temperature = false;
  bool found_day_only = false;
  bool found_dose = false;
  for (const Event& e : t.events()) {
    if (const auto* o = e.as<Observation>(); o && o->code == ObservationCode::body_temperature) {
      found_temperature = true;
      EXPECT_EQ(e.time.seconds_since_infusion, 22 * 3600);
    }
    if (const auto* o = e.as<Observation>(); o && o->code == ObservationCode::heart_rate) {
      found_day_only = true;
      EXPECT_EQ(t.study_day(e.time.seconds_since_infusion), 2);  // a date alone: its study day
    }
    if (const auto* a = e.as<Administration>()) {
      found_dose = true;
      EXPECT_EQ(a->drug, "tocilizumab");
      ASSERT_TRUE(a->dose.has_value());
      EXPECT_EQ(a->dose->value, 240);
    }
  }
  EXPECT_TRUE(found_temperature && found_day_only && found_dose);
}

TEST(FhirImport, AnImplausibleValueIsRefusedAtItsResourceAndPath) {
  const InputError error = refusal(bundle({observation("fine", "8867-4", 110, "/min"), observation("hot", "8310-5", 60, "Cel")}));
  ASSERT_FALSE(error.problems().empty());
  const Problem& p = error.problems().front();
  EXPECT_EQ(p.where.file, "bundle.json");
  EXPECT_EQ(p.where.json_pointer, "/entry/3/resource/valueQuantity/value");
  EXPECT_NE(p.reason.find("Observation/hot (Observation.valueQuantity.value)"), std::string::npos) << p.reason;
}

TEST(FhirImport, ABloodPressureComponentIsRefusedAtTheComponent) {
  json bp{{"resourceType", "Observation"}, {"id", "bp"}, {"status", "final"}, {"code", coding(kLoincSystem, "85354-9")},
          {"subject", {{"reference", "Patient/p1"}}}, {"effectiveDateTime", "2024-03-06T09:00"},
          {"component", json::array({{{"code", coding(kLoincSystem, "8480-6")}, {"valueQuantity", quantity(84, "mm[Hg]")}},
                                     {{"code", coding(kLoincSystem, "8462-4")}, {"valueQuantity", quantity(48, "kg")}}})}};
  const InputError error = refusal(bundle({bp}));
  ASSERT_FALSE(error.problems().empty());
  EXPECT_EQ(error.problems().front().where.json_pointer, "/entry/2/resource/component/1/valueQuantity/code");
  EXPECT_NE(error.problems().front().reason.find("Observation.component[1].valueQuantity.code"), std::string::npos)
      << error.problems().front().reason;
}

TEST(FhirImport, UnknownCodesAreReportedAndWithStrictRefused) {
  const json b = bundle({observation("odd", "99999-9", 1, "mg/L")});
  const FhirImport imported = import_fhir_bundle(b.dump(), "bundle.json");
  ASSERT_EQ(imported.unmapped.size(), 1U);
  EXPECT_EQ(imported.unmapped[0].resource, "Observation/odd");
  EXPECT_EQ(imported.unmapped[0].path, "Observation.code");
  EXPECT_NE(imported.unmapped[0].codes.find("99999-9"), std::string::npos);
  FhirImportOptions strict;
  strict.strict = true;
  const InputError error = refusal(b, strict);
  EXPECT_EQ(error.problems().front().where.json_pointer, "/entry/2/resource/code");
}

TEST(FhirImport, EnteredInErrorIsSkippedAndSaidSo) {
  json wrong = observation("wrong", "8310-5", 41, "Cel");
  wrong["status"] = "entered-in-error";
  const FhirImport imported = import_fhir_bundle(bundle({wrong}).dump(), "bundle.json");
  EXPECT_TRUE(imported.timelines.front().events().empty());
  ASSERT_FALSE(imported.skipped.empty());
  EXPECT_NE(imported.skipped.front().find("Observation/wrong: status entered-in-error"), std::string::npos) << imported.skipped.front();
}

TEST(FhirImport, RefusesWhatItCannotPlace) {
  EXPECT_EQ(refusal(json{{"resourceType", "Patient"}}).problems().front().where.json_pointer, "/resourceType");
  json stranger = observation("stranger", "8310-5", 38, "Cel");
  stranger["subject"]["reference"] = "Patient/nobody";
  EXPECT_EQ(refusal(bundle({stranger})).problems().front().where.json_pointer, "/entry/2/resource/subject/reference");
  json no_infusion = bundle({});
  no_infusion["entry"].erase(1);
  EXPECT_NE(refusal(no_infusion).problems().front().reason.find("no CAR-T infusion"), std::string::npos);
  json no_target = bundle({});
  no_target["entry"][1]["resource"].erase("extension");
  EXPECT_EQ(refusal(no_target).problems().front().where.json_pointer, "/entry/1/resource/extension");
}

TEST(FhirImport, ATimeInAnotherZoneIsMovedIntoTheInfusionsZone) {
  // 09:30Z is 10:30+01:00: half an hour after the 10:00+01:00 infusion, not half an hour before it.
  const FhirImport imported = import_fhir_bundle(bundle({observation("utc", "8867-4", 100, "/min", "2024-03-05T09:30:00.000Z")}).dump(), "b.json");
  ASSERT_EQ(imported.timelines.front().events().size(), 1U);
  EXPECT_EQ(imported.timelines.front().events().front().time.seconds_since_infusion, 30 * 60);
  EXPECT_EQ(refusal(bundle({observation("bad", "8867-4", 100, "/min", "2024-03-05T09:30:00junk")})).problems().front().where.json_pointer,
            "/entry/2/resource/effectiveDateTime");
}

TEST(FhirImport, AnInfusionNotDoneIsNoDayZeroAndTwoPatientsOfOneIdAreRefused) {
  json not_done = bundle({});
  not_done["entry"][1]["resource"]["status"] = "not-done";
  EXPECT_NE(refusal(not_done).problems().front().reason.find("no CAR-T infusion"), std::string::npos);
  json twice = bundle({});
  twice["entry"].push_back(twice["entry"][0]);
  EXPECT_NE(refusal(twice).problems().front().reason.find("a second Patient \"p1\""), std::string::npos);
}

TEST(FhirImport, TheOrderOfEntriesDoesNotMatter) {
  json b = bundle({observation("t", "8310-5", 38.5, "Cel")});
  std::reverse(b["entry"].begin(), b["entry"].end());  // the observation, the infusion, then the patient
  EXPECT_EQ(import_fhir_bundle(b.dump(), "b.json").timelines.front().events().size(), 1U);
}

TEST(FhirImport, MisshapenElementsAreRefusedOrSkippedNeverAFault) {
  json odd = observation("odd", "8310-5", 38.5, "Cel");
  odd["component"] = "x";
  odd["code"] = "8310-5";
  json dose{{"resourceType", "MedicationAdministration"}, {"id", "d"}, {"status", "completed"},
            {"medicationCodeableConcept", coding(kRxNormSystem, "612865")}, {"subject", {{"reference", "Patient/p1"}}},
            {"effectiveDateTime", "2024-03-06T10:30"}, {"dosage", {{"dose", 240}}}};
  for (const json& resource : {odd, dose}) {
    try {
      (void)import_fhir_bundle(bundle({resource}).dump(), "b.json");
    } catch (const InputError&) {
      // refused with its place: as good as imported
    }
  }
  // Two equal keys are refused, not resolved by keeping the last.
  const std::string text = bundle({}).dump();
  const std::string twice = text.substr(0, text.size() - 1) + R"(, "type": "collection"})";
  EXPECT_THROW((void)import_fhir_bundle(twice, "b.json"), InputError);
}

// The table and crsguard's own code tables agree: a LOINC or RxNorm code crsguard knows maps back to it.
TEST(FhirCodes, TheMappingTableAgreesWithTheCodeTables) {
  for (const ObservationInfo& info : observation_table()) {
    if (info.loinc.empty()) continue;
    const auto m = find_fhir_code(kLoincSystem, info.loinc, info.canonical_unit);
    ASSERT_TRUE(m.has_value()) << info.name << " " << info.loinc;
    EXPECT_EQ(m->maps_to, info.name) << info.loinc;
  }
  for (const DrugInfo& drug : drug_table()) {
    if (drug.rxnorm.empty()) continue;
    const auto m = find_fhir_code(kRxNormSystem, drug.rxnorm);
    ASSERT_TRUE(m.has_value()) << drug.name << " " << drug.rxnorm;
    EXPECT_EQ(m->maps_to, drug.name);
  }
  for (const FhirCodeMapping& m : fhir_code_mappings()) EXPECT_FALSE(m.source.empty()) << m.code;
}

}  // namespace
}  // namespace crsguard

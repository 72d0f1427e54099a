// The parameter file format (models/*.json): the shipped patient model binds, and every kind of bad
// file is refused with the file, the JSON pointer and the reason.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/problem.hpp"
#include "sim/sim_fixture.hpp"

namespace crsguard {
namespace {

using testing::shipped_patient_model;

std::string shipped_text() {
  for (const auto& f : shipped_model_files()) {
    if (f.name == "models/patient.json") return std::string(f.text);
  }
  return {};
}

// The message of the InputError that reading `text` as a patient-model file raises ("" when none).
std::string refusal(const std::string& text) {
  try {
    bind_patient_parameters(read_parameter_file(text, "bad.json"));
  } catch (const InputError& error) {
    std::string all;
    for (const auto& line : error.lines()) all += line + "\n";
    return all;
  }
  return {};
}

std::string edited(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json document = nlohmann::json::parse(shipped_text());
  edit(document);
  return document.dump();
}

TEST(ParameterFile, ShippedPatientModelBindsWithSourcesForEveryValue) {
  const ParameterFile& file = shipped_patient_model();
  EXPECT_EQ(file.model, "patient");
  EXPECT_EQ(file.parameters.size(), patient_parameter_slots().size());
  for (const auto& p : file.parameters) {
    EXPECT_FALSE(p.unit.empty()) << p.name;
    EXPECT_TRUE(file.references.contains(p.source)) << p.name;
  }
  const PatientParameters bound = bind_patient_parameters(file);
  EXPECT_DOUBLE_EQ(bound.kill_rate_max, file.find("kill_rate_max")->value);
  EXPECT_DOUBLE_EQ(bound.tcz_clearance, 0.3);  // Frey 2010
}

TEST(ParameterFile, RefusesAMissingParameter) {
  const std::string why = refusal(edited([](nlohmann::json& d) { d["parameters"].erase("kill_rate_max"); }));
  EXPECT_NE(why.find("bad.json"), std::string::npos) << why;
  EXPECT_NE(why.find("\"kill_rate_max\" (1/d) is missing"), std::string::npos) << why;
}

TEST(ParameterFile, RefusesAnUnknownParameter) {
  const std::string why = refusal(edited([](nlohmann::json& d) {
    d["parameters"]["kill_rate_maxx"] = {{"value", 1}, {"unit", "1/d"}, {"source", "Kimmel2021"}, {"confidence", "C"}};
  }));
  EXPECT_NE(why.find("/parameters/kill_rate_maxx"), std::string::npos) << why;
}

TEST(ParameterFile, RefusesAValueInAnotherUnit) {
  const std::string why = refusal(edited([](nlohmann::json& d) { d["parameters"]["rux_clearance"]["unit"] = "L/d"; }));
  EXPECT_NE(why.find("/parameters/rux_clearance/unit"), std::string::npos) << why;
  EXPECT_NE(why.find("kept in L/h"), std::string::npos) << why;
}

TEST(ParameterFile, RefusesASourceMissingFromTheReferences) {
  const std::string why = refusal(edited([](nlohmann::json& d) { d["parameters"]["rux_volume"]["source"] = "Nobody2020"; }));
  EXPECT_NE(why.find("/parameters/rux_volume/source"), std::string::npos) << why;
}

TEST(ParameterFile, RefusesZeroWhereTheModelDivides) {
  const std::string why = refusal(edited([](nlohmann::json& d) { d["parameters"]["dex_volume"]["value"] = 0; }));
  EXPECT_NE(why.find("/parameters/dex_volume/value"), std::string::npos) << why;
  EXPECT_NE(refusal(edited([](nlohmann::json& d) { d["parameters"]["fever_half_effect"]["value"] = 0; })).find("must be > 0"),
            std::string::npos);
}

TEST(ParameterFile, RefusesAnUnknownConfidenceAndANegativeCv) {
  EXPECT_NE(refusal(edited([](nlohmann::json& d) { d["parameters"]["rux_volume"]["confidence"] = "B"; })).find("confidence"),
            std::string::npos);
  EXPECT_NE(refusal(edited([](nlohmann::json& d) { d["parameters"]["rux_volume"]["cv_percent"] = -5; })).find("cv_percent"),
            std::string::npos);
}

TEST(ParameterFile, RefusesBadCorrelations) {
  EXPECT_NE(refusal(edited([](nlohmann::json& d) { d["correlations"][0]["r"] = 1.0; })).find("strictly between"),
            std::string::npos);
  EXPECT_NE(refusal(edited([](nlohmann::json& d) { d["correlations"][0]["between"] = {"tcz_clearance", "tcz_km"}; }))
                .find("no variability"),
            std::string::npos);
  EXPECT_NE(refusal(edited([](nlohmann::json& d) { d["correlations"].push_back(d["correlations"][0]); })).find("twice"),
            std::string::npos);
}

TEST(ParameterFile, RefusesDuplicateKeysAndBrokenJson) {
  std::string text = shipped_text();
  const auto at = text.find("\"kill_rate_max\"");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "\"kill_rate_max\": {\"value\": 2, \"unit\": \"1/d\", \"source\": \"Kimmel2021\", \"confidence\": \"C\"},\n");
  EXPECT_NE(refusal(text).find("kill_rate_max"), std::string::npos);
  EXPECT_FALSE(refusal("{\"format\": ").empty());
}

TEST(ParameterFile, WithValuesReplacesKnownNamesOnly) {
  const ParameterFile changed = with_values(shipped_patient_model(), {{"kill_rate_max", 2.0}}, "case.json");
  EXPECT_DOUBLE_EQ(changed.find("kill_rate_max")->value, 2.0);
  EXPECT_THROW(with_values(shipped_patient_model(), {{"no_such_parameter", 1.0}}, "case.json"), InputError);
  EXPECT_THROW(with_values(shipped_patient_model(), {{"kill_rate_max", -1.0}}, "case.json"), InputError);
}

}  // namespace
}  // namespace crsguard

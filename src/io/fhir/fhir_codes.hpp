#pragma once
// Which FHIR codes crsguard reads, and as what: the table mappings/fhir_codes.csv (compiled in), one row
// per (system, code) with the crsguard code it maps to and the source of that mapping. A row may hold
// only for values of one kind of unit (sIL-2R: pg/mL and U/mL are two assays, kept apart).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/embedded_file.hpp"

namespace crsguard {

inline constexpr std::string_view kLoincSystem = "http://loinc.org";
inline constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";
inline constexpr std::string_view kRxNormSystem = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr std::string_view kCrsguardCodeSystem = "http://crsguard.org/fhir/CodeSystem/crsguard";

enum class FhirCodeKind : unsigned char { observation, panel, drug, infusion };

struct FhirCodeMapping {
  std::string system;
  std::string code;
  std::string display;
  std::string maps_to;   // an observation code or drug name of crsguard; empty for panels and the infusion
  FhirCodeKind kind = FhirCodeKind::observation;
  std::string unit;      // column "units": empty, or the UCUM unit whose kind of unit the row is for
  std::string source;
};

// Every row of the shipped table, checked when first read (a bad row is a programming error).
std::span<const FhirCodeMapping> fhir_code_mappings();

// The row for (system, code), and for a value in `unit` where rows differ by unit; nullopt if none.
std::optional<FhirCodeMapping> find_fhir_code(std::string_view system, std::string_view code, std::string_view unit = {});

// Defined by cmake/EmbedFiles.cmake: mappings/*.csv.
std::span<const EmbeddedFile> shipped_mapping_files();

}  // namespace crsguard

#pragma once
// FHIR R4 in (issue 9, first slice): a Bundle (collection, transaction, batch or searchset) becomes one
// Timeline per Patient. What is read (../shared/spec/standards.md §1):
//   Patient                 the record's id, sex and birth date;
//   Procedure               the CAR-T infusion (code car-t-infusion of the crsguard code system):
//                           performed time, product (code.text), antigen targets (extension
//                           kCarTargetExtension, one valueString per antigen: FHIR has no element for it);
//   Observation             vital signs (the blood-pressure panel's components too), labs, cytokines:
//                           valueQuantity with its UCUM code, comparator, effective time;
//   MedicationAdministration drugs given: RxNorm ingredient, dosage.dose, effective time.
// Codes are mapped by mappings/fhir_codes.csv (fhir_codes.hpp). Every value is then checked exactly as
// the timeline file reader checks it (units converted or refused, implausible values refused), and a
// refused one is reported at its place in the Bundle: the resource, its JSON pointer and its FHIR path.
//
// Times: a FHIR dateTime with a zone offset ("2024-03-05T14:00:00+01:00") is taken as the wall-clock time
// it names (14:00), the offset dropped: timeline format v1 holds local times. A date without a time is
// the study day of that date.
#include <string>
#include <string_view>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

inline constexpr std::string_view kCarTargetExtension = "http://crsguard.org/fhir/StructureDefinition/car-target";

struct FhirImportOptions {
  bool strict = false;  // a code not in the mapping table is an error, not a note
};

// A coded element that was not imported because the mapping table does not know its code.
struct UnmappedCode {
  std::string resource;  // "Observation/obs-7"
  std::string path;      // "Observation.code"
  std::string codes;     // "http://loinc.org|1234-5 (display)"
};

struct FhirImport {
  std::vector<Timeline> timelines;     // one per Patient, in the Bundle's order
  std::vector<UnmappedCode> unmapped;  // reported, never dropped silently
  std::vector<std::string> skipped;    // resources not imported and why ("Observation/x: status entered-in-error")
};

// Throws InputError naming `file`, the JSON pointer into the Bundle and, in the reason, the resource
// and its FHIR path, for anything it cannot read or the timeline reader refuses; nothing is returned
// then (all or nothing).
FhirImport import_fhir_bundle(std::string_view text, const std::string& file, const FhirImportOptions& options = {});

}  // namespace crsguard

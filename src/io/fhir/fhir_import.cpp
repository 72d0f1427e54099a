#include "io/fhir/fhir_import.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "core/problem.hpp"
#include "core/time.hpp"
#include "io/fhir/fhir_codes.hpp"
#include "io/strict_json.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

// Where a value of the timeline document came from in the Bundle: the resource, and a JSON pointer into
// the Bundle per timeline field ("value" → "/entry/3/resource/valueQuantity/value").
struct Origin {
  std::string resource;       // "Observation/obs-1"
  std::string pointer;        // the resource (or component) itself: "/entry/3/resource"
  std::map<std::string, std::string> fields;
};

struct PatientRecord {
  json document;
  Origin origin;
  std::optional<Origin> infusion;
  std::optional<LocalSeconds> infusion_midnight;
  std::optional<int> infusion_offset_minutes;  // the zone the infusion's time was written in
  std::vector<Origin> events;
};

// "Observation" + "/component/0/valueQuantity/value" → "Observation.component[0].valueQuantity.value".
std::string fhir_path(const std::string& type, std::string_view below) {
  std::string out = type;
  while (!below.empty()) {
    below.remove_prefix(1);
    const std::size_t end = std::min(below.find('/'), below.size());
    const std::string_view segment = below.substr(0, end);
    below.remove_prefix(end);
    if (!segment.empty() && segment.find_first_not_of("0123456789") == std::string_view::npos) out += fmt::format("[{}]", segment);
    else out += fmt::format(".{}", segment);
  }
  return out;
}

// The FHIR path of a JSON pointer into the Bundle that lies inside `resource` ("Observation/x").
std::string path_in_resource(const std::string& resource, const std::string& pointer) {
  const std::string type = resource.substr(0, resource.find('/'));
  constexpr std::string_view kResource = "/resource";
  const std::size_t at = pointer.find(kResource);
  return fhir_path(type, at == std::string::npos ? std::string_view() : std::string_view(pointer).substr(at + kResource.size()));
}

const json* member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string text_of(const json& object, const char* name) {
  const json* value = member(object, name);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

// The array member `name`, or an empty one when it is absent or not an array (the element is then
// simply not there for the importer; the reader refuses what that leaves incomplete).
const json& array_of(const json& object, const char* name) {
  static const json kEmpty = json::array();
  const json* value = member(object, name);
  return value && value->is_array() ? *value : kEmpty;
}

// A FHIR dateTime split into the wall-clock time it names and its zone offset in minutes (nullopt: no
// zone written). nullopt altogether when the text is not "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]".
struct WallClock {
  std::string local;                    // "YYYY-MM-DDTHH:MM[:SS]"
  std::optional<int> offset_minutes;
};

std::optional<WallClock> wall_clock(const std::string& text) {
  std::size_t end = text.size() >= 19 && text[16] == ':' ? 19 : 16;
  if (text.size() < 16 || !parse_local_datetime(text.substr(0, end))) return std::nullopt;
  WallClock out{text.substr(0, end), std::nullopt};
  std::string_view rest = std::string_view(text).substr(end);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    const std::size_t digits = std::min(rest.find_first_not_of("0123456789"), rest.size());
    if (digits == 0) return std::nullopt;
    rest.remove_prefix(digits);
  }
  if (rest.empty()) return out;
  if (rest == "Z") {
    out.offset_minutes = 0;
    return out;
  }
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' || !digit(rest[1]) || !digit(rest[2]) ||
      !digit(rest[4]) || !digit(rest[5])) {
    return std::nullopt;
  }
  const int minutes = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 60 + (rest[4] - '0') * 10 + (rest[5] - '0');
  out.offset_minutes = rest[0] == '-' ? -minutes : minutes;
  return out;
}

class BundleReader {
 public:
  BundleReader(std::string file, const FhirImportOptions& options) : file_(std::move(file)), options_(options), log_(file_) {}

  FhirImport read(std::string_view text) {
    // Strictly: two equal keys ("value" twice) are refused, not resolved by keeping the last.
    const std::optional<json> parsed = parse_strict_json(text, log_);
    log_.throw_if_any();
    const json& bundle = *parsed;
    if (text_of(bundle, "resourceType") != "Bundle") fail("/resourceType", "", "the file is not a FHIR Bundle (resourceType must be \"Bundle\")");
    const std::string type = text_of(bundle, "type");
    if (type != "collection" && type != "transaction" && type != "batch" && type != "searchset") {
      fail("/type", "Bundle", fmt::format("Bundle.type \"{}\" is not read (collection, transaction, batch or searchset)", type));
    }
    const json* entries = member(bundle, "entry");
    if (entries && !entries->is_array()) fail("/entry", "Bundle", "Bundle.entry must be an array");
    log_.throw_if_any();
    const json empty = json::array();
    const json& list = entries ? *entries : empty;
    // Patients, then infusions, then the rest, whatever the entries' order: an event is placed by its
    // patient's infusion.
    for (const Pass pass : {Pass::patients, Pass::infusions, Pass::events}) {
      for (std::size_t i = 0; i < list.size(); ++i) read_entry(list[i], i, pass);
    }
    for (PatientRecord& p : patients_) {
      if (!p.infusion) {
        fail_at(p.origin, p.origin.pointer, "no CAR-T infusion for this patient (a Procedure coded car-t-infusion of the crsguard code system)");
      }
    }
    log_.throw_if_any();
    json cohort{{"format", "crsguard.cohort/1"}, {"name", "FHIR Bundle"}, {"timelines", json::array()}};
    for (const PatientRecord& p : patients_) cohort["timelines"].push_back(p.document);
    try {
      out_.timelines = read_timelines_json(cohort.dump(), file_);
    } catch (const InputError& error) {
      throw InputError(in_bundle(error), error.dropped());
    }
    return std::move(out_);
  }

 private:
  void fail(const std::string& pointer, const std::string& where, const std::string& reason) {
    log_.add_at_pointer(pointer, where.empty() ? reason : fmt::format("{}: {}", where, reason));
  }
  void fail_at(const Origin& origin, const std::string& pointer, const std::string& reason) {
    fail(pointer, fmt::format("{} ({})", origin.resource, path_in_resource(origin.resource, pointer)), reason);
  }

  enum class Pass : unsigned char { patients, infusions, events };

  void read_entry(const json& entry, std::size_t index, Pass pass) {
    const std::string pointer = fmt::format("/entry/{}/resource", index);
    const json* resource = member(entry, "resource");
    if (!resource || !resource->is_object()) {
      if (pass == Pass::patients) fail(fmt::format("/entry/{}", index), "", "a Bundle entry without a resource");
      return;
    }
    const std::string type = text_of(*resource, "resourceType");
    const std::string id = text_of(*resource, "id");
    const Origin origin{fmt::format("{}/{}", type, id.empty() ? "(no id)" : id), pointer, {}};
    switch (pass) {
      case Pass::patients:
        if (type == "Patient") read_patient(*resource, origin, text_of(entry, "fullUrl"));
        return;
      case Pass::infusions:
        if (type == "Procedure") read_procedure(*resource, origin);
        return;
      case Pass::events:
        if (type == "Observation") read_observation(*resource, origin);
        else if (type == "MedicationAdministration") read_administration(*resource, origin);
        else if (type != "Patient" && type != "Procedure") out_.skipped.push_back(fmt::format("{}: not read (context only)", origin.resource));
        return;
    }
  }

  void read_patient(const json& resource, const Origin& origin, const std::string& full_url) {
    const std::string id = text_of(resource, "id");
    if (id.empty()) {
      fail_at(origin, origin.pointer + "/id", "a Patient needs an id (the record's id)");
      return;
    }
    if (by_reference_.contains("Patient/" + id)) {
      fail_at(origin, origin.pointer + "/id", fmt::format("a second Patient \"{}\" in the Bundle: one record cannot hold two patients", id));
      return;
    }
    PatientRecord p;
    p.origin = origin;
    p.origin.fields = {{"id", origin.pointer + "/id"}, {"sex", origin.pointer + "/gender"}, {"birth_date", origin.pointer + "/birthDate"}};
    const std::string gender = text_of(resource, "gender");
    p.document = {{"format", "crsguard.timeline/1"}, {"patient", {{"id", id}, {"sex", gender.empty() ? "unknown" : gender}}}, {"events", json::array()}};
    if (const std::string birth = text_of(resource, "birthDate"); !birth.empty()) p.document["patient"]["birth_date"] = birth;
    by_reference_["Patient/" + id] = patients_.size();
    if (!full_url.empty()) by_reference_[full_url] = patients_.size();
    patients_.push_back(std::move(p));
  }

  // The patient a resource is about (subject, or patient for some resources); nullptr after a problem.
  PatientRecord* subject_of(const json& resource, const Origin& origin) {
    const json* subject = member(resource, "subject");
    if (!subject) subject = member(resource, "patient");
    const std::string reference = subject ? text_of(*subject, "reference") : std::string();
    auto it = by_reference_.find(reference);
    if (it == by_reference_.end() && reference.find("://") == std::string::npos) {
      // A relative reference with a path before it ("fhir/Patient/ID") names the Patient of that id; an
      // absolute URL of another server does not.
      const std::size_t at = reference.rfind("Patient/");
      if (at != std::string::npos) it = by_reference_.find(reference.substr(at));
    }
    if (it == by_reference_.end()) {
      const std::string element = member(resource, "subject") ? "/subject" : member(resource, "patient") ? "/patient" : "/subject";
      fail_at(origin, origin.pointer + element + (reference.empty() ? "" : "/reference"),
              reference.empty() ? "no subject: whose record is it?" : fmt::format("its subject \"{}\" is not a Patient of this Bundle", reference));
      return nullptr;
    }
    return &patients_[it->second];
  }

  // The first coding the mapping table knows, for a value in `unit`; records the element as unmapped
  // (an error when strict) when none is known.
  std::optional<FhirCodeMapping> mapped(const json& codeable, const Origin& origin, const std::string& pointer, std::string_view unit) {
    std::string codes;
    {
      for (const json& coding : array_of(codeable, "coding")) {
        if (auto m = find_fhir_code(text_of(coding, "system"), text_of(coding, "code"), unit)) return m;
        codes += fmt::format("{}{}|{}", codes.empty() ? "" : ", ", text_of(coding, "system"), text_of(coding, "code"));
        if (const std::string display = text_of(coding, "display"); !display.empty()) codes += fmt::format(" ({})", display);
      }
    }
    if (codes.empty()) codes = text_of(codeable, "text").empty() ? "no coding" : fmt::format("text only: {}", text_of(codeable, "text"));
    const std::string path = path_in_resource(origin.resource, pointer);
    if (options_.strict) fail_at(origin, pointer, fmt::format("no mapping for {} (mappings/fhir_codes.csv; --strict)", codes));
    else out_.unmapped.push_back({origin.resource, path, codes});
    return std::nullopt;
  }

  // The timeline's time for a FHIR dateTime (see the header), and the pointer it was read at.
  std::optional<std::pair<json, std::string>> time_of(const json& resource, const Origin& origin, const PatientRecord& patient,
                                                      std::initializer_list<const char*> elements) {
    for (const char* element : elements) {
      std::string name = element;
      std::string text;
      std::string pointer = origin.pointer + "/" + name;
      if (name.ends_with("Period")) {
        if (const json* period = member(resource, element)) text = text_of(*period, "start");
        pointer += "/start";
      } else {
        text = text_of(resource, element);
      }
      if (text.empty()) continue;
      if (text.size() == 10) {  // a date: the study day of that date
        const auto date = parse_date(text);
        if (!date || !patient.infusion_midnight) {
          fail_at(origin, pointer,
                  !date ? fmt::format("\"{}\" is not a date", text)
                  : patient.infusion ? fmt::format("the date \"{}\" cannot be placed: the infusion's time is not known", text)
                                     : fmt::format("\"{}\" is a date without a time: the infusion needs both", text));
          return std::nullopt;
        }
        return std::pair{json{{"day", floor_div(*date - *patient.infusion_midnight, kSecondsPerDay)}}, pointer};
      }
      const auto clock = wall_clock(text);
      if (!clock) {
        fail_at(origin, pointer, fmt::format("\"{}\" is not a FHIR dateTime (YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or ±HH:MM)", text));
        return std::nullopt;
      }
      // Written in another zone than the infusion ("Z" beside "+01:00"): moved into the infusion's zone,
      // so that the hours since infusion are the hours that passed.
      if (clock->offset_minutes && patient.infusion_offset_minutes && *clock->offset_minutes != *patient.infusion_offset_minutes) {
        const LocalSeconds moved = *parse_local_datetime(clock->local) +
                                   (*patient.infusion_offset_minutes - *clock->offset_minutes) * kSecondsPerMinute;
        return std::pair{json(format_local_datetime(moved)), pointer};
      }
      return std::pair{json(clock->local), pointer};
    }
    fail_at(origin, origin.pointer, "no time (effective[x] or performed[x])");
    return std::nullopt;
  }

  void read_procedure(const json& resource, const Origin& origin) {
    const json* code = member(resource, "code");
    const json& codings = code ? array_of(*code, "coding") : array_of(resource, "code");
    const bool infusion = std::any_of(codings.begin(), codings.end(), [](const json& c) {
      return text_of(c, "system") == kCrsguardCodeSystem && text_of(c, "code") == "car-t-infusion";
    });
    if (!infusion) {
      out_.skipped.push_back(fmt::format("{}: a Procedure other than the CAR-T infusion (not read)", origin.resource));
      return;
    }
    // An infusion not done, or entered in error, is no day 0.
    if (!usable_status(resource, origin, {"completed", "in-progress"})) return;
    PatientRecord* patient = subject_of(resource, origin);
    if (!patient) return;
    if (patient->infusion) {
      fail_at(origin, origin.pointer, fmt::format("a second CAR-T infusion for the patient (the first is {})", patient->infusion->resource));
      return;
    }
    Origin o = origin;
    const std::string product = text_of(*code, "text");
    if (product.empty()) fail_at(origin, origin.pointer + "/code/text", "the CAR-T product is not named (Procedure.code.text)");
    json infusion_doc{{"product", product}, {"targets", json::array()}};
    for (const json& extension : array_of(resource, "extension")) {
      if (text_of(extension, "url") == kCarTargetExtension) infusion_doc["targets"].push_back(text_of(extension, "valueString"));
    }
    o.fields = {{"product", origin.pointer + "/code/text"}, {"targets", origin.pointer + "/extension"}, {"time", origin.pointer + "/performedDateTime"}};
    if (infusion_doc["targets"].empty()) {
      fail_at(o, origin.pointer + "/extension", fmt::format("the CAR-T's antigen targets are not given (extension {} with valueString \"CD19\", …)", kCarTargetExtension));
    }
    patient->infusion = o;
    const json* period = member(resource, "performedPeriod");
    const std::string written = text_of(resource, "performedDateTime").empty() && period ? text_of(*period, "start")
                                                                                          : text_of(resource, "performedDateTime");
    if (written.size() == 10) {
      fail_at(o, origin.pointer + (period ? "/performedPeriod/start" : "/performedDateTime"),
              "the infusion needs a date and a time: day 0 and the hours after it count from it");
      return;
    }
    const auto time = time_of(resource, o, *patient, {"performedDateTime", "performedPeriod"});
    if (!time) return;
    infusion_doc["time"] = time->first;
    patient->infusion->fields["time"] = time->second;
    patient->infusion_midnight = parse_date(time->first.get<std::string>().substr(0, 10));
    if (const auto clock = wall_clock(written)) patient->infusion_offset_minutes = clock->offset_minutes;
    patient->document["infusion"] = std::move(infusion_doc);
  }

  bool usable_status(const json& resource, const Origin& origin, std::initializer_list<const char*> accepted) {
    const std::string status = text_of(resource, "status");
    if (std::any_of(accepted.begin(), accepted.end(), [&](const char* s) { return status == s; })) return true;
    out_.skipped.push_back(fmt::format("{}: status {} (not read)", origin.resource, status.empty() ? "missing" : status));
    return false;
  }

  // The unit of a valueQuantity as written: its UCUM code, else its human-readable unit (an alias such
  // as "°F" the reader knows, or refuses).
  static std::pair<std::string, bool> unit_of(const json& quantity) {
    const bool ucum = text_of(quantity, "system") == kUcumSystem && !text_of(quantity, "code").empty();
    return {ucum ? text_of(quantity, "code") : text_of(quantity, "unit"), ucum};
  }

  // One observation event from a valueQuantity at `at` (the resource or one of its components). The code
  // is mapped with the value's unit, so that a code whose rows differ by unit (sIL-2R) finds its row.
  void add_observation(PatientRecord& patient, const json& holder, const Origin& origin, const std::string& at,
                       const std::pair<json, std::string>& time) {
    const json* quantity = member(holder, "valueQuantity");
    if (!quantity || !quantity->is_object()) {
      out_.skipped.push_back(fmt::format("{}: {} has no valueQuantity (not read)", origin.resource, path_in_resource(origin.resource, at)));
      return;
    }
    const auto [unit, ucum] = unit_of(*quantity);
    const json* codeable = member(holder, "code");
    const auto m = codeable ? mapped(*codeable, origin, at + "/code", unit) : std::nullopt;
    if (!m) return;
    if (m->kind != FhirCodeKind::observation) {
      out_.skipped.push_back(fmt::format("{}: a {} code where a value is (not read)", origin.resource, m->display));
      return;
    }
    json event{{"kind", "observation"}, {"code", m->maps_to}, {"time", time.first}, {"unit", unit}};
    if (const json* value = member(*quantity, "value")) event["value"] = *value;
    if (const std::string comparator = text_of(*quantity, "comparator"); !comparator.empty()) event["comparator"] = comparator;
    Origin o = origin;
    o.pointer = at;
    o.fields = {{"value", at + "/valueQuantity/value"}, {"unit", at + (ucum ? "/valueQuantity/code" : "/valueQuantity/unit")},
                {"comparator", at + "/valueQuantity/comparator"}, {"time", time.second}, {"code", at + "/code"}};
    patient.document["events"].push_back(std::move(event));
    patient.events.push_back(std::move(o));
  }

  void read_observation(const json& resource, const Origin& origin) {
    if (!usable_status(resource, origin, {"final", "amended", "corrected", "preliminary"})) return;
    PatientRecord* patient = subject_of(resource, origin);
    if (!patient) return;
    const auto time = time_of(resource, origin, *patient, {"effectiveDateTime", "effectiveInstant", "effectivePeriod"});
    if (!time) return;
    // A panel (blood pressure) holds its values in components; anything else holds its own value.
    const json* code = member(resource, "code");
    const json& components = array_of(resource, "component");
    if (code && is_panel(*code)) {
      if (components.empty()) out_.skipped.push_back(fmt::format("{}: a panel without components (members by hasMember are read as their own resources)", origin.resource));
      for (std::size_t j = 0; j < components.size(); ++j) {
        add_observation(*patient, components[j], origin, fmt::format("{}/component/{}", origin.pointer, j), *time);
      }
      return;
    }
    add_observation(*patient, resource, origin, origin.pointer, *time);
    // Components of another observation (oxygen flow and FiO2 beside SpO2) are not read yet: said, not dropped.
    for (std::size_t j = 0; j < components.size(); ++j) {
      out_.skipped.push_back(fmt::format("{}: Observation.component[{}] not read (only the blood-pressure panel's components are)", origin.resource, j));
    }
  }

  static bool is_panel(const json& codeable) {
    for (const json& coding : array_of(codeable, "coding")) {
      const auto m = find_fhir_code(text_of(coding, "system"), text_of(coding, "code"));
      if (m && m->kind == FhirCodeKind::panel) return true;
    }
    return false;
  }

  void read_administration(const json& resource, const Origin& origin) {
    if (!usable_status(resource, origin, {"completed", "in-progress"})) return;
    PatientRecord* patient = subject_of(resource, origin);
    if (!patient) return;
    const json* medication = member(resource, "medicationCodeableConcept");
    if (!medication) {
      out_.skipped.push_back(fmt::format("{}: medicationReference is not read yet (only medicationCodeableConcept)", origin.resource));
      return;
    }
    const auto m = mapped(*medication, origin, origin.pointer + "/medicationCodeableConcept", "");
    if (!m) return;
    if (m->kind != FhirCodeKind::drug) {
      fail_at(origin, origin.pointer + "/medicationCodeableConcept", fmt::format("{} is not a drug", m->display));
      return;
    }
    const auto time = time_of(resource, origin, *patient, {"effectiveDateTime", "effectivePeriod"});
    if (!time) return;
    json event{{"kind", "administration"}, {"drug", m->maps_to}, {"time", time->first}};
    Origin o = origin;
    o.fields = {{"drug", origin.pointer + "/medicationCodeableConcept"}, {"time", time->second}};
    if (const json* dosage = member(resource, "dosage"); dosage && member(*dosage, "dose")) {
      const json& dose = (*dosage)["dose"];
      const auto [unit, ucum] = unit_of(dose);
      const json* value = member(dose, "value");
      event["dose"] = {{"value", value ? *value : json()}, {"unit", unit}};
      o.fields["dose"] = origin.pointer + "/dosage/dose";
      o.fields["dose/value"] = origin.pointer + "/dosage/dose/value";
      o.fields["dose/unit"] = origin.pointer + (ucum ? "/dosage/dose/code" : "/dosage/dose/unit");
    }
    patient->document["events"].push_back(std::move(event));
    patient->events.push_back(std::move(o));
  }

  // The timeline reader's problems, at their places in the Bundle.
  std::vector<Problem> in_bundle(const InputError& error) const {
    std::vector<Problem> out;
    for (const Problem& problem : error.problems()) {
      // "/timelines/K/events/N/field/..." or "/timelines/K/patient/field" or "/timelines/K/infusion/field".
      std::vector<std::string> parts;
      std::string_view rest = problem.where.json_pointer;
      while (!rest.empty()) {
        rest.remove_prefix(1);
        const std::size_t end = std::min(rest.find('/'), rest.size());
        parts.emplace_back(rest.substr(0, end));
        rest.remove_prefix(end);
      }
      const Origin* origin = nullptr;
      std::string field;
      std::string subfield;  // "dose/value"
      const auto index = [](const std::string& text) { return text.find_first_not_of("0123456789") == std::string::npos && !text.empty(); };
      if (parts.size() >= 2 && parts[0] == "timelines" && index(parts[1]) && std::stoul(parts[1]) < patients_.size()) {
        const PatientRecord& p = patients_[std::stoul(parts[1])];
        origin = &p.origin;
        if (parts.size() >= 4 && parts[2] == "events" && index(parts[3]) && std::stoul(parts[3]) < p.events.size()) {
          origin = &p.events[std::stoul(parts[3])];
          if (parts.size() >= 5) field = parts[4];
          if (parts.size() >= 6) subfield = parts[4] + "/" + parts[5];
        } else if (parts.size() >= 3 && parts[2] == "infusion" && p.infusion) {
          origin = &*p.infusion;
          if (parts.size() >= 4) field = parts[3];
        } else if (parts.size() >= 4) {
          field = parts[3];
        }
      }
      if (!origin) {
        out.push_back(problem);
        continue;
      }
      auto it = origin->fields.find(subfield);
      if (it == origin->fields.end()) it = origin->fields.find(field);
      const std::string pointer = it == origin->fields.end() ? origin->pointer : it->second;
      out.push_back({{file_, pointer, 0, 0, pointer_field(pointer)},
                     fmt::format("{} ({}): {}", origin->resource, path_in_resource(origin->resource, pointer), problem.reason)});
    }
    return out;
  }

  std::string file_;
  FhirImportOptions options_;
  ProblemLog log_;
  std::vector<PatientRecord> patients_;
  std::map<std::string, std::size_t> by_reference_;
  FhirImport out_;
};

}  // namespace

FhirImport import_fhir_bundle(std::string_view text, const std::string& file, const FhirImportOptions& options) {
  return BundleReader(file, options).read(text);
}

}  // namespace crsguard

#include "io/timeline_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "core/problem.hpp"
#include "core/time.hpp"
#include "io/json_fields.hpp"
#include "io/strict_json.hpp"
#include "io/timeline_decoder.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

json quantity(double value, std::string_view unit) { return json{{"value", canonical_number(value)}, {"unit", unit}}; }

class Encoder {
 public:
  explicit Encoder(const Timeline& timeline) : timeline_(timeline) {}

  json encode() const {
    const TimelineRecord& record = timeline_.record();
    json out;
    out["format"] = kTimelineFormat;
    out["patient"] = encode_patient(record.patient);
    out["infusion"] = encode_infusion(record.infusion);
    if (json baseline = encode_baseline(record.baseline); !baseline.empty()) out["baseline"] = std::move(baseline);
    if (json reported = encode_reported(record.reported); !reported.empty()) out["reported"] = std::move(reported);
    if (json source = encode_source(record.source); !source.empty()) out["source"] = std::move(source);
    if (!record.note.empty()) out["note"] = record.note;
    out["events"] = json::array();
    for (const Event& event : record.events) out["events"].push_back(encode_event(event));
    if (record.outcome) out["outcome"] = encode_outcome(*record.outcome);
    return out;
  }

 private:
  json encode_time(const EventTime& time) const {
    const InfusionTime& infusion = timeline_.infusion().time;
    if (time.form == TimeForm::calendar && infusion.calendar) {
      return format_local_datetime(*infusion.calendar + time.seconds_since_infusion);
    }
    const int day = timeline_.study_day(time);
    json out{{"day", day}};
    if (time.form == TimeForm::study_day_clock) {
      const auto clock = static_cast<std::int32_t>(time.seconds_since_infusion - timeline_.day_start(day));
      out["clock"] = format_clock(clock);
    }
    return out;
  }

  static json encode_patient(const Patient& patient) {
    json out{{"id", patient.id}, {"sex", to_name(patient.sex)}};
    if (patient.birth_date) out["birth_date"] = format_date(*patient.birth_date);
    else if (patient.age_years) out["age"] = quantity(*patient.age_years, "a");
    if (patient.weight_kg) out["weight"] = quantity(*patient.weight_kg, "kg");
    if (patient.height_cm) out["height"] = quantity(*patient.height_cm, "cm");
    if (patient.bsa_formula_given) out["bsa_formula"] = to_name(patient.bsa_formula);
    return out;
  }

  static json encode_infusion(const Infusion& infusion) {
    json out{{"product", infusion.product}, {"targets", infusion.targets}};
    const InfusionTime& time = infusion.time;
    if (time.given) {
      if (time.form == TimeForm::calendar && time.calendar) {
        out["time"] = time.clock ? json(format_local_datetime(*time.calendar)) : json(format_date(*time.calendar));
      } else {
        out["time"] = json{{"day", 0}};
        if (time.clock) out["time"]["clock"] = format_clock(*time.clock);
      }
    }
    if (infusion.cell_dose) {
      out["cell_dose"] = quantity(infusion.cell_dose->value, infusion.cell_dose->per_kg ? "{cells}/kg" : "{cells}");
    }
    if (infusion.cell_source) out["cell_source"] = to_name(*infusion.cell_source);
    if (!infusion.lymphodepletion.empty()) out["lymphodepletion"] = infusion.lymphodepletion;
    if (!infusion.trial.empty()) out["trial"] = infusion.trial;
    return out;
  }

  static json encode_baseline(const Baseline& baseline) {
    json out = json::object();
    if (!baseline.diagnosis.empty()) out["diagnosis"] = baseline.diagnosis;
    if (!baseline.genetics.empty()) out["genetics"] = baseline.genetics;
    if (baseline.complex_karyotype) out["complex_karyotype"] = *baseline.complex_karyotype;
    if (!baseline.disease_status.empty()) out["disease_status"] = baseline.disease_status;
    if (baseline.marrow_blasts_morphology_percent) {
      out["marrow_blasts_morphology_percent"] = canonical_number(*baseline.marrow_blasts_morphology_percent);
    }
    if (baseline.marrow_morphologic_remission) out["marrow_morphologic_remission"] = *baseline.marrow_morphologic_remission;
    if (baseline.marrow_blasts_flow_percent) {
      out["marrow_blasts_flow_percent"] = canonical_number(*baseline.marrow_blasts_flow_percent);
    }
    if (baseline.prior_therapy_months) out["prior_therapy_months"] = canonical_number(*baseline.prior_therapy_months);
    if (baseline.prior_hct) out["prior_hct"] = *baseline.prior_hct;
    if (baseline.months_since_hct) out["months_since_hct"] = canonical_number(*baseline.months_since_hct);
    if (baseline.gvhd_before_cart) out["gvhd_before_cart"] = to_name(*baseline.gvhd_before_cart);
    return out;
  }

  static json encode_reported(const ReportedCourse& reported) {
    json out = json::object();
    if (reported.crs_max_grade) out["crs_max_grade"] = *reported.crs_max_grade;
    if (reported.icans_max_grade) out["icans_max_grade"] = *reported.icans_max_grade;
    if (reported.severe_crs) out["severe_crs"] = *reported.severe_crs;
    if (reported.steroid_refractory_crs) out["steroid_refractory_crs"] = *reported.steroid_refractory_crs;
    if (reported.tocilizumab_doses) out["tocilizumab_doses"] = *reported.tocilizumab_doses;
    if (reported.ruxolitinib_given) out["ruxolitinib_given"] = *reported.ruxolitinib_given;
    if (reported.max_steroid_mg_per_kg_per_day) {
      out["max_steroid_dose"] = quantity(*reported.max_steroid_mg_per_kg_per_day, "mg/kg/d");
    }
    return out;
  }

  static json encode_source(const Source& source) {
    json out = json::object();
    if (!source.citation.empty()) out["citation"] = source.citation;
    if (!source.doi.empty()) out["doi"] = source.doi;
    if (!source.url.empty()) out["url"] = source.url;
    if (!source.converted_by.empty()) out["converted_by"] = source.converted_by;
    return out;
  }

  json encode_event(const Event& event) const {
    json out{{"kind", to_name(event.kind())}, {"time", encode_time(event.time)}};
    if (!event.note.empty()) out["note"] = event.note;
    std::visit([&out](const auto& detail) { encode_detail(detail, out); }, event.detail);
    return out;
  }

  static void encode_detail(const Observation& observation, json& out) {
    const ObservationInfo& info = observation_info(observation.code);
    out["code"] = info.name;
    if (observation.value) {
      out["value"] = canonical_number(*observation.value);
      out["unit"] = info.canonical_unit;
    }
    if (observation.comparator != Comparator::equal) out["comparator"] = to_name(observation.comparator);
    if (observation.interpretation != Interpretation::none) out["interpretation"] = to_name(observation.interpretation);
    if (observation.statistic != Statistic::single) out["statistic"] = to_name(observation.statistic);
    if (observation.reference_range) {
      json range = json::object();
      if (observation.reference_range->low) range["low"] = canonical_number(*observation.reference_range->low);
      if (observation.reference_range->high) range["high"] = canonical_number(*observation.reference_range->high);
      out["reference_range"] = std::move(range);
    }
  }

  static void encode_detail(const OxygenSupport& support, json& out) {
    out["device"] = to_name(support.device);
    if (support.flow_l_per_min) out["flow"] = quantity(*support.flow_l_per_min, "L/min");
    if (support.fio2_percent) out["fio2"] = quantity(*support.fio2_percent, "%");
  }

  static void encode_detail(const VasopressorChange& change, json& out) {
    out["agent"] = to_name(change.agent);
    out["action"] = to_name(change.action);
    if (change.dose) {
      static constexpr std::string_view kUnits[] = {"ug/kg/min", "ug/min", "U/min"};
      out["dose"] = quantity(change.dose->value, kUnits[static_cast<std::size_t>(change.dose->unit)]);
    }
  }

  static void encode_detail(const NeuroAssessment& neuro, json& out) {
    if (neuro.ice) {
      json ice = json::object();
      if (neuro.ice->items) {
        const auto& items = *neuro.ice->items;
        ice = json{{"orientation", items[0]}, {"naming", items[1]}, {"commands", items[2]},
                   {"writing", items[3]}, {"attention", items[4]}};
      } else {
        ice["total"] = neuro.ice->total;
      }
      out["ice"] = std::move(ice);
    }
    if (neuro.capd) {
      out["capd"] = neuro.capd->items ? json{{"items", *neuro.capd->items}} : json{{"total", neuro.capd->total}};
    }
    if (neuro.consciousness) out["consciousness"] = to_name(*neuro.consciousness);
    if (neuro.seizure) {
      json seizure{{"type", to_name(neuro.seizure->type)}};
      if (neuro.seizure->duration_min) seizure["duration_min"] = canonical_number(*neuro.seizure->duration_min);
      if (neuro.seizure->repetitive) seizure["repetitive"] = *neuro.seizure->repetitive;
      out["seizure"] = std::move(seizure);
    }
    if (neuro.motor) out["motor"] = to_name(*neuro.motor);
    if (!neuro.icp_findings.empty()) {
      out["icp_findings"] = json::array();
      for (const auto finding : neuro.icp_findings) out["icp_findings"].push_back(to_name(finding));
    }
    if (neuro.global_aphasia) out["global_aphasia"] = *neuro.global_aphasia;
    if (neuro.sedated) out["sedated"] = *neuro.sedated;
    if (neuro.intracranial_haemorrhage) out["intracranial_haemorrhage"] = *neuro.intracranial_haemorrhage;
  }

  static void encode_detail(const Administration& administration, json& out) {
    out["drug"] = administration.drug;
    if (!administration.drug_name.empty()) out["drug_name"] = administration.drug_name;
    if (administration.dose) out["dose"] = quantity(administration.dose->value, dose_unit_code(administration.dose->basis));
    if (administration.route) out["route"] = to_name(*administration.route);
    if (administration.duration_min) out["duration"] = quantity(*administration.duration_min, "min");
    if (administration.indication) out["indication"] = to_name(*administration.indication);
    if (administration.repeat) {
      out["repeat"] = json{{"every", quantity(administration.repeat->every_hours, "h")},
                           {"count", administration.repeat->count}};
    }
  }

  static void encode_detail(const Transfusion& transfusion, json& out) {
    out["product"] = to_name(transfusion.product);
    if (transfusion.amount) {
      static constexpr std::string_view kUnits[] = {"10*11", "mL", "g"};
      out["amount"] = quantity(*transfusion.amount, kUnits[static_cast<std::size_t>(transfusion.amount_unit)]);
    }
  }

  static void encode_detail(const Response& response, json& out) {
    out["status"] = to_name(response.status);
    if (response.site) out["site"] = to_name(*response.site);
    if (response.mrd_flow_percent) out["mrd_flow_percent"] = canonical_number(*response.mrd_flow_percent);
    if (response.mrd_negative) out["mrd_negative"] = *response.mrd_negative;
    if (response.cd19_status) out["cd19_status"] = to_name(*response.cd19_status);
  }

  json encode_outcome(const Outcome& outcome) const {
    json out{{"last_followup", encode_time(outcome.last_followup)}, {"vital_status", to_name(outcome.vital_status)}};
    if (outcome.death_time) {
      json death{{"time", encode_time(*outcome.death_time)}};
      if (!outcome.death_cause.empty()) death["cause"] = outcome.death_cause;
      out["death"] = std::move(death);
    }
    if (outcome.hct_after_cart) {
      out["hct_after_cart"] = outcome.hct_time ? json{{"time", encode_time(*outcome.hct_time)}}
                                               : json{{"time_unknown", true}};
    }
    return out;
  }

  const Timeline& timeline_;
};

std::vector<Timeline> decode_cohort(const json& document, ProblemLog& log) {
  ObjectReader top(document, "", log);
  std::vector<TimelineRecord> records;
  top.string("format", Presence::required);
  top.string("name");
  if (const auto* source = top.get("source"); source != nullptr && !source->is_object()) {
    log.add_at_pointer("/source", "expected an object, found " + json_type_name(*source));
  }
  const auto* timelines = top.get("timelines", Presence::required);
  top.finish("a cohort");
  if (timelines != nullptr && !timelines->is_array()) {
    log.add_at_pointer("/timelines", "expected an array of timelines, found " + json_type_name(*timelines));
  } else if (timelines != nullptr) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < timelines->size(); ++i) {
      const std::string pointer = "/timelines/" + std::to_string(i);
      TimelineRecord record = decode_timeline((*timelines)[i], pointer, log);
      if (!record.patient.id.empty() && !ids.insert(record.patient.id).second) {
        log.add_at_pointer(pointer + "/patient/id",
                           fmt::format("duplicate patient id \"{}\" in the cohort", record.patient.id));
      }
      records.push_back(std::move(record));
      if (log.full()) break;
    }
  }
  log.throw_if_any();
  std::vector<Timeline> out;
  out.reserve(records.size());
  for (auto& record : records) out.emplace_back(std::move(record));
  return out;
}

}  // namespace

json canonical_number(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

std::vector<Timeline> read_timelines_json(std::string_view text, const std::string& file) {
  ProblemLog log(file);
  auto document = parse_strict_json(text, log);
  if (!document) log.throw_if_any();
  const bool is_cohort = document->is_object() && document->contains("format") && (*document)["format"] == kCohortFormat;
  if (is_cohort) return decode_cohort(*document, log);
  TimelineRecord record = decode_timeline(*document, "", log);
  log.throw_if_any();
  std::vector<Timeline> out;
  out.emplace_back(std::move(record));
  return out;
}

json encode_timeline(const Timeline& timeline) { return Encoder(timeline).encode(); }

std::string write_timeline_json(const Timeline& timeline) { return encode_timeline(timeline).dump(2) + "\n"; }

}  // namespace crsguard

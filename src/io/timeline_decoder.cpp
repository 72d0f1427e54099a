#include "io/timeline_decoder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/drugs.hpp"
#include "core/observation_codes.hpp"
#include "core/time.hpp"
#include "io/json_fields.hpp"
#include "io/quantity_reader.hpp"

namespace crsguard {
namespace {

constexpr QuantityRule kWeight{"body weight", "kg", 0.3, 400};
constexpr QuantityRule kHeight{"body height", "cm", 30, 250};
constexpr QuantityRule kAge{"age", "a", 0, 120};
constexpr QuantityRule kOxygenFlow{"oxygen flow", "L/min", 0, 80};
constexpr QuantityRule kFio2{"FiO2", "%", 21, 100};
constexpr QuantityRule kInfusionDuration{"infusion duration", "min", 0, 10080};
constexpr QuantityRule kRepeatInterval{"interval between doses", "h", 0.25, 720};
constexpr QuantityRule kMaxSteroidDose{"maximum steroid dose", "mg/kg/d", 0, 100};
constexpr QuantityRule kCellDosePerKg{"CAR-T cell dose per kg", "{cells}/kg", 1e3, 1e10};
constexpr QuantityRule kCellDoseTotal{"CAR-T cell dose", "{cells}", 1e5, 1e12};

bool valid_patient_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

std::string suggestion_for_code(const std::string& text) {
  for (const auto& info : observation_table()) {
    if (text.size() >= 2 && (std::string_view(info.name).find(text) != std::string_view::npos ||
                             text.find(info.name) != std::string::npos)) {
      return fmt::format(" (did you mean \"{}\"?)", info.name);
    }
  }
  return "";
}

std::string known_drug_names() {
  std::string out;
  for (const auto& drug : drug_table()) {
    if (!out.empty()) out += ", ";
    out += drug.name;
  }
  return out;
}

class Decoder {
 public:
  explicit Decoder(ProblemLog& log) : log_(log) {}

  TimelineRecord decode(const nlohmann::json& document, const std::string& pointer) {
    TimelineRecord record;
    ObjectReader top(document, pointer, log_);
    if (!top.ok()) return record;
    check_format(top);
    if (const auto* infusion = top.get("infusion", Presence::required)) {
      decode_infusion(*infusion, top.child("infusion"), record.infusion);
    }
    if (const auto* patient = top.get("patient", Presence::required)) {
      decode_patient(*patient, top.child("patient"), record.patient, record.infusion);
    }
    if (const auto* baseline = top.get("baseline")) decode_baseline(*baseline, top.child("baseline"), record.baseline);
    if (const auto* reported = top.get("reported")) decode_reported(*reported, top.child("reported"), record.reported);
    if (const auto* source = top.get("source")) decode_source(*source, top.child("source"), record.source);
    record.note = top.string("note").value_or("");
    if (const auto* events = top.get("events", Presence::required)) {
      decode_events(*events, top.child("events"), record.events);
    }
    if (const auto* outcome = top.get("outcome")) {
      record.outcome = decode_outcome(*outcome, top.child("outcome"));
    }
    top.finish("a timeline");
    check_course(record);
    return record;
  }

 private:
  struct LocatedEvent {
    Event event;
    std::string pointer;
  };

  void check_format(ObjectReader& top) {
    const auto format = top.string("format", Presence::required);
    if (!format || *format == kTimelineFormat) return;
    const std::string reason =
        format->rfind("crsguard.timeline/", 0) == 0
            ? fmt::format("unsupported timeline format version \"{}\"; this crsguard reads \"{}\"", *format,
                          kTimelineFormat)
            : fmt::format("not a crsguard timeline: format is \"{}\", expected \"{}\"", *format, kTimelineFormat);
    log_.add_at_pointer(top.child("format"), reason);
  }

  // ---- times -------------------------------------------------------------------------

  bool check_day_in_course(std::int64_t day, const std::string& pointer) {
    if (day >= kEarliestStudyDay && day <= kLatestStudyDay) return true;
    log_.add_at_pointer(pointer, fmt::format("day {} is outside the treatment course (day {} to day {} around the "
                                             "infusion)",
                                             day, kEarliestStudyDay, kLatestStudyDay));
    return false;
  }

  std::optional<EventTime> decode_time(const nlohmann::json& value, const std::string& pointer) {
    const InfusionTime& infusion = infusion_time_;
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      if (text.size() > 16 && (text.back() == 'Z' || text.find('+', 16) != std::string::npos ||
                               text.find('-', 16) != std::string::npos)) {
        log_.add_at_pointer(pointer, fmt::format("time \"{}\" has a time-zone offset; format version 1 takes local "
                                                 "wall-clock time (YYYY-MM-DDTHH:MM[:SS]) without a zone",
                                                 text));
        return std::nullopt;
      }
      const auto local = parse_local_datetime(text);
      if (!local) {
        log_.add_at_pointer(pointer, fmt::format("\"{}\" is not a valid local date-time (YYYY-MM-DDTHH:MM or "
                                                 "YYYY-MM-DDTHH:MM:SS)",
                                                 text));
        return std::nullopt;
      }
      if (!infusion.calendar) {
        log_.add_at_pointer(pointer, "a calendar time needs the infusion's calendar time (infusion.time as "
                                     "\"YYYY-MM-DDTHH:MM\"); give this time as {\"day\": N, \"clock\": \"HH:MM\"} "
                                     "instead");
        return std::nullopt;
      }
      const std::int64_t seconds = *local - *infusion.calendar;
      const std::int64_t day = floor_div(seconds + infusion.clock_offset(), kSecondsPerDay);
      if (!check_day_in_course(day, pointer)) return std::nullopt;
      return EventTime{seconds, TimeForm::calendar};
    }
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) {
      log_.add_at_pointer(pointer, "a time is {\"day\": N}, {\"day\": N, \"clock\": \"HH:MM\"} or "
                                   "\"YYYY-MM-DDTHH:MM\"");
      return std::nullopt;
    }
    const auto day = reader.integer("day", INT32_MIN, INT32_MAX, Presence::required);
    const auto clock_text = reader.string("clock");
    reader.finish("a time");
    if (!day || !check_day_in_course(*day, reader.child("day"))) return std::nullopt;
    std::optional<std::int32_t> clock;
    if (clock_text) {
      clock = parse_clock(*clock_text);
      if (!clock) {
        log_.add_at_pointer(reader.child("clock"),
                            fmt::format("\"{}\" is not a clock time (HH:MM or HH:MM:SS, 00:00 to 23:59:59)",
                                        *clock_text));
        return std::nullopt;
      }
    }
    const std::int64_t seconds = *day * kSecondsPerDay + clock.value_or(0) - infusion.clock_offset();
    return EventTime{seconds, clock ? TimeForm::study_day_clock : TimeForm::study_day};
  }

  // ---- patient, infusion, baseline, reported, source ----------------------------------

  void decode_infusion(const nlohmann::json& value, const std::string& pointer, Infusion& infusion) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return;
    infusion.product = reader.string("product", Presence::required).value_or("");
    if (auto targets = reader.string_array("targets", Presence::required)) {
      infusion.targets = std::move(*targets);
      if (infusion.targets.empty()) log_.add_at_pointer(reader.child("targets"), "name at least one target antigen");
    }
    if (const auto* time = reader.get("time")) decode_infusion_time(*time, reader.child("time"), infusion.time);
    if (reader.has("cell_dose")) {
      const std::array rules{kCellDosePerKg, kCellDoseTotal};
      if (const auto dose = read_quantity_of_kinds(reader, "cell_dose", "CAR-T cell dose", rules.data(), rules.size())) {
        infusion.cell_dose = CellDose{dose->value, dose->rule_index == 0};
      }
    } else {
      reader.get("cell_dose");
    }
    infusion.cell_source = reader.enumeration<CellSource>("cell_source", "cell source");
    infusion.lymphodepletion = reader.string("lymphodepletion").value_or("");
    infusion.trial = reader.string("trial").value_or("");
    reader.finish("the infusion");
    infusion_time_ = infusion.time;
  }

  void decode_infusion_time(const nlohmann::json& value, const std::string& pointer, InfusionTime& time) {
    time.given = true;
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      if (const auto datetime = parse_local_datetime(text)) {
        time.calendar = *datetime;
        time.clock = static_cast<std::int32_t>(*datetime - floor_div(*datetime, kSecondsPerDay) * kSecondsPerDay);
        time.form = TimeForm::calendar;
        return;
      }
      if (const auto date = parse_date(text)) {
        time.calendar = *date;
        time.form = TimeForm::calendar;
        return;
      }
      log_.add_at_pointer(pointer, fmt::format("\"{}\" is not a local date (YYYY-MM-DD) or date-time "
                                               "(YYYY-MM-DDTHH:MM[:SS]) without a time zone",
                                               text));
      return;
    }
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return;
    const auto day = reader.integer("day", INT32_MIN, INT32_MAX, Presence::required);
    const auto clock_text = reader.string("clock");
    reader.finish("the infusion time");
    if (day && *day != 0) {
      log_.add_at_pointer(reader.child("day"), fmt::format("the infusion defines day 0; found day {}", *day));
    }
    time.form = TimeForm::study_day;
    if (clock_text) {
      time.clock = parse_clock(*clock_text);
      time.form = TimeForm::study_day_clock;
      if (!time.clock) {
        log_.add_at_pointer(reader.child("clock"), fmt::format("\"{}\" is not a clock time (HH:MM or HH:MM:SS)",
                                                               *clock_text));
      }
    }
  }

  void decode_patient(const nlohmann::json& value, const std::string& pointer, Patient& patient,
                      const Infusion& infusion) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return;
    if (auto id = reader.string("id", Presence::required)) {
      if (valid_patient_id(*id)) {
        patient.id = std::move(*id);
      } else {
        log_.add_at_pointer(reader.child("id"), fmt::format("patient id \"{}\" must be 1–64 characters of A–Z, a–z, "
                                                            "0–9, '.', '_' or '-'",
                                                            *id));
      }
    }
    if (const auto sex = reader.enumeration<Sex>("sex", "sex", Presence::required)) patient.sex = *sex;
    patient.age_years = read_quantity(reader, "age", kAge);
    if (const auto birth = reader.string("birth_date")) {
      const auto date = parse_date(*birth);
      if (!date) {
        log_.add_at_pointer(reader.child("birth_date"), fmt::format("\"{}\" is not a date (YYYY-MM-DD)", *birth));
      } else if (patient.age_years) {
        log_.add_at_pointer(reader.child("birth_date"), "give either age or birth_date, not both");
      } else if (!infusion.time.calendar) {
        log_.add_at_pointer(reader.child("birth_date"),
                            "a birth date needs the infusion's calendar date (infusion.time); give age instead");
      } else if (*date > *infusion.time.calendar) {
        log_.add_at_pointer(reader.child("birth_date"), "birth date is after the infusion");
      } else {
        patient.birth_date = date;
        patient.age_years = whole_years_between(*date, *infusion.time.calendar);
        if (*patient.age_years > kAge.max) {
          log_.add_at_pointer(reader.child("birth_date"), fmt::format("gives an age of {} years, outside 0–120",
                                                                      *patient.age_years));
        }
      }
    }
    patient.weight_kg = read_quantity(reader, "weight", kWeight);
    patient.height_cm = read_quantity(reader, "height", kHeight);
    if (const auto formula = reader.enumeration<BsaFormula>("bsa_formula", "body-surface-area formula")) {
      patient.bsa_formula = *formula;
      patient.bsa_formula_given = true;
    }
    reader.finish("the patient");
  }

  void decode_baseline(const nlohmann::json& value, const std::string& pointer, Baseline& baseline) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return;
    baseline.diagnosis = reader.string("diagnosis").value_or("");
    baseline.genetics = reader.string_array("genetics").value_or(std::vector<std::string>{});
    baseline.complex_karyotype = reader.boolean("complex_karyotype");
    baseline.disease_status = reader.string("disease_status").value_or("");
    baseline.marrow_blasts_morphology_percent = reader.number("marrow_blasts_morphology_percent", 0, 100);
    baseline.marrow_morphologic_remission = reader.boolean("marrow_morphologic_remission");
    baseline.marrow_blasts_flow_percent = reader.number("marrow_blasts_flow_percent", 0, 100);
    baseline.prior_therapy_months = reader.number("prior_therapy_months", 0, 1200);
    baseline.prior_hct = reader.boolean("prior_hct");
    baseline.months_since_hct = reader.number("months_since_hct", 0, 1200);
    baseline.gvhd_before_cart = reader.enumeration<GvhdBeforeCart>("gvhd_before_cart", "GVHD status");
    reader.finish("the baseline");
    if (baseline.months_since_hct && baseline.prior_hct == false) {
      log_.add_at_pointer(reader.child("months_since_hct"), "given although prior_hct is false");
    }
  }

  void decode_reported(const nlohmann::json& value, const std::string& pointer, ReportedCourse& reported) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return;
    if (const auto grade = reader.integer("crs_max_grade", 0, 5)) reported.crs_max_grade = static_cast<int>(*grade);
    if (const auto grade = reader.integer("icans_max_grade", 0, 5)) reported.icans_max_grade = static_cast<int>(*grade);
    reported.severe_crs = reader.boolean("severe_crs");
    reported.steroid_refractory_crs = reader.boolean("steroid_refractory_crs");
    if (const auto doses = reader.integer("tocilizumab_doses", 0, 20)) reported.tocilizumab_doses = static_cast<int>(*doses);
    reported.ruxolitinib_given = reader.boolean("ruxolitinib_given");
    reported.max_steroid_mg_per_kg_per_day = read_quantity(reader, "max_steroid_dose", kMaxSteroidDose);
    reader.finish("the reported course");
    if (reported.crs_max_grade && reported.severe_crs && (*reported.crs_max_grade >= 3) != *reported.severe_crs) {
      log_.add_at_pointer(reader.child("severe_crs"), fmt::format("contradicts crs_max_grade {} (severe means grade ≥ 3)",
                                                                  *reported.crs_max_grade));
    }
  }

  void decode_source(const nlohmann::json& value, const std::string& pointer, Source& source) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return;
    source.citation = reader.string("citation").value_or("");
    source.doi = reader.string("doi").value_or("");
    source.url = reader.string("url").value_or("");
    source.converted_by = reader.string("converted_by").value_or("");
    reader.finish("the source");
  }

  // ---- events ------------------------------------------------------------------------

  void decode_events(const nlohmann::json& value, const std::string& pointer, std::vector<Event>& events) {
    if (!value.is_array()) {
      log_.add_at_pointer(pointer, "expected an array of events, found " + json_type_name(value));
      return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string event_pointer = pointer + "/" + std::to_string(i);
      if (auto event = decode_event(value[i], event_pointer)) {
        located_.push_back(LocatedEvent{*event, event_pointer});
        events.push_back(std::move(*event));
      }
    }
  }

  std::optional<Event> decode_event(const nlohmann::json& value, const std::string& pointer) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return std::nullopt;
    const auto kind = reader.enumeration<EventKind>("kind", "event kind", Presence::required);
    std::optional<EventTime> time;
    if (const auto* raw_time = reader.get("time", Presence::required)) time = decode_time(*raw_time, reader.child("time"));
    const std::string note = reader.string("note").value_or("");
    if (!kind) return std::nullopt;  // the other fields cannot be judged without the kind
    const std::size_t problems_before = log_.problems().size();
    std::optional<EventDetail> detail;
    switch (*kind) {
      case EventKind::observation: detail = decode_observation(reader); break;
      case EventKind::oxygen: detail = decode_oxygen(reader); break;
      case EventKind::vasopressor: detail = decode_vasopressor(reader); break;
      case EventKind::neuro: detail = decode_neuro(reader); break;
      case EventKind::administration: detail = decode_administration(reader); break;
      case EventKind::transfusion: detail = decode_transfusion(reader); break;
      case EventKind::response: detail = decode_response(reader); break;
    }
    reader.finish(fmt::format("a{} {} event", *kind == EventKind::observation || *kind == EventKind::oxygen ||
                                                      *kind == EventKind::administration
                                                  ? "n"
                                                  : "",
                              to_name(*kind)));
    if (!time || !detail || log_.problems().size() != problems_before) return std::nullopt;
    return Event{*time, std::move(*detail), note};
  }

  std::optional<EventDetail> decode_observation(ObjectReader& reader) {
    Observation observation;
    const auto code_text = reader.string("code", Presence::required);
    const auto* value = reader.get("value");
    const auto unit = reader.string("unit");
    const auto comparator = reader.enumeration<Comparator>("comparator", "comparator");
    const auto interpretation = reader.enumeration<Interpretation>("interpretation", "interpretation");
    const auto statistic = reader.enumeration<Statistic>("statistic", "statistic");
    const auto* range = reader.get("reference_range");
    if (!code_text) return std::nullopt;
    const auto code = find_observation_code(*code_text);
    if (!code) {
      log_.add_at_pointer(reader.child("code"), fmt::format("unknown observation code \"{}\"{}; the codes are listed "
                                                            "in docs/units.md",
                                                            *code_text, suggestion_for_code(*code_text)));
      return std::nullopt;
    }
    observation.code = *code;
    const ObservationInfo& info = observation_info(*code);
    const QuantityRule rule{info.display, info.canonical_unit, info.plausible_min, info.plausible_max,
                            info.molar_mass_g_per_mol};
    observation.statistic = statistic.value_or(Statistic::single);
    if (value == nullptr) {
      if (!interpretation || *interpretation == Interpretation::none) {
        log_.add_at_pointer(reader.child("value"), "an observation needs a value with its unit, or an "
                                                   "interpretation (normal, abnormal, high, low)");
        return std::nullopt;
      }
      if (unit) log_.add_at_pointer(reader.child("unit"), "a unit without a value");
      if (comparator) log_.add_at_pointer(reader.child("comparator"), "a comparator without a value");
      observation.interpretation = *interpretation;
    } else {
      const auto number = read_number(*value, reader.child("value"), log_);
      if (!number) return std::nullopt;
      if (!unit) {
        log_.add_at_pointer(reader.child("unit"), fmt::format("a value needs its unit; {} is given in {}", info.display,
                                                              spellings_for(unit_by_code(info.canonical_unit).dimension)));
        return std::nullopt;
      }
      observation.value = to_canonical(*number, *unit, rule, reader.child("value"), reader.child("unit"), log_);
      if (!observation.value) return std::nullopt;
      observation.comparator = comparator.value_or(Comparator::equal);
      observation.interpretation = interpretation.value_or(Interpretation::none);
    }
    if (range != nullptr) {
      observation.reference_range = decode_reference_range(*range, reader.child("reference_range"), unit, rule);
      if (!observation.reference_range) return std::nullopt;
    }
    return observation;
  }

  std::optional<ReferenceRange> decode_reference_range(const nlohmann::json& value, const std::string& pointer,
                                                       const std::optional<std::string>& unit, const QuantityRule& rule) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return std::nullopt;
    const auto low = reader.number("low", -1e12, 1e12);
    const auto high = reader.number("high", -1e12, 1e12);
    reader.finish("a reference range");
    if (!unit) {
      log_.add_at_pointer(pointer, "a reference range is in the observation's unit; give the value and unit");
      return std::nullopt;
    }
    if (!low && !high) {
      log_.add_at_pointer(pointer, "give low (LLN), high (ULN) or both");
      return std::nullopt;
    }
    // The limits are converted like the value but are not plausibility-checked: an
    // LLN of 0 or a wide ULN is legitimate.
    const QuantityRule unbounded{rule.what, rule.canonical_unit, -1e300, 1e300, rule.molar_mass_g_per_mol};
    ReferenceRange out;
    if (low) out.low = to_canonical(*low, *unit, unbounded, reader.child("low"), pointer, log_);
    if (high) out.high = to_canonical(*high, *unit, unbounded, reader.child("high"), pointer, log_);
    if (out.low && out.high && *out.low > *out.high) {
      log_.add_at_pointer(pointer, "low is above high");
      return std::nullopt;
    }
    return out;
  }

  std::optional<EventDetail> decode_oxygen(ObjectReader& reader) {
    OxygenSupport support;
    const auto device = reader.enumeration<OxygenDevice>("device", "oxygen device", Presence::required);
    support.flow_l_per_min = read_quantity(reader, "flow", kOxygenFlow);
    support.fio2_percent = read_quantity(reader, "fio2", kFio2);
    if (!device) return std::nullopt;
    support.device = *device;
    if (support.device == OxygenDevice::none && (support.flow_l_per_min.value_or(0) > 0 || support.fio2_percent)) {
      log_.add_at_pointer(reader.child("device"), "device \"none\" cannot have an oxygen flow or FiO2");
      return std::nullopt;
    }
    return support;
  }

  std::optional<EventDetail> decode_vasopressor(ObjectReader& reader) {
    VasopressorChange change;
    const auto agent = reader.enumeration<VasopressorAgent>("agent", "vasopressor", Presence::required);
    const auto action = reader.enumeration<VasopressorAction>("action", "vasopressor action", Presence::required);
    if (!agent) {
      reader.get("dose");
      return std::nullopt;
    }
    change.agent = *agent;
    const VasopressorInfo& info = vasopressor_info(*agent);
    const std::array rules{
        QuantityRule{info.name, "ug/kg/min", info.ug_per_kg_per_min.min, info.ug_per_kg_per_min.max},
        QuantityRule{info.name, "ug/min", info.ug_per_min.min, info.ug_per_min.max},
        QuantityRule{info.name, "U/min", info.units_per_min.min, info.units_per_min.max},
    };
    constexpr std::array kUnits{VasopressorDoseUnit::ug_per_kg_per_min, VasopressorDoseUnit::ug_per_min,
                                VasopressorDoseUnit::units_per_min};
    std::vector<QuantityRule> usable;
    std::vector<VasopressorDoseUnit> usable_units;
    const std::array ranges{info.ug_per_kg_per_min, info.ug_per_min, info.units_per_min};
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (!ranges[i].used()) continue;
      usable.push_back(rules[i]);
      usable_units.push_back(kUnits[i]);
    }
    const bool has_dose = reader.has("dose");
    if (const auto dose = read_quantity_of_kinds(reader, "dose", fmt::format("{} dose", info.name), usable.data(),
                                                 usable.size())) {
      change.dose = VasopressorDose{dose->value, usable_units[dose->rule_index]};
    } else if (has_dose) {
      return std::nullopt;
    }
    if (!action) return std::nullopt;
    change.action = *action;
    if (change.action == VasopressorAction::stop && change.dose && change.dose->value > 0) {
      log_.add_at_pointer(reader.child("dose"), "a stop has no dose (give the dose with start or adjust)");
      return std::nullopt;
    }
    return change;
  }

  template <std::size_t N>
  std::optional<std::array<int, N>> decode_items(const nlohmann::json& value, const std::string& pointer,
                                                 const std::array<int, N>& maxima) {
    if (!value.is_array() || value.size() != N) {
      log_.add_at_pointer(pointer, fmt::format("expected an array of {} item scores", N));
      return std::nullopt;
    }
    std::array<int, N> items{};
    bool ok = true;
    for (std::size_t i = 0; i < N; ++i) {
      const std::string item_pointer = pointer + "/" + std::to_string(i);
      const auto score = read_integer(value[i], item_pointer, log_);
      if (!score || *score < 0 || *score > maxima[i]) {
        if (score) log_.add_at_pointer(item_pointer, fmt::format("item score {} is outside 0–{}", *score, maxima[i]));
        ok = false;
        continue;
      }
      items[i] = static_cast<int>(*score);
    }
    if (!ok) return std::nullopt;
    return items;
  }

  std::optional<IceScore> decode_ice(const nlohmann::json& value, const std::string& pointer) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return std::nullopt;
    static constexpr std::array<std::string_view, 5> kItems{"orientation", "naming", "commands", "writing", "attention"};
    static constexpr std::array<int, 5> kMaxima{4, 3, 1, 1, 1};
    const auto total = reader.integer("total", 0, 10);
    std::array<int, 5> items{};
    int present = 0;
    bool ok = true;
    for (std::size_t i = 0; i < kItems.size(); ++i) {
      if (!reader.has(kItems[i])) {
        reader.get(kItems[i]);
        continue;
      }
      const auto score = reader.integer(kItems[i], 0, kMaxima[i]);
      if (!score) ok = false;
      else items[i] = static_cast<int>(*score);
      ++present;
    }
    reader.finish("an ICE score");
    if (!ok) return std::nullopt;
    IceScore ice;
    if (present == 0) {
      if (!total) {
        log_.add_at_pointer(pointer, "give the ICE total or its five items (orientation, naming, commands, writing, "
                                     "attention)");
        return std::nullopt;
      }
      ice.total = static_cast<int>(*total);
      return ice;
    }
    if (present != 5) {
      log_.add_at_pointer(pointer, "give all five ICE items (orientation, naming, commands, writing, attention) or "
                                   "only the total");
      return std::nullopt;
    }
    ice.items = items;
    ice.total = items[0] + items[1] + items[2] + items[3] + items[4];
    if (total && *total != ice.total) {
      log_.add_at_pointer(reader.child("total"), fmt::format("total {} does not equal the sum of the items ({})", *total,
                                                             ice.total));
      return std::nullopt;
    }
    return ice;
  }

  std::optional<CapdScore> decode_capd(const nlohmann::json& value, const std::string& pointer) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return std::nullopt;
    const auto total = reader.integer("total", 0, 32);
    const auto* raw_items = reader.get("items");
    reader.finish("a CAPD score");
    CapdScore capd;
    if (raw_items != nullptr) {
      const auto items = decode_items<8>(*raw_items, reader.child("items"), {4, 4, 4, 4, 4, 4, 4, 4});
      if (!items) return std::nullopt;
      capd.items = items;
      for (const int item : *items) capd.total += item;
      if (total && *total != capd.total) {
        log_.add_at_pointer(reader.child("total"), fmt::format("total {} does not equal the sum of the items ({})",
                                                               *total, capd.total));
        return std::nullopt;
      }
      return capd;
    }
    if (!total) {
      log_.add_at_pointer(pointer, "give the CAPD total or its eight items");
      return std::nullopt;
    }
    capd.total = static_cast<int>(*total);
    return capd;
  }

  std::optional<EventDetail> decode_neuro(ObjectReader& reader) {
    NeuroAssessment neuro;
    const std::size_t problems_before = log_.problems().size();
    if (const auto* ice = reader.get("ice")) neuro.ice = decode_ice(*ice, reader.child("ice"));
    if (const auto* capd = reader.get("capd")) neuro.capd = decode_capd(*capd, reader.child("capd"));
    neuro.consciousness = reader.enumeration<Consciousness>("consciousness", "level of consciousness");
    if (const auto* seizure = reader.get("seizure")) {
      ObjectReader seizure_reader(*seizure, reader.child("seizure"), log_);
      if (seizure_reader.ok()) {
        Seizure decoded;
        if (const auto type = seizure_reader.enumeration<SeizureType>("type", "seizure type", Presence::required)) {
          decoded.type = *type;
        }
        decoded.duration_min = seizure_reader.number("duration_min", 0, 10080);
        decoded.repetitive = seizure_reader.boolean("repetitive");
        seizure_reader.finish("a seizure");
        neuro.seizure = decoded;
      }
    }
    neuro.motor = reader.enumeration<MotorFinding>("motor", "motor finding");
    if (const auto findings = reader.string_array("icp_findings")) {
      for (std::size_t i = 0; i < findings->size(); ++i) {
        if (const auto finding = from_name<IcpFinding>((*findings)[i])) {
          neuro.icp_findings.push_back(*finding);
        } else {
          log_.add_at_pointer(reader.child("icp_findings") + "/" + std::to_string(i),
                              fmt::format("unknown raised-ICP finding \"{}\"; expected one of: {}", (*findings)[i],
                                          name_list<IcpFinding>()));
        }
      }
    }
    neuro.global_aphasia = reader.boolean("global_aphasia");
    neuro.sedated = reader.boolean("sedated");
    neuro.intracranial_haemorrhage = reader.boolean("intracranial_haemorrhage");
    if (log_.problems().size() != problems_before) return std::nullopt;
    if (!neuro.ice && !neuro.capd && !neuro.consciousness && !neuro.seizure && !neuro.motor &&
        neuro.icp_findings.empty() && !neuro.global_aphasia && !neuro.sedated && !neuro.intracranial_haemorrhage) {
      log_.add_at_pointer(reader.pointer(), "a neuro assessment needs at least one finding (ice, capd, consciousness, "
                                            "seizure, motor, icp_findings, ...)");
      return std::nullopt;
    }
    return neuro;
  }

  std::optional<EventDetail> decode_administration(ObjectReader& reader) {
    Administration administration;
    const auto drug = reader.string("drug", Presence::required);
    const auto drug_name = reader.string("drug_name");
    administration.route = reader.enumeration<Route>("route", "route");
    administration.duration_min = read_quantity(reader, "duration", kInfusionDuration);
    administration.indication = reader.enumeration<Indication>("indication", "indication");
    if (const auto* repeat = reader.get("repeat")) {
      ObjectReader repeat_reader(*repeat, reader.child("repeat"), log_);
      if (repeat_reader.ok()) {
        const auto every = read_quantity(repeat_reader, "every", kRepeatInterval, Presence::required);
        const auto count = repeat_reader.integer("count", 2, 1000, Presence::required);
        repeat_reader.finish("a repeat schedule");
        if (every && count) administration.repeat = RepeatSchedule{*every, static_cast<int>(*count)};
      }
    }
    if (!drug) {
      reader.get("dose");
      return std::nullopt;
    }
    const DrugInfo* info = nullptr;
    if (*drug == "other") {
      if (!drug_name || drug_name->empty()) {
        log_.add_at_pointer(reader.child("drug_name"), "drug \"other\" needs drug_name, the drug's name");
        reader.get("dose");
        return std::nullopt;
      }
      administration.drug_name = *drug_name;
    } else {
      info = find_drug(*drug);
      if (info == nullptr) {
        log_.add_at_pointer(reader.child("drug"), fmt::format("unknown drug \"{}\"; known drugs: {}; for any other "
                                                              "drug write \"drug\": \"other\" with \"drug_name\"",
                                                              *drug, known_drug_names()));
        reader.get("dose");
        return std::nullopt;
      }
      if (drug_name) {
        log_.add_at_pointer(reader.child("drug_name"), "drug_name is only for drug \"other\"");
        return std::nullopt;
      }
    }
    administration.drug = *drug;
    // Drugs outside the table get ranges that only catch gross unit errors.
    const DrugInfo other{"other", DrugClass::other, "", false, {1e-3, 1e5}, {1e-5, 1e3}, {1e-3, 1e4}};
    const DrugInfo& ranges = info != nullptr ? *info : other;
    const std::string what = info != nullptr ? std::string(info->name) : administration.drug_name;
    std::vector<QuantityRule> rules;
    std::vector<DoseBasis> bases;
    const std::array<std::pair<DoseRange, DoseBasis>, 3> candidates{
        {{ranges.mg, DoseBasis::mg}, {ranges.mg_per_kg, DoseBasis::mg_per_kg}, {ranges.mg_per_m2, DoseBasis::mg_per_m2}}};
    for (const auto& [range, basis] : candidates) {
      if (!range.used()) continue;
      rules.push_back(QuantityRule{"", dose_unit_code(basis), range.min, range.max});
      bases.push_back(basis);
    }
    const std::string dose_what = fmt::format("a {} dose", what);
    for (auto& rule : rules) rule.what = dose_what;
    const bool has_dose = reader.has("dose");
    if (const auto dose = read_quantity_of_kinds(reader, "dose", dose_what, rules.data(), rules.size())) {
      administration.dose = DrugDose{dose->value, bases[dose->rule_index]};
    } else if (has_dose) {
      return std::nullopt;
    }
    return administration;
  }

  std::optional<EventDetail> decode_transfusion(ObjectReader& reader) {
    Transfusion transfusion;
    const auto product = reader.enumeration<TransfusionProduct>("product", "blood product", Presence::required);
    if (!product) {
      reader.get("amount");
      return std::nullopt;
    }
    transfusion.product = *product;
    QuantityRule rule{"transfused volume", "mL", 1, 5000};
    transfusion.amount_unit = TransfusionAmountUnit::ml;
    if (*product == TransfusionProduct::platelets) {
      rule = QuantityRule{"platelets transfused", "10*11", 0.05, 20};
      transfusion.amount_unit = TransfusionAmountUnit::platelets_1e11;
    } else if (*product == TransfusionProduct::fibrinogen_concentrate) {
      rule = QuantityRule{"fibrinogen concentrate", "g", 0.1, 20};
      transfusion.amount_unit = TransfusionAmountUnit::g;
    }
    const bool has_amount = reader.has("amount");
    transfusion.amount = read_quantity(reader, "amount", rule);
    if (has_amount && !transfusion.amount) return std::nullopt;
    return transfusion;
  }

  std::optional<EventDetail> decode_response(ObjectReader& reader) {
    Response response;
    const auto status = reader.enumeration<ResponseStatus>("status", "response status", Presence::required);
    response.site = reader.enumeration<DiseaseSite>("site", "disease site");
    response.mrd_flow_percent = reader.number("mrd_flow_percent", 0, 100);
    response.mrd_negative = reader.boolean("mrd_negative");
    response.cd19_status = reader.enumeration<Cd19Status>("cd19_status", "CD19 status");
    if (!status) return std::nullopt;
    response.status = *status;
    return response;
  }

  // ---- outcome and whole-course checks -------------------------------------------------

  std::optional<Outcome> decode_outcome(const nlohmann::json& value, const std::string& pointer) {
    ObjectReader reader(value, pointer, log_);
    if (!reader.ok()) return std::nullopt;
    Outcome outcome;
    std::optional<EventTime> last;
    if (const auto* raw = reader.get("last_followup", Presence::required)) last = decode_time(*raw, reader.child("last_followup"));
    const auto status = reader.enumeration<VitalStatus>("vital_status", "vital status", Presence::required);
    const auto* death = reader.get("death");
    if (death != nullptr) {
      ObjectReader death_reader(*death, reader.child("death"), log_);
      if (death_reader.ok()) {
        if (const auto* raw = death_reader.get("time", Presence::required)) {
          outcome.death_time = decode_time(*raw, death_reader.child("time"));
        }
        outcome.death_cause = death_reader.string("cause").value_or("");
        death_reader.finish("the death");
      }
    }
    if (const auto* hct = reader.get("hct_after_cart")) {
      ObjectReader hct_reader(*hct, reader.child("hct_after_cart"), log_);
      if (hct_reader.ok()) {
        const auto* raw_time = hct_reader.get("time");
        const auto unknown = hct_reader.boolean("time_unknown");
        hct_reader.finish("the HCT after CAR-T");
        outcome.hct_after_cart = true;
        if (raw_time != nullptr && unknown.value_or(false)) {
          log_.add_at_pointer(hct_reader.pointer(), "give either time or time_unknown, not both");
        } else if (raw_time != nullptr) {
          outcome.hct_time = decode_time(*raw_time, hct_reader.child("time"));
        } else if (!unknown.value_or(false)) {
          log_.add_at_pointer(hct_reader.pointer(), "give the time of the HCT, or \"time_unknown\": true");
        }
      }
    }
    reader.finish("the outcome");
    if (!last || !status) return std::nullopt;
    outcome.last_followup = *last;
    outcome.vital_status = *status;
    if (*status == VitalStatus::dead && death == nullptr) {
      log_.add_at_pointer(reader.child("death"), "vital_status is \"dead\": give the death's time (and cause)");
    }
    if (*status == VitalStatus::alive && death != nullptr) {
      log_.add_at_pointer(reader.child("death"), "a death is given but vital_status is \"alive\"");
    }
    outcome_pointer_ = reader.pointer();
    return outcome;
  }

  int day_of(const EventTime& time) const {
    return static_cast<int>(floor_div(time.seconds_since_infusion + infusion_time_.clock_offset(), kSecondsPerDay));
  }

  void check_course(const TimelineRecord& record) {
    std::stable_sort(located_.begin(), located_.end(), [](const LocatedEvent& a, const LocatedEvent& b) {
      return a.event.time.seconds_since_infusion < b.event.time.seconds_since_infusion;
    });
    std::set<VasopressorAgent> running;
    for (const auto& [event, pointer] : located_) {
      const auto* change = event.as<VasopressorChange>();
      if (change == nullptr) continue;
      if (change->action == VasopressorAction::start) {
        if (!running.insert(change->agent).second) {
          log_.add_at_pointer(pointer + "/action", fmt::format("{} is started again without a stop in between; use "
                                                               "\"adjust\" to change its dose",
                                                               to_name(change->agent)));
        }
      } else if (running.count(change->agent) == 0) {
        log_.add_at_pointer(pointer + "/action", fmt::format("{} of {}, which is not running (no earlier start)",
                                                             to_name(change->action), to_name(change->agent)));
      } else if (change->action == VasopressorAction::stop) {
        running.erase(change->agent);
      }
    }
    // A repeat schedule's last dose must lie in the course (and before death), like any event.
    for (auto& [event, pointer] : located_) {
      const auto* administration = event.as<Administration>();
      if (administration == nullptr || !administration->repeat) continue;
      const double span_s = administration->repeat->every_hours * 3600.0 * (administration->repeat->count - 1);
      const EventTime last{event.time.seconds_since_infusion + static_cast<std::int64_t>(span_s), event.time.form};
      const int last_dose_day = day_of(last);
      if (last_dose_day > kLatestStudyDay) {
        log_.add_at_pointer(pointer + "/repeat", fmt::format("the last dose falls on day {}, outside the treatment "
                                                             "course (up to day {})",
                                                             last_dose_day, kLatestStudyDay));
      }
      last_dose_pointers_.emplace_back(last, pointer + "/repeat");
    }
    if (!record.outcome) return;
    const Outcome& outcome = *record.outcome;
    const int last_day = day_of(outcome.last_followup);
    if (last_day < 0) {
      log_.add_at_pointer(outcome_pointer_ + "/last_followup", "last follow-up is before the infusion");
    }
    std::optional<int> death_day;
    if (outcome.death_time) {
      death_day = day_of(*outcome.death_time);
      if (*death_day > last_day) {
        log_.add_at_pointer(outcome_pointer_ + "/death/time",
                            fmt::format("death (day {}) is after the last follow-up (day {})", *death_day, last_day));
      }
    }
    for (const auto& [event, pointer] : located_) {
      const int day = day_of(event.time);
      if (death_day && day > *death_day) {
        log_.add_at_pointer(pointer + "/time", fmt::format("event on day {} is after death (day {})", day, *death_day));
      } else if (day > last_day) {
        log_.add_at_pointer(pointer + "/time",
                            fmt::format("event on day {} is after the last follow-up (day {})", day, last_day));
      }
    }
    for (const auto& [last, pointer] : last_dose_pointers_) {
      const int day = day_of(last);
      if (death_day && day > *death_day) {
        log_.add_at_pointer(pointer, fmt::format("the schedule's last dose (day {}) is after death (day {})", day,
                                                 *death_day));
      } else if (day > last_day) {
        log_.add_at_pointer(pointer, fmt::format("the schedule's last dose (day {}) is after the last follow-up "
                                                 "(day {})",
                                                 day, last_day));
      }
    }
  }

  ProblemLog& log_;
  InfusionTime infusion_time_;
  std::vector<std::pair<EventTime, std::string>> last_dose_pointers_;  // last dose of each repeat schedule
  std::vector<LocatedEvent> located_;
  std::string outcome_pointer_;
};

}  // namespace

TimelineRecord decode_timeline(const nlohmann::json& document, const std::string& pointer, ProblemLog& log) {
  return Decoder(log).decode(document, pointer);
}

}  // namespace crsguard

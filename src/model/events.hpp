#pragma once
// Timed events of a patient's course. Every value is stored in the canonical unit of its
// quantity (docs/units.md); the unit is part of the type, not of the value.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/drugs.hpp"
#include "core/enum_names.hpp"
#include "core/observation_codes.hpp"
#include "model/patient.hpp"

namespace crsguard {

// When an event happened, and in which form it was recorded (so it is written back the same way).
struct EventTime {
  std::int64_t seconds_since_infusion = 0;
  TimeForm form = TimeForm::study_day;

  [[nodiscard]] double hours() const { return static_cast<double>(seconds_since_infusion) / 3600.0; }
  friend bool operator==(const EventTime&, const EventTime&) = default;
};

enum class Comparator : unsigned char { equal, less, less_or_equal, greater_or_equal, greater };
std::span<const EnumName<Comparator>> names(Comparator);
std::string_view comparator_symbol(Comparator comparator);  // "", "<", "≤", "≥", ">"

enum class Interpretation : unsigned char { none, normal, abnormal, high, low };
std::span<const EnumName<Interpretation>> names(Interpretation);

enum class Statistic : unsigned char { single, max, min };
std::span<const EnumName<Statistic>> names(Statistic);

struct ReferenceRange {
  std::optional<double> low;   // LLN, canonical unit
  std::optional<double> high;  // ULN, canonical unit
  friend bool operator==(const ReferenceRange&, const ReferenceRange&) = default;
};

struct Observation {
  ObservationCode code{};
  std::optional<double> value;  // canonical unit of `code`; absent when only interpreted
  Comparator comparator = Comparator::equal;
  Interpretation interpretation = Interpretation::none;
  Statistic statistic = Statistic::single;
  std::optional<ReferenceRange> reference_range;
  friend bool operator==(const Observation&, const Observation&) = default;
};

// ASTCT 2019 oxygen devices (../shared/spec/clinical.md §1.2), in order of support intensity.
enum class OxygenDevice : unsigned char {
  none, blow_by, nasal_cannula, simple_face_mask, venturi_mask, non_rebreather, high_flow_nasal_cannula,
  cpap, bipap, mechanical_ventilation,
};
std::span<const EnumName<OxygenDevice>> names(OxygenDevice);

struct OxygenSupport {
  OxygenDevice device = OxygenDevice::none;
  std::optional<double> flow_l_per_min;
  std::optional<double> fio2_percent;
  friend bool operator==(const OxygenSupport&, const OxygenSupport&) = default;
};
// True if `a` is more intensive support than `b`: device first, then flow.
bool more_support(const OxygenSupport& a, const OxygenSupport& b);

std::span<const EnumName<VasopressorAgent>> names(VasopressorAgent);

enum class VasopressorAction : unsigned char { start, adjust, stop };
std::span<const EnumName<VasopressorAction>> names(VasopressorAction);

enum class VasopressorDoseUnit : unsigned char { ug_per_kg_per_min, ug_per_min, units_per_min };

struct VasopressorDose {
  double value;
  VasopressorDoseUnit unit;
  friend bool operator==(const VasopressorDose&, const VasopressorDose&) = default;
};

struct VasopressorChange {
  VasopressorAgent agent{};
  VasopressorAction action = VasopressorAction::start;
  std::optional<VasopressorDose> dose;
  friend bool operator==(const VasopressorChange&, const VasopressorChange&) = default;
};

// Immune effector Cell-associated Encephalopathy score (ASTCT 2019; clinical.md §2.1).
struct IceScore {
  // orientation 0–4, naming 0–3, commands 0–1, writing 0–1, attention 0–1; when items are known.
  std::optional<std::array<int, 5>> items;
  int total = 0;
  friend bool operator==(const IceScore&, const IceScore&) = default;
};

// Cornell Assessment of Pediatric Delirium (Traube 2014; clinical.md §2.3): 8 items 0–4.
struct CapdScore {
  std::optional<std::array<int, 8>> items;
  int total = 0;
  friend bool operator==(const CapdScore&, const CapdScore&) = default;
};

enum class Consciousness : unsigned char { alert, awakens_spontaneously, awakens_to_voice, awakens_to_touch, unarousable };
std::span<const EnumName<Consciousness>> names(Consciousness);

enum class SeizureType : unsigned char { none, focal, generalised, non_convulsive };
std::span<const EnumName<SeizureType>> names(SeizureType);

struct Seizure {
  SeizureType type = SeizureType::none;
  std::optional<double> duration_min;
  std::optional<bool> repetitive;  // repetitive seizures without return to baseline in between
  friend bool operator==(const Seizure&, const Seizure&) = default;
};

enum class MotorFinding : unsigned char { none, tremor, myoclonus, deep_focal_weakness };
std::span<const EnumName<MotorFinding>> names(MotorFinding);

enum class IcpFinding : unsigned char {
  focal_oedema, diffuse_oedema, posturing, cranial_nerve_vi_palsy, papilloedema, cushings_triad,
};
std::span<const EnumName<IcpFinding>> names(IcpFinding);

struct NeuroAssessment {
  std::optional<IceScore> ice;
  std::optional<CapdScore> capd;
  std::optional<Consciousness> consciousness;
  std::optional<Seizure> seizure;
  std::optional<MotorFinding> motor;
  std::vector<IcpFinding> icp_findings;
  std::optional<bool> global_aphasia;
  std::optional<bool> sedated;
  std::optional<bool> intracranial_haemorrhage;
  friend bool operator==(const NeuroAssessment&, const NeuroAssessment&) = default;
};

enum class DoseBasis : unsigned char { mg, mg_per_kg, mg_per_m2 };
std::string_view dose_unit_code(DoseBasis basis);  // "mg", "mg/kg", "mg/m2"

struct DrugDose {
  double value;
  DoseBasis basis;
  friend bool operator==(const DrugDose&, const DrugDose&) = default;
};

enum class Route : unsigned char { iv, po, sc, im, it };
std::span<const EnumName<Route>> names(Route);

enum class Indication : unsigned char { crs, icans, lymphodepletion, prophylaxis, fever, supportive, infection, other };
std::span<const EnumName<Indication>> names(Indication);

struct RepeatSchedule {
  double every_hours;
  int count;  // doses in all, the first at the event's time
  friend bool operator==(const RepeatSchedule&, const RepeatSchedule&) = default;
};

struct Administration {
  std::string drug;       // name in the drug table, or "other"
  std::string drug_name;  // free text, only with drug "other"
  std::optional<DrugDose> dose;
  std::optional<Route> route;
  std::optional<double> duration_min;
  std::optional<Indication> indication;
  std::optional<RepeatSchedule> repeat;

  [[nodiscard]] std::string display_name() const { return drug == "other" ? drug_name : drug; }
  friend bool operator==(const Administration&, const Administration&) = default;
};

enum class TransfusionProduct : unsigned char { platelets, red_cells, plasma, cryoprecipitate, fibrinogen_concentrate };
std::span<const EnumName<TransfusionProduct>> names(TransfusionProduct);

enum class TransfusionAmountUnit : unsigned char { platelets_1e11, ml, g };

struct Transfusion {
  TransfusionProduct product{};
  std::optional<double> amount;
  TransfusionAmountUnit amount_unit = TransfusionAmountUnit::ml;
  friend bool operator==(const Transfusion&, const Transfusion&) = default;
};

enum class ResponseStatus : unsigned char { cr, cri, pr, nr, relapse };
std::span<const EnumName<ResponseStatus>> names(ResponseStatus);

enum class DiseaseSite : unsigned char { bone_marrow, blood, cns, extramedullary };
std::span<const EnumName<DiseaseSite>> names(DiseaseSite);

enum class Cd19Status : unsigned char { positive, negative };
std::span<const EnumName<Cd19Status>> names(Cd19Status);

struct Response {
  ResponseStatus status{};
  std::optional<DiseaseSite> site;
  std::optional<double> mrd_flow_percent;
  std::optional<bool> mrd_negative;
  std::optional<Cd19Status> cd19_status;
  friend bool operator==(const Response&, const Response&) = default;
};

using EventDetail = std::variant<Observation, OxygenSupport, VasopressorChange, NeuroAssessment, Administration,
                                 Transfusion, Response>;

enum class EventKind : unsigned char { observation, oxygen, vasopressor, neuro, administration, transfusion, response };
std::span<const EnumName<EventKind>> names(EventKind);

struct Event {
  EventTime time;
  EventDetail detail;
  std::string note;

  [[nodiscard]] EventKind kind() const { return static_cast<EventKind>(detail.index()); }
  template <class T>
  [[nodiscard]] const T* as() const { return std::get_if<T>(&detail); }
  friend bool operator==(const Event&, const Event&) = default;
};

enum class VitalStatus : unsigned char { alive, dead };
std::span<const EnumName<VitalStatus>> names(VitalStatus);

struct Outcome {
  EventTime last_followup;
  VitalStatus vital_status = VitalStatus::alive;
  std::optional<EventTime> death_time;
  std::string death_cause;
  bool hct_after_cart = false;
  std::optional<EventTime> hct_time;  // absent with hct_after_cart: time not known
};

}  // namespace crsguard

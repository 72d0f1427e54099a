#pragma once
// One virtual patient's course in closed loop: the ODE model runs between clinical moments; at each
// vitals round the simulated bedside records what a nurse would chart (temperature, heart rate, blood
// pressure, oxygen and vasopressor support), once a day the laboratory reports cytokines, CRP, ferritin
// and CAR-T counts; the protocol engine reads that record, exactly as it reads a real patient's, and its
// recommendations become doses in the model after a delay. Policy and its limits: docs/simulator.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinical/protocol_engine.hpp"
#include "model/patient.hpp"
#include "model/timeline.hpp"
#include "sim/ode.hpp"
#include "sim/patient_model.hpp"

namespace crsguard {

struct ClinicalClock {
  double vitals_every_hours = 4;   // temperature, heart rate, blood pressure, support; a decision follows each
  double labs_every_hours = 24;    // cytokines, CRP, ferritin, CAR-T per µL
  double first_labs_hour = 6;      // morning bloods, hours after infusion
};

// How the simulated team acts on a recommendation.
struct ClinicianBehaviour {
  double dose_delay_hours = 1;     // decision → first dose
  double adherence = 1;            // probability that each due dose is given
  bool act_on_consider = false;    // also follow "consider" steps
};

struct CourseOptions {
  double days = 28;
  ClinicalClock clock;
  ClinicianBehaviour clinician;
  SolverKind solver = SolverKind::dormand_prince;
  double relative_tolerance = 1e-6;
  std::uint64_t seed = 1;          // adherence draws
  Overrides overrides;             // handed to the engine (a virtual patient has no bleeding to confirm)
};

struct VirtualPatient {
  std::string id;
  PatientParameters parameters;
  PatientCovariates covariates;
  double age_years = 30;
  double height_cm = 170;
  Sex sex = Sex::male;
};

struct CourseSummary {
  std::optional<int> max_crs_grade;
  double days_at_grade_2_or_more = 0;          // study days whose maximum grade was ≥ 2
  std::optional<double> crs_onset_day;         // first episode onset, days after infusion
  std::optional<double> crs_resolution_day;    // last episode's resolution
  std::optional<double> time_to_resolution_days;  // onset → resolution of the first episode
  double steroid_dexamethasone_equivalent_mg = 0;
  double car_t_peak_per_ul = 0;
  double car_t_peak_day = 0;
  double car_t_auc_per_ul_days = 0;            // AUC(0–end) of CAR-T per µL, cells/µL·d
  double il6_peak_pg_per_ml = 0;
  double il6_peak_day = 0;
  double leukaemia_log10_reduction = 0;        // log10(L(0)/L(end))
  std::optional<double> first_tocilizumab_day;
  std::optional<double> first_steroid_day;
  std::optional<double> first_ruxolitinib_day;
  int doses_given = 0;
  int decisions = 0;                           // engine consultations
};

// The model's own daily state, for the twin comparison and the figures (not part of the record).
struct ModelSample {
  double day;
  std::array<double, kPatientStates> state;
  double temperature_celsius;
  double systolic_bp;
};

struct SimulatedCourse {
  TimelineRecord record;
  CourseSummary summary;
  SolverStatistics solver;
  std::vector<ModelSample> samples;  // at every vitals round
};

// The overrides a virtual patient needs: a blocking check that asks for something the model does not have
// (bleeding to confirm at the bedside, a laboratory value it does not simulate) is lifted, with that reason.
Overrides virtual_patient_overrides(const Protocol& protocol);

// engine == nullptr: no treatment (the natural course). Throws SolverError when the model cannot be solved.
SimulatedCourse simulate_course(const VirtualPatient& patient, const ProtocolEngine* engine, const Protocol* protocol,
                                const ProtocolRules& rules, const CourseOptions& options);

}  // namespace crsguard

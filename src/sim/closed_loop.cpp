#include "sim/closed_loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

#include "clinical/course_grades.hpp"
#include "core/drugs.hpp"
#include "sim/cvode_integrator.hpp"
#include "sim/dormand_prince.hpp"

namespace crsguard {
namespace {

constexpr double kSecondsPerHour = 3600;
constexpr double kHoursPerDay = 24;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kSameMomentHours = 1e-9;  // times this close are one moment (sums of dose intervals round)
// Infusions the record gives no duration for: tocilizumab over 1 h (ACTEMRA label).
constexpr double kTocilizumabInfusionHours = 1;
// Oxygen the simulated bedside gives at each tier (ASTCT 2019 devices): low flow at 2 L/min, high flow at 40.
constexpr double kLowFlowLitresPerMin = 2;
constexpr double kHighFlowLitresPerMin = 40;

std::int64_t seconds_at(double hours) { return static_cast<std::int64_t>(std::llround(hours * kSecondsPerHour)); }

// One drug being given by the simulated team: the phases of the recommendation that started it.
struct Course {
  std::string drug;
  Route route = Route::iv;
  std::vector<PhaseDose> phases;
  std::size_t phase = 0;
  double phase_start_h = 0;
  double next_due_h = 0;
  bool single_dose = false;  // given once; a further dose needs a further recommendation
  bool ended = false;
  int doses_given = 0;
};

struct InfusionEnd {
  double at_h;
  double DrugInputs::*input;
  double rate;
};

bool open_ended(const PhaseDose& phase) { return !phase.for_days.has_value(); }

class CourseSimulation {
 public:
  CourseSimulation(const VirtualPatient& patient, const ProtocolEngine* engine, const Protocol* protocol,
                   const ProtocolRules& rules, const CourseOptions& options)
      : patient_(patient), engine_(engine), protocol_(protocol), rules_(rules), options_(options),
        model_(patient.parameters, patient.covariates), rng_(options.seed), timeline_(TimelineRecord{}),
        grader_(rules.grading) {
    if (!(options.days > 0) || options.days > 365) throw std::invalid_argument("a course lasts more than 0 and at most 365 days");
    if (options.clock.vitals_every_hours <= 0 || options.clock.labs_every_hours <= 0) {
      throw std::invalid_argument("the clinical clock needs positive intervals");
    }
    if (options.clinician.adherence < 0 || options.clinician.adherence > 1) {
      throw std::invalid_argument("adherence is a probability between 0 and 1");
    }
    if (options.clinician.dose_delay_hours < 0) throw std::invalid_argument("the dose delay cannot be negative");
    TimelineRecord record;
    start_record(record);
    timeline_ = Timeline(std::move(record));
    // Each round of vitals charts three readings and now and then a change of support; labs seven values.
    const double rounds = options.days * kHoursPerDay / options.clock.vitals_every_hours;
    const double lab_days = options.days * kHoursPerDay / options.clock.labs_every_hours;
    timeline_.reserve(static_cast<std::size_t>(rounds * 4 + lab_days * 7) + 64);
    samples_.reserve(static_cast<std::size_t>(rounds + lab_days) + 64);  // one per stop; doses add a few
  }

  template <class Integrator>
  SimulatedCourse run() {
    const auto y0 = model_.initial_state();
    Integrator solver(model_, 0.0, y0, tolerances());
    const double end_h = options_.days * kHoursPerDay;
    double next_vitals_h = 0;
    double next_labs_h = options_.clock.first_labs_hour;
    initial_leukaemia_ = y0[state::leukaemia];
    while (true) {
      const double next_h = std::min({next_vitals_h, next_labs_h, next_dose_h(), next_infusion_end_h(), end_h});
      solver.advance_to(next_h / kHoursPerDay);
      const double now_h = next_h;
      const bool assessment = now_h + kSameMomentHours >= next_vitals_h && now_h < end_h;
      bool input_changed = end_infusions(now_h);
      // Doses due at an assessment are given after it: the engine decides on the record as it stood
      // just before anything was given then (Timeline::known_at), which is then the whole record.
      if (!assessment) input_changed = give_due_doses(now_h, solver.state()) || input_changed;
      const std::span<const double> y = solver.state();
      track(now_h, y);
      if (now_h >= end_h) break;
      if (now_h >= next_labs_h) {
        record_labs(now_h, y);
        next_labs_h += options_.clock.labs_every_hours;
      }
      if (assessment) {
        record_vitals(now_h, y);
        decide(now_h);
        next_vitals_h += options_.clock.vitals_every_hours;
        input_changed = give_due_doses(now_h, solver.state()) || input_changed;  // with any due now, undelayed
      }
      if (input_changed) solver.restart();
    }
    SimulatedCourse out;
    out.solver = solver.statistics();
    finish(out, solver.state());
    return out;
  }

 private:
  OdeTolerances tolerances() const {
    OdeTolerances t;
    t.relative = options_.relative_tolerance;
    t.absolute.assign(kPatientStates, 1e-6);
    // Cells to a cell; cytokines far below assay limits; drug amounts to a nanogram (model.md §4.4).
    for (std::size_t cells : {state::car_t_effector, state::car_t_memory, state::leukaemia, state::normal_b_cells}) {
      t.absolute[cells] = 1;
    }
    t.absolute[state::car_t_auc] = 1;
    for (std::size_t cytokine : {state::ifn_gamma, state::il6, state::il10, state::tnf_alpha}) t.absolute[cytokine] = 1e-4;
    for (std::size_t drug : {state::rux_gut, state::rux_central, state::tcz_central, state::tcz_peripheral, state::dex_gut,
                             state::dex_central, state::mp_central, state::rux_eliminated, state::tcz_eliminated,
                             state::dex_eliminated, state::mp_eliminated}) {
      t.absolute[drug] = 1e-6;
    }
    t.absolute[state::gc_effect] = 1e-6;
    return t;
  }

  void start_record(TimelineRecord& r) const {
    r.patient.id = patient_.id;
    r.patient.sex = patient_.sex;
    r.patient.age_years = patient_.age_years;
    r.patient.weight_kg = patient_.covariates.weight_kg;
    r.patient.height_cm = patient_.height_cm;
    r.infusion.product = "virtual CD19 CAR-T";
    r.infusion.targets = {"CD19"};
    r.infusion.time.given = true;
    r.infusion.time.clock = 0;
    r.infusion.time.form = TimeForm::study_day_clock;
    r.infusion.cell_dose = CellDose{patient_.covariates.car_t_dose_cells, false};
    r.baseline.diagnosis = "B-ALL";
    r.baseline.marrow_blasts_morphology_percent = patient_.covariates.marrow_blasts_percent;
    r.source.citation = "crsguard simulator, patient-mode model (../shared/spec/model.md §2)";
    r.source.converted_by = "crsguard simulate";
    r.note = "virtual patient";
  }

  void add_event(double at_h, EventDetail detail) {
    timeline_.append(Event{EventTime{seconds_at(at_h), TimeForm::study_day_clock}, std::move(detail), {}});
  }
  void add_observation(double at_h, ObservationCode code, double value) {
    Observation o;
    o.code = code;
    o.value = value;
    add_event(at_h, o);
  }

  double systolic_recorded(const double* y) const {
    const double map = model_.mean_arterial_pressure(y) +
                       model_.parameters().vasopressor_map_gain * static_cast<double>(vasopressors_);
    return map * model_.parameters().systolic_to_map_ratio;
  }

  void record_vitals(double at_h, std::span<const double> y) {
    const PatientParameters& p = model_.parameters();
    const double temperature = model_.temperature_celsius(y.data());
    const double map = model_.mean_arterial_pressure(y.data());
    update_vasopressors(at_h, map);
    update_oxygen(at_h, model_.leak_excess(y.data()));
    add_observation(at_h, ObservationCode::body_temperature, std::round(temperature * 10) / 10);
    const double heart_rate = p.heart_rate_baseline + p.heart_rate_per_degree * std::max(temperature - 37.0, 0.0) +
                              std::max(p.map_baseline - map, 0.0) * p.heart_rate_per_map_fall;
    add_observation(at_h, ObservationCode::heart_rate, std::round(heart_rate));
    add_observation(at_h, ObservationCode::systolic_bp, std::round(systolic_recorded(y.data())));
  }

  void update_vasopressors(double at_h, double map) {
    const PatientParameters& p = model_.parameters();
    const auto change = [&](VasopressorAgent agent, VasopressorAction action) {
      VasopressorChange c;
      c.agent = agent;
      c.action = action;
      add_event(at_h, c);
    };
    if (vasopressors_ == 0 && map < p.map_one_vasopressor) {
      change(VasopressorAgent::norepinephrine, VasopressorAction::start);
      vasopressors_ = 1;
    }
    if (vasopressors_ == 1 && map < p.map_second_vasopressor) {
      change(VasopressorAgent::epinephrine, VasopressorAction::start);  // a second agent other than vasopressin
      vasopressors_ = 2;
    }
    if (vasopressors_ == 2 && map > p.map_second_vasopressor + p.vasopressor_wean_margin) {
      change(VasopressorAgent::epinephrine, VasopressorAction::stop);
      vasopressors_ = 1;
    }
    if (vasopressors_ == 1 && map > p.map_one_vasopressor + p.vasopressor_wean_margin) {
      change(VasopressorAgent::norepinephrine, VasopressorAction::stop);
      vasopressors_ = 0;
    }
  }

  void update_oxygen(double at_h, double leak) {
    const PatientParameters& p = model_.parameters();
    OxygenSupport support;
    if (leak >= p.leak_positive_pressure) {
      support.device = OxygenDevice::bipap;
    } else if (leak >= p.leak_high_flow_oxygen) {
      support.device = OxygenDevice::high_flow_nasal_cannula;
      support.flow_l_per_min = kHighFlowLitresPerMin;
    } else if (leak >= p.leak_low_flow_oxygen) {
      support.device = OxygenDevice::nasal_cannula;
      support.flow_l_per_min = kLowFlowLitresPerMin;
    }
    if (!oxygen_recorded_ || support != oxygen_) {
      add_event(at_h, support);
      oxygen_ = support;
      oxygen_recorded_ = true;
    }
  }

  void record_labs(double at_h, std::span<const double> y) {
    const auto round3 = [](double v) {
      if (v <= 0) return 0.0;
      const double scale = std::pow(10.0, 2 - std::floor(std::log10(v)));
      return std::round(v * scale) / scale;
    };
    add_observation(at_h, ObservationCode::il6, round3(y[state::il6]));
    add_observation(at_h, ObservationCode::ifn_gamma, round3(y[state::ifn_gamma]));
    add_observation(at_h, ObservationCode::il10, round3(y[state::il10]));
    add_observation(at_h, ObservationCode::tnf_alpha, round3(y[state::tnf_alpha]));
    add_observation(at_h, ObservationCode::crp, round3(y[state::crp] / 10));  // mg/L → mg/dL
    add_observation(at_h, ObservationCode::ferritin, round3(y[state::ferritin]));
    add_observation(at_h, ObservationCode::car_t_per_ul, round3(model_.car_t_per_ul(y.data())));
  }

  const ProtocolStep* step_of(const std::string& id) const {
    if (protocol_ == nullptr) return nullptr;
    for (const auto& step : protocol_->steps) {
      if (step.id == id) return &step;
    }
    return nullptr;
  }

  Course* running(const std::string& drug) {
    for (auto& c : courses_) {
      if (!c.ended && c.drug == drug) return &c;
    }
    return nullptr;
  }

  void decide(double at_h) {
    if (engine_ == nullptr) return;
    ++decisions_;
    const std::int64_t t = seconds_at(at_h);
    // The record holds nothing the decision may not see (doses due now come after it), unless a dose due
    // within the same second was given just before: then the engine cuts the record itself. The
    // simulated team reads decisions only: the advice is asked for without its words.
    const Advice advice = timeline_.complete_at(t)
                              ? engine_->advise(timeline_, grader_.update(timeline_), t, options_.overrides, AdviceText::omitted)
                              : engine_->advise(timeline_, t, options_.overrides);
    last_crs_grade_ = advice.state.crs.grade;
    const double first_dose_h = at_h + options_.clinician.dose_delay_hours;
    for (const Recommendation& rec : advice.recommendations) {
      if (rec.status == RecommendationStatus::blocked) continue;
      const bool gives = rec.action == ActionKind::give || (rec.action == ActionKind::consider && options_.clinician.act_on_consider);
      Course* current = running(rec.drug);
      if (gives && !rec.schedule.empty()) {
        // A course whose first dose is still to come, or with a dose due now (given just after this
        // decision, so not in what the engine saw), is already the answer.
        if (current != nullptr && (current->single_dose || current->doses_given == 0 ||
                                   current->next_due_h <= at_h + kSameMomentHours)) {
          continue;
        }
        if (current != nullptr) current->ended = true;  // an escalation replaces it
        Course c;
        c.drug = rec.drug;
        c.route = rec.route.value_or(Route::iv);
        c.phases = rec.schedule;
        c.phase_start_h = first_dose_h;
        c.next_due_h = first_dose_h;
        const ProtocolStep* step = step_of(rec.step_id);
        const DrugInfo* info = find_drug(rec.drug);
        c.single_dose = (step != nullptr && step->repeat.has_value()) ||
                        (info != nullptr && info->drug_class == DrugClass::anti_il6);
        courses_.push_back(std::move(c));
      } else if (rec.action == ActionKind::stop && current != nullptr) {
        current->ended = true;
      } else if (rec.action == ActionKind::reduce && current != nullptr) {
        if (rec.schedule.empty()) {
          current->ended = true;  // a taper the source does not give: stopped
        } else {
          current->phases = rec.schedule;
          current->phase = 0;
          current->phase_start_h = first_dose_h;
          current->next_due_h = std::max(first_dose_h, current->next_due_h);
        }
      }
    }
  }

  // Moves a course past phases that have run out; ends it when none is left.
  void settle(Course& c, double at_h) {
    while (!c.ended && c.phase < c.phases.size()) {
      const PhaseDose& phase = c.phases[c.phase];
      if (open_ended(phase)) {
        // "until CRS resolved / improves": the team stops an open-ended phase once CRS is graded 0.
        if (last_crs_grade_ == 0 && at_h > c.phase_start_h) c.ended = true;
        return;
      }
      const double phase_end_h = c.phase_start_h + *phase.for_days * kHoursPerDay;
      if (c.next_due_h < phase_end_h - kSameMomentHours) return;
      ++c.phase;
      c.phase_start_h = phase_end_h;
      c.next_due_h = std::max(c.next_due_h, phase_end_h);
    }
    if (c.phase >= c.phases.size()) c.ended = true;
  }

  double next_dose_h() {
    double next = kInfinity;
    for (auto& c : courses_) {
      if (!c.ended) next = std::min(next, c.next_due_h);
    }
    return next;
  }

  double next_infusion_end_h() const {
    double next = kInfinity;
    for (const auto& e : infusion_ends_) next = std::min(next, e.at_h);
    return next;
  }

  bool end_infusions(double at_h) {
    bool changed = false;
    for (auto it = infusion_ends_.begin(); it != infusion_ends_.end();) {
      if (it->at_h <= at_h) {
        model_.inputs.*(it->input) -= it->rate;
        if (std::abs(model_.inputs.*(it->input)) < 1e-12) model_.inputs.*(it->input) = 0;
        it = infusion_ends_.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
    return changed;
  }

  bool give_due_doses(double at_h, std::span<double> y) {
    bool changed = false;
    for (auto& c : courses_) {
      settle(c, at_h);
      while (!c.ended && c.next_due_h <= at_h + kSameMomentHours) {
        const PhaseDose& phase = c.phases[c.phase];
        std::bernoulli_distribution given(options_.clinician.adherence);
        if (phase.dose.mg && given(rng_)) {
          changed = apply_dose(c.drug, c.route, *phase.dose.mg, at_h, y) || changed;
          ++c.doses_given;
        }
        c.next_due_h += phase.every_hours;
        if (c.single_dose) c.ended = true;
        settle(c, at_h);
      }
    }
    return changed;
  }

  bool apply_dose(const std::string& drug, Route route, double mg, double at_h, std::span<double> y) {
    const PatientParameters& p = model_.parameters();
    Administration a;
    a.drug = drug;
    a.dose = DrugDose{mg, DoseBasis::mg};
    a.route = route;
    a.indication = Indication::crs;
    bool modelled = true;
    if (drug == "ruxolitinib") {
      y[state::rux_gut] += mg * p.rux_bioavailability;
    } else if (drug == "tocilizumab") {
      a.duration_min = kTocilizumabInfusionHours * 60;
      start_infusion(&DrugInputs::tocilizumab, mg, at_h, kTocilizumabInfusionHours);
    } else if (drug == "dexamethasone" && route == Route::po) {
      y[state::dex_gut] += mg * p.dex_oral_bioavailability;
    } else if (drug == "dexamethasone") {
      y[state::dex_central] += mg;
    } else if (drug == "methylprednisolone") {
      y[state::mp_central] += mg;
    } else {
      modelled = false;  // recorded, with no effect in the model (docs/simulator.md)
    }
    add_event(at_h, a);
    ++doses_;
    const auto first = [&](std::optional<double>& day) {
      if (!day) day = at_h / kHoursPerDay;
    };
    if (drug == "tocilizumab") first(first_tocilizumab_day_);
    if (drug == "ruxolitinib") first(first_ruxolitinib_day_);
    const DrugInfo* info = find_drug(drug);
    if (info != nullptr && info->drug_class == DrugClass::corticosteroid) first(first_steroid_day_);
    return modelled;
  }

  void start_infusion(double DrugInputs::*input, double mg, double at_h, double hours) {
    const double rate = mg / (hours / kHoursPerDay);
    model_.inputs.*input += rate;
    infusion_ends_.push_back({at_h + hours, input, rate});
  }

  void track(double at_h, std::span<const double> y) {
    const double day = at_h / kHoursPerDay;
    const double car_t = model_.car_t_per_ul(y.data());
    if (car_t > car_t_peak_) {
      car_t_peak_ = car_t;
      car_t_peak_day_ = day;
    }
    if (y[state::il6] > il6_peak_) {
      il6_peak_ = y[state::il6];
      il6_peak_day_ = day;
    }
    ModelSample s;
    s.day = day;
    std::copy(y.begin(), y.end(), s.state.begin());
    s.temperature_celsius = model_.temperature_celsius(y.data());
    s.systolic_bp = model_.mean_arterial_pressure(y.data()) * model_.parameters().systolic_to_map_ratio;
    samples_.push_back(s);
  }

  void finish(SimulatedCourse& out, std::span<const double> y) {
    CourseSummary& s = out.summary;
    timeline_.set_outcome(Outcome{EventTime{seconds_at(options_.days * kHoursPerDay), TimeForm::study_day_clock},
                                  VitalStatus::alive, std::nullopt, "", false, std::nullopt});
    const Timeline& timeline = timeline_;
    // The outcome (alive at the end) only ends the record: the grades kept during the course extend to it.
    const CourseGrades& grades = grader_.update(timeline);
    s.max_crs_grade = grades.max_crs_grade();
    for (const auto& day : grades.crs.days) {
      if (day.worst.grade >= 2) s.days_at_grade_2_or_more += 1;
    }
    if (!grades.crs.episodes.empty()) {
      const CrsEpisode& first = grades.crs.episodes.front();
      s.crs_onset_day = static_cast<double>(first.onset) / (kSecondsPerHour * kHoursPerDay);
      if (first.resolution) {
        s.time_to_resolution_days = static_cast<double>(*first.resolution - first.onset) / (kSecondsPerHour * kHoursPerDay);
      }
      const CrsEpisode& last = grades.crs.episodes.back();
      if (last.resolution) s.crs_resolution_day = static_cast<double>(*last.resolution) / (kSecondsPerHour * kHoursPerDay);
    }
    s.steroid_dexamethasone_equivalent_mg =
        cumulative_steroid_exposure(timeline, {0, std::numeric_limits<std::int64_t>::max()}, rules_.dosing).dexamethasone_equivalent_mg;
    s.car_t_peak_per_ul = car_t_peak_;
    s.car_t_peak_day = car_t_peak_day_;
    s.car_t_auc_per_ul_days = y[state::car_t_auc] * model_.parameters().car_t_blood_fraction / model_.kinetics().blood_volume_ul;
    s.il6_peak_pg_per_ml = il6_peak_;
    s.il6_peak_day = il6_peak_day_;
    const double leukaemia_end = std::max(y[state::leukaemia], 1e-300);
    s.leukaemia_log10_reduction = initial_leukaemia_ > 0 ? std::log10(initial_leukaemia_ / leukaemia_end) : 0;
    s.first_tocilizumab_day = first_tocilizumab_day_;
    s.first_steroid_day = first_steroid_day_;
    s.first_ruxolitinib_day = first_ruxolitinib_day_;
    s.doses_given = doses_;
    s.decisions = decisions_;
    out.record = std::move(timeline_).release();
    out.samples = std::move(samples_);
  }

  const VirtualPatient& patient_;
  const ProtocolEngine* engine_;
  const Protocol* protocol_;
  const ProtocolRules& rules_;
  const CourseOptions& options_;
  PatientModel model_;
  std::mt19937_64 rng_;
  Timeline timeline_;  // the record so far, indexed as it grows
  CourseGrader grader_;  // its grades, kept up to date as it grows
  std::vector<Course> courses_;
  std::vector<InfusionEnd> infusion_ends_;
  std::optional<int> last_crs_grade_;
  int vasopressors_ = 0;
  OxygenSupport oxygen_;
  bool oxygen_recorded_ = false;
  int doses_ = 0;
  int decisions_ = 0;
  double initial_leukaemia_ = 0;
  double car_t_peak_ = 0, car_t_peak_day_ = 0, il6_peak_ = 0, il6_peak_day_ = 0;
  std::optional<double> first_tocilizumab_day_, first_steroid_day_, first_ruxolitinib_day_;
  std::vector<ModelSample> samples_;
};

}  // namespace

Overrides virtual_patient_overrides(const Protocol& protocol) {
  Overrides out;
  for (const auto& check : protocol.checks) {
    if (check.severity != Severity::block) continue;
    switch (check.kind) {
      case SafetyCheckKind::haemorrhage:
        out[check.id] = "virtual patient: bleeding is not modelled, so there is none to confirm at the bedside";
        break;
      case SafetyCheckKind::platelets_below:
      case SafetyCheckKind::neutrophils_below:
      case SafetyCheckKind::creatinine_clearance_below:
      case SafetyCheckKind::bilirubin_above:
        out[check.id] = "virtual patient: the model does not simulate this laboratory value";
        break;
      default: break;  // answered by the record itself
    }
  }
  return out;
}

SimulatedCourse simulate_course(const VirtualPatient& patient, const ProtocolEngine* engine, const Protocol* protocol,
                                const ProtocolRules& rules, const CourseOptions& options) {
  CourseSimulation simulation(patient, engine, protocol, rules, options);
  if (options.solver == SolverKind::cvode_bdf) return simulation.run<CvodeIntegrator<PatientModel>>();
  return simulation.run<DormandPrinceIntegrator<PatientModel>>();
}

}  // namespace crsguard

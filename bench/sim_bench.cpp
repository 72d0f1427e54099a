// The patient model's open-loop 28-day course (sim/patient_model.hpp), one typical patient per iteration
// with each solver: the work of one virtual patient in a trial. The course is the treated case of
// tests/oracles/patient_model_desolve.R (tocilizumab 560 mg over 1 h at day 2, methylprednisolone 70 mg
// iv at days 3 and 4, ruxolitinib 10 mg po every 12 h from day 4.5 to day 10), the state read every day,
// at rtol 1e-6 and atol 1e-6 × a state scale (1e8 cells, 1e-2 in the other units). Items processed =
// patients, so items_per_second is patients/s. bench/sim_vs_desolve.sh compares with deSolve's lsoda.
// Parameters: models/patient.json as it is on disk when the benchmark runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "clinical/course_grades.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "sim/closed_loop.hpp"
#include "sim/virtual_twin.hpp"
#include "sim/cvode_integrator.hpp"
#include "sim/dose_schedule.hpp"
#include "sim/dormand_prince.hpp"
#include "sim/ode.hpp"
#include "sim/parameter_file.hpp"
#include "sim/patient_model.hpp"

namespace crsguard {
namespace {

// A virtual patient of the benchmarks: the typical one of models/patient.json, or the adult twin.
VirtualPatient bench_patient(const ParameterFile& file, bool twin) {
  if (twin) return load_twin_case("zi2021-adult", file).patient;
  VirtualPatient patient;
  patient.id = "bench";
  patient.parameters = bind_patient_parameters(file);
  return patient;
}

// One patient's course: the model is built here (individual constants), as each virtual patient needs.
template <template <OdeModel> class Solver>
SolverStatistics run_course(const PatientParameters& parameters, const PatientCovariates& covariates,
                            const DoseSchedule& schedule, std::span<const double> days, const OdeTolerances& tolerances) {
  PatientModel model(parameters, covariates);
  return solve_schedule<Solver<PatientModel>>(model, schedule, days, tolerances, [](double, std::span<const double> y) {
    benchmark::DoNotOptimize(y[state::il6]);
  });
}

template <template <OdeModel> class Solver>
void BM_OpenLoop28DayCourse(benchmark::State& state) {
  const PatientParameters parameters =
      bind_patient_parameters(load_parameter_file(std::string(CRSGUARD_SOURCE_DIR) + "/models/patient.json"));
  const PatientCovariates covariates;  // the typical patient: 70 kg, 2.1e8 CAR-T cells, 50 % blasts
  const DoseSchedule schedule = reference_treated_schedule(parameters);
  std::vector<double> days;
  for (int day = 1; day <= 28; ++day) days.push_back(day);
  const OdeTolerances tolerances = tolerances_by_kind(1e-6, 1e2, 1e-8);
  SolverStatistics statistics;
  for (auto _ : state) statistics = run_course<Solver>(parameters, covariates, schedule, days, tolerances);
  state.SetItemsProcessed(state.iterations());
  // Per patient (every course is the same): what the time is spent on.
  state.counters["steps"] = static_cast<double>(statistics.accepted_steps);
  state.counters["rejected"] = static_cast<double>(statistics.rejected_steps);
  state.counters["rhs_evaluations"] = static_cast<double>(statistics.rhs_evaluations);
  state.SetLabel("patients");
}

BENCHMARK(BM_OpenLoop28DayCourse<DormandPrinceIntegrator>)->Name("OpenLoop28DayCourse/DormandPrince")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OpenLoop28DayCourse<CvodeIntegrator>)->Name("OpenLoop28DayCourse/CVODE")->Unit(benchmark::kMicrosecond);

// The 28-day closed-loop course (issue 7 item 10): vitals every 4 h, each followed by a protocol decision,
// labs daily, at rtol 1e-6. "natural": no engine (the model, the bedside and the final grading only);
// "astct": the typical patient (50 % blasts) under astct-asco-2021; "twin": the adult twin
// (cases/zi2021-adult.json, whose values make CRS refractory) under zi2021-adult, with ruxolitinib twice daily.
void BM_ClosedLoop28DayCourse(benchmark::State& state, const std::string& protocol_name, bool twin) {
  const ParameterFile file = load_parameter_file(std::string(CRSGUARD_SOURCE_DIR) + "/models/patient.json");
  const VirtualPatient patient = bench_patient(file, twin);
  const ProtocolRules rules = ProtocolRules::from(load_rules());
  std::optional<Protocol> protocol;
  std::optional<ProtocolEngine> engine;
  if (!protocol_name.empty()) {
    protocol = load_protocol(protocol_name);
    engine.emplace(*protocol, rules);
  }
  CourseOptions options;
  if (protocol) options.overrides = virtual_patient_overrides(*protocol);
  CourseSummary summary;
  SolverStatistics statistics;
  for (auto _ : state) {
    SimulatedCourse course = simulate_course(patient, engine ? &*engine : nullptr, protocol ? &*protocol : nullptr, rules, options);
    summary = course.summary;
    statistics = course.solver;
    benchmark::DoNotOptimize(course.record.events.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["decisions"] = summary.decisions;
  state.counters["doses"] = summary.doses_given;
  state.counters["rhs_evaluations"] = static_cast<double>(statistics.rhs_evaluations);
  state.SetLabel("patients");
}

BENCHMARK_CAPTURE(BM_ClosedLoop28DayCourse, natural, std::string(), false)->Name("ClosedLoop28DayCourse/natural")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ClosedLoop28DayCourse, astct, std::string("astct-asco-2021"), false)->Name("ClosedLoop28DayCourse/astct")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ClosedLoop28DayCourse, twin, std::string("zi2021-adult"), true)->Name("ClosedLoop28DayCourse/twin")->Unit(benchmark::kMillisecond);

// The engine alone on a recorded closed-loop course: the record written again event by event and the
// protocol asked at every 4-hour round, as the closed loop asks it. "kept": grades kept up to date as the
// record grows (CourseGrader) and advise(known, grades, t); "kept, no words": the same with
// AdviceText::omitted (what simulate_course does); "regraded": the whole
// record graded again at every round (advise(timeline, t)); "grading kept" / "grading regraded": the grades
// alone, without the protocol. Courses: the adult twin under zi2021-adult (46 doses) and the typical patient
// under astct-asco-2021. Items processed = courses of 168 decisions.
enum class EngineWork { kept, kept_no_words, regraded, grading_kept, grading_regraded };

void BM_EngineOnRecordedCourse(benchmark::State& state, bool twin, EngineWork work) {
  const ParameterFile file = load_parameter_file(std::string(CRSGUARD_SOURCE_DIR) + "/models/patient.json");
  const VirtualPatient patient = bench_patient(file, twin);
  const ProtocolRules rules = ProtocolRules::from(load_rules());
  const Protocol protocol = load_protocol(twin ? "zi2021-adult" : "astct-asco-2021");
  const ProtocolEngine engine(protocol, rules);
  CourseOptions options;
  options.overrides = virtual_patient_overrides(protocol);
  const TimelineRecord whole = simulate_course(patient, &engine, &protocol, rules, options).record;
  TimelineRecord start = whole;
  start.events.clear();
  start.outcome.reset();
  constexpr std::int64_t kRound = 4 * 3600;
  std::size_t answers = 0;
  for (auto _ : state) {
    Timeline growing(start);
    growing.reserve(whole.events.size());
    CourseGrader grader(rules.grading);
    std::size_t next = 0;
    for (std::int64_t t = 0; t < 28 * 24 * 3600; t += kRound) {
      // What a decision at t may see: everything before t, and the readings (not the doses) at t.
      while (next < whole.events.size() && (whole.events[next].time.seconds_since_infusion < t ||
                                            (whole.events[next].time.seconds_since_infusion == t &&
                                             whole.events[next].kind() != EventKind::administration))) {
        growing.append(whole.events[next++]);
      }
      switch (work) {
        case EngineWork::kept:
          answers += engine.advise(growing, grader.update(growing), t, options.overrides).recommendations.size();
          break;
        case EngineWork::kept_no_words:
          answers += engine.advise(growing, grader.update(growing), t, options.overrides, AdviceText::omitted).recommendations.size();
          break;
        case EngineWork::regraded: answers += engine.advise(growing, t, options.overrides).recommendations.size(); break;
        case EngineWork::grading_kept: answers += grader.update(growing).crs.moments.size(); break;
        case EngineWork::grading_regraded: answers += grade_course(growing, rules.grading).crs.moments.size(); break;
      }
    }
  }
  benchmark::DoNotOptimize(answers);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("courses");
}
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, twin_kept, true, EngineWork::kept)->Name("EngineOnRecordedCourse/twin/kept")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, twin_kept_no_words, true, EngineWork::kept_no_words)->Name("EngineOnRecordedCourse/twin/kept-no-words")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, twin_regraded, true, EngineWork::regraded)->Name("EngineOnRecordedCourse/twin/regraded")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, twin_grading_kept, true, EngineWork::grading_kept)->Name("EngineOnRecordedCourse/twin/grading-kept")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, twin_grading_regraded, true, EngineWork::grading_regraded)->Name("EngineOnRecordedCourse/twin/grading-regraded")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, astct_kept, false, EngineWork::kept)->Name("EngineOnRecordedCourse/astct/kept")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, astct_kept_no_words, false, EngineWork::kept_no_words)->Name("EngineOnRecordedCourse/astct/kept-no-words")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOnRecordedCourse, astct_regraded, false, EngineWork::regraded)->Name("EngineOnRecordedCourse/astct/regraded")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crsguard

BENCHMARK_MAIN();

#include "server/demo.hpp"

#include <fmt/format.h>

#include "clinical/protocol_engine.hpp"
#include "io/protocol_yaml.hpp"
#include "io/timeline_json.hpp"
#include "server/accounts.hpp"
#include "server/sessions.hpp"
#include "sim/closed_loop.hpp"
#include "sim/parameter_file.hpp"
#include "sim/patient_model.hpp"
#include "sim/virtual_twin.hpp"

namespace crsguard {
namespace {


struct VirtualCourse {
  const char* id;
  double marrow_blasts_percent;
  int days_since_infusion;
};
// Low, middle and high tumour burden: mild, moderate and severe courses on the board.
constexpr VirtualCourse kVirtualCourses[] = {{"virtual-1", 20, 2}, {"virtual-2", 60, 4}, {"virtual-3", 90, 6}};

}  // namespace

DemoAccount seed_demo_store(Store& store, const RuleSet& rules, LocalSeconds today) {
  std::vector<Timeline> timelines;
  for (const auto& files : {shipped_example_timelines(), shipped_paediatric_timelines()}) {
    for (const EmbeddedFile& file : files) {
      for (Timeline& t : read_timelines_json(file.text, std::string(file.name))) timelines.push_back(std::move(t));
    }
  }
  const Protocol protocol = load_protocol("astct-asco-2021");
  const ProtocolRules protocol_rules = ProtocolRules::from(rules);
  const ProtocolEngine engine(protocol, protocol_rules);
  const ParameterFile model = load_parameter_file("models/patient.json");
  for (const VirtualCourse& course : kVirtualCourses) {
    VirtualPatient patient;
    patient.id = course.id;
    patient.parameters = bind_patient_parameters(model);
    patient.covariates.marrow_blasts_percent = course.marrow_blasts_percent;
    patient.covariates.car_t_dose_cells = 3e6 * patient.covariates.weight_kg;
    CourseOptions options;
    options.days = course.days_since_infusion;
    options.overrides = virtual_patient_overrides(protocol);
    TimelineRecord record = simulate_course(patient, &engine, &protocol, protocol_rules, options).record;
    record.outcome.reset();  // still in the course: no outcome yet
    // Infused at its study clock on the date `days_since_infusion` before today.
    record.infusion.time.form = TimeForm::calendar;
    record.infusion.time.calendar =
        today - course.days_since_infusion * kSecondsPerDay + record.infusion.time.clock_offset();
    timelines.emplace_back(std::move(record));
  }
  store.import_timelines(timelines, "crsguard serve --demo", "demo: examples/ and virtual patients");
  DemoAccount account{"demo", random_hex(8)};
  create_account(store, account.username, "admin", account.password, "crsguard serve --demo");
  return account;
}

}  // namespace crsguard

#include "sim/dose_schedule.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace crsguard {

void DoseSchedule::add(const PatientParameters& p, std::string_view drug, Route route, double day, double mg,
                       double infusion_days) {
  if (drug == "tocilizumab") {
    if (!(infusion_days > 0)) throw std::invalid_argument("a tocilizumab infusion needs a duration above 0 days");
    infusions.push_back({day, day + infusion_days, mg / infusion_days});
  } else if (drug == "ruxolitinib" && route == Route::po) {
    boluses.push_back({day, state::rux_gut, mg * p.rux_bioavailability});
  } else if (drug == "methylprednisolone" && route == Route::iv) {
    boluses.push_back({day, state::mp_central, mg});
  } else if (drug == "dexamethasone" && route == Route::po) {
    boluses.push_back({day, state::dex_gut, mg * p.dex_oral_bioavailability});
  } else if (drug == "dexamethasone" && route == Route::iv) {
    boluses.push_back({day, state::dex_central, mg});
  } else {
    throw std::invalid_argument(fmt::format("the patient model has no input for {} {}", drug, to_name(route)));
  }
}

double DoseSchedule::infusion_rate_at(double day) const {
  double rate = 0;
  for (const ScheduledInfusion& i : infusions) {
    if (i.start_day <= day && day < i.end_day) rate += i.rate_mg_per_day;
  }
  return rate;
}

DoseSchedule reference_treated_schedule(const PatientParameters& p) {
  DoseSchedule schedule;
  schedule.add(p, "tocilizumab", Route::iv, 2, 560, 1.0 / 24);
  for (const double day : {3.0, 4.0}) schedule.add(p, "methylprednisolone", Route::iv, day, 70);
  for (double day = 4.5; day <= 10; day += 0.5) schedule.add(p, "ruxolitinib", Route::po, day, 10);
  return schedule;
}

}  // namespace crsguard

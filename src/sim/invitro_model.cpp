#include "sim/invitro_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/problem.hpp"
#include "sim/cvode_integrator.hpp"
#include "sim/dormand_prince.hpp"

namespace crsguard {
namespace {

constexpr double kNanomolPerMicromol = 1000;
constexpr double kRelativeTolerance = 1e-8;

constexpr InVitroParameterSlot kSlots[] = {
#define CRSGUARD_SLOT(name, unit) {#name, unit, &InVitroParameters::name},
    CRSGUARD_INVITRO_PARAMETERS(CRSGUARD_SLOT)
#undef CRSGUARD_SLOT
};

constexpr std::string_view kStateNames[] = {
    "car_t", "nalm6", "activated_monocytes", "ifn_gamma", "granzyme_b", "il6", "il10", "tnf_alpha",
};
constexpr std::string_view kStateUnits[] = {
    "cells", "cells", "cells", "pg/mL", "pg/mL", "pg/mL", "pg/mL", "pg/mL",
};
static_assert(std::size(kStateNames) == kInVitroStates && std::size(kStateUnits) == kInVitroStates);

// Imax/IC50 with Hill coefficient 1 (§2.2).
double imax_effect(double imax, double concentration, double ic50) {
  return concentration <= 0 ? 0 : imax * concentration / (ic50 + concentration);
}
double saturation(double x, double half) { return x <= 0 ? 0 : x / (half + x); }

InVitroInhibition inhibition_of(const InVitroParameters& p, const InVitroCondition& condition) {
  if (condition.drug != "none" && condition.drug != "ruxolitinib" && condition.drug != "dexamethasone") {
    throw std::invalid_argument(fmt::format(
        "in-vitro condition: drug \"{}\" is unknown; expected one of: none, ruxolitinib, dexamethasone", condition.drug));
  }
  const double concentration = condition.concentration_umol_per_l;
  if (!std::isfinite(concentration) || concentration < 0) {
    throw std::invalid_argument(fmt::format(
        "in-vitro condition: concentration_umol_per_l must be a finite number ≥ 0, found {}", concentration));
  }
  if (condition.drug == "none" && concentration != 0) {
    throw std::invalid_argument(fmt::format(
        "in-vitro condition: concentration_umol_per_l is {} for drug \"none\"; a control well has none", concentration));
  }
  InVitroInhibition out;
  if (condition.drug == "ruxolitinib") {
    // Potencies are on the unbound concentration in medium, not the nominal one (model.md §2.5.1 caveat).
    const double unbound = concentration * kNanomolPerMicromol * p.rux_medium_unbound_fraction;
    out.proliferation = imax_effect(p.rux_imax_proliferation, unbound, p.rux_ic50_proliferation);
    out.ifn_release = imax_effect(p.rux_imax_ifn_release, unbound, p.rux_ic50_ifn_release);
    out.killing = imax_effect(p.rux_imax_killing, unbound, p.rux_ic50_killing);
    out.monocyte_activation = imax_effect(p.rux_imax_monocyte_activation, unbound, p.rux_ic50_monocyte_activation);
    out.myeloid_production = imax_effect(p.rux_imax_myeloid_production, unbound, p.rux_ic50_myeloid_production);
  } else if (condition.drug == "dexamethasone") {
    const double unbound = concentration * kNanomolPerMicromol * p.dex_medium_unbound_fraction;
    const double occupancy = saturation(unbound, p.dex_ic50);
    out.proliferation = p.dex_imax_proliferation * occupancy;
    out.ifn_release = p.dex_imax_ifn_release * occupancy;
    out.monocyte_activation = p.dex_imax_monocyte_activation * occupancy;
    out.myeloid_production = p.dex_imax_myeloid_production * occupancy;
  }
  return out;
}

InVitroResult result_of(const InVitroParameters& p, const InVitroCondition& condition, double hours,
                        std::span<const double> y) {
  InVitroResult out;
  out.condition = condition;
  out.hours = hours;
  out.car_t_fold_expansion = y[invitro_state::car_t] / p.car_t_seeded;
  out.nalm6_remaining_fraction = y[invitro_state::nalm6] / p.nalm6_seeded;
  out.ifn_gamma = y[invitro_state::ifn_gamma];
  out.granzyme_b = y[invitro_state::granzyme_b];
  out.il6 = y[invitro_state::il6];
  out.il10 = y[invitro_state::il10];
  out.tnf_alpha = y[invitro_state::tnf_alpha];
  return out;
}

template <class Integrator>
InVitroResult run(const InVitroModel& model, const InVitroCondition& condition, double hours) {
  const auto y0 = model.initial_state();
  const auto atol = model.absolute_tolerances();
  OdeTolerances tolerances{kRelativeTolerance, {atol.begin(), atol.end()}};
  Integrator integrator(model, 0.0, y0, std::move(tolerances));
  integrator.advance_to(hours);
  return result_of(model.parameters(), condition, hours, integrator.state());
}

}  // namespace

std::span<const InVitroParameterSlot> invitro_parameter_slots() { return kSlots; }
std::string_view invitro_state_name(std::size_t index) { return kStateNames[index]; }
std::string_view invitro_state_unit(std::size_t index) { return kStateUnits[index]; }

InVitroParameters bind_invitro_parameters(const ParameterFile& file) {
  ProblemLog log(file.file);
  const auto out =
      bind_slots<InVitroParameters>(file, "invitro", "the in-vitro model", std::span<const InVitroParameterSlot>(kSlots), log);
  // Divisors and fractions: a zero here is no culture at all, a fraction above 1 no fraction.
  for (const auto* name : {"car_t_seeded", "nalm6_seeded", "medium_volume", "car_t_stimulation_half_saturation",
                           "kill_half_saturation", "monocyte_contact_half_saturation", "monocyte_ifn_ec50",
                           "rux_ic50_proliferation", "rux_ic50_ifn_release", "rux_ic50_killing",
                           "rux_ic50_monocyte_activation", "rux_ic50_myeloid_production", "dex_ic50"}) {
    const SimParameter* p = file.find(name);
    if (p != nullptr && p->value == 0) {
      log.add_at_pointer(fmt::format("/parameters/{}/value", name), fmt::format("\"{}\" must be > 0", name));
    }
  }
  for (const auto* name : {"rux_medium_unbound_fraction", "dex_medium_unbound_fraction", "rux_imax_proliferation",
                           "rux_imax_ifn_release", "rux_imax_killing", "rux_imax_monocyte_activation",
                           "rux_imax_myeloid_production", "dex_imax_proliferation", "dex_imax_ifn_release",
                           "dex_imax_monocyte_activation", "dex_imax_myeloid_production"}) {
    const SimParameter* p = file.find(name);
    if (p != nullptr && p->value > 1) {
      log.add_at_pointer(fmt::format("/parameters/{}/value", name), fmt::format("\"{}\" is a fraction, at most 1", name));
    }
  }
  log.throw_if_any();
  return out;
}

InVitroModel::InVitroModel(const InVitroParameters& parameters, const InVitroCondition& condition)
    : p_(parameters), inhibition_(inhibition_of(parameters, condition)) {}

void InVitroModel::rhs(double /*t*/, const double* y, double* dydt) const {
  const double car_t = std::max(y[invitro_state::car_t], 0.0);
  const double nalm6 = std::max(y[invitro_state::nalm6], 0.0);
  const double activated = std::clamp(y[invitro_state::activated_monocytes], 0.0, p_.monocytes_seeded);
  const double resting = p_.monocytes_seeded - activated;
  const double ifn = y[invitro_state::ifn_gamma];
  const InVitroInhibition& drug = inhibition_;

  // Antigen-driven: stimulation saturates in Nalm6 cells; killing saturates in both (Singh 2020 structure).
  const double stimulation = nalm6 / (p_.car_t_stimulation_half_saturation + nalm6);
  const double killing = p_.kill_rate_max * (1 - drug.killing) * car_t * nalm6 /
                         (p_.kill_half_saturation + nalm6 + car_t);
  const double engaged = car_t * stimulation;  // cells that secrete, per well

  dydt[invitro_state::car_t] =
      p_.car_t_proliferation_max * (1 - drug.proliferation) * engaged - p_.car_t_death * y[invitro_state::car_t];
  dydt[invitro_state::nalm6] = p_.nalm6_growth * y[invitro_state::nalm6] - killing;

  const double contact = saturation(car_t * nalm6, p_.monocyte_contact_half_saturation);
  const double activation_drive = contact + saturation(ifn, p_.monocyte_ifn_ec50);
  dydt[invitro_state::activated_monocytes] =
      p_.monocyte_activation_rate * activation_drive * (1 - drug.monocyte_activation) * resting -
      p_.monocyte_deactivation * y[invitro_state::activated_monocytes];

  // Secretion per cell into the well's medium: per cell and hour, divided by the volume, gives pg/mL/h.
  const double per_ml = 1 / p_.medium_volume;
  dydt[invitro_state::ifn_gamma] = p_.ifn_gamma_secretion * engaged * (1 - drug.ifn_release) * per_ml -
                                   p_.ifn_gamma_degradation * ifn;
  dydt[invitro_state::granzyme_b] = p_.granzyme_b_secretion * engaged * (1 - drug.killing) * per_ml -
                                    p_.granzyme_b_degradation * y[invitro_state::granzyme_b];
  const double myeloid = activated * (1 - drug.myeloid_production) * per_ml;
  dydt[invitro_state::il6] = p_.il6_secretion * myeloid - p_.il6_degradation * y[invitro_state::il6];
  dydt[invitro_state::il10] = p_.il10_monocyte_secretion * activated * per_ml +
                              p_.il10_car_t_secretion * engaged * per_ml -
                              p_.il10_degradation * y[invitro_state::il10];
  dydt[invitro_state::tnf_alpha] = p_.tnf_secretion * myeloid - p_.tnf_degradation * y[invitro_state::tnf_alpha];
}

std::array<double, kInVitroStates> InVitroModel::initial_state() const {
  std::array<double, kInVitroStates> y{};
  y[invitro_state::car_t] = p_.car_t_seeded;
  y[invitro_state::nalm6] = p_.nalm6_seeded;
  return y;
}

std::array<double, kInVitroStates> InVitroModel::absolute_tolerances() const {
  // Below what rtol 1e-8 asks of the seeded counts (10^4–10^5 cells per well) and far below any assay's
  // limit (ELISA ≈ 1 pg/mL), so that the relative tolerance governs once a state has left 0.
  std::array<double, kInVitroStates> atol{};
  const double cells = 1e-9 * std::max({p_.car_t_seeded, p_.nalm6_seeded, p_.monocytes_seeded, 1.0});
  atol[invitro_state::car_t] = cells;
  atol[invitro_state::nalm6] = cells;
  atol[invitro_state::activated_monocytes] = cells;
  for (const std::size_t cytokine : {invitro_state::ifn_gamma, invitro_state::granzyme_b, invitro_state::il6,
                                     invitro_state::il10, invitro_state::tnf_alpha}) {
    atol[cytokine] = 1e-6;
  }
  return atol;
}

InVitroResult simulate_invitro(const InVitroParameters& parameters, const InVitroCondition& condition, double hours,
                               SolverKind solver) {
  if (!std::isfinite(hours) || hours <= 0) {
    throw std::invalid_argument(fmt::format("in-vitro simulation: hours must be a finite number > 0, found {}", hours));
  }
  const InVitroModel model(parameters, condition);
  if (solver == SolverKind::cvode_bdf) return run<CvodeIntegrator<InVitroModel>>(model, condition, hours);
  return run<DormandPrinceIntegrator<InVitroModel>>(model, condition, hours);
}

}  // namespace crsguard

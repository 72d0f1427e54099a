#include "sim/patient_model.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/problem.hpp"

namespace crsguard {
namespace {

constexpr double kHoursPerDay = 24;
// mg/L of ruxolitinib → nmol/L: × 10^6 / molar mass (g/mol).
constexpr double kMgPerLToNgPerMl = 1000;

constexpr PatientParameterSlot kSlots[] = {
#define CRSGUARD_SLOT(name, unit) {#name, unit, &PatientParameters::name},
    CRSGUARD_PATIENT_PARAMETERS(CRSGUARD_SLOT)
#undef CRSGUARD_SLOT
};

constexpr std::string_view kStateNames[] = {
    "car_t_effector", "car_t_memory", "leukaemia", "normal_b_cells", "macrophage_activation",
    "ifn_gamma", "il6", "il10", "tnf_alpha", "crp", "ferritin", "pyrogen", "vascular_leak",
    "rux_gut", "rux_central", "tcz_central", "tcz_peripheral", "dex_gut", "dex_central", "mp_central", "gc_effect",
    "car_t_auc", "rux_eliminated", "tcz_eliminated", "dex_eliminated", "mp_eliminated",
};
constexpr std::string_view kStateUnits[] = {
    "cells", "cells", "cells", "cells", "1", "pg/mL", "pg/mL", "pg/mL", "pg/mL", "mg/L", "ng/mL", "1", "1",
    "mg", "mg", "mg", "mg", "mg", "mg", "mg", "ng/mL", "cells.d", "mg", "mg", "mg", "mg",
};
static_assert(std::size(kStateNames) == kPatientStates && std::size(kStateUnits) == kPatientStates);

// Emax/Imax on a concentration with Hill coefficient 1 (§2.2).
inline double inhibition(double imax, double concentration, double ic50) {
  return concentration <= 0 ? 0 : imax * concentration / (ic50 + concentration);
}
inline double saturation(double x, double ec50) { return x <= 0 ? 0 : x / (ec50 + x); }
// x^n, by multiplication when n is a small whole number (as every shipped Hill coefficient is): the
// right-hand side runs thousands of times a course, and std::pow costs more than the rest of a term.
inline double power(double x, double n) {
  if (n == 1) return x;
  if (n == 2) return x * x;
  if (n == 3) return x * x * x;
  if (n == 4) {
    const double square = x * x;
    return square * square;
  }
  return std::pow(x, n);
}
inline double hill(double x, double ec50, double n) {
  if (x <= 0) return 0;
  const double r = power(x / ec50, n);
  return r / (1 + r);
}

}  // namespace

std::span<const PatientParameterSlot> patient_parameter_slots() { return kSlots; }
std::string_view patient_state_name(std::size_t index) { return kStateNames[index]; }
std::string_view patient_state_unit(std::size_t index) { return kStateUnits[index]; }

bool counts_cells(std::size_t index) {
  return index == state::car_t_effector || index == state::car_t_memory || index == state::leukaemia ||
         index == state::normal_b_cells || index == state::car_t_auc;
}

OdeTolerances tolerances_by_kind(double relative, double cells_absolute, double other_absolute) {
  OdeTolerances out;
  out.relative = relative;
  for (std::size_t i = 0; i < kPatientStates; ++i) out.absolute.push_back(counts_cells(i) ? cells_absolute : other_absolute);
  return out;
}

PatientParameters bind_patient_parameters(const ParameterFile& file) {
  ProblemLog log(file.file);
  const auto out = bind_slots<PatientParameters>(file, "patient", "the patient model", std::span<const PatientParameterSlot>(kSlots), log);
  // What the model divides by: zero here is no patient at all (a volume, a half-effect, a reference size).
  for (const char* name :
       {"antigen_half_saturation", "car_t_capacity", "blood_volume_per_kg", "leukaemia_cells_full_marrow", "kill_half_saturation",
        "macrophage_ifn_ec50", "macrophage_kill_ec50", "il6_signal_ec50", "ferritin_ifn_ec50", "pyrogen_tnf_ec50",
        "pyrogen_ifn_ec50", "fever_half_effect", "fever_hill", "leak_rate", "leak_tnf_ec50", "leak_ifn_ec50",
        "map_leak_half_effect", "rux_volume", "rux_unbound_fraction", "rux_molar_mass", "rux_ic50_signalling",
        "rux_ic50_macrophage_activation", "rux_ic50_ifn_release", "rux_ic50_proliferation", "rux_ic50_killing",
        "rux_ic50_myeloid_production", "tcz_central_volume", "tcz_peripheral_volume", "tcz_km", "tcz_receptor_half_occupancy",
        "tcz_reference_bsa", "dex_volume", "mp_volume_per_kg", "gc_ec50", "reference_weight", "ifn_gamma_elimination",
        "il10_elimination", "tnf_elimination", "crp_elimination", "ferritin_elimination"}) {
    const SimParameter* p = file.find(name);
    if (p != nullptr && p->value == 0) {
      log.add_at_pointer(fmt::format("/parameters/{}/value", name), fmt::format("\"{}\" must be > 0", name));
    }
  }
  log.throw_if_any();
  return out;
}

PatientModel::PatientModel(const PatientParameters& parameters, const PatientCovariates& covariates)
    : p_(parameters), covariates_(covariates) {
  const double size_ratio = covariates.weight_kg / p_.reference_weight;
  const double clearance_scale = std::pow(size_ratio, p_.clearance_weight_exponent);
  const double rux_cl = p_.rux_clearance * clearance_scale;        // L/h
  const double rux_v = p_.rux_volume * size_ratio;                  // L
  const double dex_cl = p_.dex_clearance * clearance_scale;
  const double dex_v = p_.dex_volume * size_ratio;
  const double mp_cl = p_.mp_clearance_per_kg * covariates.weight_kg;
  const double mp_v = p_.mp_volume_per_kg * covariates.weight_kg;
  // Frey 2010 scales the linear clearance by (BSA/1.8)^0.7 and sex; volumes scaled by BSA [A].
  const double bsa_ratio = covariates.bsa_m2 / p_.tcz_reference_bsa;
  const double tcz_scale = std::pow(bsa_ratio, p_.tcz_bsa_exponent);
  k_.rux_ka = p_.rux_absorption_rate * kHoursPerDay;
  k_.rux_k = rux_cl / rux_v * kHoursPerDay;
  k_.tcz_cl = p_.tcz_clearance * tcz_scale * (covariates.female ? p_.tcz_female_clearance_factor : 1.0);
  k_.tcz_v1 = p_.tcz_central_volume * bsa_ratio;
  k_.tcz_q = p_.tcz_intercompartmental_clearance * tcz_scale;
  k_.tcz_v2 = p_.tcz_peripheral_volume * bsa_ratio;
  k_.dex_ka = p_.dex_absorption_rate * kHoursPerDay;
  k_.dex_k = dex_cl / dex_v * kHoursPerDay;
  k_.dex_v = dex_v;
  k_.mp_k = mp_cl / mp_v * kHoursPerDay;
  k_.mp_v = mp_v;
  k_.gc_ke0 = p_.gc_effect_equilibration * kHoursPerDay;
  rux_volume_ = rux_v;
  // Zero-order inputs that hold each marker at its baseline before infusion (§2.3 "+ baseline").
  const double il6_clearance = p_.il6_linear_clearance + p_.il6_receptor_clearance;
  k_.il6_input = il6_clearance * p_.il6_baseline;
  k_.ifn_input = p_.ifn_gamma_elimination * p_.ifn_gamma_baseline;
  k_.il10_input = p_.il10_elimination * p_.il10_baseline;
  k_.tnf_input = p_.tnf_elimination * p_.tnf_baseline;
  const double signal0 = signal_of(p_.il6_baseline, 0, 0);
  k_.crp_input = p_.crp_elimination * p_.crp_baseline / (1 + p_.crp_il6_gain * signal0);
  const double ferritin_drive0 = p_.ferritin_ifn_gain * saturation(p_.ifn_gamma_baseline, p_.ferritin_ifn_ec50);
  k_.ferritin_input = p_.ferritin_elimination * p_.ferritin_baseline / (1 + ferritin_drive0);
  k_.blood_volume_ul = p_.blood_volume_per_kg * covariates.weight_kg * 1000;
  const auto y0 = initial_state();
  k_.pyrogen_baseline = y0[state::pyrogen];
  k_.leak_baseline = y0[state::vascular_leak];
}

double PatientModel::signal_of(double il6, double occupancy, double rux_inhibition) const {
  return saturation(il6, p_.il6_signal_ec50) * (1 - occupancy) * (1 - rux_inhibition);
}

DrugExposure PatientModel::exposure(const double* y) const {
  DrugExposure e;
  const double rux_mg_per_l = std::max(y[state::rux_central], 0.0) / rux_volume_;
  e.rux_total_nmol_per_l = rux_mg_per_l * 1e6 / p_.rux_molar_mass;
  e.tcz_ug_per_ml = std::max(y[state::tcz_central], 0.0) / k_.tcz_v1;  // mg/L = µg/mL
  e.tcz_receptor_occupancy = saturation(e.tcz_ug_per_ml, p_.tcz_receptor_half_occupancy);
  e.gc_dex_equivalent_ng_per_ml = std::max(y[state::gc_effect], 0.0);
  return e;
}

void PatientModel::rhs(double /*t*/, const double* y, double* dydt) const {
  const double ce = y[state::car_t_effector];
  const double cm = y[state::car_t_memory];
  const double leukaemia = y[state::leukaemia];
  const double b_cells = y[state::normal_b_cells];
  const double activation = y[state::macrophage_activation];
  const double ifn = y[state::ifn_gamma];
  const double il6 = y[state::il6];
  const double tnf = y[state::tnf_alpha];

  // Ruxolitinib on the unbound scale: potencies are quoted on total plasma, so IC50u = fu · IC50 (§2.2).
  const double fu = p_.rux_unbound_fraction;
  const double rux_unbound = fu * std::max(y[state::rux_central], 0.0) / rux_volume_ * 1e6 / p_.rux_molar_mass;
  const auto rux = [&](double imax, double ic50) { return inhibition(imax, rux_unbound, fu * ic50); };
  const double rux_signalling = rux(p_.rux_imax_signalling, p_.rux_ic50_signalling);
  const double rux_activation = rux(p_.rux_imax_macrophage_activation, p_.rux_ic50_macrophage_activation);
  const double rux_ifn = rux(p_.rux_imax_ifn_release, p_.rux_ic50_ifn_release);
  const double rux_prolif = rux(p_.rux_imax_proliferation, p_.rux_ic50_proliferation);
  const double rux_kill = rux(p_.rux_imax_killing, p_.rux_ic50_killing);
  const double rux_myeloid = rux(p_.rux_imax_myeloid_production, p_.rux_ic50_myeloid_production);

  const double tcz_conc = std::max(y[state::tcz_central], 0.0) / k_.tcz_v1;
  const double occupancy = saturation(tcz_conc, p_.tcz_receptor_half_occupancy);

  const double gc = saturation(y[state::gc_effect], p_.gc_ec50);
  const double gc_myeloid = p_.gc_imax_myeloid_production * gc;
  const double gc_activation = p_.gc_imax_macrophage_activation * gc;
  const double gc_ifn = p_.gc_imax_ifn_release * gc;
  const double gc_prolif = p_.gc_imax_proliferation * gc;

  // Bliss independence for a process inhibited by two drugs (§2.2).
  const double prolif_left = (1 - rux_prolif) * (1 - gc_prolif);
  const double myeloid_left = (1 - rux_myeloid) * (1 - gc_myeloid);

  const double antigen = std::max(leukaemia + b_cells, 0.0);
  const double stimulation = antigen / (p_.antigen_half_saturation + antigen);
  const double kill_per_target = p_.kill_rate_max * (1 - rux_kill) * saturation(ce, p_.kill_half_saturation);
  const double killing = kill_per_target * antigen;

  // Homeostatic space bounds the expansion (Kimmel 2021's carrying capacity, in a saturating form), so that
  // a patient whose antigen persists does not grow CAR-T cells without limit.
  const double crowding = p_.car_t_capacity / (p_.car_t_capacity + std::max(ce, 0.0) + std::max(cm, 0.0));
  dydt[state::car_t_effector] = p_.car_t_proliferation_max * stimulation * prolif_left * crowding * ce -
                                (p_.car_t_effector_loss + p_.car_t_effector_to_memory) * ce -
                                p_.car_t_exhaustion * stimulation * ce +
                                p_.car_t_memory_reactivation * stimulation * cm;
  dydt[state::car_t_memory] = p_.car_t_effector_to_memory * ce - p_.car_t_memory_reactivation * stimulation * cm -
                              p_.car_t_memory_loss * cm;
  dydt[state::leukaemia] = p_.leukaemia_growth * leukaemia - kill_per_target * leukaemia;
  dydt[state::normal_b_cells] = p_.normal_b_cells_initial * p_.normal_b_cell_turnover -
                                p_.normal_b_cell_turnover * b_cells - kill_per_target * b_cells;

  const double activation_drive =
      p_.macrophage_ifn_weight * saturation(ifn - p_.ifn_gamma_baseline, p_.macrophage_ifn_ec50) * (1 - rux_activation) +
      p_.macrophage_kill_weight * hill(killing, p_.macrophage_kill_ec50, p_.macrophage_kill_hill);
  dydt[state::macrophage_activation] =
      p_.macrophage_activation_rate * activation_drive * (1 - activation) * (1 - gc_activation) -
      p_.macrophage_deactivation * activation;

  const double signal = signal_of(il6, occupancy, rux_signalling);
  dydt[state::ifn_gamma] = p_.ifn_gamma_production * ce * stimulation * (1 - rux_ifn) * (1 - gc_ifn) -
                           p_.ifn_gamma_elimination * ifn + k_.ifn_input;
  // Receptor-mediated clearance falls as tocilizumab occupies the receptor: serum IL-6 rises (Nishimoto 2008).
  dydt[state::il6] = p_.il6_production * activation * (1 + p_.il6_feedback * signal) * myeloid_left -
                     (p_.il6_linear_clearance + p_.il6_receptor_clearance * (1 - occupancy)) * il6 + k_.il6_input;
  dydt[state::il10] = p_.il10_myeloid_production * activation + p_.il10_t_cell_production * ce * stimulation -
                      p_.il10_elimination * y[state::il10] + k_.il10_input;
  dydt[state::tnf_alpha] = p_.tnf_production * activation * myeloid_left - p_.tnf_elimination * tnf + k_.tnf_input;

  dydt[state::crp] = k_.crp_input * (1 + p_.crp_il6_gain * signal) - p_.crp_elimination * y[state::crp];
  dydt[state::ferritin] =
      k_.ferritin_input * (1 + p_.ferritin_activation_gain * activation +
                           p_.ferritin_ifn_gain * saturation(ifn, p_.ferritin_ifn_ec50)) -
      p_.ferritin_elimination * y[state::ferritin];

  const double pyrogen_drive = p_.pyrogen_il6_weight * signal + p_.pyrogen_tnf_weight * saturation(tnf, p_.pyrogen_tnf_ec50) +
                               p_.pyrogen_ifn_weight * saturation(ifn, p_.pyrogen_ifn_ec50);
  dydt[state::pyrogen] = p_.pyrogen_equilibration * (pyrogen_drive - y[state::pyrogen]);
  const double leak_drive = p_.leak_il6_weight * signal + p_.leak_tnf_weight * saturation(tnf, p_.leak_tnf_ec50) +
                            p_.leak_ifn_weight * saturation(ifn, p_.leak_ifn_ec50);
  dydt[state::vascular_leak] = p_.leak_rate * (1 + p_.leak_gain * leak_drive) - p_.leak_rate * y[state::vascular_leak];

  // Drug PK; the eliminated amounts are integrated so that the mass balance can be checked.
  const double rux_absorbed = k_.rux_ka * y[state::rux_gut];
  const double rux_cleared = k_.rux_k * y[state::rux_central];
  dydt[state::rux_gut] = -rux_absorbed;
  dydt[state::rux_central] = rux_absorbed - rux_cleared;
  dydt[state::rux_eliminated] = rux_cleared;

  const double tcz_linear = k_.tcz_cl * tcz_conc;
  const double tcz_saturable = p_.tcz_vmax * tcz_conc / (p_.tcz_km + tcz_conc);
  const double tcz_distribution = k_.tcz_q * (tcz_conc - std::max(y[state::tcz_peripheral], 0.0) / k_.tcz_v2);
  dydt[state::tcz_central] = inputs.tocilizumab - tcz_linear - tcz_saturable - tcz_distribution;
  dydt[state::tcz_peripheral] = tcz_distribution;
  dydt[state::tcz_eliminated] = tcz_linear + tcz_saturable;

  const double dex_absorbed = k_.dex_ka * y[state::dex_gut];
  const double dex_cleared = k_.dex_k * y[state::dex_central];
  const double mp_cleared = k_.mp_k * y[state::mp_central];
  dydt[state::dex_gut] = -dex_absorbed;
  dydt[state::dex_central] = inputs.dexamethasone + dex_absorbed - dex_cleared;
  dydt[state::dex_eliminated] = dex_cleared;
  dydt[state::mp_central] = inputs.methylprednisolone - mp_cleared;
  dydt[state::mp_eliminated] = mp_cleared;
  // Genomic effects lag plasma: an effect compartment in dexamethasone-equivalent ng/mL (§2.5.3).
  const double dex_equivalent = (y[state::dex_central] / k_.dex_v + p_.mp_dex_equivalence * y[state::mp_central] / k_.mp_v) *
                                kMgPerLToNgPerMl;
  dydt[state::gc_effect] = k_.gc_ke0 * (dex_equivalent - y[state::gc_effect]);

  dydt[state::car_t_auc] = ce + cm;
}

std::array<double, kPatientStates> PatientModel::initial_state() const {
  std::array<double, kPatientStates> y{};
  y[state::car_t_effector] = covariates_.car_t_dose_cells;
  y[state::leukaemia] = covariates_.marrow_blasts_percent / 100 * p_.leukaemia_cells_full_marrow;
  y[state::normal_b_cells] = p_.normal_b_cells_initial;
  y[state::ifn_gamma] = p_.ifn_gamma_baseline;
  y[state::il6] = p_.il6_baseline;
  y[state::il10] = p_.il10_baseline;
  y[state::tnf_alpha] = p_.tnf_baseline;
  y[state::crp] = p_.crp_baseline;
  y[state::ferritin] = p_.ferritin_baseline;
  const double signal = signal_of(p_.il6_baseline, 0, 0);
  y[state::pyrogen] = p_.pyrogen_il6_weight * signal + p_.pyrogen_tnf_weight * saturation(p_.tnf_baseline, p_.pyrogen_tnf_ec50) +
                      p_.pyrogen_ifn_weight * saturation(p_.ifn_gamma_baseline, p_.pyrogen_ifn_ec50);
  y[state::vascular_leak] =
      1 + p_.leak_gain * (p_.leak_il6_weight * signal + p_.leak_tnf_weight * saturation(p_.tnf_baseline, p_.leak_tnf_ec50) +
                          p_.leak_ifn_weight * saturation(p_.ifn_gamma_baseline, p_.leak_ifn_ec50));
  return y;
}

double PatientModel::il6_signal(const double* y) const {
  const DrugExposure e = exposure(y);
  const double fu = p_.rux_unbound_fraction;
  const double rux = inhibition(p_.rux_imax_signalling, fu * e.rux_total_nmol_per_l, fu * p_.rux_ic50_signalling);
  return signal_of(y[state::il6], e.tcz_receptor_occupancy, rux);
}

double PatientModel::temperature_celsius(const double* y) const {
  // Measured from the untreated steady state, so that baseline cytokines leave a normal temperature.
  const double p = std::max(y[state::pyrogen] - k_.pyrogen_baseline, 0.0);
  const double n = p_.fever_hill;
  const double rise = power(p, n);
  const double effect = rise / (power(p_.fever_half_effect, n) + rise);
  return p_.temperature_baseline + p_.fever_max_rise * effect;
}

double PatientModel::leak_excess(const double* y) const {
  return std::max(y[state::vascular_leak] - k_.leak_baseline, 0.0);
}

double PatientModel::mean_arterial_pressure(const double* y) const {
  const double excess = leak_excess(y);
  return p_.map_baseline - p_.map_max_fall * excess / (p_.map_leak_half_effect + excess);
}

double PatientModel::car_t_per_ul(const double* y) const {
  const double cells = std::max(y[state::car_t_effector], 0.0) + std::max(y[state::car_t_memory], 0.0);
  return cells * p_.car_t_blood_fraction / k_.blood_volume_ul;
}

}  // namespace crsguard

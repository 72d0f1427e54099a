#pragma once
// The patient-mode model of ../shared/spec/model.md §2: CAR-T effector and memory cells expand on CD19
// antigen (leukaemia and normal B cells) and kill it; the killing and IFN-γ activate macrophages, which
// release IL-6, IL-10 and TNF-α; IL-6 signalling drives CRP, fever and vascular leak. Ruxolitinib,
// tocilizumab and corticosteroids act through their own PK on unbound concentrations at named process
// sites (§2.2). Time is in days; drug amounts in mg; every parameter comes from a parameter file
// (models/patient.json), none is a constant here.
#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "sim/ode.hpp"
#include "sim/parameter_file.hpp"

namespace crsguard {

// name, unit (as the parameter file must give it). Order is the struct's, not the file's.
#define CRSGUARD_PATIENT_PARAMETERS(X)                                                                  \
  /* CAR-T cellular kinetics (§2.3, Stein 2019) */                                                      \
  X(car_t_proliferation_max, "1/d") X(car_t_effector_loss, "1/d") X(car_t_effector_to_memory, "1/d")     \
  X(car_t_memory_loss, "1/d") X(car_t_memory_reactivation, "1/d") X(car_t_exhaustion, "1/d")              \
  X(antigen_half_saturation, "cells") X(car_t_capacity, "cells") X(car_t_blood_fraction, "1") X(blood_volume_per_kg, "mL/kg")                                       \
  /* leukaemia and normal B cells (Kimmel 2021 killing) */                                               \
  X(leukaemia_growth, "1/d") X(leukaemia_cells_full_marrow, "cells") X(kill_rate_max, "1/d")             \
  X(kill_half_saturation, "cells") X(normal_b_cells_initial, "cells") X(normal_b_cell_turnover, "1/d")   \
  /* macrophage activation */                                                                            \
  X(macrophage_activation_rate, "1/d") X(macrophage_ifn_weight, "1") X(macrophage_ifn_ec50, "pg/mL")     \
  X(macrophage_kill_weight, "1") X(macrophage_kill_ec50, "cells/d") X(macrophage_kill_hill, "1") X(macrophage_deactivation, "1/d")    \
  /* cytokines */                                                                                        \
  X(ifn_gamma_production, "pg/mL/d/cell") X(ifn_gamma_elimination, "1/d") X(ifn_gamma_baseline, "pg/mL") \
  X(il6_production, "pg/mL/d") X(il6_linear_clearance, "1/d") X(il6_receptor_clearance, "1/d")           \
  X(il6_feedback, "1") X(il6_baseline, "pg/mL") X(il6_signal_ec50, "pg/mL")                              \
  X(il10_myeloid_production, "pg/mL/d") X(il10_t_cell_production, "pg/mL/d/cell")                        \
  X(il10_elimination, "1/d") X(il10_baseline, "pg/mL")                                                   \
  X(tnf_production, "pg/mL/d") X(tnf_elimination, "1/d") X(tnf_baseline, "pg/mL")                        \
  /* acute-phase proteins */                                                                             \
  X(crp_elimination, "1/d") X(crp_baseline, "mg/L") X(crp_il6_gain, "1")                                 \
  X(ferritin_elimination, "1/d") X(ferritin_baseline, "ng/mL") X(ferritin_activation_gain, "1")          \
  X(ferritin_ifn_gain, "1") X(ferritin_ifn_ec50, "pg/mL")                                                \
  /* fever and vascular-leak effect states, and their phenomenological links (§2.6) */                   \
  X(pyrogen_equilibration, "1/d") X(pyrogen_il6_weight, "1") X(pyrogen_tnf_weight, "1")                  \
  X(pyrogen_tnf_ec50, "pg/mL") X(pyrogen_ifn_weight, "1") X(pyrogen_ifn_ec50, "pg/mL")                   \
  X(temperature_baseline, "Cel") X(fever_max_rise, "Cel") X(fever_half_effect, "1") X(fever_hill, "1")   \
  X(leak_rate, "1/d") X(leak_gain, "1") X(leak_il6_weight, "1") X(leak_tnf_weight, "1")                  \
  X(leak_tnf_ec50, "pg/mL") X(leak_ifn_weight, "1") X(leak_ifn_ec50, "pg/mL")                            \
  X(map_baseline, "mm[Hg]") X(map_max_fall, "mm[Hg]") X(map_leak_half_effect, "1")                       \
  X(systolic_to_map_ratio, "1") X(heart_rate_baseline, "/min") X(heart_rate_per_degree, "/min/Cel")      \
  X(map_one_vasopressor, "mm[Hg]") X(map_second_vasopressor, "mm[Hg]") X(vasopressor_map_gain, "mm[Hg]")              \
  X(vasopressor_wean_margin, "mm[Hg]") X(heart_rate_per_map_fall, "/min/mm[Hg]")                                   \
  X(leak_low_flow_oxygen, "1") X(leak_high_flow_oxygen, "1") X(leak_positive_pressure, "1")              \
  /* ruxolitinib PK (one compartment, first-order absorption) and PD (§2.5.1) */                          \
  X(rux_bioavailability, "1") X(rux_absorption_rate, "1/h") X(rux_clearance, "L/h")                      \
  X(rux_volume, "L") X(rux_unbound_fraction, "1") X(rux_molar_mass, "g/mol")                             \
  X(rux_ic50_signalling, "nmol/L") X(rux_imax_signalling, "1")                                           \
  X(rux_ic50_macrophage_activation, "nmol/L") X(rux_imax_macrophage_activation, "1")                     \
  X(rux_ic50_ifn_release, "nmol/L") X(rux_imax_ifn_release, "1")                                         \
  X(rux_ic50_proliferation, "nmol/L") X(rux_imax_proliferation, "1")                                     \
  X(rux_ic50_killing, "nmol/L") X(rux_imax_killing, "1")                                                 \
  X(rux_ic50_myeloid_production, "nmol/L") X(rux_imax_myeloid_production, "1")                           \
  /* tocilizumab PK (Frey 2010: two compartments, linear + Michaelis–Menten) and receptor occupancy */   \
  X(tcz_clearance, "L/d") X(tcz_central_volume, "L") X(tcz_intercompartmental_clearance, "L/d")          \
  X(tcz_peripheral_volume, "L") X(tcz_vmax, "mg/d") X(tcz_km, "ug/mL") X(tcz_receptor_half_occupancy, "ug/mL") \
  X(tcz_reference_bsa, "m2") X(tcz_bsa_exponent, "1") X(tcz_female_clearance_factor, "1")                \
  /* corticosteroid PK and the genomic effect compartment (§2.5.3) */                                    \
  X(dex_clearance, "L/h") X(dex_volume, "L") X(dex_oral_bioavailability, "1") X(dex_absorption_rate, "1/h") \
  X(mp_clearance_per_kg, "L/h/kg") X(mp_volume_per_kg, "L/kg") X(mp_dex_equivalence, "1")                \
  X(gc_effect_equilibration, "1/h") X(gc_ec50, "ng/mL") X(gc_imax_myeloid_production, "1")               \
  X(gc_imax_macrophage_activation, "1") X(gc_imax_ifn_release, "1") X(gc_imax_proliferation, "1")        \
  /* allometry for adult-referenced clearances and volumes (Anderson 2008) */                            \
  X(reference_weight, "kg") X(clearance_weight_exponent, "1")

struct PatientParameters {
#define CRSGUARD_MEMBER(name, unit) double name = 0;
  CRSGUARD_PATIENT_PARAMETERS(CRSGUARD_MEMBER)
#undef CRSGUARD_MEMBER
};

struct PatientParameterSlot {
  std::string_view name;
  std::string_view unit;
  double PatientParameters::*member;
};
std::span<const PatientParameterSlot> patient_parameter_slots();

// Every slot must be in the file with its unit and nothing else may be: throws InputError naming the file,
// the parameter's pointer and the reason.
PatientParameters bind_patient_parameters(const ParameterFile& file);

// What the patient is, as far as the model needs it.
struct PatientCovariates {
  double weight_kg = 70;
  double bsa_m2 = 1.8;
  bool female = false;
  double marrow_blasts_percent = 50;    // sets the initial leukaemia burden
  double car_t_dose_cells = 2.1e8;      // viable CAR+ cells infused at day 0
};

namespace state {
enum : std::size_t {
  car_t_effector, car_t_memory, leukaemia, normal_b_cells, macrophage_activation,
  ifn_gamma, il6, il10, tnf_alpha, crp, ferritin, pyrogen, vascular_leak,
  rux_gut, rux_central, tcz_central, tcz_peripheral, dex_gut, dex_central, mp_central, gc_effect,
  car_t_auc,                                            // ∫ (C_E + C_M) dt, cells·d
  rux_eliminated, tcz_eliminated, dex_eliminated, mp_eliminated,  // mg, for the mass balance
  count
};
}  // namespace state
inline constexpr std::size_t kPatientStates = state::count;
std::string_view patient_state_name(std::size_t index);
std::string_view patient_state_unit(std::size_t index);
// Whether a state counts cells (CAR-T, leukaemia, B cells, the CAR-T AUC): its absolute tolerance is in
// cells, where every other state's is in concentration or amount units.
bool counts_cells(std::size_t index);
// Solver tolerances with one absolute tolerance for the states that count cells and one for the rest.
OdeTolerances tolerances_by_kind(double relative, double cells_absolute, double other_absolute);

// Zero-order inputs (infusions running now), mg/d. Set by the dosing schedule between solver stops.
struct DrugInputs {
  double tocilizumab = 0;
  double dexamethasone = 0;
  double methylprednisolone = 0;
};

// Drug effects at one moment, for the observation layer and tests.
struct DrugExposure {
  double rux_total_nmol_per_l = 0;
  double tcz_ug_per_ml = 0;
  double tcz_receptor_occupancy = 0;
  double gc_dex_equivalent_ng_per_ml = 0;
};

class PatientModel {
 public:
  PatientModel(const PatientParameters& parameters, const PatientCovariates& covariates);

  [[nodiscard]] std::size_t size() const { return kPatientStates; }
  void rhs(double t, const double* y, double* dydt) const;

  // The untreated state at infusion: cytokines, CRP and ferritin at baseline, effect states at the
  // steady state of those baselines, the CAR-T dose as effector cells.
  [[nodiscard]] std::array<double, kPatientStates> initial_state() const;

  [[nodiscard]] const PatientParameters& parameters() const { return p_; }
  [[nodiscard]] const PatientCovariates& covariates() const { return covariates_; }
  DrugInputs inputs;

  // Phenomenological links (§2.6), from a state.
  [[nodiscard]] double temperature_celsius(const double* y) const;
  [[nodiscard]] double mean_arterial_pressure(const double* y) const;
  // Vascular-leak index above its untreated steady state: what MAP and oxygen need respond to.
  [[nodiscard]] double leak_excess(const double* y) const;
  [[nodiscard]] double il6_signal(const double* y) const;
  [[nodiscard]] DrugExposure exposure(const double* y) const;
  // CAR-T cells per µL of blood (the blood fraction of the body's CAR-T cells in its blood volume).
  [[nodiscard]] double car_t_per_ul(const double* y) const;

  // Individual PK constants after size scaling, per day.
  struct Kinetics {
    double rux_ka, rux_k, tcz_cl, tcz_v1, tcz_q, tcz_v2, dex_ka, dex_k, dex_v, mp_k, mp_v, gc_ke0;
    double il6_input, ifn_input, il10_input, tnf_input, crp_input, ferritin_input;
    double blood_volume_ul;
    double pyrogen_baseline, leak_baseline;  // effect states at the untreated steady state
  };
  [[nodiscard]] const Kinetics& kinetics() const { return k_; }

 private:
  [[nodiscard]] double signal_of(double il6, double occupancy, double rux_inhibition) const;

  PatientParameters p_;
  PatientCovariates covariates_;
  Kinetics k_{};
  double rux_volume_ = 1;  // L
};

}  // namespace crsguard

#pragma once
// The in-vitro co-culture mode of ../shared/spec/model.md §2.8: CD19 CAR-T cells, Nalm6 leukaemia cells and
// monocytes in one well for 48 h, with ruxolitinib or dexamethasone held at a constant concentration (no PK),
// as in the experiment of Pan 2021 (J Cell Mol Med 25:1089; ../shared/data/README.md). CAR-T cells expand on
// Nalm6 antigen and kill it (Singh 2020-type saturable killing); CAR-T contact and IFN-γ activate the
// monocytes, which release IL-6, IL-10 and TNF-α. Drugs act as Imax/IC50 on their unbound concentration in
// the medium (§2.2). Time is in hours; cells per well; cytokines in pg/mL of medium. Every parameter comes
// from models/invitro.json, none is a constant here.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sim/ode.hpp"
#include "sim/parameter_file.hpp"

namespace crsguard {

// name, unit (as the parameter file must give it). Order is the struct's, not the file's.
#define CRSGUARD_INVITRO_PARAMETERS(X)                                                                     \
  /* the well as seeded (Pan 2021) */                                                                       \
  X(car_t_seeded, "cells") X(nalm6_seeded, "cells") X(monocytes_seeded, "cells") X(medium_volume, "mL")     \
  /* CAR-T expansion on antigen */                                                                          \
  X(car_t_proliferation_max, "1/h") X(car_t_stimulation_half_saturation, "cells") X(car_t_death, "1/h")    \
  /* Nalm6 growth and killing */                                                                            \
  X(nalm6_growth, "1/h") X(kill_rate_max, "1/h") X(kill_half_saturation, "cells")                          \
  /* monocyte activation by CAR-T–Nalm6 contact and IFN-γ */                                                \
  X(monocyte_activation_rate, "1/h") X(monocyte_contact_half_saturation, "cells2")                         \
  X(monocyte_ifn_ec50, "pg/mL") X(monocyte_deactivation, "1/h")                                            \
  /* secretion per cell and degradation in medium */                                                        \
  X(ifn_gamma_secretion, "pg/h/cell") X(ifn_gamma_degradation, "1/h")                                      \
  X(granzyme_b_secretion, "pg/h/cell") X(granzyme_b_degradation, "1/h")                                    \
  X(il6_secretion, "pg/h/cell") X(il6_degradation, "1/h")                                                  \
  X(il10_monocyte_secretion, "pg/h/cell") X(il10_car_t_secretion, "pg/h/cell") X(il10_degradation, "1/h")  \
  X(tnf_secretion, "pg/h/cell") X(tnf_degradation, "1/h")                                                  \
  /* ruxolitinib: unbound fraction in medium and potencies on the unbound concentration */                 \
  X(rux_medium_unbound_fraction, "1")                                                                       \
  X(rux_ic50_proliferation, "nmol/L") X(rux_imax_proliferation, "1")                                       \
  X(rux_ic50_ifn_release, "nmol/L") X(rux_imax_ifn_release, "1")                                           \
  X(rux_ic50_killing, "nmol/L") X(rux_imax_killing, "1")                                                   \
  X(rux_ic50_monocyte_activation, "nmol/L") X(rux_imax_monocyte_activation, "1")                           \
  X(rux_ic50_myeloid_production, "nmol/L") X(rux_imax_myeloid_production, "1")                             \
  /* dexamethasone: one receptor-level potency, an Imax per process */                                     \
  X(dex_medium_unbound_fraction, "1") X(dex_ic50, "nmol/L")                                                 \
  X(dex_imax_proliferation, "1") X(dex_imax_ifn_release, "1") X(dex_imax_monocyte_activation, "1")         \
  X(dex_imax_myeloid_production, "1")

struct InVitroParameters {
#define CRSGUARD_MEMBER(name, unit) double name = 0;
  CRSGUARD_INVITRO_PARAMETERS(CRSGUARD_MEMBER)
#undef CRSGUARD_MEMBER
};

struct InVitroParameterSlot {
  std::string_view name;
  std::string_view unit;
  double InVitroParameters::*member;
};
std::span<const InVitroParameterSlot> invitro_parameter_slots();

// The file must say model "invitro", and every slot must be in it with its unit and nothing else may be:
// throws InputError naming the file, the parameter's pointer and the reason.
InVitroParameters bind_invitro_parameters(const ParameterFile& file);

struct InVitroCondition {
  std::string drug;  // "none", "ruxolitinib", "dexamethasone"
  double concentration_umol_per_l = 0;  // nominal, in the medium
};

struct InVitroResult {
  InVitroCondition condition;
  double hours = 0;
  double car_t_fold_expansion = 0;      // CAR-T cells at the end / seeded
  double nalm6_remaining_fraction = 0;  // Nalm6 cells at the end / seeded
  double ifn_gamma = 0, granzyme_b = 0, il6 = 0, il10 = 0, tnf_alpha = 0;  // pg/mL at the end
};

namespace invitro_state {
enum : std::size_t {
  car_t, nalm6, activated_monocytes, ifn_gamma, granzyme_b, il6, il10, tnf_alpha,
  count
};
}  // namespace invitro_state
inline constexpr std::size_t kInVitroStates = invitro_state::count;
std::string_view invitro_state_name(std::size_t index);
std::string_view invitro_state_unit(std::size_t index);

// The drug's inhibition of each process, fixed for the whole culture (constant concentration). Two drugs
// on one process would combine by Bliss independence (§2.2); a condition holds one drug, so the other's
// terms are 0.
struct InVitroInhibition {
  double proliferation = 0;
  double ifn_release = 0;
  double killing = 0;
  double monocyte_activation = 0;
  double myeloid_production = 0;
};

class InVitroModel {
 public:
  // Throws std::invalid_argument naming the field for an unknown drug, a concentration that is negative or
  // not finite, or a drug "none" given a concentration.
  InVitroModel(const InVitroParameters& parameters, const InVitroCondition& condition);

  [[nodiscard]] std::size_t size() const { return kInVitroStates; }
  void rhs(double t, const double* y, double* dydt) const;

  // The well as seeded: CAR-T and Nalm6 cells, resting monocytes, fresh medium without cytokines.
  [[nodiscard]] std::array<double, kInVitroStates> initial_state() const;
  // Per-state absolute tolerances, in each state's unit, for the solvers.
  [[nodiscard]] std::array<double, kInVitroStates> absolute_tolerances() const;

  [[nodiscard]] const InVitroParameters& parameters() const { return p_; }
  [[nodiscard]] const InVitroInhibition& inhibition() const { return inhibition_; }

 private:
  InVitroParameters p_;
  InVitroInhibition inhibition_;
};
static_assert(OdeModel<InVitroModel>);

// The culture from seeding to `hours` (rtol 1e-8). Throws std::invalid_argument naming the field
// ("drug", "concentration_umol_per_l", "hours") for bad input, SolverError if the solver gives up.
InVitroResult simulate_invitro(const InVitroParameters& parameters, const InVitroCondition& condition,
                               double hours = 48, SolverKind solver = SolverKind::dormand_prince);

}  // namespace crsguard

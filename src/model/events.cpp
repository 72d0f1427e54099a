#include "model/events.hpp"

#include <tuple>

namespace crsguard {

CRSGUARD_NAMES(Comparator, {Comparator::equal, "="}, {Comparator::less, "<"}, {Comparator::less_or_equal, "<="},
               {Comparator::greater_or_equal, ">="}, {Comparator::greater, ">"})
CRSGUARD_NAMES(Interpretation, {Interpretation::none, "none"}, {Interpretation::normal, "normal"},
               {Interpretation::abnormal, "abnormal"}, {Interpretation::high, "high"}, {Interpretation::low, "low"})
CRSGUARD_NAMES(Statistic, {Statistic::single, "single"}, {Statistic::max, "max"}, {Statistic::min, "min"})
CRSGUARD_NAMES(OxygenDevice, {OxygenDevice::none, "none"}, {OxygenDevice::blow_by, "blow_by"},
               {OxygenDevice::nasal_cannula, "nasal_cannula"}, {OxygenDevice::simple_face_mask, "simple_face_mask"},
               {OxygenDevice::venturi_mask, "venturi_mask"}, {OxygenDevice::non_rebreather, "non_rebreather"},
               {OxygenDevice::high_flow_nasal_cannula, "high_flow_nasal_cannula"}, {OxygenDevice::cpap, "cpap"},
               {OxygenDevice::bipap, "bipap"}, {OxygenDevice::mechanical_ventilation, "mechanical_ventilation"})
CRSGUARD_NAMES(VasopressorAgent, {VasopressorAgent::norepinephrine, "norepinephrine"},
               {VasopressorAgent::epinephrine, "epinephrine"}, {VasopressorAgent::phenylephrine, "phenylephrine"},
               {VasopressorAgent::dopamine, "dopamine"}, {VasopressorAgent::vasopressin, "vasopressin"},
               {VasopressorAgent::dobutamine, "dobutamine"}, {VasopressorAgent::milrinone, "milrinone"},
               {VasopressorAgent::angiotensin_ii, "angiotensin_ii"})
CRSGUARD_NAMES(VasopressorAction, {VasopressorAction::start, "start"}, {VasopressorAction::adjust, "adjust"},
               {VasopressorAction::stop, "stop"})
CRSGUARD_NAMES(Consciousness, {Consciousness::alert, "alert"},
               {Consciousness::awakens_spontaneously, "awakens_spontaneously"},
               {Consciousness::awakens_to_voice, "awakens_to_voice"},
               {Consciousness::awakens_to_touch, "awakens_to_touch"}, {Consciousness::unarousable, "unarousable"})
CRSGUARD_NAMES(SeizureType, {SeizureType::none, "none"}, {SeizureType::focal, "focal"},
               {SeizureType::generalised, "generalised"}, {SeizureType::non_convulsive, "non_convulsive"})
CRSGUARD_NAMES(MotorFinding, {MotorFinding::none, "none"}, {MotorFinding::tremor, "tremor"},
               {MotorFinding::myoclonus, "myoclonus"}, {MotorFinding::deep_focal_weakness, "deep_focal_weakness"})
CRSGUARD_NAMES(IcpFinding, {IcpFinding::focal_oedema, "focal_oedema"}, {IcpFinding::diffuse_oedema, "diffuse_oedema"},
               {IcpFinding::posturing, "posturing"}, {IcpFinding::cranial_nerve_vi_palsy, "cranial_nerve_vi_palsy"},
               {IcpFinding::papilloedema, "papilloedema"}, {IcpFinding::cushings_triad, "cushings_triad"})
CRSGUARD_NAMES(Route, {Route::iv, "iv"}, {Route::po, "po"}, {Route::sc, "sc"}, {Route::im, "im"}, {Route::it, "it"})
CRSGUARD_NAMES(Indication, {Indication::crs, "crs"}, {Indication::icans, "icans"},
               {Indication::lymphodepletion, "lymphodepletion"}, {Indication::prophylaxis, "prophylaxis"},
               {Indication::fever, "fever"}, {Indication::supportive, "supportive"},
               {Indication::infection, "infection"}, {Indication::other, "other"})
CRSGUARD_NAMES(TransfusionProduct, {TransfusionProduct::platelets, "platelets"},
               {TransfusionProduct::red_cells, "red_cells"}, {TransfusionProduct::plasma, "plasma"},
               {TransfusionProduct::cryoprecipitate, "cryoprecipitate"},
               {TransfusionProduct::fibrinogen_concentrate, "fibrinogen_concentrate"})
CRSGUARD_NAMES(ResponseStatus, {ResponseStatus::cr, "CR"}, {ResponseStatus::cri, "CRi"}, {ResponseStatus::pr, "PR"},
               {ResponseStatus::nr, "NR"}, {ResponseStatus::relapse, "relapse"})
CRSGUARD_NAMES(DiseaseSite, {DiseaseSite::bone_marrow, "bone_marrow"}, {DiseaseSite::blood, "blood"},
               {DiseaseSite::cns, "cns"}, {DiseaseSite::extramedullary, "extramedullary"})
CRSGUARD_NAMES(Cd19Status, {Cd19Status::positive, "positive"}, {Cd19Status::negative, "negative"})
CRSGUARD_NAMES(EventKind, {EventKind::observation, "observation"}, {EventKind::oxygen, "oxygen"},
               {EventKind::vasopressor, "vasopressor"}, {EventKind::neuro, "neuro"},
               {EventKind::administration, "administration"}, {EventKind::transfusion, "transfusion"},
               {EventKind::response, "response"})
CRSGUARD_NAMES(VitalStatus, {VitalStatus::alive, "alive"}, {VitalStatus::dead, "dead"})


std::string_view comparator_symbol(Comparator comparator) {
  switch (comparator) {
    case Comparator::equal: return "";
    case Comparator::less: return "<";
    case Comparator::less_or_equal: return "≤";
    case Comparator::greater_or_equal: return "≥";
    case Comparator::greater: return ">";
  }
  return "";
}

bool more_support(const OxygenSupport& a, const OxygenSupport& b) {
  return std::tuple(a.device, a.flow_l_per_min.value_or(0.0)) > std::tuple(b.device, b.flow_l_per_min.value_or(0.0));
}

std::string_view dose_unit_code(DoseBasis basis) {
  switch (basis) {
    case DoseBasis::mg: return "mg";
    case DoseBasis::mg_per_kg: return "mg/kg";
    case DoseBasis::mg_per_m2: return "mg/m2";
  }
  return "?";
}

}  // namespace crsguard

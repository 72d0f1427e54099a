#pragma once
// The patient, the CAR-T infusion (day 0) and the baseline before it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "core/time.hpp"

namespace crsguard {

enum class Sex : unsigned char { unknown, male, female, other };
std::span<const EnumName<Sex>> names(Sex);

enum class BsaFormula : unsigned char { mosteller, du_bois };
std::span<const EnumName<BsaFormula>> names(BsaFormula);

// Body surface area in m². Mosteller RD, N Engl J Med 1987;317:1098;
// Du Bois D, Du Bois EF, Arch Intern Med 1916;17:863 (../shared/spec/clinical.md §9.3).
double body_surface_area_m2(double weight_kg, double height_cm, BsaFormula formula);

struct Patient {
  std::string id;
  Sex sex = Sex::unknown;
  std::optional<double> age_years;          // at infusion; from `age` or birth date
  bool age_given_in_months = false;         // written back as it was given
  std::optional<LocalSeconds> birth_date;
  std::optional<double> weight_kg;
  std::optional<double> height_cm;
  BsaFormula bsa_formula = BsaFormula::mosteller;
  bool bsa_formula_given = false;

  // nullopt when weight or height is missing.
  [[nodiscard]] std::optional<double> body_surface_area_m2() const;
};

enum class CellSource : unsigned char { autologous, donor_derived };
std::span<const EnumName<CellSource>> names(CellSource);

enum class TimeForm : unsigned char { study_day, study_day_clock, calendar };

// When the infusion happened. Study days count calendar days from its date.
struct InfusionTime {
  std::optional<LocalSeconds> calendar;   // set when the infusion's date (and clock) are known
  std::optional<std::int32_t> clock;      // seconds after midnight, when known
  bool given = false;                      // false: `time` absent, day 0 with clock unknown
  TimeForm form = TimeForm::study_day;

  // Seconds from midnight of day 0 to the infusion: 0 when the clock is unknown.
  [[nodiscard]] std::int32_t clock_offset() const { return clock.value_or(0); }
};

struct CellDose {
  double value;
  bool per_kg;   // {cells}/kg when true, total {cells} otherwise
};

struct Infusion {
  std::string product;
  std::vector<std::string> targets;
  InfusionTime time;
  std::optional<CellDose> cell_dose;
  std::optional<CellSource> cell_source;
  std::string lymphodepletion;
  std::string trial;
};

enum class GvhdBeforeCart : unsigned char { none, acute, chronic };
std::span<const EnumName<GvhdBeforeCart>> names(GvhdBeforeCart);

struct Baseline {
  std::string diagnosis;
  std::vector<std::string> genetics;
  std::optional<bool> complex_karyotype;
  std::string disease_status;
  std::optional<double> marrow_blasts_morphology_percent;
  std::optional<bool> marrow_morphologic_remission;
  std::optional<double> marrow_blasts_flow_percent;
  std::optional<double> prior_therapy_months;
  std::optional<bool> prior_hct;
  std::optional<double> months_since_hct;
  std::optional<GvhdBeforeCart> gvhd_before_cart;
};

// Per-patient facts a publication gives without their times (a cohort table).
struct ReportedCourse {
  std::optional<int> crs_max_grade;
  std::optional<int> icans_max_grade;
  std::optional<bool> severe_crs;
  std::optional<bool> steroid_refractory_crs;
  std::optional<int> tocilizumab_doses;
  std::optional<bool> ruxolitinib_given;
  std::optional<double> max_steroid_mg_per_kg_per_day;  // methylprednisolone-equivalent
};

struct Source {
  std::string citation;
  std::string doi;
  std::string url;
  std::string converted_by;
};

}  // namespace crsguard

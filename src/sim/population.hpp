#pragma once
// A virtual population (../shared/spec/model.md §6.1): each virtual patient's covariates drawn from the
// scenario's distributions, with correlations between covariates through a Gaussian copula, and its
// model parameters drawn as typical × exp(η), η ~ N(0, ω²) with ω² = ln(1 + CV²) from the parameter
// file's cv_percent, correlated by the file's correlations (Cholesky factor of their matrix). Patient i
// is drawn from its own random stream, seeded from (seed, i), so a population does not depend on the
// order or the thread in which its patients are drawn. Definitions: docs/simulator-trials.md.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/closed_loop.hpp"
#include "sim/parameter_file.hpp"
#include "sim/patient_model.hpp"

namespace crsguard {

// SplitMix64 (Steele, Lea & Flood 2014): a well-mixed 64-bit value from any 64-bit value.
std::uint64_t splitmix64(std::uint64_t x);
// The seed of one patient's stream for one purpose (population draw, adherence, bootstrap replicate).
enum class StreamPurpose : std::uint64_t { population = 1, adherence = 2, bootstrap = 3 };
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t index, StreamPurpose purpose);

// xoshiro256** (Blackman & Vigna 2018), seeded by SplitMix64; its own normal deviates (Box–Muller), so a
// draw is the same with every standard library.
class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed);
  std::uint64_t next();
  double uniform();          // in (0, 1)
  double standard_normal();

 private:
  std::array<std::uint64_t, 4> s_{};
  std::optional<double> spare_normal_;
};

// The covariates a scenario can distribute.
enum class Covariate : unsigned char { age_years, weight_kg, height_cm, marrow_blasts_percent, car_t_cells_per_kg, count };
inline constexpr std::size_t kCovariates = static_cast<std::size_t>(Covariate::count);
std::string_view covariate_name(Covariate covariate);
std::optional<Covariate> covariate_named(std::string_view name);

struct CovariateDistribution {
  enum class Kind : unsigned char {
    fixed,        // value
    uniform,      // [low, high]
    log_uniform,  // log-uniform on [low, high]
    normal,       // mean, sd
    log_normal,   // median, cv_percent
    by_age,       // log-normal around the growth reference at the patient's age (weight and height only)
  };
  Kind kind = Kind::fixed;
  double value = 0;             // fixed
  double low = 0, high = 0;     // uniform, log_uniform
  double mean = 0, sd = 0;      // normal
  double median = 0;            // log_normal
  double cv_percent = 0;        // log_normal, by_age
  std::optional<double> min;    // truncation: a draw outside [min, max] is drawn again
  std::optional<double> max;
};

struct CovariateCorrelation {
  Covariate first{};
  Covariate second{};
  double r = 0;  // correlation of the copula's normal deviates
};

struct PopulationSpec {
  std::array<CovariateDistribution, kCovariates> covariates;
  double female_fraction = 0.5;
  std::vector<CovariateCorrelation> correlations;
  double variability_scale = 1;  // multiplies every ω; 0: every patient has the typical parameters
};

// Median weight and height of children by age (CDC 2000 growth charts, 50th percentile, boys and girls
// averaged, read from memory [M]); ages outside 2–18 years take the nearest end.
double reference_weight_kg(double age_years);
double reference_height_cm(double age_years);

// The lower-triangular Cholesky factor of a symmetric matrix (row-major, n × n); nullopt when the
// matrix is not positive definite.
std::optional<std::vector<double>> cholesky_factor(const std::vector<double>& matrix, std::size_t n);

struct DrawnPatient {
  VirtualPatient patient;
  double car_t_cells_per_kg = 0;
  std::vector<double> eta;  // one per varying parameter, in VirtualPopulation::varying_parameters() order
};

class VirtualPopulation {
 public:
  // Throws InputError naming `where` when the parameter file's or the covariates' correlation matrix is not
  // positive definite, or a distribution cannot be drawn from.
  VirtualPopulation(const ParameterFile& model, PopulationSpec spec, std::uint64_t seed, const std::string& where);

  // Patient `index` (0-based), the same for the same (seed, index) whoever asks and when.
  [[nodiscard]] DrawnPatient draw(std::uint64_t index) const;

  [[nodiscard]] const std::vector<std::string>& varying_parameters() const { return varying_names_; }
  [[nodiscard]] const PopulationSpec& spec() const { return spec_; }

 private:
  std::array<double, kCovariates> draw_covariates(RandomStream& stream) const;

  PopulationSpec spec_;
  std::uint64_t seed_;
  PatientParameters typical_;
  std::vector<std::string> varying_names_;
  std::vector<double PatientParameters::*> varying_members_;
  std::vector<double> omega_;                // per varying parameter, already scaled
  std::vector<double> parameter_cholesky_;   // n × n lower triangle
  std::vector<double> covariate_cholesky_;   // kCovariates × kCovariates
};

}  // namespace crsguard

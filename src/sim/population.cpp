#include "sim/population.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/problem.hpp"
#include "model/patient.hpp"

namespace crsguard {
namespace {

constexpr std::array<std::string_view, kCovariates> kCovariateNames = {
    "age_years", "weight_kg", "height_cm", "marrow_blasts_percent", "car_t_cells_per_kg"};

// A truncated draw that keeps fewer than one in this many candidates is an error in the scenario, not bad luck.
constexpr int kMaxRedraws = 10000;

// CDC 2000 growth charts, 50th percentile, boys and girls averaged [M], at whole years 2–18.
constexpr std::array<double, 17> kWeightByAge = {12.5, 14.3, 16.3, 18.4, 20.7, 23.0, 25.6, 28.6, 32.0,
                                                 35.9, 40.5, 45.6, 50.8, 55.2, 58.8, 61.4, 63.3};
constexpr std::array<double, 17> kHeightByAge = {87.0,  95.5,  102.5, 109.5, 115.5, 122.0, 128.0, 133.5, 138.5,
                                                 144.0, 150.0, 156.5, 162.0, 166.0, 168.5, 170.5, 171.5};

double by_age(const std::array<double, 17>& table, double age_years) {
  const double x = std::clamp(age_years, 2.0, 18.0) - 2.0;
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(x), table.size() - 2);
  const double f = x - static_cast<double>(i);
  return table[i] + f * (table[i + 1] - table[i]);
}

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double log_normal_sigma(double cv_percent) {
  const double cv = cv_percent / 100;
  return std::sqrt(std::log1p(cv * cv));
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t index, StreamPurpose purpose) {
  return splitmix64(splitmix64(splitmix64(seed) ^ index) ^ static_cast<std::uint64_t>(purpose));
}

RandomStream::RandomStream(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& word : s_) {
    x = splitmix64(x);
    word = x;
  }
}

std::uint64_t RandomStream::next() {
  const auto rotl = [](std::uint64_t v, int k) { return (v << k) | (v >> (64 - k)); };
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RandomStream::uniform() {
  // 53 random bits, shifted by half a step so that neither 0 nor 1 can come out.
  return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
}

double RandomStream::standard_normal() {
  if (spare_normal_) {
    const double z = *spare_normal_;
    spare_normal_.reset();
    return z;
  }
  const double radius = std::sqrt(-2 * std::log(uniform()));
  const double angle = 2 * std::numbers::pi * uniform();
  spare_normal_ = radius * std::sin(angle);
  return radius * std::cos(angle);
}

std::string_view covariate_name(Covariate covariate) { return kCovariateNames[static_cast<std::size_t>(covariate)]; }

std::optional<Covariate> covariate_named(std::string_view name) {
  for (std::size_t i = 0; i < kCovariates; ++i) {
    if (kCovariateNames[i] == name) return static_cast<Covariate>(i);
  }
  return std::nullopt;
}

double reference_weight_kg(double age_years) { return by_age(kWeightByAge, age_years); }
double reference_height_cm(double age_years) { return by_age(kHeightByAge, age_years); }

std::optional<std::vector<double>> cholesky_factor(const std::vector<double>& a, std::size_t n) {
  std::vector<double> l(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double diagonal = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) diagonal -= l[j * n + k] * l[j * n + k];
    // A tolerance, not 0: a matrix singular to rounding would give deviates that are not what was asked for.
    if (!(diagonal > 1e-10)) return std::nullopt;
    l[j * n + j] = std::sqrt(diagonal);
    for (std::size_t i = j + 1; i < n; ++i) {
      double sum = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = sum / l[j * n + j];
    }
  }
  return l;
}

VirtualPopulation::VirtualPopulation(const ParameterFile& model, PopulationSpec spec, std::uint64_t seed,
                                     const std::string& where)
    : spec_(std::move(spec)), seed_(seed), typical_(bind_patient_parameters(model)) {
  ProblemLog log(where);
  if (!(spec_.variability_scale >= 0) || spec_.variability_scale > 10) {
    log.add_at_pointer("/population/parameters/variability_scale", "the variability scale must be between 0 and 10");
  }
  for (const auto& slot : patient_parameter_slots()) {
    const SimParameter* p = model.find(slot.name);
    if (p == nullptr || p->cv_percent <= 0) continue;
    varying_names_.emplace_back(slot.name);
    varying_members_.push_back(slot.member);
    omega_.push_back(spec_.variability_scale * log_normal_sigma(p->cv_percent));
  }
  const std::size_t n = varying_names_.size();
  std::vector<double> matrix(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) matrix[i * n + i] = 1;
  const auto position = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(varying_names_.begin(), varying_names_.end(), name) - varying_names_.begin());
  };
  for (const auto& c : model.correlations) {
    const std::size_t i = position(c.first);
    const std::size_t j = position(c.second);
    if (i >= n || j >= n) continue;  // the parameter file's reader already refuses these
    matrix[i * n + j] = matrix[j * n + i] = c.r;
  }
  if (auto factor = cholesky_factor(matrix, n)) {
    parameter_cholesky_ = std::move(*factor);
  } else {
    log.add_at_pointer("/correlations", fmt::format("the correlations of {} between parameters' deviations do not form a "
                                                    "positive-definite matrix: no population has them; weaken or remove one",
                                                    model.file));
  }

  std::vector<double> covariate_matrix(kCovariates * kCovariates, 0.0);
  for (std::size_t i = 0; i < kCovariates; ++i) covariate_matrix[i * kCovariates + i] = 1;
  for (const auto& c : spec_.correlations) {
    const auto i = static_cast<std::size_t>(c.first);
    const auto j = static_cast<std::size_t>(c.second);
    covariate_matrix[i * kCovariates + j] = covariate_matrix[j * kCovariates + i] = c.r;
  }
  if (auto factor = cholesky_factor(covariate_matrix, kCovariates)) {
    covariate_cholesky_ = std::move(*factor);
  } else {
    log.add_at_pointer("/population/correlations",
                       "the correlations between covariates do not form a positive-definite matrix: weaken or remove one");
  }
  for (std::size_t i = 0; i < kCovariates; ++i) {
    const auto& d = spec_.covariates[i];
    const std::string pointer = fmt::format("/population/{}", kCovariateNames[i]);
    if (d.min && d.max && *d.min > *d.max) log.add_at_pointer(pointer, "min is above max");
    if (d.kind == CovariateDistribution::Kind::by_age &&
        static_cast<Covariate>(i) != Covariate::weight_kg && static_cast<Covariate>(i) != Covariate::height_cm) {
      log.add_at_pointer(pointer, "only weight_kg and height_cm can be drawn by_age");
    }
  }
  log.throw_if_any();
}

std::array<double, kCovariates> VirtualPopulation::draw_covariates(RandomStream& stream) const {
  using Kind = CovariateDistribution::Kind;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    std::array<double, kCovariates> independent{};
    for (auto& z : independent) z = stream.standard_normal();
    std::array<double, kCovariates> z{};
    for (std::size_t i = 0; i < kCovariates; ++i) {
      for (std::size_t k = 0; k <= i; ++k) z[i] += covariate_cholesky_[i * kCovariates + k] * independent[k];
    }
    std::array<double, kCovariates> value{};
    bool inside = true;
    // Age is the first covariate, so a by_age covariate finds it drawn.
    for (std::size_t i = 0; i < kCovariates; ++i) {
      const auto& d = spec_.covariates[i];
      switch (d.kind) {
        case Kind::fixed: value[i] = d.value; break;
        case Kind::uniform: value[i] = d.low + (d.high - d.low) * standard_normal_cdf(z[i]); break;
        case Kind::log_uniform:
          value[i] = d.low * std::pow(d.high / d.low, standard_normal_cdf(z[i]));
          break;
        case Kind::normal: value[i] = d.mean + d.sd * z[i]; break;
        case Kind::log_normal: value[i] = d.median * std::exp(log_normal_sigma(d.cv_percent) * z[i]); break;
        case Kind::by_age: {
          const double age = value[static_cast<std::size_t>(Covariate::age_years)];
          const double median = static_cast<Covariate>(i) == Covariate::weight_kg ? reference_weight_kg(age)
                                                                                  : reference_height_cm(age);
          value[i] = median * std::exp(log_normal_sigma(d.cv_percent) * z[i]);
          break;
        }
      }
      if ((d.min && value[i] < *d.min) || (d.max && value[i] > *d.max)) inside = false;
    }
    if (inside) return value;
  }
  throw InputError(Problem{{"", "/population", 0, 0, "population"},
                           fmt::format("the covariate truncation (min/max) keeps fewer than 1 in {} draws", kMaxRedraws)});
}

DrawnPatient VirtualPopulation::draw(std::uint64_t index) const {
  RandomStream stream(stream_seed(seed_, index, StreamPurpose::population));
  DrawnPatient out;
  VirtualPatient& p = out.patient;
  p.id = fmt::format("vp-{:05d}", index + 1);
  const auto c = draw_covariates(stream);
  const auto at = [&](Covariate k) { return c[static_cast<std::size_t>(k)]; };
  p.sex = stream.uniform() < spec_.female_fraction ? Sex::female : Sex::male;
  p.age_years = at(Covariate::age_years);
  p.height_cm = at(Covariate::height_cm);
  p.covariates.weight_kg = at(Covariate::weight_kg);
  p.covariates.female = p.sex == Sex::female;
  p.covariates.marrow_blasts_percent = at(Covariate::marrow_blasts_percent);
  out.car_t_cells_per_kg = at(Covariate::car_t_cells_per_kg);
  p.covariates.car_t_dose_cells = out.car_t_cells_per_kg * p.covariates.weight_kg;
  // Tocilizumab clearance scales with BSA (Frey 2010); Mosteller, as the twins use.
  p.covariates.bsa_m2 = body_surface_area_m2(p.covariates.weight_kg, p.height_cm, BsaFormula::mosteller);

  const std::size_t n = varying_members_.size();
  std::vector<double> independent(n);
  for (auto& z : independent) z = stream.standard_normal();
  out.eta.assign(n, 0.0);
  p.parameters = typical_;
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0;
    for (std::size_t k = 0; k <= i; ++k) z += parameter_cholesky_[i * n + k] * independent[k];
    out.eta[i] = omega_[i] * z;
    p.parameters.*varying_members_[i] *= std::exp(out.eta[i]);
  }
  return out;
}

}  // namespace crsguard

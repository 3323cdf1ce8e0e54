// Logistic(location, scale), density e^-z / (s (1 + e^-z)^2), z = (x - mu)/s.
// Numeric MLE by the generic Newton maximizer from the median and the
// quartiles (mu -+ s log 3).
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/newton.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace mlesim {

// The sample quantile at probability q by linear interpolation (R's type 7).
inline double sample_quantile(std::vector<double> sorted_copy, double q) {
  std::sort(sorted_copy.begin(), sorted_copy.end());
  const double h = q * static_cast<double>(sorted_copy.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(h));
  const std::size_t high = std::min(low + 1, sorted_copy.size() - 1);
  return sorted_copy[low] + (h - static_cast<double>(low)) * (sorted_copy[high] - sorted_copy[low]);
}

struct logistic {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "logistic";
  static constexpr std::string_view summary = "Logistic(location, scale) on the real line";
  static constexpr std::array<std::string_view, 2> parameter_names{"location", "scale"};
  static constexpr std::size_t min_sample_size = 2;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::real_line;
  static constexpr bool closed_form = false;

  static constexpr std::array<reparametrization<2>, 0> reparametrizations{};

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive("scale", t[1]));
  }

  // Inversion: mu + s log(u / (1 - u)).
  static auto sampler(const parameters& t) {
    return [mu = t[0], s = t[1]](auto& engine) {
      const double u = (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
      return mu + s * std::log(u / (1 - u));
    };
  }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) {
      const double z = (xi - t[0]) / t[1];
      // -z - 2 log(1 + e^-z) = -|z| - 2 log(1 + e^-|z|): symmetric, no overflow.
      sum += -std::abs(z) - 2 * std::log1p(std::exp(-std::abs(z)));
    }
    return sum - static_cast<double>(x.size()) * std::log(t[1]);
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    const double s = t[1];
    double sum_t = 0, sum_zt = 0;
    for (double xi : x) {
      const double z = (xi - t[0]) / s, th = std::tanh(z / 2);
      sum_t += th;
      sum_zt += z * th;
    }
    return {sum_t / s, (sum_zt - static_cast<double>(x.size())) / s};
  }

  static matrix<2> fisher_information(const parameters& t) {
    const double s2 = t[1] * t[1];
    matrix<2> info;
    info << 1 / (3 * s2), 0, 0, (3 + std::numbers::pi * std::numbers::pi) / (9 * s2);
    return info;
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    const double s = t[1];
    double mm = 0, ms = 0, ss = 0;
    for (double xi : x) {
      const double z = (xi - t[0]) / s, th = std::tanh(z / 2), dth = (1 - th * th) / 2;
      mm += dth;
      ms += z * dth + th;
      ss += 2 * z * th + z * z * dth - 1;
    }
    matrix<2> info;
    info << mm, ms, ms, ss;
    return info / (s * s);
  }

  static fit_result<2> fit(std::span<const double> x) {
    const std::vector<double> values(x.begin(), x.end());
    const double median = sample_quantile(values, 0.5);
    const double iqr = sample_quantile(values, 0.75) - sample_quantile(values, 0.25);
    if (!(iqr > 0)) return {parameters{NAN, NAN}, false, 0};
    return fit_by_newton<logistic>(x, parameters{median, iqr / (2 * std::log(3.0))},
                                   {parameter_scale::real, parameter_scale::positive});
  }
};

}  // namespace mlesim

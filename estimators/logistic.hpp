// Logistic(location, scale), density e^-z / (s (1 + e^-z)^2), z = (x - mu)/s.
// Numeric MLE by the generic Newton maximizer from the median and the
// quartiles (mu -+ s log 3).
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"

#include <boost/math/distributions/logistic.hpp>
#include <cmath>
#include <numbers>

namespace mlesim {

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
  static constexpr std::array<unit_role, 2> units{unit_role::location, unit_role::scale};

  static constexpr std::array<reparametrization<2>, 0> reparametrizations{};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive("scale", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive_within("scale", t[1]),
                                 checks::location_within("location", t[0], t[1]));
  }

  // Inversion: mu + s log(u / (1 - u)).
  static auto sampler(const parameters& t) {
    return [mu = t[0], s = t[1]](auto& engine) {
      const double u = (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
      return mu + s * std::log(u / (1 - u));
    };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::logistic_distribution<>(t[0], t[1]); }

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
    const median_and_iqr start(x);
    if (!(start.iqr > 0)) return {parameters{NAN, NAN}, false, 0};
    return fit_by_newton<logistic>(x, parameters{start.median, start.iqr / (2 * std::log(3.0))},
                                   {parameter_scale::real, parameter_scale::positive});
  }
};

}  // namespace mlesim

// Normal(mu, sigma2): closed-form MLE, sample mean and the 1/n variance.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/sample_statistics.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <functional>
#include <numbers>

namespace mlesim {

struct normal {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "normal";
  static constexpr std::string_view summary = "Normal(mu, sigma2) on the real line";
  static constexpr std::array<std::string_view, 2> parameter_names{"mu", "sigma2"};
  static constexpr std::size_t min_sample_size = 2;  // sigma2-hat > 0 needs two values
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::real_line;
  static constexpr bool closed_form = true;
  static constexpr std::array<unit_role, 2> units{unit_role::location, unit_role::variance};

  static constexpr std::array<reparametrization<2>, 1> reparametrizations{{
      {"sigma", "sqrt(sigma2)", [](const parameters& t) { return std::sqrt(t[1]); },
       [](const parameters& t) { return parameters{0.0, 0.5 / std::sqrt(t[1])}; }, 1,
       [](double eta, const parameters& t) { return parameters{t[0], eta * eta}; }},
  }};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive("sigma2", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive_within("sigma2", t[1]),
                                 checks::location_within("mu", t[0], std::sqrt(t[1])));
  }

  static auto sampler(const parameters& t) {
    return boost::random::normal_distribution<double>(t[0], std::sqrt(t[1]));
  }

  // The sums the normal's log-likelihood, score and observed information
  // depend on: n, and the first two moments of y - mu about mu, where y is
  // x or (for the lognormal) log x.
  struct deviation_sums {
    double n = 0, s = 0, ss = 0;
  };

  template <class Transform = std::identity>
  static deviation_sums deviations(double mu, std::span<const double> x, Transform transform = {}) {
    deviation_sums d{static_cast<double>(x.size()), 0, 0};
    for (double xi : x) {
      const double e = transform(xi) - mu;
      d.s += e;
      d.ss += e * e;
    }
    return d;
  }

  static double log_likelihood(const parameters& t, const deviation_sums& d) {
    return -0.5 * d.n * std::log(2 * std::numbers::pi * t[1]) - d.ss / (2 * t[1]);
  }

  static parameters score(const parameters& t, const deviation_sums& d) {
    return {d.s / t[1], -0.5 * d.n / t[1] + 0.5 * d.ss / (t[1] * t[1])};
  }

  static matrix<2> observed_information(const parameters& t, const deviation_sums& d) {
    const double v = t[1];
    matrix<2> info;
    info << d.n / v, d.s / (v * v), d.s / (v * v), -0.5 * d.n / (v * v) + d.ss / (v * v * v);
    return info;
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::normal_distribution<>(t[0], std::sqrt(t[1])); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    return log_likelihood(t, deviations(t[0], x));
  }

  static parameters score(const parameters& t, std::span<const double> x) { return score(t, deviations(t[0], x)); }

  static matrix<2> fisher_information(const parameters& t) {
    matrix<2> info;
    info << 1 / t[1], 0, 0, 0.5 / (t[1] * t[1]);
    return info;
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    return observed_information(t, deviations(t[0], x));
  }

  static fit_result<2> fit(std::span<const double> x) {
    const sample_moments m(x);
    return {parameters{m.mean, m.variance}, true, 0};
  }
};

}  // namespace mlesim

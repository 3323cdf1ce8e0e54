// Normal(mu, sigma2): closed-form MLE, sample mean and the 1/n variance.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/sample_statistics.hpp"

#include <boost/random/normal_distribution.hpp>

#include <cmath>
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

  static constexpr std::array<reparametrization<2>, 1> reparametrizations{{
      {"sigma", "sqrt(sigma2)", [](const parameters& t) { return std::sqrt(t[1]); },
       [](const parameters& t) { return parameters{0.0, 0.5 / std::sqrt(t[1])}; }, 1,
       [](double eta, const parameters& t) { return parameters{t[0], eta * eta}; }},
  }};

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive("sigma2", t[1]));
  }

  static auto sampler(const parameters& t) {
    return boost::random::normal_distribution<double>(t[0], std::sqrt(t[1]));
  }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double ss = 0;
    for (double xi : x) ss += (xi - t[0]) * (xi - t[0]);
    const double n = static_cast<double>(x.size());
    return -0.5 * n * std::log(2 * std::numbers::pi * t[1]) - ss / (2 * t[1]);
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double s = 0, ss = 0;
    for (double xi : x) {
      s += xi - t[0];
      ss += (xi - t[0]) * (xi - t[0]);
    }
    const double n = static_cast<double>(x.size());
    return {s / t[1], -0.5 * n / t[1] + 0.5 * ss / (t[1] * t[1])};
  }

  static matrix<2> fisher_information(const parameters& t) {
    matrix<2> info;
    info << 1 / t[1], 0, 0, 0.5 / (t[1] * t[1]);
    return info;
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    double s = 0, ss = 0;
    for (double xi : x) {
      s += xi - t[0];
      ss += (xi - t[0]) * (xi - t[0]);
    }
    const double n = static_cast<double>(x.size()), v = t[1];
    matrix<2> info;
    info << n / v, s / (v * v), s / (v * v), -0.5 * n / (v * v) + ss / (v * v * v);
    return info;
  }

  static fit_result<2> fit(std::span<const double> x) {
    const sample_moments m(x);
    return {parameters{m.mean, m.variance}, true, 0};
  }
};

}  // namespace mlesim

// Lognormal(mu, sigma2): log x ~ Normal(mu, sigma2). Closed-form MLE: the
// normal's on the logs.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"

#include <boost/random/lognormal_distribution.hpp>

#include <cmath>
#include <numbers>

namespace mlesim {

struct lognormal {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "lognormal";
  static constexpr std::string_view summary = "Lognormal(mu, sigma2) on (0, inf): log x ~ Normal(mu, sigma2)";
  static constexpr std::array<std::string_view, 2> parameter_names{"mu", "sigma2"};
  static constexpr std::size_t min_sample_size = 2;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool closed_form = true;

  static constexpr std::array<reparametrization<2>, 2> reparametrizations{{
      {"median", "exp(mu)", [](const parameters& t) { return std::exp(t[0]); },
       [](const parameters& t) { return parameters{std::exp(t[0]), 0}; }, 0,
       [](double eta, const parameters& t) { return parameters{std::log(eta), t[1]}; }},
      {"mean", "exp(mu + sigma2/2)", [](const parameters& t) { return std::exp(t[0] + t[1] / 2); },
       [](const parameters& t) {
         const double m = std::exp(t[0] + t[1] / 2);
         return parameters{m, m / 2};
       },
       0, [](double eta, const parameters& t) { return parameters{std::log(eta) - t[1] / 2, t[1]}; }},
  }};

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive("sigma2", t[1]));
  }

  static auto sampler(const parameters& t) {
    return boost::random::lognormal_distribution<double>(t[0], std::sqrt(t[1]));
  }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum_log = 0, ss = 0;
    for (double xi : x) {
      const double y = std::log(xi);
      sum_log += y;
      ss += (y - t[0]) * (y - t[0]);
    }
    const double n = static_cast<double>(x.size());
    return -sum_log - 0.5 * n * std::log(2 * std::numbers::pi * t[1]) - ss / (2 * t[1]);
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double s = 0, ss = 0;
    for (double xi : x) {
      const double d = std::log(xi) - t[0];
      s += d;
      ss += d * d;
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
      const double d = std::log(xi) - t[0];
      s += d;
      ss += d * d;
    }
    const double n = static_cast<double>(x.size()), v = t[1];
    matrix<2> info;
    info << n / v, s / (v * v), s / (v * v), -0.5 * n / (v * v) + ss / (v * v * v);
    return info;
  }

  static fit_result<2> fit(std::span<const double> x) {
    const double n = static_cast<double>(x.size());
    double sum_log = 0;
    for (double xi : x) sum_log += std::log(xi);
    const double mu = sum_log / n;
    double ss = 0;
    for (double xi : x) ss += (std::log(xi) - mu) * (std::log(xi) - mu);
    return {parameters{mu, ss / n}, true, 0};
  }
};

}  // namespace mlesim

// Bernoulli(p): closed-form MLE, the share of ones. p-hat = 0 or 1 is on the
// boundary: the Wald interval degenerates to a point and log_odds is infinite
// (counted as a failure for that estimand, never a crash).
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"

#include <boost/math/distributions/bernoulli.hpp>
#include <boost/random/bernoulli_distribution.hpp>

#include <cmath>

namespace mlesim {

struct bernoulli {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "bernoulli";
  static constexpr std::string_view summary = "Bernoulli(p) on {0, 1}";
  static constexpr std::array<std::string_view, 1> parameter_names{"p"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::binary;
  static constexpr bool closed_form = true;

  static constexpr std::array<reparametrization<1>, 1> reparametrizations{{
      {"log_odds", "log(p/(1-p))", [](const parameters& t) { return std::log(t[0] / (1 - t[0])); },
       [](const parameters& t) { return parameters{1 / (t[0] * (1 - t[0]))}; }, 0,
       [](double eta, const parameters&) { return parameters{1 / (1 + std::exp(-eta))}; }},
  }};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::open_unit("p", t[0]); }

  static std::string check(const parameters& t) { return checks::unit_within("p", t[0]); }

  static auto sampler(const parameters& t) {
    return [draw = boost::random::bernoulli_distribution<double>(t[0])](auto& engine) mutable {
      return draw(engine) ? 1.0 : 0.0;
    };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::bernoulli_distribution<>(t[0]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double ones = 0;
    for (double xi : x) ones += xi;
    const double zeros = static_cast<double>(x.size()) - ones;
    // 0 * log(0) = 0: a boundary p is a valid likelihood of a one-sided sample.
    return (ones > 0 ? ones * std::log(t[0]) : 0.0) + (zeros > 0 ? zeros * std::log1p(-t[0]) : 0.0);
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double ones = 0;
    for (double xi : x) ones += xi;
    const double zeros = static_cast<double>(x.size()) - ones;
    return parameters{ones / t[0] - zeros / (1 - t[0])};
  }

  static matrix<1> fisher_information(const parameters& t) {
    return matrix<1>{1 / (t[0] * (1 - t[0]))};
  }

  static matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    double ones = 0;
    for (double xi : x) ones += xi;
    const double zeros = static_cast<double>(x.size()) - ones;
    return matrix<1>{ones / (t[0] * t[0]) + zeros / ((1 - t[0]) * (1 - t[0]))};
  }

  static fit_result<1> fit(std::span<const double> x) {
    double ones = 0;
    for (double xi : x) ones += xi;
    return {parameters{ones / static_cast<double>(x.size())}, true, 0};
  }
};

}  // namespace mlesim

// Exponential(rate): closed-form MLE 1 / mean.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"

#include <boost/math/distributions/exponential.hpp>
#include <boost/random/exponential_distribution.hpp>

#include <cmath>

namespace mlesim {

struct exponential {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "exponential";
  static constexpr std::string_view summary = "Exponential(rate) on [0, inf)";
  static constexpr std::array<std::string_view, 1> parameter_names{"rate"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::nonnegative;
  static constexpr bool closed_form = true;
  static constexpr std::array<unit_role, 1> units{unit_role::rate};

  static constexpr std::array<reparametrization<1>, 1> reparametrizations{{
      {"mean", "1/rate", [](const parameters& t) { return 1 / t[0]; },
       [](const parameters& t) { return parameters{-1 / (t[0] * t[0])}; }, 0,
       [](double eta, const parameters&) { return parameters{1 / eta}; }},
  }};

  // rate-hat = n rate / Gamma(n, 1): finite moments below order n; the
  // mean's estimate, the sample mean, has them all.
  static double moments_below(const parameters&, double n, std::string_view estimand) {
    return estimand == "rate" ? n : INFINITY;
  }

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::positive("rate", t[0]); }

  static std::string check(const parameters& t) { return checks::positive_within("rate", t[0]); }

  static auto sampler(const parameters& t) {
    return boost::random::exponential_distribution<double>(t[0]);
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::exponential_distribution<>(t[0]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return static_cast<double>(x.size()) * std::log(t[0]) - t[0] * sum;
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return parameters{static_cast<double>(x.size()) / t[0] - sum};
  }

  static matrix<1> fisher_information(const parameters& t) {
    return matrix<1>{1 / (t[0] * t[0])};
  }

  static matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    return matrix<1>{static_cast<double>(x.size()) / (t[0] * t[0])};
  }

  static fit_result<1> fit(std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return {parameters{static_cast<double>(x.size()) / sum}, true, 0};
  }
};

}  // namespace mlesim

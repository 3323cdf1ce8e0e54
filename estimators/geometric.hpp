// Geometric(p): the number of failures before the first success, on
// {0, 1, 2, ...}, P(k) = p (1 - p)^k. Closed-form MLE 1 / (1 + mean); an
// all-zero sample puts p-hat = 1 on the boundary.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"

#include <boost/math/distributions/geometric.hpp>

#include <cmath>

namespace mlesim {

struct geometric {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "geometric";
  static constexpr std::string_view summary = "Geometric(p): failures before the first success, on {0, 1, 2, ...}";
  static constexpr std::array<std::string_view, 1> parameter_names{"p"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::counts;
  static constexpr bool closed_form = true;

  static constexpr std::array<reparametrization<1>, 1> reparametrizations{{
      {"mean", "(1-p)/p", [](const parameters& t) { return (1 - t[0]) / t[0]; },
       [](const parameters& t) { return parameters{-1 / (t[0] * t[0])}; }, 0,
       [](double eta, const parameters&) { return parameters{1 / (1 + eta)}; }},
  }};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::open_unit("p", t[0]); }

  static std::string check(const parameters& t) { return checks::unit_within("p", t[0]); }

  // Inversion, floor(E / -log(1 - p)) with E exponential, in double: Boost's
  // takes log(1 - p), which keeps only 1e-16 / p of the rate's digits, and
  // casts the draw to an integer type, which a mean beyond 2^63 overflows.
  static auto sampler(const parameters& t) {
    return [rate = -std::log1p(-t[0])](auto& engine) {
      const double u = (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
      return std::floor(-std::log(u) / rate);
    };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::geometric_distribution<>(t[0]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return static_cast<double>(x.size()) * std::log(t[0]) + (sum > 0 ? sum * std::log1p(-t[0]) : 0.0);
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return parameters{static_cast<double>(x.size()) / t[0] - sum / (1 - t[0])};
  }

  static matrix<1> fisher_information(const parameters& t) { return matrix<1>{1 / (t[0] * t[0] * (1 - t[0]))}; }

  static matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return matrix<1>{static_cast<double>(x.size()) / (t[0] * t[0]) + sum / ((1 - t[0]) * (1 - t[0]))};
  }

  static fit_result<1> fit(std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return {parameters{1 / (1 + sum / static_cast<double>(x.size()))}, true, 0};
  }
};

}  // namespace mlesim

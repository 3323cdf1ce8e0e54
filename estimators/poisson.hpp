// Poisson(lambda): closed-form MLE, the sample mean; an all-zero sample gives
// lambda-hat = 0 on the boundary, with a zero (degenerate) standard error.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/special_functions.hpp"

#include <boost/math/distributions/poisson.hpp>
#include <boost/random/poisson_distribution.hpp>

#include <cmath>

namespace mlesim {

struct poisson {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "poisson";
  static constexpr std::string_view summary = "Poisson(lambda) on {0, 1, 2, ...}";
  static constexpr std::array<std::string_view, 1> parameter_names{"lambda"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::counts;
  static constexpr bool closed_form = true;

  static constexpr std::array<reparametrization<1>, 0> reparametrizations{};

  // Above 1e15 a count (lambda + 40 sqrt(lambda)) nears 2^53, beyond which
  // doubles are no longer every integer, and Boost's sampler casts floor(x)
  // of its draws to long: at 1e19 that cast is out of range (undefined).
  static constexpr double max_lambda = 1e15;

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::positive("lambda", t[0]); }

  static std::string check(const parameters& t) { return checks::positive_within("lambda", t[0], checks::scale_low, max_lambda); }

  static auto sampler(const parameters& t) {
    return [draw = boost::random::poisson_distribution<long, double>(t[0])](auto& engine) mutable {
      return static_cast<double>(draw(engine));
    };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::poisson_distribution<>(t[0]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double result = 0;
    for (double xi : x) result += (xi > 0 ? xi * std::log(t[0]) : 0.0) - t[0] - math::lgamma(xi + 1);
    return result;
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return parameters{sum / t[0] - static_cast<double>(x.size())};
  }

  static matrix<1> fisher_information(const parameters& t) { return matrix<1>{1 / t[0]}; }

  static matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return matrix<1>{sum / (t[0] * t[0])};
  }

  static fit_result<1> fit(std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi;
    return {parameters{sum / static_cast<double>(x.size())}, true, 0};
  }
};

}  // namespace mlesim

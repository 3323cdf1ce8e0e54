// Beta(a, b) on (0, 1). Numeric MLE by the generic Newton maximizer from the
// method of moments; the observed information equals n times the expected one
// (an exponential family in (a, b)).
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"
#include "estimators/special_functions.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/random/beta_distribution.hpp>

#include <cmath>

namespace mlesim {

struct beta {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "beta";
  static constexpr std::string_view summary = "Beta(a, b) on (0, 1)";
  static constexpr std::array<std::string_view, 2> parameter_names{"a", "b"};
  static constexpr std::size_t min_sample_size = 2;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::unit;
  static constexpr bool closed_form = false;

  static constexpr std::array<reparametrization<2>, 1> reparametrizations{{
      {"mean", "a/(a+b)", [](const parameters& t) { return t[0] / (t[0] + t[1]); },
       [](const parameters& t) {
         const double s = t[0] + t[1];
         return parameters{t[1] / (s * s), -t[0] / (s * s)};
       },
       1, [](double eta, const parameters& t) { return parameters{t[0], t[0] * (1 - eta) / eta}; }},
  }};

  // Method of moments: a + b = mean (1 - mean) / variance - 1, a = mean (a + b):
  // the reciprocal of the variance, as the MLE's limits (moments_below).
  static constexpr bool alternative_shares_moments = true;
  static constexpr alternative_estimator<2> alternative{
      "method of moments", [](std::span<const double> x) -> fit_result<2> {
        const sample_moments m(x);
        const double common = m.mean * (1 - m.mean) / m.variance - 1;
        return {parameters{m.mean * common, (1 - m.mean) * common}, common > 0 && std::isfinite(common), 0};
      }};

  // Below 0.5 a draw rounds to 1 (or to 0) too often: P(1 - X < 1.1e-16) is
  // 7e-9 at b = 0.5 and 3% at b = 0.1, and x = 1 has no log-likelihood; above
  // 1e8 the draws' spread nears the spacing of doubles.
  static constexpr double min_shape = 0.5, max_shape = 1e8;

  // As the sample concentrates, a + b grows like the reciprocal of its
  // variance (the beta is then nearly normal with variance m(1 - m)/(a + b)),
  // whose n - 1 free dimensions give P(var < e) ~ e^((n-1)/2): a-hat and
  // b-hat have finite moments below order (n - 1)/2, as the gamma's shape.
  // The mean a/(a + b) lies in (0, 1) and has them all.
  static double moments_below(const parameters&, double n, std::string_view estimand) {
    return estimand == "a" || estimand == "b" ? (n - 1) / 2 : INFINITY;
  }

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::positive("a", t[0]), checks::positive("b", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::positive_within("a", t[0], min_shape, max_shape),
                                 checks::positive_within("b", t[1], min_shape, max_shape));
  }

  static auto sampler(const parameters& t) { return boost::random::beta_distribution<double>(t[0], t[1]); }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::beta_distribution<>(t[0], t[1]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += (t[0] - 1) * std::log(xi) + (t[1] - 1) * std::log1p(-xi);
    const double log_beta = math::lgamma(t[0]) + math::lgamma(t[1]) - math::lgamma(t[0] + t[1]);
    return sum - static_cast<double>(x.size()) * log_beta;
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    double sum_log = 0, sum_log1m = 0;
    for (double xi : x) {
      sum_log += std::log(xi);
      sum_log1m += std::log1p(-xi);
    }
    const double n = static_cast<double>(x.size()), both = math::digamma(t[0] + t[1]);
    return {sum_log - n * (math::digamma(t[0]) - both), sum_log1m - n * (math::digamma(t[1]) - both)};
  }

  static matrix<2> fisher_information(const parameters& t) {
    const double both = math::trigamma(t[0] + t[1]);
    matrix<2> info;
    info << math::trigamma(t[0]) - both, -both, -both, math::trigamma(t[1]) - both;
    return info;
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    return static_cast<double>(x.size()) * fisher_information(t);
  }

  static fit_result<2> fit(std::span<const double> x) {
    const auto [mean, variance] = sample_moments(x);
    if (!(variance > 0)) return {parameters{NAN, NAN}, false, 0};
    double common = mean * (1 - mean) / variance - 1;
    if (!(common > 0)) common = 1;  // moments impossible for a beta: start from a + b = 1
    return fit_by_newton<beta>(x, parameters{mean * common, (1 - mean) * common},
                               {parameter_scale::positive, parameter_scale::positive});
  }
};

}  // namespace mlesim

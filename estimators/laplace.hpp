// Laplace(mu, b), density exp(-|x - mu| / b) / (2 b). Closed-form MLE: the
// sample median and the mean absolute deviation from it. The log-likelihood
// is piecewise linear in mu: its second derivative in mu is zero wherever it
// exists, so the observed information's mu entry is taken as the expected
// one, n / b^2, the variance the median attains asymptotically.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/sample_statistics.hpp"

#include <boost/math/distributions/laplace.hpp>
#include <boost/random/laplace_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mlesim {

struct laplace {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "laplace";
  static constexpr std::string_view summary = "Laplace(mu, b) on the real line, density exp(-|x-mu|/b)/(2b)";
  static constexpr std::array<std::string_view, 2> parameter_names{"mu", "b"};
  static constexpr std::size_t min_sample_size = 2;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::real_line;
  static constexpr bool closed_form = true;
  static constexpr std::array<unit_role, 2> units{unit_role::location, unit_role::scale};

  static constexpr std::array<reparametrization<2>, 0> reparametrizations{};

  // The MLE of mu is the median already: the method of moments, mu = mean and
  // b = sqrt(variance / 2), is the textbook alternative it beats.
  static constexpr alternative_estimator<2> alternative{
      "method of moments", [](std::span<const double> x) -> fit_result<2> {
        const sample_moments m(x);
        return {parameters{m.mean, std::sqrt(m.variance / 2)}, m.variance > 0, 0};
      }};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive("b", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive_within("b", t[1]),
                                 checks::location_within("mu", t[0], t[1]));
  }

  static auto sampler(const parameters& t) { return boost::random::laplace_distribution<double>(t[0], t[1]); }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::laplace_distribution<>(t[0], t[1]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += std::abs(xi - t[0]);
    return -static_cast<double>(x.size()) * std::log(2 * t[1]) - sum / t[1];
  }

  // Where the score jumps (sign(x - mu)): a quadrature over x must split
  // there, and E[score] is differentiated numerically, not through the
  // Hessian, which misses the jump's contribution 2 g(mu) / b.
  static std::array<double, 1> score_kinks(const parameters& t) { return {t[0]}; }

  static parameters score(const parameters& t, std::span<const double> x) {
    double signs = 0, sum = 0;
    for (double xi : x) {
      signs += (xi > t[0]) - (xi < t[0]);
      sum += std::abs(xi - t[0]);
    }
    return {signs / t[1], -static_cast<double>(x.size()) / t[1] + sum / (t[1] * t[1])};
  }

  static matrix<2> fisher_information(const parameters& t) {
    matrix<2> info;
    info << 1 / (t[1] * t[1]), 0, 0, 1 / (t[1] * t[1]);
    return info;
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    double signs = 0, sum = 0;
    for (double xi : x) {
      signs += (xi > t[0]) - (xi < t[0]);
      sum += std::abs(xi - t[0]);
    }
    const double n = static_cast<double>(x.size()), b = t[1];
    matrix<2> info;
    info << n / (b * b), signs / (b * b), signs / (b * b), -n / (b * b) + 2 * sum / (b * b * b);
    return info;
  }

  static fit_result<2> fit(std::span<const double> x) {
    std::vector<double> sorted(x.begin(), x.end());
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    // Any point between the middle two maximizes for even n: their midpoint.
    const double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    double sum = 0;
    for (double xi : x) sum += std::abs(xi - median);
    return {parameters{median, sum / static_cast<double>(n)}, true, 0};
  }
};

}  // namespace mlesim

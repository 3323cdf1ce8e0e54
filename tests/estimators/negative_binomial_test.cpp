// What is the negative binomial's own; the theory every family shares is
// checked by family_rig_test.cpp.
#include "estimators/negative_binomial.hpp"

#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace mlesim;
using F = mlesim::negative_binomial;

TEST_CASE("negative_binomial: underdispersed data have no MLE, reported as no convergence") {
  const std::vector<double> x{3, 3, 4, 3, 4, 3};
  CHECK_FALSE(F::fit(x).converged);
}

TEST_CASE("negative_binomial: the method of moments matches the moments; none without overdispersion") {
  const std::vector<double> x{0, 1, 1, 2, 6};  // mean 2, variance 4.4
  const auto fit = F::alternative.estimate(x);
  REQUIRE(fit.converged);
  const double r = fit.theta[0], p = fit.theta[1];
  CHECK(r * (1 - p) / p == doctest::Approx(2));
  CHECK(r * (1 - p) / (p * p) == doctest::Approx(4.4));
  CHECK_FALSE(F::alternative.estimate(std::vector<double>{1, 2, 3}).converged);
}

namespace {

// The reference I_rr = sum_j P(X > j) / (r + j)^2 summed term by term in long
// double (64-bit mantissa: 1e8 terms lose under 1e-11). Below j0 = mean - 20 SD,
// where P(X > j) = 1 to within 1e-40 for the r >= 1e4 that start there,
// the terms are the closed form trigamma(r) - trigamma(r + j0); from j0 the
// mass comes from Boost's density and survival at j0 and is recursed up until
// a bound on the sum left is under 1e-13 of the sum.
double reference_size_information(double r, double p) {
  using real = long double;
  const boost::math::negative_binomial_distribution<real> law(r, p);
  const real q = 1 - static_cast<real>(p), mean = r * q / p, sd = std::sqrt(r * q) / p;
  const real j0 = r >= 1e4 ? std::max<real>(0, std::floor(mean - 20 * sd)) : 0;
  real sum = j0 > 0 ? boost::math::trigamma(static_cast<real>(r)) - boost::math::trigamma(r + j0) : 0;
  real mass = j0 > 0 ? boost::math::pdf(law, j0) : std::exp(r * std::log(static_cast<real>(p)));
  real survival = j0 > 0 ? boost::math::cdf(boost::math::complement(law, j0))
                         : -std::expm1(r * std::log(static_cast<real>(p)));  // P(X > 0)
  for (real j = j0;; ++j) {
    sum += survival / ((r + j) * (r + j));
    // Past the mode the mass falls by rho = (j + r) q / (j + 1) a step, rho
    // itself falling for r >= 1 and below q for r < 1: P(X > j) is below
    // P(X = j) rho / (1 - rho), and the sum left below P(X > j) / (r + j).
    const real rho = r >= 1 ? (j + r) / (j + 1) * q : q;
    if (j > mean && rho < 1 && mass * rho / (1 - rho) / (r + j) < 1e-13L * sum) break;
    mass *= (j + r) / (j + 1) * q;  // P(X = j + 1)
    survival -= mass;
    if (survival <= 0) break;
  }
  return static_cast<double>(sum);
}

}  // namespace

// A grid over the scales that matter: size from 1e-3 to 1e12, prob from 1e-6
// to 1 - 1e-9, where summing took up to mean + 60 SD terms per call.
TEST_CASE("negative_binomial: I_rr in bounded time equals the sum of P(X > j) / (r + j)^2 to 1e-10") {
  for (double r : {1e-3, 0.5, 1.0, 3.7, 100.0, 1e4, 1e8, 1e12})
    for (double p : {1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999, 1 - 1e-9}) {
      // The reference's terms: from mean - 20 SD to mean + 40 SD, or from 0
      // through a tail that falls as (1 - p)^j; skipped beyond 1e8.
      const double mean = r * (1 - p) / p, sd = std::sqrt(r * (1 - p)) / p;
      if ((r >= 1e4 ? 60 * sd : mean + 40 * sd + 70 / p) > 1e8) continue;
      CAPTURE(r);
      CAPTURE(p);
      CHECK(F::size_information(r, p) == doctest::Approx(reference_size_information(r, p)).epsilon(1e-10));
    }
}

// Where no sum is feasible: at size 1, X is geometric and sum_{k>=1} q^k / k^2
// = Li2(q), Li2(1 - p) = pi^2/6 - log(p) log(1 - p) - Li2(p) (Euler's reflection).
TEST_CASE("negative_binomial: I_rr at size 1 is the dilogarithm, down to prob 1e-300") {
  for (double p : {1e-300, 1e-100, 1e-12}) {
    const double li2_p = p;  // Li2(p) = p + p^2/4 + ...
    const double expected = std::numbers::pi * std::numbers::pi / 6 - std::log(p) * std::log1p(-p) - li2_p;
    CAPTURE(p);
    CHECK(F::size_information(1, p) == doctest::Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("negative_binomial: the Fisher information is finite at the extreme sizes and probs, in bounded time") {
  for (double r : {1e-100, 1e-3, 1.0, 1e8, 1e12, 1e15})
    for (double p : {1e-300, 1e-6, 0.5, 1 - 1e-9}) {
      CAPTURE(r);
      CAPTURE(p);
      const double rr = F::size_information(r, p);
      CHECK(std::isfinite(rr));
      CHECK(rr > 0);
    }
}

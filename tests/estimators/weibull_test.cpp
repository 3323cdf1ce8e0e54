// What is the Weibull's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/weibull.hpp"

#include "family_checks.hpp"

#include <cmath>

using namespace mlesim;
using F = mlesim::weibull;
using P = F::parameters;

TEST_CASE("weibull: shape 1 is the exponential, whose MLE scale is the mean") {
  // With k fixed at 1 the profile scale is mean(x): check the full fit agrees with a 1-D solve.
  const auto x = testing::draw_sample<F>(P{1.0, 2.0}, 300, 7);
  const auto fit = F::fit(x);
  double sum_pow = 0;
  for (double xi : x) sum_pow += std::pow(xi, fit.theta[0]);
  // scale-hat = (mean x^k)^(1/k) at the MLE (the scale score equation).
  CHECK(fit.theta[1] == doctest::Approx(std::pow(sum_pow / 300, 1 / fit.theta[0])).epsilon(1e-10));
}

TEST_CASE("weibull: the method of moments reproduces the sample mean and 1/n variance") {
  const auto x = testing::draw_sample<F>(P{1.8, 3}, 200, 8);
  const auto fit = F::alternative.estimate(x);
  REQUIRE(fit.converged);
  const double k = fit.theta[0], lambda = fit.theta[1];
  const double mean = lambda * std::tgamma(1 + 1 / k);
  const double variance = lambda * lambda * std::tgamma(1 + 2 / k) - mean * mean;
  const sample_moments m(x);
  CHECK(mean == doctest::Approx(m.mean).epsilon(1e-10));
  CHECK(variance == doctest::Approx(m.variance).epsilon(1e-9));
}

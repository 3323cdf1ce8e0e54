#include "estimators/weibull.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/weibull.hpp>

using namespace mlesim;
using F = mlesim::weibull;
using P = F::parameters;

TEST_CASE("weibull: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{0.05, 0.4, 1.2, 3.3, 9};
  for (const P& t : {P{1.8, 3}, P{0.7, 1}, P{5, 4}}) testing::check_log_likelihood<F>(t, x, boost::math::weibull_distribution<>(t[0], t[1]));
}

TEST_CASE("weibull: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{1.8, 3}, 50, 1);
  for (const P& t : {P{1.8, 3}, P{0.7, 1}, P{5, 4}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("weibull: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{1.8, 3}, 2);
}

TEST_CASE("weibull: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{1.8, 3}, testing::draw_sample<F>(P{1.8, 3}, 40, 3));
}

TEST_CASE("weibull: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{1.8, 3}, 200, seed));
}

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

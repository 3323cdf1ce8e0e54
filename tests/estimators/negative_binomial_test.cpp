#include "estimators/negative_binomial.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/negative_binomial.hpp>

using namespace mlesim;
using F = mlesim::negative_binomial;
using P = F::parameters;

TEST_CASE("negative_binomial: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{0, 1, 3, 8, 40};
  for (const P& t : {P{2.5, 0.4}, P{0.7, 0.1}, P{20, 0.9}}) testing::check_log_likelihood<F>(t, x, boost::math::negative_binomial_distribution<>(t[0], t[1]));
}

TEST_CASE("negative_binomial: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{2.5, 0.4}, 50, 1);
  for (const P& t : {P{2.5, 0.4}, P{0.7, 0.1}, P{20, 0.9}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("negative_binomial: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{2.5, 0.4}, 2);
}

TEST_CASE("negative_binomial: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{2.5, 0.4}, testing::draw_sample<F>(P{2.5, 0.4}, 40, 3));
}

TEST_CASE("negative_binomial: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{2.5, 0.4}, 200, seed));
}

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

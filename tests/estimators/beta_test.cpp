#include "estimators/beta.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/beta.hpp>

using namespace mlesim;
using F = mlesim::beta;
using P = F::parameters;

TEST_CASE("beta: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{0.01, 0.2, 0.5, 0.77, 0.99};
  for (const P& t : {P{2, 5}, P{0.5, 0.5}, P{8, 1.2}}) testing::check_log_likelihood<F>(t, x, boost::math::beta_distribution<>(t[0], t[1]));
}

TEST_CASE("beta: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{2, 5}, 50, 1);
  for (const P& t : {P{2, 5}, P{0.5, 0.5}, P{8, 1.2}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("beta: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{2, 5}, 2);
}

TEST_CASE("beta: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{2, 5}, testing::draw_sample<F>(P{2, 5}, 40, 3));
}

TEST_CASE("beta: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{2, 5}, 200, seed));
}


TEST_CASE("beta: the method of moments matches mean and 1/n variance") {
  const std::vector<double> x{0.2, 0.4, 0.6};  // mean 0.4, variance 0.08/3
  const auto fit = F::alternative.estimate(x);
  REQUIRE(fit.converged);
  const double a = fit.theta[0], b = fit.theta[1];
  CHECK(a / (a + b) == doctest::Approx(0.4));
  CHECK(a * b / ((a + b) * (a + b) * (a + b + 1)) == doctest::Approx(0.08 / 3));
}

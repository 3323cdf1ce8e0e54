#include "estimators/cauchy.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/cauchy.hpp>

using namespace mlesim;
using F = mlesim::cauchy;
using P = F::parameters;

TEST_CASE("cauchy: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{-30, -1, 0.1, 2, 100};
  for (const P& t : {P{0, 1.5}, P{4, 0.2}}) testing::check_log_likelihood<F>(t, x, boost::math::cauchy_distribution<>(t[0], t[1]));
}

TEST_CASE("cauchy: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{0, 1.5}, 50, 1);
  for (const P& t : {P{0, 1.5}, P{4, 0.2}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("cauchy: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{0, 1.5}, 2);
}

TEST_CASE("cauchy: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{0, 1.5}, testing::draw_sample<F>(P{0, 1.5}, 40, 3));
}

TEST_CASE("cauchy: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{0, 1.5}, 200, seed));
}


TEST_CASE("cauchy: the quartile estimator is the median and half the interquartile range") {
  const std::vector<double> x{-4, -1, 0, 2, 10};  // type-7 quartiles -1 and 2
  const auto fit = F::alternative.estimate(x);
  CHECK(fit.theta[0] == 0);
  CHECK(fit.theta[1] == doctest::Approx(1.5));
}

#include "estimators/logistic.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/logistic.hpp>

using namespace mlesim;
using F = mlesim::logistic;
using P = F::parameters;

TEST_CASE("logistic: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{-5, 0.2, 1.9, 2.4, 40};
  for (const P& t : {P{2, 0.5}, P{-1, 3}}) testing::check_log_likelihood<F>(t, x, boost::math::logistic_distribution<>(t[0], t[1]));
}

TEST_CASE("logistic: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{2, 0.5}, 50, 1);
  for (const P& t : {P{2, 0.5}, P{-1, 3}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("logistic: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{2, 0.5}, 2);
}

TEST_CASE("logistic: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{2, 0.5}, testing::draw_sample<F>(P{2, 0.5}, 40, 3));
}

TEST_CASE("logistic: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{2, 0.5}, 200, seed));
}


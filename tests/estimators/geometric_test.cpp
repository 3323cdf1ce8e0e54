#include "estimators/geometric.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/geometric.hpp>

using namespace mlesim;
using F = mlesim::geometric;
using P = F::parameters;

TEST_CASE("geometric: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{0, 1, 2, 5, 13};
  for (const P& t : {P{0.3}, P{0.05}, P{0.8}}) testing::check_log_likelihood<F>(t, x, boost::math::geometric_distribution<>(t[0]));
}

TEST_CASE("geometric: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{0.3}, 50, 1);
  for (const P& t : {P{0.3}, P{0.05}, P{0.8}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("geometric: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{0.3}, 2);
}

TEST_CASE("geometric: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{0.3}, testing::draw_sample<F>(P{0.3}, 40, 3));
}

TEST_CASE("geometric: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{0.3}, 200, seed));
}

TEST_CASE("geometric: MLE is 1 / (1 + mean)") {
  const std::vector<double> x{0, 2, 4};
  CHECK(F::fit(x).theta[0] == doctest::Approx(1.0 / 3));
}

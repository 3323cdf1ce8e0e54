#include "estimators/lognormal.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/lognormal.hpp>

using namespace mlesim;
using F = mlesim::lognormal;
using P = F::parameters;

TEST_CASE("lognormal: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{0.1, 0.7, 1.0, 2.5, 30};
  for (const P& t : {P{0.5, 0.64}, P{-1, 2}, P{3, 0.1}}) testing::check_log_likelihood<F>(t, x, boost::math::lognormal_distribution<>(t[0], std::sqrt(t[1])));
}

TEST_CASE("lognormal: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{0.5, 0.64}, 50, 1);
  for (const P& t : {P{0.5, 0.64}, P{-1, 2}, P{3, 0.1}}) testing::check_score_is_gradient<F>(t, x);
}

TEST_CASE("lognormal: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{0.5, 0.64}, 2);
}

TEST_CASE("lognormal: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{0.5, 0.64}, testing::draw_sample<F>(P{0.5, 0.64}, 40, 3));
}

TEST_CASE("lognormal: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6}) testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{0.5, 0.64}, 200, seed));
}

TEST_CASE("lognormal: MLE is the normal MLE of the logs") {
  const std::vector<double> x{std::exp(1.0), std::exp(2.0), std::exp(4.0), std::exp(7.0)};
  const auto fit = F::fit(x);
  CHECK(fit.theta[0] == doctest::Approx(3.5));
  CHECK(fit.theta[1] == doctest::Approx(21.0 / 4));
}

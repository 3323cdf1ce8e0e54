#include "estimators/exponential.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/exponential.hpp>

using namespace mlesim;
using P = exponential::parameters;

TEST_CASE("exponential: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{0.0, 0.01, 0.5, 1.0, 4.2, 30.0};
  for (double rate : {0.1, 1.0, 2.0, 17.5})
    testing::check_log_likelihood<exponential>(P{rate}, x, boost::math::exponential_distribution<>(rate));
}

TEST_CASE("exponential: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<exponential>(P{2}, 50, 1);
  for (double rate : {0.5, 2.0, 7.0}) testing::check_score_is_gradient<exponential>(P{rate}, x);
}

TEST_CASE("exponential: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<exponential>(P{2}, 2);
  testing::check_information_is_score_variance<exponential>(P{0.25}, 3);
}

TEST_CASE("exponential: MLE is n / sum and a stationary point") {
  const std::vector<double> x{0.5, 1.5, 2.0};
  CHECK(exponential::fit(x).theta[0] == doctest::Approx(3.0 / 4.0));
  testing::check_mle_is_stationary<exponential>(testing::draw_sample<exponential>(P{2}, 40, 4));
}

TEST_CASE("exponential: mean reparametrization and its gradient") {
  const auto& mean = exponential::reparametrizations[0];
  CHECK(mean.value(P{4}) == doctest::Approx(0.25));
  const double h = 1e-6;
  CHECK(mean.gradient(P{4})[0] == doctest::Approx((mean.value(P{4 + h}) - mean.value(P{4 - h})) / (2 * h)));
}

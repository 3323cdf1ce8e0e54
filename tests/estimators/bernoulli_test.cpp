#include "estimators/bernoulli.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/bernoulli.hpp>

using namespace mlesim;
using P = bernoulli::parameters;

TEST_CASE("bernoulli: log-likelihood matches Boost.Math's mass function") {
  const std::vector<double> x{0, 1, 1, 0, 0, 1, 0};
  for (double p : {0.01, 0.3, 0.5, 0.97})
    testing::check_log_likelihood<bernoulli>(P{p}, x, boost::math::bernoulli_distribution<>(p));
}

TEST_CASE("bernoulli: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<bernoulli>(P{0.3}, 50, 1);
  for (double p : {0.1, 0.3, 0.8}) testing::check_score_is_gradient<bernoulli>(P{p}, x);
}

TEST_CASE("bernoulli: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<bernoulli>(P{0.3}, 2);
  testing::check_information_is_score_variance<bernoulli>(P{0.05}, 3);
}

TEST_CASE("bernoulli: MLE is the share of ones; the boundary is a result") {
  const std::vector<double> x{1, 0, 0, 1, 1};
  CHECK(bernoulli::fit(x).theta[0] == doctest::Approx(0.6));
  testing::check_mle_is_stationary<bernoulli>(testing::draw_sample<bernoulli>(P{0.4}, 60, 4));
  const std::vector<double> zeros{0, 0, 0, 0};
  const auto fit = bernoulli::fit(zeros);
  CHECK(fit.converged);
  CHECK(fit.theta[0] == 0);
  CHECK(bernoulli::log_likelihood(fit.theta, zeros) == 0);  // L = 1 at p = 0
  CHECK(std::isinf(bernoulli::reparametrizations[0].value(fit.theta)));
}

TEST_CASE("bernoulli: log_odds reparametrization and its gradient") {
  const auto& log_odds = bernoulli::reparametrizations[0];
  CHECK(log_odds.value(P{0.5}) == doctest::Approx(0).scale(1));
  const double h = 1e-7;
  CHECK(log_odds.gradient(P{0.2})[0] ==
        doctest::Approx((log_odds.value(P{0.2 + h}) - log_odds.value(P{0.2 - h})) / (2 * h)));
}

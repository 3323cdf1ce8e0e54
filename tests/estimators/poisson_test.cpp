#include "estimators/poisson.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/poisson.hpp>

using namespace mlesim;
using P = poisson::parameters;

TEST_CASE("poisson: log-likelihood matches Boost.Math's mass function") {
  const std::vector<double> x{0, 1, 2, 5, 13, 40};
  for (double lambda : {0.2, 1.0, 4.5, 30.0})
    testing::check_log_likelihood<poisson>(P{lambda}, x, boost::math::poisson_distribution<>(lambda));
}

TEST_CASE("poisson: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<poisson>(P{3}, 50, 1);
  for (double lambda : {0.5, 3.0, 9.0}) testing::check_score_is_gradient<poisson>(P{lambda}, x);
}

TEST_CASE("poisson: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<poisson>(P{3}, 2);
  testing::check_information_is_score_variance<poisson>(P{0.4}, 3);
  testing::check_information_is_score_variance<poisson>(P{25}, 4);  // Boost's PTRD branch
}

TEST_CASE("poisson: MLE is the sample mean, on the boundary for an all-zero sample") {
  const std::vector<double> x{0, 2, 3, 7};
  CHECK(poisson::fit(x).theta[0] == doctest::Approx(3.0));
  testing::check_mle_is_stationary<poisson>(testing::draw_sample<poisson>(P{3}, 40, 5));
  const std::vector<double> zeros{0, 0, 0};
  const auto fit = poisson::fit(zeros);
  CHECK(fit.converged);
  CHECK(fit.theta[0] == 0);
}

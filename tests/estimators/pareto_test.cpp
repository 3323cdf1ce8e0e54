#include "estimators/pareto.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/pareto.hpp>

using namespace mlesim;
using F = mlesim::pareto;
using P = F::parameters;

namespace {
F with_minimum(double x_m) { return testing::with_known<F>({x_m}); }
}  // namespace

TEST_CASE("pareto: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{2, 2.01, 3.5, 10, 400};
  for (double alpha : {0.5, 2.0, 7.5})
    testing::check_log_likelihood<F>(P{alpha}, x, boost::math::pareto_distribution<>(2, alpha), with_minimum(2));
}

TEST_CASE("pareto: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{3}, 50, 1, with_minimum(1.5));
  for (double alpha : {0.5, 3.0, 9.0}) testing::check_score_is_gradient<F>(P{alpha}, x, with_minimum(1.5));
}

TEST_CASE("pareto: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{3}, 2, 200'000, with_minimum(1.5));
}

TEST_CASE("pareto: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{3}, testing::draw_sample<F>(P{3}, 40, 3, with_minimum(1.5)),
                                         with_minimum(1.5));
}

TEST_CASE("pareto: MLE is n / sum log(x/x_m) and a stationary point") {
  const std::vector<double> x{2, 2 * std::exp(1.0), 2 * std::exp(3.0)};
  CHECK(with_minimum(2).fit(x).theta[0] == doctest::Approx(3.0 / 4.0));
  testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{3}, 40, 4, with_minimum(1.5)), with_minimum(1.5));
}

TEST_CASE("pareto: the sample lies above x_m; all values at x_m leave no MLE") {
  for (double xi : testing::draw_sample<F>(P{3}, 1000, 5, with_minimum(1.5))) CHECK(xi >= 1.5);
  CHECK_FALSE(with_minimum(1.5).admits(1.4));
  CHECK(with_minimum(1.5).admits(1.5));
  const std::vector<double> x{1.5, 1.5};
  CHECK_FALSE(with_minimum(1.5).fit(x).converged);
  const double bad[] = {0};
  CHECK_FALSE(F::check_known(bad).empty());
}

TEST_CASE("pareto: the sampler draws the Pareto distribution") {
  testing::check_sampler_distribution<F>(P{3}, boost::math::pareto_distribution<>(1.5, 3), 10, with_minimum(1.5));
  testing::check_sampler_distribution<F>(P{0.5}, boost::math::pareto_distribution<>(2, 0.5), 11, with_minimum(2));
}

#include "estimators/uniform.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/uniform.hpp>

using namespace mlesim;
using P = uniform::parameters;

TEST_CASE("uniform: log-likelihood matches Boost.Math's density, -inf outside the support") {
  const std::vector<double> x{0.0, 0.4, 1.9, 2.0};
  for (double theta : {2.0, 3.5, 100.0})
    testing::check_log_likelihood<uniform>(P{theta}, x, boost::math::uniform_distribution<>(0, theta));
  CHECK(uniform::log_likelihood(P{1.5}, x) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("uniform: score is the gradient where the likelihood is positive") {
  const auto x = testing::draw_sample<uniform>(P{3}, 50, 1);
  for (double theta : {3.0, 5.0}) testing::check_score_is_gradient<uniform>(P{theta}, x);
}

TEST_CASE("uniform: MLE is the sample maximum, where the score does not vanish") {
  const std::vector<double> x{0.2, 2.7, 1.1};
  const auto fit = uniform::fit(x);
  CHECK(fit.theta[0] == 2.7);
  CHECK(uniform::score(fit.theta, x)[0] < 0);  // non-regular: no stationary point
  CHECK(uniform::log_likelihood(P{2.7 * (1 + 1e-9)}, x) < uniform::log_likelihood(fit.theta, x));
  CHECK(std::isinf(uniform::log_likelihood(P{2.7 * (1 - 1e-9)}, x)));
}

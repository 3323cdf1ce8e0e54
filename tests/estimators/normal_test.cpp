#include "estimators/normal.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/normal.hpp>

using namespace mlesim;
using P = normal::parameters;

TEST_CASE("normal: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{-2.5, -0.1, 0.0, 0.7, 3.3, 11.0};
  for (const P& t : {P{0, 1}, P{1.5, 0.25}, P{-3, 9}, P{5, 2.25}})
    testing::check_log_likelihood<normal>(t, x, boost::math::normal_distribution<>(t[0], std::sqrt(t[1])));
}

TEST_CASE("normal: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<normal>(P{1, 4}, 50, 1);
  for (const P& t : {P{1, 4}, P{0, 1}, P{2, 0.5}}) testing::check_score_is_gradient<normal>(t, x);
}

TEST_CASE("normal: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<normal>(P{1, 4}, 2);
  testing::check_information_is_score_variance<normal>(P{-2, 0.3}, 3);
}

TEST_CASE("normal: MLE is the closed form and a stationary point") {
  const std::vector<double> x{1, 2, 4, 7};  // mean 3.5, sum of squares 21
  const auto fit = normal::fit(x);
  CHECK(fit.theta[0] == doctest::Approx(3.5));
  CHECK(fit.theta[1] == doctest::Approx(21.0 / 4));
  testing::check_mle_is_stationary<normal>(testing::draw_sample<normal>(P{1, 4}, 40, 4));
}

TEST_CASE("normal: sigma reparametrization and its gradient") {
  const auto& sigma = normal::reparametrizations[0];
  CHECK(sigma.value(P{0, 4}) == doctest::Approx(2));
  const double h = 1e-6;
  CHECK(sigma.gradient(P{0, 4})[1] == doctest::Approx((sigma.value(P{0, 4 + h}) - sigma.value(P{0, 4 - h})) / (2 * h)));
  CHECK(sigma.gradient(P{0, 4})[0] == 0);
}

TEST_CASE("normal: parameter space") {
  CHECK(normal::check(P{0, 1}).empty());
  CHECK(normal::check(P{0, 0}) == "sigma2 is 0, but must be > 0");
  CHECK(normal::check(P{NAN, 1}) == "mu is nan, but must be finite");
}

// What is the gamma's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/gamma.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace mlesim;
using P = mlesim::gamma::parameters;

TEST_CASE("gamma: Newton's MLE converges in at most 20 iterations, from any shape") {
  for (const P& t : {P{2.5, 1.5}, P{0.2, 1.0}, P{50, 10}, P{1, 0.01}}) {
    CAPTURE(t.transpose());
    const auto fit = mlesim::gamma::fit(testing::draw_sample<mlesim::gamma>(t, 200, 4));
    CHECK(fit.converged);
    CHECK(fit.iterations <= 20);
  }
}

TEST_CASE("gamma: MLE agrees with a second method, bisection on the shape equation") {
  const auto x = testing::draw_sample<mlesim::gamma>(P{3, 2}, 100, 5);
  double sum = 0, sum_log = 0;
  for (double xi : x) {
    sum += xi;
    sum_log += std::log(xi);
  }
  const double s = std::log(sum / 100) - sum_log / 100;
  double low = 1e-3, high = 1e3;  // log k - digamma(k) decreases from +inf to 0
  for (int i = 0; i < 200; ++i) {
    const double mid = std::sqrt(low * high);
    (std::log(mid) - math::digamma(mid) > s ? low : high) = mid;
  }
  const auto fit = mlesim::gamma::fit(x);
  CHECK(fit.theta[0] == doctest::Approx(low).epsilon(1e-10));
  CHECK(fit.theta[1] == doctest::Approx(low / (sum / 100)).epsilon(1e-10));
}

TEST_CASE("gamma: no MLE for a sample of equal values") {
  const std::vector<double> x{2, 2, 2};
  CHECK_FALSE(mlesim::gamma::fit(x).converged);
}

TEST_CASE("gamma: the Marsaglia-Tsang sampler follows Boost.Math's gamma distribution") {
  // Pearson's chi-squared on 100 equal-probability classes of the CDF; each of
  // the four tests fails a correct sampler with probability 1e-6.
  for (const P& t : {P{0.3, 1}, P{1, 2}, P{2.5, 1.5}, P{40, 0.5}}) {
    CAPTURE(t.transpose());
    const boost::math::gamma_distribution<> dist(t[0], 1 / t[1]);
    const std::size_t draws = 200'000, classes = 100;
    const auto x = testing::draw_sample<mlesim::gamma>(t, draws, 6);
    std::vector<double> counts(classes);
    REQUIRE(*std::min_element(x.begin(), x.end()) > 0);
    for (double xi : x) counts[std::min(classes - 1, static_cast<std::size_t>(cdf(dist, xi) * classes))] += 1;
    double statistic = 0;
    const double expected = static_cast<double>(draws) / classes;
    for (double c : counts) statistic += (c - expected) * (c - expected) / expected;
    CHECK(statistic < quantile(boost::math::chi_squared(classes - 1), 1 - 1e-6));
  }
}

TEST_CASE("gamma: the method of moments matches mean and 1/n variance") {
  const std::vector<double> x{1, 2, 3, 6};  // mean 3, variance 3.5
  const auto fit = mlesim::gamma::alternative.estimate(x);
  REQUIRE(fit.converged);
  CHECK(fit.theta[0] == doctest::Approx(9 / 3.5));
  CHECK(fit.theta[1] == doctest::Approx(3 / 3.5));
}

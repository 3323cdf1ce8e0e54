#include "estimators/binomial.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/binomial.hpp>

using namespace mlesim;
using F = mlesim::binomial;
using P = F::parameters;

namespace {
F with_trials(double m) { return testing::with_known<F>({m}); }

double bernoulli_log_likelihood(double p, const std::vector<double>& x) {
  double sum = 0;
  for (double xi : x) sum += xi == 1 ? std::log(p) : std::log(1 - p);
  return sum;
}
}  // namespace

TEST_CASE("binomial: log-likelihood matches Boost.Math's mass function") {
  const std::vector<double> x{0, 1, 3, 7, 12};
  for (double p : {0.05, 0.4, 0.93})
    testing::check_log_likelihood<F>(P{p}, x, boost::math::binomial_distribution<>(12, p), with_trials(12));
}

TEST_CASE("binomial: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{0.3}, 50, 1, with_trials(8));
  for (double p : {0.1, 0.3, 0.8}) testing::check_score_is_gradient<F>(P{p}, x, with_trials(8));
}

TEST_CASE("binomial: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{0.3}, 2, 200'000, with_trials(8));
  testing::check_information_is_score_variance<F>(P{0.02}, 3, 200'000, with_trials(40));
}

TEST_CASE("binomial: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{0.3}, testing::draw_sample<F>(P{0.3}, 40, 3, with_trials(8)), with_trials(8));
}

TEST_CASE("binomial: MLE is the share of successes and a stationary point") {
  const std::vector<double> x{0, 2, 5, 1};
  CHECK(with_trials(5).fit(x).theta[0] == doctest::Approx(8.0 / 20.0));
  testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{0.3}, 60, 4, with_trials(8)), with_trials(8));
}

TEST_CASE("binomial: one trial is the Bernoulli") {
  const auto x = testing::draw_sample<F>(P{0.35}, 30, 5, with_trials(1));
  for (double xi : x) CHECK((xi == 0 || xi == 1));
  const double p = with_trials(1).fit(x).theta[0];
  CHECK(with_trials(1).log_likelihood(P{p}, x) == doctest::Approx(bernoulli_log_likelihood(p, x)));
}

TEST_CASE("binomial: the trials must be a whole number >= 1; counts above them are not data") {
  for (double m : {0.0, -3.0, 2.5, double(NAN)}) {
    const double known[] = {m};
    CHECK_FALSE(F::check_known(known).empty());
  }
  const double known[] = {10};
  CHECK(F::check_known(known).empty());
  CHECK(with_trials(10).admits(10));
  CHECK_FALSE(with_trials(10).admits(11));
  CHECK_FALSE(admits(with_trials(10), 2.5));
}

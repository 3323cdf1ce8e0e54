// What is the binomial's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/binomial.hpp"

#include "family_checks.hpp"

#include <cmath>
#include <vector>

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

TEST_CASE("binomial: MLE is the share of successes") {
  const std::vector<double> x{0, 2, 5, 1};
  CHECK(with_trials(5).fit(x).theta[0] == doctest::Approx(8.0 / 20.0));
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

// What is the Bernoulli's own; the theory every family shares (the
// log-likelihood against Boost.Math, the score, the information, the MLE's
// maximum, the sampler, log_odds' gradient) is checked by family_rig_test.cpp.
#include "estimators/bernoulli.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace mlesim;
using P = bernoulli::parameters;

TEST_CASE("bernoulli: MLE is the share of ones; the boundary is a result") {
  const std::vector<double> x{1, 0, 0, 1, 1};
  CHECK(bernoulli::fit(x).theta[0] == doctest::Approx(0.6));
  const std::vector<double> zeros{0, 0, 0, 0};
  const auto fit = bernoulli::fit(zeros);
  CHECK(fit.converged);
  CHECK(fit.theta[0] == 0);
  CHECK(bernoulli::log_likelihood(fit.theta, zeros) == 0);  // L = 1 at p = 0
  CHECK(std::isinf(bernoulli::reparametrizations[0].value(fit.theta)));
}

TEST_CASE("bernoulli: log_odds is 0 at p = 1/2") {
  CHECK(bernoulli::reparametrizations[0].value(P{0.5}) == doctest::Approx(0).scale(1));
}

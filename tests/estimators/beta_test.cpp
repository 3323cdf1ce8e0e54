// What is the beta's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/beta.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace mlesim;
using F = mlesim::beta;

TEST_CASE("beta: the method of moments matches mean and 1/n variance") {
  const std::vector<double> x{0.2, 0.4, 0.6};  // mean 0.4, variance 0.08/3
  const auto fit = F::alternative.estimate(x);
  REQUIRE(fit.converged);
  const double a = fit.theta[0], b = fit.theta[1];
  CHECK(a / (a + b) == doctest::Approx(0.4));
  CHECK(a * b / ((a + b) * (a + b) * (a + b + 1)) == doctest::Approx(0.08 / 3));
}

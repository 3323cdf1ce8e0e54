// What is the Poisson's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/poisson.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace mlesim;
TEST_CASE("poisson: MLE is the sample mean, on the boundary for an all-zero sample") {
  const std::vector<double> x{0, 2, 3, 7};
  CHECK(poisson::fit(x).theta[0] == doctest::Approx(3.0));
  const std::vector<double> zeros{0, 0, 0};
  const auto fit = poisson::fit(zeros);
  CHECK(fit.converged);
  CHECK(fit.theta[0] == 0);
}

// What is the lognormal's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/lognormal.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace mlesim;
using F = mlesim::lognormal;

TEST_CASE("lognormal: MLE is the normal MLE of the logs") {
  const std::vector<double> x{std::exp(1.0), std::exp(2.0), std::exp(4.0), std::exp(7.0)};
  const auto fit = F::fit(x);
  CHECK(fit.theta[0] == doctest::Approx(3.5));
  CHECK(fit.theta[1] == doctest::Approx(21.0 / 4));
}

// What is the geometric's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/geometric.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace mlesim;
using F = mlesim::geometric;

TEST_CASE("geometric: MLE is 1 / (1 + mean)") {
  const std::vector<double> x{0, 2, 4};
  CHECK(F::fit(x).theta[0] == doctest::Approx(1.0 / 3));
}

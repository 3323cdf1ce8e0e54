// What is the Cauchy's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/cauchy.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace mlesim;
using F = mlesim::cauchy;

TEST_CASE("cauchy: the quartile estimator is the median and half the interquartile range") {
  const std::vector<double> x{-4, -1, 0, 2, 10};  // type-7 quartiles -1 and 2
  const auto fit = F::alternative.estimate(x);
  CHECK(fit.theta[0] == 0);
  CHECK(fit.theta[1] == doctest::Approx(1.5));
}

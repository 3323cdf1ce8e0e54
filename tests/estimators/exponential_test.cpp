// What is the exponential's own; the theory every family shares (the
// log-likelihood against Boost.Math, the score, the information, the MLE's
// maximum, the sampler, the mean's gradient) is checked by
// family_rig_test.cpp.
#include "estimators/exponential.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace mlesim;
using P = exponential::parameters;

TEST_CASE("exponential: MLE is n / sum") {
  const std::vector<double> x{0.5, 1.5, 2.0};
  CHECK(exponential::fit(x).theta[0] == doctest::Approx(3.0 / 4.0));
}

TEST_CASE("exponential: the mean is 1 / rate") {
  CHECK(exponential::reparametrizations[0].value(P{4}) == doctest::Approx(0.25));
}

// What is the normal's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/normal.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace mlesim;
using P = normal::parameters;

TEST_CASE("normal: MLE is the closed form") {
  const std::vector<double> x{1, 2, 4, 7};  // mean 3.5, sum of squares 21
  const auto fit = normal::fit(x);
  CHECK(fit.theta[0] == doctest::Approx(3.5));
  CHECK(fit.theta[1] == doctest::Approx(21.0 / 4));
}

TEST_CASE("normal: sigma is the root of sigma2, whatever mu") {
  const auto& sigma = normal::reparametrizations[0];
  CHECK(sigma.value(P{0, 4}) == doctest::Approx(2));
  CHECK(sigma.gradient(P{0, 4})[0] == 0);
}

TEST_CASE("normal: parameter space") {
  CHECK(normal::check(P{0, 1}).empty());
  CHECK(normal::check(P{0, 0}) == "sigma2 is 0, but must be > 0");
  CHECK(normal::check(P{NAN, 1}) == "mu is nan, but must be finite");
}

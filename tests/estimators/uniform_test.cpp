// What is the uniform's own, the non-regular family; what applies of the
// theory every family shares (the log-likelihood against Boost.Math, the
// score where the likelihood is positive, the MLE's maximum, the sampler) is
// checked by family_rig_test.cpp.
#include "estimators/uniform.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace mlesim;
using P = uniform::parameters;

TEST_CASE("uniform: the log-likelihood is -inf when a value lies beyond theta") {
  const std::vector<double> x{0.0, 0.4, 1.9, 2.0};
  CHECK(uniform::log_likelihood(P{1.5}, x) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("uniform: MLE is the sample maximum, where the score does not vanish") {
  const std::vector<double> x{0.2, 2.7, 1.1};
  const auto fit = uniform::fit(x);
  CHECK(fit.theta[0] == 2.7);
  CHECK(uniform::score(fit.theta, x)[0] < 0);  // non-regular: no stationary point
  CHECK(uniform::log_likelihood(P{2.7 * (1 + 1e-9)}, x) < uniform::log_likelihood(fit.theta, x));
  CHECK(std::isinf(uniform::log_likelihood(P{2.7 * (1 - 1e-9)}, x)));
}

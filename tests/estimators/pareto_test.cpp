// What is the Pareto's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/pareto.hpp"

#include "family_checks.hpp"

#include <cmath>
#include <vector>

using namespace mlesim;
using F = mlesim::pareto;
using P = F::parameters;

namespace {
F with_minimum(double x_m) { return testing::with_known<F>({x_m}); }
}  // namespace

TEST_CASE("pareto: MLE is n / sum log(x/x_m)") {
  const std::vector<double> x{2, 2 * std::exp(1.0), 2 * std::exp(3.0)};
  CHECK(with_minimum(2).fit(x).theta[0] == doctest::Approx(3.0 / 4.0));
}

TEST_CASE("pareto: the sample lies above x_m; all values at x_m leave no MLE") {
  for (double xi : testing::draw_sample<F>(P{3}, 1000, 5, with_minimum(1.5))) CHECK(xi >= 1.5);
  CHECK_FALSE(with_minimum(1.5).admits(1.4));
  CHECK(with_minimum(1.5).admits(1.5));
  const std::vector<double> x{1.5, 1.5};
  CHECK_FALSE(with_minimum(1.5).fit(x).converged);
  const double bad[] = {0};
  CHECK_FALSE(F::check_known(bad).empty());
}

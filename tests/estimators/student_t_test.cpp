// What is Student's t's own; the theory every family shares is checked by
// family_rig_test.cpp.
#include "estimators/cauchy.hpp"
#include "estimators/student_t.hpp"

#include "family_checks.hpp"

using namespace mlesim;
using F = mlesim::student_t;
using P = F::parameters;

namespace {
F with_df(double df) { return testing::with_known<F>({df}); }
}  // namespace

TEST_CASE("student_t: one degree of freedom is the Cauchy, fit for fit") {
  const auto x = testing::draw_sample<F>(P{0.5, 1.5}, 300, 7, with_df(1));
  const auto t_fit = with_df(1).fit(x);
  const auto cauchy_fit = cauchy::fit(x);
  REQUIRE(t_fit.converged);
  REQUIRE(cauchy_fit.converged);
  CHECK(t_fit.theta[0] == doctest::Approx(cauchy_fit.theta[0]).epsilon(1e-9));
  CHECK(t_fit.theta[1] == doctest::Approx(cauchy_fit.theta[1]).epsilon(1e-9));
}

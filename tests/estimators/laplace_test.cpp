// What is the Laplace's own; the theory every family shares is checked by
// family_rig_test.cpp (all but the observed information, below).
#include "estimators/laplace.hpp"

#include "family_checks.hpp"

#include <cmath>
#include <vector>

using namespace mlesim;
using F = mlesim::laplace;
using P = F::parameters;

TEST_CASE("laplace: observed information is minus the Hessian, but n / b^2 for mu") {
  // log L is piecewise linear in mu: its second derivative there is 0 wherever it exists, and the
  // family reports the expected information n / b^2 in its place (the median's asymptotic variance).
  const P t{1, 2};
  const auto x = testing::draw_sample<F>(t, 41, 3);
  const auto observed = F::observed_information(t, x);
  CHECK(observed(0, 0) == doctest::Approx(41 / 4.0));
  const double h = 1e-6;
  const P column = -(F::score(P{1, 2 + h}, x) - F::score(P{1, 2 - h}, x)) / (2 * h);
  CHECK(observed(0, 1) == doctest::Approx(column[0]).epsilon(1e-6));
  CHECK(observed(1, 1) == doctest::Approx(column[1]).epsilon(1e-6));
}

TEST_CASE("laplace: MLE is the median and the mean absolute deviation") {
  const std::vector<double> x{5, 1, 2, 10, 3};
  const auto fit = F::fit(x);
  CHECK(fit.theta[0] == 3);
  CHECK(fit.theta[1] == doctest::Approx((2 + 1 + 0 + 2 + 7) / 5.0));
}

TEST_CASE("laplace: the method of moments is the mean and sqrt(variance / 2)") {
  const std::vector<double> x{-1, 0, 4};  // mean 1, 1/n variance 14/3
  const auto fit = F::alternative.estimate(x);
  CHECK(fit.theta[0] == doctest::Approx(1));
  CHECK(fit.theta[1] == doctest::Approx(std::sqrt(14.0 / 6)));
}

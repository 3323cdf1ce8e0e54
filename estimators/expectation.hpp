// Population expectations under a registered family, for the pseudo-true
// parameter and the sandwich variance of a misspecified fit.
#pragma once

#include "estimators/registry.hpp"

#include <functional>
#include <span>

namespace mlesim {

// E[h(X)] for X from `family` at theta: Boost.Math's double-exponential
// quadrature over a density's support (exp-sinh on the half line, sinh-sinh
// on the real line, tanh-sinh on [0, theta]), or summation over a mass
// function's support until the remaining mass is below 1e-16 or the support
// ends.
// `known` holds the family's known constants (empty for most families).
double expectation(const family_info& family, std::span<const double> theta, std::span<const double> known,
                   const std::function<double(double)>& h);

}  // namespace mlesim

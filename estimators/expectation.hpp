// Population expectations under a registered family, for the pseudo-true
// parameter and the sandwich variance of a misspecified fit.
#pragma once

#include "estimators/family_info.hpp"

#include <functional>
#include <span>
#include <string>

namespace mlesim {

// The relative precision every expectation must reach, against E|h(X)|.
inline constexpr double expectation_tolerance = 1e-10;

struct expectation_value {
  enum class state {
    ok,          // value is E[h(X)] to expectation_tolerance relative to l1
    infinite,    // the integral or sum diverges: the law lacks the moments h needs
    inaccurate,  // it may exist, but could not be computed to the tolerance
  };
  double value = 0;  // E[h(X)]
  double error = 0;  // the quadrature's own error estimate, absolute
  double l1 = 0;     // E|h(X)|, the scale the error is judged against
  state status = state::ok;
  std::string why{};  // for a status other than ok: what failed, in words

  bool ok() const { return status == state::ok; }
};

// E[h(X)] for X from `family` at theta (`known`: its known constants, empty
// for most families).
//
// A density is integrated piecewise: the support is split at quantiles of X
// (from 1e-12 to 1 - 1e-12, by Boost.Math), so that mass concentrated far
// from the origin or in a narrow band is seen, and at `breakpoints` (where h
// jumps or has a kink, such as a fitted Laplace's location). Bounded pieces
// use tanh-sinh quadrature, the tails exp-sinh, each with Boost's own error
// estimate; an infinite tail whose integrand decays no faster than 1/x is
// reported infinite. A mass function is summed over [q(1e-20), q*(1e-20)],
// the quantile and the complement's quantile rounded outward, so the mass
// left out is below 2e-20.
expectation_value expectation(const family_info& family, std::span<const double> theta, std::span<const double> known,
                              const std::function<double(double)>& h, std::span<const double> breakpoints = {});

}  // namespace mlesim

// Boost.Math special functions under the project's one policy.
#pragma once

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <cmath>

namespace mlesim::math {

// Boost.Math's default policy promotes double to long double internally,
// which made a gamma Newton step 3x slower for no accuracy we need.
using policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

inline double digamma(double x) { return boost::math::digamma(x, policy{}); }
inline double trigamma(double x) { return boost::math::trigamma(x, policy{}); }
inline double lgamma(double x) { return boost::math::lgamma(x, policy{}); }

// log x - digamma(x) and its derivative 1/x - trigamma(x), whose differences
// cancel for a large x (at x = 1e6 only 10 of 16 digits survive): beyond 10
// by the asymptotic series of digamma (Abramowitz & Stegun 6.3.18) to
// x^-14, whose remainder is below 1e-15 of the value there.
inline double log_minus_digamma(double x) {
  if (x < 10) return std::log(x) - digamma(x);
  const double y = 1 / (x * x);
  return 0.5 / x +
         y * (1.0 / 12 - y * (1.0 / 120 - y * (1.0 / 252 - y * (1.0 / 240 - y * (1.0 / 132 - y * (691.0 / 32760 - y / 12))))));
}
inline double log_minus_digamma_derivative(double x) {
  if (x < 10) return 1 / x - trigamma(x);
  const double y = 1 / (x * x);
  return -y * (0.5 + (1 / x) * (1.0 / 6 - y * (1.0 / 30 - y * (1.0 / 42 - y * (1.0 / 30 - y * (5.0 / 66 - y * (691.0 / 2730 - y * 7.0 / 6)))))));
}

// log(m choose k) for whole numbers 0 <= k <= m.
inline double log_choose(double m, double k) { return lgamma(m + 1) - lgamma(k + 1) - lgamma(m - k + 1); }

}  // namespace mlesim::math

// A generic maximizer for a smooth function of K variables that only needs
// the function: Newton's method on central-difference derivatives, with step
// halving. It is the independent second method of the invariance check, so it
// shares nothing with the families' own fits.
#pragma once

#include "estimators/family.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace mlesim {

struct numeric_newton_settings {
  // Relative step of the central differences: the gradient's truncation error
  // is O(h^2) ~ 1e-10 relative, its rounding error O(eps n / h), ~1e-9 for a
  // log-likelihood of a few thousand terms. Measured on the shipped suites:
  // at most 3e-9 relative error in the maximizer.
  double difference_step = 1e-5;
  // The same where the caller gives each coordinate's spread: relative to it
  // (measured on the shipped suites: at most 4e-8 relative error, with the
  // close steps below).
  double spread_difference_step = 1e-4;
  // And close steps: within a spread the log-likelihood falls as t^2 / 2 at
  // t spreads from its maximum, so a step of 1e-5 spreads changes it by
  // about 1e-10, below the rounding of a sum of thousands of terms, and a
  // line search cannot confirm it (2 of 200 Poisson fits at n = 4000 stuck
  // there). Below a hundredth of a spread Newton's model is good: taken as is.
  double spread_close_step = 1e-2;
  // Newton steps smaller than this, relative, are taken without a line
  // search: there the log-likelihood's rounding (a sum of n terms) can no
  // longer confirm an ascent, while the gradient still points the way.
  double close_step = 1e-5;
  // Done when a step is this small, relative, or after a few close steps,
  // which by quadratic convergence reach the gradient's noise floor.
  double step_tolerance = 1e-10;
  int close_steps = 4;
  int max_iterations = 100;
};

// Maximizes f from `start`; f returns -inf (or NaN) outside its domain. K may
// be Eigen::Dynamic, for a number of free coordinates known at run time.
// `spread`, where the caller knows it, is each coordinate's typical
// distance from the maximum (a standard error): the differences, the
// tolerances and a gradient step are then measured in it rather than in
// the coordinate's own size, which at a location of 1e6 and a spread of
// 1e-3 put the difference points 10^4 spreads apart.
template <int K, class Function>
fit_result<K> maximize_numeric(const Function& f, vector<K> start, const numeric_newton_settings& settings = {},
                               const std::optional<vector<K>>& spread = std::nullopt) {
  fit_result<K> result{start, false, 0};
  const int k = static_cast<int>(start.size());
  const bool spread_known =
      spread && spread->size() == k && spread->allFinite() && (spread->array() > 0).all();
  vector<K> x = start;
  double fx = f(x);
  if (!std::isfinite(fx)) return result;
  // A coordinate's scale: its spread, where known, else its size.
  const auto scale_of = [&](int i) { return spread_known ? (*spread)[i] : std::max(std::abs(x[i]), 1e-6); };
  int close_taken = 0;
  for (int iteration = 1; iteration <= settings.max_iterations; ++iteration) {
    vector<K> h = vector<K>::Zero(k);
    for (int i = 0; i < k; ++i) {
      // Within a spread the log-likelihood is a parabola: differences of
      // 1e-4 of it balance truncation against rounding. The step is then
      // the one the doubles actually take (at 1e6, a step of 1e-7 is 0.4%
      // off).
      if (spread_known) h[i] = (x[i] + settings.spread_difference_step * (*spread)[i]) - x[i];
      else h[i] = settings.difference_step * scale_of(i);
    }
    vector<K> gradient = vector<K>::Zero(k);
    matrix<K> hessian = matrix<K>::Zero(k, k);
    for (int i = 0; i < k; ++i) {
      vector<K> up = x, down = x;
      up[i] += h[i];
      down[i] -= h[i];
      const double f_up = f(up), f_down = f(down);
      gradient[i] = (f_up - f_down) / (2 * h[i]);
      hessian(i, i) = (f_up - 2 * fx + f_down) / (h[i] * h[i]);
      for (int j = 0; j < i; ++j) {
        vector<K> pp = x, pm = x, mp = x, mm = x;
        pp[i] += h[i], pp[j] += h[j];
        pm[i] += h[i], pm[j] -= h[j];
        mp[i] -= h[i], mp[j] += h[j];
        mm[i] -= h[i], mm[j] -= h[j];
        hessian(i, j) = hessian(j, i) = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h[i] * h[j]);
      }
    }
    if (!gradient.allFinite() || !hessian.allFinite()) break;
    // Newton where the Hessian is negative definite, otherwise a gradient step.
    vector<K> step = -(hessian.inverse() * gradient);
    if (!step.allFinite() || gradient.dot(step) <= 0) {
      if (spread_known) {
        // Uphill by one spread, measured in spreads (halved below until it
        // ascends): the gradient in those units, and back.
        const vector<K> unit_gradient = spread->cwiseProduct(gradient);
        step = spread->cwiseProduct(unit_gradient) / std::max(unit_gradient.norm(), 1e-300);
      } else {
        step = gradient * (h.norm() / std::max(gradient.norm(), 1e-300));
      }
    }
    result.iterations = iteration;
    bool close = true, done = true;
    for (int i = 0; i < k; ++i) {
      const double scale_i = scale_of(i);
      close = close && std::abs(step[i]) <= (spread_known ? settings.spread_close_step : settings.close_step) * scale_i;
      done = done && std::abs(step[i]) <= settings.step_tolerance * scale_i;
    }
    if (close) {
      x += step;
      fx = f(x);
      if (done || ++close_taken >= settings.close_steps) {
        result.converged = std::isfinite(fx);
        break;
      }
      continue;
    }
    double scale = 1;
    vector<K> next = x + step;
    double f_next = f(next);
    while (!(f_next >= fx) && scale > 1e-12) {
      scale /= 2;
      next = x + scale * step;
      f_next = f(next);
    }
    if (!(f_next >= fx)) break;  // no ascent along the step: stuck
    x = next;
    fx = f_next;
  }
  result.theta = x;
  return result;
}

}  // namespace mlesim

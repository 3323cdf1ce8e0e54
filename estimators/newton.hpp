// The generic maximizer for families without a closed-form MLE: Newton's
// method on the log-likelihood with the family's analytic score and observed
// information, on an unconstrained scale (log for a positive parameter,
// logit for one in (0, 1)), with step halving. Where Newton's step does not
// ascend (far from the maximum) it falls back to Fisher scoring; a family
// whose Fisher information is dear (a formula model's takes a quadrature)
// takes a modified Newton step wherever the observed information is not
// positive definite (newton_settings::fallback).
#pragma once

#include "estimators/family.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <array>
#include <cmath>
#include <span>
#include <utility>
#include <vector>

namespace mlesim {

enum class parameter_scale { real, positive, unit };

namespace detail {

// theta from the unconstrained phi, and the first and second derivatives of
// that map (it is coordinate-wise).
inline double from_free(parameter_scale s, double phi) {
  switch (s) {
    case parameter_scale::positive: return std::exp(phi);
    case parameter_scale::unit: return 1 / (1 + std::exp(-phi));
    default: return phi;
  }
}
inline double to_free(parameter_scale s, double theta) {
  switch (s) {
    case parameter_scale::positive: return std::log(theta);
    case parameter_scale::unit: return std::log(theta / (1 - theta));
    default: return theta;
  }
}
inline double first_derivative(parameter_scale s, double theta) {
  switch (s) {
    case parameter_scale::positive: return theta;
    case parameter_scale::unit: return theta * (1 - theta);
    default: return 1;
  }
}
inline double second_derivative(parameter_scale s, double theta) {
  switch (s) {
    case parameter_scale::positive: return theta;
    case parameter_scale::unit: return theta * (1 - theta) * (1 - 2 * theta);
    default: return 0;
  }
}

}  // namespace detail

struct newton_settings {
  // Converged when a full Newton step moves every unconstrained coordinate
  // by less than this: the estimates are then exact to about 1e-12 relative.
  double step_tolerance = 1e-10;
  // Steps below this are taken without a line search: there the
  // log-likelihood's rounding (a sum of n terms) can no longer confirm an
  // ascent, and Newton converges quadratically; a few such steps finish.
  double close_step = 1e-6;
  int close_steps = 3;
  // A step below quiet_step whose predicted gain in log-likelihood (half the
  // gradient times the step) is below quiet_gain of the log-likelihood is
  // taken without a line search too: a sum of n terms is only good to about
  // sqrt(n) eps of itself (at 10^6 negative binomial counts, +-5e-6 of 2.4e6,
  // more than the last steps gain), and a line search that reads that noise
  // as a fall halved every step to nothing.
  double quiet_step = 1e-4;
  double quiet_gain = 1e-10;
  int max_iterations = 100;
  // Where Newton's step does not ascend: Fisher scoring. Or, with
  // modified_newton, wherever the observed information (on the free scale)
  // is not positive definite, the modified Newton step
  // (detail::modified_newton_step), which needs no Fisher information; only
  // Newton steps at a positive definite information then end the iteration.
  enum class fallback_kind { fisher_scoring, modified_newton };
  fallback_kind fallback = fallback_kind::fisher_scoring;
  // An unconstrained coordinate beyond this has run off to the boundary (a
  // scale of e^30): the MLE does not exist in the open parameter space.
  double divergence = 30;
  // The test above is measured from 0 on the free scale, where a family's
  // units (fit_by_newton) put its start at a location of 0 and a scale of 1.
  // A model without units (a formula model) measures it from its start
  // instead, and only on the positive and unit scales: a real coordinate has
  // no boundary a run can reach, and without units its size says nothing (a
  // location of 1000 read as divergence, so such a fit never converged).
  bool divergence_from_start = false;
};

namespace detail {

// The ascent step -A'^-1 g from the Hessian H = -A of the log-likelihood
// on the free scale: A's eigenvalues replaced by their absolute values, and
// those below 1e-8 of the largest raised to it (Greenstadt's modification),
// so that A' is positive definite and the step ascends; along a direction
// where the log-likelihood is convex it moves as far as Newton would, up the
// slope. NaN where A has no nonzero finite eigenvalue.
template <int K>
vector<K> modified_newton_step(const matrix<K>& hessian, const vector<K>& gradient) {
  if (!hessian.allFinite()) return vector<K>::Constant(NAN);
  const Eigen::SelfAdjointEigenSolver<matrix<K>> eigen(-hessian);
  if (eigen.info() != Eigen::Success) return vector<K>::Constant(NAN);
  vector<K> magnitude = eigen.eigenvalues().cwiseAbs();
  const double largest = magnitude.maxCoeff();
  if (!(largest > 0) || !std::isfinite(largest)) return vector<K>::Constant(NAN);
  magnitude = magnitude.cwiseMax(1e-8 * largest);
  const matrix<K>& v = eigen.eigenvectors();
  return v * (v.transpose() * gradient).cwiseQuotient(magnitude);
}

template <regular_family F>
fit_result<F::dimension> newton(const F& f, std::span<const double> x, typename F::parameters start,
                                const std::array<parameter_scale, F::dimension>& scales,
                                const newton_settings& settings) {
  constexpr int K = F::dimension;
  using P = typename F::parameters;
  const double n = static_cast<double>(x.size());
  fit_result<K> result{start, false, 0};
  P theta = start;
  if (!space_problem(f, theta).empty()) return result;
  double log_likelihood = f.log_likelihood(theta, x);
  if (!std::isfinite(log_likelihood)) return result;
  int close_taken = 0;
  P origin = P::Zero();
  if (settings.divergence_from_start)
    for (int j = 0; j < K; ++j) origin[j] = detail::to_free(scales[j], start[j]);
  const auto diverged = [&](const P& phi) {
    for (int j = 0; j < K; ++j)
      if ((!settings.divergence_from_start || scales[j] != parameter_scale::real) &&
          std::abs(phi[j] - origin[j]) > settings.divergence)
        return true;
    return false;
  };

  for (int iteration = 1; iteration <= settings.max_iterations; ++iteration) {
    result.iterations = iteration;
    const P score = f.score(theta, x);
    P jacobian, curvature;
    for (int j = 0; j < K; ++j) {
      jacobian[j] = detail::first_derivative(scales[j], theta[j]);
      curvature[j] = detail::second_derivative(scales[j], theta[j]);
    }
    const P gradient = jacobian.cwiseProduct(score);
    matrix<K> hessian = -(jacobian.asDiagonal() * f.observed_information(theta, x) * jacobian.asDiagonal());
    hessian.diagonal() += score.cwiseProduct(curvature);
    P step = -(hessian.inverse() * gradient);
    // With the modified fallback, a step where -H is not positive definite
    // is the modified one, and it never ends the iteration however short it
    // is: near a saddle or a minimum it is short too. (It moves away from a
    // saddle: along a direction of positive curvature the gradient grows
    // with the distance, and the step with it.) At a saddle itself there is
    // nothing to go by: not converged.
    bool maximum_step = true;
    if (settings.fallback == newton_settings::fallback_kind::modified_newton && hessian.allFinite() &&
        Eigen::LLT<matrix<K>>(-hessian).info() != Eigen::Success) {
      step = modified_newton_step<K>(hessian, gradient);
      maximum_step = false;
      if (step.allFinite() && step.isZero(0)) break;
    }
    if (!step.allFinite() || gradient.dot(step) < 0) {
      const matrix<K> fisher = jacobian.asDiagonal() * (n * f.fisher_information(theta)) * jacobian.asDiagonal();
      step = fisher.inverse() * gradient;
    }
    if (!step.allFinite()) break;
    P phi;
    for (int j = 0; j < K; ++j) phi[j] = detail::to_free(scales[j], theta[j]);
    if (diverged(phi)) break;
    const double size = step.cwiseAbs().maxCoeff() / (1 + phi.cwiseAbs().maxCoeff());
    const bool small = size <= settings.close_step;
    const bool quiet = size <= settings.quiet_step && 0.5 * gradient.dot(step) <= settings.quiet_gain * std::abs(log_likelihood);
    const bool done =
        maximum_step && (size <= settings.step_tolerance || (small && ++close_taken >= settings.close_steps));
    // Halve until the log-likelihood does not fall; a small or quiet step is taken
    // as it is, where rounding can no longer confirm an ascent.
    double scale = 1;
    for (int halvings = 0; halvings < 40; ++halvings, scale /= 2) {
      P next;
      for (int j = 0; j < K; ++j) next[j] = detail::from_free(scales[j], phi[j] + scale * step[j]);
      // Halved until theta no longer moves: no ascent (before, that step
      // was "accepted" and Newton repeated it to max_iterations).
      if (scale < 1 && next == theta) {
        scale = 0;
        break;
      }
      if (!space_problem(f, next).empty()) continue;
      const double value = f.log_likelihood(next, x);
      if (small || quiet || value >= log_likelihood) {
        theta = next;
        log_likelihood = value;
        break;
      }
    }
    if (done) {
      result.converged = std::isfinite(log_likelihood);
      break;
    }
    if (scale < 1e-11) break;  // no ascent in the Newton direction
  }
  result.theta = theta;
  return result;
}

// theta = shift + factor theta' for data x = m + c x' (family.hpp's unit roles).
inline std::pair<double, double> from_units(unit_role role, double m, double c) {
  switch (role) {
    case unit_role::location: return {c, m};
    case unit_role::scale: return {c, 0};
    case unit_role::variance: return {c * c, 0};
    case unit_role::rate: return {1 / c, 0};
    case unit_role::log_location: return {1, std::log(c)};
    case unit_role::none: break;
  }
  return {1, 0};
}

}  // namespace detail

// Newton on data measured from the start's location in units of the start's
// scale, where a family declares how its parameters change with the units:
// the steps, the tolerances and the divergence test (an unconstrained
// coordinate beyond 30) then mean the same at a scale of 1e-60 as at 1, where
// before a scale of 1e-30 or a location of 100 read as divergence.
template <regular_family F>
fit_result<F::dimension> fit_by_newton(const F& f, std::span<const double> x, typename F::parameters start,
                                       const std::array<parameter_scale, F::dimension>& scales,
                                       const newton_settings& settings = {}) {
  constexpr int K = F::dimension;
  if constexpr (has_units<F> && !requires { F::known_units; }) {
    double m = 0, c = 1;
    for (int j = 0; j < K; ++j) {
      if (F::units[j] == unit_role::location) m = start[j];
      if (F::units[j] == unit_role::scale) c = start[j];
      if (F::units[j] == unit_role::variance) c = std::sqrt(start[j]);
      if (F::units[j] == unit_role::rate) c = 1 / start[j];
    }
    if (c > 0 && std::isfinite(c) && std::isfinite(m) && (c != 1 || m != 0)) {
      std::vector<double> y(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - m) / c;
      typename F::parameters start_y;
      for (int j = 0; j < K; ++j) {
        const auto [factor, shift] = detail::from_units(F::units[j], m, c);
        start_y[j] = (start[j] - shift) / factor;
      }
      fit_result<K> result = detail::newton(f, y, start_y, scales, settings);
      for (int j = 0; j < K; ++j) {
        const auto [factor, shift] = detail::from_units(F::units[j], m, c);
        result.theta[j] = shift + factor * result.theta[j];
      }
      return result;
    }
  }
  return detail::newton(f, x, start, scales, settings);
}

// The same for a family without known constants.
template <regular_family F>
fit_result<F::dimension> fit_by_newton(std::span<const double> x, typename F::parameters start,
                                       const std::array<parameter_scale, F::dimension>& scales,
                                       const newton_settings& settings = {}) {
  return fit_by_newton(F{}, x, start, scales, settings);
}

}  // namespace mlesim

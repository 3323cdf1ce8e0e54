// The pseudo-true parameter of a misspecified fit: theta* maximizing
// E_G[log f(X; theta)], the fitted family's member closest to the generating
// distribution G in Kullback-Leibler divergence (White 1982, Econometrica
// 50:1). The MLE converges to it, with the sandwich variance A^-1 B A^-1 / n,
// A = -d E_G[score] / d theta, B = E_G[score score']. The divergence itself,
// D(G || F_theta*) = E_G[log g(X) - log f(X; theta*)], comes with it.
#pragma once

#include "estimators/expectation.hpp"
#include "estimators/family.hpp"

#include <fmt/format.h>

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace mlesim {

template <int K>
struct pseudo_true_result {
  vector<K> theta;
  matrix<K> a;        // -d E_G[score] / d theta, per observation
  matrix<K> a_error;  // its absolute error
  matrix<K> b;        // E_G[score score'], per observation: +inf where it diverges, NaN where it could not be computed
  std::string b_why;  // what made an entry of b infinite or NaN
  bool converged = false;
  std::string why;    // when not converged: what failed
  // D(G || F_theta*) = E_G[log g(X) - log f(X; theta*)] per observation, by
  // the quadrature that found theta*; its error adds theta*'s own (second
  // order: theta* is where D is stationary). Its status may be infinite or
  // inaccurate, with `why`, while theta* is fine: a result, not a failure.
  expectation_value divergence{};
};

// Points where the fitted family's score jumps (the Laplace's location): a
// quadrature over x must split there, and A comes from differentiating
// E_G[score], since E_G[-Hessian] misses the jumps.
template <class F>
concept has_score_kinks = requires(const typename F::parameters& t) { F::score_kinks(t); };

// Newton's method on E_G[score] = 0 from `start` (a fit to a large sample
// from G serves), with step halving to stay in the parameter space. Each
// expectation must reach expectation_tolerance; theta* is accepted when the
// step is at the level of the quadrature's own noise and that noise is below
// 1e-10 of max(|theta*_j|, sd_j), sd_j = sqrt((A^-1)_jj) the spread of one
// observation's information about theta_j.
template <regular_family F>
pseudo_true_result<F::dimension> pseudo_true(const F& f, const family_info& generator,
                                             std::span<const double> generator_theta,
                                             std::span<const double> generator_known,
                                             const typename F::parameters& start) {
  constexpr int K = F::dimension;
  using P = typename F::parameters;
  pseudo_true_result<K> result{start, matrix<K>::Zero(), matrix<K>::Zero(), matrix<K>::Zero(), {}, false, {}, {}};

  const auto kinks = [](const P& t) {
    std::vector<double> points;
    if constexpr (has_score_kinks<F>)
      for (double x : F::score_kinks(t)) points.push_back(x);
    return points;
  };
  // E_G[h(X)] that must be computed to the tolerance; the first failure is kept in `why`.
  const auto required = [&](const P& t, const char* what, auto&& h) {
    const auto points = kinks(t);
    const expectation_value e = expectation(generator, generator_theta, generator_known, h, points);
    if (!e.ok() && result.why.empty())
      result.why = fmt::format("E_G[{}] at theta = ({}) {}: {}", what, fmt::join(t, ", "),
                               e.status == expectation_value::state::infinite ? "is infinite" : "cannot be computed",
                               e.why);
    return e;
  };
  const auto score_of = [&](const P& t, double x) -> P { return f.score(t, std::span<const double>(&x, 1)); };
  struct with_error {
    P value, error;
  };
  const auto expected_score = [&](const P& t) {
    with_error s{P::Zero(), P::Zero()};
    for (int j = 0; j < K; ++j) {
      const auto e = required(t, "score", [&](double x) { return score_of(t, x)[j]; });
      s.value[j] = e.value;
      s.error[j] = e.error;
    }
    return s;
  };
  // A: E_G[observed information], or by central differences of E_G[score]
  // with Richardson's extrapolation (error O(h^4)) where the score jumps.
  const auto expected_a = [&](const P& t, matrix<K>& error) {
    matrix<K> a;
    for (int i = 0; i < K; ++i)
      for (int j = i; j < K; ++j) {
        const auto e = required(t, "-Hessian", [&](double x) {
          return f.observed_information(t, std::span<const double>(&x, 1))(i, j);
        });
        a(i, j) = a(j, i) = e.value;
        error(i, j) = error(j, i) = e.error;
      }
    if constexpr (has_score_kinks<F>) {
      const matrix<K> a_inverse = a.inverse();
      for (int j = 0; j < K; ++j) {
        double h = 1e-3 * std::max(std::abs(t[j]), std::sqrt(std::abs(a_inverse(j, j))));
        const auto shifted = [&](double by) {
          P u = t;
          u[j] += by;
          return u;
        };
        while (!(space_problem(f, shifted(h)).empty() && space_problem(f, shifted(-h)).empty()) && h > 1e-12 * std::abs(t[j])) h /= 2;
        const auto difference = [&](double step) {
          const auto up = expected_score(shifted(step)), down = expected_score(shifted(-step));
          return with_error{(up.value - down.value) / (2 * step), (up.error + down.error) / (2 * step)};
        };
        const auto coarse = difference(h), fine = difference(h / 2);
        const P derivative = (4 * fine.value - coarse.value) / 3;
        const P derivative_error = (4 * fine.error + coarse.error) / 3 + (fine.value - coarse.value).cwiseAbs() / 3;
        a.col(j) = -derivative;
        error.col(j) = derivative_error;
      }
      a = ((a + a.transpose()) / 2).eval();  // symmetric in theory; the differences agree to their error
    }
    return a;
  };

  P theta = start;
  P noise = P::Zero();
  for (int iteration = 0; iteration < 100 && !result.converged && result.why.empty(); ++iteration) {
    const auto s = expected_score(theta);
    const matrix<K> a = expected_a(theta, result.a_error);
    if (!result.why.empty()) break;
    const matrix<K> a_inverse = a.inverse();
    const P step = a_inverse * s.value;
    noise = a_inverse.cwiseAbs() * s.error;  // the step the quadrature's error alone could cause
    double scale = 1;
    P next = theta + step;
    while (!space_problem(f, next).empty() && scale > 1e-10) {
      scale /= 2;
      next = theta + scale * step;
    }
    if (!space_problem(f, next).empty()) break;
    bool settled = scale == 1;
    for (int j = 0; j < K; ++j) settled = settled && std::abs(step[j]) <= 1e-12 * std::abs(theta[j]) + 2 * noise[j];
    result.converged = settled;
    theta = next;
  }
  result.theta = theta;
  if (!result.why.empty()) {
    result.converged = false;
    return result;
  }
  if (!result.converged) {
    result.why = fmt::format("Newton's method on E_G[score] = 0 did not settle (last theta = ({}))", fmt::join(theta, ", "));
    return result;
  }
  result.a = expected_a(theta, result.a_error);
  const matrix<K> a_inverse = result.a.inverse();
  for (int j = 0; j < K; ++j) {
    const double scale = std::max(std::abs(theta[j]), std::sqrt(std::abs(a_inverse(j, j))));
    if (!(noise[j] <= 1e-10 * scale)) {
      result.converged = false;
      result.why = fmt::format("theta*_{} = {} is known only to +-{:.3g}, not to 1e-10 of {:.6g}", j + 1, theta[j],
                               noise[j], scale);
      return result;
    }
  }
  const auto points = kinks(theta);
  result.divergence = expectation(generator, generator_theta, generator_known, [&](double x) {
    return generator.log_density(generator_theta, generator_known, x) - f.log_likelihood(theta, std::span<const double>(&x, 1));
  }, points);
  // D(theta* + d) - D(theta*) = d' A d / 2 + O(|d|^3), d at most the noise in theta*.
  result.divergence.error += noise.dot(result.a.cwiseAbs() * noise) / 2;
  // B may be infinite (a generator without the moments), which is a result, not a failure.
  for (int i = 0; i < K; ++i)
    for (int j = i; j < K; ++j) {
      const auto e = expectation(generator, generator_theta, generator_known, [&](double x) {
        const P s = score_of(theta, x);
        return s[i] * s[j];
      }, points);
      double value = e.value;
      if (!e.ok()) {
        value = e.status == expectation_value::state::infinite ? std::numeric_limits<double>::infinity() : NAN;
        if (result.b_why.empty()) result.b_why = e.why;
      }
      result.b(i, j) = result.b(j, i) = value;
    }
  return result;
}

// A with each off-diagonal entry within 10 times its quadrature error of
// zero, or below 1e-9 of sqrt(A_jj A_kk) (the precision theta* is known
// to), set to zero: a symmetry's exact zero, computed to rounding. Else a
// rounding-sized coupling lets sigma2's infinite B entry, or heavy score,
// reach mu's figures.
template <int K>
matrix<K> without_rounded_zeros(const matrix<K>& a, const matrix<K>& a_error) {
  matrix<K> cleaned = a;
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j)
      if (i != j && std::abs(a(i, j)) <= std::max(10 * a_error(i, j), 1e-9 * std::sqrt(std::abs(a(i, i) * a(j, j)))))
        cleaned(i, j) = 0;
  return cleaned;
}

// A^-1 B A^-1 where entries of B may be infinite or NaN: a term whose
// coefficient (A^-1)_aj (A^-1)_kb is exactly zero contributes nothing, so a
// divergent B_jk leaves untouched the entries it does not reach; A is
// taken without_rounded_zeros.
template <int K>
matrix<K> sandwich_of(const matrix<K>& a, const matrix<K>& a_error, const matrix<K>& b) {
  const matrix<K> a_inverse = without_rounded_zeros(a, a_error).inverse();
  matrix<K> v;
  for (int r = 0; r < K; ++r)
    for (int c = 0; c < K; ++c) {
      double sum = 0;
      for (int j = 0; j < K; ++j)
        for (int k = 0; k < K; ++k) {
          const double coefficient = a_inverse(r, j) * a_inverse(k, c);
          if (coefficient != 0) sum += coefficient * b(j, k);
        }
      v(r, c) = sum;
    }
  return v;
}

// g' V g skipping the zero coefficients, for V from sandwich_of.
template <int K>
double quadratic_form(const vector<K>& g, const matrix<K>& v) {
  double sum = 0;
  for (int r = 0; r < K; ++r)
    for (int c = 0; c < K; ++c)
      if (g[r] * g[c] != 0) sum += g[r] * g[c] * v(r, c);
  return sum;
}

// How far a misspecified fit's estimate of an estimand g has finite
// moments, as its linearization tells: g(theta-hat) - g(theta*) ~ c' times
// the mean of score(X_i; theta*), c = A^-1 grad g, and a mean of n
// independent terms has a finite q-th moment exactly when one term has (a
// normal fitted to Student t data of df v: sigma2-hat is a mean of squares,
// with moments below order v/2). Checked at the orders the figures need
// (sim/measures.hpp's moment_needs: 2, 4, 6, 8); `below` is the first whose
// E_G|c' score|^q is infinite, or cannot be computed (a finite moment not
// established is not assumed), +inf where every one is finite.
struct moment_reach {
  double below = std::numeric_limits<double>::infinity();
  std::string why{};
};

template <regular_family F>
moment_reach estimator_moments(const F& f, const family_info& generator, std::span<const double> generator_theta,
                               std::span<const double> generator_known, const typename F::parameters& theta,
                               const matrix<F::dimension>& a, const vector<F::dimension>& gradient) {
  // `a` as without_rounded_zeros leaves it.
  using P = typename F::parameters;
  const P c = a.inverse() * gradient;
  std::vector<double> points;
  if constexpr (has_score_kinks<F>)
    for (double x : F::score_kinks(theta)) points.push_back(x);
  // c' score, a score that c does not reach left out (not 0 times inf).
  const auto linear = [&](double x) {
    const P score = f.score(theta, std::span<const double>(&x, 1));
    double sum = 0;
    for (int j = 0; j < F::dimension; ++j)
      if (c[j] != 0) sum += c[j] * score[j];
    return sum;
  };
  for (const double q : {2.0, 4.0, 6.0, 8.0}) {
    const expectation_value e = expectation(
        generator, generator_theta, generator_known, [&](double x) { return std::pow(std::abs(linear(x)), q); },
        points);
    if (e.status == expectation_value::state::infinite)
      return {q, fmt::format("E_G|c′ score(X; θ*)|^{:g} is infinite ({}), where g(θ̂) − g(θ*) ≈ c′ times the mean "
                             "score, c = A⁻¹∇g: the estimate has no finite moment of order {:g}",
                             q, e.why, q)};
    if (!e.ok())
      return {q, fmt::format("E_G|c′ score(X; θ*)|^{:g}, where g(θ̂) − g(θ*) ≈ c′ times the mean score, c = A⁻¹∇g, "
                             "could not be computed ({}): a finite moment of order {:g} of the estimate is not "
                             "established",
                             q, e.why, q)};
  }
  return {};
}

}  // namespace mlesim

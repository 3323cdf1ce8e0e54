// The pseudo-true parameter of a misspecified fit: theta* maximizing
// E_G[log f(X; theta)], the fitted family's member closest to the generating
// distribution G in Kullback-Leibler divergence (White 1982, Econometrica
// 50:1). The MLE converges to it, with the sandwich variance A^-1 B A^-1 / n,
// A = E_G[-Hessian of log f], B = E_G[score score'].
#pragma once

#include "estimators/expectation.hpp"
#include "estimators/family.hpp"

#include <cmath>
#include <span>

namespace mlesim {

template <int K>
struct pseudo_true_result {
  vector<K> theta;
  matrix<K> a;  // E_G[-d2 log f], per observation
  matrix<K> b;  // E_G[score score'], per observation
  bool converged = false;
};

// Newton's method on E_G[score] = 0 from `start` (a fit to a large sample
// from G serves), with step halving to stay in the parameter space.
template <regular_family F>
pseudo_true_result<F::dimension> pseudo_true(const F& f, const family_info& generator,
                                             std::span<const double> generator_theta,
                                             std::span<const double> generator_known,
                                             const typename F::parameters& start) {
  constexpr int K = F::dimension;
  using P = typename F::parameters;
  const auto score_of = [&](const P& t, double x) { return f.score(t, std::span<const double>(&x, 1)); };
  const auto expected_score = [&](const P& t) {
    P result;
    for (int j = 0; j < K; ++j)
      result[j] = expectation(generator, generator_theta, generator_known, [&](double x) { return score_of(t, x)[j]; });
    return result;
  };
  const auto expected_matrix = [&](const P& t, auto entry) {
    matrix<K> result;
    for (int a = 0; a < K; ++a)
      for (int b = a; b < K; ++b)
        result(a, b) = result(b, a) =
            expectation(generator, generator_theta, generator_known, [&](double x) { return entry(t, x, a, b); });
    return result;
  };
  const auto observed = [&](const P& t, double x, int a, int b) {
    return f.observed_information(t, std::span<const double>(&x, 1))(a, b);
  };
  const auto outer = [&](const P& t, double x, int a, int b) {
    const P s = score_of(t, x);
    return s[a] * s[b];
  };

  pseudo_true_result<K> result{start, {}, {}, false};
  P theta = start;
  for (int iteration = 0; iteration < 100 && !result.converged; ++iteration) {
    const P step = expected_matrix(theta, observed).inverse() * expected_score(theta);
    double scale = 1;
    P next = theta + step;
    while (!F::check(next).empty() && scale > 1e-10) {
      scale /= 2;
      next = theta + scale * step;
    }
    result.converged = scale == 1 && (next - theta).cwiseAbs().maxCoeff() <= 1e-12 * (1 + theta.cwiseAbs().maxCoeff());
    theta = next;
  }
  result.theta = theta;
  result.a = expected_matrix(theta, observed);
  result.b = expected_matrix(theta, outer);
  return result;
}

}  // namespace mlesim

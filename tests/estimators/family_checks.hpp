// What the family tests share: a family with known constants from their
// values, a sample from the project's own streams, and the check of the
// information against the variance of simulated scores (the family rig's,
// family_rig_test.cpp).
#pragma once

#include "estimators/family.hpp"
#include "sim/stream.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <span>
#include <vector>

namespace mlesim::testing {

// A family with known constants, from their values.
template <class F>
F with_known(std::initializer_list<double> known) {
  return F(std::span<const double>(known.begin(), known.size()));
}

// A sample of size n from F at theta, from the project's own streams.
template <family F>
std::vector<double> draw_sample(const typename F::parameters& theta, std::size_t n, std::uint64_t seed,
                                const F& f = F()) {
  philox_stream engine(seed, experiment_key("tests"), n, 0);
  auto draw = f.sampler(theta);
  std::vector<double> x(n);
  for (double& xi : x) xi = draw(engine);
  return x;
}

// I(theta) = Var(score of one observation), and E(score) = 0, each entry
// within 5 of its own Monte Carlo SEs (estimated from the same draws): a
// false failure has probability below 6e-7 per entry.
template <family F>
void check_information_is_score_variance(const typename F::parameters& theta, std::uint64_t seed,
                                         std::size_t draws = 200'000, const F& f = F()) {
  constexpr int K = F::dimension;
  const auto x = draw_sample<F>(theta, draws, seed, f);
  std::vector<vector<K>> scores(draws);
  vector<K> mean = vector<K>::Zero();
  for (std::size_t i = 0; i < draws; ++i) {
    scores[i] = f.score(theta, std::span<const double>(&x[i], 1));
    mean += scores[i] / static_cast<double>(draws);
  }
  const matrix<K> info = f.fisher_information(theta);
  const double m = static_cast<double>(draws);
  for (int a = 0; a < K; ++a) {
    double var_a = 0;
    for (const auto& s : scores) var_a += (s[a] - mean[a]) * (s[a] - mean[a]) / m;
    CAPTURE(a);
    CHECK(std::abs(mean[a]) <= 5 * std::sqrt(var_a / m));
    for (int b = 0; b < K; ++b) {
      // Products s_a s_b: their mean estimates I_ab, their spread its MCSE.
      double product_mean = 0, product_m2 = 0;
      for (const auto& s : scores) product_mean += s[a] * s[b] / m;
      for (const auto& s : scores) product_m2 += std::pow(s[a] * s[b] - product_mean, 2) / m;
      CAPTURE(b);
      // (plus a floor for the rounding of 200000 additions, when the squared score is constant)
      CHECK(std::abs(product_mean - info(a, b)) <= 5 * std::sqrt(product_m2 / m) + 1e-10 * std::abs(info(a, b)));
    }
  }
}

}  // namespace mlesim::testing

// One shared checker per piece of theory, so that each family's test is a
// table of known answers and a few calls (after ensmallen's test problems).
#pragma once

#include "estimators/family.hpp"
#include "sim/stream.hpp"

#include <doctest/doctest.h>

#include <algorithm>
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

// log L(theta; x) equals the sum of the logs of Boost.Math's density (or mass).
template <family F, class Distribution>
void check_log_likelihood(const typename F::parameters& theta, std::span<const double> x, const Distribution& dist,
                          const F& f = F()) {
  double expected = 0;
  for (double xi : x) expected += std::log(pdf(dist, xi));
  CAPTURE(theta.transpose());
  CHECK(f.log_likelihood(theta, x) == doctest::Approx(expected).epsilon(1e-12));
}

// The score equals the central-difference gradient of the log-likelihood.
template <family F>
void check_score_is_gradient(const typename F::parameters& theta, std::span<const double> x, const F& f = F()) {
  const auto score = f.score(theta, x);
  for (int j = 0; j < F::dimension; ++j) {
    const double h = 1e-6 * std::max(1.0, std::abs(theta[j]));
    auto up = theta, down = theta;
    up[j] += h;
    down[j] -= h;
    const double numeric = (f.log_likelihood(up, x) - f.log_likelihood(down, x)) / (2 * h);
    CAPTURE(j);
    CAPTURE(theta.transpose());
    CHECK(score[j] == doctest::Approx(numeric).epsilon(1e-5).scale(x.size()));
  }
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

// The observed information equals minus the central-difference Hessian of
// the log-likelihood (of the score's central differences, to be exact).
template <regular_family F>
void check_observed_information(const typename F::parameters& theta, std::span<const double> x, const F& f = F()) {
  const auto observed = f.observed_information(theta, x);
  for (int j = 0; j < F::dimension; ++j) {
    const double h = 1e-6 * std::max(1.0, std::abs(theta[j]));
    auto up = theta, down = theta;
    up[j] += h;
    down[j] -= h;
    const typename F::parameters column = -(f.score(up, x) - f.score(down, x)) / (2 * h);
    for (int i = 0; i < F::dimension; ++i) {
      CAPTURE(i);
      CAPTURE(j);
      CHECK(observed(i, j) == doctest::Approx(column[i]).epsilon(1e-5).scale(static_cast<double>(x.size())));
    }
  }
}

// The fitted theta maximizes the likelihood: the score vanishes there (to
// the fit's tolerance) and every coordinate step away lowers log L.
template <family F>
void check_mle_is_stationary(std::span<const double> x, const F& f = F()) {
  const auto fit = f.fit(x);
  REQUIRE(fit.converged);
  const auto score = f.score(fit.theta, x);
  const double best = f.log_likelihood(fit.theta, x);
  for (int j = 0; j < F::dimension; ++j) {
    CAPTURE(j);
    CHECK(std::abs(score[j]) <= 1e-7 * static_cast<double>(x.size()) * std::max(1.0, 1 / std::abs(fit.theta[j])));
    for (double step : {-1e-4, 1e-4}) {
      auto moved = fit.theta;
      moved[j] *= 1 + step;
      CHECK(f.log_likelihood(moved, x) < best);
    }
  }
}

// The sampler draws from the family's distribution: the Kolmogorov–Smirnov
// distance between 100000 draws and Boost.Math's cdf is below the level-1e-6
// critical value sqrt(log(2/1e-6) / (2 n)) (continuous families).
template <family F, class Distribution>
void check_sampler_distribution(const typename F::parameters& theta, const Distribution& dist, std::uint64_t seed,
                                const F& f = F()) {
  constexpr std::size_t draws = 100'000;
  auto x = draw_sample<F>(theta, draws, seed, f);
  std::sort(x.begin(), x.end());
  double distance = 0;
  for (std::size_t i = 0; i < draws; ++i) {
    const double p = cdf(dist, x[i]);
    distance = std::max({distance, std::abs(p - static_cast<double>(i) / draws),
                         std::abs(p - static_cast<double>(i + 1) / draws)});
  }
  CAPTURE(theta.transpose());
  CHECK(distance <= std::sqrt(std::log(2 / 1e-6) / (2.0 * draws)));
}

}  // namespace mlesim::testing

// Invariance of the MLE, replication by replication: g(theta-hat) against the
// maximizer of the likelihood found directly in a chart where eta = g(theta)
// is a coordinate, by a generic numeric maximizer that shares nothing with
// the family's own fit. Numeric, not statistical.
#pragma once

#include "estimators/invariant.hpp"

#include "estimators/maximize.hpp"
#include "sim/experiment.hpp"
#include "sim/runner.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

namespace mlesim {

struct invariance_result {
  std::uint64_t checked = 0;             // replications compared
  std::uint64_t fit_failures = 0;        // the family's own fit failed: nothing to compare
  std::uint64_t boundary = 0;            // the estimate is on the parameter space's boundary: no interior maximum
  std::uint64_t direct_failures = 0;     // the direct maximization did not converge
  double max_relative_error = 0;         // max |g(theta-hat) - eta-hat| / max(|g(theta-hat)|, 1e-6)
};

inline invariance_result combine_invariance(invariance_result a, const invariance_result& b) {
  a.checked += b.checked;
  a.fit_failures += b.fit_failures;
  a.boundary += b.boundary;
  a.direct_failures += b.direct_failures;
  a.max_relative_error = std::max(a.max_relative_error, b.max_relative_error);
  return a;
}

// How far from the maximum phi (theta with coordinate g.replaces swapped for
// eta) the direct fit starts: half the delta-method standard error of each
// chart coordinate from the observed information, or 2% of the coordinate's
// size (at least 2e-8) where that is not finite and positive.
template <int K>
vector<K> start_offset(const matrix<K>& observed, const reparametrization<K>& g, const vector<K>& theta,
                       const vector<K>& phi) {
  const matrix<K> covariance = observed.inverse();
  vector<K> away;
  for (int j = 0; j < K; ++j) {
    const vector<K> gradient = j == g.replaces ? g.gradient(theta) : vector<K>::Unit(j);
    const double sd = std::sqrt(gradient.dot(covariance * gradient));
    away[j] = std::isfinite(sd) && sd > 0 ? sd / 2 : 0.02 * std::max(std::abs(phi[j]), 1e-6);
  }
  return away;
}

// The same for a fitted family known at compile time (tests inject defective ones).
template <family F>
invariance_result check_invariance_as(const F& fitted, const experiment_spec& spec, const std::string& estimand,
                                      std::uint64_t n, std::uint64_t replications) {
  constexpr int K = F::dimension;
  using P = typename F::parameters;
  const auto table = all_estimands(fitted);
  const auto it = std::find_if(table.begin(), table.end(), [&](const auto& g) { return g.name == estimand; });
  invariant(it != table.end(), "the invariance check's estimand is one of the family's; the loader checks it");
  const reparametrization<K> g = *it;
  const generator source{drawer_for(spec.family), spec.theta, spec.known};
  const replication_key key = stream_key(spec);

  return tbb::parallel_reduce(
      tbb::blocked_range<std::uint64_t>(0, replications, 16), invariance_result{},
      [&](const tbb::blocked_range<std::uint64_t>& range, invariance_result result) {
        std::vector<double> sample(n);
        for (std::uint64_t rep = range.begin(); rep != range.end(); ++rep) {
          philox_stream engine(key.seed, key.experiment, n, rep);
          source(engine, sample);
          const auto fit = fitted.fit(sample);
          if (!fit.converged) {
            ++result.fit_failures;
            continue;
          }
          if (!fitted.check(fit.theta).empty()) {
            ++result.boundary;
            continue;
          }
          const double eta = g.value(fit.theta);
          // The chart: theta with coordinate `replaces` swapped for eta.
          const auto theta_of = [&](const P& phi) { return g.with_value(phi[g.replaces], phi); };
          const auto log_likelihood = [&](const P& phi) {
            const P theta = theta_of(phi);
            if (!fitted.check(theta).empty()) return -std::numeric_limits<double>::infinity();
            return fitted.log_likelihood(theta, sample);
          };
          P phi = fit.theta;
          phi[g.replaces] = eta;
          // Start half a standard error away in every coordinate (2% where
          // the observed information gives none), inward if outward leaves
          // the domain: the direct fit must find the maximum, not be handed
          // it. Not 2% of the value itself: a location of 1000 moved 20
          // scale units, where the likelihood is nearly flat, and one of 0
          // not at all.
          const P away = start_offset(fitted.observed_information(fit.theta, sample), g, fit.theta, phi);
          P start = phi + away;
          if (!std::isfinite(log_likelihood(start))) start = phi - away;
          // Its differences and tolerances in units of those standard errors.
          const auto direct = maximize_numeric<K>(log_likelihood, start, {}, P(2 * away));
          if (!direct.converged) {
            ++result.direct_failures;
            continue;
          }
          ++result.checked;
          const double error = std::abs(direct.theta[g.replaces] - eta) / std::max(std::abs(eta), 1e-6);
          result.max_relative_error = std::max(result.max_relative_error, std::isnan(error) ? INFINITY : error);
        }
        return result;
      },
      combine_invariance);
}

template <family F>
invariance_result check_invariance_as(const experiment_spec& spec, const std::string& estimand, std::uint64_t n,
                                      std::uint64_t replications) {
  return check_invariance_as(make_family<F>(fitted_known(spec)), spec, estimand, n, replications);
}

// F's entry in the catalogue (sim/catalogue.hpp): empty for a family that is
// not regular.
template <family F>
std::function<invariance_result(const experiment_spec&, const std::string&, std::uint64_t, std::uint64_t)>
invariance_check() {
  if constexpr (regular_family<F>)
    return [](const experiment_spec& spec, const std::string& estimand, std::uint64_t n,
              std::uint64_t max_replications) {
      return check_invariance_as<F>(spec, estimand, n, std::min(max_replications, spec.replications));
    };
  else
    return {};
}

// The first `max_replications` replications at sample size n, on the same
// streams as the experiment's. Needs a regular fitted family.
invariance_result check_invariance(const experiment_spec& spec, const std::string& estimand, std::uint64_t n,
                                   std::uint64_t max_replications);

}  // namespace mlesim

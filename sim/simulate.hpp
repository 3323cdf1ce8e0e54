// The simulation of one experiment for a fitted family known at compile
// time. `simulate` (sim/experiment.hpp) dispatches here by name; tests call
// it directly with families of their own (a deliberately defective one).
#pragma once

#include "estimators/pseudo_true.hpp"
#include "estimators/registry.hpp"
#include "sim/experiment.hpp"
#include "sim/runner.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <optional>
#include <stdexcept>

namespace mlesim {
namespace detail {

inline constexpr std::size_t pseudo_true_start_sample = 100'000;

// The population values the measures compare with: the truth of each
// estimand and, for a misspecified fit, the sandwich covariance at theta*.
template <family F>
struct population {
  typename F::parameters theta;
  std::optional<matrix<F::dimension>> sandwich;  // A^-1 B A^-1 per observation; +inf or NaN entries where B is
  std::string sandwich_why{};                    // why an entry is infinite or NaN
};

template <family F>
population<F> population_of(const F& fitted, const experiment_spec& spec, generator source, replication_key key) {
  constexpr int K = F::dimension;
  population<F> result;
  if (!misspecified(spec)) {
    for (int j = 0; j < K; ++j) result.theta[j] = spec.theta[static_cast<std::size_t>(j)];
    return result;
  }
  if constexpr (regular_family<F>) {
    // Newton from the fit to one large sample, drawn from a stream no
    // replication uses (n = 0).
    std::vector<double> sample(pseudo_true_start_sample);
    philox_stream engine(key.seed, key.experiment, 0, 0);
    source(engine, sample);
    const auto start = fitted.fit(sample);
    if (!start.converged)
      throw std::runtime_error(fmt::format("{}: no pseudo-true value of {} for {} data: the fit to {} draws from {} "
                                           "did not converge, so Newton's method has no start",
                                           spec.name, fitted_family(spec), spec.family, sample.size(), spec.family));
    const auto fit = pseudo_true(fitted, *find_family(spec.family), spec.theta, spec.known, start.theta);
    if (!fit.converged)
      throw std::runtime_error(fmt::format("{}: no pseudo-true value of {} for {} data: {}", spec.name,
                                           fitted_family(spec), spec.family, fit.why));
    result.theta = fit.theta;
    result.sandwich = sandwich_of(fit.a, fit.a_error, fit.b);
    result.sandwich_why = fit.b_why;
    return result;
  }
  throw std::invalid_argument(fmt::format("{}: a misspecified fit needs a regular fitted family", spec.name));
}

}  // namespace detail

template <family F>
experiment_result simulate_as(const experiment_spec& spec, const progress_callback& progress = {}) {
  const auto table = all_estimands<F>();
  std::vector<reparametrization<F::dimension>> chosen;
  for (const auto& name : spec.estimands) {
    auto it = std::find_if(table.begin(), table.end(), [&](const auto& g) { return g.name == name; });
    assert(it != table.end());
    chosen.push_back(*it);
  }

  const F fitted = make_family<F>(fitted_known(spec));
  const generator source{drawer_for(spec.family), spec.theta, spec.known};
  const replication_key key{spec.seed, experiment_key(spec.name)};
  const detail::population<F> truth = detail::population_of(fitted, spec, source, key);
  const replication_options options{
      .critical = boost::math::quantile(boost::math::normal(), (1 + spec.level) / 2),
      .sandwich = truth.sandwich.has_value() || spec.sandwich_intervals,
      .observed = spec.observed_information,
      // It estimates the generating family's parameters, not a misspecified fit's pseudo-true ones.
      .alternative = has_alternative<F> && !misspecified(spec)};
  const std::uint64_t passes = F::regular ? 1 : 2;
  const std::uint64_t total = passes * spec.replications * spec.sample_sizes.size();
  std::atomic<std::uint64_t> done_so_far{0};
  std::function<void(std::uint64_t)> done;
  if (progress) done = [&](std::uint64_t count) { progress(done_so_far += count, total); };

  experiment_result result{spec, {}, {}, {}};
  if constexpr (has_alternative<F>)
    if (options.alternative) result.alternative_estimator = F::alternative.name;
  if (truth.sandwich) result.pseudo_true.assign(truth.theta.data(), truth.theta.data() + F::dimension);
  for (const std::uint64_t n : spec.sample_sizes) {
    const double nd = static_cast<double>(n);
    std::vector<estimand_plan<F>> plan;
    std::vector<maybe> crlb, sandwich_var;
    for (const auto& g : chosen) {
      estimand_plan<F> p{g, g.value(truth.theta)};
      maybe bound, robust;
      if constexpr (F::regular) {
        const vector<F::dimension> gradient = g.gradient(truth.theta);
        bound = gradient.dot(fitted.fisher_information(truth.theta).inverse() * gradient) / nd;
        if (truth.sandwich) {
          const double v = quadratic_form(gradient, *truth.sandwich) / nd;
          if (std::isfinite(v)) {
            robust = v;
          } else if (n == spec.sample_sizes.front()) {
            result.notes.push_back(fmt::format(
                "sandwich_var of {} is {}, and z (its skewness, kurtosis and normality) is not defined: {}",
                g.name, std::isnan(v) ? "not computable" : "infinite", truth.sandwich_why));
          }
        }
        // z is standardized by the variance the estimator really has: the
        // sandwich one when the model is misspecified.
        p.standardize = !truth.sandwich || robust.has_value();
        p.z_center = p.truth;
        p.z_scale = std::sqrt(robust ? *robust : *bound);
      }
      plan.push_back(p);
      crlb.push_back(bound);
      sandwich_var.push_back(robust);
    }
    auto accumulators = run_replications<F>(fitted, source, n, plan, key, spec.replications, options, done);
    if constexpr (!F::regular) {
      // No Fisher information to standardize by: a second pass over the same
      // streams standardizes by the first pass's mean and empirical SE.
      for (std::size_t e = 0; e < plan.size(); ++e) {
        const auto first = summarize(accumulators[e], spec.replications, plan[e].truth, std::nullopt, std::nullopt);
        if (first.mean && first.emp_se.value && *first.emp_se.value > 0) {
          plan[e].standardize = true;
          plan[e].z_center = *first.mean;
          plan[e].z_scale = *first.emp_se.value;
        }
      }
      accumulators = run_replications<F>(fitted, source, n, plan, key, spec.replications, options, done);
    }
    for (std::size_t e = 0; e < plan.size(); ++e) {
      const maybe z_scale = plan[e].standardize ? maybe(plan[e].z_scale) : std::nullopt;
      result.rows.push_back({n, spec.estimands[e], plan[e].truth,
                             summarize(accumulators[e], spec.replications, plan[e].truth, crlb[e], z_scale,
                                       sandwich_var[e])});
    }
  }
  return result;
}


}  // namespace mlesim

// The simulation of one experiment for a fitted family known at compile
// time. `simulate` (sim/experiment.hpp) dispatches here by name; tests call
// it directly with families of their own (a deliberately defective one).
#pragma once

#include "estimators/pseudo_true.hpp"
#include "sim/catalogue.hpp"
#include "sim/experiment.hpp"
#include "sim/runner.hpp"
#include "sim/study.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
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
  std::optional<matrix<F::dimension>> a;         // A = -E_G[Hessian] at theta*, per observation (misspecified fits)
  std::optional<matrix<F::dimension>> sandwich;  // A^-1 B A^-1 per observation; +inf or NaN entries where B is
  std::string sandwich_why{};                    // why an entry is infinite or NaN
  std::optional<divergence_estimate> divergence{};  // D(G || F_theta*), where it is known to its precision
  std::string divergence_why{};                     // or why it is absent
};

// What is reported of D(G || F_theta*): the value with its error bound, the
// expectation_tolerance of E_G|log g(X) - log f(X; theta*)| that the
// quadrature is held to (or its own estimate, with theta*'s share, where
// that is larger). The quadrature's estimate alone is too small: it does not
// see rounding in the integrand and in the sum, which the closed forms of
// tests/sim/pseudo_true_test.cpp measure at up to 6e-14 of that scale.
// Reported only when the quadrature reached its tolerance and the bound is
// below the value, so that the value has a significant digit; else why not.
inline void report_divergence(const expectation_value& d, std::optional<divergence_estimate>& reported,
                              std::string& why) {
  const std::string what = "the Kullback–Leibler divergence D(G ‖ F_θ*), E_G[log g(X) − log f(X; θ*)],";
  const double bound = std::max(d.error, expectation_tolerance * d.l1);
  if (d.status == expectation_value::state::infinite)
    why = fmt::format("{} is infinite: {}", what, d.why);
  else if (!d.ok() && d.l1 < 1e-12)
    // The log-densities agree to rounding everywhere: the relative tolerance
    // is out of reach, and D is 0 to every digit a double can show.
    why = fmt::format("{} is not reported: E_G|log g(X) − log f(X; θ*)| is {:.2g}, at the level of rounding, so not "
                      "one digit of it is known (the generating law is all but a member of the fitted family)",
                      what, d.l1);
  else if (!d.ok())
    why = fmt::format("{} is not reported: it cannot be computed to {:g} of E_G|log g(X) − log f(X; θ*)|: {}", what,
                      expectation_tolerance, d.why);
  else if (!(bound < d.value))
    why = fmt::format("{} is not reported: its error bound {:.2g} is not below the computed value, so not one digit "
                      "of it is known (the generating law is all but a member of the fitted family)",
                      what, bound);
  else
    reported = divergence_estimate{d.value, bound};
}

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
    result.a = without_rounded_zeros(fit.a, fit.a_error);
    result.sandwich = sandwich_of(fit.a, fit.a_error, fit.b);
    result.sandwich_why = fit.b_why;
    report_divergence(fit.divergence, result.divergence, result.divergence_why);
    return result;
  }
  throw std::invalid_argument(fmt::format("{}: a misspecified fit needs a regular fitted family", spec.name));
}

}  // namespace detail

// A family experiment made ready to run (sim/study.hpp): the fitted family,
// the generator, and per sample size the plan of each estimand (its truth
// and the z standardization) with its Cramér–Rao and sandwich variances.
template <family F>
class family_study final : public prepared_experiment {
 public:
  explicit family_study(const experiment_spec& spec) : family_study(spec, make_family<F>(fitted_known(spec))) {}

  // With the fitted family given as a value (a model made at run time).
  family_study(const experiment_spec& spec, F fitted)
      : prepared_experiment(spec),
        fitted_(std::move(fitted)),
        source_{drawer_for(spec_.family), spec_.theta, spec_.known},
        key_(stream_key(spec_)) {
    const auto table = all_estimands(fitted_);
    std::vector<reparametrization<F::dimension>> chosen;
    for (const auto& name : spec_.estimands) {
      auto it = std::find_if(table.begin(), table.end(), [&](const auto& g) { return g.name == name; });
      if (it == table.end()) throw std::logic_error("family_study: unknown estimand " + name);
      chosen.push_back(*it);
    }
    const detail::population<F> truth = detail::population_of(fitted_, spec_, source_, key_);
    // A family whose fit starts from a point it is given (a formula model)
    // starts each replication's fit at theta, or at theta* when misspecified.
    if constexpr (requires { fitted_.start = truth.theta; }) fitted_.start = truth.theta;
    options_ = {.critical = boost::math::quantile(boost::math::normal(), (1 + spec_.level) / 2),
                .sandwich = truth.sandwich.has_value() || spec_.sandwich_intervals,
                .observed = spec_.observed_information,
                // It estimates the generating family's parameters, not a misspecified fit's pseudo-true ones.
                .alternative = has_alternative<F> && !misspecified(spec_)};
    if constexpr (has_alternative<F>)
      if (options_.alternative) alternative_ = F::alternative.name;
    if (truth.sandwich) pseudo_true_.assign(truth.theta.data(), truth.theta.data() + F::dimension);
    kl_ = truth.divergence;
    if (!truth.divergence_why.empty()) notes_.push_back(truth.divergence_why);

    // I(theta)^-1, once (a formula model's is a quadrature); absent, with a
    // note, where it is not finite, and then so is every Cramér–Rao bound.
    std::optional<matrix<F::dimension>> inverse_information;
    if constexpr (F::regular) {
      const matrix<F::dimension> information = fitted_.fisher_information(truth.theta);
      if (information.allFinite()) inverse_information = information.inverse();
      if (!inverse_information || !inverse_information->allFinite()) {
        inverse_information.reset();
        notes_.push_back(fmt::format(
            "crlb and var/crlb are not reported, nor z where it would be standardized by the Cramér–Rao bound: the "
            "Fisher information of {} at {} could not be computed to its precision (for a model written as a "
            "formula, its quadrature did not reach 1e-10)",
            fitted_.name, misspecified(spec_) ? "the pseudo-true values" : "the true values"));
      }
    }

    // How far each estimate has finite moments (sim/measures.hpp's
    // moment_needs): a misspecified fit's from the generator's law, at every
    // n alike; a family's own, where it knows them, at each n.
    std::vector<moment_reach> reach(chosen.size());
    if constexpr (regular_family<F>)
      if (truth.a)
        for (std::size_t e = 0; e < chosen.size(); ++e) {
          reach[e] = estimator_moments(fitted_, *find_family(spec_.family), spec_.theta, spec_.known, truth.theta,
                                       *truth.a, chosen[e].gradient(truth.theta));
          if (const std::string left_out = figures_without_moments(reach[e].below); !left_out.empty())
            notes_.push_back(fmt::format("{}: not reported at any n: {}. {}, which their Monte Carlo errors need",
                                         chosen[e].name, left_out, reach[e].why));
        }

    for (const std::uint64_t n : spec_.sample_sizes) {
      const double nd = static_cast<double>(n);
      per_size& size = sizes_.emplace_back();
      for (std::size_t e = 0; e < chosen.size(); ++e) {
        const auto& g = chosen[e];
        double moments_below = reach[e].below, alternative_below = INFINITY;
        if constexpr (has_moment_limits<F>)
          if (!misspecified(spec_)) {
            moments_below = F::moments_below(truth.theta, nd, g.name);
            if constexpr (alternative_shares_moments<F>) alternative_below = moments_below;
            if (const std::string left_out = figures_without_moments(moments_below); !left_out.empty())
              notes_.push_back(fmt::format(
                  "{} at n = {}: not reported: {}{}. The estimate has finite moments only below order {:g} there "
                  "({}'s theory), fewer than their Monte Carlo errors need",
                  g.name, n, left_out,
                  alternative_below > moment_needs::spread
                      ? ""
                      : fmt::format("; and the {}'s {}, which has the same moments", alternative_,
                                    alternative_below > moment_needs::bias ? "emp. SE and MSE" : "bias, emp. SE and MSE"),
                  moments_below, fitted_.name));
          }
        size.moments_below.push_back(moments_below);
        size.alternative_moments_below.push_back(alternative_below);
        estimand_plan<F> p{g, g.value(truth.theta)};
        maybe bound, robust;
        if constexpr (F::regular) {
          const vector<F::dimension> gradient = g.gradient(truth.theta);
          if (inverse_information) bound = gradient.dot(*inverse_information * gradient) / nd;
          if (truth.sandwich) {
            const double v = quadratic_form(gradient, *truth.sandwich) / nd;
            if (std::isfinite(v)) {
              robust = v;
            } else if (n == spec_.sample_sizes.front()) {
              notes_.push_back(fmt::format(
                  "sandwich_var of {} is {}, and z (its skewness, kurtosis and normality) is not defined: {}",
                  g.name, std::isnan(v) ? "not computable" : "infinite", truth.sandwich_why));
            }
          }
          // z is standardized by the variance the estimator really has: the
          // sandwich one when the model is misspecified.
          p.standardize = robust.has_value() || (!truth.sandwich && bound.has_value());
          p.z_center = p.truth;
          if (p.standardize) p.z_scale = std::sqrt(robust ? *robust : *bound);
        } else {
          // No Fisher information: z is standardized by the estimator's own
          // exact mean and SD at the truth, so one pass suffices.
          const auto [mean, sd] = F::exact_moments(truth.theta, nd);
          p.standardize = sd > 0;
          p.z_center = mean;
          p.z_scale = sd;
        }
        size.plan.push_back(p);
        size.crlb.push_back(bound);
        size.sandwich_var.push_back(robust);
      }
    }
  }

  std::size_t estimand_count() const override { return spec_.estimands.size(); }

  accumulator_set run_chunk(chunk_id chunk) const override {
    const replication_range reps = chunk_replications(spec_.replications, chunk.index);
    const per_size& size = sizes_.at(chunk.size);
    family_replication<F> replicate(fitted_, source_, spec_.sample_sizes[chunk.size], size.plan, key_, options_);
    accumulator_set accumulators(size.plan.size());
    for (std::uint64_t rep = reps.first; rep < reps.last; ++rep) replicate(rep, accumulators);
    return accumulators;
  }

  experiment_result summarize(std::span<const accumulator_set> joined,
                              std::span<const std::uint64_t> reps) const override {
    experiment_result result{spec_, pseudo_true_, {}, alternative_, notes_};
    result.kl_divergence = kl_;
    for (std::size_t i = 0; i < sizes_.size(); ++i) {
      const per_size& size = sizes_[i];
      for (std::size_t e = 0; e < size.plan.size(); ++e) {
        const auto& p = size.plan[e];
        const maybe z_scale = p.standardize ? maybe(p.z_scale) : std::nullopt;
        result.rows.push_back({spec_.sample_sizes[i], spec_.estimands[e], p.truth,
                               mlesim::summarize(joined[i][e], reps[i], p.truth, size.crlb[e], z_scale,
                                                 size.sandwich_var[e], size.moments_below[e],
                                                 size.alternative_moments_below[e])});
      }
    }
    return result;
  }

 private:
  struct per_size {
    std::vector<estimand_plan<F>> plan;
    std::vector<maybe> crlb, sandwich_var;
    std::vector<double> moments_below;  // per estimand: its estimate's moments are finite below this order
    std::vector<double> alternative_moments_below;  // the same of the second estimator
  };

  F fitted_;
  generator source_;
  replication_key key_;
  replication_options options_{};
  std::vector<per_size> sizes_;
  std::vector<double> pseudo_true_;
  std::optional<divergence_estimate> kl_;
  std::string alternative_;
  std::vector<std::string> notes_;
};

template <family F>
experiment_result simulate_as(const experiment_spec& spec, const progress_callback& progress = {}) {
  return run_all(prepared_study{std::make_shared<family_study<F>>(spec)}, progress).front();
}

}  // namespace mlesim

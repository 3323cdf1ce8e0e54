// One replication of a family experiment: draw, fit, accumulate. Chunks of
// replications and the fixed tree that joins them are in sim/study.hpp.
#pragma once

#include "estimators/family.hpp"
#include "sim/accumulator.hpp"
#include "sim/experiment.hpp"
#include "sim/measures.hpp"
#include "sim/stream.hpp"

#include <cmath>
#include <span>
#include <utility>
#include <vector>

namespace mlesim {

template <family F>
struct estimand_plan {
  reparametrization<F::dimension> g;
  double truth = 0;
  bool standardize = false;  // accumulate z = (estimate - z_center) / z_scale
  double z_center = 0;
  double z_scale = 1;
};

struct replication_key {
  std::uint64_t seed;
  std::uint64_t experiment;
};

// The key of a condition's streams: the seed, and a hash of the experiment's
// name and of every value a grid can vary (the generating parameters and
// known constants, the fitted family's known constants, the covariates'
// parameters and constants), so a condition draws the same numbers alone or
// inside any grid, in any order (sim/experiment.cpp).
replication_key stream_key(const experiment_spec& spec);

// Fills `out` with a sample from the generating family at theta. The
// generating and the fitted family may differ (a misspecified fit), so the
// runner sees the generator through this one indirect call per replication.
// `known` holds the generating family's known constants, if it has any.
// `context` is what the family's entry in the catalogue keeps for it (a
// formula model's compiled expressions); a family type needs none.
struct sample_drawer {
  void (*draw)(const void* context, std::span<const double> theta, std::span<const double> known,
               philox_stream& engine, std::span<double> out) = nullptr;
  const void* context = nullptr;

  void operator()(std::span<const double> theta, std::span<const double> known, philox_stream& engine,
                  std::span<double> out) const {
    draw(context, theta, known, engine, out);
  }
};

// Flattened: the sampler's per-draw call (Boost's ziggurat) inlined into the
// loop; left to the inliner it stayed a call, 12% more instructions for a
// normal replication.
template <family G>
[[gnu::flatten]] void draw_sample(const void*, std::span<const double> theta, std::span<const double> known,
                                  philox_stream& engine, std::span<double> out) {
  typename G::parameters t;
  for (int j = 0; j < G::dimension; ++j) t[j] = theta[static_cast<std::size_t>(j)];
  auto draw = make_family<G>(known).sampler(t);  // per replication: no state crosses streams
  for (double& x : out) x = draw(engine);
}

// The drawer of a family in the catalogue (sim/catalogue.cpp); throws for an unknown name.
sample_drawer drawer_for(std::string_view family_name);

struct generator {
  sample_drawer draw;
  std::span<const double> theta;
  std::span<const double> known;

  void operator()(philox_stream& engine, std::span<double> out) const { draw(theta, known, engine, out); }
};

// What a replication computes besides the estimate.
struct replication_options {
  double critical = 1.959963984540054;  // z quantile of the Wald interval
  bool sandwich = false;                // also the sandwich SE and its intervals
  bool observed = false;                // the SE from the observed information, not the expected
  bool alternative = false;             // also the family's second estimator, on the same sample
};

// One replication of a family's experiment: draw, fit, and add to each
// estimand's accumulator.
template <family F>
class family_replication {
 public:
  family_replication(const F& family, generator source, std::uint64_t n, std::span<const estimand_plan<F>> plan,
                     replication_key key, replication_options options)
      : family_(family), source_(source), n_(n), plan_(plan), key_(key), options_(options), sample_(n) {}

  void operator()(std::uint64_t rep, std::vector<estimand_accumulator>& accumulators) {
    constexpr int K = F::dimension;
    philox_stream engine(key_.seed, key_.experiment, n_, rep);
    source_(engine, sample_);
    const fit_result<K> fit = family_.fit(sample_);
    fit_result<K> alternative{vector<K>::Constant(NAN), false, 0};
    if constexpr (has_alternative<F>)
      if (options_.alternative) alternative = F::alternative.estimate(sample_);

    matrix<K> covariance = matrix<K>::Constant(NAN);  // of theta-hat: I(theta-hat)^-1 / n, or J(theta-hat)^-1
    matrix<K> sandwich = matrix<K>::Constant(NAN);    // A^-1 B A^-1 / n at theta-hat
    if constexpr (F::regular) {
      if (fit.converged) {
        covariance = estimate_covariance(fit.theta);
        if (options_.sandwich) sandwich = sandwich_covariance(fit.theta);
      }
    }
    for (std::size_t e = 0; e < plan_.size(); ++e) {
      const auto& p = plan_[e];
      auto& acc = accumulators[e];
      const double estimate = fit.converged ? p.g.value(fit.theta) : NAN;
      double variance = 0;
      vector<K> gradient;
      if constexpr (F::regular) {
        gradient = p.g.gradient(fit.theta);
        variance = gradient.dot(covariance * gradient);
      }
      if (!std::isfinite(estimate) || !(variance >= 0) || !std::isfinite(variance)) {
        acc.add_failure();
        continue;
      }
      acc.add_estimate(estimate - p.truth);
      if (options_.alternative) {
        const double other = alternative.converged ? p.g.value(alternative.theta) : NAN;
        if (std::isfinite(other)) acc.paired.add(estimate - p.truth, other - p.truth);
        else ++acc.paired.failures;
      }
      if constexpr (F::regular) {
        const double half_width = options_.critical * std::sqrt(variance);
        acc.fisher.add(variance, estimate - half_width, estimate + half_width, p.truth, estimate - p.truth);
        if (options_.sandwich) {
          const double robust = gradient.dot(sandwich * gradient);
          if (std::isfinite(robust) && robust >= 0) {
            const double robust_half_width = options_.critical * std::sqrt(robust);
            acc.sandwich.add(robust, estimate - robust_half_width, estimate + robust_half_width, p.truth,
                             estimate - p.truth);
          }
        }
      }
      if (p.standardize) acc.add_z((estimate - p.z_center) / p.z_scale);
    }
  }

 private:
  // I(theta-hat)^-1 / n, or with observed information J(theta-hat)^-1. On the
  // boundary of a discrete family (p-hat = 0, lambda-hat = 0) J is 0/0; its
  // limit along the MLE is the expected information n I(theta-hat), equal to
  // J at an interior MLE of these canonical families and infinite there, so
  // the estimate keeps variance 0 whichever SE is asked for.
  matrix<F::dimension> estimate_covariance(const typename F::parameters& theta) const {
    constexpr int K = F::dimension;
    if (options_.observed) {
      const matrix<K> observed = family_.observed_information(theta, sample_);
      if (observed.allFinite()) return observed.inverse();
    }
    return family_.fisher_information(theta).inverse() / static_cast<double>(n_);
  }

  // Huber-White: A = observed information / n, B = mean outer product of the
  // per-observation scores, both at theta-hat.
  matrix<F::dimension> sandwich_covariance(const typename F::parameters& theta) const {
    constexpr int K = F::dimension;
    const double n = static_cast<double>(n_);
    const matrix<K> a_inverse = (family_.observed_information(theta, sample_) / n).inverse();
    matrix<K> b = matrix<K>::Zero();
    for (const double& x : sample_) {
      const vector<K> s = family_.score(theta, std::span<const double>(&x, 1));
      b += s * s.transpose();
    }
    return a_inverse * (b / n) * a_inverse / n;
  }

  F family_;
  generator source_;
  std::uint64_t n_;
  std::span<const estimand_plan<F>> plan_;
  replication_key key_;
  replication_options options_;
  std::vector<double> sample_;
};

}  // namespace mlesim

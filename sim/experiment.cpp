#include "sim/experiment.hpp"

#include "estimators/registry.hpp"
#include "sim/runner.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <stdexcept>

namespace mlesim {
namespace {

template <family F>
experiment_result simulate_family(const experiment_spec& spec, const progress_callback& progress) {
  using P = typename F::parameters;
  assert(spec.theta.size() == F::dimension);
  P theta;
  for (int j = 0; j < F::dimension; ++j) theta[j] = spec.theta[static_cast<std::size_t>(j)];

  const auto table = all_estimands<F>();
  std::vector<reparametrization<F::dimension>> chosen;
  for (const auto& name : spec.estimands) {
    auto it = std::find_if(table.begin(), table.end(), [&](const auto& g) { return g.name == name; });
    assert(it != table.end());
    chosen.push_back(*it);
  }

  const double critical = boost::math::quantile(boost::math::normal(), (1 + spec.level) / 2);
  const replication_key key{spec.seed, experiment_key(spec.name)};
  const std::uint64_t passes = F::regular ? 1 : 2;
  const std::uint64_t total = passes * spec.replications * spec.sample_sizes.size();
  std::atomic<std::uint64_t> done_so_far{0};
  std::function<void(std::uint64_t)> done;
  if (progress) done = [&](std::uint64_t count) { progress(done_so_far += count, total); };

  experiment_result result{spec, {}};
  for (const std::uint64_t n : spec.sample_sizes) {
    const double nd = static_cast<double>(n);
    std::vector<estimand_plan<F>> plan;
    std::vector<maybe> crlb;
    for (const auto& g : chosen) {
      estimand_plan<F> p{g, g.value(theta)};
      maybe bound;
      if constexpr (F::regular) {
        const vector<F::dimension> gradient = g.gradient(theta);
        bound = gradient.dot(F::fisher_information(theta).inverse() * gradient) / nd;
        p.standardize = true;
        p.z_center = p.truth;
        p.z_scale = std::sqrt(*bound);
      }
      plan.push_back(p);
      crlb.push_back(bound);
    }
    auto accumulators = run_replications<F>(theta, n, plan, key, spec.replications, critical, done);
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
      accumulators = run_replications<F>(theta, n, plan, key, spec.replications, critical, done);
    }
    for (std::size_t e = 0; e < plan.size(); ++e) {
      const maybe z_scale = plan[e].standardize ? maybe(plan[e].z_scale) : std::nullopt;
      result.rows.push_back({n, spec.estimands[e], plan[e].truth,
                             summarize(accumulators[e], spec.replications, plan[e].truth, crlb[e], z_scale)});
    }
  }
  return result;
}

}  // namespace

experiment_result simulate(const experiment_spec& spec, const progress_callback& progress) {
  experiment_result result;
  const bool found = visit_family(spec.family, [&]<class F>() { result = simulate_family<F>(spec, progress); });
  if (!found) throw std::invalid_argument("unknown family '" + spec.family + "'");
  return result;
}

}  // namespace mlesim

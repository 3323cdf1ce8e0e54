#include "sim/invariance.hpp"

#include "estimators/invariant.hpp"
#include "estimators/registry.hpp"

#include <algorithm>

namespace mlesim {

invariance_result check_invariance(const experiment_spec& spec, const std::string& estimand, std::uint64_t n,
                                   std::uint64_t max_replications) {
  invariance_result result;
  visit_family(fitted_family(spec), [&]<class F>() {
    if constexpr (regular_family<F>)
      result = check_invariance_as<F>(spec, estimand, n, std::min(max_replications, spec.replications));
    else
      invariant(false, "invariance needs a regular family; the config loader refuses others");
  });
  return result;
}

}  // namespace mlesim

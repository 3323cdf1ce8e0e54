#include "sim/invariance.hpp"

#include "estimators/invariant.hpp"
#include "estimators/builtin.hpp"
#include "sim/catalogue.hpp"

#include <algorithm>

namespace mlesim {

invariance_result check_invariance(const experiment_spec& spec, const std::string& estimand, std::uint64_t n,
                                   std::uint64_t max_replications) {
  const family_entry* entry = find_family_entry(fitted_family(spec));
  invariant(entry && entry->invariance, "invariance needs a regular family; the config loader refuses others");
  return entry->invariance(spec, estimand, n, max_replications);
}

std::vector<std::function<invariance_result(const experiment_spec&, const std::string&, std::uint64_t, std::uint64_t)>>
builtin_invariance_checks() {
  return []<class... Families>(family_list<Families...>) {
    return std::vector<
        std::function<invariance_result(const experiment_spec&, const std::string&, std::uint64_t, std::uint64_t)>>{
        invariance_check<Families>()...};
  }(builtin_families{});
}

}  // namespace mlesim

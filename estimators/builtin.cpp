#include "estimators/builtin.hpp"

#include "estimators/describe.hpp"

namespace mlesim {

std::vector<family_info> builtin_infos() {
  return []<class... Families>(family_list<Families...>) {
    return std::vector<family_info>{describe<Families>()...};
  }(builtin_families{});
}

}  // namespace mlesim

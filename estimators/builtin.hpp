// The built-in families, known at compile time. Adding one: its header, one
// entry below, and one row of tests/estimators/family_rig_test.cpp. The
// program finds families by name in the runtime catalogue
// (sim/catalogue.hpp), which starts with these; tests visit them by type.
#pragma once

#include "estimators/bernoulli.hpp"
#include "estimators/beta.hpp"
#include "estimators/binomial.hpp"
#include "estimators/cauchy.hpp"
#include "estimators/exponential.hpp"
#include "estimators/gamma.hpp"
#include "estimators/geometric.hpp"
#include "estimators/laplace.hpp"
#include "estimators/logistic.hpp"
#include "estimators/lognormal.hpp"
#include "estimators/negative_binomial.hpp"
#include "estimators/normal.hpp"
#include "estimators/pareto.hpp"
#include "estimators/poisson.hpp"
#include "estimators/student_t.hpp"
#include "estimators/uniform.hpp"
#include "estimators/weibull.hpp"
#include "estimators/family_info.hpp"

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

template <class... Families>
struct family_list {};

using builtin_families = family_list<normal, exponential, poisson, bernoulli, gamma, uniform, geometric,
                                        negative_binomial, laplace, lognormal, weibull, beta, cauchy, logistic,
                                        binomial, pareto, student_t>;

// Their descriptions, in this order (estimators/describe.hpp).
std::vector<family_info> builtin_infos();

// Calls visitor.template operator()<F>() for the built-in family named
// `name`; returns false if there is none.
template <class Visitor, class... Families>
bool visit_family(std::string_view name, Visitor&& visitor, family_list<Families...>) {
  return ((Families::name == name ? (visitor.template operator()<Families>(), true) : false) || ...);
}

template <class Visitor>
bool visit_family(std::string_view name, Visitor&& visitor) {
  return visit_family(name, std::forward<Visitor>(visitor), builtin_families{});
}

}  // namespace mlesim

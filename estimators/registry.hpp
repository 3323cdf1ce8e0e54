// The one list of families. Adding a family: one header, one entry below.
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

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

template <class... Families>
struct family_list {};

using registered_families = family_list<normal, exponential, poisson, bernoulli, gamma, uniform, geometric,
                                        negative_binomial, laplace, lognormal, weibull, beta, cauchy, logistic,
                                        binomial, pareto, student_t>;

// What the command line, the config loader and the reports need to know of a
// family without its type.
struct family_info {
  std::string_view name;
  std::string_view summary;
  std::vector<std::string_view> parameters;
  std::vector<std::string_view> known;  // names of the known constants, in order; most families have none
  std::vector<std::pair<std::string_view, std::string_view>> reparametrizations;  // name, formula
  std::size_t min_sample_size;
  bool regular;
  bool closed_form;
  support_kind support;
  bool support_limited;           // known constants narrow the support (the binomial's trials)
  std::string_view irregularity;  // why there is no Fisher information; empty if regular
  std::string (*check)(std::span<const double> theta);
  std::string (*check_known)(std::span<const double> known);  // empty when the known values are valid
  // Given valid known constants (an empty span for a family without any):
  double (*log_density)(std::span<const double> theta, std::span<const double> known, double x);  // at x
  bool (*admits)(std::span<const double> known, double x);  // whether x is a possible value
  double (*support_start)(std::span<const double> known);   // where the support begins
  // The p-quantile, or with `upper` the quantile of the complement (the x with
  // P(X > x) = p, accurate for tiny p); a discrete family's rounds outward.
  // By Boost.Math; it may throw where Boost cannot represent the answer.
  double (*quantile)(std::span<const double> theta, std::span<const double> known, double p, bool upper);

  // Parameters first, then reparametrizations, in declaration order.
  std::vector<std::string_view> estimands() const;
};

const std::vector<family_info>& family_catalog();
const family_info* find_family(std::string_view name);  // nullptr if unknown
std::string family_names();                             // "normal, exponential, ..."

// Calls visitor.template operator()<F>() for the family named `name`;
// returns false if there is none.
template <class Visitor, class... Families>
bool visit_family(std::string_view name, Visitor&& visitor, family_list<Families...>) {
  return ((Families::name == name ? (visitor.template operator()<Families>(), true) : false) || ...);
}

template <class Visitor>
bool visit_family(std::string_view name, Visitor&& visitor) {
  return visit_family(name, std::forward<Visitor>(visitor), registered_families{});
}

}  // namespace mlesim

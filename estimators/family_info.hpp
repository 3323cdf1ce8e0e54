// What the command line, the config loader, the runner and the reports know
// of a family without its type: a value, so that a family can also be made
// at run time (a model written as a formula). The strings it holds views of
// live as long as the family's catalogue entry (sim/catalogue.hpp).
#pragma once

#include "estimators/family.hpp"

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

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
  std::string_view alternative;   // the name of its second estimator (estimators/family.hpp), if it has one
  std::function<std::string(std::span<const double> theta)> check;
  std::function<std::string(std::span<const double> known)> check_known;  // empty when the known values are valid
  // Given valid known constants (an empty span for a family without any):
  std::function<double(std::span<const double> theta, std::span<const double> known, double x)> log_density;  // at x
  std::function<bool(std::span<const double> known, double x)> admits;  // whether x is a possible value
  std::function<double(std::span<const double> known)> support_start;   // where the support begins
  // The p-quantile, or with `upper` the quantile of the complement (the x with
  // P(X > x) = p, accurate for tiny p); a discrete family's rounds outward.
  // By Boost.Math; it may throw where Boost cannot represent the answer.
  std::function<double(std::span<const double> theta, std::span<const double> known, double p, bool upper)> quantile;

  // Parameters first, then reparametrizations, in declaration order.
  std::vector<std::string_view> estimands() const {
    std::vector<std::string_view> result(parameters.begin(), parameters.end());
    for (const auto& [name, formula] : reparametrizations) result.push_back(name);
    return result;
  }
};

}  // namespace mlesim

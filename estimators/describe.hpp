// A family type described as a value (estimators/family_info.hpp).
#pragma once

#include "estimators/family_info.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlesim {
namespace detail {

template <family F>
typename F::parameters parameters_of(std::span<const double> theta) {
  typename F::parameters t;
  for (int i = 0; i < F::dimension; ++i) t[i] = theta[static_cast<std::size_t>(i)];
  return t;
}

}  // namespace detail

template <family F>
family_info describe() {
  using detail::parameters_of;
  static_assert(!F::regular || regular_family<F>, "a regular family needs fisher_information and observed_information");
  family_info info{
      .name = F::name,
      .summary = F::summary,
      .parameters = {F::parameter_names.begin(), F::parameter_names.end()},
      .known = {},
      .reparametrizations = {},
      .min_sample_size = F::min_sample_size,
      .regular = F::regular,
      .closed_form = F::closed_form,
      .support = F::support,
      .support_limited = requires(const F& f, double x) { f.admits(x); },
      .irregularity = {},
      .alternative = {},
      .check = [](std::span<const double> theta) { return F::check(parameters_of<F>(theta)); },
      .check_known = [](std::span<const double> known) -> std::string {
        if (known.size() != known_count<F>()) return fmt::format("{} has {} known constants, not {}", F::name,
                                                                 known_count<F>(), known.size());
        if constexpr (has_known_constants<F>) return F::check_known(known);
        else return {};
      },
      .log_density = [](std::span<const double> theta, std::span<const double> known, double x) {
        return make_family<F>(known).log_likelihood(parameters_of<F>(theta), std::span<const double>(&x, 1));
      },
      .admits = [](std::span<const double> known, double x) { return mlesim::admits(make_family<F>(known), x); },
      .support_start = [](std::span<const double> known) {
        if constexpr (requires(const F& f) { f.support_start(); }) return make_family<F>(known).support_start();
        else return F::support.lower;
      },
      .quantile = [](std::span<const double> theta, std::span<const double> known, double p, bool upper) {
        const F f = make_family<F>(known);
        const auto t = parameters_of<F>(theta);
        if constexpr (requires { f.quantile(t, p, upper); }) {
          return f.quantile(t, p, upper);
        } else {
          const auto law = f.distribution(t);
          return upper ? quantile(complement(law, p)) : quantile(law, p);
        }
      },
  };
  if constexpr (has_known_constants<F>) info.known.assign(F::known_names.begin(), F::known_names.end());
  for (const auto& g : F::reparametrizations) info.reparametrizations.emplace_back(g.name, g.formula);
  if constexpr (!F::regular) info.irregularity = F::irregularity;
  if constexpr (has_alternative<F>) info.alternative = F::alternative.name;
  return info;
}

}  // namespace mlesim

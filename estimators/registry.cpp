#include "estimators/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace mlesim {
namespace {

template <family F>
typename F::parameters parameters_of(std::span<const double> theta) {
  typename F::parameters t;
  for (int i = 0; i < F::dimension; ++i) t[i] = theta[static_cast<std::size_t>(i)];
  return t;
}

template <family F>
family_info describe() {
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
        else return F::support == support_kind::real_line ? -std::numeric_limits<double>::infinity() : 0.0;
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
  return info;
}

template <class... Families>
std::vector<family_info> describe_all(family_list<Families...>) {
  return {describe<Families>()...};
}

}  // namespace

std::vector<std::string_view> family_info::estimands() const {
  std::vector<std::string_view> result(parameters.begin(), parameters.end());
  for (const auto& [name, formula] : reparametrizations) result.push_back(name);
  return result;
}

const std::vector<family_info>& family_catalog() {
  static const std::vector<family_info> catalog = describe_all(registered_families{});
  return catalog;
}

const family_info* find_family(std::string_view name) {
  const auto& catalog = family_catalog();
  auto it = std::find_if(catalog.begin(), catalog.end(), [&](const auto& f) { return f.name == name; });
  return it == catalog.end() ? nullptr : &*it;
}

std::string family_names() {
  std::vector<std::string_view> names;
  for (const auto& f : family_catalog()) names.push_back(f.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace mlesim

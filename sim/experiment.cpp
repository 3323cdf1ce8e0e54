#include "sim/experiment.hpp"

#include "estimators/builtin.hpp"
#include "sim/regression.hpp"
#include "sim/runner.hpp"
#include "sim/study.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <span>
#include <stdexcept>

namespace mlesim {

std::vector<sample_drawer> builtin_drawers() {
  return []<class... Families>(family_list<Families...>) {
    return std::vector<sample_drawer>{sample_drawer{&draw_sample<Families>, nullptr}...};
  }(builtin_families{});
}

replication_key stream_key(const experiment_spec& spec) {
  std::uint64_t hash = experiment_key(spec.name);
  const auto mix = [&](std::span<const double> values) {
    // A separator, the count, then each value's bits (-0 as +0): ([1], [2])
    // and ([1, 2], []) hash apart.
    for (std::uint64_t word : {std::uint64_t{0xff}, std::uint64_t{values.size()}})
      for (int i = 0; i < 8; ++i) hash = (hash ^ ((word >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    for (double v : values) {
      const auto bits = std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v);
      for (int i = 0; i < 8; ++i) hash = (hash ^ ((bits >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    }
  };
  mix(spec.theta);
  mix(spec.known);
  mix(spec.fit_known);
  if (spec.regression)
    for (const auto& covariate : spec.regression->covariates) {
      mix(covariate.theta);
      mix(covariate.known);
    }
  return {spec.seed, hash};
}

std::string experiment_name_problem(std::string_view name) {
  const bool letters = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
  if (name.empty() || name.front() == '.' || name.size() > 200 || !letters)
    return "must be letters, digits, '-', '_' or '.', not first a '.', at most 200 (it names the output files)";
  std::string folded(name);
  std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) { return std::tolower(c); });
  // Folded: on a case-insensitive file system (macOS, Windows) INDEX.md is index.md.
  if (folded == "index") return "its index.md and index.html would be the output folder's index; rename it";
  return {};
}

std::optional<double> critical_value(double level) {
  if (!(level > 0 && level < 1)) return std::nullopt;
  try {
    const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
    if (std::isfinite(z) && z > 0) return z;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string condition_label(const experiment_spec& spec) {
  std::string label;
  for (const auto& [factor, value] : spec.condition)
    label += fmt::format("{}{} = {}", label.empty() ? "" : ", ", factor, value);
  return label;
}

experiment_result simulate(const experiment_spec& spec, const progress_callback& progress) {
  return run_all(prepared_study{prepare(spec)}, progress).front();
}

std::vector<experiment_result> simulate(const std::vector<experiment_spec>& conditions,
                                        const progress_callback& progress) {
  return run_all(prepare(conditions), progress);
}

}  // namespace mlesim

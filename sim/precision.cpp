#include "sim/precision.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace mlesim {
namespace {

constexpr std::array<std::string_view, 20> names{
    "bias",           "emp_se",           "mse",                 "model_se",           "model_se_relerr",
    "coverage",       "miss_below",       "miss_above",          "var_over_crlb",      "skewness",
    "excess_kurtosis", "sandwich_se",     "sandwich_se_relerr",  "sandwich_coverage",  "sandwich_miss_below",
    "sandwich_miss_above", "alternative_bias", "alternative_emp_se", "alternative_mse", "relative_efficiency"};

struct figure_of {
  estimate_with_mcse value;
  bool proportion = false;
};

std::optional<figure_of> figure(const measures& m, std::string_view name) {
  const auto interval = [&](const interval_measures& i, std::string_view rest) -> std::optional<figure_of> {
    if (rest == "se") return figure_of{i.model_se};
    if (rest == "se_relerr") return figure_of{i.model_se_relerr};
    if (rest == "coverage") return figure_of{i.coverage, true};
    if (rest == "miss_below") return figure_of{i.miss_below, true};
    if (rest == "miss_above") return figure_of{i.miss_above, true};
    return std::nullopt;
  };
  if (name == "bias") return figure_of{m.bias};
  if (name == "emp_se") return figure_of{m.emp_se};
  if (name == "mse") return figure_of{m.mse};
  if (name == "model_se") return figure_of{m.fisher.model_se};
  if (name == "model_se_relerr") return figure_of{m.fisher.model_se_relerr};
  if (name == "coverage" || name == "miss_below" || name == "miss_above") return interval(m.fisher, name);
  if (name == "var_over_crlb") return figure_of{m.var_over_crlb};
  if (name == "skewness") return figure_of{m.skewness};
  if (name == "excess_kurtosis") return figure_of{m.excess_kurtosis};
  if (name.starts_with("sandwich_")) return interval(m.sandwich, name.substr(9));
  const comparison none{};
  const comparison& c = m.alternative ? *m.alternative : none;
  if (name == "alternative_bias") return figure_of{c.bias};
  if (name == "alternative_emp_se") return figure_of{c.emp_se};
  if (name == "alternative_mse") return figure_of{c.mse};
  if (name == "relative_efficiency") return figure_of{c.relative_efficiency};
  return std::nullopt;
}

}  // namespace

std::span<const std::string_view> targetable_measures() { return names; }

bool targetable(std::string_view measure) { return std::find(names.begin(), names.end(), measure) != names.end(); }

figure_needs needs_of(std::string_view measure) {
  if (measure.starts_with("sandwich_")) return figure_needs::sandwich;
  if (measure.starts_with("alternative_") || measure == "relative_efficiency") return figure_needs::alternative;
  if (measure == "var_over_crlb") return figure_needs::crlb;
  if (measure.starts_with("model_se") || measure == "coverage" || measure.starts_with("miss_"))
    return figure_needs::information;
  return figure_needs::always;
}

target_reading read_target(const measures& m, const mcse_target& target) {
  const auto f = figure(m, target.measure);
  if (!f || !f->value.value || !f->value.mcse || !std::isfinite(*f->value.mcse)) return {};
  double mcse = *f->value.mcse;
  if (f->proportion && (mcse == 0) && m.used > 0) {
    // No miss (or no cover) seen: the binomial MCSE at a half count either side.
    const double r = static_cast<double>(m.used);
    const double p = (*f->value.value * r + 0.5) / (r + 1);
    mcse = std::sqrt(p * (1 - p) / r);
  }
  const double reps = static_cast<double>(m.reps);
  return {mcse <= target.mcse, reps * (mcse / target.mcse) * (mcse / target.mcse)};
}

target_reading read_targets(const measures& m, std::span<const mcse_target> targets) {
  bool met = true, known = true;
  double needed = 0;
  for (const auto& target : targets) {
    const target_reading one = read_target(m, target);
    met = met && one.met;
    known = known && one.needed.has_value();
    needed = std::max(needed, one.needed.value_or(0.0));
  }
  return {met, known ? std::optional<double>(needed) : std::nullopt};
}

}  // namespace mlesim

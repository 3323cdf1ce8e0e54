#include "reports/csv.hpp"

#include "reports/format.hpp"

#include <fmt/format.h>

namespace mlesim {

namespace {

// A field as RFC 4180 wants it: quoted where it holds a comma, a quote or a
// line break (a covariate's name may).
std::string field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string csv_report(const experiment_result& result) { return csv_report(std::vector<experiment_result>{result}); }

std::string csv_report(const std::vector<experiment_result>& conditions) {
  using format::exact;
  std::string out;
  for (auto column : csv_required_columns) out += fmt::format("{}{}", out.empty() ? "" : ",", column);
  for (auto column : csv_extra_columns) out += fmt::format(",{}", column);
  for (auto column : csv_condition_columns) out += fmt::format(",{}", column);
  for (const auto& factor : conditions.front().spec.condition) out += fmt::format(",{}", field(fmt::format("condition.{}", factor.factor)));
  out += '\n';
  for (std::size_t c = 0; c < conditions.size(); ++c) {
  const experiment_result& result = conditions[c];
  for (const auto& row : result.rows) {
    const measures& m = row.m;
    const maybe classes = m.normality.classes ? maybe(m.normality.classes) : std::nullopt;
    const comparison alternative = m.alternative.value_or(comparison{});
    const bool compared = m.alternative.has_value();
    const std::string fields[] = {
        result.spec.name, fitted_family(result.spec), fmt::format("{}", row.n), row.estimand,
        exact(row.true_value), fmt::format("{}", m.reps), fmt::format("{}", m.failures), exact(m.mean),
        exact(m.bias.value), exact(m.bias.mcse), exact(m.emp_se.value), exact(m.emp_se.mcse),
        exact(m.mse.value), exact(m.mse.mcse), exact(m.fisher.model_se.value), exact(m.fisher.model_se_relerr.value),
        exact(m.fisher.coverage.value), exact(m.fisher.coverage.mcse), exact(m.crlb), exact(m.var_over_crlb.value),
        exact(m.skewness.value), exact(m.excess_kurtosis.value), exact(m.normality.statistic),
        exact(m.normality.p_value),
        // extras
        exact(m.fisher.model_se.mcse), exact(m.fisher.model_se_relerr.mcse), exact(m.fisher.miss_below.value),
        exact(m.fisher.miss_below.mcse), exact(m.fisher.miss_above.value), exact(m.fisher.miss_above.mcse),
        exact(m.var_over_crlb.mcse), exact(m.skewness.mcse), exact(m.excess_kurtosis.mcse),
        exact(classes), exact(result.spec.level), result.spec.family, exact(m.sandwich_var),
        exact(m.sandwich.model_se.value), exact(m.sandwich.model_se.mcse), exact(m.sandwich.model_se_relerr.value),
        exact(m.sandwich.model_se_relerr.mcse), exact(m.sandwich.coverage.value), exact(m.sandwich.coverage.mcse),
        exact(m.sandwich.miss_below.value), exact(m.sandwich.miss_below.mcse), exact(m.sandwich.miss_above.value),
        exact(m.sandwich.miss_above.mcse),
        compared ? result.alternative_estimator : "", compared ? fmt::format("{}", alternative.failures) : "",
        exact(alternative.bias.value), exact(alternative.bias.mcse), exact(alternative.emp_se.value),
        exact(alternative.emp_se.mcse), exact(alternative.mse.value), exact(alternative.mse.mcse),
        exact(alternative.relative_efficiency.value), exact(alternative.relative_efficiency.mcse)};
    static_assert(std::size(fields) == csv_required_columns.size() + csv_extra_columns.size());
    bool first = true;
    for (const auto& field : fields) {
      out += first ? "" : ",";
      out += field;  // names are validated to [A-Za-z0-9._-]: nothing to quote
      first = false;
    }
    out += fmt::format(",{},{}", c + 1, row.target_met ? (*row.target_met ? "true" : "false") : "");
    for (const auto& factor : result.spec.condition) out += fmt::format(",{}", exact(factor.value));
    out += '\n';
  }
  }
  return out;
}

}  // namespace mlesim

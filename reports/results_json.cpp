#include "reports/results_json.hpp"

#include "sim/state.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace mlesim {
namespace {

using json = nlohmann::json;

// A figure that is absent, or not finite (which the reports print as
// absent), is null. nlohmann writes a double in the shortest form that
// reads back to the same bits.
json number(const maybe& x) { return x && std::isfinite(*x) ? json(*x) : json(nullptr); }
maybe number(const json& j) { return j.is_null() ? std::nullopt : maybe(j.get<double>()); }

json pair(const estimate_with_mcse& x) { return json::array({number(x.value), number(x.mcse)}); }
estimate_with_mcse pair(const json& j) {
  if (!j.is_array() || j.size() != 2) throw std::invalid_argument("a [value, mcse] pair is not two numbers or nulls");
  return {number(j[0]), number(j[1])};
}

json intervals(const interval_measures& m) {
  return {{"model_se", pair(m.model_se)},
          {"model_se_relerr", pair(m.model_se_relerr)},
          {"coverage", pair(m.coverage)},
          {"miss_below", pair(m.miss_below)},
          {"miss_above", pair(m.miss_above)}};
}
interval_measures intervals(const json& j) {
  return {.model_se = pair(j.at("model_se")),
          .model_se_relerr = pair(j.at("model_se_relerr")),
          .coverage = pair(j.at("coverage")),
          .miss_below = pair(j.at("miss_below")),
          .miss_above = pair(j.at("miss_above"))};
}

json measures_json(const measures& m) {
  json j{{"reps", m.reps},
         {"failures", m.failures},
         {"used", m.used},
         {"mean", number(m.mean)},
         {"bias", pair(m.bias)},
         {"emp_se", pair(m.emp_se)},
         {"mse", pair(m.mse)},
         {"variance", pair(m.variance)},
         {"fisher", intervals(m.fisher)},
         {"sandwich", intervals(m.sandwich)},
         {"crlb", number(m.crlb)},
         {"sandwich_var", number(m.sandwich_var)},
         {"var_over_crlb", pair(m.var_over_crlb)},
         {"skewness", pair(m.skewness)},
         {"excess_kurtosis", pair(m.excess_kurtosis)},
         {"normality",
          {{"statistic", number(m.normality.statistic)},
           {"p_value", number(m.normality.p_value)},
           {"classes", m.normality.classes}}},
         {"alternative", nullptr},
         {"z_histogram", m.z_histogram}};
  if (m.alternative) {
    const comparison& c = *m.alternative;
    j["alternative"] = {{"used", c.used},
                        {"failures", c.failures},
                        {"bias", pair(c.bias)},
                        {"emp_se", pair(c.emp_se)},
                        {"mse", pair(c.mse)},
                        {"relative_efficiency", pair(c.relative_efficiency)}};
  }
  return j;
}

// A count: a JSON integer >= 0 (nlohmann would read -5 as 2^64 - 5).
std::uint64_t count(const json& j, std::string_view what) {
  if (!j.is_number_unsigned()) throw std::invalid_argument(fmt::format("its {} {} is not a count", what, j.dump()));
  return j.get<std::uint64_t>();
}

measures measures_from(const json& j) {
  measures m;
  m.reps = count(j.at("reps"), "reps");
  m.failures = count(j.at("failures"), "failures");
  m.used = count(j.at("used"), "used");
  if (m.failures > m.reps || m.used != m.reps - m.failures)
    throw std::invalid_argument(fmt::format("{} replications used of {} with {} failures", m.used, m.reps, m.failures));
  m.mean = number(j.at("mean"));
  m.bias = pair(j.at("bias"));
  m.emp_se = pair(j.at("emp_se"));
  m.mse = pair(j.at("mse"));
  m.variance = pair(j.at("variance"));
  m.fisher = intervals(j.at("fisher"));
  m.sandwich = intervals(j.at("sandwich"));
  m.crlb = number(j.at("crlb"));
  m.sandwich_var = number(j.at("sandwich_var"));
  m.var_over_crlb = pair(j.at("var_over_crlb"));
  m.skewness = pair(j.at("skewness"));
  m.excess_kurtosis = pair(j.at("excess_kurtosis"));
  const json& normality = j.at("normality");
  m.normality = {number(normality.at("statistic")), number(normality.at("p_value")), normality.at("classes")};
  if (const json& a = j.at("alternative"); !a.is_null())
    m.alternative = comparison{.used = count(a.at("used"), "alternative's used"),
                               .failures = count(a.at("failures"), "alternative's failures"),
                               .bias = pair(a.at("bias")),
                               .emp_se = pair(a.at("emp_se")),
                               .mse = pair(a.at("mse")),
                               .relative_efficiency = pair(a.at("relative_efficiency"))};
  if (m.alternative && m.alternative->used + m.alternative->failures > m.used)
    throw std::invalid_argument("its alternative estimator has more replications than the MLE");
  // Empty when fewer than two z values were drawn, else every bin's count.
  const json& histogram = j.at("z_histogram");
  if (!histogram.is_array() || (!histogram.empty() && histogram.size() != estimand_accumulator::z_bins))
    throw std::invalid_argument(fmt::format("its z_histogram is not {} counts", estimand_accumulator::z_bins));
  std::uint64_t binned = 0;
  for (const json& bin : histogram) {
    m.z_histogram.push_back(count(bin, "z_histogram count"));
    if (m.z_histogram.back() > m.used - binned)
      throw std::invalid_argument(fmt::format("its z_histogram counts more than its {} used replications", m.used));
    binned += m.z_histogram.back();
  }
  return m;
}

json description_json(const model_description& d) {
  return {{"name", d.name},       {"summary", d.summary},           {"parameters", d.parameters},
          {"known", d.known},     {"regular", d.regular},           {"irregularity", d.irregularity},
          {"method", d.method}};
}
model_description description_from(const json& j) {
  return {.name = j.at("name"),
          .summary = j.at("summary"),
          .parameters = j.at("parameters").get<std::vector<std::string>>(),
          .known = j.at("known").get<std::vector<std::string>>(),
          .regular = j.at("regular"),
          .irregularity = j.at("irregularity"),
          .method = j.at("method")};
}

// Whether the descriptions name the spec's families and have a name for
// each value the reports print with them.
bool describes(const experiment_result& r) {
  const experiment_spec& spec = r.spec;
  const auto fits = [](const model_description& d, std::size_t values, std::size_t known) {
    return d.parameters.size() == values && d.known.size() == known && d.regular == d.irregularity.empty();
  };
  if (spec.regression) {
    const auto& covariates = spec.regression->covariates;
    if (r.fitted.name != spec.family || r.covariates.size() != covariates.size() ||
        !fits(r.fitted, spec.theta.size(), 0))
      return false;
    for (std::size_t i = 0; i < covariates.size(); ++i)
      if (r.covariates[i].name != covariates[i].family ||
          !fits(r.covariates[i], covariates[i].theta.size(), covariates[i].known.size()))
        return false;
    return true;
  }
  return r.generating.name == spec.family && r.fitted.name == fitted_family(spec) && r.covariates.empty() &&
         fits(r.generating, spec.theta.size(), spec.known.size()) &&
         (!misspecified(spec) || !r.pseudo_true.empty()) &&
         fits(r.fitted, misspecified(spec) ? r.pseudo_true.size() : spec.theta.size(), fitted_known(spec).size());
}

}  // namespace

std::string results_json(const std::vector<experiment_result>& conditions, std::string_view build,
                         std::string_view verdicts) {
  json list = json::array();
  std::vector<experiment_spec> specs;
  for (const auto& result : conditions) {
    specs.push_back(result.spec);
    json rows = json::array();
    for (const auto& row : result.rows) {
      json r{{"n", row.n}, {"estimand", row.estimand}, {"true_value", row.true_value},
             {"measures", measures_json(row.m)}};
      r["target_met"] = row.target_met ? json(*row.target_met) : json(nullptr);
      rows.push_back(std::move(r));
    }
    list.push_back({{"design_file", result.spec.regression ? result.spec.regression->design_file : std::string()},
                    {"pseudo_true", result.pseudo_true},
                    {"alternative_estimator", result.alternative_estimator},
                    {"notes", result.notes},
                    {"kl_divergence", result.kl_divergence
                                          ? json::array({result.kl_divergence->value, result.kl_divergence->error})
                                          : json(nullptr)},
                    {"models",
                     {{"generating", description_json(result.generating)},
                      {"fitted", description_json(result.fitted)},
                      {"covariates", [&] {
                         json list = json::array();
                         for (const auto& c : result.covariates) list.push_back(description_json(c));
                         return list;
                       }()}}},
                    {"rows", rows}});
  }
  const json j{{"format", "mlesim results"},
               {"version", results_format_version},
               {"build", build},
               {"settings", json::parse(settings_json(specs))},
               {"verdicts", verdicts},
               {"conditions", list}};
  return j.dump() + "\n";
}

std::string results_json(const experiment_result& result, std::string_view build, std::string_view verdicts) {
  return results_json(std::vector<experiment_result>{result}, build, verdicts);
}

saved_results read_results_json(std::string_view text, const std::string& file) {
  saved_results saved;
  try {
    const json j = json::parse(text);
    if (!j.is_object() || j.value("format", std::string()) != "mlesim results")
      throw results_error(fmt::format("{}: not an mlesim results file", file));
    if (j.at("version") != results_format_version)
      throw results_error(fmt::format("{}: results format version {}, but this mlesim reads version {}", file,
                                      j.at("version").dump(), results_format_version));
    saved.build = j.at("build");
    saved.verdicts = j.at("verdicts");
    // The reports read the models' descriptions from the file: a family this
    // program does not know (a program's own, docs/library.md) reports too.
    const std::vector<experiment_spec> specs =
        conditions_from_settings(j.at("settings").dump(), file, family_check::none);
    const json& list = j.at("conditions");
    if (!list.is_array() || list.size() != specs.size())
      throw results_error(fmt::format("{}: its results are not one per condition of its settings", file));
    for (std::size_t c = 0; c < specs.size(); ++c) {
      const json& x = list[c];
      experiment_result& result = saved.conditions.emplace_back();
      result.spec = specs[c];
      if (result.spec.regression) result.spec.regression->design_file = x.at("design_file");
      result.pseudo_true = x.at("pseudo_true").get<std::vector<double>>();
      result.alternative_estimator = x.at("alternative_estimator");
      result.notes = x.at("notes").get<std::vector<std::string>>();
      const json& models = x.at("models");
      result.generating = description_from(models.at("generating"));
      result.fitted = description_from(models.at("fitted"));
      for (const json& c : models.at("covariates")) result.covariates.push_back(description_from(c));
      if (!describes(result))
        throw results_error(fmt::format("{}: its models' descriptions do not match its settings", file));
      if (const json& d = x.at("kl_divergence"); !d.is_null())
        result.kl_divergence = divergence_estimate{d.at(0).get<double>(), d.at(1).get<double>()};
      for (const json& row : x.at("rows"))
        result.rows.push_back({.n = row.at("n"), .estimand = row.at("estimand"), .true_value = row.at("true_value"),
                               .m = measures_from(row.at("measures")),
                               .target_met = row.at("target_met").is_null()
                                                 ? std::nullopt
                                                 : std::optional<bool>(row.at("target_met").get<bool>())});
    }
  } catch (const json::exception& e) {
    throw results_error(fmt::format("{}: not a usable results file ({})", file, e.what()));
  } catch (const state_error& e) {
    throw results_error(e.what());
  } catch (const std::invalid_argument& e) {
    throw results_error(fmt::format("{}: not a usable results file ({})", file, e.what()));
  }
  // The reports walk the rows as every sample size by every estimand, in order.
  for (const auto& result : saved.conditions) {
    const experiment_spec& spec = result.spec;
    bool whole = result.rows.size() == spec.sample_sizes.size() * spec.estimands.size();
    for (std::size_t i = 0; whole && i < result.rows.size(); ++i) {
      const auto& row = result.rows[i];
      whole = row.n == spec.sample_sizes[i / spec.estimands.size()] &&
              row.estimand == spec.estimands[i % spec.estimands.size()];
    }
    if (!whole)
      throw results_error(fmt::format("{}: its rows are not every sample size by every estimand of its settings", file));
  }
  return saved;
}

}  // namespace mlesim

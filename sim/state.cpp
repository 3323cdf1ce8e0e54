#include "sim/state.hpp"

#include "sim/formula_family.hpp"
#include "estimators/regression.hpp"
#include "sim/catalogue.hpp"
#include "sim/precision.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <iterator>
#include <mutex>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

namespace mlesim {
namespace {

constexpr std::string_view magic = "MLESIMST";

// A field added to the accumulators must be written below, and the format
// version bumped; this fails to compile until then.
static_assert(sizeof(estimand_accumulator) == 8456, "update sim/state.cpp and bump state_format_version");

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

class writer {
 public:
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }  // every bit, NaN payloads included
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void bytes(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

// Reads `in`, which begins at byte `base` of the file; errors name the file
// and the byte, counted from the file's start (or, in a chunk, from the
// chunk's, `what` naming it).
class reader {
 public:
  reader(std::string_view in, const std::string& file, std::size_t base = 0, std::string what = "")
      : in_(in), file_(file), base_(base), what_(std::move(what)) {}

  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in_[at_ + i])} << (8 * i);
    at_ += 8;
    return v;
  }
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(in_[at_ + i])} << (8 * i);
    at_ += 4;
    return v;
  }
  double f64() { return std::bit_cast<double>(u64()); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      const auto byte = static_cast<unsigned char>(in_[at_++]);
      v |= std::uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) return v;
    }
    fail("a malformed count");
  }
  std::string_view bytes() {
    const std::uint64_t size = u64();
    need(size);
    const auto s = in_.substr(at_, size);
    at_ += size;
    return s;
  }
  bool done() const { return at_ == in_.size(); }
  std::size_t offset() const { return base_ + at_; }  // in the file
  [[noreturn]] void fail(std::string_view problem) const {
    throw state_error(what_.empty()
                          ? fmt::format("{}: not a usable state file: {} at byte {}", file_, problem, base_ + at_)
                          : fmt::format("{}: not a usable state file: {}: {} at its byte {}", file_, what_, problem, at_));
  }

 private:
  void need(std::uint64_t count) const {
    if (count > in_.size() - at_) fail("truncated");
  }
  std::string_view in_;
  const std::string& file_;
  std::size_t base_;
  std::string what_;
  std::size_t at_ = 0;
};

void put(writer& w, const centred_sums& c) {
  w.u64(c.count);
  w.f64(c.mean);
  w.f64(c.m2);
  w.f64(c.m3);
  w.f64(c.m4);
}
void get(reader& r, centred_sums& c) {
  c.count = r.u64();
  c.mean = r.f64();
  c.m2 = r.f64();
  c.m3 = r.f64();
  c.m4 = r.f64();
}
void put(writer& w, const interval_tally& t) {
  put(w, t.variances);
  put(w, t.errors);
  w.f64(t.c_ve);
  w.f64(t.c_vee);
  w.u64(t.covered);
  w.u64(t.miss_below);
  w.u64(t.miss_above);
}
void get(reader& r, interval_tally& t) {
  get(r, t.variances);
  get(r, t.errors);
  t.c_ve = r.f64();
  t.c_vee = r.f64();
  t.covered = r.u64();
  t.miss_below = r.u64();
  t.miss_above = r.u64();
}
void put(writer& w, const paired_errors& p) {
  put(w, p.alternative);
  for (double v : {p.sum_a2, p.sum_b2, p.sum_a4, p.sum_b4, p.sum_a2b2}) w.f64(v);
  w.u64(p.failures);
}
void get(reader& r, paired_errors& p) {
  get(r, p.alternative);
  for (double* v : {&p.sum_a2, &p.sum_b2, &p.sum_a4, &p.sum_b4, &p.sum_a2b2}) *v = r.f64();
  p.failures = r.u64();
}

using json = nlohmann::json;

json regression_json(const regression_spec& r) {
  json covariates = json::array();
  for (const auto& c : r.covariates)
    covariates.push_back({{"name", c.name}, {"family", c.family}, {"theta", c.theta}, {"known", c.known}});
  json combinations = json::array();
  for (const auto& c : r.combinations) combinations.push_back({{"name", c.name}, {"weights", c.weights}});
  // The design file's name is not a setting: its values are.
  return {{"model", r.model},           {"intercept", r.intercept},      {"columns", r.columns},
          {"covariates", covariates},   {"design", r.design},            {"design_rows", r.design_rows},
          {"combinations", combinations}};
}

}  // namespace

namespace {

json condition_json(const experiment_spec& spec) {
  json condition = json::array(), targets = json::array();
  for (const auto& [factor, value] : spec.condition) condition.push_back({factor, value});
  for (const auto& [measure, mcse] : spec.targets) targets.push_back({measure, mcse});
  json j{{"chunk_length", chunk_length(spec.replications)},
         {"name", spec.name},
         {"family", spec.family},
         {"theta", spec.theta},
         {"known", spec.known},
         {"fit_family", spec.fit_family},
         {"fit_known", spec.fit_known},
         {"estimands", spec.estimands},
         {"seed", spec.seed},
         {"replications", spec.replications},
         {"targets", targets},
         {"sample_sizes", spec.sample_sizes},
         {"level", spec.level},
         {"sandwich_intervals", spec.sandwich_intervals},
         {"observed_information", spec.observed_information},
         {"condition", condition}};
  if (spec.regression) j["regression"] = regression_json(*spec.regression);
  // Models written as a formula, whole: a state or results file names no
  // family it cannot rebuild.
  if (!spec.models.empty()) {
    json models = json::array();
    for (const auto& m : spec.models)
      models.push_back({{"name", m.name}, {"parameters", m.parameters}, {"support", m.support},
                        {"log_density", m.log_density}, {"draw", m.draw}, {"start", m.start}});
    j["models"] = models;
  }
  return j;
}

// A string from a file, quoted and escaped as JSON (a name with a newline
// or a byte that is no UTF-8 is shown, not printed).
std::string shown(const std::string& text) { return json(text).dump(-1, ' ', true, json::error_handler_t::replace); }

std::string values_problem(const family_info& f, std::size_t theta, std::size_t known) {
  if (theta == f.parameters.size() && known == f.known.size()) return {};
  return fmt::format("it gives {} parameters and {} known constants of {}, which has {} and {}", theta, known, f.name,
                     f.parameters.size(), f.known.size());
}

// The values' counts, then the values in the family's parameter space and
// its known constants valid, as the loader checks a config's.
std::string family_problem(const family_info& f, const std::vector<double>& theta, const std::vector<double>& known) {
  if (std::string problem = values_problem(f, theta.size(), known.size()); !problem.empty()) return problem;
  const auto finite = [](const std::vector<double>& values) {
    return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  };
  if (!finite(theta) || !finite(known)) return fmt::format("its {} values are not all finite", f.name);
  if (std::string problem = f.check(theta); !problem.empty())
    return fmt::format("its true values are out of the {} parameter space: {}", f.name, problem);
  if (!known.empty())
    if (std::string problem = f.check_known(known); !problem.empty())
      return fmt::format("its {}'s known constants are invalid: {}", f.name, problem);
  return {};
}

// What the runner and the reports index by, checked: a file whose settings
// are well-formed JSON (its checksum right) but name an estimand, a size or a
// count its model cannot have is refused, never run or printed out of range.
//
// And what the config loader refuses (loader/config.cpp), in the loader's
// limits: a name that would write outside the output folder, a level with no
// interval, sample sizes the MLE does not exist at or out of order, a target
// that is no figure, true values outside the parameter space of a family
// this program knows. A hand-edited or foreign file with such settings is
// bad input, refused by name, never run or reported.
std::string settings_problem(const experiment_spec& spec) {
  if (std::string problem = experiment_name_problem(spec.name); !problem.empty())
    return fmt::format("its experiment name is {}, but {}", shown(spec.name), problem);
  if (spec.estimands.empty() || spec.sample_sizes.empty()) return "it has no estimands or no sample sizes";
  if (spec.seed > static_cast<std::uint64_t>(max_seed)) return fmt::format("its seed {} exceeds {}", spec.seed, max_seed);
  if (spec.replications < static_cast<std::uint64_t>(min_replications) ||
      spec.replications > static_cast<std::uint64_t>(max_replications))
    return fmt::format("its replications are {}, but must be in [{}, {}]", spec.replications, min_replications,
                       max_replications);
  if (!critical_value(spec.level))
    return fmt::format("its level is {}, but must be in (0, 1), with a finite normal quantile at (1 + level) / 2",
                       spec.level);
  for (std::size_t i = 0; i < spec.sample_sizes.size(); ++i) {
    const std::uint64_t n = spec.sample_sizes[i];
    if (n < 1 || n > max_sample_size)
      return fmt::format("its sample size {} is not in [1, {}]", n, max_sample_size);
    if (i > 0 && n <= spec.sample_sizes[i - 1])
      return fmt::format("its sample sizes must be strictly increasing, but {} follows {}", n, spec.sample_sizes[i - 1]);
  }
  for (std::size_t i = 0; i < spec.estimands.size(); ++i)
    if (std::find(spec.estimands.begin(), spec.estimands.begin() + static_cast<std::ptrdiff_t>(i), spec.estimands[i]) !=
        spec.estimands.begin() + static_cast<std::ptrdiff_t>(i))
      return fmt::format("it lists the estimand {} twice", spec.estimands[i]);
  for (const auto& [measure, mcse] : spec.targets)
    if (!targetable(measure) || !(mcse > 0 && std::isfinite(mcse)))
      return fmt::format("its target MCSE of {} is {}, but must be a figure with an MCSE (one of: {}) and a finite "
                         "number > 0", measure, mcse, fmt::join(targetable_measures(), ", "));
  const auto estimand_problem = [&](const std::vector<std::string>& names) -> std::string {
    for (const auto& e : spec.estimands)
      if (std::find(names.begin(), names.end(), e) == names.end())
        return fmt::format("its estimand {} is none of {}", e, fmt::join(names, ", "));
    return {};
  };
  if (spec.regression) {
    const regression_spec& r = *spec.regression;
    const regression_model* model = find_regression(r.model);
    if (!model) return fmt::format("its regression model {} is not one of {}", r.model, regression_names());
    std::vector<std::string> names = regression_parameters(*model, r.columns);
    if (spec.theta.size() != names.size())
      return fmt::format("it gives {} values for the {} parameters of its {}", spec.theta.size(), names.size(), r.model);
    if (!std::all_of(spec.theta.begin(), spec.theta.end(), [](double v) { return std::isfinite(v); }) ||
        (model->dispersion && !(spec.theta.back() > 0)))
      return fmt::format("its {} parameters [{}] are out of the model's parameter space", r.model,
                         fmt::join(spec.theta, ", "));
    // As many observations as coefficients at least (the loader's rule).
    if (spec.sample_sizes.front() <= r.columns.size())
      return fmt::format("its sample size {} is too small for the {} model's {} coefficients", spec.sample_sizes.front(),
                         r.model, r.columns.size());
    const std::size_t width = r.columns.size() - (r.intercept && !r.columns.empty() ? 1 : 0);
    if (r.design.empty()) {
      if (r.covariates.size() != width)
        return fmt::format("it draws {} covariates for {} design columns", r.covariates.size(), width);
      for (const auto& c : r.covariates)
        if (const family_info* family = find_family(c.family))
          if (std::string problem = family_problem(*family, c.theta, c.known); !problem.empty())
            return fmt::format("covariate {}: {}", c.name, problem);
    } else {
      if (r.design.size() != r.design_rows * width)
        return fmt::format("its design has {} values, not {} rows of {}", r.design.size(), r.design_rows, width);
      for (const std::uint64_t n : spec.sample_sizes)
        if (n > r.design_rows) return fmt::format("its sample size {} exceeds its design's {} rows", n, r.design_rows);
    }
    for (const auto& c : r.combinations) names.push_back(c.name);
    return estimand_problem(names);
  }
  // A family this program does not know (a results file of a program's
  // own family, a formula model not compiled yet) is checked by the program
  // that knows it.
  const family_info* generating = find_family(spec.family);
  const family_info* fitted = find_family(fitted_family(spec));
  if (!generating || !fitted) return {};
  if (std::string problem = family_problem(*generating, spec.theta, spec.known); !problem.empty()) return problem;
  if (misspecified(spec))
    if (std::string problem = values_problem(*fitted, fitted->parameters.size(), spec.fit_known.size());
        !problem.empty())
      return problem;
  if (misspecified(spec) && !spec.fit_known.empty())
    if (std::string problem = fitted->check_known(spec.fit_known); !problem.empty())
      return fmt::format("its fitted {}'s known constants are invalid: {}", fitted->name, problem);
  for (const family_info* family : {generating, fitted})
    if (spec.sample_sizes.front() < family->min_sample_size)
      return fmt::format("its sample size {} is too small: the {} MLE needs n >= {}", spec.sample_sizes.front(),
                         family->name, family->min_sample_size);
  const auto estimands = fitted->estimands();
  return estimand_problem({estimands.begin(), estimands.end()});
}

experiment_spec spec_from_json(const json& j, family_check check) {
  experiment_spec spec{.name = j.at("name"), .family = j.at("family"), .theta = j.at("theta"),
                       .known = j.at("known"), .fit_family = j.at("fit_family"), .fit_known = j.at("fit_known"),
                       .estimands = j.at("estimands"), .seed = j.at("seed"), .replications = j.at("replications"),
                       .sample_sizes = j.at("sample_sizes"), .level = j.at("level"),
                       .sandwich_intervals = j.at("sandwich_intervals"),
                       .observed_information = j.at("observed_information")};
  for (const json& t : j.at("targets")) spec.targets.push_back({t.at(0), t.at(1)});
  for (const json& f : j.at("condition")) spec.condition.push_back({f.at(0), f.at(1)});
  if (j.contains("regression")) {
    const json& r = j["regression"];
    regression_spec regression{.model = r.at("model"), .intercept = r.at("intercept"), .columns = r.at("columns")};
    for (const json& c : r.at("covariates"))
      regression.covariates.push_back({c.at("name"), c.at("family"), c.at("theta"), c.at("known")});
    regression.design = r.at("design").get<std::vector<double>>();
    regression.design_rows = r.at("design_rows");
    for (const json& c : r.at("combinations")) {
      regression.combinations.push_back({c.at("name"), c.at("weights")});
      if (regression.combinations.back().weights.size() != spec.theta.size())
        throw state_error(fmt::format("its combination {} has {} weights for {} parameters",
                                      regression.combinations.back().name,
                                      regression.combinations.back().weights.size(), spec.theta.size()));
    }
    spec.regression = std::move(regression);
  }
  if (j.contains("models"))
    for (const json& m : j.at("models")) {
      formula_spec model{.name = m.at("name"),
                         .parameters = m.at("parameters").get<std::vector<std::pair<std::string, std::string>>>(),
                         .support = m.at("support"),
                         .log_density = m.at("log_density"),
                         .draw = m.at("draw"),
                         .start = m.at("start").get<std::vector<double>>()};
      // A state is summarized by its models, so they are compiled and
      // registered; results are reported from their descriptions, and their
      // models are not (two folders' models of one name may differ).
      if (check == family_check::catalogue) {
        try {
          register_formula(model);
        } catch (const std::exception& e) {
          throw state_error(fmt::format("its model {} cannot be rebuilt: {}", model.name, e.what()));
        }
      }
      spec.models.push_back(std::move(model));
    }
  std::vector<std::string> names;
  if (spec.regression)
    for (const auto& c : spec.regression->covariates) names.push_back(c.family);
  else
    names = {spec.family, fitted_family(spec)};
  const auto is_model = [&](const std::string& name) {
    return std::any_of(spec.models.begin(), spec.models.end(), [&](const auto& m) { return m.name == name; });
  };
  if (check != family_check::none)
    for (const std::string& name : names)
      if (!find_family(name) && !(check == family_check::named && is_model(name)))
        throw state_error(fmt::format("its family {} is not in this program's catalogue: a family registered by a "
                                      "program of its own (docs/library.md) is merged by that program",
                                      name));
  if (const std::string problem = settings_problem(spec); !problem.empty()) throw state_error(problem);
  return spec;
}

void object_differences(const json& a, const json& b, const std::string& prefix, std::vector<std::string>& lines) {
  std::set<std::string> keys;
  for (const auto& [key, value] : a.items()) keys.insert(key);
  for (const auto& [key, value] : b.items()) keys.insert(key);
  for (const auto& key : keys) {
    const json x = a.contains(key) ? a[key] : json(), y = b.contains(key) ? b[key] : json();
    if (x != y) lines.push_back(fmt::format("{}{}: {} -> {}", prefix, key, x.dump(), y.dump()));
  }
}

}  // namespace

std::string settings_json(std::span<const experiment_spec> conditions) {
  json list = json::array();
  for (const auto& spec : conditions) list.push_back(condition_json(spec));
  return json{{"format", state_format_version}, {"conditions", list}}.dump();
}

std::vector<experiment_spec> conditions_from_settings(std::string_view text, const std::string& file,
                                                      family_check check) {
  try {
    const json j = json::parse(text);
    if (j.at("format").get<std::uint32_t>() != state_format_version)
      throw state_error(fmt::format("{}: written by state format {}, this mlesim reads format {}", file,
                                    j.at("format").get<std::uint32_t>(), state_format_version));
    std::vector<experiment_spec> conditions;
    for (const json& c : j.at("conditions")) {
      try {
        conditions.push_back(spec_from_json(c, check));
      } catch (const state_error& e) {
        throw state_error(fmt::format("{}: {}", file, e.what()));
      }
    }
    if (conditions.empty()) throw state_error(fmt::format("{}: its settings hold no conditions", file));
    // The reports and the shards' file names take the first condition's name for all.
    for (const auto& c : conditions)
      if (c.name != conditions.front().name)
        throw state_error(fmt::format("{}: its conditions name two experiments, {} and {}", file,
                                      shown(conditions.front().name), shown(c.name)));
    if (settings_json(conditions) != text) throw state_error(fmt::format("{}: its settings are not canonical", file));
    return conditions;
  } catch (const json::exception& e) {
    // Said of the settings, not the file's kind: a results file's are read here too.
    throw state_error(fmt::format("{}: its settings do not parse ({})", file, e.what()));
  }
}

std::vector<std::string> settings_differences(std::string_view before, std::string_view after) {
  std::vector<std::string> lines;
  const json a = json::parse(before, nullptr, false), b = json::parse(after, nullptr, false);
  if (a.is_discarded() || b.is_discarded() || !a.is_object() || !b.is_object()) {
    if (before != after) lines.push_back("the settings");
    return lines;
  }
  const json none = json::array();
  const json& x = a.contains("conditions") ? a["conditions"] : none;
  const json& y = b.contains("conditions") ? b["conditions"] : none;
  if (x.is_array() && y.is_array() && x.size() == y.size()) {
    for (std::size_t c = 0; c < x.size(); ++c)
      if (x[c].is_object() && y[c].is_object())
        object_differences(x[c], y[c], x.size() == 1 ? "" : fmt::format("condition {}: ", c + 1), lines);
      else if (x[c] != y[c])
        lines.push_back(fmt::format("condition {}", c + 1));
    json rest_a = a, rest_b = b;
    rest_a.erase("conditions");
    rest_b.erase("conditions");
    object_differences(rest_a, rest_b, "", lines);
  } else {
    if (x.is_array() && y.is_array())
      lines.push_back(fmt::format("conditions: {} -> {}", x.size(), y.size()));
    json rest_a = a, rest_b = b;
    if (x.is_array() && y.is_array()) {
      rest_a.erase("conditions");
      rest_b.erase("conditions");
    }
    object_differences(rest_a, rest_b, "", lines);
  }
  // Settings that differ only past the values compared (never in practice).
  if (lines.empty() && before != after) lines.push_back("the settings");
  return lines;
}

std::string encode_chunk(const accumulator_set& accumulators) {
  writer w;
  w.u32(static_cast<std::uint32_t>(accumulators.size()));
  for (const auto& a : accumulators) {
    w.u64(a.failures);
    put(w, a.errors);
    w.f64(a.sum_error4);
    put(w, a.fisher);
    put(w, a.sandwich);
    put(w, a.paired);
    w.u64(a.z_count);
    for (double s : a.z_sums) w.f64(s);
    for (std::uint64_t count : a.z_histogram) w.varint(count);  // mostly 0 or small: a byte each
  }
  return std::move(w.str());
}

namespace {

// describe_chunk, of condition `spec` of a study of `conditions`.
std::string describe(const experiment_spec& spec, std::size_t conditions, chunk_id id) {
  std::string text = fmt::format("chunk {} of n = {}", id.index + 1, spec.sample_sizes.at(id.size));
  if (conditions > 1) text += fmt::format(" in condition {} ({})", id.condition + 1, condition_label(spec));
  return text;
}

// Each replication a failure or an estimate; intervals, the alternative's
// pairs and z only on estimates; the histogram's counts z's; sums of squares
// not negative (a NaN passes: an overflow in a run makes one).
std::string chunk_problem(const estimand_accumulator& a, std::uint64_t replications) {
  const auto negative = [](double x) { return x < 0; };
  const std::uint64_t estimates = a.errors.count;
  if (a.failures > replications || estimates != replications - a.failures)
    return fmt::format("{} failures and {} estimates in {} replications", a.failures, estimates, replications);
  for (const interval_tally* t : {&a.fisher, &a.sandwich}) {
    if (t->errors.count != t->variances.count || t->errors.count > estimates ||
        t->covered > t->errors.count || t->miss_below > t->errors.count - t->covered ||
        t->covered + t->miss_below + t->miss_above != t->errors.count)
      return fmt::format("an interval tally of {} intervals ({} covered, {} and {} missed) for {} estimates",
                         t->errors.count, t->covered, t->miss_below, t->miss_above, estimates);
    if (negative(t->variances.m2) || negative(t->errors.m2)) return "a negative sum of squares";
  }
  if (a.paired.failures > estimates || a.paired.alternative.count > estimates - a.paired.failures)
    return fmt::format("{} paired estimates and {} failures for {} estimates", a.paired.alternative.count,
                       a.paired.failures, estimates);
  if (a.z_count > estimates) return fmt::format("{} z values for {} estimates", a.z_count, estimates);
  std::uint64_t binned = 0;
  for (const std::uint64_t count : a.z_histogram) {
    if (count > a.z_count - binned) return fmt::format("a histogram of more than its {} z values", a.z_count);
    binned += count;
  }
  if (binned != a.z_count) return fmt::format("a histogram of {} of its {} z values", binned, a.z_count);
  for (const double x : {a.errors.m2, a.sum_error4, a.paired.alternative.m2, a.paired.sum_a2, a.paired.sum_b2,
                         a.paired.sum_a4, a.paired.sum_b4, a.paired.sum_a2b2, a.z_sums[1], a.z_sums[3], a.z_sums[5],
                         a.z_sums[7]})
    if (negative(x)) return "a negative sum of squares";
  return {};
}

}  // namespace

accumulator_set decode_chunk(std::string_view bytes, const prepared_study& study, chunk_id id,
                             const std::string& file) {
  const std::string what = describe(study.at(id.condition)->spec(), study.size(), id);
  reader r(bytes, file, 0, what);
  const std::size_t estimands = study.at(id.condition)->estimand_count();
  if (r.u32() != estimands) r.fail("a chunk with another number of estimands");
  accumulator_set accumulators(estimands);
  for (auto& a : accumulators) {
    a.failures = r.u64();
    get(r, a.errors);
    a.sum_error4 = r.f64();
    get(r, a.fisher);
    get(r, a.sandwich);
    get(r, a.paired);
    a.z_count = r.u64();
    for (double& s : a.z_sums) s = r.f64();
    for (std::uint64_t& count : a.z_histogram) count = r.varint();
  }
  if (!r.done()) r.fail("trailing bytes in a chunk");
  const std::uint64_t replications =
      chunk_replications(study.at(id.condition)->spec().replications, id.index).size();
  for (std::size_t e = 0; e < estimands; ++e)
    if (const std::string problem = chunk_problem(accumulators[e], replications); !problem.empty())
      throw state_error(fmt::format("{}: not a usable state file: {}: estimand {}: {}", file, what,
                                    study.at(id.condition)->spec().estimands.at(e), problem));
  return accumulators;
}

std::string encode_state(const experiment_state& state) {
  writer payload;
  payload.bytes(state.settings);
  payload.u32(state.shard);
  payload.u32(state.shards);
  payload.u64(state.chunks.size());
  for (const auto& [id, bytes] : state.chunks) {
    payload.u32(id.condition);
    payload.u32(id.size);
    payload.u64(id.index);
    payload.bytes(bytes);
  }
  writer file;
  file.raw(magic);
  file.u32(state_format_version);
  file.bytes(payload.str());
  file.u64(fnv1a(file.str()));
  return std::move(file.str());
}

experiment_state decode_state(std::string_view bytes, const std::string& file) {
  if (bytes.substr(0, magic.size()) != magic)
    throw state_error(fmt::format("{}: not an mlesim state file (no MLESIMST header)", file));
  reader r(bytes.substr(magic.size()), file, magic.size());
  const std::uint32_t version = r.u32();
  if (version != state_format_version)
    throw state_error(fmt::format("{}: written by state format {}, this mlesim reads format {}: rerun that part with "
                                  "this build",
                                  file, version, state_format_version));
  const std::size_t payload_at = r.offset() + 8;
  const std::string_view payload = r.bytes();
  const std::uint64_t checksum = r.u64();
  if (!r.done()) r.fail("trailing bytes");
  if (fnv1a(bytes.substr(0, bytes.size() - 8)) != checksum)
    throw state_error(fmt::format("{}: corrupt: its checksum does not match its contents", file));

  reader p(payload, file, payload_at);
  experiment_state state;
  state.settings = std::string(p.bytes());
  state.shard = p.u32();
  state.shards = p.u32();
  if (state.shards == 0 || state.shard == 0 || state.shard > state.shards || state.shards > max_shards)
    p.fail(fmt::format("shard {} of {} (K/N with 1 <= K <= N <= {})", state.shard, state.shards, max_shards));
  const std::uint64_t count = p.u64();
  for (std::uint64_t i = 0; i < count; ++i) {
    chunk_id id;
    id.condition = p.u32();
    id.size = p.u32();
    id.index = p.u64();
    if (!state.chunks.emplace(id, std::string(p.bytes())).second) p.fail("a chunk twice");
  }
  if (!p.done()) p.fail("trailing bytes in the payload");
  return state;
}

experiment_state read_state(const std::filesystem::path& file) {
  // A folder opens as a stream on Linux, and reads as no bytes.
  if (std::error_code error; std::filesystem::is_directory(file, error))
    throw state_error(fmt::format("{}: a folder, not a state file", file.string()));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw state_error(fmt::format("{}: cannot read: {}", file.string(), std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return decode_state(buffer.str(), file.string());
}

std::vector<chunk_id> shard_chunks(std::span<const experiment_spec> conditions, std::uint32_t shard,
                                   std::uint32_t shards) {
  std::vector<chunk_id> result;
  const auto all = all_chunks(conditions);
  for (std::size_t i = shard - 1; i < all.size(); i += shards) result.push_back(all[i]);
  return result;
}

namespace {

std::vector<experiment_spec> specs_of(const prepared_study& study) {
  std::vector<experiment_spec> conditions;
  for (const auto& experiment : study) conditions.push_back(experiment->spec());
  return conditions;
}

}  // namespace

experiment_state run_to_state(const prepared_study& study, std::span<const chunk_id> chunks, std::uint32_t shard,
                              std::uint32_t shards, const progress_callback& progress) {
  experiment_state state{.settings = settings_json(specs_of(study)), .shard = shard, .shards = shards};
  const auto size_of = [&](chunk_id id) {
    return chunk_replications(study.at(id.condition)->spec().replications, id.index).size();
  };
  std::uint64_t total = 0, done = 0;
  for (const chunk_id& id : chunks) total += size_of(id);
  std::mutex mutex;
  run_chunks(study, chunks, [&](chunk_id id, accumulator_set&& accumulators) {
    std::string bytes = encode_chunk(accumulators);  // outside the lock: the encoding is the work
    std::lock_guard lock(mutex);
    state.chunks.emplace(id, std::move(bytes));
    done += size_of(id);
    if (progress) progress(done, total);
  });
  return state;
}

std::string describe_chunk(std::span<const experiment_spec> conditions, chunk_id id) {
  // A chunk read from a file may name a condition or size the study lacks.
  if (id.condition >= conditions.size() || id.size >= conditions[id.condition].sample_sizes.size())
    return fmt::format("chunk {} of sample size {} of condition {}, which this study lacks,", id.index + 1,
                       id.size + 1, id.condition + 1);
  return describe(conditions[id.condition], conditions.size(), id);
}

std::vector<experiment_result> summarize_encoded(const prepared_study& study,
                                                 const std::map<chunk_id, std::pair<std::string, std::string>>& chunks,
                                                 const std::string& source) {
  const std::vector<experiment_spec> conditions = specs_of(study);
  run_hooks hooks{.compute = false};
  hooks.saved = [&](chunk_id id) -> std::optional<accumulator_set> {
    const auto it = chunks.find(id);
    if (it == chunks.end()) return std::nullopt;
    return decode_chunk(it->second.first, study, id, it->second.second);
  };
  hooks.missing = [&](chunk_id id) {
    throw state_error(fmt::format("{}: {} is missing", source, describe_chunk(conditions, id)));
  };
  return run_all(study, hooks);
}

std::string shard_file_name(const std::string& experiment, std::uint32_t shard, std::uint32_t shards) {
  return fmt::format("{}.shard-{}-of-{}.state", experiment, shard, shards);
}

std::string checkpoint_file_name(const std::string& experiment) { return experiment + ".checkpoint.state"; }

}  // namespace mlesim

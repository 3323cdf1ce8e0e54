#include "experiments/config.hpp"

#include "estimators/registry.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace mlesim {
namespace {

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

std::string show(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& value) { out << value; });
  return out.str();
}

// Reads one table, knowing its allowed keys; anything else is an error.
class table_reader {
 public:
  table_reader(const toml::table& table, std::string name, const std::string& source,
               std::initializer_list<std::string_view> allowed)
      : table_(table), name_(std::move(name)), source_(source) {
    for (const auto& [key, node] : table_) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        fail(key, fmt::format("unknown key '{}' in {} (allowed: {})", key.str(), name_, fmt::join(allowed, ", ")));
      }
    }
  }

  [[noreturn]] void fail(const toml::node& node, const std::string& message) const {
    throw input_error(fmt::format("{}: {}", where(node), message));
  }
  [[noreturn]] void fail(const toml::key& key, const std::string& message) const {
    throw input_error(fmt::format("{}:{}:{}: {}", source_, key.source().begin.line, key.source().begin.column, message));
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw input_error(fmt::format("{}: {}", where(table_), message));
  }

  std::string where(const toml::node& node) const {
    const auto& begin = node.source().begin;
    return fmt::format("{}:{}:{}", source_, begin.line, begin.column);
  }

  std::string key(std::string_view k) const { return fmt::format("{}.{}", name_, k); }

  const toml::node* find(std::string_view k) const { return table_.get(k); }

  const toml::node& require(std::string_view k) const {
    const toml::node* node = find(k);
    if (!node) fail(fmt::format("missing key {}", key(k)));
    return *node;
  }

  std::string string(const toml::node& node, std::string_view k) const {
    if (!node.is_string()) fail(node, fmt::format("{} must be a string, got {} ({})", key(k), type_name(node), show(node)));
    return std::string(node.as_string()->get());
  }

  std::int64_t integer(const toml::node& node, std::string_view k, std::int64_t low, std::int64_t high) const {
    if (!node.is_integer()) fail(node, fmt::format("{} must be an integer, got {} ({})", key(k), type_name(node), show(node)));
    const std::int64_t value = node.as_integer()->get();
    if (value < low || value > high)
      fail(node, fmt::format("{} is {}, but must be in [{}, {}]", key(k), value, low, high));
    return value;
  }

  double number(const toml::node& node, std::string_view k) const {
    if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
    if (!node.is_floating_point()) fail(node, fmt::format("{} must be a number, got {} ({})", key(k), type_name(node), show(node)));
    const double value = node.as_floating_point()->get();
    if (!std::isfinite(value)) fail(node, fmt::format("{} is {}, but must be finite", key(k), value));
    return value;
  }

  double open_unit(const toml::node& node, std::string_view k) const {
    const double value = number(node, k);
    if (!(value > 0 && value < 1)) fail(node, fmt::format("{} is {}, but must be in (0, 1)", key(k), value));
    return value;
  }

  const toml::array& array(const toml::node& node, std::string_view k) const {
    if (!node.is_array()) fail(node, fmt::format("{} must be an array, got {} ({})", key(k), type_name(node), show(node)));
    return *node.as_array();
  }

  const toml::table& table() const { return table_; }
  const std::string& source() const { return source_; }

 private:
  const toml::table& table_;
  std::string name_;
  const std::string& source_;
};

const toml::table& subtable(const table_reader& parent, std::string_view k) {
  const toml::node& node = parent.require(k);
  if (!node.is_table()) parent.fail(node, fmt::format("{} must be a table, got {}", parent.key(k), type_name(node)));
  return *node.as_table();
}

bool valid_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.size() <= 200 &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_' || c == '.';
         });
}

void read_experiment_table(const table_reader& root, experiment_config& config) {
  const table_reader t(subtable(root, "experiment"), "[experiment]", root.source(),
                       {"name", "seed", "replications", "sample_sizes", "level", "false_failure_rate"});
  const toml::node& name = t.require("name");
  config.spec.name = t.string(name, "name");
  if (!valid_name(config.spec.name))
    t.fail(name, fmt::format("[experiment].name is '{}', but must be letters, digits, '-', '_' or '.' "
                             "(it names the output files)", config.spec.name));
  config.spec.seed = default_seed;
  if (const auto* seed = t.find("seed"))
    config.spec.seed = static_cast<std::uint64_t>(t.integer(*seed, "seed", 0, INT64_MAX));
  config.spec.replications = static_cast<std::uint64_t>(
      t.integer(t.require("replications"), "replications", 2, 1'000'000'000'000));
  config.spec.level = default_level;
  if (const auto* level = t.find("level")) config.spec.level = t.open_unit(*level, "level");
  if (const auto* rate = t.find("false_failure_rate")) config.false_failure_rate = t.open_unit(*rate, "false_failure_rate");

  const toml::node& sizes_node = t.require("sample_sizes");
  const toml::array& sizes = t.array(sizes_node, "sample_sizes");
  if (sizes.empty()) t.fail(sizes_node, "[experiment].sample_sizes is empty; give at least one sample size");
  for (const toml::node& size : sizes) {
    const auto n = static_cast<std::uint64_t>(
        t.integer(size, "sample_sizes", 1, static_cast<std::int64_t>(max_sample_size)));
    if (!config.spec.sample_sizes.empty() && n <= config.spec.sample_sizes.back())
      t.fail(size, fmt::format("[experiment].sample_sizes must be strictly increasing, but {} follows {}", n,
                               config.spec.sample_sizes.back()));
    config.spec.sample_sizes.push_back(n);
  }
}

// A family's known constants from `table.known`: each one given, nothing else.
std::vector<double> read_known(const table_reader& t, const family_info& family, std::string_view table) {
  const toml::node* node = t.find("known");
  if (family.known.empty()) {
    if (node) t.fail(*node, fmt::format("{}.known: the {} family has no known constants", table, family.name));
    return {};
  }
  if (!node)
    t.fail(fmt::format("{} lacks known = {{ {} = ... }}: the {} family's {} must be given", table,
                       family.known.front(), family.name, fmt::join(family.known, ", ")));
  if (!node->is_table())
    t.fail(*node, fmt::format("{}.known must be a table like {{ {} = ... }}, got {}", table, family.known.front(),
                              type_name(*node)));
  const toml::table& known = *node->as_table();
  for (const auto& [key, value] : known)
    if (std::find(family.known.begin(), family.known.end(), key.str()) == family.known.end())
      t.fail(key, fmt::format("unknown constant '{}' in {}.known: {} has {}", key.str(), table, family.name,
                              fmt::join(family.known, ", ")));
  std::vector<double> values;
  for (auto name : family.known) {
    const toml::node* value = known.get(name);
    if (!value) t.fail(*node, fmt::format("{}.known lacks {} (the {} family needs it)", table, name, family.name));
    values.push_back(t.number(*value, fmt::format("known.{}", name)));
  }
  if (const std::string problem = family.check_known(values); !problem.empty())
    t.fail(*node, fmt::format("{}.known is invalid: {}", table, problem));
  return values;
}

// Each sample size is one the family's MLE exists at.
void check_sample_sizes(const table_reader& root, const family_info& family, const experiment_spec& spec) {
  for (auto n : spec.sample_sizes)
    if (n < family.min_sample_size)
      root.fail(fmt::format("[experiment].sample_sizes has {}, but the {} MLE needs n >= {}", n, family.name,
                            family.min_sample_size));
}

const family_info& read_generate_table(const table_reader& root, experiment_config& config) {
  const table_reader t(subtable(root, "generate"), "[generate]", root.source(), {"family", "params", "known"});
  const toml::node& family_node = t.require("family");
  const std::string family_name = t.string(family_node, "family");
  const family_info* family = find_family(family_name);
  if (!family)
    t.fail(family_node, fmt::format("[generate].family '{}' is not a known family (known: {})", family_name, family_names()));
  config.spec.family = family_name;

  const toml::node& params_node = t.require("params");
  if (!params_node.is_table())
    t.fail(params_node, fmt::format("[generate].params must be a table like {{ {} = ... }}, got {}",
                                    family->parameters.front(), type_name(params_node)));
  const toml::table& params = *params_node.as_table();
  for (const auto& [key, node] : params) {
    if (std::find(family->parameters.begin(), family->parameters.end(), key.str()) == family->parameters.end()) {
      if (std::find(family->known.begin(), family->known.end(), key.str()) != family->known.end())
        t.fail(key, fmt::format("'{}' is a known constant of {}, not an estimated parameter: give it in "
                                "[generate].known", key.str(), family->name));
      t.fail(key, fmt::format("unknown parameter '{}' in [generate].params: {} has {}", key.str(), family->name,
                               fmt::join(family->parameters, ", ")));
    }
  }
  for (auto parameter : family->parameters) {
    const toml::node* node = params.get(parameter);
    if (!node) t.fail(params_node, fmt::format("[generate].params lacks {} (the {} family needs it)", parameter, family->name));
    config.spec.theta.push_back(t.number(*node, fmt::format("params.{}", parameter)));
  }
  const std::string problem = family->check(config.spec.theta);
  if (!problem.empty())
    t.fail(params_node, fmt::format("[generate].params is out of the {} parameter space: {}", family->name, problem));
  config.spec.known = read_known(t, *family, "[generate]");
  check_sample_sizes(root, *family, config.spec);
  return *family;
}

std::string_view support_name(support_kind s) {
  switch (s) {
    case support_kind::real_line: return "the real line";
    case support_kind::positive: return "(0, inf)";
    case support_kind::nonnegative: return "[0, inf)";
    case support_kind::counts: return "{0, 1, 2, ...}";
    case support_kind::binary: return "{0, 1}";
    case support_kind::bounded: return "[0, theta]";
    case support_kind::unit: return "(0, 1)";
  }
  return "?";
}

void read_fit_table(const table_reader& root, const family_info& generating, experiment_config& config) {
  const toml::node* node = root.find("fit");
  if (!node) {
    for (auto parameter : generating.parameters) config.spec.estimands.emplace_back(parameter);
    return;
  }
  if (!node->is_table()) root.fail(*node, fmt::format("[fit] must be a table, got {}", type_name(*node)));
  const table_reader t(*node->as_table(), "[fit]", root.source(), {"family", "estimands", "known", "information"});
  const family_info* fitted = &generating;
  if (const auto* fit_family = t.find("family")) {
    const std::string name = t.string(*fit_family, "family");
    fitted = find_family(name);
    if (!fitted)
      t.fail(*fit_family, fmt::format("[fit].family '{}' is not a known family (known: {})", name, family_names()));
    if (fitted != &generating) {
      if (!fitted->regular)
        t.fail(*fit_family, fmt::format("[fit].family '{}' is non-regular: a misspecified fit needs a regular "
                                        "fitted family (its pseudo-true value and sandwich variance)", name));
      if (fitted->support_limited)
        t.fail(*fit_family, fmt::format("[fit].family '{}' has a support set by its known constants, which other "
                                        "families' data can leave: it cannot be a misspecified fit", name));
      if (!contains(fitted->support, generating.support))
        t.fail(*fit_family, fmt::format("[fit].family '{}' lives on {}, which does not hold every value of "
                                        "{} data ({})", name, support_name(fitted->support), generating.name,
                                        support_name(generating.support)));
      config.spec.fit_family = name;
      config.spec.fit_known = read_known(t, *fitted, "[fit]");
      check_sample_sizes(root, *fitted, config.spec);
    }
  }
  if (fitted == &generating) {
    if (const auto* known = t.find("known"))
      t.fail(*known, "[fit].known is for a misspecified fit: the fitted family is the generating one, whose "
                     "constants are [generate].known");
  }
  if (const auto* information = t.find("information")) {
    const std::string value = t.string(*information, "information");
    if (value != "expected" && value != "observed")
      t.fail(*information, fmt::format("[fit].information is '{}', but must be \"expected\" or \"observed\"", value));
    if (!fitted->regular)
      t.fail(*information, fmt::format("[fit].information: the non-regular {} family has no Fisher information",
                                       fitted->name));
    config.spec.observed_information = value == "observed";
  }
  const auto known = fitted->estimands();
  if (const auto* estimands_node = t.find("estimands")) {
    const toml::array& estimands = t.array(*estimands_node, "estimands");
    if (estimands.empty()) t.fail(*estimands_node, "[fit].estimands is empty; leave it out to estimate every parameter");
    for (const toml::node& e : estimands) {
      const std::string name = t.string(e, "estimands");
      if (std::find(known.begin(), known.end(), name) == known.end())
        t.fail(e, fmt::format("[fit].estimands has '{}', which {} does not know (known: {})", name, fitted->name,
                              fmt::join(known, ", ")));
      if (std::find(config.spec.estimands.begin(), config.spec.estimands.end(), name) != config.spec.estimands.end())
        t.fail(e, fmt::format("[fit].estimands lists '{}' twice", name));
      config.spec.estimands.push_back(name);
    }
  } else {
    for (auto parameter : fitted->parameters) config.spec.estimands.emplace_back(parameter);
  }
}

void read_checks(const table_reader& root, const family_info& fitted, experiment_config& config) {
  const toml::node* node = root.find("check");
  if (!node) return;
  if (!node->is_array_of_tables()) root.fail(*node, "check must be an array of tables: write [[check]]");
  static constexpr std::array<std::string_view, 7> properties{"bias", "coverage", "efficiency", "model_se",
                                                              "normality", "consistency", "invariance"};
  for (const toml::node& item : *node->as_array()) {
    const table_reader t(*item.as_table(), "[[check]]", root.source(),
                         {"property", "estimand", "n_min", "n_max", "target", "tolerance", "tolerance_mcse", "interval", "expect"});
    check_spec check;
    check.location = t.where(item);
    const toml::node& property = t.require("property");
    check.property = t.string(property, "property");
    if (std::find(properties.begin(), properties.end(), check.property) == properties.end())
      t.fail(property, fmt::format("[[check]].property '{}' is not one of bias, coverage, efficiency, model_se, "
                                   "normality, consistency, invariance", check.property));
    const toml::node& estimand = t.require("estimand");
    check.estimand = t.string(estimand, "estimand");
    if (std::find(config.spec.estimands.begin(), config.spec.estimands.end(), check.estimand) ==
        config.spec.estimands.end())
      t.fail(estimand, fmt::format("[[check]].estimand '{}' is not among this experiment's estimands", check.estimand));
    if (const auto* n_min = t.find("n_min"))
      check.n_min = static_cast<std::uint64_t>(t.integer(*n_min, "n_min", 1, INT64_MAX));
    if (const auto* n_max = t.find("n_max"))
      check.n_max = static_cast<std::uint64_t>(t.integer(*n_max, "n_max", 1, INT64_MAX));
    if (check.n_min > check.n_max) t.fail(item, "[[check]].n_min exceeds n_max");
    if (const auto* target = t.find("target")) check.target = t.number(*target, "target");
    if (const auto* tolerance = t.find("tolerance")) {
      check.tolerance = t.number(*tolerance, "tolerance");
      if (check.tolerance < 0) t.fail(*tolerance, fmt::format("[[check]].tolerance is {}, but must be >= 0", check.tolerance));
    }
    if (const auto* tolerance = t.find("tolerance_mcse")) {
      check.tolerance_mcse = t.number(*tolerance, "tolerance_mcse");
      if (check.tolerance_mcse < 0)
        t.fail(*tolerance, fmt::format("[[check]].tolerance_mcse is {}, but must be >= 0", check.tolerance_mcse));
    }
    if (const auto* expect = t.find("expect")) {
      const std::string value = t.string(*expect, "expect");
      if (value != "pass" && value != "fail")
        t.fail(*expect, fmt::format("[[check]].expect is '{}', but must be \"pass\" or \"fail\"", value));
      check.expect_pass = value == "pass";
    }
    if (const auto* interval = t.find("interval")) {
      const std::string value = t.string(*interval, "interval");
      if (value != "fisher" && value != "sandwich")
        t.fail(*interval, fmt::format("[[check]].interval is '{}', but must be \"fisher\" or \"sandwich\"", value));
      if (check.property != "coverage" && check.property != "model_se")
        t.fail(*interval, "[[check]].interval applies to coverage and model_se checks only");
      check.sandwich = value == "sandwich";
      config.spec.sandwich_intervals = config.spec.sandwich_intervals || check.sandwich;
    }
    const bool needs_information = check.property == "coverage" || check.property == "efficiency" ||
                                   check.property == "model_se" || check.property == "invariance";
    if (needs_information && !fitted.regular)
      t.fail(property, fmt::format("[[check]].property '{}' needs the Fisher information, which the non-regular {} "
                                   "family does not have", check.property, fitted.name));
    if (check.property == "normality" && check.target)
      t.fail(*t.find("target"), "[[check]] normality takes no target: it tests z against N(0, 1)");
    if (check.property == "invariance" && check.tolerance_mcse > 0)
      t.fail(*t.find("tolerance_mcse"), "[[check]] invariance is numeric: give its relative error as tolerance");
    const auto sizes = std::count_if(config.spec.sample_sizes.begin(), config.spec.sample_sizes.end(),
                                     [&](auto n) { return n >= check.n_min && n <= check.n_max; });
    if (sizes < (check.property == "consistency" ? 2 : 1))
      t.fail(item, fmt::format("[[check]] {} of {} applies to {} of the sample sizes; it needs {}", check.property,
                               check.estimand, sizes, check.property == "consistency" ? "two or more" : "one or more"));
    config.checks.push_back(std::move(check));
  }
}

}  // namespace

experiment_config parse_experiment(std::string_view text, const std::string& source) {
  toml::table root_table;
  try {
    root_table = toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw input_error(fmt::format("{}:{}:{}: {}", source, begin.line, begin.column, error.description()));
  }
  experiment_config config;
  config.file = source;
  const table_reader root(root_table, "the top level", source, {"experiment", "generate", "fit", "check"});
  read_experiment_table(root, config);
  const family_info& family = read_generate_table(root, config);
  read_fit_table(root, family, config);
  read_checks(root, *find_family(fitted_family(config.spec)), config);
  return config;
}

experiment_config load_experiment(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open the config file", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw input_error(fmt::format("{}: cannot read the config file", file.string()));
  return parse_experiment(text.str(), file.string());
}

}  // namespace mlesim

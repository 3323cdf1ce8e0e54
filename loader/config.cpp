#include "loader/config.hpp"

#include "sim/catalogue.hpp"
#include "sim/formula_family.hpp"
#include "estimators/regression.hpp"
#include "loader/data.hpp"
#include "sim/precision.hpp"

#include <Eigen/Dense>
#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <variant>
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

// The name of a config's root table, in messages.
constexpr std::string_view top_level = "the top level";

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

  // [experiment].name; a top-level key is a table's name, [experiment].
  std::string key(std::string_view k) const {
    return name_ == top_level ? fmt::format("[{}]", k) : fmt::format("{}.{}", name_, k);
  }

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

void read_experiment_table(const table_reader& root, experiment_config& config) {
  const table_reader t(subtable(root, "experiment"), "[experiment]", root.source(),
                       {"name", "seed", "replications", "sample_sizes", "level", "false_failure_rate", "target_mcse",
                        "max_replications"});
  const toml::node& name = t.require("name");
  config.spec.name = t.string(name, "name");
  if (const std::string problem = experiment_name_problem(config.spec.name); !problem.empty())
    t.fail(name, fmt::format("[experiment].name is '{}', but {}", printable(config.spec.name), problem));
  config.spec.seed = default_seed;
  if (const auto* seed = t.find("seed"))
    config.spec.seed = static_cast<std::uint64_t>(t.integer(*seed, "seed", 0, max_seed));
  // A fixed count, or targets for the MCSEs and the most a row may use.
  const toml::node* replications = t.find("replications");
  const toml::node* targets = t.find("target_mcse");
  const toml::node* most = t.find("max_replications");
  if (replications && (targets || most))
    t.fail(*(targets ? targets : most), "[experiment] gives replications and target_mcse/max_replications: give a "
                                        "fixed count, or targets and the most replications they may use");
  if (!replications && !targets)
    t.fail("missing key [experiment].replications (or target_mcse with max_replications)");
  if (targets && !most) t.fail(*targets, "[experiment].target_mcse needs max_replications, the most a row may use");
  if (most && !targets) t.fail(*most, "[experiment].max_replications goes with target_mcse");
  if (replications) {
    config.spec.replications =
        static_cast<std::uint64_t>(t.integer(*replications, "replications", min_replications, max_replications));
  } else {
    config.spec.replications =
        static_cast<std::uint64_t>(t.integer(*most, "max_replications", min_replications, max_replications));
    if (!targets->is_table() || targets->as_table()->empty())
      t.fail(*targets, "[experiment].target_mcse must be a table like { coverage = 0.002, bias = 0.01 }");
    for (const auto& [key, value] : *targets->as_table()) {
      const std::string measure(key.str());
      if (!targetable(measure))
        t.fail(key, fmt::format("[experiment].target_mcse has '{}', which is not a figure with an MCSE (one of: {})",
                                measure, fmt::join(targetable_measures(), ", ")));
      const double mcse = t.number(value, fmt::format("target_mcse.{}", measure));
      if (!(mcse > 0)) t.fail(value, fmt::format("[experiment].target_mcse.{} is {}, but must be > 0", measure, mcse));
      config.spec.targets.push_back({measure, mcse});
    }
  }
  config.spec.level = default_level;
  if (const auto* level = t.find("level")) {
    config.spec.level = t.open_unit(*level, "level");
    if (!critical_value(config.spec.level))
      t.fail(*level, fmt::format("[experiment].level is {}, but its intervals' critical value, the normal quantile "
                                 "at (1 + level) / 2 = {}, is not a finite positive number in double precision",
                                 config.spec.level, (1 + config.spec.level) / 2));
  }
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

// Whose named values a table holds, for messages: "unknown parameter 'x'
// in ...: gamma has shape, rate" (`has`) and "... lacks shape (the gamma
// family needs it)" (`needs`).
struct value_owner {
  std::string has;
  std::string needs;
};

// The values of `names`, in order, from the table under `key` of t: each
// one given, each a finite number, no other key. `noun` names what they are.
template <class Names>
std::vector<double> named_values(const table_reader& t, std::string_view key, std::string_view noun,
                                 const value_owner& owner, const Names& names) {
  const toml::node& node = t.require(key);
  const std::string where = t.key(key);
  if (!node.is_table())
    t.fail(node, fmt::format("{} must be a table like {{ {} = ... }}, got {}", where, names.front(), type_name(node)));
  const toml::table& table = *node.as_table();
  for (const auto& [name, value] : table)
    if (std::find(names.begin(), names.end(), name.str()) == names.end())
      t.fail(name, fmt::format("unknown {} '{}' in {}: {} has {}", noun, name.str(), where, owner.has,
                               fmt::join(names, ", ")));
  std::vector<double> values;
  for (const auto& name : names) {
    const toml::node* value = table.get(name);
    if (!value) t.fail(node, fmt::format("{} lacks {} ({} needs it)", where, name, owner.needs));
    values.push_back(t.number(*value, fmt::format("{}.{}", key, name)));
  }
  return values;
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
  const std::vector<double> values =
      named_values(t, "known", "constant", {std::string(family.name), fmt::format("the {} family", family.name)},
                   family.known);
  if (const std::string problem = family.check_known(values); !problem.empty())
    t.fail(*node, fmt::format("{}.known is invalid: {}", table, problem));
  return values;
}

// Where a message about the sample sizes points: read_experiment_table
// has checked the node is there.
const toml::node& sample_sizes_node(const table_reader& root) {
  return *root.table().at_path("experiment.sample_sizes").node();
}

// Each sample size is one the family's MLE exists at.
void check_sample_sizes(const table_reader& root, const family_info& family, const experiment_spec& spec) {
  for (auto n : spec.sample_sizes)
    if (n < family.min_sample_size)
      root.fail(sample_sizes_node(root), fmt::format("[experiment].sample_sizes has {}, but the {} MLE needs n >= {}",
                                                     n, family.name, family.min_sample_size));
}

const family_info& read_generate_table(const table_reader& root, experiment_config& config) {
  const table_reader t(subtable(root, "generate"), "[generate]", root.source(), {"family", "params", "known"});
  const toml::node& family_node = t.require("family");
  const std::string family_name = t.string(family_node, "family");
  const family_info* family = find_family(family_name);
  if (!family)
    t.fail(family_node, fmt::format("[generate].family '{}' is not a known family (known: {}) or regression model "
                                    "(known: {})", family_name, family_names(), regression_names()));
  config.spec.family = family_name;

  const toml::node& params_node = t.require("params");
  if (params_node.is_table())
    for (const auto& [key, node] : *params_node.as_table())
      if (std::find(family->known.begin(), family->known.end(), key.str()) != family->known.end())
        t.fail(key, fmt::format("'{}' is a known constant of {}, not an estimated parameter: give it in "
                                "[generate].known", key.str(), family->name));
  config.spec.theta = named_values(t, "params", "parameter",
                                   {std::string(family->name), fmt::format("the {} family", family->name)},
                                   family->parameters);
  const std::string problem = family->check(config.spec.theta);
  if (!problem.empty())
    t.fail(params_node, fmt::format("[generate].params is out of the {} parameter space: {}", family->name, problem));
  config.spec.known = read_known(t, *family, "[generate]");
  check_sample_sizes(root, *family, config.spec);
  return *family;
}

// [fit].estimands: each one `known` to the fitted model, none twice; `defaults` when left out.
void read_estimands(const table_reader& t, std::string_view fitted, const std::vector<std::string>& known,
                    const std::vector<std::string>& defaults, experiment_config& config) {
  const auto* estimands_node = t.find("estimands");
  if (!estimands_node) {
    config.spec.estimands = defaults;
    return;
  }
  const toml::array& estimands = t.array(*estimands_node, "estimands");
  if (estimands.empty()) t.fail(*estimands_node, "[fit].estimands is empty; leave it out to estimate every parameter");
  for (const toml::node& e : estimands) {
    const std::string name = t.string(e, "estimands");
    if (std::find(known.begin(), known.end(), name) == known.end())
      t.fail(e, fmt::format("[fit].estimands has '{}', which {} does not know (known: {})", name, fitted,
                            fmt::join(known, ", ")));
    if (std::find(config.spec.estimands.begin(), config.spec.estimands.end(), name) != config.spec.estimands.end())
      t.fail(e, fmt::format("[fit].estimands lists '{}' twice", name));
    config.spec.estimands.push_back(name);
  }
}

// [fit].information: which information the standard errors come from.
void read_information(const table_reader& t, std::string_view fitted, bool regular, experiment_config& config) {
  const auto* information = t.find("information");
  if (!information) return;
  const std::string value = t.string(*information, "information");
  if (value != "expected" && value != "observed")
    t.fail(*information, fmt::format("[fit].information is '{}', but must be \"expected\" or \"observed\"", value));
  if (!regular)
    t.fail(*information, fmt::format("[fit].information: the non-regular {} family has no Fisher information", fitted));
  config.spec.observed_information = value == "observed";
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
                                        "{} data ({})", name, describe(fitted->support), generating.name,
                                        describe(generating.support)));
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
  read_information(t, fitted->name, fitted->regular, config);
  const auto known = fitted->estimands();
  read_estimands(t, fitted->name, std::vector<std::string>(known.begin(), known.end()),
                 std::vector<std::string>(fitted->parameters.begin(), fitted->parameters.end()), config);
}

// What the checks need to know of the fitted model.
struct fitted_model {
  std::string_view name;
  bool regular;
  bool regression;
};

// [[check]].where = { shape = 0.5 } or { shape = [0.5, 1], rate = 2 }: each
// key a varied factor, each value one of its values.
void read_where(const table_reader& t, const toml::node& where, const experiment_config& config, check_spec& check) {
  if (config.factors.empty())
    t.fail(where, "[[check]].where selects conditions of a grid, but nothing varies in this experiment");
  if (!where.is_table() || where.as_table()->empty())
    t.fail(where, fmt::format("[[check]].where must be a table like {{ {} = {} }}", config.factors.front().name,
                              config.factors.front().values.front()));
  const auto read = [&](const toml::table& table, const std::string& prefix, auto& self) -> void {
    for (const auto& [key, node] : table) {
      const std::string name = prefix + std::string(key.str());
      if (node.is_table()) {  // a dotted factor: x.mean = 1
        self(*node.as_table(), name + ".", self);
        continue;
      }
      const auto factor = std::find_if(config.factors.begin(), config.factors.end(),
                                       [&](const grid_factor& f) { return f.name == name; });
      if (factor == config.factors.end()) {
        std::vector<std::string> names;
        for (const auto& f : config.factors) names.push_back(f.name);
        t.fail(key, fmt::format("[[check]].where has '{}', which is not a varied factor (varied: {})", name,
                                fmt::join(names, ", ")));
      }
      std::vector<double> values;
      const auto add = [&](const toml::node& value) {
        const double v = t.number(value, "where." + name);
        if (std::find(factor->values.begin(), factor->values.end(), v) == factor->values.end())
          t.fail(value, fmt::format("[[check]].where.{} is {}, which is none of its values ({})", name, v,
                                    fmt::join(factor->values, ", ")));
        values.push_back(v);
      };
      if (node.is_array()) {
        if (node.as_array()->empty()) t.fail(node, fmt::format("[[check]].where.{} is an empty list", name));
        for (const toml::node& value : *node.as_array()) add(value);
      } else {
        add(node);
      }
      check.where.emplace_back(name, std::move(values));
    }
  };
  read(*where.as_table(), "", read);
}

void read_checks(const table_reader& root, const fitted_model& fitted, experiment_config& config) {
  const toml::node* node = root.find("check");
  if (!node) return;
  if (!node->is_array_of_tables()) root.fail(*node, "check must be an array of tables: write [[check]]");
  static constexpr std::array<std::string_view, 7> properties{"bias", "coverage", "efficiency", "model_se",
                                                              "normality", "consistency", "invariance"};
  for (const toml::node& item : *node->as_array()) {
    const table_reader t(*item.as_table(), "[[check]]", root.source(),
                         {"property", "estimand", "n_min", "n_max", "target", "tolerance", "tolerance_mcse", "interval", "expect",
                          "where"});
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
    if (const auto* target = t.find("target")) {
      check.target = t.number(*target, "target");
      // A coverage is a probability, var/CRLB a ratio of variances, a relative
      // error of the model SE at least -1: other targets can never hold.
      if (check.property == "coverage" && !(*check.target >= 0 && *check.target <= 1))
        t.fail(*target, fmt::format("[[check]].target is {}, but a coverage must be in [0, 1]", *check.target));
      if (check.property == "efficiency" && !(*check.target > 0))
        t.fail(*target, fmt::format("[[check]].target is {}, but an efficiency (variance / CRLB) must be > 0",
                                    *check.target));
      if (check.property == "model_se" && !(*check.target > -1))
        t.fail(*target, fmt::format("[[check]].target is {}, but a relative error of the model SE must be > -1",
                                    *check.target));
    }
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
    if (check.property == "invariance" && fitted.regression)
      t.fail(property, fmt::format("[[check]] invariance applies to families' reparametrizations; the {} model's "
                                   "estimands are linear in its parameters", fitted.name));
    if (check.property == "normality" && check.target)
      t.fail(*t.find("target"), "[[check]] normality takes no target: it tests z against N(0, 1)");
    if (check.property == "invariance" && check.tolerance_mcse > 0)
      t.fail(*t.find("tolerance_mcse"), "[[check]] invariance is numeric: give its relative error as tolerance");
    const auto sizes = std::count_if(config.spec.sample_sizes.begin(), config.spec.sample_sizes.end(),
                                     [&](auto n) { return n >= check.n_min && n <= check.n_max; });
    if (sizes < (check.property == "consistency" ? 2 : 1))
      t.fail(item, fmt::format("[[check]] {} of {} applies to {} of the sample sizes; it needs {}", check.property,
                               check.estimand, sizes, check.property == "consistency" ? "two or more" : "one or more"));
    if (const auto* where = t.find("where")) read_where(t, *where, config, check);
    config.checks.push_back(std::move(check));
  }
}


// ---- Regression experiments ----

// The fixed design's first n rows (with the intercept) have full column rank,
// else no coefficient is identified in any replication at that n: the first
// column that is a combination of the ones before it is named. Columns are
// scaled to unit length first, so the threshold is free of their units.
void check_design_rank(const table_reader& t, const toml::node& design, const std::string& file,
                       const regression_spec& regression, std::uint64_t n) {
  const std::size_t p = regression.columns.size();
  const std::size_t covariates = p - (regression.intercept ? 1 : 0);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t j = 0;
    if (regression.intercept) x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j++)) = 1;
    for (std::size_t k = 0; k < covariates; ++k, ++j)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = regression.design[i * covariates + k];
  }
  for (std::size_t j = 0; j < p; ++j) {
    const auto column = static_cast<Eigen::Index>(j);
    const double norm = x.col(column).norm();
    if (norm == 0)
      t.fail(design, fmt::format("[generate].design {}: column '{}' is all zeros in the first {} rows", file,
                                 printable(regression.columns[j]), n));
    if (regression.intercept && j > 0 && (x.col(column).array() == x(0, column)).all())
      t.fail(design, fmt::format("[generate].design {}: column '{}' is constant in the first {} rows (the smallest "
                                 "sample size): beside the intercept its coefficient is not identified",
                                 file, printable(regression.columns[j]), n));
    x.col(column) /= norm;
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x.leftCols(column + 1));
    qr.setThreshold(1e-10);
    if (static_cast<std::size_t>(qr.rank()) <= j) {
      const std::vector<std::string> before(regression.columns.begin(), regression.columns.begin() + column);
      t.fail(design, fmt::format("[generate].design {}: column '{}' is {} in the first {} rows (the smallest sample "
                                 "size): its coefficient is not identified",
                                 file, printable(regression.columns[j]),
                                 fmt::format("a linear combination of {}", printable(fmt::format("{}", fmt::join(before, ", ")))),
                                 n));
    }
  }
}

// [generate] of a regression: `family` names the model, `params` holds a
// coefficient per design column (and sigma2 for the linear model), and the
// design is [[generate.covariate]]s drawn anew in each replication or a
// fixed `design` CSV whose first n rows are used.
void read_regression_generate(const table_reader& root, experiment_config& config) {
  const table_reader t(subtable(root, "generate"), "[generate]", root.source(),
                       {"family", "params", "intercept", "covariate", "design", "design_columns"});
  const std::string model_name = t.string(t.require("family"), "family");
  const regression_model* model = find_regression(model_name);
  regression_spec regression;
  regression.model = model_name;
  config.spec.family = model_name;
  if (const auto* intercept = t.find("intercept")) {
    if (!intercept->is_boolean()) t.fail(*intercept, "[generate].intercept must be true or false");
    regression.intercept = intercept->as_boolean()->get();
  }
  if (regression.intercept) regression.columns.emplace_back("intercept");

  const toml::node* covariates = t.find("covariate");
  const toml::node* design = t.find("design");
  if (covariates && design) t.fail(*design, "[generate] has both covariates and a design: give one");
  if (!covariates && !design && !regression.intercept)
    t.fail("[generate] has no covariates, no design and no intercept: nothing to regress on");
  if (covariates) {
    if (!covariates->is_array_of_tables())
      t.fail(*covariates, "[generate].covariate must be an array of tables: write [[generate.covariate]]");
    for (const toml::node& item : *covariates->as_array()) {
      const table_reader c(*item.as_table(), "[[generate.covariate]]", root.source(), {"name", "family", "params", "known"});
      covariate_spec covariate;
      const toml::node& name = c.require("name");
      covariate.name = c.string(name, "name");
      if (covariate.name.empty() || std::find(regression.columns.begin(), regression.columns.end(), covariate.name) !=
                                        regression.columns.end())
        c.fail(name, fmt::format("[[generate.covariate]].name '{}' is empty or repeats a column's name", covariate.name));
      if (covariate.name == "sigma2") c.fail(name, "[[generate.covariate]].name 'sigma2' is the linear model's variance");
      const toml::node& family_node = c.require("family");
      covariate.family = c.string(family_node, "family");
      const family_info* family = find_family(covariate.family);
      if (!family)
        c.fail(family_node, fmt::format("[[generate.covariate]].family '{}' is not a known family (known: {})",
                                        covariate.family, family_names()));
      const std::string owner = fmt::format("covariate {} ({})", covariate.name, family->name);
      covariate.theta = named_values(c, "params", "parameter", {owner, owner}, family->parameters);
      const toml::node& params_node = *c.find("params");
      if (const std::string problem = family->check(covariate.theta); !problem.empty())
        c.fail(params_node, fmt::format("covariate {} is out of the {} parameter space: {}", covariate.name,
                                        family->name, problem));
      covariate.known = read_known(c, *family, "[[generate.covariate]]");
      regression.columns.push_back(covariate.name);
      regression.covariates.push_back(std::move(covariate));
    }
  }
  if (design) {
    const std::filesystem::path file =
        std::filesystem::path(root.source()).parent_path() / t.string(*design, "design");
    std::vector<std::string> names;
    if (const auto* columns = t.find("design_columns"))
      for (const toml::node& column : t.array(*columns, "design_columns")) names.push_back(t.string(column, "design_columns"));
    std::vector<data_column> columns;
    try {
      columns = names.empty() ? read_all_columns(file.string()) : read_columns(file.string(), names);
    } catch (const input_error& e) {
      t.fail(*design, fmt::format("[generate].design: {}", e.what()));
    }
    if (!columns.front().named)
      t.fail(*design, fmt::format("[generate].design {} has no header: its first line must name the columns",
                                  file.string()));
    regression.design_file = file.string();
    regression.design_rows = columns.front().values.size();
    for (const auto& column : columns) {
      if (column.name.empty())
        t.fail(*design, fmt::format("[generate].design {}: column {} has an empty name", file.string(), column.column));
      if (std::find(regression.columns.begin(), regression.columns.end(), column.name) != regression.columns.end())
        t.fail(*design, fmt::format("[generate].design has the column name '{}' twice", printable(column.name)));
      // Its coefficient is named after the column: sigma2 would be two parameters.
      if (column.name == "sigma2")
        t.fail(*design, fmt::format("[generate].design {}: column 'sigma2' is named like the linear model's variance; "
                                    "rename the column", file.string()));
      regression.columns.push_back(column.name);
    }
    for (std::size_t i = 0; i < regression.design_rows; ++i)
      for (const auto& column : columns) regression.design.push_back(column.values[i]);
    for (auto n : config.spec.sample_sizes)
      if (n > regression.design_rows)
        t.fail(*design, fmt::format("[experiment].sample_sizes has {}, but the design {} has {} rows", n, file.string(),
                                    regression.design_rows));
    check_design_rank(t, *design, file.string(), regression, config.spec.sample_sizes.front());
  } else if (const auto* columns = t.find("design_columns")) {
    t.fail(*columns, "[generate].design_columns needs a design");
  }

  // The parameters, by name: a coefficient per design column, and sigma2 for the linear model.
  const std::vector<std::string> parameters = regression_parameters(*model, regression.columns);
  config.spec.theta = named_values(t, "params", "parameter",
                                   {fmt::format("the {} model with this design", model->name),
                                    fmt::format("the {} model", model->name)},
                                   parameters);
  const toml::node& params_node = *t.find("params");
  if (model->dispersion && !(config.spec.theta.back() > 0))
    t.fail(params_node, fmt::format("[generate].params is out of the {} parameter space: sigma2 is {}, but must be > 0",
                                    model->name, config.spec.theta.back()));
  // The smallest n with as many observations as parameters.
  for (auto n : config.spec.sample_sizes)
    if (n <= regression.columns.size())
      root.fail(sample_sizes_node(root),
                fmt::format("[experiment].sample_sizes has {}, but the {} model has {} coefficients: it needs n > {}",
                            n, model->name, regression.columns.size(), regression.columns.size()));
  config.spec.regression = std::move(regression);
}

// [fit] of a regression: estimands among the parameters and the named
// [[fit.combination]]s, and the information the SEs come from.
void read_regression_fit(const table_reader& root, experiment_config& config) {
  regression_spec& regression = *config.spec.regression;
  const regression_model& model = *find_regression(regression.model);
  const std::vector<std::string> parameters = regression_parameters(model, regression.columns);
  const toml::node* node = root.find("fit");
  if (node && !node->is_table()) root.fail(*node, fmt::format("[fit] must be a table, got {}", type_name(*node)));
  if (!node) {
    config.spec.estimands = parameters;
    return;
  }
  const table_reader t(*node->as_table(), "[fit]", root.source(), {"family", "estimands", "combination", "information"});
  if (const auto* fitted = t.find("family"); fitted && t.string(*fitted, "family") != regression.model)
    t.fail(*fitted, "[fit].family: a regression is fitted with the model that generates its data");
  if (const auto* combinations = t.find("combination")) {
    if (!combinations->is_array_of_tables())
      t.fail(*combinations, "[fit].combination must be an array of tables: write [[fit.combination]]");
    for (const toml::node& item : *combinations->as_array()) {
      const table_reader c(*item.as_table(), "[[fit.combination]]", root.source(), {"name", "weights"});
      linear_combination combination;
      const toml::node& name = c.require("name");
      combination.name = c.string(name, "name");
      const bool taken = std::find(parameters.begin(), parameters.end(), combination.name) != parameters.end() ||
                         std::any_of(regression.combinations.begin(), regression.combinations.end(),
                                     [&](const auto& other) { return other.name == combination.name; });
      if (combination.name.empty() || taken)
        c.fail(name, fmt::format("[[fit.combination]].name '{}' is empty or already names an estimand", combination.name));
      const toml::node& weights_node = c.require("weights");
      if (!weights_node.is_table())
        c.fail(weights_node, fmt::format("[[fit.combination]].weights must be a table like {{ {} = 1 }}",
                                         parameters.front()));
      combination.weights.assign(parameters.size(), 0);
      for (const auto& [key, value] : *weights_node.as_table()) {
        const auto it = std::find(parameters.begin(), parameters.end(), key.str());
        if (it == parameters.end())
          c.fail(key, fmt::format("[[fit.combination]].weights has '{}', which is not a parameter ({})", key.str(),
                                  fmt::join(parameters, ", ")));
        combination.weights[static_cast<std::size_t>(it - parameters.begin())] = c.number(value, "weights");
      }
      if (std::all_of(combination.weights.begin(), combination.weights.end(), [](double w) { return w == 0; }))
        c.fail(weights_node, "[[fit.combination]].weights are all zero");
      regression.combinations.push_back(std::move(combination));
    }
  }
  std::vector<std::string> known = parameters;
  for (const auto& c : regression.combinations) known.push_back(c.name);
  read_estimands(t, fmt::format("the {} model", model.name), known, known, config);
  read_information(t, model.name, true, config);
}

}  // namespace

namespace {

// [model.NAME] tables: models written as a formula (README, "Models written
// as a formula"), compiled and registered in the program's catalogue before
// the rest of the config names them. Returns their names.
std::vector<std::string> read_models(const toml::table& root_table, const std::string& source) {
  std::vector<std::string> names;
  const toml::node* node = root_table.get("model");
  if (!node) return names;
  const table_reader root(root_table, std::string(top_level), source, {"experiment", "generate", "fit", "check", "condition", "model"});
  if (!node->is_table())
    root.fail(*node, "model must be a table of models: write [model.NAME] with parameters, support and log_density");
  for (const auto& [key, value] : *node->as_table()) {
    const std::string name(key.str());
    const std::string where = fmt::format("[model.{}]", name);
    if (!value.is_table()) root.fail(key, fmt::format("{} must be a table (parameters, support, log_density, draw)", where));
    const table_reader t(*value.as_table(), where, source, {"parameters", "support", "log_density", "draw", "start"});
    formula_spec spec;
    spec.name = name;
    const toml::node& parameters = t.require("parameters");
    if (!parameters.is_table() || parameters.as_table()->empty())
      t.fail(parameters, fmt::format("{}.parameters must be a table of names and kinds, e.g. {{ eta = \"positive\", "
                                     "b = \"positive\" }} (kinds: real, positive, unit)", where));
    // In the order written: a TOML table keeps its keys sorted.
    std::vector<std::pair<const toml::key*, const toml::node*>> declared;
    for (const auto& [k, v] : *parameters.as_table()) declared.emplace_back(&k, &v);
    std::sort(declared.begin(), declared.end(), [](const auto& a, const auto& b) {
      const auto &x = a.first->source().begin, &y = b.first->source().begin;
      return std::pair(x.line, x.column) < std::pair(y.line, y.column);
    });
    for (const auto& [k, v] : declared) {
      if (!v->is_string())
        t.fail(*v, fmt::format("{}.parameters.{} must be a kind: \"real\", \"positive\" or \"unit\"", where, k->str()));
      spec.parameters.emplace_back(std::string(k->str()), std::string(v->as_string()->get()));
    }
    const toml::node& support = t.require("support");
    spec.support = t.string(support, "support");
    const toml::node& density = t.require("log_density");
    spec.log_density = t.string(density, "log_density");
    if (const toml::node* draw = t.find("draw")) spec.draw = t.string(*draw, "draw");
    if (const toml::node* start = t.find("start")) {
      if (!start->is_table())
        t.fail(*start, fmt::format("{}.start must be a table of parameter values, e.g. {{ eta = 0.5 }}", where));
      spec.start = default_start(spec);
      for (const auto& [k, v] : *start->as_table()) {
        const auto it = std::find_if(spec.parameters.begin(), spec.parameters.end(),
                                     [&](const auto& p) { return p.first == k.str(); });
        if (it == spec.parameters.end())
          t.fail(k, fmt::format("{}.start names '{}', which is not one of its parameters", where, k.str()));
        spec.start[static_cast<std::size_t>(it - spec.parameters.begin())] = t.number(v, fmt::format("start.{}", k.str()));
      }
    }
    try {
      const family_entry& entry = register_formula(spec);
      if (!spec.start.empty()) {
        const std::string problem = entry.info.check(spec.start);
        if (!problem.empty()) t.fail(*t.find("start"), fmt::format("{}.start is outside the parameter space: {}", where, problem));
      }
    } catch (const formula_error& e) {
      // The message names the field; point at it where it is one.
      const toml::node* at = &*node->as_table()->get(name);
      for (std::string_view field : {"log_density", "draw", "support", "parameters"})
        if (std::string_view(e.what()).find(field) != std::string_view::npos && t.find(field)) {
          at = t.find(field);
          break;
        }
      t.fail(*at, fmt::format("{}: {}", where, e.what()));
    } catch (const std::invalid_argument& e) {
      root.fail(key, fmt::format("{}: {}", where, e.what()));
    }
    names.push_back(name);
  }
  return names;
}

// A formula model must be a density at the values it is used at: the true
// values where it generates the data; its start values where it is only
// fitted. To 1e-6 of 1, by quadrature (a sum for counts).
void check_formula_density(const table_reader& root, const experiment_config& config) {
  const auto check = [&](const std::string& name, const std::vector<double>& theta, const toml::node* at) {
    const formula_spec* model = formula_of(name);
    if (!model) return;
    const std::vector<double> point = !theta.empty()         ? theta
                                      : !model->start.empty() ? model->start
                                                              : default_start(*model);
    try {
      formula_definition_of(name)->check_density(point, 1e-6);
    } catch (const formula_error& e) {
      if (at) root.fail(*at, e.what());
      root.fail(e.what());
    }
  };
  const toml::table& generate = subtable(root, "generate");
  if (const formula_spec* model = formula_of(config.spec.family); model && model->draw.empty())
    root.fail(*generate.get("family"), fmt::format("[generate].family: model {} has no `draw`: it can be fitted to "
                                                   "data but cannot generate them", model->name));
  check(config.spec.family, config.spec.theta, generate.get("params"));
  if (fitted_family(config.spec) != config.spec.family) check(fitted_family(config.spec), {}, nullptr);
}

}  // namespace

namespace {

// One condition: the config with each factor at one value, read as a config
// of no grid is.
experiment_config parse_point(const toml::table& root_table, const std::string& source,
                              const std::vector<grid_factor>& factors) {
  experiment_config config;
  config.file = source;
  config.factors = factors;
  const table_reader root(root_table, std::string(top_level), source, {"experiment", "generate", "fit", "check", "model"});
  read_experiment_table(root, config);
  const toml::node* generating = subtable(root, "generate").get("family");
  const bool regression = generating && generating->is_string() && find_regression(generating->as_string()->get());
  if (regression) {
    read_regression_generate(root, config);
    read_regression_fit(root, config);
    read_checks(root, {config.spec.family, true, true}, config);
  } else {
    const family_info& family = read_generate_table(root, config);
    read_fit_table(root, family, config);
    check_formula_density(root, config);
    // A formula model's expected information is a quadrature (about 1 200
    // evaluations of its Hessian): once per condition for the Cramér–Rao
    // bound, but too dear for every replication's SE, which therefore comes
    // from the observed information unless [fit].information says otherwise.
    if (formula_of(fitted_family(config.spec))) {
      const toml::node* fit = root.find("fit");
      if (!(fit && fit->is_table() && fit->as_table()->get("information"))) config.spec.observed_information = true;
    }
    for (const std::string& name : {config.spec.family, fitted_family(config.spec)})
      if (const formula_spec* model = formula_of(name))
        if (std::none_of(config.spec.models.begin(), config.spec.models.end(),
                         [&](const formula_spec& m) { return m.name == name; }))
          config.spec.models.push_back(*model);
    const family_info& fitted = *find_family(fitted_family(config.spec));
    read_checks(root, {fitted.name, fitted.regular, false}, config);
  }
  // Each target's figure exists for this fit.
  if (const auto* targets = subtable(root, "experiment").get("target_mcse")) {
    const family_info* fitted = regression ? nullptr : find_family(fitted_family(config.spec));
    const bool regular = fitted == nullptr || fitted->regular;
    bool alternative = false;
    if (fitted) alternative = !fitted->alternative.empty();
    const std::string model = regression ? fmt::format("the {} model", config.spec.family)
                                         : fmt::format("the {} fit", fitted->name);
    for (const auto& [key, value] : *targets->as_table()) {
      std::string missing;
      switch (needs_of(key.str())) {
        case figure_needs::always: break;
        case figure_needs::information:
        case figure_needs::crlb:
          if (!regular) missing = fmt::format("it needs the Fisher information, which the non-regular {} family has not", fitted->name);
          break;
        case figure_needs::sandwich:
          if (!misspecified(config.spec) && !config.spec.sandwich_intervals)
            missing = "sandwich intervals are computed for a misspecified fit or a check with interval = \"sandwich\"";
          break;
        case figure_needs::alternative:
          if (!alternative || misspecified(config.spec))
            missing = fmt::format("{} has no second estimator to compare", model);
          break;
      }
      if (!missing.empty())
        root.fail(key, fmt::format("[experiment].target_mcse.{}: {} has no such figure: {}", key.str(), model, missing));
    }
  }
  return config;
}

// Where a factor's values live in the TOML tree: a path of table keys, an
// array index standing for a [[generate.covariate]].
struct factor_site {
  std::string name;
  std::vector<std::variant<std::string, std::size_t>> path;
  std::string key{};  // for messages: [generate].params.shape
};

// A factor's value: a finite number, or a message naming its key.
double factor_number(const table_reader& root, const toml::node& node, const std::string& key) {
  if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
  if (!node.is_floating_point())
    root.fail(node, fmt::format("{} must be a number, got {} ({})", key, type_name(node), show(node)));
  const double value = node.as_floating_point()->get();
  if (!std::isfinite(value)) root.fail(node, fmt::format("{} is {}, but must be finite", key, value));
  return value;
}

toml::node* node_at(toml::node* node, const std::vector<std::variant<std::string, std::size_t>>& path) {
  for (const auto& step : path) {
    if (!node) return nullptr;
    if (const auto* key = std::get_if<std::string>(&step))
      node = node->is_table() ? node->as_table()->get(*key) : nullptr;
    else
      node = node->is_array() ? node->as_array()->get(std::get<std::size_t>(step)) : nullptr;
  }
  return node;
}

// Moves `value` to a site, making the tables on the way where they lack.
// Moved, not copied: a toml++ node keeps its place in the file only when
// moved, and every message names that place.
void move_to(toml::table& root, const factor_site& site, toml::node& value) {
  std::vector<std::variant<std::string, std::size_t>> parent(site.path.begin(), site.path.end() - 1);
  toml::node* node = &root;
  for (const auto& step : parent) {
    // A table that is not one (params = 3): the point's reader says so.
    if (!node || (std::holds_alternative<std::string>(step) ? !node->is_table() : !node->is_array())) return;
    if (const auto* key = std::get_if<std::string>(&step)) {
      toml::table& table = *node->as_table();
      if (!table.get(*key)) table.insert(*key, toml::table{});
      node = table.get(*key);
    } else {
      node = node->as_array()->get(std::get<std::size_t>(step));
    }
  }
  if (!node || !node->is_table()) return;
  toml::table& table = *node->as_table();
  const std::string& key = std::get<std::string>(site.path.back());
  value.visit([&](auto& v) { table.insert_or_assign(key, std::move(v)); });
}

// Every site a grid may vary: the generating parameters and known constants,
// the fitted family's known constants, and each covariate's.
std::vector<std::pair<factor_site, const toml::array*>> list_factors(const toml::table& root) {
  std::vector<std::pair<factor_site, const toml::array*>> found;
  const auto scan = [&](const toml::node* table, std::string prefix, std::vector<std::variant<std::string, std::size_t>> path,
                        std::string where) {
    if (!table || !table->is_table()) return;
    for (const auto& [key, node] : *table->as_table())
      if (node.is_array()) {
        auto p = path;
        p.emplace_back(std::string(key.str()));
        found.push_back({{prefix + std::string(key.str()), std::move(p), fmt::format("{}.{}", where, key.str())},
                         node.as_array()});
      }
  };
  const toml::node* generate = root.get("generate");
  if (generate && generate->is_table()) {
    const toml::table& g = *generate->as_table();
    scan(g.get("params"), "", {std::string("generate"), std::string("params")}, "[generate].params");
    scan(g.get("known"), "", {std::string("generate"), std::string("known")}, "[generate].known");
    if (const toml::node* covariates = g.get("covariate"); covariates && covariates->is_array_of_tables())
      for (std::size_t i = 0; i < covariates->as_array()->size(); ++i) {
        const toml::table& c = *covariates->as_array()->get(i)->as_table();
        const toml::node* name = c.get("name");
        if (!name || !name->is_string()) continue;  // the point's reader names the problem
        const std::string prefix = std::string(name->as_string()->get()) + ".";
        scan(c.get("params"), prefix, {std::string("generate"), std::string("covariate"), i, std::string("params")},
             fmt::format("[[generate.covariate]] {}: params", prefix.substr(0, prefix.size() - 1)));
        scan(c.get("known"), prefix, {std::string("generate"), std::string("covariate"), i, std::string("known")},
             fmt::format("[[generate.covariate]] {}: known", prefix.substr(0, prefix.size() - 1)));
      }
  }
  if (const toml::node* fit = root.get("fit"); fit && fit->is_table())
    scan(fit->as_table()->get("known"), "fit.", {std::string("fit"), std::string("known")}, "[fit].known");
  return found;
}

// The site a [[condition]] key names: `fit.K` the fitted family's constant
// K; `C.K` covariate C's parameter or constant K; else the generating
// family's parameter or constant.
factor_site site_of(const toml::table& root, const std::string& name) {
  const auto is_known = [](std::string_view family, const std::string& key) {
    const family_info* f = find_family(family);
    return f && std::find(f->known.begin(), f->known.end(), key) != f->known.end();
  };
  const auto family_of = [](const toml::table* table) -> std::string {
    const toml::node* family = table ? table->get("family") : nullptr;
    return family && family->is_string() ? std::string(family->as_string()->get()) : std::string();
  };
  const toml::node* generate_node = root.get("generate");
  const toml::table* generate = generate_node && generate_node->is_table() ? generate_node->as_table() : nullptr;
  if (name.starts_with("fit.")) return {name, {std::string("fit"), std::string("known"), name.substr(4)}, "[[condition]]." + name};
  if (const auto dot = name.find('.'); dot != std::string::npos && generate) {
    const std::string covariate = name.substr(0, dot), key = name.substr(dot + 1);
    if (const toml::node* list = generate->get("covariate"); list && list->is_array_of_tables())
      for (std::size_t i = 0; i < list->as_array()->size(); ++i) {
        const toml::table* c = list->as_array()->get(i)->as_table();
        const toml::node* n = c->get("name");
        if (n && n->is_string() && n->as_string()->get() == covariate)
          return {name, {std::string("generate"), std::string("covariate"), i,
                         std::string(is_known(family_of(c), key) ? "known" : "params"), key}, "[[condition]]." + name};
      }
  }
  return {name, {std::string("generate"), std::string(is_known(family_of(generate), name) ? "known" : "params"), name},
          "[[condition]]." + name};
}

// The keys of a [[condition]] table, dotted ones flattened: x.mean = 1.
void flatten(const toml::table& table, const std::string& prefix, std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (node.is_table()) flatten(*node.as_table(), name + ".", out);
    else out.emplace_back(name, &node);
  }
}

// A config's TOML, or input_error at the place it stops parsing.
toml::table parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw input_error(fmt::format("{}:{}:{}: {}", source, begin.line, begin.column, printable(error.description())));
  }
}

}  // namespace

experiment_config parse_experiment(std::string_view text, const std::string& source, const load_options& options) {
  const registrations_scope undo_on_error(true);  // a caller that goes on finds no model of a config that failed
  const toml::table root_table = parse_toml(text, source);
  const table_reader root(root_table, std::string(top_level), source,
                          {"experiment", "generate", "fit", "check", "condition", "model"});
  read_models(root_table, source);

  // The grid: explicit [[condition]] rows, each crossed with every list.
  struct factor_plan {
    factor_site site;
    std::vector<const toml::node*> values;  // a list factor's; empty for a [[condition]] key
    const toml::node* list = nullptr;       // the list
  };
  std::vector<factor_plan> factors;
  std::vector<std::vector<std::pair<std::string, const toml::node*>>> rows{{}};
  if (const toml::node* conditions = root_table.get("condition")) {
    if (!conditions->is_array_of_tables() || conditions->as_array()->empty())
      root.fail(*conditions, "condition must be an array of tables: write [[condition]] with one value per factor");
    rows.clear();
    for (const toml::node& item : *conditions->as_array()) {
      auto& row = rows.emplace_back();
      flatten(*item.as_table(), "", row);
      if (row.empty()) root.fail(item, "a [[condition]] is empty: give each varied factor's value");
      for (const auto& [name, node] : row)
        if (node->is_array())
          root.fail(*node, fmt::format("[[condition]].{} is a list: a [[condition]] gives one value per factor "
                                       "(lists elsewhere are crossed with every [[condition]])", name));
      const auto& first = rows.front();
      const auto names = [](const auto& r) {
        std::vector<std::string> n;
        for (const auto& [name, node] : r) n.push_back(name);
        return n;
      };
      if (names(row) != names(first))
        root.fail(item, fmt::format("this [[condition]] gives {}, but the first gives {}: every [[condition]] "
                                    "names the same factors", fmt::join(names(row), ", "), fmt::join(names(first), ", ")));
    }
    for (const auto& [name, node] : rows.front()) factors.push_back({site_of(root_table, name), {}, nullptr});
  }
  for (const auto& [site, list] : list_factors(root_table)) {
    if (list->empty())
      root.fail(*list, fmt::format("{} is an empty list: give one or more values (a list makes it a factor of "
                                   "the grid)", site.key));
    if (std::any_of(factors.begin(), factors.end(), [&](const auto& f) { return f.site.name == site.name; }))
      root.fail(*list, fmt::format("{} is a list, and a [[condition]] sets it too: vary it one way", site.name));
    factor_plan plan{site, {}, list};
    std::vector<double> seen;
    for (const toml::node& value : *list) {
      const double v = factor_number(root, value, site.key);
      if (std::find(seen.begin(), seen.end(), v) != seen.end())
        root.fail(value, fmt::format("{} lists {} twice: two conditions would be one", site.key, v));
      seen.push_back(v);
      plan.values.push_back(&value);
    }
    factors.push_back(std::move(plan));
  }

  // The grid's size, before anything is built.
  double count = static_cast<double>(rows.size());
  std::vector<std::string> sizes;
  if (rows.size() > 1 || !rows.front().empty()) sizes.push_back(fmt::format("{} [[condition]]s", rows.size()));
  for (const auto& f : factors)
    if (!f.values.empty()) {
      count *= static_cast<double>(f.values.size());
      sizes.push_back(fmt::format("{}: {}", f.site.name, f.values.size()));
    }
  if (count > static_cast<double>(options.max_conditions)) {
    const toml::node& where = factors.back().list ? *factors.back().list : *root_table.get("condition");
    root.fail(where, fmt::format("the grid has {:.0f} conditions ({}), more than {}{}", count, fmt::join(sizes, " × "),
                                 options.max_conditions,
                                 options.max_conditions < forced_max_conditions ? "; pass --force to run it anyway"
                                                                                : ", the most mlesim runs"));
  }

  // Each condition: the explicit row's values, then the lists' in order,
  // the last list varying fastest.
  std::vector<grid_factor> grid;
  for (const auto& f : factors) {
    grid_factor g{f.site.name, {}};
    if (f.values.empty()) {
      for (const auto& row : rows)
        for (const auto& [name, node] : row)
          if (name == f.site.name) {
            const double v = factor_number(root, *node, fmt::format("[[condition]].{}", name));
            if (std::find(g.values.begin(), g.values.end(), v) == g.values.end()) g.values.push_back(v);
          }
    } else {
      for (const auto* node : f.values) g.values.push_back(factor_number(root, *node, f.site.key));
    }
    grid.push_back(std::move(g));
  }
  experiment_config config;
  const std::size_t total = static_cast<std::size_t>(count);
  std::set<std::vector<double>> distinct;
  for (std::size_t k = 0; k < total; ++k) {
    // Parsed anew, so that every node keeps its place in the file.
    toml::table point = toml::parse(text, source);
    std::vector<factor_value> values;
    std::size_t rest = k;
    std::vector<std::size_t> digits(factors.size());
    for (std::size_t f = factors.size(); f-- > 0;)
      if (!factors[f].values.empty()) {
        digits[f] = rest % factors[f].values.size();
        rest /= factors[f].values.size();
      }
    toml::node* row = point.get("condition") ? point.get("condition")->as_array()->get(rest) : nullptr;
    for (std::size_t f = 0; f < factors.size(); ++f) {
      toml::node* value = nullptr;
      if (factors[f].values.empty()) {
        // The explicit row's value, found by its (possibly dotted) name.
        std::vector<std::variant<std::string, std::size_t>> path;
        std::string name = factors[f].site.name;
        for (std::size_t dot; (dot = name.find('.')) != std::string::npos; name = name.substr(dot + 1))
          path.emplace_back(name.substr(0, dot));
        path.emplace_back(name);
        value = node_at(row, path);
        if (!value) value = node_at(row, {factors[f].site.name});  // a quoted key with a dot: "x.mean" = 1
      } else {
        auto element = factors[f].site.path;
        element.emplace_back(digits[f]);
        value = node_at(&point, element);
      }
      values.push_back({factors[f].site.name, factor_number(root, *value, factors[f].site.key)});
      move_to(point, factors[f].site, *value);
    }
    point.erase("condition");
    std::vector<double> key;
    for (const auto& v : values) key.push_back(v.value);
    if (!distinct.insert(key).second)
      root.fail(*root_table.get("condition"), fmt::format("two conditions are the same ({}): each would draw the "
                                                          "same numbers", fmt::format("{}", fmt::join(key, ", "))));
    experiment_config one = parse_point(point, source, grid);
    one.spec.condition = std::move(values);
    if (k == 0) {
      config = one;
      config.conditions.clear();
    }
    config.conditions.push_back(std::move(one.spec));
  }
  config.spec = config.conditions.front();
  config.factors = grid;
  for (const auto& check : config.checks)
    if (std::none_of(config.conditions.begin(), config.conditions.end(),
                     [&](const experiment_spec& c) { return applies(check, c); }))
      throw input_error(fmt::format("{}: [[check]].where matches none of the grid's conditions", check.location));
  return config;
}

namespace {
// A config file's text, read with a bound: /dev/zero or a stray binary given
// as a config is refused, not read until the memory runs out.
std::string config_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open the config file: {}", file.string(), std::strerror(errno)));
  std::string text(max_config_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw input_error(fmt::format("{}: cannot read the config file: {}", file.string(), std::strerror(errno)));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_config_bytes)
    throw input_error(fmt::format("{}: larger than {} KiB: is this a TOML config?", file.string(), max_config_bytes >> 10));
  return text;
}
}  // namespace

experiment_config load_experiment(const std::filesystem::path& file, const load_options& options) {
  return parse_experiment(config_text(file), file.string(), options);
}

std::vector<std::string> load_models(const std::filesystem::path& file) {
  const registrations_scope undo_on_error(true);
  const std::string text = config_text(file), source = file.string();
  const toml::table root = parse_toml(text, source);
  if (!root.get("model")) throw input_error(fmt::format("{}: no [model.NAME] table to load", source));
  return read_models(root, source);
}

}  // namespace mlesim

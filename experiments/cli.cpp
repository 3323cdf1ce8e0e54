#include "experiments/cli.hpp"

#include "estimators/registry.hpp"
#include "estimators/regression.hpp"
#include "experiments/config.hpp"
#include "mlesim_build.hpp"
#include "reports/atomic_file.hpp"
#include "reports/csv.hpp"
#include "reports/markdown.hpp"
#include "reports/verdicts.hpp"
#include "reports/fit_report.hpp"
#include "estimators/data_fit.hpp"
#include "experiments/data.hpp"
#include "sim/experiment.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <unistd.h>

namespace mlesim {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_property_failed = 1;
constexpr int exit_bad_input = 2;

std::string build_description() { return fmt::format("mlesim {} ({})", MLESIM_VERSION, MLESIM_BUILD); }

struct run_flags {
  std::vector<std::string> configs;
  std::string output = "results";
  unsigned threads = 0;
  std::optional<std::string> seed;
  std::optional<std::string> reps;
};

// An integer flag read as the config reads the same key: decimal digits, in
// [low, high], every problem one line naming the flag and the value.
std::uint64_t integer_flag(std::string_view flag, const std::string& text, std::int64_t low, std::int64_t high) {
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(begin, end, value);
  const bool digits = !text.empty() && std::all_of(text.begin() + (text.front() == '-' ? 1 : 0), text.end(),
                                                   [](unsigned char c) { return std::isdigit(c); });
  if (!digits || text == "-" || (error != std::errc() && error != std::errc::result_out_of_range) || stop != end)
    throw input_error(fmt::format("{} must be an integer, got '{}'", flag, printable(text)));
  if (error == std::errc::result_out_of_range || value < low || value > high)
    throw input_error(fmt::format("{} is {}, but must be in [{}, {}]", flag, text, low, high));
  return static_cast<std::uint64_t>(value);
}

// Progress on stderr for a person at a terminal: at most twice a second.
class progress_meter {
 public:
  explicit progress_meter(std::string label) : label_(std::move(label)), enabled_(::isatty(2) != 0) {}
  ~progress_meter() {
    if (enabled_ && printed_) std::fprintf(stderr, "\r\033[K");
  }

  void operator()(std::uint64_t done, std::uint64_t total) {
    if (!enabled_) return;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock) return;
    const auto now = std::chrono::steady_clock::now();
    if (printed_ && now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    printed_ = true;
    std::fprintf(stderr, "\r\033[K%s: %3.0f%%", label_.c_str(), 100.0 * static_cast<double>(done) / static_cast<double>(total));
  }

 private:
  std::string label_;
  bool enabled_;
  bool printed_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
};

// The report files an experiment writes: NAME.csv, NAME.md and, for verify, NAME.checks.csv.
std::vector<std::string> report_names(const std::string& name, bool judge) {
  std::vector<std::string> files{name + ".csv", name + ".md"};
  if (judge) files.push_back(name + ".checks.csv");
  return files;
}

std::vector<experiment_config> load_all(const run_flags& flags, bool judge) {
  std::vector<experiment_config> configs;
  // Each output file's owner, so that two experiments writing one file (a
  // and a again, or a's a.checks.csv and a.checks's) are refused by name.
  std::map<std::string, std::pair<std::string, std::string>> owners;
  const std::uint64_t seed = flags.seed ? integer_flag("--seed", *flags.seed, 0, max_seed) : 0;
  const std::uint64_t reps = flags.reps ? integer_flag("--reps", *flags.reps, min_replications, max_replications) : 0;
  for (const auto& file : flags.configs) {
    experiment_config config = load_experiment(file);
    if (flags.seed) config.spec.seed = seed;
    if (flags.reps) config.spec.replications = reps;
    for (const auto& output : report_names(config.spec.name, judge)) {
      const auto [it, fresh] = owners.emplace(output, std::pair(file, config.spec.name));
      if (!fresh)
        throw input_error(fmt::format("{}: experiment '{}' would write {}, as experiment '{}' of {} does: one "
                                      "would overwrite the other's report; rename one",
                                      file, config.spec.name, output, it->second.second, it->second.first));
    }
    configs.push_back(std::move(config));
  }
  return configs;
}

// `run`, and `verify` (judge = true): the same runs, then the checks.
int run_command(const run_flags& flags, bool judge) {
  // Every config is read and checked before any runs: a typo in the last one
  // costs nothing and leaves no report behind.
  const auto configs = load_all(flags, judge);
  if (judge)
    for (const auto& config : configs)
      if (config.checks.empty())
        throw input_error(fmt::format("{}: declares no [[check]]: nothing to verify", config.file.string()));
  // Locked and test-written now: an unusable folder costs no simulation.
  report_folder folder(flags.output);

  std::optional<tbb::global_control> limit;
  if (flags.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, flags.threads);
  const std::string build = build_description();
  bool all_passed = true;
  // Reports are written once every experiment has run: a failure or a kill
  // in the last one leaves none of the earlier ones' reports either.
  std::vector<std::pair<std::string, std::string>> reports;
  for (const auto& config : configs) {
    const auto start = std::chrono::steady_clock::now();
    experiment_result result;
    {
      progress_meter meter(config.spec.name);
      result = simulate(config.spec, [&](std::uint64_t done, std::uint64_t total) { meter(done, total); });
    }
    std::optional<verification> verdicts;
    if (judge) verdicts = verify(result, config.checks, config.false_failure_rate);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto names = report_names(config.spec.name, judge);
    reports.emplace_back(names[0], csv_report(result));
    reports.emplace_back(names[1], markdown_report(result, build, verdicts ? verdict_markdown(*verdicts) : ""));
    std::cout << console_summary(result);
    if (verdicts) {
      reports.emplace_back(names[2], verdict_csv(config.spec.name, *verdicts));
      std::cout << verdict_console(*verdicts);
      all_passed = all_passed && verdicts->all_passed;
    }
    std::cout << fmt::format("  {:.2f} s\n\n", seconds) << std::flush;  // a person or a pipe sees each experiment end
  }
  folder.commit(reports);
  for (const auto& [name, content] : reports) std::cout << fmt::format("wrote {}\n", (folder.path() / name).string());
  return all_passed ? exit_ok : exit_property_failed;
}

struct fit_flags {
  std::string model;
  std::string file;
  std::optional<std::string> column;
  std::vector<std::string> fixed;
  std::vector<std::string> known;
  std::optional<std::string> response;
  std::vector<std::string> covariates;
  bool no_intercept = false;
  std::optional<bool> header;  // --header / --no-header; by default detected (see experiments/data.hpp)
  double level = 0.95;
  std::string format = "table";
};

header_rule header_of(const fit_flags& flags) {
  return !flags.header ? header_rule::detect : *flags.header ? header_rule::present : header_rule::absent;
}

// NAME=VALUE with a finite number, as --fixed and --known take it.
std::pair<std::string, double> name_and_value(const std::string& flag, const std::string& item) {
  const auto equals = item.find('=');
  char* end = nullptr;
  const double value = equals == std::string::npos ? NAN : std::strtod(item.c_str() + equals + 1, &end);
  if (equals == std::string::npos || end != item.c_str() + item.size() || !std::isfinite(value))
    throw input_error(fmt::format("{} {}: write NAME=VALUE with a finite number", flag, item));
  return {item.substr(0, equals), value};
}

// The family's known constants from --known, in the family's order.
std::vector<double> known_constants(const family_info& family, const std::vector<std::string>& items) {
  std::vector<double> known(family.known.size(), NAN);
  for (const auto& item : items) {
    const auto [name, value] = name_and_value("--known", item);
    const auto it = std::find(family.known.begin(), family.known.end(), name);
    if (it == family.known.end())
      throw input_error(family.known.empty()
                            ? fmt::format("--known {}: {} has no known constants", item, family.name)
                            : fmt::format("--known {}: {} has no known constant '{}' (it has {})", item, family.name,
                                          name, fmt::join(family.known, ", ")));
    double& slot = known[static_cast<std::size_t>(it - family.known.begin())];
    if (!std::isnan(slot)) throw input_error(fmt::format("--known {}: {} is given twice", item, name));
    slot = value;
  }
  for (std::size_t i = 0; i < known.size(); ++i)
    if (std::isnan(known[i]))
      throw input_error(fmt::format("--model {}: give its known {} with --known {}=VALUE", family.name,
                                    family.known[i], family.known[i]));
  if (const std::string problem = family.check_known(known); !problem.empty())
    throw input_error(fmt::format("--known: {}", problem));
  return known;
}

// Prints the fit; exit 1 if it did not converge.
int report_fit(const fit_flags& flags, const data_fit& result, const std::string& what) {
  if (flags.format == "json") std::cout << fit_json(result);
  else if (flags.format == "csv") std::cout << fit_csv(result);
  else std::cout << fit_table(result, what);
  if (!result.converged) {
    std::cerr << fmt::format("mlesim: the {} fit of {} did not converge after {} iterations{}\n", result.family, what,
                             result.iterations, result.notes.empty() ? "" : ": " + result.notes.back());
    return exit_property_failed;
  }
  return exit_ok;
}

int fit_regression_command(const fit_flags& flags, const regression_model& model) {
  if (!flags.response)
    throw input_error(fmt::format("--model {}: name the response column with --response", model.name));
  if (flags.column || !flags.fixed.empty() || !flags.known.empty())
    throw input_error(fmt::format("--model {}: a regression takes --response and --covariates, not --column, --fixed "
                                  "or --known", model.name));
  std::vector<std::string> names{*flags.response};
  names.insert(names.end(), flags.covariates.begin(), flags.covariates.end());
  for (std::size_t i = 0; i < names.size(); ++i)
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) != names.begin() + static_cast<std::ptrdiff_t>(i))
      throw input_error(fmt::format("--covariates: column '{}' is named twice (or is the response)", names[i]));
  const std::vector<data_column> columns = read_columns(flags.file, names, header_of(flags));
  const std::string where = flags.file == "-" ? "<stdin>" : flags.file;
  const data_column& y = columns.front();
  for (std::size_t i = 0; i < y.values.size(); ++i)
    if (!in_support(model.response, y.values[i]))
      throw input_error(fmt::format("{}:{}:{}: {} is not a possible response of the {} model: {}", where, y.lines[i],
                                    y.column, y.values[i], model.name, model.summary));
  std::vector<std::vector<double>> covariates;
  std::vector<std::string> covariate_names;
  for (std::size_t c = 1; c < columns.size(); ++c) {
    covariates.push_back(columns[c].values);
    covariate_names.push_back(columns[c].name);
  }
  const data_fit result = fit_regression_data(std::string(model.name), y.values, covariates, covariate_names,
                                              !flags.no_intercept, flags.level);
  if (!result.data_problem.empty()) throw input_error(fmt::format("{}: {}", where, result.data_problem));
  return report_fit(flags, result, fmt::format("{} on {} of {}", y.name,
                                               covariate_names.empty() ? "an intercept"
                                                                       : fmt::format("{}", fmt::join(covariate_names, ", ")),
                                               where));
}

int fit_command(const fit_flags& flags) {
  if (const regression_model* model = find_regression(flags.model)) return fit_regression_command(flags, *model);
  const family_info* family = find_family(flags.model);
  if (!family)
    throw input_error(fmt::format("--model {}: not a known family or regression model (families: {}; regression "
                                  "models: {})", flags.model, family_names(), regression_names()));
  if (flags.response || !flags.covariates.empty() || flags.no_intercept)
    throw input_error(fmt::format("--model {}: --response, --covariates and --no-intercept are for regression models",
                                  family->name));
  const std::vector<double> known = known_constants(*family, flags.known);
  const data_column data = read_column(flags.file, flags.column, header_of(flags));
  const std::string where = flags.file == "-" ? "<stdin>" : flags.file;
  for (std::size_t i = 0; i < data.values.size(); ++i)
    if (!family->admits(known, data.values[i]))
      throw input_error(fmt::format("{}:{}:{}: {} is outside the support of the {} family{}: {}", where,
                                    data.lines[i], data.column, data.values[i], family->name,
                                    family->known.empty() ? "" : " with these known constants", family->summary));
  if (data.values.size() < family->min_sample_size)
    throw input_error(fmt::format("{}: {} observation(s), but the {} MLE needs at least {}", where, data.values.size(),
                                  family->name, family->min_sample_size));

  std::vector<std::pair<std::string, double>> fixed;
  for (const auto& item : flags.fixed) {
    const auto [name, value] = name_and_value("--fixed", item);
    if (std::find(family->parameters.begin(), family->parameters.end(), name) == family->parameters.end()) {
      const bool is_known = std::find(family->known.begin(), family->known.end(), name) != family->known.end();
      throw input_error(is_known ? fmt::format("--fixed {}: {} is a known constant of {}; give it with --known", item,
                                               name, family->name)
                                 : fmt::format("--fixed {}: {} has no parameter '{}' (parameters: {})", item,
                                               family->name, name, fmt::join(family->parameters, ", ")));
    }
    if (std::any_of(fixed.begin(), fixed.end(), [&](const auto& held) { return held.first == name; }))
      throw input_error(fmt::format("--fixed {}: {} is given twice", item, name));
    fixed.emplace_back(name, value);
  }

  const data_fit result = fit_data(std::string(family->name), known, data.values, fixed, flags.level);
  if (!result.data_problem.empty()) throw input_error(fmt::format("{}: {}", where, result.data_problem));
  if (!result.fixed_problem.empty()) throw input_error("--fixed " + result.fixed_problem);
  return report_fit(flags, result, fmt::format("{} of {}", data.name, where));
}

int models_command() {
  std::cout << fmt::format("{:<18} {:<18} {:<14} {:<44} {:<12} {}\n", "family", "parameters", "known",
                           "reparametrizations", "estimator", "regularity");
  for (const auto& f : family_catalog()) {
    std::string reparametrizations;
    for (const auto& [name, formula] : f.reparametrizations)
      reparametrizations += fmt::format("{}{} = {}", reparametrizations.empty() ? "" : ", ", name, formula);
    std::cout << fmt::format("{:<18} {:<18} {:<14} {:<44} {:<12} {}\n", f.name, fmt::format("{}", fmt::join(f.parameters, ", ")),
                             f.known.empty() ? "-" : fmt::format("{}", fmt::join(f.known, ", ")),
                             reparametrizations.empty() ? "-" : reparametrizations,
                             f.closed_form ? "closed form" : "numeric", f.regular ? "regular" : "non-regular");
  }
  std::cout << fmt::format("\n{:<20} {:<38} {:<16} {}\n", "regression model", "y given x", "parameters", "estimator");
  for (const auto& m : regression_catalog())
    std::cout << fmt::format("{:<20} {:<38} {:<16} {}\n", m.name, m.summary,
                             m.dispersion ? "beta..., sigma2" : "beta...",
                             m.dispersion ? "least squares" : "Newton (IRLS)");
  return exit_ok;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"mlesim: Monte Carlo checks of what maximum likelihood theory promises"};
  app.require_subcommand(1);
  app.set_version_flag("--version", build_description());

  run_flags flags;
  auto* run = app.add_subcommand("run", "Run experiments; write DIR/<experiment>.csv and .md");
  auto* verify_command = app.add_subcommand(
      "verify", "Run experiments, then judge their [[check]]s; exit 0 all pass, 1 a property failed");
  for (auto* command : {run, verify_command}) {
    command->add_option("configs", flags.configs, "Experiment config files (TOML)")->required()->check(CLI::ExistingFile);
    command->add_option("-o,--output", flags.output, "Directory for the reports")->capture_default_str();
    command->add_option("--threads", flags.threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::Range(1u, 4096u));
    command->add_option("--seed", flags.seed, fmt::format("Override every config's seed (0 to {})", max_seed));
    command->add_option("--reps", flags.reps,
                        fmt::format("Override every config's replications ({} to {})", min_replications, max_replications));
  }
  auto* models = app.add_subcommand("models", "List every family and regression model: parameters, estimator");
  fit_flags fit;
  auto* fit_subcommand = app.add_subcommand("fit", "Fit one data set: estimates, SEs, Wald and profile intervals");
  fit_subcommand->add_option("--model", fit.model, "The family or regression model (see `mlesim models`)")->required();
  fit_subcommand->add_option("file", fit.file, "A CSV file, or - for standard input")->required();
  fit_subcommand->add_option("--column", fit.column, "The column's header name or 1-based number");
  fit_subcommand->add_option("--fixed", fit.fixed, "NAME=VALUE: hold a parameter at a value (repeatable)");
  fit_subcommand->add_option("--known", fit.known,
                             "NAME=VALUE: a known constant of the family, such as the binomial's trials (repeatable)");
  fit_subcommand->add_option("--response", fit.response, "Regression: the response's column (header name or number)");
  fit_subcommand->add_option("--covariates", fit.covariates, "Regression: the covariates' columns, A,B,...")
      ->delimiter(',');
  fit_subcommand->add_flag("--no-intercept", fit.no_intercept, "Regression: no intercept column");
  auto* header_flag = fit_subcommand->add_flag_callback("--header", [&] { fit.header = true; },
                                                        "The first line names the columns");
  auto* no_header_flag = fit_subcommand->add_flag_callback(
      "--no-header", [&] { fit.header = false; },
      "The first line is data (default: a header when none of its fields looks like a number)");
  header_flag->excludes(no_header_flag);
  fit_subcommand->add_option("--level", fit.level, "Level of the intervals")->check(CLI::Range(1e-9, 1 - 1e-9))
      ->capture_default_str();
  fit_subcommand->add_option("--format", fit.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_bad_input;
  }

  try {
    if (*run) return run_command(flags, false);
    if (*verify_command) return run_command(flags, true);
    if (*models) return models_command();
    if (*fit_subcommand) return fit_command(fit);
  } catch (const input_error& e) {
    std::cerr << "mlesim: " << e.what() << '\n';
    return exit_bad_input;
  } catch (const output_error& e) {
    std::cerr << "mlesim: " << e.what() << '\n';
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "mlesim: error: " << e.what() << '\n';
    return exit_bad_input;
  }
  return exit_bad_input;
}

}  // namespace mlesim

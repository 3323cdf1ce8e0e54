// An experiment as plain data, and its finished results: the interface
// between the config loader, the runner and the reports.
#pragma once

#include "estimators/formula_spec.hpp"
#include "sim/measures.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// What a config may ask, and so what a state or results file read back may
// hold: the loader (loader/config.hpp), the command line and the readers of
// states (sim/state.hpp) check against these.
inline constexpr std::uint64_t max_sample_size = 100'000'000;  // a sample lives in memory per thread
inline constexpr std::int64_t max_seed = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t min_replications = 2;
inline constexpr std::int64_t max_replications = 1'000'000'000'000;

// A covariate of a random design: drawn from a registered family anew in
// every replication, independently of the others.
struct covariate_spec {
  std::string name;
  std::string family;
  std::vector<double> theta;
  std::vector<double> known{};
};

// An estimand sum_j weights[j] theta_j over a regression's parameters.
struct linear_combination {
  std::string name;
  std::vector<double> weights;
};

// A regression experiment: the model, its design, and the linear
// combinations estimated besides the parameters. Its parameters, in the
// spec's theta, are the coefficients (of the intercept first, when there is
// one, then of each design column in order) and, for the linear model, sigma2.
struct regression_spec {
  std::string model;
  bool intercept = true;
  std::vector<std::string> columns;          // the design's columns: "intercept", then the covariates
  std::vector<covariate_spec> covariates{};  // a random design, or
  std::vector<double> design{};              // a fixed one: row-major, covariates only, its first n rows used
  std::size_t design_rows = 0;
  std::string design_file{};
  std::vector<linear_combination> combinations{};
};

// A figure's target Monte Carlo standard error, by the CSV's measure name
// (sim/precision.hpp): `coverage = 0.002` asks coverage_mcse <= 0.002.
struct mcse_target {
  std::string measure;
  double mcse = 0;
  bool operator==(const mcse_target&) const = default;
};

// One varied factor's value in a condition of a grid: `shape` (a generating
// parameter or known constant), `fit.df` (the fitted family's known
// constant), `x.mean` (covariate x's parameter).
struct factor_value {
  std::string factor;
  double value = 0;
  bool operator==(const factor_value&) const = default;
};

// One condition of an experiment: a point of its grid, or the experiment
// itself when nothing varies.
struct experiment_spec {
  std::string name;
  std::string family;                   // generates the data
  std::vector<double> theta;            // in the generating family's parameter order
  std::vector<double> known{};          // the generating family's known constants, in its order
  std::string fit_family{};             // fitted; empty or equal to `family` unless misspecified
  std::vector<double> fit_known{};      // the fitted family's known constants (`known` when well specified)
  std::vector<std::string> estimands;   // of the fitted family: parameters or named reparametrizations
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;       // with targets: the most each (sample size) row may use
  std::vector<mcse_target> targets{};   // run until each is met (or `replications` are used)
  std::vector<std::uint64_t> sample_sizes;
  double level = 0.95;
  bool sandwich_intervals = false;      // also sandwich intervals for a well-specified fit
  bool observed_information = false;    // SEs from the observed information instead of the expected
  std::optional<regression_spec> regression{};  // a conditional model; then `family` names it
  std::vector<factor_value> condition{};        // the grid's varied factors at this condition; empty if none
  std::vector<formula_spec> models{};  // the models written as a formula it uses (generating or fitted), whole
};

// An experiment's name names its output files (NAME.csv, NAME.md, ...):
// letters, digits, '-', '_' and '.', not first a '.', at most 200 of them,
// and not `index` in any case (its NAME.md and NAME.html would be the output
// folder's index). What is wrong with `name`, to follow "is '...', but ", or
// "" if nothing: the config loader and every reader of a state or results
// file apply it, so no name read back writes outside the output folder.
std::string experiment_name_problem(std::string_view name);

// The z of the Wald intervals at `level`, the normal quantile at
// (1 + level) / 2; nothing where Boost overflows (a level so near 1 that
// (1 + level) / 2 rounds to 1), z is 0 (a level so small that it rounds to
// 0.5) or the level is not in (0, 1). A config's level and a level read back
// from a file must have one.
std::optional<double> critical_value(double level);

// "shape = 0.5, rate = 1"; empty for a condition of no grid.
std::string condition_label(const experiment_spec& spec);

struct estimand_result {
  std::uint64_t n = 0;
  std::string estimand;
  double true_value = 0;
  measures m;
  std::optional<bool> target_met{};  // with targets: whether each of this row's targeted MCSEs is met
};

// The fitted family's name: the generating one unless the spec says otherwise.
inline const std::string& fitted_family(const experiment_spec& spec) {
  return spec.fit_family.empty() ? spec.family : spec.fit_family;
}

inline bool misspecified(const experiment_spec& spec) { return fitted_family(spec) != spec.family; }

// The fitted family's known constants.
inline const std::vector<double>& fitted_known(const experiment_spec& spec) {
  return misspecified(spec) ? spec.fit_known : spec.known;
}

// A misspecified fit's D(G || F_theta*), in nats per observation, with its
// absolute error bound (sim/simulate.hpp), which is below the value.
struct divergence_estimate {
  double value = 0;
  double error = 0;
};

// What the reports say of a model, carried by its results (and by
// results.json), so that a report needs no catalogue: the results of a
// family the reading program never registered report the same. Filled by
// the runner from the catalogue (sim/catalogue.hpp's describe_models).
struct model_description {
  std::string name;
  std::string summary;
  std::vector<std::string> parameters;  // a regression's for its columns
  std::vector<std::string> known;       // the names of the known constants, in order
  bool regular = true;
  std::string irregularity;  // why there is no Fisher information; empty if regular
  std::string method;        // how the estimate is computed: "closed form", "numeric (Newton)", ...
  bool operator==(const model_description&) const = default;
};

struct experiment_result {
  experiment_spec spec;
  std::vector<double> pseudo_true;    // of a misspecified fit, in the fitted family's parameters
  std::vector<estimand_result> rows;  // sample size major, estimands in spec order
  std::string alternative_estimator{};  // the family's second estimator, when it has one and the fit is well specified
  std::vector<std::string> notes{};     // why a figure is absent where the reader would expect one
  std::optional<divergence_estimate> kl_divergence{};  // of a misspecified fit; absent with a note saying why
  model_description generating{};  // the generating family, or the regression model
  model_description fitted{};      // the fitted family: the generating one unless misspecified
  std::vector<model_description> covariates{};  // a random design's covariates' families, in order
};

// Called from worker threads with the replications finished so far (all
// passes, all sample sizes) and the total; must be thread-safe.
using progress_callback = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Runs on the TBB arena of the caller (limit threads with tbb::global_control).
// The spec must have been validated (experiments/config.hpp does).
experiment_result simulate(const experiment_spec& spec, const progress_callback& progress = {});
// Every condition of a grid in one parallel loop, results in condition order.
std::vector<experiment_result> simulate(const std::vector<experiment_spec>& conditions,
                                        const progress_callback& progress = {});

}  // namespace mlesim

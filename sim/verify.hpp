// `mlesim verify`: judging the properties a config declares, with the
// family-wise false-failure rate controlled by Holm's step-down procedure.
#pragma once

#include "sim/experiment.hpp"
#include "sim/invariance.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace mlesim {

// One [[check]] of a config.
struct check_spec {
  std::string property;  // bias | coverage | efficiency | model_se | normality | consistency | invariance
  std::string estimand;
  std::uint64_t n_min = 0;
  std::uint64_t n_max = std::numeric_limits<std::uint64_t>::max();
  std::optional<double> target;  // default: the theory's value (see default_target)
  double tolerance = 0;          // absolute practical margin; for invariance a relative numeric error
  double tolerance_mcse = 0;     // a further margin in units of the figure's Monte Carlo SE
  bool sandwich = false;         // coverage and model_se of the sandwich intervals, not the Fisher ones
  bool expect_pass = true;
  std::string location;          // "file:line:col" of the table, for messages
  // A grid's conditions the check applies to: those whose value of each
  // factor named here is among its listed values; every condition if empty.
  std::vector<std::pair<std::string, std::vector<double>>> where{};
};

// Whether the check applies to the condition.
bool applies(const check_spec& check, const experiment_spec& condition);

inline constexpr double default_invariance_tolerance = 1e-6;
inline constexpr std::uint64_t invariance_replications = 200;  // per sample size: a numeric Newton fit each

// The target a check takes when the config gives none: bias 0, coverage the
// level, efficiency 1, model_se 0, consistency -1 (-2 for a non-regular family).
double default_target(const check_spec& check, double level, bool regular);

// One hypothesis test: a check at one sample size (consistency and its
// slope: all the sizes it covers, n = 0).
struct check_test {
  std::size_t condition = 0;     // index into the grid's conditions
  std::string condition_label;   // "shape = 0.5"; empty outside a grid
  std::uint64_t n = 0;
  std::optional<double> figure;
  std::optional<double> se;       // the figure's standard error under the null
  double target = 0;
  double margin = 0;              // tolerance + tolerance_mcse * se
  std::optional<double> statistic;
  std::optional<double> p_value;  // of "the property holds within the margin"
  std::optional<double> holm_p;   // Holm-adjusted
  bool rejected = false;          // the property is judged not to hold here
  bool absent = false;            // nothing to judge (no figure, no p-value): fails the check whatever it expects
  std::string note;
};

struct check_verdict {
  check_spec check;
  std::vector<check_test> tests;
  std::optional<invariance_result> invariance;  // for property = "invariance", one per sample size in `tests`
  bool property_holds = true;  // no test rejected
  bool passed = true;          // no test absent, and property_holds == check.expect_pass (expect "fail": every test rejected)
};

struct verification {
  std::vector<check_verdict> verdicts;
  double false_failure_rate = 0.01;
  std::size_t statistical_tests = 0;  // the family Holm controls
  bool all_passed = true;
};

// p-value of H0: |true figure - target| <= margin, for a figure with
// standard error se and an approximately normal sampling distribution.
double equivalence_p_value(double figure, double target, double margin, double se);

// Holm (1979) adjusted p-values, in the input's order.
std::vector<double> holm_adjust(const std::vector<double>& p_values);

// Runs the invariance comparison for (estimand, n); the default dispatches
// on the fitted family's name (check_invariance).
using invariance_function = std::function<invariance_result(const std::string& estimand, std::uint64_t n)>;

verification verify(const experiment_result& result, const std::vector<check_spec>& checks, double false_failure_rate,
                    const invariance_function& invariance = {});
// Over a grid: each check at each condition it applies to, Holm's procedure
// over every test of every condition.
verification verify(const std::vector<experiment_result>& conditions, const std::vector<check_spec>& checks,
                    double false_failure_rate, const invariance_function& invariance = {});

}  // namespace mlesim

// The results table: one row per experiment x sample size x estimand.
#pragma once

#include "sim/experiment.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// The core columns, in the order the README's results table fixes (stable
// for scripts that read them by position), then the extras.
inline constexpr std::array<std::string_view, 24> csv_required_columns{
    "experiment", "family", "n", "estimand", "true_value", "reps", "failures", "mean",
    "bias", "bias_mcse", "emp_se", "emp_se_mcse", "mse", "mse_mcse", "model_se", "model_se_relerr",
    "coverage", "coverage_mcse", "crlb", "var_over_crlb", "skewness", "excess_kurtosis",
    "normality_stat", "normality_p"};
inline constexpr std::array<std::string_view, 33> csv_extra_columns{
    "model_se_mcse", "model_se_relerr_mcse", "miss_below", "miss_below_mcse", "miss_above",
    "miss_above_mcse", "var_over_crlb_mcse", "skewness_mcse", "excess_kurtosis_mcse",
    "normality_classes", "level", "generating_family", "sandwich_var", "sandwich_se", "sandwich_se_mcse",
    "sandwich_se_relerr", "sandwich_se_relerr_mcse", "sandwich_coverage", "sandwich_coverage_mcse",
    "sandwich_miss_below", "sandwich_miss_below_mcse", "sandwich_miss_above", "sandwich_miss_above_mcse",
    "alternative_estimator", "alternative_failures", "alternative_bias", "alternative_bias_mcse", "alternative_emp_se",
    "alternative_emp_se_mcse", "alternative_mse", "alternative_mse_mcse", "relative_efficiency",
    "relative_efficiency_mcse"};

// After them: `condition` (the condition's number in the grid, 1 when
// nothing varies), `target_met` (true/false with target MCSEs, else empty),
// then `condition.<factor>` for each varied factor, its value.
inline constexpr std::array<std::string_view, 2> csv_condition_columns{"condition", "target_met"};

std::string csv_report(const experiment_result& result);
// Every condition of a grid, in grid order.
std::string csv_report(const std::vector<experiment_result>& conditions);

}  // namespace mlesim

// The files a finished experiment leaves in the output folder, and the
// folder's index: the set that reports/atomic_file.hpp commits together.
//
//   NAME.csv                     the results table
//   NAME.md                      the report, its figures linked beside it
//   NAME.<estimand>.<kind>.svg   the figures (reports/figures.hpp); a grid's
//                                across its conditions, and each condition's
//                                as NAME.cK.<estimand>.<kind>.svg
//   NAME.html                    the report as one self-contained page
//   NAME.results.json            what `mlesim report` redraws them from
//   index.md, index.html         every experiment whose report is in the folder
#pragma once

#include "sim/experiment.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

using report_file = std::pair<std::string, std::string>;  // file name in the folder, content

struct experiment_reports {
  std::vector<report_file> files;
  bool figures_skipped = false;  // gnuplot is not installed: the Markdown and the page say so
};

// `verdicts` is the Markdown of verify's judgements, or empty. Throws
// std::runtime_error when gnuplot is there but fails.
experiment_reports experiment_report_files(const experiment_result& result, std::string_view build,
                                           std::string_view verdicts);
// A grid's: the CSV, Markdown, page and results file of every condition,
// its figures across the conditions (plan_grid_figures), and each
// condition's figures as NAME.cK.<estimand>.<kind>.svg, for grids of at
// most max_condition_figures conditions (the report says why not for a
// larger one).
inline constexpr std::size_t max_condition_figures = 24;
experiment_reports experiment_report_files(const std::vector<experiment_result>& conditions, std::string_view build,
                                           std::string_view verdicts);

// Every file name experiment_report_files may write for an experiment of
// these estimands (all figures, drawn or not).
std::vector<std::string> experiment_report_names(const std::string& name, const std::vector<std::string>& estimands,
                                                 std::size_t conditions = 1);

inline constexpr std::string_view index_markdown_name = "index.md";
inline constexpr std::string_view index_html_name = "index.html";

// index.md and index.html for `folder` as it will be once `pending` is
// written: a row per experiment (a NAME.md with its NAME.csv), its model,
// its verdict (from NAME.checks.csv when its report holds verify's
// verdicts) and links, then its first estimand's MSE and coverage figures.
std::vector<report_file> index_files(const std::filesystem::path& folder, const std::vector<report_file>& pending);

}  // namespace mlesim

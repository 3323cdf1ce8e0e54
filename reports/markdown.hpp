// The human-readable report of one experiment, and the short table `run`
// prints: pure functions from results to text.
#pragma once

#include "reports/figures.hpp"
#include "sim/experiment.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// What the report says of its figures: each estimand's, embedded by a link
// relative to the report (they are written beside it), with the notes on
// what is not drawn; or why none were drawn. Neither: no word of figures.
struct report_figures {
  const figure_plan* plan = nullptr;
  std::string not_drawn{};
  std::vector<std::string> notes{};  // on the figures as a whole (a grid's: how they are split)
};

// `build` names the binary that made the results (version, compiler, flags);
// `verdicts`, Markdown of `mlesim verify`'s judgements, leads the report.
std::string markdown_report(const experiment_result& result, std::string_view build, std::string_view verdicts = {},
                            const report_figures& figures = {});

// A grid's report: summary tables across its conditions, each estimand's
// with its figures across the conditions (`summary`, where given), then each
// condition's detail, with its figures (figures[c], where given). One
// condition of no grid reads as above.
std::string markdown_report(const std::vector<experiment_result>& conditions, std::string_view build,
                            std::string_view verdicts = {}, const std::vector<report_figures>& figures = {},
                            const report_figures& summary = {});

std::string console_summary(const experiment_result& result);
std::string console_summary(const std::vector<experiment_result>& conditions);

}  // namespace mlesim

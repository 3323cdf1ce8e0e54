// The human-readable report of one experiment, and the short table `run`
// prints: pure functions from results to text.
#pragma once

#include "sim/experiment.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// `build` names the binary that made the results (version, compiler, flags);
// `verdicts`, Markdown of `mlesim verify`'s judgements, leads the report.
std::string markdown_report(const experiment_result& result, std::string_view build, std::string_view verdicts = {});

// A grid's report: summary tables across its conditions, then each
// condition's detail. One condition of no grid reads as above.
std::string markdown_report(const std::vector<experiment_result>& conditions, std::string_view build,
                            std::string_view verdicts = {});

std::string console_summary(const experiment_result& result);
std::string console_summary(const std::vector<experiment_result>& conditions);

}  // namespace mlesim

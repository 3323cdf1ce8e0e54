// The human-readable report of one experiment, and the short table `run`
// prints: pure functions from results to text.
#pragma once

#include "sim/experiment.hpp"

#include <string>
#include <string_view>

namespace mlesim {

// `build` names the binary that made the results (version, compiler, flags);
// `verdicts`, Markdown of `mlesim verify`'s judgements, leads the report.
std::string markdown_report(const experiment_result& result, std::string_view build, std::string_view verdicts = {});

std::string console_summary(const experiment_result& result);

}  // namespace mlesim

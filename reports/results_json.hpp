// An experiment's results as JSON, DIR/<experiment>.results.json: everything
// its reports are drawn from (the settings, every measure with its MCSE, the
// histogram of Phi(z), the notes, the pseudo-true values, the descriptions
// of the models, the build and the verdicts' Markdown), doubles written so
// that they read back exactly, so that `mlesim report DIR` redraws the
// reports, byte for byte, without rerunning. The format is in the README
// ("The results file").
#pragma once

#include "sim/experiment.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace mlesim {

// 2: each condition carries its models' descriptions ("models"), which the
// reports read instead of a catalogue.
inline constexpr int results_format_version = 2;

// A results file that cannot be read back: the message names the file.
struct results_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct saved_results {
  std::vector<experiment_result> conditions;  // one per condition of the grid (one without a grid)
  std::string build;     // the binary that ran it, as its reports name it
  std::string verdicts;  // the Markdown of `verify`'s verdicts that led the report; empty after `run`
};

std::string results_json(const std::vector<experiment_result>& conditions, std::string_view build,
                         std::string_view verdicts);
std::string results_json(const experiment_result& result, std::string_view build, std::string_view verdicts);

// Throws results_error naming `file` when the text is not a results file of
// this version, or its rows are not every sample size by every estimand.
saved_results read_results_json(std::string_view text, const std::string& file);

}  // namespace mlesim

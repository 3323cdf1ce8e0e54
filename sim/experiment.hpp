// An experiment as plain data, and its finished results: the interface
// between the config loader, the runner and the reports.
#pragma once

#include "sim/measures.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlesim {

struct experiment_spec {
  std::string name;
  std::string family;
  std::vector<double> theta;            // in the family's parameter order
  std::vector<std::string> estimands;   // parameters or named reparametrizations
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::vector<std::uint64_t> sample_sizes;
  double level = 0.95;
};

struct estimand_result {
  std::uint64_t n = 0;
  std::string estimand;
  double true_value = 0;
  measures m;
};

struct experiment_result {
  experiment_spec spec;
  std::vector<estimand_result> rows;  // sample size major, estimands in spec order
};

// Called from worker threads with the replications finished so far (all
// passes, all sample sizes) and the total; must be thread-safe.
using progress_callback = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Runs on the TBB arena of the caller (limit threads with tbb::global_control).
// The spec must have been validated (experiments/config.hpp does).
experiment_result simulate(const experiment_spec& spec, const progress_callback& progress = {});

}  // namespace mlesim

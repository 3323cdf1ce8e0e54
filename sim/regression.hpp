// The simulation of a regression experiment: each replication draws a
// design (or takes the fixed one's first n rows) and y given x, fits by
// Newton/least squares, and feeds the same accumulators and measures as the
// families' runner, so reports and checks treat both alike.
#pragma once

#include "estimators/regression.hpp"
#include "sim/experiment.hpp"
#include "sim/runner.hpp"
#include "sim/stream.hpp"
#include "sim/study.hpp"

#include <cstddef>
#include <memory>
#include <vector>

namespace mlesim {

// The number of covariate draws that average the per-observation expected
// information E[w(x'beta) x x'] of a random design, for its Cramér–Rao bound.
inline constexpr std::size_t information_draws = std::size_t{1} << 20;

// The spec's regression must be set and valid (experiments/config.hpp checks).
std::unique_ptr<prepared_experiment> prepare_regression(const experiment_spec& spec);

// Where a replication's design comes from: the spec's random covariates,
// their drawers looked up once, or the fixed design.
class design_source {
 public:
  explicit design_source(const regression_spec& regression);

  // n rows: the covariates drawn on `engine`, or the fixed design's first n rows.
  design_matrix operator()(std::size_t n, philox_stream& engine) const;

 private:
  const regression_spec& regression_;
  std::vector<generator> covariates_;
};

}  // namespace mlesim

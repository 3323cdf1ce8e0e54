// The simulation of a regression experiment: each replication draws a
// design (or takes the fixed one's first n rows) and y given x, fits by
// Newton/least squares, and feeds the same accumulators and measures as the
// families' runner, so reports and checks treat both alike.
#pragma once

#include "estimators/regression.hpp"
#include "sim/experiment.hpp"
#include "sim/stream.hpp"

#include <cstddef>

namespace mlesim {

// The number of covariate draws that average the per-observation expected
// information E[w(x'beta) x x'] of a random design, for its Cramér–Rao bound.
inline constexpr std::size_t information_draws = std::size_t{1} << 20;

// The spec's regression must be set and valid (experiments/config.hpp checks).
experiment_result simulate_regression(const experiment_spec& spec, const progress_callback& progress = {});

// The design of one replication: n rows, from the spec's random covariates
// drawn on `engine`, or the fixed design's first n rows.
design_matrix regression_design(const regression_spec& regression, std::size_t n, philox_stream& engine);

}  // namespace mlesim

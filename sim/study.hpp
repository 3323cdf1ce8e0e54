// Runs as data. The unit of work and of state is a chunk: a fixed block of
// replications of one sample size, its length a function of the replication
// count alone. A chunk's accumulators are computed from empty, in replication
// order, and a sample size's chunks are joined in one fixed tree over their
// indices (halves, recursively), so whoever computes the chunks (threads,
// shards, MPI ranks, a resumed run) the joined sums, and every report, are
// the same bytes.
#pragma once

#include "sim/accumulator.hpp"
#include "sim/experiment.hpp"

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace mlesim {

using accumulator_set = std::vector<estimand_accumulator>;  // one per estimand

struct chunk_id {
  std::uint32_t size = 0;   // index into the spec's sample_sizes
  std::uint64_t index = 0;  // replications [index L, (index + 1) L), L = chunk_length
  auto operator<=>(const chunk_id&) const = default;
};

// At most 256 chunks per sample size, of at least 16 replications.
std::uint64_t chunk_length(std::uint64_t replications);
std::uint64_t chunk_count(std::uint64_t replications);
// The replications [first, last) of chunk `index`.
struct replication_range {
  std::uint64_t first, last;
  std::uint64_t size() const { return last - first; }
};
replication_range chunk_replications(std::uint64_t replications, std::uint64_t index);
// Every chunk of an experiment, sample size major.
std::vector<chunk_id> all_chunks(const experiment_spec& spec);

// An experiment made ready to run: its truths, bounds and plans computed once
// (a misspecified fit's pseudo-true value, a random design's bound). It may
// throw std::runtime_error when the population figures do not exist.
class prepared_experiment {
 public:
  virtual ~prepared_experiment() = default;
  prepared_experiment(const prepared_experiment&) = delete;
  prepared_experiment& operator=(const prepared_experiment&) = delete;

  const experiment_spec& spec() const { return spec_; }
  virtual std::size_t estimand_count() const = 0;
  // The chunk's accumulators, from empty, its replications in order.
  virtual accumulator_set run_chunk(chunk_id chunk) const = 0;
  // The results from each sample size's joined accumulators, in spec order.
  virtual experiment_result summarize(std::span<const accumulator_set> per_size) const = 0;

 protected:
  explicit prepared_experiment(experiment_spec spec) : spec_(std::move(spec)) {}
  experiment_spec spec_;
};

std::unique_ptr<prepared_experiment> prepare(const experiment_spec& spec);

// The fixed tree: join(lo, hi) = join(lo, mid) merged with join(mid, hi),
// mid = lo + (hi - lo) / 2, a leaf being leaf(index). With `parallel`, the
// halves run as TBB tasks; the sums are the same bits either way.
accumulator_set join_chunks(std::uint64_t count, const std::function<accumulator_set(std::uint64_t)>& leaf,
                            bool parallel);

// Runs the given chunks in parallel, handing each result to `done` (called
// from worker threads, so it must be thread-safe).
void run_chunks(const prepared_experiment& experiment, std::span<const chunk_id> chunks,
                const std::function<void(chunk_id, accumulator_set&&)>& done);

// Every chunk of every sample size in one parallel loop, joined and summarized.
experiment_result run_all(const prepared_experiment& experiment, const progress_callback& progress = {});

// From chunks computed elsewhere (state files): `leaf(chunk)` gives each
// chunk's accumulators; every chunk of the experiment must be there.
experiment_result summarize_chunks(const prepared_experiment& experiment,
                                   const std::function<accumulator_set(chunk_id)>& leaf);

}  // namespace mlesim

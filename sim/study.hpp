// Runs as data. The unit of work and of state is a chunk: a fixed block of
// replications of one condition (a point of the experiment's grid) and one
// sample size, its length a function of the replication count alone. A
// chunk's accumulators are computed from empty, in replication order, and a
// row's chunks (one condition, one sample size) are joined in one fixed
// order, a left fold over their indices, so whoever computes the chunks
// (threads, shards, MPI ranks, a resumed run) the joined sums, and every
// report, are the same bytes. A row with target MCSEs runs in rounds, each
// decided from the fold of the chunks before it, so it too is the same
// whoever computes them.
#pragma once

#include "sim/accumulator.hpp"
#include "sim/experiment.hpp"

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace mlesim {

using accumulator_set = std::vector<estimand_accumulator>;  // one per estimand

struct chunk_id {
  std::uint32_t condition = 0;  // index into the grid's conditions
  std::uint32_t size = 0;       // index into the spec's sample_sizes
  std::uint64_t index = 0;      // replications [index L, (index + 1) L), L = chunk_length
  auto operator<=>(const chunk_id&) const = default;
};

// At most 256 chunks per row, of at least 16 replications. With targets the
// replication count is the maximum, so the chunks are the same whatever the
// targets are.
std::uint64_t chunk_length(std::uint64_t replications);
std::uint64_t chunk_count(std::uint64_t replications);
// The replications [first, last) of chunk `index`.
struct replication_range {
  std::uint64_t first, last;
  std::uint64_t size() const { return last - first; }
};
replication_range chunk_replications(std::uint64_t replications, std::uint64_t index);
// The replications of a row's first `chunks` chunks.
std::uint64_t replications_of(std::uint64_t replications, std::uint64_t chunks);
// Every chunk of a study, condition major, then sample size, then index.
std::vector<chunk_id> all_chunks(std::span<const experiment_spec> conditions);

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
  // The chunk's accumulators, from empty, its replications in order (its
  // condition is this experiment's).
  virtual accumulator_set run_chunk(chunk_id chunk) const = 0;
  // The results from each sample size's joined accumulators and replication
  // count, in spec order.
  virtual experiment_result summarize(std::span<const accumulator_set> per_size,
                                      std::span<const std::uint64_t> reps) const = 0;

 protected:
  explicit prepared_experiment(experiment_spec spec) : spec_(std::move(spec)) {}
  experiment_spec spec_;
};

std::unique_ptr<prepared_experiment> prepare(const experiment_spec& spec);

// Every condition of an experiment, prepared (in parallel: a misspecified
// fit's pseudo-true value takes a quadrature); an error is the first
// condition's in grid order, named by its label.
using prepared_study = std::vector<std::shared_ptr<const prepared_experiment>>;
prepared_study prepare(const std::vector<experiment_spec>& conditions);

// How a study's chunks are come by.
struct run_hooks {
  progress_callback progress{};
  // A chunk computed before (a checkpoint, shards' or ranks' states), if it is.
  std::function<std::optional<accumulator_set>(chunk_id)> saved{};
  // Called (from worker threads, so thread-safe) with each chunk computed now.
  std::function<void(chunk_id, const accumulator_set&)> computed{};
  // False: every chunk must be saved (merge); a missing one is `missing(id)`'s error.
  bool compute = true;
  std::function<void(chunk_id)> missing{};
  // Called on the calling thread with each round's chunks, as the rounds are
  // decided, before any of them is looked up or run: the MPI driver hands
  // them to its ranks here and `saved` then gives their results.
  std::function<void(std::span<const chunk_id>)> round{};
};

// Runs the given chunks in parallel, handing each result to `done` (called
// from worker threads, so it must be thread-safe).
void run_chunks(const prepared_study& study, std::span<const chunk_id> chunks,
                const std::function<void(chunk_id, accumulator_set&&)>& done);

// The study: every row's chunks (to its target, where it has one) in one
// parallel loop per round, folded and summarized, one result per condition.
std::vector<experiment_result> run_all(const prepared_study& study, const run_hooks& hooks);
std::vector<experiment_result> run_all(const prepared_study& study, const progress_callback& progress = {});

}  // namespace mlesim

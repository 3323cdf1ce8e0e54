#include "sim/study.hpp"

#include "estimators/registry.hpp"
#include "sim/regression.hpp"
#include "sim/simulate.hpp"

#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include <atomic>
#include <stdexcept>

namespace mlesim {

std::uint64_t chunk_length(std::uint64_t replications) {
  constexpr std::uint64_t most_chunks = 256, shortest = 16;
  return std::max(shortest, (replications + most_chunks - 1) / most_chunks);
}

std::uint64_t chunk_count(std::uint64_t replications) {
  const std::uint64_t length = chunk_length(replications);
  return (replications + length - 1) / length;
}

replication_range chunk_replications(std::uint64_t replications, std::uint64_t index) {
  const std::uint64_t length = chunk_length(replications), first = index * length;
  return {first, std::min(first + length, replications)};
}

std::vector<chunk_id> all_chunks(const experiment_spec& spec) {
  std::vector<chunk_id> chunks;
  const std::uint64_t count = chunk_count(spec.replications);
  for (std::uint32_t size = 0; size < spec.sample_sizes.size(); ++size)
    for (std::uint64_t index = 0; index < count; ++index) chunks.push_back({size, index});
  return chunks;
}

namespace {

accumulator_set join_range(std::uint64_t low, std::uint64_t high,
                           const std::function<accumulator_set(std::uint64_t)>& leaf, bool parallel) {
  if (high - low == 1) return leaf(low);
  const std::uint64_t middle = low + (high - low) / 2;
  accumulator_set left, right;
  if (parallel) {
    tbb::parallel_invoke([&] { left = join_range(low, middle, leaf, true); },
                         [&] { right = join_range(middle, high, leaf, true); });
  } else {
    left = join_range(low, middle, leaf, false);
    right = join_range(middle, high, leaf, false);
  }
  for (std::size_t e = 0; e < left.size(); ++e) left[e].merge(right[e]);
  return left;
}

}  // namespace

accumulator_set join_chunks(std::uint64_t count, const std::function<accumulator_set(std::uint64_t)>& leaf,
                            bool parallel) {
  if (count == 0) throw std::logic_error("join_chunks: no chunks");
  return join_range(0, count, leaf, parallel);
}

void run_chunks(const prepared_experiment& experiment, std::span<const chunk_id> chunks,
                const std::function<void(chunk_id, accumulator_set&&)>& done) {
  tbb::parallel_for(std::size_t{0}, chunks.size(), [&](std::size_t i) {
    done(chunks[i], experiment.run_chunk(chunks[i]));
  });
}

experiment_result run_all(const prepared_experiment& experiment, const progress_callback& progress) {
  const experiment_spec& spec = experiment.spec();
  const std::uint64_t count = chunk_count(spec.replications);
  const std::uint64_t total = spec.replications * spec.sample_sizes.size();
  std::atomic<std::uint64_t> finished{0};
  std::vector<accumulator_set> per_size(spec.sample_sizes.size());
  tbb::parallel_for(std::size_t{0}, per_size.size(), [&](std::size_t size) {
    per_size[size] = join_chunks(count, [&](std::uint64_t index) {
      accumulator_set result = experiment.run_chunk({static_cast<std::uint32_t>(size), index});
      if (progress) progress(finished += chunk_replications(spec.replications, index).size(), total);
      return result;
    }, true);
  });
  return experiment.summarize(per_size);
}

experiment_result summarize_chunks(const prepared_experiment& experiment,
                                   const std::function<accumulator_set(chunk_id)>& leaf) {
  const experiment_spec& spec = experiment.spec();
  const std::uint64_t count = chunk_count(spec.replications);
  std::vector<accumulator_set> per_size(spec.sample_sizes.size());
  for (std::uint32_t size = 0; size < per_size.size(); ++size)
    per_size[size] = join_chunks(count, [&](std::uint64_t index) { return leaf({size, index}); }, false);
  return experiment.summarize(per_size);
}

std::unique_ptr<prepared_experiment> prepare(const experiment_spec& spec) {
  if (spec.regression) return prepare_regression(spec);
  std::unique_ptr<prepared_experiment> result;
  const bool found =
      visit_family(fitted_family(spec), [&]<class F>() { result = std::make_unique<family_study<F>>(spec); });
  if (!found) throw std::invalid_argument("unknown family '" + fitted_family(spec) + "'");
  return result;
}

}  // namespace mlesim

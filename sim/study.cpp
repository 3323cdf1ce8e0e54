#include "sim/study.hpp"

#include "estimators/builtin.hpp"
#include "sim/catalogue.hpp"
#include "sim/regression.hpp"
#include "sim/simulate.hpp"

#include "sim/precision.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

namespace mlesim {

std::uint64_t chunk_length(std::uint64_t replications) {
  // At most 1024 chunks: at 16 threads a worker's last chunk is then under 2%
  // of its share (with 256 it was 6%, and the idle tail cost ~1× of 16).
  constexpr std::uint64_t most_chunks = 1024, shortest = 16;
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

std::uint64_t replications_of(std::uint64_t replications, std::uint64_t chunks) {
  return std::min(replications, chunks * chunk_length(replications));
}

std::vector<chunk_id> all_chunks(std::span<const experiment_spec> conditions) {
  std::vector<chunk_id> chunks;
  for (std::uint32_t condition = 0; condition < conditions.size(); ++condition) {
    const experiment_spec& spec = conditions[condition];
    const std::uint64_t count = chunk_count(spec.replications);
    for (std::uint32_t size = 0; size < spec.sample_sizes.size(); ++size)
      for (std::uint64_t index = 0; index < count; ++index) chunks.push_back({condition, size, index});
  }
  return chunks;
}

namespace {

// Runs `work(i)` for i in [0, count) on every worker of the arena, each
// taking the next index in turn: chunks finish about in index order, so a
// row's fold keeps few chunks waiting, and a grid of many small conditions
// uses every core.
void for_each_in_order(std::size_t count, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  const int workers = std::max(1, std::min<int>(tbb::this_task_arena::max_concurrency(), static_cast<int>(count)));
  tbb::parallel_for(0, workers, [&](int) {
    for (std::size_t i = next++; i < count; i = next++) work(i);
  }, tbb::simple_partitioner());
}

// One row: a condition at one sample size, its chunks folded in index order.
struct row_state {
  std::uint32_t condition = 0, size = 0;
  std::uint64_t folded = 0;   // chunks [0, folded) are in `sum`
  std::uint64_t planned = 0;  // this round runs chunks [folded, planned)
  accumulator_set sum;
  std::map<std::uint64_t, accumulator_set> waiting;  // finished out of order
  std::mutex mutex;
  bool finished = false;
  std::optional<bool> met;

  void fold(std::uint64_t index, accumulator_set&& chunk) {
    std::lock_guard lock(mutex);
    waiting.emplace(index, std::move(chunk));
    for (auto it = waiting.begin(); it != waiting.end() && it->first == folded; it = waiting.erase(it), ++folded) {
      if (folded == 0) {
        sum = std::move(it->second);
      } else {
        for (std::size_t e = 0; e < sum.size(); ++e) sum[e].merge(it->second[e]);
      }
    }
  }
};

// The first rounds' chunks of a row with targets: enough to read its MCSEs.
constexpr std::uint64_t pilot_chunks = 2;

// The next round's end: towards what the formula asks for, at most doubling
// the row and going half the way to the formula's count, so that the noise in
// the formula's own MCSEs costs at most about one chunk at the end.
std::uint64_t next_round(std::uint64_t folded, std::uint64_t needed, std::uint64_t most) {
  const std::uint64_t gap = needed > folded ? needed - folded : 1;
  const std::uint64_t step = std::max<std::uint64_t>(1, std::min(folded, (gap + 1) / 2));
  return std::min(most, folded + step);
}

}  // namespace

void run_chunks(const prepared_study& study, std::span<const chunk_id> chunks,
                const std::function<void(chunk_id, accumulator_set&&)>& done) {
  for_each_in_order(chunks.size(), [&](std::size_t i) {
    done(chunks[i], study.at(chunks[i].condition)->run_chunk(chunks[i]));
  });
}

std::vector<experiment_result> run_all(const prepared_study& study, const run_hooks& hooks) {
  std::deque<row_state> rows;
  std::vector<std::size_t> first_row;  // of each condition
  for (std::uint32_t c = 0; c < study.size(); ++c) {
    const experiment_spec& spec = study[c]->spec();
    first_row.push_back(rows.size());
    const std::uint64_t most = chunk_count(spec.replications);
    for (std::uint32_t size = 0; size < spec.sample_sizes.size(); ++size) {
      row_state& row = rows.emplace_back();
      row.condition = c;
      row.size = size;
      row.planned = spec.targets.empty() ? most : std::min(most, pilot_chunks);
    }
  }
  const auto summarize_condition = [&](std::uint32_t c) {
    const prepared_experiment& experiment = *study[c];
    const std::size_t sizes = experiment.spec().sample_sizes.size();
    std::vector<accumulator_set> sums;
    std::vector<std::uint64_t> reps;
    for (std::size_t s = 0; s < sizes; ++s) {
      const row_state& row = rows[first_row[c] + s];
      sums.push_back(row.sum);
      reps.push_back(replications_of(experiment.spec().replications, row.folded));
    }
    experiment_result result = experiment.summarize(sums, reps);
    describe_models(result);
    return result;
  };

  std::atomic<std::uint64_t> finished{0};
  std::uint64_t total = 0;
  for (;;) {
    std::vector<chunk_id> work;
    total = 0;
    for (const row_state& row : rows) {
      const std::uint64_t replications = study[row.condition]->spec().replications;
      total += replications_of(replications, row.planned);
      if (!row.finished)
        for (std::uint64_t index = row.folded; index < row.planned; ++index) work.push_back({row.condition, row.size, index});
    }
    if (work.empty()) break;
    if (hooks.round) hooks.round(work);
    for_each_in_order(work.size(), [&](std::size_t i) {
      const chunk_id id = work[i];
      const prepared_experiment& experiment = *study[id.condition];
      std::optional<accumulator_set> chunk;
      if (hooks.saved) chunk = hooks.saved(id);
      if (!chunk) {
        if (!hooks.compute) {
          if (hooks.missing) hooks.missing(id);
          throw std::logic_error("run_all: a chunk is missing and may not be computed");
        }
        chunk = experiment.run_chunk(id);
        if (hooks.computed) hooks.computed(id, *chunk);
      }
      const std::uint64_t size = chunk_replications(experiment.spec().replications, id.index).size();
      rows[first_row[id.condition] + id.size].fold(id.index, std::move(*chunk));
      if (hooks.progress) hooks.progress(finished += size, total);
    });
    // Each row with targets reads its MCSEs and plans its next round.
    for (std::uint32_t c = 0; c < study.size(); ++c) {
      const experiment_spec& spec = study[c]->spec();
      const std::uint64_t most = chunk_count(spec.replications);
      if (spec.targets.empty()) {
        for (std::size_t s = 0; s < spec.sample_sizes.size(); ++s) rows[first_row[c] + s].finished = true;
        continue;
      }
      bool open = false;
      for (std::size_t s = 0; s < spec.sample_sizes.size(); ++s) open = open || !rows[first_row[c] + s].finished;
      if (!open) continue;
      const experiment_result result = summarize_condition(c);
      const std::size_t estimands = study[c]->estimand_count();
      for (std::size_t s = 0; s < spec.sample_sizes.size(); ++s) {
        row_state& row = rows[first_row[c] + s];
        if (row.finished) continue;
        bool met = true, known = true;  // known: the formula can say what each figure needs
        double needed = 0;
        for (std::size_t e = 0; e < estimands; ++e) {
          const target_reading reading = read_targets(result.rows[s * estimands + e].m, spec.targets);
          met = met && reading.met;
          known = known && reading.needed.has_value();
          needed = std::max(needed, reading.needed.value_or(0.0));
        }
        if (met || row.folded >= most) {
          row.finished = true;
          row.met = met;
          continue;
        }
        const double length = static_cast<double>(chunk_length(spec.replications));
        const std::uint64_t wanted =
            known && needed / length < static_cast<double>(most) ? static_cast<std::uint64_t>(std::ceil(needed / length))
                                                                : most;
        row.planned = next_round(row.folded, wanted, most);
      }
    }
  }

  std::vector<experiment_result> results(study.size());
  tbb::parallel_for(std::size_t{0}, study.size(), [&](std::size_t c) {
    results[c] = summarize_condition(static_cast<std::uint32_t>(c));
    if (study[c]->spec().targets.empty()) return;
    // Each row says whether its own figures met their targets; its
    // replications are its (condition, n) row's, set by the worst estimand.
    for (estimand_result& row : results[c].rows) row.target_met = read_targets(row.m, study[c]->spec().targets).met;
  });
  return results;
}

std::vector<experiment_result> run_all(const prepared_study& study, const progress_callback& progress) {
  return run_all(study, run_hooks{.progress = progress});
}

prepared_study prepare(const std::vector<experiment_spec>& conditions) {
  prepared_study study(conditions.size());
  std::vector<std::string> errors(conditions.size());
  tbb::parallel_for(std::size_t{0}, conditions.size(), [&](std::size_t c) {
    try {
      study[c] = prepare(conditions[c]);
    } catch (const std::runtime_error& e) {
      errors[c] = e.what();
    }
  });
  for (std::size_t c = 0; c < conditions.size(); ++c)
    if (!errors[c].empty()) {
      if (conditions[c].condition.empty()) throw std::runtime_error(errors[c]);
      throw std::runtime_error(
          fmt::format("condition {} ({}): {}", c + 1, condition_label(conditions[c]), errors[c]));
    }
  return study;
}

std::unique_ptr<prepared_experiment> prepare(const experiment_spec& spec) {
  if (spec.regression) return prepare_regression(spec);
  const family_entry* entry = find_family_entry(fitted_family(spec));
  if (!entry) throw std::invalid_argument("unknown family '" + fitted_family(spec) + "'");
  return entry->prepare(spec);
}

std::vector<std::function<std::unique_ptr<prepared_experiment>(const experiment_spec&)>> builtin_preparers() {
  return []<class... Families>(family_list<Families...>) {
    return std::vector<std::function<std::unique_ptr<prepared_experiment>(const experiment_spec&)>>{
        [](const experiment_spec& spec) -> std::unique_ptr<prepared_experiment> {
          return std::make_unique<family_study<Families>>(spec);
        }...};
  }(builtin_families{});
}

}  // namespace mlesim

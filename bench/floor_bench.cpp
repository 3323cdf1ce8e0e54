// The draw floor (issue 13): a replication of the whole pipeline (draw, fit,
// information, intervals, accumulators; `simulate`, one thread) against the
// least any replication must cost, drawing the same n = 100 numbers with
// Boost's ziggurat on a pcg64 keyed per replication and summing them (the
// gamma: the project's Marsaglia-Tsang draws plus one log per observation,
// the fit's one unavoidable sufficient statistic). Also the same draws on the
// project's own stream (sim/stream.hpp), which splits the pipeline's excess
// over the floor into the generator's part and the rest.
//
// Not a test: run by hand on a quiet machine, e.g.
//   build/bench/floor_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Each iteration runs `replications` replications; the per_rep counter is
// the CPU time per replication.
#include "bench/pcg64.hpp"
#include "estimators/gamma.hpp"
#include "estimators/normal.hpp"
#include "sim/experiment.hpp"
#include "sim/stream.hpp"

#include <benchmark/benchmark.h>
#include <boost/random/normal_distribution.hpp>
#include <tbb/global_control.h>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace mlesim;

namespace {

constexpr std::uint64_t n = 100;
constexpr std::uint64_t replications = 100'000;
constexpr std::uint64_t seed = 1;
const normal::parameters normal_theta{1, 4};
const mlesim::gamma::parameters gamma_theta{2.5, 1.5};

// pcg64 keyed per replication like the project's stream: the state from
// (n, replication), the increment from (seed, experiment).
bench::pcg64 pcg_for(std::uint64_t replication) {
  using u128 = bench::pcg64::uint128;
  return bench::pcg64((u128{n} << 64) | replication, (u128{seed} << 64) | experiment_key("bench"));
}

philox_stream stream_for(std::uint64_t replication) {
  return philox_stream(seed, experiment_key("bench"), n, replication);
}

// Per replication: a fresh engine and sampler, n draws summed (with_log:
// each draw's log added too).
template <class F, class MakeEngine>
double draw_and_sum(const typename F::parameters& theta, MakeEngine make_engine, bool with_log) {
  double total = 0;
  for (std::uint64_t rep = 0; rep < replications; ++rep) {
    auto engine = make_engine(rep);
    auto draw = F::sampler(theta);
    double sum = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const double x = draw(engine);
      sum += with_log ? x + std::log(x) : x;
    }
    total += sum;
  }
  return total;
}

void per_replication(benchmark::State& state) {
  // The inverted rate of replications: CPU seconds per replication.
  state.counters["per_rep"] = benchmark::Counter(static_cast<double>(replications),
                                                    benchmark::Counter::kIsIterationInvariantRate |
                                                        benchmark::Counter::kInvert);
}

experiment_spec spec_of(bool is_gamma) {
  return {.name = "bench", .family = is_gamma ? "gamma" : "normal",
          .theta = is_gamma ? std::vector<double>{2.5, 1.5} : std::vector<double>{1, 4},
          .estimands = is_gamma ? std::vector<std::string>{"shape", "rate"} : std::vector<std::string>{"mu", "sigma2"},
          .seed = seed, .replications = replications, .sample_sizes = {n}, .level = 0.95};
}

void pipeline(benchmark::State& state, bool is_gamma) {
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  const experiment_spec spec = spec_of(is_gamma);
  for (auto _ : state) benchmark::DoNotOptimize(simulate(spec));
  per_replication(state);
}

void normal_pipeline(benchmark::State& state) { pipeline(state, false); }
void gamma_pipeline(benchmark::State& state) { pipeline(state, true); }

void normal_floor(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(draw_and_sum<normal>(normal_theta, pcg_for, false));
  per_replication(state);
}

void gamma_floor(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(draw_and_sum<mlesim::gamma>(gamma_theta, pcg_for, true));
  per_replication(state);
}

void normal_draws_on_stream(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(draw_and_sum<normal>(normal_theta, stream_for, false));
  per_replication(state);
}

void gamma_draws_on_stream(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(draw_and_sum<mlesim::gamma>(gamma_theta, stream_for, true));
  per_replication(state);
}

}  // namespace

BENCHMARK(normal_pipeline)->Unit(benchmark::kMillisecond);
BENCHMARK(normal_floor)->Unit(benchmark::kMillisecond);
BENCHMARK(normal_draws_on_stream)->Unit(benchmark::kMillisecond);
BENCHMARK(gamma_pipeline)->Unit(benchmark::kMillisecond);
BENCHMARK(gamma_floor)->Unit(benchmark::kMillisecond);
BENCHMARK(gamma_draws_on_stream)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

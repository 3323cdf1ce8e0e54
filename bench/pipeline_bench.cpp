// Replications per second of the whole pipeline (draw, fit, information,
// accumulate) against the cost of only drawing the same numbers, on 1 and 2
// threads. Not a test: run it by hand, `build/bench/pipeline_bench [reps]`.
#include "estimators/gamma.hpp"
#include "estimators/normal.hpp"
#include "sim/experiment.hpp"
#include "sim/regression.hpp"
#include "sim/stream.hpp"

#include <boost/random/gamma_distribution.hpp>
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

using namespace mlesim;

namespace {

constexpr std::uint64_t n = 100;

// Best of five, in seconds: the least disturbed run.
double best_time(const std::function<void()>& work) {
  double best = 1e300;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// Only the draws of `reps` replications, from the same streams; `with_log`
// adds one log per observation (the gamma fit's unavoidable sufficient statistic).
template <class F>
double draw_only(const typename F::parameters& theta, std::uint64_t reps, bool with_log) {
  return tbb::parallel_deterministic_reduce(
      tbb::blocked_range<std::uint64_t>(0, reps, 64), 0.0,
      [&](const tbb::blocked_range<std::uint64_t>& range, double sum) {
        std::vector<double> x(n);
        for (std::uint64_t rep = range.begin(); rep != range.end(); ++rep) {
          philox_stream engine(1, 2, n, rep);
          auto draw = F{}.sampler(theta);
          for (double& xi : x) xi = draw(engine);
          for (double xi : x) sum += with_log ? std::log(xi) : xi;
        }
        return sum;
      },
      std::plus<>(), tbb::simple_partitioner());
}

template <class Distribution, class Engine>
double per_draw_ns(Distribution dist, Engine engine) {
  const int draws = 5'000'000;
  volatile double sink = 0;
  const double seconds = best_time([&] {
    double sum = 0;
    for (int i = 0; i < draws; ++i) sum += dist(engine);
    sink = sink + sum;
  });
  return seconds / draws * 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t reps = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  fmt::print("mlesim pipeline benchmark: n = {}, {} replications, best of 5\n\n", n, reps);
  fmt::print("{:<8} {:>7} {:>14} {:>14} {:>16} {:>8}\n", "family", "threads", "pipeline rep/s", "draws rep/s",
             "draws+log rep/s", "ratio");
  const normal::parameters normal_theta{1, 4};
  const mlesim::gamma::parameters gamma_theta{2.5, 1.5};
  double pipeline_one[2] = {0, 0};
  for (unsigned threads : {1u, 2u}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    for (int f = 0; f < 2; ++f) {
      const bool is_gamma = f == 1;
      experiment_spec spec{.name = "bench", .family = is_gamma ? "gamma" : "normal",
                           .theta = is_gamma ? std::vector<double>{2.5, 1.5} : std::vector<double>{1, 4},
                           .estimands = is_gamma ? std::vector<std::string>{"shape", "rate"}
                                                 : std::vector<std::string>{"mu", "sigma2"},
                           .seed = 1, .replications = reps, .sample_sizes = {n}, .level = 0.95};
      const double pipeline = best_time([&] { simulate(spec); });
      const double draws = best_time([&] {
        is_gamma ? draw_only<mlesim::gamma>(gamma_theta, reps, false) : draw_only<normal>(normal_theta, reps, false);
      });
      const double draws_log = is_gamma ? best_time([&] { draw_only<mlesim::gamma>(gamma_theta, reps, true); }) : draws;
      const double reference = is_gamma ? draws_log : draws;
      if (threads == 1) pipeline_one[f] = pipeline;
      fmt::print("{:<8} {:>7} {:>14.0f} {:>14.0f} {:>16} {:>8.2f}\n", spec.family, threads, reps / pipeline,
                 reps / draws, is_gamma ? fmt::format("{:.0f}", reps / draws_log) : "-", pipeline / reference);
      if (threads == 2) fmt::print("{:<8} speed-up on 2 threads: {:.2f}x\n", spec.family, pipeline_one[f] / pipeline);
    }
  }

  // A logistic regression (intercept, a normal and a binary covariate): a
  // replication draws its design and responses and runs Newton's method.
  // R's glm on the same model takes about 1.5 ms per replication, glm.fit
  // about 0.7 ms (measured on this machine, R 4.2).
  fmt::print("\nlogistic regression, n = {}, 3 coefficients:\n", n);
  regression_spec regression{.model = "logistic_regression", .intercept = true, .columns = {"intercept", "age", "treated"}};
  regression.covariates = {{"age", "normal", {0, 1}}, {"treated", "bernoulli", {0.5}}};
  const std::uint64_t regression_reps = std::max<std::uint64_t>(reps / 10, 1000);
  experiment_spec logistic{.name = "bench-logistic", .family = "logistic_regression", .theta = {-0.5, 1, 0.8},
                           .estimands = {"intercept", "age", "treated"}, .seed = 1,
                           .replications = regression_reps, .sample_sizes = {n}, .level = 0.95};
  logistic.regression = regression;
  for (unsigned threads : {1u, 2u}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    const double seconds = best_time([&] { simulate(logistic); });
    // The fixed cost: the Cramér–Rao bound's 2^20 covariate draws, serial.
    experiment_spec two = logistic;
    two.replications = 2;
    const double fixed = best_time([&] { simulate(two); });
    fmt::print("  {} thread(s): {:.1f} us per replication ({} replications), plus {:.0f} ms for the bound\n", threads,
               (seconds - fixed) / static_cast<double>(regression_reps - 2) * 1e6, regression_reps, fixed * 1e3);
  }

  fmt::print("\nper draw (1 thread):\n");
  fmt::print("  normal, Boost ziggurat, mlesim stream       {:6.1f} ns\n",
             per_draw_ns(boost::random::normal_distribution<double>(), philox_stream(1, 2, 3, 4)));
  fmt::print("  normal, Boost ziggurat, mt19937_64          {:6.1f} ns\n",
             per_draw_ns(boost::random::normal_distribution<double>(), std::mt19937_64(1)));
  fmt::print("  gamma(2.5), Marsaglia-Tsang, mlesim stream  {:6.1f} ns\n",
             per_draw_ns(gamma_sampler(2.5, 1.5), philox_stream(1, 2, 3, 4)));
  fmt::print("  gamma(2.5), Boost.Random, mlesim stream     {:6.1f} ns\n",
             per_draw_ns(boost::random::gamma_distribution<double>(2.5, 1 / 1.5), philox_stream(1, 2, 3, 4)));
  return 0;
}

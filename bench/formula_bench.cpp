// Issue 11's speed goal for formula models: a formula Weibull fit must cost
// at most 3x the built-in weibull::fit on the same data. Both fit the same
// draws (Weibull(1.7, 2.5), fixed seed) at n = 100 and n = 10^6; the formula
// model starts Newton from the true value (as a simulation sets `start`) or
// from its default (1, 1), as `fit` of data without a `start` does. The
// per-pass rows split a fit into its log-likelihood, score and observed
// information passes over the data.
//
// Not a test: run by hand on a quiet machine, e.g.
//   build/bench/formula_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "estimators/formula.hpp"
#include "estimators/weibull.hpp"
#include "sim/stream.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

using namespace mlesim;

namespace {

const weibull::parameters truth{1.7, 2.5};

const std::vector<double>& data(std::size_t n) {
  static std::vector<double> small, large;
  std::vector<double>& x = n == 100 ? small : large;
  if (x.size() != n) {
    philox_stream engine(1, experiment_key("bench"), n, 0);
    auto draw = weibull::sampler(truth);
    x.resize(n);
    for (double& xi : x) xi = draw(engine);
  }
  return x;
}

formula_model<2> model() {
  static const auto definition = compile_formula({"weibull_formula",
                                                  {{"k", "positive"}, {"lambda", "positive"}},
                                                  "positive",
                                                  "log(k) - log(lambda) + (k - 1) * log(x / lambda) - (x / lambda)^k",
                                                  "lambda * (-log(u1))^(1 / k)"});
  return formula_model<2>(definition);
}

void builtin_fit(benchmark::State& state) {
  const auto& x = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto fit = weibull::fit(x);
    benchmark::DoNotOptimize(fit);
    if (!fit.converged) state.SkipWithError("did not converge");
  }
}

void formula_fit(benchmark::State& state, bool from_truth) {
  const auto& x = data(static_cast<std::size_t>(state.range(0)));
  auto f = model();
  if (from_truth) f.start = truth;
  int iterations = 0;
  for (auto _ : state) {
    auto fit = f.fit(x);
    benchmark::DoNotOptimize(fit);
    iterations = fit.iterations;
    if (!fit.converged) state.SkipWithError("did not converge");
  }
  state.counters["newton_iterations"] = iterations;
}

void formula_fit_from_truth(benchmark::State& state) { formula_fit(state, true); }
void formula_fit_from_default(benchmark::State& state) { formula_fit(state, false); }

// One pass of each kind at the true value.
template <int Pass>
void builtin_pass(benchmark::State& state) {
  const auto& x = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    if constexpr (Pass == 0) benchmark::DoNotOptimize(weibull::log_likelihood(truth, x));
    if constexpr (Pass == 1) benchmark::DoNotOptimize(weibull::score(truth, x));
    if constexpr (Pass == 2) benchmark::DoNotOptimize(weibull::observed_information(truth, x));
  }
}
template <int Pass>
void formula_pass(benchmark::State& state) {
  const auto& x = data(static_cast<std::size_t>(state.range(0)));
  const auto f = model();
  for (auto _ : state) {
    if constexpr (Pass == 0) benchmark::DoNotOptimize(f.log_likelihood(truth, x));
    if constexpr (Pass == 1) benchmark::DoNotOptimize(f.score(truth, x));
    if constexpr (Pass == 2) benchmark::DoNotOptimize(f.observed_information(truth, x));
  }
}

// The expected information by quadrature (the Newton fallback's Fisher
// scoring and each replication's standard error call it).
void formula_expected_information(benchmark::State& state) {
  const auto f = model();
  for (auto _ : state) benchmark::DoNotOptimize(f.fisher_information(truth));
}

}  // namespace

BENCHMARK(formula_expected_information)->Unit(benchmark::kMicrosecond);
BENCHMARK(builtin_fit)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(formula_fit_from_truth)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(formula_fit_from_default)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(builtin_pass<0>)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(formula_pass<0>)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(builtin_pass<1>)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(formula_pass<1>)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(builtin_pass<2>)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(formula_pass<2>)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();

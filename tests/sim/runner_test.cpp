#include "reports/csv.hpp"
#include "sim/experiment.hpp"

#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <cmath>

using namespace mlesim;

namespace {

experiment_spec spec_of(std::string family, std::vector<double> theta, std::vector<std::string> estimands,
                        std::vector<std::uint64_t> sizes, std::uint64_t reps) {
  return {.name = "runner-test", .family = std::move(family), .theta = std::move(theta),
          .estimands = std::move(estimands), .seed = 20261125, .replications = reps,
          .sample_sizes = std::move(sizes), .level = 0.95};
}

// The exact finite-sample mean and variance of an estimator, each recovered
// within 4 MCSE: a false failure has probability about 6e-5 per check.
void check_exact_moments(const measures& m, double mean, double variance) {
  CHECK(m.failures == 0);
  CHECK(std::abs(*m.mean - mean) <= 4 * *m.bias.mcse);
  CHECK(std::abs(*m.variance.value - variance) <= 4 * *m.variance.mcse);
}

}  // namespace

TEST_CASE("runner: exponential rate has E = n rate/(n-1), Var = n^2 rate^2/((n-1)^2 (n-2))") {
  const double rate = 2;
  const auto result = simulate(spec_of("exponential", {rate}, {"rate"}, {5, 10, 40}, 40'000));
  for (const auto& row : result.rows) {
    const double n = static_cast<double>(row.n);
    CAPTURE(n);
    check_exact_moments(row.m, n * rate / (n - 1), n * n * rate * rate / ((n - 1) * (n - 1) * (n - 2)));
  }
}

TEST_CASE("runner: normal sigma2 has E = (n-1) sigma2/n, Var = 2 (n-1) sigma2^2/n^2") {
  const double sigma2 = 4;
  const auto result = simulate(spec_of("normal", {1, sigma2}, {"sigma2"}, {2, 10, 40}, 40'000));
  for (const auto& row : result.rows) {
    const double n = static_cast<double>(row.n);
    CAPTURE(n);
    check_exact_moments(row.m, (n - 1) * sigma2 / n, 2 * (n - 1) * sigma2 * sigma2 / (n * n));
  }
}

TEST_CASE("runner: uniform maximum has E = n theta/(n+1), Var = n theta^2/((n+1)^2 (n+2))") {
  const double theta = 3;
  const auto result = simulate(spec_of("uniform", {theta}, {"theta"}, {1, 10, 40}, 40'000));
  for (const auto& row : result.rows) {
    const double n = static_cast<double>(row.n);
    CAPTURE(n);
    check_exact_moments(row.m, n * theta / (n + 1), n * theta * theta / ((n + 1) * (n + 1) * (n + 2)));
    CHECK_FALSE(row.m.crlb);
    CHECK_FALSE(row.m.coverage.value);
    CHECK(row.m.skewness.value);  // from the second, self-standardized pass
  }
}

TEST_CASE("runner: the normal mean is efficient and its Wald interval covers at large n") {
  const auto result = simulate(spec_of("normal", {1, 4}, {"mu"}, {400}, 20'000));
  const measures& m = result.rows.front().m;
  CHECK(*m.crlb == doctest::Approx(4.0 / 400));
  // Each within 4 MCSE: false-failure probability about 6e-5 each.
  CHECK(std::abs(*m.var_over_crlb.value - 1) <= 4 * *m.var_over_crlb.mcse);
  CHECK(std::abs(*m.coverage.value - 0.95) <= 4 * *m.coverage.mcse);
  CHECK(std::abs(*m.model_se_relerr.value) <= 4 * *m.model_se_relerr.mcse);
}

TEST_CASE("runner: a boundary estimate is data; its infinite reparametrization a counted failure") {
  // P(p-hat = 0) = 0.9^10 = 0.3487 at n = 10, p = 0.1.
  const std::uint64_t reps = 20'000;
  const auto result = simulate(spec_of("bernoulli", {0.1}, {"p", "log_odds"}, {10}, reps));
  const measures& p = result.rows[0].m;
  const measures& log_odds = result.rows[1].m;
  CHECK(p.failures == 0);
  CHECK(p.used == reps);
  const double zero_share = std::pow(0.9, 10);
  // log_odds is infinite exactly when p-hat = 0; 4.5 binomial SE: false failure ~7e-6.
  CHECK(std::abs(static_cast<double>(log_odds.failures) / reps - zero_share) <=
        4.5 * std::sqrt(zero_share * (1 - zero_share) / reps));
  // The degenerate interval [0, 0] lies below the true p.
  CHECK(*p.miss_above.value >= zero_share - 4.5 * std::sqrt(zero_share * (1 - zero_share) / reps));
  CHECK(log_odds.used + log_odds.failures == reps);
}

TEST_CASE("runner: results are bit-for-bit the same on 1 and 2 threads") {
  const auto spec = spec_of("gamma", {2.5, 1.5}, {"shape", "rate", "mean"}, {10, 50}, 3'001);
  std::string one, two;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one = csv_report(simulate(spec));
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two = csv_report(simulate(spec));
  }
  CHECK(one == two);
}

TEST_CASE("runner: progress reaches the total, twice for a family without Fisher information") {
  std::atomic<std::uint64_t> last{0}, total_seen{0};
  simulate(spec_of("uniform", {1}, {"theta"}, {5, 6}, 100), [&](std::uint64_t done, std::uint64_t total) {
    std::uint64_t previous = last.load();
    while (done > previous && !last.compare_exchange_weak(previous, done)) {
    }
    total_seen = total;
  });
  CHECK(total_seen == 400);
  CHECK(last == 400);
}

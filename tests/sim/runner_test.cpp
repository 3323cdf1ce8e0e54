#include "reports/csv.hpp"
#include "sim/experiment.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <numbers>

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

// The CSV of a run on one thread equals that on two, byte for byte.
void check_thread_invariance(const experiment_spec& spec) {
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

TEST_CASE("runner: figures whose MCSEs need moments the estimate lacks are absent, with a note") {
  // The exponential rate n/sum x has moments below order n: at n = 3 no
  // emp. SE (its MCSE needs order 4), at n = 5 no skewness or kurtosis of z
  // (6, 8), at n = 9 every figure; the mean x-bar has them all.
  const auto result = simulate(spec_of("exponential", {2}, {"rate", "mean"}, {3, 5, 9}, 2'000));
  for (const auto& row : result.rows) {
    CAPTURE(row.n);
    CAPTURE(row.estimand);
    const bool rate = row.estimand == "rate";
    CHECK(row.m.bias.value);
    CHECK(row.m.emp_se.value.has_value() == (!rate || row.n > 4));
    CHECK(row.m.skewness.value.has_value() == (!rate || row.n > 6));
    CHECK(row.m.excess_kurtosis.value.has_value() == (!rate || row.n > 8));
    CHECK(row.m.fisher.coverage.value);
  }
  std::size_t notes = 0;
  for (const auto& note : result.notes) notes += note.starts_with("rate at n = ");
  CHECK(notes == 2);

  // A normal fitted to t5 data: sigma2-hat has moments below 5/2, so only
  // its bias stays; mu-hat below 5, so it loses only its skewness and kurtosis.
  auto spec = spec_of("student_t", {1, 2}, {"mu", "sigma2"}, {30, 300}, 2'000);
  spec.known = {5};
  spec.fit_family = "normal";
  const auto misfit = simulate(spec);
  for (const auto& row : misfit.rows) {
    CAPTURE(row.n);
    CAPTURE(row.estimand);
    const bool mu = row.estimand == "mu";
    CHECK(row.m.bias.value);
    CHECK(row.m.emp_se.value.has_value() == mu);
    CHECK(row.m.var_over_crlb.value.has_value() == mu);
    CHECK(row.m.sandwich.model_se.value.has_value() == mu);
    CHECK_FALSE(row.m.skewness.value);
    CHECK_FALSE(row.m.excess_kurtosis.value);
    CHECK(row.m.fisher.coverage.value);
    CHECK(row.m.sandwich.coverage.value);
  }
  std::size_t misfit_notes = 0;
  for (const auto& note : misfit.notes) misfit_notes += note.find("not reported at any n") != std::string::npos;
  CHECK(misfit_notes == 2);

  // The gamma's shape, and its method-of-moments twin, below (n - 1)/2: at
  // n = 5 no bias of either, at n = 8 their biases but no emp. SE or MSE,
  // nor a relative efficiency; the mean (x-bar for both) keeps everything.
  const auto gamma = simulate(spec_of("gamma", {2, 1}, {"shape", "mean"}, {5, 8}, 2'000));
  for (const auto& row : gamma.rows) {
    CAPTURE(row.n);
    CAPTURE(row.estimand);
    REQUIRE(row.m.alternative);
    const auto& other = *row.m.alternative;
    const bool shape = row.estimand == "shape";
    CHECK(row.m.bias.value.has_value() == (!shape || row.n == 8));
    CHECK(other.bias.value.has_value() == (!shape || row.n == 8));
    CHECK(row.m.emp_se.value.has_value() == !shape);
    CHECK(other.emp_se.value.has_value() == !shape);
    CHECK(other.mse.value.has_value() == !shape);
    CHECK(other.relative_efficiency.value.has_value() == !shape);
  }
}

TEST_CASE("runner: each family's own moment limits, at the sample sizes on either side of a figure's order") {
  // The lognormal's mean below n / sigma2 (5 at n = 10, sigma2 = 2; 10 at
  // n = 20), the Weibull's shape below n - 1 (4 at n = 5, 9 at n = 10), the
  // Pareto's alpha below n (5 at n = 5, 9 at n = 9). An estimand the limit
  // does not name keeps every figure.
  struct limit_case {
    const char* family;
    std::vector<double> theta, known;
    std::vector<std::string> estimands;
    std::vector<std::uint64_t> sizes;
    const char* limited;
    std::vector<double> below;  // at each size, for `limited`
  };
  for (const auto& c : {limit_case{"lognormal", {0, 2}, {}, {"mean", "median"}, {10, 20}, "mean", {5, 10}},
                        limit_case{"weibull", {1.5, 2}, {}, {"shape", "scale"}, {5, 10}, "shape", {4, 9}},
                        limit_case{"pareto", {3}, {1}, {"alpha", "mean_log_ratio"}, {5, 9}, "alpha", {5, 9}}}) {
    CAPTURE(c.family);
    auto spec = spec_of(c.family, c.theta, c.estimands, c.sizes, 2'000);
    spec.known = c.known;
    const auto result = simulate(spec);
    for (const auto& row : result.rows) {
      CAPTURE(row.n);
      CAPTURE(row.estimand);
      const std::size_t i = row.n == c.sizes[0] ? 0 : 1;
      const double below = row.estimand == c.limited ? c.below[i] : INFINITY;
      CHECK(row.m.bias.value.has_value() == (below > 2));
      CHECK(row.m.emp_se.value.has_value() == (below > 4));
      CHECK(row.m.skewness.value.has_value() == (below > 6));
      CHECK(row.m.excess_kurtosis.value.has_value() == (below > 8));
      CHECK(row.m.fisher.coverage.value);
    }
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
    CHECK_FALSE(row.m.fisher.coverage.value);
    // z is standardized by the exact mean and SD in one pass; theta-hat / theta is Beta(n, 1),
    // whose skewness is 2 (1 - n) sqrt(n + 2) / ((n + 3) sqrt(n)): within 4.5 MCSE (~7e-6 each).
    const double skewness = 2 * (1 - n) * std::sqrt(n + 2) / ((n + 3) * std::sqrt(n));
    REQUIRE(row.m.skewness.value);
    CHECK(std::abs(*row.m.skewness.value - skewness) <= 4.5 * *row.m.skewness.mcse);
  }
}

TEST_CASE("runner: the normal mean is efficient and its Wald interval covers at large n") {
  const auto result = simulate(spec_of("normal", {1, 4}, {"mu"}, {400}, 20'000));
  const measures& m = result.rows.front().m;
  CHECK(*m.crlb == doctest::Approx(4.0 / 400));
  // Each within 4 MCSE: false-failure probability about 6e-5 each.
  CHECK(std::abs(*m.var_over_crlb.value - 1) <= 4 * *m.var_over_crlb.mcse);
  CHECK(std::abs(*m.fisher.coverage.value - 0.95) <= 4 * *m.fisher.coverage.mcse);
  CHECK(std::abs(*m.fisher.model_se_relerr.value) <= 4 * *m.fisher.model_se_relerr.mcse);
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
  CHECK(*p.fisher.miss_above.value >= zero_share - 4.5 * std::sqrt(zero_share * (1 - zero_share) / reps));
  CHECK(log_odds.used + log_odds.failures == reps);
}

TEST_CASE("runner: results are bit-for-bit the same on 1 and 2 threads") {
  check_thread_invariance(spec_of("gamma", {2.5, 1.5}, {"shape", "rate", "mean"}, {10, 50}, 3'001));
}

TEST_CASE("runner: progress reaches the total in one pass, for a family without Fisher information too") {
  std::atomic<std::uint64_t> last{0}, total_seen{0};
  simulate(spec_of("uniform", {1}, {"theta"}, {5, 6}, 100), [&](std::uint64_t done, std::uint64_t total) {
    std::uint64_t previous = last.load();
    while (done > previous && !last.compare_exchange_weak(previous, done)) {
    }
    total_seen = total;
  });
  CHECK(total_seen == 200);
  CHECK(last == 200);
}

TEST_CASE("runner: a misspecified exponential fit to gamma data converges to rate* = b/a with sandwich variance") {
  // Exponential fitted to Gamma(a, b): rate* = b/a; A = 1/rate*^2, B = Var X = a/b^2, so the
  // sandwich variance is b^2/a^3 per observation against the Fisher b^2/a^2: the Fisher-based
  // 95% interval covers 2 Phi(1.96 sqrt(a)) - 1 = 0.8343 for a = 0.5.
  const double a = 0.5, b = 1.0;
  auto spec = spec_of("gamma", {a, b}, {"rate"}, {4000}, 20'000);
  spec.fit_family = "exponential";
  const auto result = simulate(spec);
  REQUIRE(result.pseudo_true.size() == 1);
  CHECK(result.pseudo_true[0] == doctest::Approx(b / a).epsilon(1e-9));
  const measures& m = result.rows.front().m;
  CHECK(result.rows.front().true_value == doctest::Approx(b / a).epsilon(1e-9));
  CHECK(*m.sandwich_var == doctest::Approx(b * b / (a * a * a) / 4000).epsilon(1e-7));
  CHECK(*m.crlb == doctest::Approx(b * b / (a * a) / 4000).epsilon(1e-9));
  // Within 4.5 MCSE (false failure ~7e-6 each): the asymptotic coverages at n = 4000.
  CHECK(std::abs(*m.fisher.coverage.value - 0.8343) <= 4.5 * *m.fisher.coverage.mcse);
  CHECK(std::abs(*m.sandwich.coverage.value - 0.95) <= 4.5 * *m.sandwich.coverage.mcse);
  CHECK(std::abs(*m.variance.value - *m.sandwich_var) <= 4.5 * *m.variance.mcse);
}

TEST_CASE("runner: a normal fit to gamma data has the gamma's mean and variance as pseudo-true values") {
  auto spec = spec_of("gamma", {2.5, 1.5}, {"mu", "sigma2"}, {50}, 100);
  spec.fit_family = "normal";
  const auto result = simulate(spec);
  REQUIRE(result.pseudo_true.size() == 2);
  CHECK(result.pseudo_true[0] == doctest::Approx(2.5 / 1.5).epsilon(1e-9));
  CHECK(result.pseudo_true[1] == doctest::Approx(2.5 / (1.5 * 1.5)).epsilon(1e-9));
  // sigma2-hat's sandwich variance is mu4 - sigma^4 = (3a(a + 2) - a^2) / b^4 for the gamma.
  const double mu4_minus = (3 * 2.5 * 4.5 - 2.5 * 2.5) / std::pow(1.5, 4);
  CHECK(*result.rows[1].m.sandwich_var == doctest::Approx(mu4_minus / 50).epsilon(1e-7));
}

TEST_CASE("runner: pareto alpha has the exponential rate's exact moments; binomial p-hat is unbiased and efficient") {
  // log(X/x_m) is Exponential(alpha), so alpha-hat = n / sum is the exponential rate's MLE.
  const double alpha = 3;
  auto spec = spec_of("pareto", {alpha}, {"alpha"}, {5, 40}, 40'000);
  spec.known = {1.5};
  for (const auto& row : simulate(spec).rows) {
    const double n = static_cast<double>(row.n);
    CAPTURE(n);
    check_exact_moments(row.m, n * alpha / (n - 1), n * n * alpha * alpha / ((n - 1) * (n - 1) * (n - 2)));
  }
  // x-bar / m: E = p, Var = p (1 - p) / (n m), the Cramér–Rao bound.
  const double p = 0.3, m = 12;
  spec = spec_of("binomial", {p}, {"p"}, {3, 30}, 40'000);
  spec.known = {m};
  for (const auto& row : simulate(spec).rows) {
    const double n = static_cast<double>(row.n);
    CAPTURE(n);
    check_exact_moments(row.m, p, p * (1 - p) / (n * m));
    CHECK(*row.m.crlb == doctest::Approx(p * (1 - p) / (n * m)).epsilon(1e-12));
  }
}

TEST_CASE("runner: a normal fit to Student t data has the t's variance and kurtosis in its sandwich") {
  // t(df) with location mu and scale s: variance s^2 df/(df - 2), fourth central moment
  // 3 df^2 s^4 / ((df - 2)(df - 4)); the sandwich variance of sigma2-hat is mu4 - sigma^4.
  const double mu = 1, s = 2, df = 5;
  auto spec = spec_of("student_t", {mu, s}, {"mu", "sigma2"}, {50}, 100);
  spec.known = {df};
  spec.fit_family = "normal";
  const auto result = simulate(spec);
  const double sigma2 = s * s * df / (df - 2), mu4 = 3 * df * df * std::pow(s, 4) / ((df - 2) * (df - 4));
  REQUIRE(result.pseudo_true.size() == 2);
  CHECK(result.pseudo_true[0] == doctest::Approx(mu).epsilon(1e-9));
  CHECK(result.pseudo_true[1] == doctest::Approx(sigma2).epsilon(1e-9));
  CHECK(*result.rows[0].m.sandwich_var == doctest::Approx(sigma2 / 50).epsilon(1e-7));
  CHECK(*result.rows[1].m.sandwich_var == doctest::Approx((mu4 - sigma2 * sigma2) / 50).epsilon(1e-6));
}

TEST_CASE("runner: an exponential fit to Pareto data integrates from x_m") {
  // rate* = 1 / E X = (alpha - 1) / (alpha x_m); sandwich rate*^4 Var X, Var X = x_m^2 alpha / ((alpha-1)^2 (alpha-2)).
  const double alpha = 4, x_m = 2;
  auto spec = spec_of("pareto", {alpha}, {"rate"}, {100}, 100);
  spec.known = {x_m};
  spec.fit_family = "exponential";
  const auto result = simulate(spec);
  const double rate = (alpha - 1) / (alpha * x_m), variance = x_m * x_m * alpha / ((alpha - 1) * (alpha - 1) * (alpha - 2));
  REQUIRE(result.pseudo_true.size() == 1);
  CHECK(result.pseudo_true[0] == doctest::Approx(rate).epsilon(1e-9));
  CHECK(*result.rows[0].m.sandwich_var == doctest::Approx(std::pow(rate, 4) * variance / 100).epsilon(1e-7));
}

TEST_CASE("runner: observed-information SEs equal the expected ones where theory says so, and cover") {
  // For the exponential, J(rate-hat) = n / rate-hat^2 = n I(rate-hat): the same SE to rounding.
  auto spec = spec_of("exponential", {2}, {"rate"}, {20}, 2'000);
  const auto expected = simulate(spec);
  spec.observed_information = true;
  const auto observed = simulate(spec);
  CHECK(*observed.rows[0].m.fisher.model_se.value == doctest::Approx(*expected.rows[0].m.fisher.model_se.value).epsilon(1e-12));
  // For the Cauchy they differ replication by replication, and both intervals cover at
  // n = 400 within 4.5 MCSE of 95% (false failure ~7e-6 each).
  spec = spec_of("cauchy", {0, 1}, {"location"}, {400}, 10'000);
  const auto cauchy_expected = simulate(spec);
  spec.observed_information = true;
  const auto cauchy_observed = simulate(spec);
  for (const auto* result : {&cauchy_expected, &cauchy_observed}) {
    const auto& m = result->rows[0].m;
    CHECK(std::abs(*m.fisher.coverage.value - 0.95) <= 4.5 * *m.fisher.coverage.mcse);
  }
  CHECK(*cauchy_observed.rows[0].m.fisher.model_se.value != *cauchy_expected.rows[0].m.fisher.model_se.value);
}

namespace {

// A linear regression on a fixed design of 12 rows: an intercept and two covariates.
experiment_spec fixed_design_spec(std::vector<std::uint64_t> sizes, std::uint64_t reps) {
  regression_spec regression{.model = "linear_regression", .intercept = true, .columns = {"intercept", "a", "b"}};
  for (int i = 0; i < 12; ++i) {
    regression.design.push_back(i % 4);
    regression.design.push_back(std::sin(i));
  }
  regression.design_rows = 12;
  regression.combinations.push_back({"a_minus_b", {0, 1, -1, 0}});
  auto spec = spec_of("linear_regression", {1, 0.5, -2, 2.0}, {"intercept", "a", "b", "sigma2", "a_minus_b"},
                      std::move(sizes), reps);
  spec.regression = std::move(regression);
  return spec;
}

}  // namespace

TEST_CASE("runner: a linear regression on a fixed design has its exact finite-sample distribution") {
  // Given X, beta-hat ~ N(beta, sigma2 (X'X)^-1), the CRLB, at every n; n sigma2-hat / sigma2 is
  // chi-squared with n - p degrees of freedom: E = (n-p) sigma2/n, Var = 2 (n-p) sigma2^2/n^2.
  const double sigma2 = 2, p = 3;
  const auto result = simulate(fixed_design_spec({6, 12}, 40'000));
  for (const auto& row : result.rows) {
    const double n = static_cast<double>(row.n);
    CAPTURE(n);
    CAPTURE(row.estimand);
    if (row.estimand == "sigma2") {
      check_exact_moments(row.m, (n - p) * sigma2 / n, 2 * (n - p) * sigma2 * sigma2 / (n * n));
    } else {
      check_exact_moments(row.m, row.true_value, *row.m.crlb);
    }
  }
  CHECK(result.rows[4].true_value == doctest::Approx(2.5));  // a - b
}

TEST_CASE("runner: a logistic regression on a random design is efficient and covers at large n") {
  regression_spec regression{.model = "logistic_regression", .intercept = true, .columns = {"intercept", "x", "g"}};
  regression.covariates = {{"x", "normal", {0, 1}}, {"g", "bernoulli", {0.5}}};
  auto spec = spec_of("logistic_regression", {-0.5, 1, 0.8}, {"intercept", "x", "g"}, {3000}, 10'000);
  spec.regression = std::move(regression);
  const auto result = simulate(spec);
  for (const auto& row : result.rows) {
    CAPTURE(row.estimand);
    const measures& m = row.m;
    CHECK(m.failures == 0);
    // Within 4.5 MCSE (false failure ~7e-6 each); the CRLB's own error (2^20 covariate
    // draws, relative ~1e-3) is a tenth of the MCSE.
    CHECK(std::abs(*m.fisher.coverage.value - 0.95) <= 4.5 * *m.fisher.coverage.mcse);
    CHECK(std::abs(*m.var_over_crlb.value - 1) <= 4.5 * *m.var_over_crlb.mcse);
  }
}

TEST_CASE("runner: regressions are bit-for-bit the same on 1 and 2 threads") {
  regression_spec regression{.model = "poisson_regression", .intercept = true, .columns = {"intercept", "x"}};
  regression.covariates = {{"x", "gamma", {2, 2}}};
  auto spec = spec_of("poisson_regression", {0.3, 0.4}, {"intercept", "x"}, {20, 100}, 3'001);
  spec.regression = std::move(regression);
  check_thread_invariance(spec);
  check_thread_invariance(fixed_design_spec({12}, 1'001));
}

TEST_CASE("runner: the MLE's efficiency relative to a second estimator on the same draws") {
  // Cauchy: the median and half the IQR each have asymptotic variance pi^2 s^2 / (4n) against
  // the MLE's 2 s^2 / n, a relative efficiency of pi^2/8 for both. Laplace: the sample mean's
  // variance 2 b^2 / n against the median's b^2 / n, a relative efficiency of 2. Within 4.5 MCSE
  // (false failure ~7e-6 each) at n = 2000.
  auto spec = spec_of("cauchy", {0, 1.5}, {"location", "scale"}, {2000}, 20'000);
  auto result = simulate(spec);
  CHECK(result.alternative_estimator == "median and half the IQR");
  for (const auto& row : result.rows) {
    CAPTURE(row.estimand);
    REQUIRE(row.m.alternative);
    const auto& efficiency = row.m.alternative->relative_efficiency;
    CHECK(std::abs(*efficiency.value - std::numbers::pi * std::numbers::pi / 8) <= 4.5 * *efficiency.mcse);
  }
  spec = spec_of("laplace", {1, 2}, {"mu"}, {2001}, 20'000);
  result = simulate(spec);
  const auto& efficiency = result.rows.front().m.alternative->relative_efficiency;
  CHECK(std::abs(*efficiency.value - 2) <= 4.5 * *efficiency.mcse);
  // No comparison for a misspecified fit: the alternative does not estimate the pseudo-true value.
  spec = spec_of("logistic", {0, 1}, {"location"}, {100}, 100);
  spec.fit_family = "cauchy";
  CHECK(simulate(spec).alternative_estimator.empty());
}

TEST_CASE("runner: misspecified fits to data from families with known constants") {
  // A poisson fitted to Binomial(m, p) data: lambda* = m p, the mean; A = 1/lambda*, B = Var X /
  // lambda*^2, so the sandwich variance is Var X = m p (1 - p) per observation.
  const double m = 5, p = 0.3;
  auto spec = spec_of("binomial", {p}, {"lambda"}, {50}, 100);
  spec.known = {m};
  spec.fit_family = "poisson";
  auto result = simulate(spec);
  REQUIRE(result.pseudo_true.size() == 1);
  CHECK(result.pseudo_true[0] == doctest::Approx(m * p).epsilon(1e-12));
  CHECK(*result.rows[0].m.sandwich_var == doctest::Approx(m * p * (1 - p) / 50).epsilon(1e-10));
  // A lognormal fitted to Pareto(alpha, x_m) data: log X = log x_m + Exponential(alpha), so
  // mu* = log x_m + 1/alpha and sigma2* = 1/alpha^2.
  spec = spec_of("pareto", {3}, {"mu", "sigma2"}, {50}, 100);
  spec.known = {2};
  spec.fit_family = "lognormal";
  result = simulate(spec);
  REQUIRE(result.pseudo_true.size() == 2);
  CHECK(result.pseudo_true[0] == doctest::Approx(std::log(2.0) + 1.0 / 3).epsilon(1e-10));
  CHECK(result.pseudo_true[1] == doctest::Approx(1.0 / 9).epsilon(1e-10));
}

namespace {

// The exact law of a Wald interval theta-hat +- z se(theta-hat) whose
// estimate and SE are functions of a discrete sufficient statistic S.
struct exact_wald {
  double coverage = 0;
  double bias = 0;
};

// Sums over S = 0, 1, ... until the remaining mass is below 1e-15.
template <class Distribution, class Estimate, class Variance>
exact_wald enumerate_wald(const Distribution& law, Estimate estimate, Variance variance, double truth) {
  const double critical = 1.959963984540054;
  exact_wald out;
  double mass = 0;
  for (double s = 0; 1 - mass > 1e-15 && s <= 1e6; ++s) {
    const double pmf = boost::math::pdf(law, s);
    const double theta = estimate(s), half_width = critical * std::sqrt(variance(theta));
    mass += pmf;
    out.bias += pmf * (theta - truth);
    if (theta - half_width <= truth && truth <= theta + half_width) out.coverage += pmf;
  }
  return out;
}

// The estimator's figures with observed information: zero failures, coverage and bias
// each within 4 MCSE of the exact law (false failure about 6e-5 per check), and bias,
// emp_se and MSE the same doubles as with expected information on the same seed.
void check_boundary_case(experiment_spec spec, const exact_wald& exact) {
  const auto expected = simulate(spec);
  spec.observed_information = true;
  const auto observed = simulate(spec);
  const measures& m = observed.rows.front().m;
  const measures& e = expected.rows.front().m;
  CHECK(m.failures == 0);
  CHECK(std::abs(*m.fisher.coverage.value - exact.coverage) <= 4 * *m.fisher.coverage.mcse);
  CHECK(std::abs(*m.bias.value - exact.bias) <= 4 * *m.bias.mcse);
  CHECK(m.used == e.used);
  CHECK(*m.bias.value == *e.bias.value);
  CHECK(*m.emp_se.value == *e.emp_se.value);
  CHECK(*m.mse.value == *e.mse.value);
}

}  // namespace

TEST_CASE("runner: with observed information a boundary estimate has variance 0, as with expected") {
  // In each case the MLE lands on the boundary often (p-hat = 0: 0.9^10 = 0.35; lambda-hat = 0:
  // exp(-0.9) = 0.41; geometric p-hat = 1: 0.7^3 = 0.34; binomial p-hat = 1: 0.7^3 = 0.34),
  // where the observed information is 0/0 and its limit, the expected one, infinite.
  const std::uint64_t reps = 20'000;
  {
    const double p = 0.1, n = 10;
    INFO("bernoulli p = 0.1, n = 10");
    check_boundary_case(spec_of("bernoulli", {p}, {"p"}, {10}, reps),
                        enumerate_wald(boost::math::binomial(n, p), [&](double s) { return s / n; },
                                       [&](double t) { return t * (1 - t) / n; }, p));
  }
  {
    const double lambda = 0.3, n = 3;
    INFO("poisson lambda = 0.3, n = 3");
    check_boundary_case(spec_of("poisson", {lambda}, {"lambda"}, {3}, reps),
                        enumerate_wald(boost::math::poisson(n * lambda), [&](double s) { return s / n; },
                                       [&](double t) { return t / n; }, lambda));
  }
  {
    // The sum of n failure counts is negative binomial(n, p); p-hat = n / (n + S).
    const double p = 0.7, n = 3;
    INFO("geometric p = 0.7, n = 3");
    check_boundary_case(spec_of("geometric", {p}, {"p"}, {3}, reps),
                        enumerate_wald(boost::math::negative_binomial(n, p), [&](double s) { return n / (n + s); },
                                       [&](double t) { return t * t * (1 - t) / n; }, p));
  }
  {
    const double p = 0.7, trials = 3, n = 1;
    INFO("binomial trials = 3, p = 0.7, n = 1");
    auto spec = spec_of("binomial", {p}, {"p"}, {1}, reps);
    spec.known = {trials};
    check_boundary_case(spec, enumerate_wald(boost::math::binomial(n * trials, p),
                                             [&](double s) { return s / (n * trials); },
                                             [&](double t) { return t * (1 - t) / (n * trials); }, p));
  }
}

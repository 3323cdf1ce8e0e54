// Grids of conditions: read from a config, run in one loop, each condition
// against exact finite-sample theory.
#include "loader/config.hpp"
#include "sim/experiment.hpp"
#include "sim/verify.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace mlesim;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_experiment(text, "grid.toml");
  } catch (const input_error& e) {
    return e.what();
  }
  FAIL("accepted: " << text);
  return {};
}

}  // namespace

// The exponential rate's MLE is 1 / mean; n times the mean is Gamma(n, rate),
// so E[rate-hat] = n rate / (n - 1) and its MSE is rate^2 (n + 2) / ((n - 1)(n - 2)).
// 3 rates x 2 sizes x 2 figures, each within 4 MCSE: a false failure has
// probability about 12 x 6.3e-5 = 8e-4 (seed fixed, so the test is deterministic).
TEST_CASE("grid: an exponential rate grid recovers the exact mean and MSE of the MLE in every condition") {
  const experiment_config config = parse_experiment(R"([experiment]
name = "rates"
seed = 11
replications = 20000
sample_sizes = [8, 20]
[generate]
family = "exponential"
params = { rate = [0.1, 1, 30] }
)", "rates.toml");
  REQUIRE(config.conditions.size() == 3);
  REQUIRE(config.factors.size() == 1);
  CHECK(config.factors[0].name == "rate");
  const auto results = simulate(config.conditions);
  REQUIRE(results.size() == 3);
  for (std::size_t c = 0; c < 3; ++c) {
    const double rate = config.factors[0].values[c];
    CHECK(results[c].spec.condition == std::vector<factor_value>{{"rate", rate}});
    for (const auto& row : results[c].rows) {
      const double n = static_cast<double>(row.n);
      const double mean = n * rate / (n - 1), mse = rate * rate * (n + 2) / ((n - 1) * (n - 2));
      INFO("rate " << rate << ", n " << n);
      CHECK(std::abs(*row.m.mean - mean) <= 4 * *row.m.bias.mcse);
      CHECK(std::abs(*row.m.mse.value - mse) <= 4 * *row.m.mse.mcse);
    }
  }
}

TEST_CASE("grid: lists cross in order, the last varying fastest; [[condition]]s cross with them") {
  const experiment_config config = parse_experiment(R"([experiment]
name = "g"
replications = 100
sample_sizes = [10]
[generate]
family = "student_t"
params = { location = 0, scale = [1, 2] }
known = { df = [3, 30] }
[fit]
family = "normal"
)", "g.toml");
  REQUIRE(config.conditions.size() == 4);
  // Keys are read in the table's (sorted) order: params.scale, then known.df.
  CHECK(condition_label(config.conditions[0]) == "scale = 1, df = 3");
  CHECK(condition_label(config.conditions[1]) == "scale = 1, df = 30");
  CHECK(condition_label(config.conditions[3]) == "scale = 2, df = 30");
  CHECK(config.conditions[3].theta == std::vector<double>{0, 2});
  CHECK(config.conditions[3].known == std::vector<double>{30});

  const experiment_config explicit_rows = parse_experiment(R"([experiment]
name = "g"
replications = 100
sample_sizes = [10]
[generate]
family = "gamma"
params = { rate = [1, 4] }
[[condition]]
shape = 0.5
[[condition]]
shape = 3
)", "g.toml");
  REQUIRE(explicit_rows.conditions.size() == 4);
  CHECK(condition_label(explicit_rows.conditions[1]) == "shape = 0.5, rate = 4");
  CHECK(condition_label(explicit_rows.conditions[2]) == "shape = 3, rate = 1");
}

TEST_CASE("grid: a covariate's parameter and a coefficient as factors of a regression") {
  const experiment_config config = parse_experiment(R"([experiment]
name = "logit"
replications = 100
sample_sizes = [50]
[generate]
family = "logistic_regression"
params = { intercept = -1, x = [0, 1] }
[[generate.covariate]]
name = "x"
family = "normal"
params = { mu = 0, sigma2 = [1, 4] }
)", "logit.toml");
  REQUIRE(config.conditions.size() == 4);
  CHECK(condition_label(config.conditions[3]) == "x = 1, x.sigma2 = 4");
  CHECK(config.conditions[3].regression->covariates[0].theta == std::vector<double>{0, 4});
}

TEST_CASE("grid: a bad value at one condition is named where it stands in the file") {
  const std::string message = error_of(R"([experiment]
name = "g"
replications = 100
sample_sizes = [10]
[generate]
family = "gamma"
params = { shape = [1, -2], rate = 1 }
)");
  CHECK(message.find("grid.toml:7:") != std::string::npos);
  CHECK(message.find("shape is -2, but must be > 0") != std::string::npos);
  CHECK(error_of(R"([experiment]
name = "g"
replications = 100
sample_sizes = [10]
[generate]
family = "gamma"
params = { rate = 1 }
[[condition]]
shape = 1
[[condition]]
rate = 2
)").find("this [[condition]] gives rate, but the first gives shape") != std::string::npos);
}

TEST_CASE("grid: where selects conditions by value") {
  const experiment_config config = parse_experiment(R"([experiment]
name = "g"
replications = 100
sample_sizes = [10]
[generate]
family = "gamma"
params = { shape = [1, 2, 4], rate = [1, 3] }
[[check]]
property = "bias"
estimand = "shape"
where = { shape = [2, 4], rate = 3 }
)", "g.toml");
  REQUIRE(config.checks.size() == 1);
  std::vector<std::string> chosen;
  for (const auto& c : config.conditions)
    if (applies(config.checks[0], c)) chosen.push_back(condition_label(c));
  CHECK(chosen == std::vector<std::string>{"rate = 3, shape = 2", "rate = 3, shape = 4"});
}

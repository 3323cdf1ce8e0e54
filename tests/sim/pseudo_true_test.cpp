// Misspecified fits against closed-form pseudo-true values and sandwich
// variances, at generators that are narrow, far from the origin, kinked,
// heavy-tailed or discrete (issue 8, defects 2 to 4).
#include "sim/experiment.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

using namespace mlesim;

namespace {

struct misspecified_case {
  const char* generator;
  std::vector<double> theta;
  std::vector<double> known;
  const char* fitted;
  std::vector<std::string> estimands;
  std::vector<double> pseudo_true;  // closed form
  std::vector<double> sandwich;     // per observation, one per estimand; NaN: infinite (absent)
};

experiment_result run(const misspecified_case& c, std::uint64_t n) {
  experiment_spec spec{.name = "pseudo-true-test", .family = c.generator, .theta = c.theta, .known = c.known,
                       .fit_family = c.fitted, .estimands = c.estimands, .seed = 20261126, .replications = 50,
                       .sample_sizes = {n}, .level = 0.95};
  return simulate(spec);
}

constexpr double pi = std::numbers::pi;

// logistic(mu, s): variance pi^2 s^2 / 3, excess kurtosis 6/5.
const double logistic_var = pi * pi * 0.01 / 3;
// lognormal(8, 0.001): rate* = 1 / E X, sandwich rate*^4 Var X.
const double ln_mean = std::exp(8 + 0.0005), ln_var = std::expm1(0.001) * std::exp(16 + 0.001);
// A geometric fitted to Poisson(l): p* = 1/(1 + l), sandwich l / (1 + l)^4.
constexpr double lambda = 2.5;
// A Laplace fitted to N(2, 4): mu* = 2, b* = E|X - 2| = 2 sqrt(2/pi); sandwich of the median
// pi sigma^2 / 2 and of the mean absolute deviation sigma^2 (1 - 2/pi).
const double mad = 2 * std::sqrt(2 / pi);

const std::vector<misspecified_case> cases{
    {"logistic", {50, 0.1}, {}, "normal", {"mu", "sigma2"}, {50, logistic_var},
     {logistic_var, 3.2 * logistic_var * logistic_var}},
    {"lognormal", {8, 0.001}, {}, "exponential", {"rate"}, {1 / ln_mean}, {ln_var / std::pow(ln_mean, 4)}},
    {"laplace", {3, 0.01}, {}, "normal", {"mu", "sigma2"}, {3, 2e-4}, {2e-4, 20e-8}},
    {"laplace", {10, 1}, {}, "normal", {"mu", "sigma2"}, {10, 2}, {2, 20}},
    {"laplace", {100, 1}, {}, "normal", {"mu", "sigma2"}, {100, 2}, {2, 20}},
    {"normal", {2, 4}, {}, "laplace", {"mu", "b"}, {2, mad}, {pi * 2, 4 * (1 - 2 / pi)}},
    // Discrete generators: the sum runs to the mass function's quantiles, not until it reaches 1.
    {"poisson", {lambda}, {}, "geometric", {"p"}, {1 / (1 + lambda)}, {lambda / std::pow(1 + lambda, 4)}},
    {"poisson", {4}, {}, "normal", {"mu", "sigma2"}, {4, 4}, {4, 4 + 2 * 16}},
    {"negative_binomial", {2, 0.5}, {}, "poisson", {"lambda"}, {2}, {4}},
    {"negative_binomial", {1, 0.3}, {}, "poisson", {"lambda"}, {0.7 / 0.3}, {0.7 / 0.09}},
    {"negative_binomial", {5, 0.7}, {}, "poisson", {"lambda"}, {1.5 / 0.7}, {1.5 / 0.49}},
    {"geometric", {0.2}, {}, "poisson", {"lambda"}, {4}, {20}},
    {"geometric", {0.3}, {}, "poisson", {"lambda"}, {0.7 / 0.3}, {0.7 / 0.09}},
    {"geometric", {0.5}, {}, "poisson", {"lambda"}, {1}, {2}},
    {"geometric", {0.7}, {}, "poisson", {"lambda"}, {0.3 / 0.7}, {0.3 / 0.49}},
    // t(3) has no fourth moment: sigma2-hat's sandwich variance is infinite, mu-hat's 3 (untouched by it).
    {"student_t", {0, 1}, {3}, "normal", {"mu", "sigma2"}, {0, 3}, {3, NAN}},
};

}  // namespace

TEST_CASE("pseudo-true: closed-form values and sandwich variances, wherever the generator's mass is") {
  constexpr double n = 100;
  for (const auto& c : cases) {
    CAPTURE(c.generator);
    CAPTURE(c.theta[0]);
    CAPTURE(c.fitted);
    const auto result = run(c, 100);
    REQUIRE(result.pseudo_true.size() == c.pseudo_true.size());
    for (std::size_t j = 0; j < c.pseudo_true.size(); ++j) {
      CAPTURE(j);
      if (c.pseudo_true[j] == 0) CHECK(std::abs(result.pseudo_true[j]) <= 1e-10);
      else CHECK(result.pseudo_true[j] == doctest::Approx(c.pseudo_true[j]).epsilon(1e-10));
    }
    for (std::size_t e = 0; e < c.estimands.size(); ++e) {
      CAPTURE(c.estimands[e]);
      const auto& sandwich = result.rows[e].m.sandwich_var;
      if (std::isnan(c.sandwich[e])) {
        CHECK_FALSE(sandwich.has_value());
        CHECK_FALSE(result.rows[e].m.skewness.value.has_value());  // no z without a variance
        REQUIRE(result.notes.size() == 1);
        CHECK(result.notes[0].find("sandwich_var of " + c.estimands[e] + " is infinite") != std::string::npos);
      } else {
        REQUIRE(sandwich.has_value());
        CHECK(*sandwich == doctest::Approx(c.sandwich[e] / n).epsilon(1e-8));
      }
    }
  }
}

TEST_CASE("pseudo-true: refused, saying why, when the expected score does not exist") {
  // A normal fitted to Cauchy data: E[X] does not exist, so neither does mu*.
  const misspecified_case cauchy{"cauchy", {0, 1}, {}, "normal", {"mu"}, {}, {}};
  CHECK_THROWS_WITH_AS(run(cauchy, 10), doctest::Contains("is infinite"), std::runtime_error);
}

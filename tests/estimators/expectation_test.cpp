#include "estimators/expectation.hpp"
#include "sim/catalogue.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <span>
#include <vector>

using namespace mlesim;

namespace {

struct law {
  const char* family;
  std::vector<double> theta;
  std::vector<double> known;
  double mean;  // closed form
};

// Every family, at ordinary and at awkward parameters: mass far from the
// origin, in a narrow band, with heavy tails, on a lattice far out.
const std::vector<law> laws{
    {"normal", {0, 1}, {}, 0},
    {"normal", {1e3, 1e-4}, {}, 1e3},
    {"exponential", {3e-4}, {}, 1 / 3e-4},
    {"exponential", {50}, {}, 0.02},
    {"poisson", {2.5}, {}, 2.5},
    {"poisson", {4000}, {}, 4000},
    {"bernoulli", {0.1}, {}, 0.1},
    {"gamma", {0.3, 2}, {}, 0.15},
    {"gamma", {2e4, 1}, {}, 2e4},
    {"uniform", {3}, {}, 1.5},
    {"geometric", {0.2}, {}, 4},
    {"geometric", {0.7}, {}, 0.3 / 0.7},
    {"negative_binomial", {2, 0.5}, {}, 2},
    {"negative_binomial", {1, 0.3}, {}, 0.7 / 0.3},
    {"negative_binomial", {5, 0.7}, {}, 5 * 0.3 / 0.7},
    {"laplace", {3, 0.01}, {}, 3},
    {"laplace", {100, 1}, {}, 100},
    {"lognormal", {8, 0.001}, {}, std::exp(8 + 0.0005)},
    {"weibull", {1.5, 2}, {}, 2 * std::tgamma(1 + 1 / 1.5)},
    {"beta", {0.5, 3}, {}, 0.5 / 3.5},
    {"logistic", {50, 0.1}, {}, 50},
    {"binomial", {0.7}, {3}, 2.1},
    {"pareto", {2.5}, {1.5}, 2.5 * 1.5 / 1.5},
    {"student_t", {-20, 0.5}, {3}, -20},
};

}  // namespace

TEST_CASE("expectation: every family's law has mass 1 and its closed-form mean, to 1e-10") {
  for (const auto& l : laws) {
    const std::string name = l.family;
    CAPTURE(name);
    CAPTURE(l.theta[0]);
    const family_info* family = find_family(l.family);
    REQUIRE(family != nullptr);
    const auto mass = expectation(*family, l.theta, l.known, [](double) { return 1.0; });
    CAPTURE(mass.why);
    CHECK(mass.ok());
    CHECK(mass.value == doctest::Approx(1).epsilon(1e-10));
    const auto mean = expectation(*family, l.theta, l.known, [](double x) { return x; });
    CHECK(mean.ok());
    CHECK(mean.value == doctest::Approx(l.mean).epsilon(1e-10));
  }
}

TEST_CASE("expectation: a law narrower than double precision resolves at its location is not computable") {
  // N(1e6, 1e-6): x is known to 1.2e-10, a ten-millionth of the SD, so no quadrature reaches 1e-10.
  const auto e = expectation(*find_family("normal"), std::vector<double>{1e6, 1e-6}, {}, [](double) { return 1.0; });
  CHECK(e.status == expectation_value::state::inaccurate);
}

TEST_CASE("expectation: a moment the law does not have is infinite, never a number") {
  const family_info& t = *find_family("student_t");
  const std::vector<double> theta{0, 1}, df3{3};
  const auto second = expectation(t, theta, df3, [](double x) { return x * x; });
  CHECK(second.ok());
  CHECK(second.value == doctest::Approx(3).epsilon(1e-10));  // df / (df - 2)
  const auto fourth = expectation(t, theta, df3, [](double x) { return x * x * x * x; });
  CHECK(fourth.status == expectation_value::state::infinite);
  CHECK(fourth.why.find("not integrable") != std::string::npos);
  // The Cauchy has no mean; the Pareto(2.5) no third moment, but a second.
  const auto cauchy = expectation(*find_family("cauchy"), std::vector<double>{0, 1}, {}, [](double x) { return x; });
  CHECK(cauchy.status == expectation_value::state::infinite);
  const family_info& pareto = *find_family("pareto");
  const std::vector<double> alpha{2.5}, x_m{1};
  CHECK(expectation(pareto, alpha, x_m, [](double x) { return x * x * x; }).status ==
        expectation_value::state::infinite);
  const auto pareto_second = expectation(pareto, alpha, x_m, [](double x) { return x * x; });
  CHECK(pareto_second.ok());
  CHECK(pareto_second.value == doctest::Approx(2.5 / 0.5).epsilon(1e-10));  // alpha x_m^2 / (alpha - 2)
  // 1/X near 0 under a gamma of shape 1: not integrable at the finite end.
  const auto inverse = expectation(*find_family("gamma"), std::vector<double>{1, 1}, {}, [](double x) { return 1 / x; });
  CHECK(inverse.status == expectation_value::state::infinite);
}

TEST_CASE("expectation: the tail test reads the far points that are numbers, and an overflow where mass remains") {
  // High powers, as the moments of a misspecified estimate need: x^12 against
  // a t10's x^-11 diverges though its density underflows far out; x^8 does
  // not. x^16 against a logistic converges though x^16 overflows where the
  // density is 0 (inf times 0). e^(1.2 x) against an exponential(1)
  // diverges, overflowing where the density is still positive.
  const family_info& t = *find_family("student_t");
  const std::vector<double> theta{0, 1}, df10{10};
  const auto pow = [](double x, int k) { return std::pow(std::abs(x), k); };
  CHECK(expectation(t, theta, df10, [&](double x) { return pow(x, 12); }).status == expectation_value::state::infinite);
  CHECK(expectation(t, theta, df10, [&](double x) { return pow(x, 8); }).status != expectation_value::state::infinite);
  const auto logistic =
      expectation(*find_family("logistic"), std::vector<double>{0, 1}, {}, [&](double x) { return pow(x, 16); });
  CHECK(logistic.status != expectation_value::state::infinite);
  const auto growth =
      expectation(*find_family("exponential"), std::vector<double>{1}, {}, [](double x) { return std::exp(1.2 * x); });
  CHECK(growth.status == expectation_value::state::infinite);
  const auto slower =
      expectation(*find_family("exponential"), std::vector<double>{1}, {}, [](double x) { return std::exp(0.8 * x); });
  CHECK(slower.ok());
  CHECK(slower.value == doctest::Approx(5).epsilon(1e-8));  // 1 / (1 - 0.8)
}

TEST_CASE("expectation: a jump of h at a breakpoint is integrated exactly") {
  // E[sign(X - c)] = 1 - 2 G(c) under N(2, 4), c = 2.5: 1 - 2 Phi(0.25).
  const family_info& normal = *find_family("normal");
  const double c = 2.5, breakpoints[] = {c};
  const auto e = expectation(normal, std::vector<double>{2, 4}, {},
                             [&](double x) { return static_cast<double>((x > c) - (x < c)); }, breakpoints);
  CHECK(e.ok());
  CHECK(e.value == doctest::Approx(1 - std::erfc(-0.25 / std::numbers::sqrt2)).epsilon(1e-12));
}

TEST_CASE("expectation: a lattice support given by open or fractional bounds sums over its integers") {
  // The geometric number of trials, P(X = k) = p (1 - p)^(k - 1) on {1, 2, ...},
  // its support written as the integers in (0, inf), as a family of one's
  // own may: the sum began at the bound 0, which it does not admit, and
  // found no mass.
  const double p = 0.3;
  family_info trials{};
  trials.name = "trials";
  trials.support = support_kind{0, std::numeric_limits<double>::infinity(), true, true, true};
  trials.log_density = [](std::span<const double> theta, std::span<const double>, double k) {
    return std::log(theta[0]) + (k - 1) * std::log1p(-theta[0]);
  };
  trials.admits = [](std::span<const double>, double k) { return k >= 1 && k == std::floor(k); };
  trials.quantile = [](std::span<const double> theta, std::span<const double>, double q, bool upper) {
    // P(X > k) = (1 - p)^k; the lower tail's quantile is 1 for any q < p.
    return upper ? std::ceil(std::log(q) / std::log1p(-theta[0])) : 1.0;
  };
  const std::vector<double> theta{p};
  const auto mass = expectation(trials, theta, {}, [](double) { return 1.0; });
  CAPTURE(mass.why);
  CHECK(mass.ok());
  CHECK(mass.value == doctest::Approx(1).epsilon(1e-10));
  const auto mean = expectation(trials, theta, {}, [](double k) { return k; });
  CHECK(mean.ok());
  CHECK(mean.value == doctest::Approx(1 / p).epsilon(1e-10));

  CHECK(describe(trials.support) == "{1, 2, 3, ...}");
  CHECK(lattice_first(trials.support) == 1);
  CHECK(describe(support_kind{0.5, 3.5, false, false, true}) == "{1, ..., 3}");
  CHECK(describe(support_kind{0, 2, false, true, true}) == "{0, 1}");
  CHECK(describe(support_kind{-std::numeric_limits<double>::infinity(), 0, true, false, true}) == "{..., -2, -1, 0}");
  CHECK(describe(support_kind{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                              true, true, true}) == "the integers");
  CHECK(describe(support_kind::counts) == "{0, 1, 2, ...}");
  CHECK(describe(support_kind::binary) == "{0, 1}");
}

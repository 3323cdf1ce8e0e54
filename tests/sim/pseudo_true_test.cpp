// Misspecified fits against closed-form pseudo-true values and sandwich
// variances, at generators that are narrow, far from the origin, kinked,
// heavy-tailed or discrete (issue 8, defects 2 to 4), and the Kullback-Leibler
// divergence reported beside them (issue 9).
#include "estimators/exponential.hpp"
#include "estimators/normal.hpp"
#include "sim/experiment.hpp"
#include "sim/simulate.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
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
        // Beside the moments' notes (t3: mu-hat's end below order 4, sigma2-hat's below 2).
        REQUIRE(result.notes.size() == 3);
        CHECK(std::any_of(result.notes.begin(), result.notes.end(), [&](const std::string& note) {
          return note.find("sandwich_var of " + c.estimands[e] + " is infinite") != std::string::npos;
        }));
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

// The Kullback–Leibler divergence D(G || F_theta*) = E_G[log g(X) - log f(X; theta*)]
// reported beside theta*, against closed forms and an independent quadrature.
namespace {

using boost::math::digamma;
using boost::math::lgamma;

constexpr long double pi_l = std::numbers::pi_v<long double>;

struct divergence_case {
  misspecified_case fit;
  double divergence;  // closed form, nats per observation
};

// D(Gamma(k, r) || Exponential(lambda*)), lambda* = r / k (E[score] = 1/lambda - E X = 0).
// With E X = k / r and E log X = psi(k) - log r:
//   E log g = k log r - lgamma(k) + (k - 1)(psi(k) - log r) - k = log r - lgamma(k) + (k - 1) psi(k) - k,
//   E log f = log lambda* - lambda* E X = log r - log k - 1,
// so D = (k - 1) psi(k) - lgamma(k) - k + 1 + log k, free of r (0 at k = 1, where G is exponential).
double gamma_exponential(long double k) {
  return static_cast<double>((k - 1) * digamma(k) - lgamma(k) - k + 1 + std::log(k));
}

// D(N(mu, s2) || Laplace(mu, b*)), b* = E|X - mu| = s sqrt(2/pi):
//   E log g = -log(2 pi s2) / 2 - 1/2,  E log f = -log(2 b*) - E|X - mu| / b* = -log(2 b*) - 1,
// so D = log(2 b*) + 1/2 - log(2 pi s2) / 2 = log(2/pi) + 1/2, free of mu and s2.
const double normal_laplace = static_cast<double>(std::log(2 / pi_l) + 0.5L);

// D(Laplace(mu, b) || N(mu, 2 b^2)) (sigma2* = Var X = 2 b^2):
//   E log g = -log(2b) - 1,  E log f = -log(2 pi 2 b^2) / 2 - 1/2,
// so D = log(4 pi b^2) / 2 + 1/2 - log(2b) - 1 = log(pi) / 2 - 1/2.
const double laplace_normal = static_cast<double>(std::log(pi_l) / 2 - 0.5L);

// D(Bernoulli(p) || Poisson(lambda* = p)): on {0, 1} log x! = 0, so
//   E log g = p log p + (1 - p) log(1 - p),  E log f = p log p - p,
// and D = (1 - p) log(1 - p) + p.
double bernoulli_poisson(long double p) { return static_cast<double>((1 - p) * std::log1p(-p) + p); }

// D(Poisson(l) || Geometric(p*)), p* = 1/(1 + l), f(x) = p (1 - p)^x:
//   E log g = l log l - l - E[log X!],  E log f = -log(1 + l) + l log(l / (1 + l)),
// so D = (1 + l) log(1 + l) - l - E[log X!], with E[log X!] summed here by Boost's
// Poisson mass function (the mass above 200 is below 1e-150 for l = 2.5).
double poisson_geometric(long double l) {
  const boost::math::poisson_distribution<long double> law(l);
  long double log_factorial = 0;
  for (int x = 2; x <= 200; ++x) log_factorial += boost::math::pdf(law, x) * std::lgamma(x + 1.0L);
  return static_cast<double>((1 + l) * std::log1p(l) - l - log_factorial);
}

// D(location-scale t(nu) || N(mu, sigma2*)), sigma2* = s^2 nu / (nu - 2) (nu > 2). With
// T = (X - mu)/s, log g = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log s
// - (nu+1)/2 log(1 + T^2/nu), and 1/(1 + T^2/nu) ~ Beta(nu/2, 1/2), so
// E log(1 + T^2/nu) = psi((nu+1)/2) - psi(nu/2). E log f = -log(2 pi e sigma2*)/2. So
// D = log(2 pi e nu/(nu - 2))/2 + lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2
//     - (nu+1)/2 (psi((nu+1)/2) - psi(nu/2)), free of mu and s.
double student_t_normal(long double nu) {
  return static_cast<double>(std::log(2 * pi_l * std::numbers::e_v<long double> * nu / (nu - 2)) / 2 +
                             lgamma((nu + 1) / 2) - lgamma(nu / 2) - std::log(nu * pi_l) / 2 -
                             (nu + 1) / 2 * (digamma((nu + 1) / 2) - digamma(nu / 2)));
}

const std::vector<divergence_case> divergence_cases{
    {{"gamma", {0.5, 2}, {}, "exponential", {"rate"}, {}, {}}, gamma_exponential(0.5)},
    {{"gamma", {3, 2}, {}, "exponential", {"rate"}, {}, {}}, gamma_exponential(3)},
    {{"gamma", {40, 1e-3}, {}, "exponential", {"rate"}, {}, {}}, gamma_exponential(40)},
    {{"normal", {2, 4}, {}, "laplace", {"mu", "b"}, {}, {}}, normal_laplace},
    {{"laplace", {3, 0.01}, {}, "normal", {"mu", "sigma2"}, {}, {}}, laplace_normal},
    {{"laplace", {100, 1}, {}, "normal", {"mu", "sigma2"}, {}, {}}, laplace_normal},
    {{"bernoulli", {0.3}, {}, "poisson", {"lambda"}, {}, {}}, bernoulli_poisson(0.3)},
    {{"bernoulli", {0.01}, {}, "poisson", {"lambda"}, {}, {}}, bernoulli_poisson(0.01)},
    {{"poisson", {lambda}, {}, "geometric", {"p"}, {}, {}}, poisson_geometric(lambda)},
    {{"student_t", {1, 2}, {5}, "normal", {"mu", "sigma2"}, {}, {}}, student_t_normal(5)},
    // No fourth moment, so an infinite sandwich variance for sigma2, but a finite divergence.
    {{"student_t", {0, 1}, {3}, "normal", {"mu", "sigma2"}, {}, {}}, student_t_normal(3)},
};

// The closed forms are evaluated in long double (64-bit significands), so
// that their terms' rounding (a few ulps of terms up to about 150) stays
// below 1e-16 and rounding to double, half an ulp of D (at most about 2),
// dominates; the reported error bound must cover the rest.
constexpr double closed_form_rounding = 4e-16;

void check_divergence(const experiment_result& result, double exact) {
  REQUIRE(result.kl_divergence.has_value());
  const divergence_estimate& d = *result.kl_divergence;
  CHECK(d.value == doctest::Approx(exact).epsilon(1e-9));
  CHECK(d.error < 1e-9 * d.value);
  CHECK(std::abs(d.value - exact) <= d.error + closed_form_rounding);  // the error bound holds
}

}  // namespace

TEST_CASE("pseudo-true: how far the estimate has moments, from the generator's tails") {
  // A normal fitted to Student t data of df v: mu-hat = x-bar has moments
  // below v, sigma2-hat (a mean of squares) below v/2; the first of the
  // orders 2, 4, 6, 8 at or beyond that is where they end. An exponential
  // fitted to lognormal data: the score 1/rate - x has every moment.
  struct reach_case {
    double df;
    double mu, sigma2;  // the first order checked that is infinite; +inf: none
  };
  const double none = std::numeric_limits<double>::infinity();
  for (const auto& c : {reach_case{3, 4, 2}, reach_case{5, 6, 4}, reach_case{7, 8, 4}, reach_case{10, none, 6},
                        reach_case{17, none, none}}) {
    CAPTURE(c.df);
    const normal fitted;
    const family_info& t = *find_family("student_t");
    const std::vector<double> theta{1, 2}, known{c.df};
    const double variance = 4 * c.df / (c.df - 2);
    const vector<2> star{1, variance};
    const matrix<2> a = normal::fisher_information(star);  // A = -E_G[Hessian] = the normal's own at theta*
    CHECK(estimator_moments(fitted, t, theta, known, star, a, vector<2>{1, 0}).below == c.mu);
    const moment_reach sigma2 = estimator_moments(fitted, t, theta, known, star, a, vector<2>{0, 1});
    CHECK(sigma2.below == c.sigma2);
    CHECK(sigma2.why.empty() == (c.sigma2 == none));
  }
  const exponential fitted;
  const std::vector<double> theta{0, 0.5};
  const double rate = 1 / std::exp(0.25);  // 1 / E X
  CHECK(estimator_moments(fitted, *find_family("lognormal"), theta, {}, vector<1>{rate},
                          matrix<1>{1 / (rate * rate)}, vector<1>{1})
            .below == none);
}

TEST_CASE("Kullback–Leibler divergence: closed forms for continuous, kinked, heavy-tailed and discrete pairs") {
  for (const auto& c : divergence_cases) {
    CAPTURE(c.fit.generator);
    CAPTURE(c.fit.theta[0]);
    CAPTURE(c.fit.fitted);
    const auto result = run(c.fit, 20);
    check_divergence(result, c.divergence);
    for (const auto& note : result.notes) CHECK(note.find("Kullback") == std::string::npos);
  }
}

TEST_CASE("Kullback–Leibler divergence: a lognormal fitted by a gamma, against an independent quadrature") {
  // Lognormal(mu, s2) to Gamma(k*, r*): E[score] = 0 gives psi(k) - log k = E log X - log E X = -s2/2
  // and r* = k* / E X. Then, with E log X = mu and r* E X = k*,
  //   E log g = -mu - log(2 pi e s2)/2,  E log f = k* log r* - lgamma(k*) + (k* - 1) mu - k*.
  constexpr double mu = 0.5, s2 = 0.25;
  const auto result = run({"lognormal", {mu, s2}, {}, "gamma", {"shape", "rate"}, {}, {}}, 20);
  REQUIRE(result.pseudo_true.size() == 2);
  const double k = result.pseudo_true[0], r = result.pseudo_true[1], mean = std::exp(mu + s2 / 2);
  CHECK(digamma(k) - std::log(k) == doctest::Approx(-s2 / 2).epsilon(1e-10));
  CHECK(r == doctest::Approx(k / mean).epsilon(1e-10));
  const double closed = -mu - std::log(2 * pi * std::numbers::e * s2) / 2 -
                        (k * std::log(r) - lgamma(k) + (k - 1) * mu - k);
  check_divergence(result, closed);

  // The same integral by Boost's own densities, in y = log X ~ N(mu, s2), by
  // adaptive Gauss-Kronrod over mu +- 9 sd (the normal mass outside is 2e-19,
  // against an integrand of order 10 there).
  const boost::math::lognormal_distribution<> g(mu, std::sqrt(s2));
  const boost::math::gamma_distribution<> f(k, 1 / r);
  const boost::math::normal_distribution<> y_law(mu, std::sqrt(s2));
  const auto integrand = [&](double y) {
    const double x = std::exp(y);
    return boost::math::pdf(y_law, y) * (std::log(boost::math::pdf(g, x)) - std::log(boost::math::pdf(f, x)));
  };
  double error = 0;
  const double quadrature = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
      integrand, mu - 9 * std::sqrt(s2), mu + 9 * std::sqrt(s2), 20, 1e-13, &error);
  REQUIRE(error < 1e-12);
  CHECK(result.kl_divergence->value == doctest::Approx(quadrature).epsilon(1e-10));
}

TEST_CASE("Kullback–Leibler divergence: absent, saying why, where it is 0 within its error bound") {
  // Gamma(1, 2) is the exponential(2) under another name: D = 0, which no digit of a computed value resolves.
  const auto result = run({"gamma", {1, 2}, {}, "exponential", {"rate"}, {}, {}}, 20);
  CHECK(result.pseudo_true.at(0) == doctest::Approx(2).epsilon(1e-10));
  CHECK_FALSE(result.kl_divergence.has_value());
  REQUIRE(result.notes.size() == 1);
  CHECK_MESSAGE(result.notes[0].find("not one digit of it is known") != std::string::npos, result.notes[0]);
}

TEST_CASE("Kullback–Leibler divergence: none for a well-specified fit") {
  const auto result = run({"gamma", {2, 1}, {}, "gamma", {"shape", "rate"}, {}, {}}, 20);
  CHECK_FALSE(result.kl_divergence.has_value());
  CHECK(result.notes.empty());
}

namespace {

// Fitted families whose log-density is wrong while their score is right, so
// that theta* is found and only the divergence fails: with an extra -1/x^2,
// E_G[log g - log f] diverges at 0, where the Gamma(2, 1) density vanishes
// only like x; with NaN on [1, 2], the quadrature cannot compute it.
struct pole_exponential : exponential {
  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = exponential::log_likelihood(t, x);
    for (double xi : x) sum -= 1 / (xi * xi);
    return sum;
  }
};

struct nan_exponential : exponential {
  static double log_likelihood(const parameters& t, std::span<const double> x) {
    for (double xi : x)
      if (xi >= 1 && xi <= 2) return std::numeric_limits<double>::quiet_NaN();
    return exponential::log_likelihood(t, x);
  }
};

experiment_spec gamma_to_exponential() {
  return {.name = "divergence-test", .family = "gamma", .theta = {2, 1}, .fit_family = "exponential",
          .estimands = {"rate"}, .seed = 20261126, .replications = 50, .sample_sizes = {20}, .level = 0.95};
}

}  // namespace

TEST_CASE("Kullback–Leibler divergence: absent, with a note saying why, where it is infinite or not computable") {
  SUBCASE("infinite") {
    const auto result = simulate_as<pole_exponential>(gamma_to_exponential());
    CHECK(result.pseudo_true.size() == 1);  // theta* itself is fine
    CHECK_FALSE(result.kl_divergence.has_value());
    REQUIRE(result.notes.size() == 1);
    CHECK(result.notes[0].find("Kullback–Leibler divergence") != std::string::npos);
    CHECK(result.notes[0].find("is infinite") != std::string::npos);
  }
  SUBCASE("not computable") {
    const auto result = simulate_as<nan_exponential>(gamma_to_exponential());
    CHECK(result.pseudo_true.size() == 1);
    CHECK_FALSE(result.kl_divergence.has_value());
    REQUIRE(result.notes.size() == 1);
    CHECK(result.notes[0].find("Kullback–Leibler divergence") != std::string::npos);
    CHECK(result.notes[0].find("cannot be computed") != std::string::npos);
  }
}

// Models written as a formula (estimators/formula.hpp): formula twins of
// built-in families give the built-ins' figures; the Gompertz, which is not
// built in, agrees with an independent maximization and quadrature; `draw`
// draws from the density; bad formulas are refused with the problem named.
#include "estimators/formula.hpp"

#include "estimators/beta.hpp"
#include "estimators/gamma.hpp"
#include "estimators/normal.hpp"
#include "estimators/poisson.hpp"
#include "estimators/weibull.hpp"
#include "family_checks.hpp"
#include "sim/catalogue.hpp"
#include "sim/formula_family.hpp"
#include "sim/runner.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/tools/minima.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <fstream>
#include <string>

using namespace mlesim;

using gamma_family = mlesim::gamma;

namespace {

// The model types satisfy the shared family concepts and instantiate the
// generic Newton fit and the runner's replication.
static_assert(regular_family<formula_model<1>>);
static_assert(regular_family<formula_model<2>>);
static_assert(regular_family<formula_model<4>>);
[[maybe_unused]] const auto replicate = &family_replication<formula_model<2>>::operator();

const formula_spec weibull_spec{"weibull_formula",
                                {{"k", "positive"}, {"lambda", "positive"}},
                                "positive",
                                "log(k) - log(lambda) + (k - 1) * log(x / lambda) - (x / lambda)^k",
                                "lambda * (-log(u1))^(1 / k)"};
const formula_spec gamma_spec{"gamma_formula",
                              {{"shape", "positive"}, {"rate", "positive"}},
                              "positive",
                              "shape * log(rate) - lgamma(shape) + (shape - 1) * log(x) - rate * x",
                              ""};
const formula_spec gompertz_spec{"gompertz",
                                 {{"eta", "positive"}, {"b", "positive"}},
                                 "positive",
                                 "log(eta) + log(b) + eta + b * x - eta * exp(b * x)",
                                 "log(1 - log(u1) / eta) / b"};
const formula_spec poisson_spec{
    "poisson_formula", {{"lambda", "positive"}}, "counts", "x * log(lambda) - lambda - lgamma(x + 1)", ""};

// |a - b| <= tolerance |b|, entry by entry.
template <class A, class B>
void check_relative(const A& a, const B& b, double tolerance) {
  for (int i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(a(i) - b(i)) <= tolerance * std::abs(b(i)));
  }
}

// The message of the formula_error that compiling (and, for a density
// check, checking at theta) throws; empty when none is thrown.
std::string refusal(const formula_spec& spec, std::vector<double> theta = {}) {
  try {
    const auto def = compile_formula(spec);
    if (!theta.empty()) def->check_density(theta);
  } catch (const formula_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("formula: the Weibull twin gives the built-in's likelihood, derivatives, information and MLE") {
  const formula_model<2> model(compile_formula(weibull_spec));
  CHECK(model.name == "weibull_formula");
  CHECK(model.parameter_names[1] == "lambda");
  CHECK(model.min_sample_size == 3);
  CHECK(model.support == support_kind::positive);
  for (const std::size_t n : {100u, 2000u}) {
    CAPTURE(n);
    const auto x = testing::draw_sample<weibull>(weibull::parameters{1.7, 2.5}, n, 11);
    const vector<2> theta{1.3, 2.1};  // away from the MLE, where the score is not 0
    CHECK(std::abs(model.log_likelihood(theta, x) - weibull::log_likelihood(theta, x)) <=
          1e-8 * std::abs(weibull::log_likelihood(theta, x)));
    check_relative(model.score(theta, x), weibull::score(theta, x), 1e-8);
    check_relative(model.observed_information(theta, x).reshaped(), weibull::observed_information(theta, x).reshaped(),
                   1e-8);
    check_relative(model.fisher_information(theta).reshaped(), weibull::fisher_information(theta).reshaped(), 1e-8);
    const auto fit = model.fit(x), reference = weibull::fit(x);
    REQUIRE(fit.converged);
    REQUIRE(reference.converged);
    check_relative(fit.theta, reference.theta, 1e-8);
    // The standard errors that follow from them.
    check_relative(model.fisher_information(fit.theta).inverse().diagonal(),
                   weibull::fisher_information(reference.theta).inverse().diagonal(), 1e-8);
  }
  const auto total = model.normalization(vector<2>{0.6, 3});
  REQUIRE(total.ok);
  CHECK(std::abs(total.value - 1) <= 1e-10);
}

TEST_CASE("formula: the gamma twin, with lgamma, gives the built-in's figures") {
  const formula_model<2> model(compile_formula(gamma_spec));
  const auto x = testing::draw_sample<gamma_family>(gamma_family::parameters{2.5, 0.7}, 500, 12);
  const vector<2> theta{2.0, 0.9};
  CHECK(std::abs(model.log_likelihood(theta, x) - gamma_family::log_likelihood(theta, x)) <=
        1e-8 * std::abs(gamma_family::log_likelihood(theta, x)));
  check_relative(model.score(theta, x), gamma_family::score(theta, x), 1e-8);
  check_relative(model.observed_information(theta, x).reshaped(), gamma_family::observed_information(theta, x).reshaped(),
                 1e-8);
  check_relative(model.fisher_information(theta).reshaped(), gamma_family::fisher_information(theta).reshaped(), 1e-8);
  // A shape below 1: the density is infinite at 0, where tanh-sinh starts.
  const vector<2> spiky{0.4, 3.0};
  check_relative(model.fisher_information(spiky).reshaped(), gamma_family::fisher_information(spiky).reshaped(), 1e-8);
  const auto fit = model.fit(x), reference = gamma_family::fit(x);
  REQUIRE(fit.converged);
  check_relative(fit.theta, reference.theta, 1e-8);
  CHECK_THROWS_AS(model.sampler(theta), formula_error);  // no draw given
}

TEST_CASE("formula: the quadrature finds a narrow peak far out, and the unit interval's ends") {
  // A normal (mu real, sigma2 positive) at mu = 1000, sd 0.01: all its mass
  // in a band 1e5 times narrower than its distance from 0.
  const formula_model<2> normal_twin(compile_formula(
      {"normal_formula", {{"mu", "real"}, {"sigma2", "positive"}}, "real",
       "-log(2 * pi * sigma2) / 2 - (x - mu)^2 / (2 * sigma2)", "mu + sqrt(sigma2) * z1"}));
  for (const vector<2>& theta : {vector<2>{0, 1}, vector<2>{1e3, 1e-4}, vector<2>{-3, 1e4}}) {
    CAPTURE(theta.transpose());
    const auto total = normal_twin.normalization(theta);
    CAPTURE(total.why);
    REQUIRE(total.ok);
    CHECK(std::abs(total.value - 1) <= 1e-10);
    check_relative(normal_twin.fisher_information(theta).diagonal(), normal::fisher_information(theta).diagonal(),
                   1e-8);
    CHECK(std::abs(normal_twin.fisher_information(theta)(0, 1)) <= 1e-8 * normal::fisher_information(theta)(0, 0));
  }
  // At mu = 1e6, sd 1e-3, neighbouring doubles are 1.2e-7 sds apart: the
  // integrand is a staircase at that level, and the quadrature says it
  // cannot reach 1e-10 rather than give a figure it cannot vouch for.
  const auto unresolved = normal_twin.normalization(vector<2>{1e6, 1e-6});
  CHECK_FALSE(unresolved.ok);
  CHECK(unresolved.why.starts_with("the quadrature's error estimate"));
  CHECK_FALSE(normal_twin.fisher_information(vector<2>{1e6, 1e-6}).allFinite());

  const auto x = testing::draw_sample<formula_model<2>>(vector<2>{5, 4}, 1000, 41, normal_twin);
  const auto fit = normal_twin.fit(x);  // from the default start (0, 1)
  REQUIRE(fit.converged);
  check_relative(fit.theta, normal::fit(x).theta, 1e-8);

  // A beta (both shapes positive) on the unit interval, with its density
  // infinite at an end when a shape is below 1.
  const formula_model<2> beta_twin(compile_formula(
      {"beta_formula", {{"a", "positive"}, {"b", "positive"}}, "unit",
       "lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1) * log(x) + (b - 1) * log(1 - x)", ""}));
  for (const vector<2>& theta : {vector<2>{2, 3}, vector<2>{0.5, 0.7}, vector<2>{40, 2}}) {
    CAPTURE(theta.transpose());
    const auto total = beta_twin.normalization(theta);
    REQUIRE(total.ok);
    CHECK(std::abs(total.value - 1) <= 1e-10);
    check_relative(beta_twin.fisher_information(theta).reshaped(), beta::fisher_information(theta).reshaped(), 1e-8);
  }
}

TEST_CASE("formula: a fit converges far from 0 (a location of 1000, rates of 1e20 and 1e-20) and still sees a run-off") {
  // Newton's run-off test read a location of 1000, or a rate of 1e20, as
  // divergence (an unconstrained coordinate beyond 30), so every such fit
  // failed. A model without units measures it from its start, on the
  // positive and unit scales only.
  const formula_model<2> normal_twin(compile_formula(
      {"normal_formula", {{"mu", "real"}, {"sigma2", "positive"}}, "real",
       "-log(2 * pi * sigma2) / 2 - (x - mu)^2 / (2 * sigma2)", "mu + sqrt(sigma2) * z1"}));
  const auto x = testing::draw_sample<formula_model<2>>(vector<2>{1000, 4}, 200, 43, normal_twin);
  for (const vector<2>& start : {vector<2>{0, 1}, vector<2>{1000, 4}, vector<2>{-5e4, 1e-3}}) {
    CAPTURE(start.transpose());
    formula_model<2> model = normal_twin;
    model.start = start;
    const auto fit = model.fit(x);
    REQUIRE(fit.converged);
    check_relative(fit.theta, normal::fit(x).theta, 1e-10);
  }

  formula_model<1> exponential_twin(
      compile_formula({"exponential_formula", {{"rate", "positive"}}, "positive", "log(rate) - rate * x", "-log(u1) / rate"}));
  for (const double rate : {1e20, 1e-20}) {
    CAPTURE(rate);
    const auto y = testing::draw_sample<formula_model<1>>(vector<1>{rate}, 50, 47, exponential_twin);
    double sum = 0;
    for (const double v : y) sum += v;
    exponential_twin.start = vector<1>{rate};
    const auto fit = exponential_twin.fit(y);
    REQUIRE(fit.converged);
    CHECK(std::abs(fit.theta[0] - 50 / sum) <= 1e-10 * (50 / sum));
  }

  // Equal values: the gamma's shape has no finite MLE, and Newton's run to
  // infinity is still caught, not reported as converged.
  const formula_model<2> gamma_twin(compile_formula(gamma_spec));
  const std::vector<double> equal(20, 3.0);
  CHECK_FALSE(gamma_twin.fit(equal).converged);
}

TEST_CASE("formula: a count model, the Poisson twin, sums where the others integrate") {
  const formula_model<1> model(compile_formula(poisson_spec));
  const auto x = testing::draw_sample<poisson>(poisson::parameters{3.5}, 400, 13);
  const vector<1> theta{2.7};
  CHECK(std::abs(model.log_likelihood(theta, x) - poisson::log_likelihood(theta, x)) <=
        1e-8 * std::abs(poisson::log_likelihood(theta, x)));
  check_relative(model.score(theta, x), poisson::score(theta, x), 1e-8);
  check_relative(model.observed_information(theta, x), poisson::observed_information(theta, x), 1e-8);
  for (const double lambda : {0.01, 2.7, 1e5}) {
    CAPTURE(lambda);
    const vector<1> t{lambda};
    check_relative(model.fisher_information(t), poisson::fisher_information(t), 1e-8);
    const auto total = model.normalization(t);
    REQUIRE(total.ok);
    // At 1e5 each term's log, x log(lambda) - lambda - lgamma(x + 1), is a
    // difference of numbers near 1.2e6 that rounds by ~eps 1e6 = 3e-10
    // relative: the sum of 6000 such terms is good to ~1e-10, not to 1e-12.
    CHECK(std::abs(total.value - 1) <= (lambda < 100 ? 1e-12 : 1e-9));
  }
  const auto fit = model.fit(x);
  REQUIRE(fit.converged);
  check_relative(fit.theta, poisson::fit(x).theta, 1e-8);
  // Its quantiles are Boost's when Boost rounds up to a whole count (its
  // default rounds outward: down below the median).
  using round_up = boost::math::policies::policy<
      boost::math::policies::discrete_quantile<boost::math::policies::integer_round_up>>;
  const boost::math::poisson_distribution<double, round_up> boost_poisson(theta[0]);
  for (const double p : {1e-6, 0.3, 0.5, 0.97}) {
    CAPTURE(p);
    CHECK(model.quantile(theta, p, false) == boost::math::quantile(boost_poisson, p));
    CHECK(model.cdf(theta, 4, false) == doctest::Approx(boost::math::cdf(boost_poisson, 4.0)).epsilon(1e-12));
  }
}

namespace {

// The Gompertz, independently of mlesim: log-likelihood, and its profile in
// b (the eta score n/eta + n - sum e^(bx) = 0 gives eta(b) in closed form),
// maximized by Brent's method.
double gompertz_log_likelihood(double eta, double b, const std::vector<double>& x) {
  double sum = 0;
  for (double xi : x) sum += std::log(eta) + std::log(b) + eta + b * xi - eta * std::exp(b * xi);
  return sum;
}
double profile_eta(double b, const std::vector<double>& x) {
  double sum = 0;
  for (double xi : x) sum += std::exp(b * xi);
  return static_cast<double>(x.size()) / (sum - static_cast<double>(x.size()));
}

// Gompertz draws by its inverse CDF, F(x) = 1 - exp(-eta (e^(bx) - 1)), in the test's own code.
std::vector<double> gompertz_sample(double eta, double b, std::size_t n, std::uint64_t seed) {
  philox_stream engine(seed, experiment_key("tests"), n, 0);
  boost::random::uniform_01<double> uniform;
  std::vector<double> x(n);
  for (double& xi : x) {
    double u = 0;
    while (u == 0) u = uniform(engine);
    xi = std::log1p(-std::log(u) / eta) / b;
  }
  return x;
}

}  // namespace

TEST_CASE("formula: the Gompertz's MLE agrees with a profile maximization, its information with quadrature") {
  const formula_model<2> model(compile_formula(gompertz_spec));
  const auto x = gompertz_sample(0.4, 1.5, 300, 21);
  const auto fit = model.fit(x);  // from the default start (1, 1)
  REQUIRE(fit.converged);
  const auto [b_hat, minus_ll] = boost::math::tools::brent_find_minima(
      [&](double b) { return -gompertz_log_likelihood(profile_eta(b, x), b, x); }, 0.01, 20.0, 52);
  // Brent at full precision locates the maximum to about sqrt(eps) of b
  // (the log-likelihood is flat to second order there): 1e-6 relative.
  CHECK(fit.theta[1] == doctest::Approx(b_hat).epsilon(1e-6));
  CHECK(fit.theta[0] == doctest::Approx(profile_eta(b_hat, x)).epsilon(1e-6));
  CHECK(model.log_likelihood(fit.theta, x) >= -minus_ll - 1e-9 * std::abs(minus_ll));
  // The MLE's score equations hold exactly (the profile's eta formula).
  CHECK(fit.theta[0] == doctest::Approx(profile_eta(fit.theta[1], x)).epsilon(1e-10));

  // I(eta, b) by its analytic Hessian: [[1/eta^2, E x e^(bx)], [., 1/b^2 + eta E x^2 e^(bx)]].
  const double eta = 0.4, b = 1.5;
  // e^(by) f(y), in one exponential so that it is 0, not inf * 0, far out.
  const auto weighted = [&](double y) { return eta * b * std::exp(eta + 2 * b * y - eta * std::exp(b * y)); };
  boost::math::quadrature::exp_sinh<double> integrator;
  const double m1 = integrator.integrate([&](double y) { return y * weighted(y); }, 0.0,
                                         std::numeric_limits<double>::infinity());
  const double m2 = integrator.integrate([&](double y) { return y * y * weighted(y); }, 0.0,
                                         std::numeric_limits<double>::infinity());
  matrix<2> expected;
  expected << 1 / (eta * eta), m1, m1, 1 / (b * b) + eta * m2;
  const auto info = model.definition->expected_information(std::vector<double>{eta, b});
  REQUIRE(info.ok);
  CHECK(info.relative_error <= 1e-10);
  check_relative(model.fisher_information(vector<2>{eta, b}).reshaped(), expected.reshaped(), 1e-9);
  const auto total = model.normalization(vector<2>{eta, b});
  REQUIRE(total.ok);
  CHECK(std::abs(total.value - 1) <= 1e-10);
}

TEST_CASE("formula: the Gompertz's MLE is SciPy's on the same data") {
  // tests/data/gompertz_reference.py wrote gompertz.csv and printed SciPy's
  // maximum (Nelder-Mead, then BFGS to a gradient of 1e-12 on the log scale;
  // its finite-difference gradient leaves ~1e-8 relative in the estimates).
  std::ifstream in(std::string(MLESIM_SOURCE_ROOT) + "/tests/data/gompertz.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> x;
  while (std::getline(in, line))
    if (!line.empty()) x.push_back(std::stod(line));
  REQUIRE(x.size() == 300);
  const formula_model<2> model(compile_formula(gompertz_spec));
  const auto fit = model.fit(x);
  REQUIRE(fit.converged);
  CHECK(fit.theta[0] == doctest::Approx(0.35970595849247566).epsilon(1e-7));
  CHECK(fit.theta[1] == doctest::Approx(1.5670334292294017).epsilon(1e-7));
  CHECK(model.log_likelihood(fit.theta, x) == doctest::Approx(-137.72804449588762).epsilon(1e-12));
}

TEST_CASE("formula: the Gompertz's draw follows its density (Kolmogorov-Smirnov)") {
  const formula_model<2> model(compile_formula(gompertz_spec));
  const double eta = 0.4, b = 1.5;
  const std::size_t n = 20'000;
  auto x = testing::draw_sample<formula_model<2>>(vector<2>{eta, b}, n, 22, model);
  std::sort(x.begin(), x.end());
  double distance = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double cdf = -std::expm1(-eta * std::expm1(b * x[i]));
    distance = std::max({distance, cdf - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - cdf});
  }
  // Dvoretzky-Kiefer-Wolfowitz (Massart's constant): P(D > t) <= 2
  // exp(-2 n t^2), so t = sqrt(log(2 / 1e-6) / (2n)) fails a true draw with
  // probability below 1e-6.
  CHECK(distance <= std::sqrt(std::log(2 / 1e-6) / (2.0 * n)));
  // The model's own CDF and quantile (quadrature, root finding) against the closed forms.
  for (const double q : {0.05, 0.7, 2.0}) {
    CAPTURE(q);
    const double lower = -std::expm1(-eta * std::expm1(b * q));
    CHECK(model.cdf(vector<2>{eta, b}, q, false) == doctest::Approx(lower).epsilon(1e-10));
    CHECK(model.cdf(vector<2>{eta, b}, q, true) == doctest::Approx(1 - lower).epsilon(1e-10));
    CHECK(model.quantile(vector<2>{eta, b}, lower, false) == doctest::Approx(q).epsilon(1e-9));
  }
}

TEST_CASE("formula: the runner's replication fits a formula model to a built-in generator's data") {
  // Newton from `start`, set as a simulation sets it (the true value).
  formula_model<2> model(compile_formula(weibull_spec));
  model.start = vector<2>{1.7, 2.5};
  const auto x = testing::draw_sample<weibull>(weibull::parameters{1.7, 2.5}, 50, 31);
  const auto fit = model.fit(x);
  REQUIRE(fit.converged);
  check_relative(fit.theta, weibull::fit(x).theta, 1e-8);
  // A start far off that Newton alone cannot climb from: Nelder-Mead first.
  model.start = vector<2>{40, 1e-3};
  CHECK_FALSE(fit_by_newton(model, x, model.start, model.scales).converged);
  const auto far = model.fit(x);
  REQUIRE(far.converged);
  check_relative(far.theta, weibull::fit(x).theta, 1e-8);
}

TEST_CASE("formula: bad formulas are refused, naming the field and the problem") {
  auto spec = weibull_spec;
  spec.log_density = "log(k) - log(lambda) + (k - 1) * log(x / lambda - (x / lambda)^k";
  CHECK(refusal(spec).starts_with("log_density does not parse"));
  spec.log_density = "log(k) - log(y) + x";
  CHECK(refusal(spec) == "log_density: unknown symbol y (allowed: k, lambda, x, pi)");
  spec = weibull_spec;
  spec.draw = "lambda * x";
  CHECK(refusal(spec).starts_with("draw: uses x"));
  spec.draw = "lambda * w1";
  CHECK(refusal(spec).starts_with("draw: unknown symbol w1"));
  spec = weibull_spec;
  spec.parameters[0].second = "integer";
  CHECK(refusal(spec) == "parameters.k: unknown kind \"integer\" (real, positive or unit)");
  spec = weibull_spec;
  spec.parameters[1].first = "k";
  CHECK(refusal(spec) == "parameters.k: declared twice");
  spec = weibull_spec;
  spec.parameters[1].first = "u1";
  CHECK(refusal(spec).starts_with("parameters.u1: u1 is reserved"));
  spec.parameters[1].first = "x";
  CHECK(refusal(spec).starts_with("parameters.x: x is reserved"));
  spec = weibull_spec;
  spec.parameters.clear();
  CHECK(refusal(spec).starts_with("parameters: a formula model has 1 to 4 parameters, not 0"));
  spec = weibull_spec;
  spec.support = "discrete";
  CHECK(refusal(spec).starts_with("support: unknown support \"discrete\""));
  spec = weibull_spec;
  spec.log_density = "zeta(x) + k + lambda";
  CHECK(refusal(spec).find("the function zeta") != std::string::npos);
  // Not a density: the Weibull without its log(k) integrates to 1/k.
  spec = weibull_spec;
  spec.log_density = "- log(lambda) + (k - 1) * log(x / lambda) - (x / lambda)^k";
  CHECK(refusal(spec) == "");  // it compiles; the density check refuses it
  const std::string problem = refusal(spec, {2.0, 1.0});
  CHECK(problem.find("integrates to 0.5 over the support at k = 2, lambda = 1, not 1") != std::string::npos);
  CHECK(refusal(weibull_spec, {2.0, 1.0}) == "");
  spec = poisson_spec;
  spec.log_density = "x * log(lambda) - lgamma(x + 1)";  // the sum is e^lambda
  CHECK(refusal(spec, {1.0}).find("sums to 2.71828") != std::string::npos);
}

TEST_CASE("formula: a parameter's name is an ASCII identifier, and u1..u999, z1..z999 are the draw's") {
  // Names ([A-Za-z_][A-Za-z0-9_]*) and reserved draw inputs ([uz][1-9][0-9]{0,2}).
  const auto named = [](const std::string& name) {
    auto spec = weibull_spec;
    spec.parameters[1].first = name;
    spec.log_density = "log(k) - log(" + name + ") + (k - 1) * log(x / " + name + ") - (x / " + name + ")^k";
    spec.draw = name + " * (-log(u1))^(1 / k)";
    return refusal(spec);
  };
  for (const char* good : {"A_1", "a_", "u0", "u01", "u1000", "zz", "z", "scale2"}) {
    CAPTURE(good);
    CHECK(named(good) == "");
  }
  for (const char* reserved : {"u1", "u999", "z12", "z9"}) {
    CAPTURE(reserved);
    CHECK(named(reserved).find("is reserved") != std::string::npos);
  }
  for (const char* bad : {"1a", "a-b", "", "\xc3\xa9", "a b"}) {
    CAPTURE(bad);
    CHECK(named(bad).find("not a name") != std::string::npos);
  }
}

// GiNaC orders the terms of a sum or product by hashes that depend on when
// each symbol was made in the process. The tape must not: the same model
// compiled after other work (another model, a second compile) evaluates to
// the same bits, or a merge's reports would differ from the run's.
TEST_CASE("formula: a model compiled twice, with other symbols made between, gives the same bits") {
  std::vector<double> x;
  for (int i = 1; i <= 300; ++i) x.push_back(0.01 * i + 0.001 * (i % 7));
  const auto first = compile_formula(gompertz_spec);
  for (int i = 0; i < 50; ++i) compile_formula(weibull_spec);  // many symbols made in between
  const auto second = compile_formula(gompertz_spec);
  const std::vector<double> theta{0.4, 1.5};
  CHECK(std::bit_cast<std::uint64_t>(first->log_likelihood(theta, x)) ==
        std::bit_cast<std::uint64_t>(second->log_likelihood(theta, x)));
  std::array<double, 2> s1{}, s2{};
  first->score(theta, x, s1);
  second->score(theta, x, s2);
  std::array<double, 4> h1{}, h2{};
  first->hessian(theta, x, h1);
  second->hessian(theta, x, h2);
  for (std::size_t j = 0; j < 2; ++j) CHECK(std::bit_cast<std::uint64_t>(s1[j]) == std::bit_cast<std::uint64_t>(s2[j]));
  for (std::size_t j = 0; j < 4; ++j) CHECK(std::bit_cast<std::uint64_t>(h1[j]) == std::bit_cast<std::uint64_t>(h2[j]));
  const auto i1 = first->expected_information(theta), i2 = second->expected_information(theta);
  REQUIRE(i1.ok);
  REQUIRE(i2.ok);
  for (std::size_t j = 0; j < 4; ++j)
    CHECK(std::bit_cast<std::uint64_t>(i1.values[j]) == std::bit_cast<std::uint64_t>(i2.values[j]));
}

TEST_CASE("formula: a model registered in two catalogues is a formula model in each") {
  // A program may run `cli` over catalogues of its own; registering the model
  // in the second hid it, as a formula model, from the first: loading the
  // same config again there was refused as a clash with a C++ family.
  catalogue& before = families();
  catalogue a = catalogue::with_builtins(), b = catalogue::with_builtins();
  const formula_spec model{"in_two_catalogues", {{"rate", "positive"}}, "positive", "log(rate) - rate * x",
                           "-log(u1) / rate"};
  use_catalogue(a);
  register_formula(model);
  use_catalogue(b);
  register_formula(model);
  use_catalogue(a);
  CHECK(formula_of("in_two_catalogues") != nullptr);
  CHECK(formula_definition_of("in_two_catalogues") != nullptr);
  CHECK_NOTHROW(register_formula(model));
  use_catalogue(before);
  CHECK(formula_of("in_two_catalogues") == nullptr);
  CHECK(formula_of("normal") == nullptr);
}

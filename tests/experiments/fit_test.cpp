// `mlesim fit` on data sets in tests/data, against reference values computed
// independently with SciPy (tests/data/references.py prints them): the gamma
// shape by Brent's method on log k - digamma(k) = log(mean) - mean(log x) at
// 1e-15 (scipy.stats.gamma.fit(x, floc=0) agrees to all digits shown), its SEs
// from the inverse of n * [[trigamma(k), -1/b], [-1/b, k/b^2]], the
// log-likelihoods as sums of scipy.stats log-densities, and the profile
// bounds by Brent's method on the profile log-likelihood (the normal mean's
// in closed form, mu-hat +- sqrt(sigma2-hat (exp(chi2/n) - 1))).
#include "estimators/data_fit.hpp"
#include "estimators/builtin.hpp"
#include "sim/catalogue.hpp"
#include "estimators/regression.hpp"
#include "loader/config.hpp"
#include "loader/data.hpp"
#include "reports/format.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <tuple>

using namespace mlesim;

namespace {

const std::string data = MLESIM_SOURCE_ROOT "/tests/data/";

data_fit fit_file(const std::string& family, const std::string& file, const std::string& column,
                  const std::vector<std::pair<std::string, double>>& fixed = {},
                  const std::vector<double>& known = {}) {
  return fit_data(family, known, read_column(data + file, column).values, fixed, 0.95);
}

// Estimates to 9 significant digits (the references have 15), SEs, log-likelihoods
// and profile bounds to 8.
void check_parameter(const fitted_parameter& p, double estimate, double se, double low, double high) {
  CAPTURE(p.name);
  CHECK(p.estimate == doctest::Approx(estimate).epsilon(1e-9));
  REQUIRE(p.se);
  CHECK(*p.se == doctest::Approx(se).epsilon(1e-8));
  REQUIRE(p.profile_low);
  REQUIRE(p.profile_high);
  CHECK(*p.profile_low == doctest::Approx(low).epsilon(1e-8));
  CHECK(*p.profile_high == doctest::Approx(high).epsilon(1e-8));
  CHECK(*p.wald_low == doctest::Approx(estimate - 1.959963984540054 * se).epsilon(1e-8));
}

}  // namespace

TEST_CASE("fit: gamma data against SciPy's MLE, SEs, log-likelihood and profile intervals") {
  const auto fit = fit_file("gamma", "gamma.csv", "rainfall");
  CHECK(fit.n == 60);
  CHECK(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-80.32250963049029).epsilon(1e-10));
  CHECK(fit.aic == doctest::Approx(4 + 2 * 80.32250963049029).epsilon(1e-10));
  CHECK(fit.bic == doctest::Approx(2 * std::log(60.0) + 2 * 80.32250963049029).epsilon(1e-10));
  check_parameter(fit.parameters[0], 2.7791843209295077, 0.4800811289578229, 1.9461408550643609, 3.8348916721614597);
  check_parameter(fit.parameters[1], 1.5844233226103837, 0.2999404636561389, 1.0645444924340364, 2.2444394291091787);
}

TEST_CASE("fit: normal data without a header, by column number") {
  const auto fit = fit_file("normal", "normal.csv", "1");
  CHECK(fit.log_likelihood == doctest::Approx(-85.73065592978).epsilon(1e-10));
  check_parameter(fit.parameters[0], 10.259314, 0.32624329834837223, 9.604225223182297, 10.914402776817703);
  CHECK(fit.parameters[1].estimate == doctest::Approx(4.257387588689).epsilon(1e-10));
  CHECK(*fit.parameters[1].se == doctest::Approx(0.951980805487252).epsilon(1e-8));
}

TEST_CASE("fit: exponential and poisson data") {
  const auto exponential = fit_file("exponential", "exponential.csv", "time");
  CHECK(exponential.log_likelihood == doctest::Approx(-53.85063721241993).epsilon(1e-10));
  check_parameter(exponential.parameters[0], 0.5835707201761223, 0.09864145541836687, 0.4109711881231106,
                  0.7988185159013411);
  const auto poisson = fit_file("poisson", "poisson.csv", "count");
  CHECK(poisson.log_likelihood == doctest::Approx(-85.78785753965677).epsilon(1e-10));
  check_parameter(poisson.parameters[0], 3.1555555555555554, 0.26480833972917744, 2.664597341849273, 3.703407171306142);
}

TEST_CASE("fit: all-zero Bernoulli data put the MLE on the boundary, reported as such") {
  const auto fit = fit_file("bernoulli", "bernoulli_zeros.csv", "event");
  const auto& p = fit.parameters[0];
  CHECK(p.estimate == 0);
  CHECK_FALSE(p.se);  // the information is infinite there: no Wald interval
  CHECK_FALSE(p.wald_low);
  CHECK(*p.profile_low == 0);
  // log L(p) = n log(1 - p): the profile bound is 1 - exp(-chi2_{1,0.95} / (2n)).
  CHECK(*p.profile_high == doctest::Approx(0.07395196905853663).epsilon(1e-8));
  REQUIRE(fit.notes.size() == 1);
  CHECK(fit.notes[0].find("boundary") != std::string::npos);
}

TEST_CASE("fit: a fixed parameter is held and the others estimated") {
  // Normal with mu fixed: sigma2-hat = mean((x - mu)^2) = sigma2-hat + (x-bar - mu)^2.
  const auto fit = fit_file("normal", "normal.csv", "1", {{"mu", 10.0}});
  CHECK(fit.parameters[0].fixed);
  CHECK(fit.parameters[0].estimate == 10.0);
  CHECK(fit.parameters[1].estimate == doctest::Approx(4.257387588689 + 0.259314 * 0.259314).epsilon(1e-9));
  CHECK(fit.aic == doctest::Approx(2 - 2 * fit.log_likelihood));
}

TEST_CASE("fit: data errors name the line and column") {
  CHECK_THROWS_WITH_AS(read_column(data + "gamma.csv", std::nullopt),
                       doctest::Contains("2 columns; choose one with --column (id, rainfall)"), input_error);
  CHECK_THROWS_WITH_AS(read_column(data + "gamma.csv", std::string("rain")), doctest::Contains("no column 'rain'"),
                       input_error);
}

TEST_CASE("fit: weibull data, a numeric family, against Brent's method on the profile equation") {
  // scipy.stats.weibull_min.fit(x, floc=0) gives shape 1.94513600, scale 2.98484408: its
  // optimizer stops at about 4e-6; the likelihood equation solved by Brent is the reference.
  const auto fit = fit_file("weibull", "weibull.csv", "strength");
  CHECK(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-137.50850876379698).epsilon(1e-10));
  CHECK(fit.parameters[0].estimate == doctest::Approx(1.9451286790421969).epsilon(1e-9));
  CHECK(fit.parameters[1].estimate == doctest::Approx(2.98488720610682).epsilon(1e-9));
  CHECK(*fit.parameters[0].se == doctest::Approx(0.1730576935244785).epsilon(1e-7));
  CHECK(*fit.parameters[1].se == doctest::Approx(0.18012737787132063).epsilon(1e-7));
}

TEST_CASE("fit: binomial data with known trials, against the closed form and scipy.stats.binom") {
  const auto fit = fit_file("binomial", "binomial.csv", "successes", {}, {12});
  CHECK(fit.log_likelihood == doctest::Approx(-80.53587069691719).epsilon(1e-10));
  CHECK(fit.parameters[0].estimate == doctest::Approx(0.3416666666666667).epsilon(1e-12));
  CHECK(*fit.parameters[0].se == doctest::Approx(0.021647293689375447).epsilon(1e-10));
  REQUIRE(fit.known.size() == 1);
  CHECK(fit.known[0].first == "trials");
}

TEST_CASE("fit: Student t data with df known, against a SciPy maximization") {
  // The reference maximizes sum scipy.stats.t.logpdf(x, 5, loc, scale) (Nelder-Mead polished by
  // Newton on central differences), SEs from a central-difference Hessian: good to about 1e-8;
  // scipy.stats.t.fit(x, fix_df=5) stops at 10.2359926, 3.0481973.
  const auto fit = fit_file("student_t", "student_t.csv", "return", {}, {5});
  CHECK(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-220.0264601278237).epsilon(1e-10));
  CHECK(fit.parameters[0].estimate == doctest::Approx(10.236015095955231).epsilon(1e-8));
  CHECK(fit.parameters[1].estimate == doctest::Approx(3.0482141199723407).epsilon(1e-8));
  CHECK(*fit.parameters[0].se == doctest::Approx(0.3929978023022255).epsilon(1e-7));
  CHECK(*fit.parameters[1].se == doctest::Approx(0.307524911173049).epsilon(1e-7));
}

namespace {

data_fit fit_regression_file(const std::string& model, const std::string& file, const std::string& response,
                             const std::vector<std::string>& covariates) {
  std::vector<std::string> names{response};
  names.insert(names.end(), covariates.begin(), covariates.end());
  const auto columns = read_columns(data + file, names);
  std::vector<std::vector<double>> x;
  for (std::size_t c = 1; c < columns.size(); ++c) x.push_back(columns[c].values);
  return fit_regression_data(model, columns[0].values, x, covariates, true, 0.95);
}

}  // namespace

// The regression references come from R 4.2 (tests/data/references.R): glm at epsilon
// 1e-15, lm, and profile bounds by uniroot at 1e-14. R's glm SEs use the weights of its
// next-to-last iterate, ours those at the MLE: they agree to about 1e-7.
TEST_CASE("fit: logistic regression of mtcars' am on hp and wt, against R's glm") {
  const auto fit = fit_regression_file("logistic_regression", "mtcars.csv", "am", {"hp", "wt"});
  REQUIRE(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-5.0295552361334934).epsilon(1e-10));
  const double estimates[] = {18.866298717204131208, 0.036255596082216568, -8.083475182444637142};
  const double ses[] = {7.443558060205289095, 0.017734153650769368, 3.068675113054704529};
  for (int j = 0; j < 3; ++j) {
    CHECK(fit.parameters[j].estimate == doctest::Approx(estimates[j]).epsilon(1e-9));
    CHECK(*fit.parameters[j].se == doctest::Approx(ses[j]).epsilon(1e-6));
  }
  CHECK(*fit.parameters[1].profile_low == doctest::Approx(0.010594272764954919).epsilon(1e-8));
  CHECK(*fit.parameters[1].profile_high == doctest::Approx(0.090552356299415812).epsilon(1e-8));
}

TEST_CASE("fit: poisson regression of Dobson's trial, against R's glm") {
  const auto fit =
      fit_regression_file("poisson_regression", "dobson.csv", "counts", {"outcome2", "outcome3", "treatment2", "treatment3"});
  REQUIRE(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-23.38065920097884).epsilon(1e-10));
  const double estimates[] = {3.0445224377234239, -0.45425527227759660, -0.29298712468147420, 0, 0};
  const double ses[] = {0.17089865185644157, 0.20217075919384542, 0.19274234515979277, 0.2, 0.2};
  for (int j = 0; j < 5; ++j) {
    CHECK(fit.parameters[j].estimate == doctest::Approx(estimates[j]).epsilon(1e-9).scale(1));
    CHECK(*fit.parameters[j].se == doctest::Approx(ses[j]).epsilon(1e-9));
  }
  CHECK(*fit.parameters[1].profile_low == doctest::Approx(-0.857687940579373809).epsilon(1e-8));
  CHECK(*fit.parameters[1].profile_high == doctest::Approx(-0.062555115049297894).epsilon(1e-8));
}

TEST_CASE("fit: linear regression of cars' dist on speed, against R's lm") {
  const auto fit = fit_regression_file("linear_regression", "cars.csv", "dist", {"speed"});
  REQUIRE(fit.converged);
  CHECK(fit.log_likelihood == doctest::Approx(-206.57843151367663).epsilon(1e-10));
  const double estimates[] = {-17.5790948905108948, 3.9324087591240855, 227.0704210218978290};
  const double ses[] = {6.62189194884329524, 0.40711771376679134, 45.41408420437957005};
  for (int j = 0; j < 3; ++j) {
    CHECK(fit.parameters[j].estimate == doctest::Approx(estimates[j]).epsilon(1e-10));
    CHECK(*fit.parameters[j].se == doctest::Approx(ses[j]).epsilon(1e-9));
  }
  CHECK(*fit.parameters[1].profile_low == doctest::Approx(3.1188983468618305).epsilon(1e-8));
  CHECK(*fit.parameters[1].profile_high == doctest::Approx(4.7459191713863467).epsilon(1e-8));
}

TEST_CASE("fit: separated logistic data have no MLE: not converged, with the reason and no SEs") {
  const auto fit = fit_regression_file("logistic_regression", "separated.csv", "y", {"x"});
  CHECK_FALSE(fit.converged);
  REQUIRE_FALSE(fit.notes.empty());
  CHECK(fit.notes[0].find("separated") != std::string::npos);
  CHECK_FALSE(fit.parameters[1].se);
}

TEST_CASE("fit: cauchy and logistic location-scale fits against MASS::fitdistr") {
  // tests/data/references.R: fitdistr's optimizer at reltol 1e-14 gives about 7 digits, its
  // numerical-Hessian SEs about 5.
  const auto cauchy = fit_file("cauchy", "student_t.csv", "return");
  REQUIRE(cauchy.converged);
  CHECK(cauchy.parameters[0].estimate == doctest::Approx(10.37650855).epsilon(1e-7));
  CHECK(cauchy.parameters[1].estimate == doctest::Approx(2.062718834).epsilon(1e-6));
  CHECK(*cauchy.parameters[0].se == doctest::Approx(0.3726689375).epsilon(1e-5));
  CHECK(*cauchy.parameters[1].se == doctest::Approx(0.293624379).epsilon(1e-5));
  const auto logistic = fit_file("logistic", "student_t.csv", "return");
  REQUIRE(logistic.converged);
  CHECK(logistic.parameters[0].estimate == doctest::Approx(10.19268575).epsilon(1e-7));
  CHECK(logistic.parameters[1].estimate == doctest::Approx(2.100514173).epsilon(1e-6));
  CHECK(*logistic.parameters[0].se == doctest::Approx(0.4034851511).epsilon(1e-5));
  CHECK(*logistic.parameters[1].se == doctest::Approx(0.1979210451).epsilon(1e-5));
}

namespace {

std::vector<double> scaled(std::vector<double> x, double c) {
  for (double& xi : x) xi *= c;
  return x;
}

// Estimate and SE of `a` equal those of `b` mapped by theta = factor theta_b, to 1e-9.
void check_rescaled(const fitted_parameter& a, const fitted_parameter& b, double factor) {
  CAPTURE(a.name);
  CHECK(a.estimate == doctest::Approx(factor * b.estimate).epsilon(1e-9));
  REQUIRE(a.se);
  REQUIRE(b.se);
  CHECK(*a.se == doctest::Approx(factor * *b.se).epsilon(1e-8));
  REQUIRE(a.profile_low);
  REQUIRE(b.profile_low);
  CHECK(*a.profile_low == doctest::Approx(factor * *b.profile_low).epsilon(1e-8));
}

}  // namespace

// The MLE is equivariant: data 1e300 or 1e-300 times larger have the same
// shapes and scales that many times larger. Before, Weibull data near 1e-300
// did not converge (the start's exp(mean log x + ...) and the scale's powers
// left double precision).
TEST_CASE("fit: a fit does not depend on the units, down to 1e-300 and up to 1e300") {
  const auto weibull = read_column(data + "weibull.csv", std::string("strength")).values;
  const auto t_data = read_column(data + "student_t.csv", std::string("return")).values;
  for (double c : {1e-300, 1e-150, 1e150, 1e300}) {
    CAPTURE(c);
    const auto unit = fit_data("weibull", {}, weibull, {}, 0.95), far = fit_data("weibull", {}, scaled(weibull, c), {}, 0.95);
    REQUIRE(far.data_problem.empty());
    CHECK(far.converged);
    check_rescaled(far.parameters[0], unit.parameters[0], 1);
    check_rescaled(far.parameters[1], unit.parameters[1], c);
    CHECK(far.log_likelihood ==
          doctest::Approx(unit.log_likelihood - static_cast<double>(weibull.size()) * std::log(c)).epsilon(1e-10));
    for (const char* family : {"gamma", "exponential"}) {
      CAPTURE(family);
      const auto one = fit_data(family, {}, weibull, {}, 0.95), other = fit_data(family, {}, scaled(weibull, c), {}, 0.95);
      REQUIRE(other.data_problem.empty());
      CHECK(other.converged);
      const auto& rate = other.parameters.back();
      check_rescaled(rate, one.parameters.back(), 1 / c);
    }
    for (const char* family : {"cauchy", "logistic", "laplace"}) {
      CAPTURE(family);
      const auto one = fit_data(family, {}, t_data, {}, 0.95), other = fit_data(family, {}, scaled(t_data, c), {}, 0.95);
      REQUIRE(other.data_problem.empty());
      CHECK(other.converged);
      check_rescaled(other.parameters[0], one.parameters[0], c);
      check_rescaled(other.parameters[1], one.parameters[1], c);
    }
    const auto t_one = fit_data("student_t", {5}, t_data, {}, 0.95), t_far = fit_data("student_t", {5}, scaled(t_data, c), {}, 0.95);
    CHECK(t_far.converged);
    check_rescaled(t_far.parameters[1], t_one.parameters[1], c);
  }
}

// One value of 1e300 among 50 near 5 was refused as "too few distinct values".
TEST_CASE("fit: one value of 1e300 among 50 near 5") {
  std::vector<double> x;
  for (int i = 0; i < 50; ++i) x.push_back(5 + 0.01 * (i - 25));
  x.push_back(1e300);
  // The exponential and gamma MLEs exist and are representable.
  const auto exponential = fit_data("exponential", {}, x, {}, 0.95);
  REQUIRE(exponential.data_problem.empty());
  CHECK(exponential.parameters[0].estimate == doctest::Approx(51 / (1e300 + 250)).epsilon(1e-12));
  REQUIRE(exponential.parameters[0].se);
  CHECK(*exponential.parameters[0].se == doctest::Approx(exponential.parameters[0].estimate / std::sqrt(51.0)).epsilon(1e-9));
  const auto gamma = fit_data("gamma", {}, x, {}, 0.95);
  REQUIRE(gamma.data_problem.empty());
  CHECK(gamma.converged);
  // The Cauchy's location is the bulk's: log(1 + z^2) no longer overflows at z = 1e300.
  const auto cauchy = fit_data("cauchy", {}, x, {}, 0.95);
  REQUIRE(cauchy.data_problem.empty());
  CHECK(cauchy.converged);
  CHECK(std::abs(cauchy.parameters[0].estimate - 5) < 0.2);
  REQUIRE(cauchy.parameters[0].se);
  // The normal's variance, about 2e597, is not a double: said so, not blamed on the data.
  const auto normal = fit_data("normal", {}, x, {}, 0.95);
  CHECK(normal.data_problem.find("beyond double precision") != std::string::npos);
  CHECK(normal.data_problem.find("distinct") == std::string::npos);
}

// A coefficient of variation of 0.07%: shape about 2e6, where log(mean) -
// mean(log x) kept 9 digits and Newton did not converge.
TEST_CASE("fit: gamma data with a coefficient of variation of 0.07%") {
  std::vector<double> x;
  for (int i = 1; i <= 60; ++i) x.push_back(5 * (1 + 0.0007 * boost::math::quantile(boost::math::normal(), (i - 0.5) / 60)));
  const auto fit = fit_data("gamma", {}, x, {}, 0.95);
  REQUIRE(fit.data_problem.empty());
  CHECK(fit.converged);
  const auto& shape = fit.parameters[0];
  CHECK(shape.estimate > 1e6);
  CHECK(shape.estimate < 4e6);
  REQUIRE(shape.se);
  // At a large shape the SE of the shape is shape sqrt(2/n) to O(1/shape).
  CHECK(*shape.se == doctest::Approx(shape.estimate * std::sqrt(2.0 / 60)).epsilon(1e-3));
  CHECK(fit.notes.empty());
}

// df = 1e300 is a normal to all digits: the t fit is the normal's (the
// location the mean, the scale the 1/n SD). The lgamma difference in the
// log-likelihood's constant kept no digit there, and Newton stalled.
TEST_CASE("fit: Student t with df = 1e300 is the normal fit; df = 1e-300 is refused with the supported range") {
  const auto x = read_column(data + "normal.csv", std::string("1")).values;
  const auto t = fit_data("student_t", {1e300}, x, {}, 0.95), normal = fit_data("normal", {}, x, {}, 0.95);
  REQUIRE(t.data_problem.empty());
  CHECK(t.converged);
  CHECK(t.parameters[0].estimate == doctest::Approx(normal.parameters[0].estimate).epsilon(1e-9));
  CHECK(t.parameters[1].estimate == doctest::Approx(std::sqrt(normal.parameters[1].estimate)).epsilon(1e-9));
  REQUIRE(t.parameters[0].se);
  CHECK(*t.parameters[0].se == doctest::Approx(*normal.parameters[0].se).epsilon(1e-8));
  const std::vector<double> tiny{1e-300};
  CHECK(find_family("student_t")->check_known(tiny) == "df is 1e-300, but must be in [0.1, 1e+300] for double precision");
}

// The uniform's MLE is the sample maximum, to the bit, in any units: fitted
// on data divided by their mean and multiplied back, it came back an ulp
// below the maximum on some samples (here 3 of the 8), where the likelihood
// is 0 and the profile's lower bound fell outside the support.
TEST_CASE("fit: the uniform's estimate and its lower profile bound are the sample maximum") {
  std::mt19937_64 engine(20261126);
  for (double c : {1e-300, 1e-3, 1.0, 7.0, 1e5, 1e300}) {
    for (int sample = 0; sample < 8; ++sample) {
      std::vector<double> x(40);
      for (double& xi : x) xi = c * std::uniform_real_distribution<double>(0.5, 7)(engine);
      const double top = *std::max_element(x.begin(), x.end());
      const auto fit = fit_data("uniform", {}, x, {}, 0.95);
      CAPTURE(c);
      CAPTURE(sample);
      REQUIRE(fit.data_problem.empty());
      CHECK(fit.parameters[0].estimate == top);
      REQUIRE(fit.parameters[0].profile_low);
      CHECK(*fit.parameters[0].profile_low == top);
    }
  }
}

TEST_CASE("fit: every absent figure carries a note saying why") {
  const auto x = read_column(data + "weibull.csv", std::string("strength")).values;
  for (const auto& family : family_catalog()) {
    if (family.support != support_kind::positive || !family.known.empty()) continue;
    const auto fit = fit_data(std::string(family.name), {}, x, {}, 0.95);
    if (!fit.data_problem.empty()) continue;
    CAPTURE(family.name);
    for (const auto& p : fit.parameters) {
      const bool absent = !p.se || !p.profile_low || !p.profile_high;
      if (absent) CHECK_FALSE(fit.notes.empty());
    }
  }
}

namespace {

// A brute-force profile bound, shared with nothing in data_fit.cpp: the
// profile log-likelihood of coordinate j maximized over the other coordinate
// by Brent's minimization (Boost.Math, on a log scale for a positive one), its
// crossing of the threshold bracketed by doubling steps of an SE and found by
// TOMS 748 to 1e-14. Serial sums of the family's own log-likelihood over the
// data as they are (no blocks, no counts, no units).
template <family F>
std::optional<double> reference_bound(const F& f, std::span<const double> x, const typename F::parameters& best,
                                      const std::vector<double>& se, int j, double threshold, double side) {
  using P = typename F::parameters;
  const auto likelihood = [&](const P& t) {
    if (!space_problem<F>(t).empty()) return -std::numeric_limits<double>::infinity();
    const double value = f.log_likelihood(t, x);
    return std::isnan(value) ? -std::numeric_limits<double>::infinity() : value;
  };
  const auto profile = [&](double eta) {
    P t = best;
    t[j] = eta;
    if constexpr (F::dimension == 1) {
      return likelihood(t);
    } else {
      const int o = 1 - j;
      P negative = best;
      negative[o] = -best[o];
      const bool positive = best[o] > 0 && !space_problem<F>(negative).empty();
      const auto minus = [&](double u) {
        P v = t;
        v[o] = positive ? best[o] * std::exp(u) : u;
        const double value = likelihood(v);
        return std::isfinite(value) ? -value : 1e300;
      };
      const double low = positive ? -3 : best[o] - 40 * se[static_cast<std::size_t>(o)];
      const double high = positive ? 3 : best[o] + 40 * se[static_cast<std::size_t>(o)];
      return -boost::math::tools::brent_find_minima(minus, low, high, std::numeric_limits<double>::digits).second;
    }
  };
  double inside = best[j], step = se[static_cast<std::size_t>(j)], outside = inside;
  for (int k = 0;; ++k, step *= 2) {
    if (k == 60) return std::nullopt;
    outside = best[j] + side * step;
    if (!(profile(outside) >= threshold)) break;
    inside = outside;
  }
  while (!std::isfinite(profile(outside)) && std::abs(outside - inside) > 1e-15 * std::abs(inside)) {
    const double middle = (inside + outside) / 2;
    (profile(middle) >= threshold ? inside : outside) = middle;
  }
  if (!std::isfinite(profile(outside))) return inside;
  std::uintmax_t iterations = 500;
  const auto [a, b] = boost::math::tools::toms748_solve(
      [&](double eta) { return profile(eta) - threshold; }, std::min(inside, outside), std::max(inside, outside),
      [&](double a, double b) { return std::abs(a - b) <= 1e-14 * std::max(std::abs(a), std::abs(b)); }, iterations);
  return (a + b) / 2;
}

template <family F>
std::vector<double> draws(const F& f, const typename F::parameters& theta, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  auto draw = f.sampler(theta);
  std::vector<double> x(n);
  for (double& xi : x) xi = draw(engine);
  return x;
}

// Checks every profile bound of `fit` against reference_bound, to 1e-8 of
// the larger of the bound and the parameter's SE.
template <family F>
void check_profiles(const F& f, const std::vector<double>& x, const data_fit& fit) {
  using P = typename F::parameters;
  P best;
  std::vector<double> se;
  for (int j = 0; j < F::dimension; ++j) {
    best[j] = fit.parameters[static_cast<std::size_t>(j)].estimate;
    const auto& s = fit.parameters[static_cast<std::size_t>(j)].se;
    se.push_back(s ? *s : 0.01 * std::abs(best[j]));
  }
  const double threshold = f.log_likelihood(best, x) - boost::math::quantile(boost::math::chi_squared(1), 0.95) / 2;
  for (int j = 0; j < F::dimension; ++j) {
    const auto& p = fit.parameters[static_cast<std::size_t>(j)];
    CAPTURE(p.name);
    for (double side : {-1.0, 1.0}) {
      CAPTURE(side);
      const auto reference = reference_bound(f, x, best, se, j, threshold, side);
      const auto& bound = side < 0 ? p.profile_low : p.profile_high;
      REQUIRE(bound.has_value() == reference.has_value());
      if (bound)
        CHECK(std::abs(*bound - *reference) <= 1e-8 * std::max(std::abs(*reference), se[static_cast<std::size_t>(j)]));
    }
  }
}

}  // namespace

// The profile bounds are solved fast (Newton on the bound's equations, TOMS
// 748 on a one-parameter profile, data in parallel blocks or as distinct
// values with counts); here every family's against the brute force above, on
// 40 draws and, for a family of each path, on 30000 (parallel blocks; or
// counts for the discrete ones). Fixed seeds: nothing random can fail.
TEST_CASE("fit: every family's profile bounds against a brute-force profile") {
  struct sample {
    std::string family;
    std::vector<double> theta, known;
    std::size_t n;
  };
  const std::vector<sample> samples{
      {"normal", {10, 4}, {}, 40},          {"exponential", {0.5}, {}, 40},
      {"poisson", {3.2}, {}, 40},           {"bernoulli", {0.3}, {}, 40},
      {"gamma", {2.5, 1.5}, {}, 40},        {"uniform", {7}, {}, 40},
      {"geometric", {0.2}, {}, 40},         {"negative_binomial", {3, 0.4}, {}, 40},
      {"laplace", {3, 2}, {}, 40},          {"lognormal", {1, 0.25}, {}, 40},
      {"weibull", {1.9, 3}, {}, 40},        {"beta", {2, 5}, {}, 40},
      {"cauchy", {10, 2}, {}, 40},          {"logistic", {5, 1.5}, {}, 40},
      {"binomial", {0.35}, {12}, 40},       {"pareto", {3}, {1}, 40},
      {"student_t", {10, 3}, {5}, 40},      {"weibull", {1.9, 3}, {}, 30000},
      {"cauchy", {10, 2}, {}, 30000},       {"poisson", {3.2}, {}, 30000},
      {"negative_binomial", {3, 0.4}, {}, 30000},
  };
  for (const auto& s : samples) {
    CAPTURE(s.family);
    CAPTURE(s.n);
    visit_family(s.family, [&]<class F>() {
      const F f = make_family<F>(s.known);
      const auto x = draws(f, typename F::parameters(Eigen::Map<const typename F::parameters>(s.theta.data())), s.n, 20261126);
      const auto fit = fit_data(s.family, s.known, x, {}, 0.95);
      REQUIRE(fit.data_problem.empty());
      REQUIRE(fit.converged);
      check_profiles(f, x, fit);
    });
  }
}

// --no-profile: the same fit, Wald intervals and SEs to the bit, no profile
// bounds, and a note that says why.
TEST_CASE("fit: without profiles, the rest is unchanged and the absence has a note") {
  for (const auto& [family, file, column] : {std::tuple{"gamma", "gamma.csv", "rainfall"},
                                             std::tuple{"weibull", "weibull.csv", "strength"},
                                             std::tuple{"poisson", "poisson.csv", "count"}}) {
    CAPTURE(family);
    const auto x = read_column(data + file, std::string(column)).values;
    const auto with = fit_data(family, {}, x, {}, 0.95), without = fit_data(family, {}, x, {}, 0.95, false);
    CHECK(without.log_likelihood == with.log_likelihood);
    REQUIRE(without.parameters.size() == with.parameters.size());
    for (std::size_t j = 0; j < with.parameters.size(); ++j) {
      const auto &a = with.parameters[j], &b = without.parameters[j];
      CHECK(b.estimate == a.estimate);
      CHECK(b.se == a.se);
      CHECK(b.wald_low == a.wald_low);
      CHECK(b.wald_high == a.wald_high);
      CHECK(a.profile_low);
      CHECK_FALSE(b.profile_low);
      CHECK_FALSE(b.profile_high);
    }
    REQUIRE(without.notes.size() == with.notes.size() + 1);
    CHECK(without.notes.back().find("--no-profile") != std::string::npos);
  }
  const auto columns = read_columns(data + "cars.csv", {"dist", "speed"});
  const auto without = fit_regression_data("linear_regression", columns[0].values, {columns[1].values}, {"speed"},
                                           true, 0.95, false);
  for (const auto& p : without.parameters) {
    CHECK(p.se);
    CHECK_FALSE(p.profile_low);
    CHECK_FALSE(p.profile_high);
  }
  CHECK(without.notes.back().find("--no-profile") != std::string::npos);
}

namespace {

// One parameter's row as `mlesim fit`'s table prints it (reports/fit_report.cpp):
// the estimate to 8 significant digits, the SE and interval ends to 6.
std::string printed(const fitted_parameter& p) {
  return fmt::format("{} {:.8g} {} [{}, {}] [{}, {}]", p.name, p.estimate, format::brief(p.se, 6),
                     format::brief(p.wald_low, 6), format::brief(p.wald_high, 6), format::brief(p.profile_low, 6),
                     format::brief(p.profile_high, 6));
}

// A family's fit the slow way, sharing nothing with data_fit.cpp's paths:
// the family's own estimator on the data as they are (no units), the SEs from
// its observed information summed serially, and the profile bounds by
// reference_bound (a refit of the other parameter by Brent at every point).
template <family F>
std::vector<fitted_parameter> slow_family_fit(const F& f, const std::vector<double>& x, double level) {
  using P = typename F::parameters;
  const auto fit = f.fit(x);
  REQUIRE(fit.converged);
  const P best = fit.theta;
  const Eigen::MatrixXd covariance = Eigen::MatrixXd(f.observed_information(best, x)).inverse();
  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  const double threshold =
      f.log_likelihood(best, x) - boost::math::quantile(boost::math::chi_squared(1), level) / 2;
  std::vector<double> se;
  for (int j = 0; j < F::dimension; ++j) se.push_back(std::sqrt(covariance(j, j)));
  std::vector<fitted_parameter> out;
  for (int j = 0; j < F::dimension; ++j) {
    const double s = se[static_cast<std::size_t>(j)];
    out.push_back({std::string(F::parameter_names[j]), best[j], false, s, best[j] - z * s, best[j] + z * s,
                   reference_bound(f, x, best, se, j, threshold, -1), reference_bound(f, x, best, se, j, threshold, 1)});
  }
  return out;
}

struct regression_sample {
  std::vector<double> y;
  std::vector<std::vector<double>> covariates;  // x1 normal, x2 binary
};

// n rows of y on an intercept, a standard normal and a Bernoulli(0.4)
// covariate, with coefficients (0.5, 0.8, -0.6) (sigma2 = 2.25 for the linear model).
regression_sample regression_draws(const regression_model& model, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution coin(0.4);
  regression_sample s;
  s.covariates.assign(2, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = normal(engine), x2 = coin(engine) ? 1 : 0;
    s.covariates[0][i] = x1;
    s.covariates[1][i] = x2;
    s.y.push_back(draw_response(model, 0.5 + 0.8 * x1 - 0.6 * x2, 2.25, engine));
  }
  return s;
}

// A regression's fit the slow way fit took before: every profile bound by
// TOMS 748 (to 1e-14) on the profile log-likelihood, each of its points a
// refit of the other coefficients with the held one's column as an offset
// (sigma2's profile: beta-hat held, the log-likelihood summed over the rows),
// bracketed by doubling steps of an SE. The estimates and SEs as fit computes them.
std::vector<fitted_parameter> slow_regression_fit(const regression_model& model, const regression_sample& s,
                                                  double level) {
  const auto n = static_cast<Eigen::Index>(s.y.size());
  design_matrix x(n, 3);
  x.col(0).setOnes();
  x.col(1) = Eigen::Map<const Eigen::VectorXd>(s.covariates[0].data(), n);
  x.col(2) = Eigen::Map<const Eigen::VectorXd>(s.covariates[1].data(), n);
  const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(s.y.data(), n);
  const regression_fit fit = fit_regression(model, x, y);
  REQUIRE(fit.converged);
  const Eigen::VectorXd& theta = fit.theta;
  const Eigen::MatrixXd covariance = regression_observed_information(model, x, y, theta).inverse();
  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  const double threshold =
      regression_log_likelihood(model, x, y, theta) - boost::math::quantile(boost::math::chi_squared(1), level) / 2;
  const std::vector<std::string> names = regression_parameters(model, {"intercept", "x1", "x2"});
  std::vector<fitted_parameter> out;
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    const double se = std::sqrt(covariance(j, j));
    const auto profile = [&](double held) {
      Eigen::VectorXd t = theta;
      t[j] = held;
      if (j < 3) {
        design_matrix others(n, 2);
        others << x.leftCols(j), x.rightCols(2 - j);
        const regression_fit restricted = fit_regression(model, others, y, Eigen::VectorXd(held * x.col(j)));
        REQUIRE(restricted.converged);
        t << restricted.theta.head(j), held, restricted.theta.segment(j, theta.size() - j - 1);
      }
      return regression_log_likelihood(model, x, y, t) - threshold;
    };
    std::optional<double> bounds[2];
    for (int k = 0; k < 2; ++k) {
      const double side = k == 0 ? -1 : 1;
      double inside = theta[j], outside = theta[j], step = se;
      while (profile(outside = theta[j] + side * step) >= 0) inside = outside, step *= 2;
      std::uintmax_t iterations = 500;
      const auto [a, b] = boost::math::tools::toms748_solve(
          profile, std::min(inside, outside), std::max(inside, outside),
          [](double a, double b) { return std::abs(a - b) <= 1e-14 * std::max(std::abs(a), std::abs(b)); },
          iterations);
      bounds[k] = (a + b) / 2;
    }
    out.push_back({names[static_cast<std::size_t>(j)], theta[j], false, se, theta[j] - z * se, theta[j] + z * se,
                   bounds[0], bounds[1]});
  }
  return out;
}

}  // namespace

// What fit prints is what the slow path gave: each parameter's row of the
// table (estimate, SE, Wald and profile intervals, to the digits printed),
// for samples of 30000 (two blocks of the parallel sums), by the fast path
// (units, blocks, Newton on the bound's equations, the linear model's
// closed form) and by the slow one above. Fixed seeds: nothing random can fail.
TEST_CASE("fit: the printed figures are the slow path's, for families and regressions") {
  struct sample {
    std::string family;
    std::vector<double> theta, known;
  };
  for (const auto& s : std::vector<sample>{{"gamma", {2.5, 1.5}, {}},
                                           {"beta", {2, 5}, {}},
                                           {"logistic", {5, 1.5}, {}},
                                           {"student_t", {10, 3}, {5}}}) {
    CAPTURE(s.family);
    visit_family(s.family, [&]<class F>() {
      if constexpr (regular_family<F>) {
        const F f = make_family<F>(s.known);
        const auto x = draws(f, typename F::parameters(Eigen::Map<const typename F::parameters>(s.theta.data())), 30000, 12);
        const auto fast = fit_data(s.family, s.known, x, {}, 0.95);
        REQUIRE(fast.converged);
        const auto slow = slow_family_fit(f, x, 0.95);
        REQUIRE(fast.parameters.size() == slow.size());
        for (std::size_t j = 0; j < slow.size(); ++j) CHECK(printed(fast.parameters[j]) == printed(slow[j]));
      } else {
        FAIL("not a regular family");
      }
    });
  }
  for (const char* name : {"linear_regression", "logistic_regression", "poisson_regression"}) {
    CAPTURE(name);
    const regression_model& model = *find_regression(name);
    const regression_sample s = regression_draws(model, 30000, 13);
    const auto fast = fit_regression_data(name, s.y, s.covariates, {"x1", "x2"}, true, 0.95);
    REQUIRE(fast.converged);
    const auto slow = slow_regression_fit(model, s, 0.95);
    REQUIRE(fast.parameters.size() == slow.size());
    for (std::size_t j = 0; j < slow.size(); ++j) {
      CHECK(printed(fast.parameters[j]) == printed(slow[j]));
      // And closer than printed: the bounds to 1e-9 of the SE.
      for (const auto& [a, b] : {std::pair{fast.parameters[j].profile_low, slow[j].profile_low},
                                 std::pair{fast.parameters[j].profile_high, slow[j].profile_high}}) {
        REQUIRE(a);
        CHECK(std::abs(*a - *b) <= 1e-9 * *slow[j].se);
      }
    }
  }
}

// The sums over the data run in parallel blocks added in block order: every
// figure of a fit is the same, to the bit, on one thread as on all, for
// families (blocks, or distinct values and counts) and regressions, at
// 100 000 observations (7 blocks).
TEST_CASE("fit: every figure the same on one thread as on all") {
  const auto same = [](const data_fit& a, const data_fit& b) {
    CHECK(a.log_likelihood == b.log_likelihood);
    CHECK(a.iterations == b.iterations);
    CHECK(a.notes == b.notes);
    REQUIRE(a.parameters.size() == b.parameters.size());
    for (std::size_t j = 0; j < a.parameters.size(); ++j) {
      const auto &p = a.parameters[j], &q = b.parameters[j];
      CHECK(p.estimate == q.estimate);
      for (const auto& [u, v] : {std::pair{p.se, q.se}, std::pair{p.wald_low, q.wald_low},
                                 std::pair{p.wald_high, q.wald_high}, std::pair{p.profile_low, q.profile_low},
                                 std::pair{p.profile_high, q.profile_high}}) {
        REQUIRE(u);
        REQUIRE(v);
        CHECK(*u == *v);
      }
    }
  };
  struct sample {
    std::string family;
    std::vector<double> theta, known;
  };
  for (const auto& s : std::vector<sample>{
           {"weibull", {1.9, 3}, {}}, {"cauchy", {10, 2}, {}}, {"negative_binomial", {3, 0.4}, {}}, {"gamma", {2.5, 1.5}, {}}}) {
    CAPTURE(s.family);
    visit_family(s.family, [&]<class F>() {
      const F f = make_family<F>(s.known);
      const auto x = draws(f, typename F::parameters(Eigen::Map<const typename F::parameters>(s.theta.data())), 100000, 14);
      const auto all = fit_data(s.family, s.known, x, {}, 0.95);
      const tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
      same(fit_data(s.family, s.known, x, {}, 0.95), all);
    });
  }
  for (const char* name : {"linear_regression", "logistic_regression", "poisson_regression"}) {
    CAPTURE(name);
    const regression_sample s = regression_draws(*find_regression(name), 100000, 15);
    const auto all = fit_regression_data(name, s.y, s.covariates, {"x1", "x2"}, true, 0.95);
    const tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    same(fit_regression_data(name, s.y, s.covariates, {"x1", "x2"}, true, 0.95), all);
  }
}

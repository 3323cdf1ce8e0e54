// `mlesim fit` on data sets in tests/data, against reference values computed
// independently with SciPy (tests/data/references.py prints them): the gamma
// shape by Brent's method on log k - digamma(k) = log(mean) - mean(log x) at
// 1e-15 (scipy.stats.gamma.fit(x, floc=0) agrees to all digits shown), its SEs
// from the inverse of n * [[trigamma(k), -1/b], [-1/b, k/b^2]], the
// log-likelihoods as sums of scipy.stats log-densities, and the profile
// bounds by Brent's method on the profile log-likelihood (the normal mean's
// in closed form, mu-hat +- sqrt(sigma2-hat (exp(chi2/n) - 1))).
#include "estimators/data_fit.hpp"
#include "experiments/config.hpp"
#include "experiments/data.hpp"

#include <doctest/doctest.h>

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

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

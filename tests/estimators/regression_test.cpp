// The theory checks of the three regression models, as for the families:
// log-likelihood against Boost.Math densities, score against numeric
// differences, information against the variance of the score, the MLE
// against a second method.
#include "estimators/maximize.hpp"
#include "estimators/regression.hpp"
#include "sim/stream.hpp"

#include <boost/math/distributions/bernoulli.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <doctest/doctest.h>

#include <Eigen/Cholesky>

#include <cmath>

using namespace mlesim;

namespace {

const regression_model& model(std::string_view name) { return *find_regression(name); }

// An intercept and two covariates, one continuous and one binary.
design_matrix design(std::size_t n, std::uint64_t seed) {
  philox_stream engine(seed, experiment_key("regression-tests"), n, 0);
  boost::random::normal_distribution<double> normal;
  boost::random::bernoulli_distribution<double> coin(0.4);
  design_matrix x(static_cast<Eigen::Index>(n), 3);
  for (Eigen::Index i = 0; i < x.rows(); ++i) x.row(i) << 1, normal(engine), coin(engine) ? 1 : 0;
  return x;
}

Eigen::VectorXd theta_of(const regression_model& m) {
  Eigen::VectorXd theta(m.dispersion ? 4 : 3);
  theta.head(3) << 0.3, 0.8, -0.6;
  if (m.dispersion) theta[3] = 1.7;
  return theta;
}

Eigen::VectorXd responses(const regression_model& m, const design_matrix& x, const Eigen::VectorXd& theta,
                          std::uint64_t seed) {
  philox_stream engine(seed, experiment_key("regression-responses"), static_cast<std::uint64_t>(x.rows()), 0);
  const Eigen::VectorXd eta = x * theta.head(3);
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < y.size(); ++i) y[i] = draw_response(m, eta[i], m.dispersion ? theta[3] : 1, engine);
  return y;
}

const char* const models[] = {"linear_regression", "logistic_regression", "poisson_regression"};

}  // namespace

TEST_CASE("regression: log-likelihood is the sum of Boost.Math's log-densities") {
  const auto x = design(30, 1);
  for (const char* name : models) {
    const auto& m = model(name);
    const Eigen::VectorXd theta = theta_of(m);
    const Eigen::VectorXd y = responses(m, x, theta, 2);
    const Eigen::VectorXd eta = x * theta.head(3);
    double expected = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      if (m.type == regression_model::kind::linear)
        expected += std::log(pdf(boost::math::normal_distribution<>(eta[i], std::sqrt(theta[3])), y[i]));
      else if (m.type == regression_model::kind::logistic)
        expected += std::log(pdf(boost::math::bernoulli_distribution<>(1 / (1 + std::exp(-eta[i]))), y[i]));
      else
        expected += std::log(pdf(boost::math::poisson_distribution<>(std::exp(eta[i])), y[i]));
    }
    CAPTURE(name);
    CHECK(regression_log_likelihood(m, x, y, theta) == doctest::Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("regression: score is the gradient and observed information minus the Hessian") {
  const auto x = design(40, 3);
  for (const char* name : models) {
    const auto& m = model(name);
    const Eigen::VectorXd theta = theta_of(m);
    const Eigen::VectorXd y = responses(m, x, theta, 4);
    const Eigen::VectorXd score = regression_score(m, x, y, theta);
    const Eigen::MatrixXd observed = regression_observed_information(m, x, y, theta);
    for (Eigen::Index j = 0; j < theta.size(); ++j) {
      const double h = 1e-6;
      Eigen::VectorXd up = theta, down = theta;
      up[j] += h;
      down[j] -= h;
      CAPTURE(name);
      CAPTURE(j);
      const double numeric = (regression_log_likelihood(m, x, y, up) - regression_log_likelihood(m, x, y, down)) / (2 * h);
      CHECK(score[j] == doctest::Approx(numeric).epsilon(1e-5).scale(40));
      const Eigen::VectorXd column = -(regression_score(m, x, y, up) - regression_score(m, x, y, down)) / (2 * h);
      for (Eigen::Index i = 0; i < theta.size(); ++i)
        CHECK(observed(i, j) == doctest::Approx(column[i]).epsilon(1e-5).scale(40));
    }
  }
}

TEST_CASE("regression: the expected information is the variance of the score given X") {
  // 20000 response vectors on one fixed design: E score = 0 and E score score' = X'WX,
  // each entry within 5 of its own Monte Carlo SEs (false failure below 6e-7 per entry).
  const auto x = design(25, 5);
  constexpr int draws = 20'000;
  for (const char* name : models) {
    const auto& m = model(name);
    const Eigen::VectorXd theta = theta_of(m);
    const auto k = theta.size();
    std::vector<Eigen::VectorXd> scores;
    for (int d = 0; d < draws; ++d) scores.push_back(regression_score(m, x, responses(m, x, theta, 100 + d), theta));
    const Eigen::MatrixXd information = regression_information(m, x, theta);
    CAPTURE(name);
    for (Eigen::Index a = 0; a < k; ++a) {
      double mean = 0, square = 0;
      for (const auto& s : scores) mean += s[a] / draws;
      for (const auto& s : scores) square += (s[a] - mean) * (s[a] - mean) / draws;
      CHECK(std::abs(mean) <= 5 * std::sqrt(square / draws));
      for (Eigen::Index b = 0; b < k; ++b) {
        double product = 0, spread = 0;
        for (const auto& s : scores) product += s[a] * s[b] / draws;
        for (const auto& s : scores) spread += std::pow(s[a] * s[b] - product, 2) / draws;
        CAPTURE(a);
        CAPTURE(b);
        CHECK(std::abs(product - information(a, b)) <= 5 * std::sqrt(spread / draws) + 1e-12);
      }
    }
  }
}

TEST_CASE("regression: the linear MLE solves the normal equations, sigma2-hat = RSS/n") {
  const auto& m = model("linear_regression");
  const auto x = design(60, 6);
  const Eigen::VectorXd y = responses(m, x, theta_of(m), 7);
  const auto fit = fit_regression(m, x, y);
  REQUIRE(fit.converged);
  // A second method: Cholesky of X'X, against the fit's QR.
  const Eigen::VectorXd beta = (x.transpose() * x).ldlt().solve(x.transpose() * y);
  for (int j = 0; j < 3; ++j) CHECK(fit.theta[j] == doctest::Approx(beta[j]).epsilon(1e-10));
  CHECK(fit.theta[3] == doctest::Approx((y - x * beta).squaredNorm() / 60).epsilon(1e-10));
}

TEST_CASE("regression: the logistic and poisson MLEs agree with a numeric maximizer and are stationary") {
  for (const char* name : {"logistic_regression", "poisson_regression"}) {
    const auto& m = model(name);
    const auto x = design(200, 8);
    const Eigen::VectorXd y = responses(m, x, theta_of(m), 9);
    const auto fit = fit_regression(m, x, y);
    CAPTURE(name);
    REQUIRE(fit.converged);
    CHECK(regression_score(m, x, y, fit.theta).cwiseAbs().maxCoeff() <= 1e-8);
    const auto direct = maximize_numeric<Eigen::Dynamic>(
        [&](const Eigen::VectorXd& t) { return regression_log_likelihood(m, x, y, t); }, Eigen::VectorXd(Eigen::VectorXd::Zero(3)));
    REQUIRE(direct.converged);
    for (int j = 0; j < 3; ++j) CHECK(fit.theta[j] == doctest::Approx(direct.theta[j]).epsilon(1e-7));
  }
}

TEST_CASE("regression: separation, a rank-deficient design and an exact fit leave no MLE, and say so") {
  design_matrix x(6, 2);
  x << 1, -3, 1, -2, 1, -1, 1, 1, 1, 2, 1, 3;
  const Eigen::VectorXd separated = (Eigen::VectorXd(6) << 0, 0, 0, 1, 1, 1).finished();
  const auto logistic = fit_regression(model("logistic_regression"), x, separated);
  CHECK_FALSE(logistic.converged);
  CHECK(logistic.problem.find("separated") != std::string::npos);

  design_matrix collinear(6, 3);
  collinear << x, 2 * x.col(1);
  const auto rank = fit_regression(model("poisson_regression"), collinear, separated);
  CHECK_FALSE(rank.converged);
  CHECK(rank.problem.find("rank 2 < 3") != std::string::npos);

  const Eigen::VectorXd line = 1 + 2 * x.col(1).array();
  const auto exact = fit_regression(model("linear_regression"), x, line);
  CHECK_FALSE(exact.converged);
  CHECK(exact.problem.find("exact") != std::string::npos);
}

TEST_CASE("regression: an offset holds a coefficient: fitting the others matches the constrained maximum") {
  const auto& m = model("poisson_regression");
  const auto x = design(150, 10);
  const Eigen::VectorXd y = responses(m, x, theta_of(m), 11);
  const double held = 0.5;
  const auto fit = fit_regression(m, x.leftCols(2), y, Eigen::VectorXd(held * x.col(2)));
  REQUIRE(fit.converged);
  Eigen::VectorXd full(3);
  full << fit.theta, held;
  const Eigen::VectorXd score = regression_score(m, x, y, full);
  CHECK(std::abs(score[0]) <= 1e-8);
  CHECK(std::abs(score[1]) <= 1e-8);
}

// glm_point, the one sweep a data set's profile bounds take at each step:
// the same log-likelihood (less the poisson's constant sum log y!), score and
// observed information as the three functions above, on 40 rows (one block)
// and on 40 000 (three blocks, in parallel), to rounding.
TEST_CASE("regression: glm_point is the log-likelihood, score and information in one sweep") {
  for (const std::size_t n : {std::size_t{40}, std::size_t{40'000}}) {
    const auto x = design(n, 12);
    for (const char* name : {"logistic_regression", "poisson_regression"}) {
      const auto& m = model(name);
      const Eigen::VectorXd theta = theta_of(m);
      const Eigen::VectorXd y = responses(m, x, theta, 13);
      CAPTURE(name);
      CAPTURE(n);
      const regression_point point = glm_point(m, x, y, theta);
      double constant = 0;
      if (m.type == regression_model::kind::poisson)
        for (Eigen::Index i = 0; i < y.size(); ++i) constant += std::lgamma(y[i] + 1);
      CHECK(point.log_likelihood - constant == doctest::Approx(regression_log_likelihood(m, x, y, theta)).epsilon(1e-12));
      const Eigen::VectorXd score = regression_score(m, x, y, theta);
      const Eigen::MatrixXd information = regression_observed_information(m, x, y, theta);
      // The score is near 0 at the truth: compared on the scale of its SD, sqrt(information).
      for (Eigen::Index a = 0; a < 3; ++a) {
        CHECK(std::abs(point.score[a] - score[a]) <= 1e-12 * std::sqrt(information(a, a)) * std::sqrt(double(n)));
        for (Eigen::Index b = 0; b < 3; ++b)
          CHECK(point.information(a, b) == doctest::Approx(information(a, b)).epsilon(1e-12));
      }
    }
  }
}

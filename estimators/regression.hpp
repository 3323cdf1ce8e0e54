// Conditional models: the MLE of a regression's coefficients from the
// conditional log-likelihood of y given the design X. Three generalized
// linear models with their canonical links, so one Newton iteration serves
// all three and the observed information equals the expected one at every
// beta (for the linear model's sigma2, at the MLE):
//   linear_regression    y ~ Normal(x'beta, sigma2)      theta = (beta, sigma2)
//   logistic_regression  y ~ Bernoulli(1/(1 + e^-x'beta)) theta = beta
//   poisson_regression   y ~ Poisson(e^x'beta)            theta = beta
#pragma once

#include "estimators/family.hpp"

#include <Eigen/Core>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

struct regression_model {
  enum class kind { linear, logistic, poisson };
  kind type;
  std::string_view name;
  std::string_view summary;
  support_kind response;  // the values y may take
  bool dispersion;        // sigma2 is a parameter (the linear model)
};

const std::vector<regression_model>& regression_catalog();
const regression_model* find_regression(std::string_view name);  // nullptr if unknown
std::string regression_names();                                  // "linear_regression, ..."

// The parameter names: one per design column, then sigma2 if the model has it.
std::vector<std::string> regression_parameters(const regression_model& model, const std::vector<std::string>& columns);

using design_matrix = Eigen::MatrixXd;  // n rows; the intercept's column of ones, when present, is a column like any

struct regression_fit {
  Eigen::VectorXd theta;  // coefficients, then sigma2 for the linear model
  bool converged = false;
  int iterations = 0;
  std::string problem;    // why there is no MLE when not converged: rank deficiency, separation, ...
};

// The MLE: least squares (by a rank-revealing QR) for the linear model with
// sigma2 = RSS/n; Newton's method for the others, started from one
// weighted least-squares step from mu = (y + 1/2)/2 (logistic) or y + 1/10
// (poisson) as R's glm starts, with step halving on the log-likelihood, to
// a relative step of 1e-10. `offset` is added to the linear predictor (for
// profiles: a coefficient held, its column moved to the offset).
// Separation (a logistic fit whose probabilities run to 0 or 1) and a
// design without full column rank give converged = false and a `problem`.
regression_fit fit_regression(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                              const Eigen::VectorXd& offset);
regression_fit fit_regression(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y);

double regression_log_likelihood(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& theta);
Eigen::VectorXd regression_score(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& theta);
// The expected information of the whole sample given X: X'WX (and n/(2 sigma2^2)).
Eigen::MatrixXd regression_information(const regression_model& model, const design_matrix& x,
                                       const Eigen::VectorXd& theta);
// Minus the Hessian of the log-likelihood.
Eigen::MatrixXd regression_observed_information(const regression_model& model, const design_matrix& x,
                                                const Eigen::VectorXd& y, const Eigen::VectorXd& theta);

// The log-likelihood, score and observed information of a logistic or
// poisson regression (not the linear one) at beta, in one sweep over the
// rows: for a data set's profile intervals, which need all three at each
// step. The log-likelihood leaves out the poisson's constant -sum log y!
// (the same at every beta). The rows are summed in blocks of 16 384 on all
// cores, the blocks added in order: the same figures on any number of
// threads, and for one block the same sums as a serial loop.
struct regression_point {
  double log_likelihood;
  Eigen::VectorXd score;
  Eigen::MatrixXd information;
};
regression_point glm_point(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& beta);

// The information weight of one observation at linear predictor eta:
// 1/sigma2, mu(1 - mu) or mu. The expected information is sum w x x'.
double information_weight(const regression_model& model, double eta, double sigma2);

// One response y given its linear predictor eta.
template <class Engine>
double draw_response(const regression_model& model, double eta, double sigma2, Engine& engine) {
  switch (model.type) {
    case regression_model::kind::linear:
      return boost::random::normal_distribution<double>(eta, std::sqrt(sigma2))(engine);
    case regression_model::kind::logistic:
      return boost::random::bernoulli_distribution<double>(1 / (1 + std::exp(-eta)))(engine) ? 1.0 : 0.0;
    case regression_model::kind::poisson:
      return static_cast<double>(boost::random::poisson_distribution<long, double>(std::exp(eta))(engine));
  }
  return NAN;
}

// Whether theta is in the parameter space (sigma2 > 0, everything finite);
// empty when it is, else the message.
std::string check_regression(const regression_model& model, const std::vector<std::string>& names,
                             const Eigen::VectorXd& theta);

}  // namespace mlesim

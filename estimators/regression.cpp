#include "estimators/regression.hpp"

#include "estimators/special_functions.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace mlesim {
namespace {

using kind = regression_model::kind;

Eigen::VectorXd linear_predictor(const design_matrix& x, const Eigen::VectorXd& theta, const Eigen::VectorXd* offset) {
  Eigen::VectorXd eta = x * theta.head(x.cols());
  if (offset) eta += *offset;
  return eta;
}

// The same into eta's storage (of x.rows()), the same arithmetic.
void linear_predictor(const design_matrix& x, const Eigen::VectorXd& theta, const Eigen::VectorXd* offset,
                      Eigen::VectorXd& eta) {
  eta.noalias() = x * theta.head(x.cols());
  if (offset) eta += *offset;
}

double mean_of(kind type, double eta) {
  switch (type) {
    case kind::linear: return eta;
    case kind::logistic: return 1 / (1 + std::exp(-eta));
    case kind::poisson: return std::exp(eta);
  }
  return NAN;
}

// The variance of y at mean mu for the logistic and poisson models: with
// their canonical links, also the information weight of the observation.
double variance_of(kind type, double mu) { return type == kind::logistic ? mu * (1 - mu) : mu; }

// X'WX for W = diag(w). A lazy product: for a handful of columns Eigen's
// blocked GEMM costs more in packing than it saves.
Eigen::MatrixXd weighted_cross_product(const design_matrix& x, const Eigen::VectorXd& w) {
  return x.transpose().lazyProduct(w.asDiagonal() * x);
}

// The same with W X in `wx` (of x's size), which the lazy product above
// evaluates into a temporary of its own: the same arithmetic, without a
// fresh n x p allocation (and its page faults) at every Newton step.
Eigen::MatrixXd weighted_cross_product(const design_matrix& x, const Eigen::VectorXd& w, design_matrix& wx) {
  wx.noalias() = w.asDiagonal() * x;
  return x.transpose().lazyProduct(wx);
}

// The log-likelihood of the logistic or poisson model at linear predictor
// eta, less the poisson's constant -sum log y! (which Newton's line search
// does not need), with the means mu at eta from the same exponentials.
double glm_kernel(kind type, const Eigen::VectorXd& y, const Eigen::VectorXd& eta, Eigen::VectorXd& mu) {
  double sum = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const double e = eta[i];
    if (type == kind::logistic) {
      // y eta - log(1 + e^eta), stable for large |eta|.
      const double tail = std::exp(-std::abs(e));
      mu[i] = e >= 0 ? 1 / (1 + tail) : tail / (1 + tail);
      sum += y[i] * e - (std::max(e, 0.0) + std::log(1 + tail));  // log1p: 2x slower, no accuracy a sum needs
    } else {
      mu[i] = std::exp(e);
      sum += y[i] * e - mu[i];
    }
  }
  return sum;
}

double glm_log_likelihood(kind type, const Eigen::VectorXd& y, const Eigen::VectorXd& eta) {
  Eigen::VectorXd mu(y.size());
  double sum = glm_kernel(type, y, eta, mu);
  if (type == kind::poisson)
    for (Eigen::Index i = 0; i < y.size(); ++i) sum -= math::lgamma(y[i] + 1);
  return sum;
}

// Least squares for the linear model.
regression_fit fit_linear(const design_matrix& x, const Eigen::VectorXd& y, const Eigen::VectorXd* offset) {
  const Eigen::Index n = x.rows(), p = x.cols();
  regression_fit fit;
  fit.theta = Eigen::VectorXd::Constant(p + 1, NAN);
  const Eigen::VectorXd target = offset ? Eigen::VectorXd(y - *offset) : y;
  if (p > 0) {
    const Eigen::ColPivHouseholderQR<design_matrix> qr(x);
    if (qr.rank() < p) {
      fit.problem = fmt::format("the design has rank {} < {} columns: the coefficients are not identified", qr.rank(), p);
      return fit;
    }
    fit.theta.head(p) = qr.solve(target);
  }
  const Eigen::VectorXd residual = target - x * fit.theta.head(p);
  const double sigma2 = residual.squaredNorm() / static_cast<double>(n);
  fit.theta[p] = sigma2;
  fit.iterations = 1;
  // Residuals at rounding level, relative to y: the fit is exact.
  fit.converged = residual.norm() > 1e-12 * target.norm() && fit.theta.allFinite();
  if (!fit.converged) fit.problem = "the fit is exact (residuals at rounding level): sigma2-hat = 0 is outside the parameter space";
  return fit;
}

// Newton's method for the logistic and poisson models.
regression_fit fit_glm(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                       const Eigen::VectorXd* offset) {
  const Eigen::Index n = x.rows(), p = x.cols();
  regression_fit fit;
  fit.theta = Eigen::VectorXd::Zero(p);
  if (p == 0) {
    fit.converged = true;
    return fit;
  }
  // Every vector of n and the one n x p matrix allocated once, not at every
  // step: at 10^6 rows a fresh one costs more in page faults than the
  // arithmetic on it. `wx` holds X for its QR (the rank), then W^1/2 X for
  // the start, then W X at each step; each QR is computed in place there.
  Eigen::VectorXd eta(n), mu(n), next_eta(n), next_mu(n), w(n), residual(n);
  design_matrix wx = x;
  {
    const Eigen::ColPivHouseholderQR<Eigen::Ref<design_matrix>> qr(wx);
    if (qr.rank() < p) {
      fit.problem = fmt::format("the design has rank {} < {} columns: the coefficients are not identified", qr.rank(), p);
      fit.theta.setConstant(NAN);
      return fit;
    }
  }
  // The start: one weighted least-squares step from mu0, as glm's mustart
  // (z in eta, the square roots of the weights in next_eta).
  {
    Eigen::VectorXd &z = eta, &root = next_eta;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double mu0 = model.type == kind::logistic ? (y[i] + 0.5) / 2 : y[i] + 0.1;
      const double eta0 = model.type == kind::logistic ? std::log(mu0 / (1 - mu0)) : std::log(mu0);
      w[i] = variance_of(model.type, mu0);
      z[i] = eta0 - (offset ? (*offset)[i] : 0.0) + (y[i] - mu0) / w[i];
    }
    root = w.cwiseSqrt();
    wx.noalias() = root.asDiagonal() * x;
    const Eigen::ColPivHouseholderQR<Eigen::Ref<design_matrix>> qr(wx);
    fit.theta = qr.solve(root.cwiseProduct(z));
  }
  linear_predictor(x, fit.theta, offset, eta);
  double log_likelihood = glm_kernel(model.type, y, eta, mu);
  int close_taken = 0;
  for (int iteration = 1; iteration <= 100; ++iteration) {
    fit.iterations = iteration;
    w = mu.unaryExpr([&](double m) { return variance_of(model.type, m); });
    const Eigen::LDLT<Eigen::MatrixXd> solver(weighted_cross_product(x, w, wx));
    residual = y - mu;
    const Eigen::VectorXd step = solver.solve(x.transpose() * residual);
    if (solver.info() != Eigen::Success || !step.allFinite()) break;
    // As in estimators/newton.hpp: a step below 1e-6, relative, is taken
    // without a line search (rounding of the log-likelihood can no longer
    // confirm an ascent there); it is done at 1e-10 or after three such steps.
    const double size = (step.cwiseAbs().array() / (1 + fit.theta.cwiseAbs().array())).maxCoeff();
    const bool small = size <= 1e-6;
    const bool done = size <= 1e-10 || (small && ++close_taken >= 3);
    double scale = 1;
    for (int halvings = 0; halvings < 40; ++halvings, scale /= 2) {
      const Eigen::VectorXd next = fit.theta + scale * step;
      linear_predictor(x, next, offset, next_eta);
      const double value = glm_kernel(model.type, y, next_eta, next_mu);
      if (small || value >= log_likelihood) {
        fit.theta = next;
        eta.swap(next_eta);
        mu.swap(next_mu);
        log_likelihood = value;
        break;
      }
    }
    if (done) {
      fit.converged = std::isfinite(log_likelihood);
      break;
    }
    if (scale < 1e-11) break;
  }
  if (fit.converged) return fit;
  // Newton's steps stay large when the likelihood keeps rising towards
  // infinite coefficients: with separated data (fitted probabilities of 0 or
  // 1, as R's glm warns) or a count model's zero counts that a covariate
  // sends to a rate of 0.
  const double smallest_weight = mu.unaryExpr([&](double m) { return variance_of(model.type, m); }).minCoeff();
  if (smallest_weight < 1e-12)
    fit.problem = model.type == kind::logistic
                      ? "fitted probabilities of 0 or 1: the data are (quasi-)separated and the MLE does not exist"
                      : "fitted rates of 0: the MLE does not exist (a coefficient runs to -infinity)";
  else
    fit.problem = fmt::format("Newton's method did not converge in {} iterations", fit.iterations);
  return fit;
}

}  // namespace

const std::vector<regression_model>& regression_catalog() {
  static const std::vector<regression_model> catalog{
      {kind::linear, "linear_regression", "y ~ Normal(x'beta, sigma2)", support_kind::real_line, true},
      {kind::logistic, "logistic_regression", "y ~ Bernoulli(1/(1 + exp(-x'beta)))", support_kind::binary, false},
      {kind::poisson, "poisson_regression", "y ~ Poisson(exp(x'beta))", support_kind::counts, false},
  };
  return catalog;
}

const regression_model* find_regression(std::string_view name) {
  const auto& catalog = regression_catalog();
  const auto it = std::find_if(catalog.begin(), catalog.end(), [&](const auto& m) { return m.name == name; });
  return it == catalog.end() ? nullptr : &*it;
}

std::string regression_names() {
  std::vector<std::string_view> names;
  for (const auto& m : regression_catalog()) names.push_back(m.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::vector<std::string> regression_parameters(const regression_model& model, const std::vector<std::string>& columns) {
  std::vector<std::string> names = columns;
  if (model.dispersion) names.emplace_back("sigma2");
  return names;
}

regression_fit fit_regression(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                              const Eigen::VectorXd& offset) {
  return model.type == kind::linear ? fit_linear(x, y, &offset) : fit_glm(model, x, y, &offset);
}

regression_fit fit_regression(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y) {
  return model.type == kind::linear ? fit_linear(x, y, nullptr) : fit_glm(model, x, y, nullptr);
}

double regression_log_likelihood(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& theta) {
  const Eigen::VectorXd eta = linear_predictor(x, theta, nullptr);
  if (model.type != kind::linear) return glm_log_likelihood(model.type, y, eta);
  const double sigma2 = theta[x.cols()], n = static_cast<double>(y.size());
  return -n / 2 * std::log(2 * std::numbers::pi * sigma2) - (y - eta).squaredNorm() / (2 * sigma2);
}

Eigen::VectorXd regression_score(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& theta) {
  const Eigen::VectorXd eta = linear_predictor(x, theta, nullptr);
  Eigen::VectorXd residual(y.size());
  for (Eigen::Index i = 0; i < y.size(); ++i) residual[i] = y[i] - mean_of(model.type, eta[i]);
  Eigen::VectorXd score(theta.size());
  if (model.type != kind::linear) {
    score = x.transpose() * residual;
    return score;
  }
  const double sigma2 = theta[x.cols()], n = static_cast<double>(y.size());
  score.head(x.cols()) = x.transpose() * residual / sigma2;
  score[x.cols()] = -n / (2 * sigma2) + residual.squaredNorm() / (2 * sigma2 * sigma2);
  return score;
}

regression_point glm_point(const regression_model& model, const design_matrix& x, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& beta) {
  constexpr Eigen::Index block = 1 << 14;
  const Eigen::Index n = x.rows(), p = x.cols(), blocks = std::max<Eigen::Index>((n + block - 1) / block, 1);
  std::vector<regression_point> parts(static_cast<std::size_t>(blocks));
  tbb::parallel_for(Eigen::Index{0}, blocks, [&](Eigen::Index b) {
    const Eigen::Index begin = b * block, end = std::min(n, begin + block);
    regression_point& part = parts[static_cast<std::size_t>(b)];
    part.log_likelihood = 0;
    part.score = Eigen::VectorXd::Zero(p);
    part.information = Eigen::MatrixXd::Zero(p, p);
    for (Eigen::Index i = begin; i < end; ++i) {
      double e = 0;
      for (Eigen::Index a = 0; a < p; ++a) e += x(i, a) * beta[a];
      double mu = 0;
      if (model.type == kind::logistic) {
        const double tail = std::exp(-std::abs(e));
        mu = e >= 0 ? 1 / (1 + tail) : tail / (1 + tail);
        part.log_likelihood += y[i] * e - (std::max(e, 0.0) + std::log(1 + tail));
      } else {
        mu = std::exp(e);
        part.log_likelihood += y[i] * e - mu;
      }
      const double residual = y[i] - mu, w = variance_of(model.type, mu);
      for (Eigen::Index a = 0; a < p; ++a) {
        part.score[a] += x(i, a) * residual;
        const double wa = w * x(i, a);
        for (Eigen::Index c = 0; c <= a; ++c) part.information(a, c) += wa * x(i, c);
      }
    }
    for (Eigen::Index a = 0; a < p; ++a)
      for (Eigen::Index c = a + 1; c < p; ++c) part.information(a, c) = part.information(c, a);
  });
  regression_point total = std::move(parts[0]);
  for (std::size_t b = 1; b < parts.size(); ++b) {
    total.log_likelihood += parts[b].log_likelihood;
    total.score += parts[b].score;
    total.information += parts[b].information;
  }
  return total;
}

double information_weight(const regression_model& model, double eta, double sigma2) {
  return model.type == kind::linear ? 1 / sigma2 : variance_of(model.type, mean_of(model.type, eta));
}

Eigen::MatrixXd regression_information(const regression_model& model, const design_matrix& x,
                                       const Eigen::VectorXd& theta) {
  const Eigen::Index p = x.cols();
  const double sigma2 = model.dispersion ? theta[p] : 1.0;
  const Eigen::VectorXd eta = linear_predictor(x, theta, nullptr);
  Eigen::VectorXd w(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) w[i] = information_weight(model, eta[i], sigma2);
  Eigen::MatrixXd information = Eigen::MatrixXd::Zero(theta.size(), theta.size());
  information.topLeftCorner(p, p) = weighted_cross_product(x, w);
  if (model.dispersion) information(p, p) = static_cast<double>(x.rows()) / (2 * sigma2 * sigma2);
  return information;
}

Eigen::MatrixXd regression_observed_information(const regression_model& model, const design_matrix& x,
                                                const Eigen::VectorXd& y, const Eigen::VectorXd& theta) {
  Eigen::MatrixXd information = regression_information(model, x, theta);
  if (!model.dispersion) return information;  // canonical links: the Hessian does not involve y
  const Eigen::Index p = x.cols();
  const double sigma2 = theta[p], n = static_cast<double>(y.size());
  const Eigen::VectorXd residual = y - x * theta.head(p);
  const Eigen::VectorXd cross = x.transpose() * residual / (sigma2 * sigma2);
  information.block(0, p, p, 1) = cross;
  information.block(p, 0, 1, p) = cross.transpose();
  information(p, p) = -n / (2 * sigma2 * sigma2) + residual.squaredNorm() / (sigma2 * sigma2 * sigma2);
  return information;
}

std::string check_regression(const regression_model& model, const std::vector<std::string>& names,
                             const Eigen::VectorXd& theta) {
  const Eigen::Index p = theta.size() - (model.dispersion ? 1 : 0);
  for (Eigen::Index j = 0; j < p; ++j)
    if (!std::isfinite(theta[j])) return fmt::format("{} is {}, but must be finite", names[static_cast<std::size_t>(j)], theta[j]);
  if (model.dispersion && !(std::isfinite(theta[p]) && theta[p] > 0))
    return fmt::format("sigma2 is {}, but must be > 0", theta[p]);
  return {};
}

}  // namespace mlesim

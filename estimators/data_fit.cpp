#include "estimators/data_fit.hpp"

#include "estimators/maximize.hpp"
#include "estimators/newton.hpp"
#include "estimators/builtin.hpp"
#include "estimators/data_fit_family.hpp"
#include "estimators/regression.hpp"
#include "estimators/sample_statistics.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <unordered_map>

namespace mlesim {

using namespace fitting;

data_fit fit_regression_data(const std::string& model_name, const std::vector<double>& y_values,
                             const std::vector<std::vector<double>>& covariates, const std::vector<std::string>& names,
                             bool intercept, double level, bool with_profiles) {
  const regression_model& model = *find_regression(model_name);
  const auto n = static_cast<Eigen::Index>(y_values.size());
  std::vector<std::string> columns;
  if (intercept) columns.emplace_back("intercept");
  columns.insert(columns.end(), names.begin(), names.end());
  design_matrix x(n, static_cast<Eigen::Index>(columns.size()));
  Eigen::Index column = 0;
  if (intercept) x.col(column++).setOnes();
  for (const auto& values : covariates) x.col(column++) = Eigen::Map<const Eigen::VectorXd>(values.data(), n);
  const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(y_values.data(), n);
  const std::vector<std::string> parameters = regression_parameters(model, columns);

  data_fit out;
  out.family = model_name;
  out.n = y_values.size();
  out.level = level;
  if (static_cast<std::size_t>(n) <= columns.size()) {
    out.data_problem = fmt::format("{} observations for {} coefficients: a regression needs more", n, columns.size());
    return out;
  }
  const regression_fit fit = fit_regression(model, x, y);
  if (!fit.converged && fit.problem.find("rank") != std::string::npos) {
    out.data_problem = fit.problem;
    return out;
  }
  out.converged = fit.converged;
  out.iterations = fit.iterations;
  const Eigen::VectorXd& theta = fit.theta;
  out.log_likelihood = regression_log_likelihood(model, x, y, theta);
  const double k = static_cast<double>(theta.size());
  out.aic = 2 * k - 2 * out.log_likelihood;
  out.bic = k * std::log(static_cast<double>(n)) - 2 * out.log_likelihood;
  if (!fit.converged) out.notes.push_back(fit.problem + ": no standard errors or intervals");
  if (!with_profiles && fit.converged) out.notes.push_back("no profile intervals: not computed (--no-profile)");

  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  const double chi2 = boost::math::quantile(boost::math::chi_squared(1), level);
  const double threshold = out.log_likelihood - chi2 / 2;
  Eigen::MatrixXd covariance;
  if (fit.converged) covariance = regression_observed_information(model, x, y, theta).inverse();
  bool positive_definite = covariance.size() > 0;
  for (Eigen::Index a = 0; a < covariance.rows(); ++a)
    positive_definite = positive_definite && covariance(a, a) > 0 && std::isfinite(covariance(a, a));
  const Eigen::Index p = x.cols();
  const bool linear = model.type == regression_model::kind::linear;
  // The logistic and poisson models' bounds: Newton's method on the bound's
  // equations, each step one sweep over the rows (glm_point: log-likelihood,
  // score and information together, in parallel blocks), against a
  // threshold from the same sums at the estimate.
  double glm_threshold = 0;
  if (!linear && with_profiles && positive_definite) glm_threshold = glm_point(model, x, y, theta).log_likelihood - chi2 / 2;
  const auto at = [&](const Eigen::VectorXd& t) -> std::optional<likelihood_point> {
    if (!check_regression(model, parameters, t).empty()) return std::nullopt;
    regression_point point = glm_point(model, x, y, t);
    return likelihood_point{point.log_likelihood, std::move(point.score), std::move(point.information)};
  };
  // The linear model's profiles in closed form from RSS-hat, with no sweep
  // over the rows. Holding sigma2 leaves beta-hat where it is: log L =
  // -n/2 log(2 pi sigma2) - RSS/(2 sigma2), searched by TOMS 748. Holding
  // coefficient j at b raises the least RSS by (b - beta_j)^2 / [(X'X)^-1]_jj,
  // so the profile falls by chi2/2 where RSS(b) = RSS-hat e^(chi2/n): at
  // beta_j +- SE_j sqrt(n (e^(chi2/n) - 1)) (SE_j^2 = sigma2-hat [(X'X)^-1]_jj,
  // the observed information's), exactly.
  double rss = 0;
  if (linear && fit.converged) {
    const Eigen::VectorXd fitted = x * theta.head(p);  // as regression_log_likelihood, to the bit
    rss = (y - fitted).squaredNorm();
  }
  const double linear_factor = std::sqrt(static_cast<double>(n) * std::expm1(chi2 / static_cast<double>(n)));
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    fitted_parameter parameter{parameters[static_cast<std::size_t>(j)], theta[j], false, {}, {}, {}, {}, {}};
    if (fit.converged) {
      std::optional<double> se;
      if (covariance(j, j) >= 0 && std::isfinite(covariance(j, j))) se = std::sqrt(covariance(j, j));
      fill_wald(parameter, se, z);
      const auto profile = [&](double held) {
        if (j == p) {  // sigma2: beta-hat, hence RSS, does not depend on it
          const double size = static_cast<double>(n);
          return held > 0 ? -size / 2 * std::log(2 * std::numbers::pi * held) - rss / (2 * held) : minus_infinity;
        }
        // Coefficient j held: its column becomes an offset, the others refitted.
        design_matrix others(n, p - 1);
        others << x.leftCols(j), x.rightCols(p - j - 1);
        const regression_fit restricted = fit_regression(model, others, y, Eigen::VectorXd(held * x.col(j)));
        if (!restricted.converged) return minus_infinity;
        Eigen::VectorXd t(theta.size());
        t << restricted.theta.head(j), held, restricted.theta.segment(j, theta.size() - j - 1);
        return regression_log_likelihood(model, x, y, t);
      };
      const auto bound = [&](double side) -> std::optional<double> {
        if (linear && j != p && se) return theta[j] + side * linear_factor * *se;
        if (!linear && positive_definite)
          if (const auto found =
                  profile_bound_by_newton(at, theta, covariance, static_cast<int>(j), glm_threshold, side, z))
            return found;
        return profile_bound(profile, parameter.estimate, out.log_likelihood, threshold, side, first_step(parameter, z));
      };
      if (with_profiles) {
        parameter.profile_low = bound(-1);
        parameter.profile_high = bound(+1);
      }
    }
    out.parameters.push_back(std::move(parameter));
  }
  return out;
}

std::vector<data_fitter> builtin_fitters() {
  return []<class... Families>(family_list<Families...>) {
    return std::vector<data_fitter>{&fitting::fit_family_data<Families>...};
  }(builtin_families{});
}

}  // namespace mlesim

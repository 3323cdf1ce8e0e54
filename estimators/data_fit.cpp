#include "estimators/data_fit.hpp"

#include "estimators/maximize.hpp"
#include "estimators/newton.hpp"
#include "estimators/registry.hpp"
#include "estimators/regression.hpp"
#include "estimators/sample_statistics.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <functional>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace mlesim {
namespace {

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

// The log-likelihood as a function of the free coordinates, the others held.
template <family F>
class restricted_likelihood {
 public:
  using P = typename F::parameters;

  restricted_likelihood(const F& family, std::span<const double> x, P held, std::vector<int> free)
      : family_(family), x_(x), held_(held), free_(std::move(free)) {}

  P theta(const Eigen::VectorXd& free_values) const {
    P t = held_;
    for (std::size_t i = 0; i < free_.size(); ++i) t[free_[i]] = free_values[static_cast<int>(i)];
    return t;
  }

  Eigen::VectorXd free_values(const P& t) const {
    Eigen::VectorXd v(static_cast<int>(free_.size()));
    for (std::size_t i = 0; i < free_.size(); ++i) v[static_cast<int>(i)] = t[free_[i]];
    return v;
  }

  double operator()(const Eigen::VectorXd& free_values) const { return at(theta(free_values)); }

  double at(const P& t) const {
    if (!space_problem<F>(t).empty()) return minus_infinity;
    const double value = family_.log_likelihood(t, x_);
    return std::isnan(value) ? minus_infinity : value;
  }

  const std::vector<int>& free() const { return free_; }

 private:
  F family_;
  std::span<const double> x_;
  P held_;
  std::vector<int> free_;
};

// Maximizes over the free coordinates from `start`; returns the full theta.
template <family F>
fit_result<F::dimension> maximize_restricted(const restricted_likelihood<F>& likelihood,
                                             const typename F::parameters& start) {
  if (likelihood.free().empty()) return {start, std::isfinite(likelihood.at(start)), 0};
  const auto fit = maximize_numeric<Eigen::Dynamic>(likelihood, likelihood.free_values(start));
  return {likelihood.theta(fit.theta), fit.converged, fit.iterations};
}

// The profile log-likelihood of coordinate j at eta: maximized over the
// other free coordinates.
template <family F>
double profile(const F& family, std::span<const double> x, const typename F::parameters& best,
               const std::vector<int>& free, int j, double eta) {
  typename F::parameters held = best;
  held[j] = eta;
  std::vector<int> others;
  for (int i : free)
    if (i != j) others.push_back(i);
  const restricted_likelihood<F> likelihood(family, x, held, others);
  const auto fit = maximize_restricted<F>(likelihood, held);
  return likelihood.at(fit.theta);
}

// Where a profile log-likelihood falls to `threshold`, searching from the
// estimate in `direction` with first step `step`: doubling steps until it
// falls below, then bisection; nothing if it never does (the interval runs
// to the domain's edge).
std::optional<double> profile_bound(const std::function<double(double)>& profile, double estimate, double threshold,
                                    double direction, double step) {
  double inside = estimate, outside = estimate;
  bool crossed = false;
  for (int k = 0; k < 60; ++k, step *= 2) {
    outside = estimate + direction * step;
    if (!(profile(outside) >= threshold)) {
      crossed = true;
      break;
    }
    inside = outside;
  }
  if (!crossed) return std::nullopt;  // the profile stays above: unbounded
  for (int k = 0; k < 200 && std::abs(outside - inside) > 1e-12 * std::max(1.0, std::abs(inside)); ++k) {
    const double middle = (inside + outside) / 2;
    (profile(middle) >= threshold ? inside : outside) = middle;
  }
  return inside;  // the last point known to lie within the interval
}

// The Wald interval from the standard error, when there is one, and the
// profile interval, into p.
void fill_intervals(fitted_parameter& p, std::optional<double> se, double z, double threshold,
                    const std::function<double(double)>& profile) {
  if (se) {
    p.se = *se;
    p.wald_low = p.estimate - z * *se;
    p.wald_high = p.estimate + z * *se;
  }
  const double step = se && *se > 0 ? *se : 0.01 * std::max(std::abs(p.estimate), 1e-3);
  p.profile_low = profile_bound(profile, p.estimate, threshold, -1, step);
  p.profile_high = profile_bound(profile, p.estimate, threshold, +1, step);
}

template <family F>
data_fit fit_family(const F& family, const std::vector<double>& x,
                    const std::vector<std::pair<std::string, double>>& fixed, double level) {
  constexpr int K = F::dimension;
  using P = typename F::parameters;
  data_fit out;
  out.family = std::string(F::name);
  out.n = x.size();
  out.level = level;

  const fit_result<K> unrestricted = family.fit(x);
  // Too few distinct values put a continuous family's MLE outside its
  // parameter space (a zero variance, an infinite rate): bad data, not a fit.
  // A discrete family's boundary estimate (p-hat = 0) is a result.
  if (!discrete(F::support) && (!unrestricted.theta.allFinite() || !space_problem<F>(unrestricted.theta).empty())) {
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const auto distinct = std::unique(sorted.begin(), sorted.end()) - sorted.begin();
    // An estimate that overflows, from values enough apart, is double
    // precision's limit, not the data's.
    bool overflow = false;
    for (int j = 0; j < K; ++j) overflow = overflow || std::isinf(unrestricted.theta[j]);
    if (distinct >= 2 && overflow)
      out.data_problem = fmt::format("the {} MLE of these {} observations is beyond double precision: an estimate "
                                     "overflows (the values span {:.3g} to {:.3g})",
                                     F::name, x.size(), sorted.front(), sorted[static_cast<std::size_t>(distinct) - 1]);
    else
      out.data_problem = fmt::format("{} distinct value(s) in {} observations: too few for a {} fit{}", distinct,
                                     x.size(), F::name,
                                     unrestricted.theta.allFinite() ? " (" + space_problem<F>(unrestricted.theta) + ")" : "");
    return out;
  }

  std::vector<bool> is_fixed(K, false);
  P start = unrestricted.theta;
  for (const auto& [name, value] : fixed) {
    const auto j = static_cast<int>(std::find(F::parameter_names.begin(), F::parameter_names.end(), name) -
                                    F::parameter_names.begin());
    if (j == K) throw std::invalid_argument("unknown parameter " + name);
    start[j] = value;
    is_fixed[static_cast<std::size_t>(j)] = true;
  }
  const std::string problem = space_problem<F>(start);
  for (const auto& [name, value] : fixed) {
    if (!problem.empty() && problem.find(name) != std::string::npos) {
      out.fixed_problem = fmt::format("{}={}: {}", name, value, problem);
      return out;
    }
  }
  std::vector<int> free;
  for (int j = 0; j < K; ++j)
    if (!is_fixed[static_cast<std::size_t>(j)]) free.push_back(j);
  // With parameters held the family's own estimator does not apply: the
  // numeric maximizer frees the others, from the unrestricted estimate.
  const fit_result<K> fit =
      fixed.empty() ? unrestricted : maximize_restricted<F>(restricted_likelihood<F>(family, x, start, free), start);
  const P& theta = fit.theta;
  out.converged = fit.converged;
  out.iterations = fit.iterations;
  out.log_likelihood = family.log_likelihood(theta, x);
  const double k = static_cast<double>(free.size()), n = static_cast<double>(x.size());
  out.aic = 2 * k - 2 * out.log_likelihood;
  out.bic = k * std::log(n) - 2 * out.log_likelihood;
  const bool interior = space_problem<F>(theta).empty();
  if (!interior)
    out.notes.push_back(fmt::format("the estimate is on the boundary of the parameter space ({}): no standard "
                                    "error or Wald interval", space_problem<F>(theta)));

  // Standard errors from the observed information of the free coordinates.
  Eigen::MatrixXd covariance;
  if constexpr (F::regular) {
    if (interior && fit.converged) {
      const matrix<K> observed = family.observed_information(theta, x);
      Eigen::MatrixXd block(static_cast<int>(free.size()), static_cast<int>(free.size()));
      for (std::size_t a = 0; a < free.size(); ++a)
        for (std::size_t b = 0; b < free.size(); ++b)
          block(static_cast<int>(a), static_cast<int>(b)) = observed(free[a], free[b]);
      covariance = block.inverse();
    }
  } else {
    out.notes.push_back(std::string(F::irregularity));
  }

  if (!fit.converged)
    out.notes.push_back(fmt::format("the maximizer did not converge in {} iterations: no standard errors or "
                                    "intervals", fit.iterations));

  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  const double threshold = out.log_likelihood - boost::math::quantile(boost::math::chi_squared(1), level) / 2;
  for (int j = 0; j < K; ++j) {
    fitted_parameter p{std::string(F::parameter_names[j]), theta[j], is_fixed[static_cast<std::size_t>(j)], {}, {}, {}, {}, {}};
    if (!p.fixed && fit.converged) {
      const auto position = static_cast<int>(std::find(free.begin(), free.end(), j) - free.begin());
      std::optional<double> se;
      if (covariance.size() > 0 && covariance(position, position) >= 0 && std::isfinite(covariance(position, position)))
        se = std::sqrt(covariance(position, position));
      fill_intervals(p, se, z, threshold, [&](double eta) { return profile(family, x, theta, free, j, eta); });
      if (!p.se && interior && F::regular)
        out.notes.push_back(fmt::format("{}: no standard error or Wald interval, the observed information at the "
                                        "estimate is not positive definite", p.name));
      for (const auto& [bound, side] : {std::pair{p.profile_low, "lower"}, std::pair{p.profile_high, "upper"}})
        if (!bound)
          out.notes.push_back(fmt::format("{}: no {} profile bound, the profile log-likelihood stays within the "
                                          "interval's threshold to the edge of the parameter space",
                                          p.name, side));
    }
    out.parameters.push_back(std::move(p));
  }
  return out;
}

// Fits F to x measured in units of a typical size c of the data (and, for a
// location family, from their median m), so that the fit sees values near 1
// whatever the units: data near 1e-300 or 1e300, or a location 1e12 scales
// from 0, fit as data near 1. The estimates, SEs and intervals are mapped
// back; the log-likelihood gains the Jacobian, -n log c. With parameters
// held, the held values are in the data's units: fitted as given.
template <family F>
data_fit fit_in_units(std::span<const double> known, const std::vector<double>& x, double level) {
  constexpr auto& roles = F::units;
  const auto has = [&](unit_role r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
  double m = 0, c = 1;
  if (has(unit_role::location)) {
    m = sample_quantile(x, 0.5);
    std::vector<double> deviations(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) deviations[i] = std::abs(x[i] - m);
    c = sample_quantile(deviations, 0.5);
    if (!(c > 0)) c = *std::max_element(deviations.begin(), deviations.end());
  } else if (has(unit_role::log_location)) {
    double mean_log = 0;
    for (double xi : x) mean_log += std::log(xi) / static_cast<double>(x.size());
    c = std::exp(mean_log);
  } else {
    c = scaled_mean(x);
  }
  if (!(c > 0) || !std::isfinite(c) || !std::isfinite(m)) c = 1, m = 0;  // nothing to scale by
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - m) / c;
  std::vector<double> known_y(known.begin(), known.end());
  if constexpr (requires { F::known_units; })
    for (std::size_t i = 0; i < known_y.size(); ++i)
      if (F::known_units[i] == unit_role::scale) known_y[i] /= c;

  data_fit out = fit_family(make_family<F>(known_y), y, {}, level);
  if (!out.data_problem.empty() || (c == 1 && m == 0)) return out;
  const double n = static_cast<double>(x.size()), k = F::dimension;
  out.log_likelihood -= n * std::log(c);
  out.aic = 2 * k - 2 * out.log_likelihood;
  out.bic = k * std::log(n) - 2 * out.log_likelihood;
  for (std::size_t j = 0; j < out.parameters.size(); ++j) {
    auto& p = out.parameters[j];
    const auto [factor, shift] = detail::from_units(roles[j], m, c);
    const auto back = [&](std::optional<double>& v) {
      if (v) v = shift + factor * *v;
    };
    p.estimate = shift + factor * p.estimate;
    if (!std::isfinite(p.estimate)) {
      data_fit refused;
      refused.family = out.family;
      refused.n = out.n;
      refused.level = level;
      refused.data_problem = fmt::format("the {} MLE of these {} observations is beyond double precision: {}-hat "
                                         "overflows in the data's units",
                                         F::name, x.size(), p.name);
      return refused;
    }
    if (p.se) p.se = factor * *p.se;
    back(p.wald_low), back(p.wald_high), back(p.profile_low), back(p.profile_high);
    for (auto* v : {&p.se, &p.wald_low, &p.wald_high, &p.profile_low, &p.profile_high})
      if (*v && !std::isfinite(**v)) {
        out.notes.push_back(fmt::format("{}: a figure overflows double precision in the data's units", p.name));
        *v = std::nullopt;
      }
  }
  return out;
}

}  // namespace

data_fit fit_regression_data(const std::string& model_name, const std::vector<double>& y_values,
                             const std::vector<std::vector<double>>& covariates, const std::vector<std::string>& names,
                             bool intercept, double level) {
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

  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  const double threshold = out.log_likelihood - boost::math::quantile(boost::math::chi_squared(1), level) / 2;
  Eigen::MatrixXd covariance;
  if (fit.converged) covariance = regression_observed_information(model, x, y, theta).inverse();
  const Eigen::Index p = x.cols();
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    fitted_parameter parameter{parameters[static_cast<std::size_t>(j)], theta[j], false, {}, {}, {}, {}, {}};
    if (fit.converged) {
      std::optional<double> se;
      if (covariance(j, j) >= 0 && std::isfinite(covariance(j, j))) se = std::sqrt(covariance(j, j));
      const auto profile = [&](double held) {
        if (j == p) {  // sigma2: beta-hat does not depend on it
          Eigen::VectorXd t = theta;
          t[p] = held;
          return held > 0 ? regression_log_likelihood(model, x, y, t) : minus_infinity;
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
      fill_intervals(parameter, se, z, threshold, profile);
    }
    out.parameters.push_back(std::move(parameter));
  }
  return out;
}

data_fit fit_data(const std::string& family, const std::vector<double>& known, const std::vector<double>& x,
                  const std::vector<std::pair<std::string, double>>& fixed, double level) {
  data_fit result;
  if (!visit_family(family, [&]<class F>() {
        if constexpr (has_units<F>) {
          if (fixed.empty()) result = fit_in_units<F>(known, x, level);
          else result = fit_family(make_family<F>(known), x, fixed, level);
        } else {
          result = fit_family(make_family<F>(known), x, fixed, level);
        }
        if constexpr (has_known_constants<F>)
          for (std::size_t i = 0; i < known.size(); ++i) result.known.emplace_back(F::known_names[i], known[i]);
      }))
    throw std::invalid_argument("unknown family '" + family + "'");
  return result;
}

}  // namespace mlesim

#include "estimators/data_fit.hpp"

#include "estimators/maximize.hpp"
#include "estimators/registry.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
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
    if (!F::check(t).empty()) return minus_infinity;
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

// Where the profile falls to `threshold`, searching from the estimate in
// `direction` with first step `step`; the domain's edge if it never does.
template <family F>
std::optional<double> profile_bound(const F& family, std::span<const double> x, const typename F::parameters& best,
                                    const std::vector<int>& free, int j, double threshold, double direction,
                                    double step) {
  double inside = best[j], outside = best[j];
  bool crossed = false;
  for (int k = 0; k < 60; ++k, step *= 2) {
    outside = best[j] + direction * step;
    if (!(profile(family, x, best, free, j, outside) >= threshold)) {
      crossed = true;
      break;
    }
    inside = outside;
  }
  if (!crossed) return std::nullopt;  // the profile stays above: unbounded
  for (int k = 0; k < 200 && std::abs(outside - inside) > 1e-12 * std::max(1.0, std::abs(inside)); ++k) {
    const double middle = (inside + outside) / 2;
    (profile(family, x, best, free, j, middle) >= threshold ? inside : outside) = middle;
  }
  return inside;  // the last point known to lie within the interval
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
  if (!discrete(F::support) && (!unrestricted.theta.allFinite() || !F::check(unrestricted.theta).empty())) {
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const auto distinct = std::unique(sorted.begin(), sorted.end()) - sorted.begin();
    out.data_problem = fmt::format("{} distinct value(s) in {} observations: too few for a {} fit{}", distinct,
                                   x.size(), F::name,
                                   unrestricted.theta.allFinite() ? " (" + F::check(unrestricted.theta) + ")" : "");
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
  const std::string problem = F::check(start);
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
  const bool interior = F::check(theta).empty();
  if (!interior)
    out.notes.push_back(fmt::format("the estimate is on the boundary of the parameter space ({}): no standard "
                                    "error or Wald interval", F::check(theta)));

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

  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  const double threshold = out.log_likelihood - boost::math::quantile(boost::math::chi_squared(1), level) / 2;
  for (int j = 0; j < K; ++j) {
    fitted_parameter p{std::string(F::parameter_names[j]), theta[j], is_fixed[static_cast<std::size_t>(j)], {}, {}, {}, {}, {}};
    if (!p.fixed && fit.converged) {
      const auto position = static_cast<int>(std::find(free.begin(), free.end(), j) - free.begin());
      if (covariance.size() > 0 && covariance(position, position) >= 0 && std::isfinite(covariance(position, position))) {
        p.se = std::sqrt(covariance(position, position));
        p.wald_low = theta[j] - z * *p.se;
        p.wald_high = theta[j] + z * *p.se;
      }
      const double step = p.se && *p.se > 0 ? *p.se : 0.01 * std::max(std::abs(theta[j]), 1e-3);
      p.profile_low = profile_bound(family, x, theta, free, j, threshold, -1, step);
      p.profile_high = profile_bound(family, x, theta, free, j, threshold, +1, step);
    }
    out.parameters.push_back(std::move(p));
  }
  return out;
}

}  // namespace

data_fit fit_data(const std::string& family, const std::vector<double>& known, const std::vector<double>& x,
                  const std::vector<std::pair<std::string, double>>& fixed, double level) {
  data_fit result;
  if (!visit_family(family, [&]<class F>() { result = fit_family(make_family<F>(known), x, fixed, level); }))
    throw std::invalid_argument("unknown family '" + family + "'");
  return result;
}

}  // namespace mlesim

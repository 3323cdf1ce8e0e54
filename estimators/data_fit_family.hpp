// The templates behind `fit_data` for one family, in a header so that a
// family registered by a program of its own (sim/register.hpp) gets `fit`
// too: its sums over the data, the restricted fits with parameters held, the
// Wald and profile-likelihood intervals.
#pragma once

#include "estimators/data_fit.hpp"
#include "estimators/family.hpp"
#include "estimators/maximize.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <optional>
#include <span>
#include <stdexcept>
#include <unordered_map>

namespace mlesim::fitting {

// A fit refused for its data: what it was of, and why; no figures.
inline data_fit refused(std::string family, std::size_t n, double level, std::string problem) {
  data_fit result;
  result.family = std::move(family);
  result.n = n;
  result.level = level;
  result.data_problem = std::move(problem);
  return result;
}

// Why the data are past double precision: one phrase for every such refusal.
inline std::string beyond_precision(std::string_view family, std::size_t n, std::string_view why) {
  return fmt::format("the {} MLE of these {} observations is beyond double precision: {}", family, n, why);
}

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

// A profile bound is found to this relative precision (of the larger of the
// bound and the parameter's SE).
inline constexpr double bound_tolerance = 1e-12;

// The data a fit evaluates its log-likelihood on many times (profiles, a fit
// with parameters held). Every family's log-likelihood, score and observed
// information are sums of one term per observation, so they are summed here
// over parts of the data: for a discrete family whose data repeat (10^6
// Poisson counts hold a few dozen values), each distinct value once, times
// its count; otherwise blocks of the data evaluated in parallel and summed in
// block order, the same sum on any number of threads. A sample of one block
// or less is the family's own sum, to the bit.
template <family F>
class observations {
 public:
  using P = typename F::parameters;
  static constexpr int K = F::dimension;
  static constexpr std::size_t block = 1 << 14;

  observations(const F& family, std::span<const double> x) : family_(family), x_(x) {
    if (discrete(family.support)) {  // a member of the value for a model made at run time
      if (x.size() > block) {
        std::unordered_map<double, std::uint64_t> counts;
        for (double xi : x)
          if (++counts[xi] == 1 && counts.size() * 4 > x.size()) return;  // too few repeats to gain
        for (const auto& [value, count] : counts) values_.push_back(value);
        std::sort(values_.begin(), values_.end());
        for (double value : values_) counts_.push_back(static_cast<double>(counts[value]));
      }
    }
  }

  std::size_t size() const { return x_.size(); }

  // The log-likelihood, -inf outside the parameter space (where a profile
  // searches). `sum_log_likelihood` sums it anyway: at a boundary estimate
  // (p-hat = 0) it is the maximum the profile falls from.
  double log_likelihood(const P& t) const {
    if (!space_problem(family_, t).empty()) return minus_infinity;
    const double value = sum_log_likelihood(t);
    return std::isnan(value) ? minus_infinity : value;
  }
  double sum_log_likelihood(const P& t) const {
    return sum<double>([&](std::span<const double> part) { return family_.log_likelihood(t, part); });
  }

  // The log-likelihood, score and observed information at t, in one sweep
  // over the data.
  struct point {
    double log_likelihood;
    P score;
    matrix<K> information;
    point& operator+=(const point& other) {
      log_likelihood += other.log_likelihood;
      score += other.score;
      information += other.information;
      return *this;
    }
    point operator*(double c) const { return {c * log_likelihood, c * score, c * information}; }
  };
  point at(const P& t) const requires regular_family<F> {
    return sum<point>([&](std::span<const double> part) {
      return point{family_.log_likelihood(t, part), family_.score(t, part), family_.observed_information(t, part)};
    });
  }

 private:
  template <class R, class Term>
  R sum(const Term& term) const {
    if (!values_.empty()) {
      R total = term(std::span<const double>(values_.data(), 1)) * counts_[0];
      for (std::size_t i = 1; i < values_.size(); ++i) total += term(std::span<const double>(&values_[i], 1)) * counts_[i];
      return total;
    }
    const std::size_t blocks = (x_.size() + block - 1) / block;
    if (blocks <= 1) return term(x_);
    std::vector<R> parts(blocks);
    tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
      parts[b] = term(x_.subspan(b * block, std::min(block, x_.size() - b * block)));
    });
    R total = parts[0];
    for (std::size_t b = 1; b < blocks; ++b) total += parts[b];
    return total;
  }

  F family_;
  std::span<const double> x_;
  std::vector<double> values_, counts_;  // the distinct values and their counts, when they pay
};

// The log-likelihood as a function of the free coordinates, the others held.
template <family F>
class restricted_likelihood {
 public:
  using P = typename F::parameters;

  restricted_likelihood(const observations<F>& data, P held, std::vector<int> free)
      : data_(data), held_(held), free_(std::move(free)) {}

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
  double at(const P& t) const { return data_.log_likelihood(t); }

  const std::vector<int>& free() const { return free_; }

 private:
  const observations<F>& data_;
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

// Where a profile log-likelihood falls to `threshold`, searching from the
// estimate (where it is `at_estimate`) in `direction`: steps from `step` (the Wald interval's half-width,
// where there is one), doubling until the profile falls below, then the
// TOMS 748 root finder on the bracket; nothing if it never falls (the
// interval runs to the domain's edge). Where the profile is -inf (beyond the
// parameter space), the bracket is first halved until it is finite there, or
// until the edge is found: then the edge is the bound.
inline std::optional<double> profile_bound(const std::function<double(double)>& profile, double estimate, double at_estimate,
                                    double threshold, double direction, double step) {
  double inside = estimate, outside = estimate, at_inside = at_estimate, at_outside = minus_infinity;
  bool crossed = false;
  for (int k = 0; k < 60 && !crossed; ++k, step *= 2) {
    outside = estimate + direction * step;
    at_outside = profile(outside);
    if (!(at_outside >= threshold)) crossed = true;
    else inside = outside, at_inside = at_outside;
  }
  if (!crossed) return std::nullopt;  // the profile stays above: unbounded
  const double scale = std::max({std::abs(estimate), std::abs(outside - estimate) / 64, 1e-300});
  const auto close = [&](double a, double b) { return std::abs(a - b) <= bound_tolerance * std::max({std::abs(a), std::abs(b), scale}); };
  while (!std::isfinite(at_outside) && !close(inside, outside)) {
    const double middle = (inside + outside) / 2;
    const double value = profile(middle);
    if (value >= threshold) inside = middle, at_inside = value;
    else outside = middle, at_outside = value;
  }
  if (!std::isfinite(at_outside) || at_inside == threshold) return inside;  // the edge, or exactly on the threshold
  std::uintmax_t iterations = 200;
  const auto [low, high] = boost::math::tools::toms748_solve(
      [&](double eta) {
        const double value = profile(eta) - threshold;
        // Beyond the space between two finite points (a profile with a hole):
        // read as below the threshold, which keeps the bracket.
        return std::isnan(value) || value == minus_infinity ? -1.0 : value;
      },
      std::min(inside, outside), std::max(inside, outside), inside < outside ? at_inside - threshold : at_outside - threshold,
      inside < outside ? at_outside - threshold : at_inside - threshold, close, iterations);
  return direction > 0 ? low : high;  // the end within the interval
}

// The point where the profile log-likelihood of coordinate j falls to
// `threshold` on `side`: the theta where log L(theta) = threshold and every
// other coordinate's score is 0 (the others maximize the likelihood there),
// by Newton's method on those K equations, from the Wald ellipsoid's extreme
// point in coordinate j (the profile's path to first order). `at` gives the
// log-likelihood, score and observed information, nothing outside the
// parameter space. Each step costs one sweep over the data, against a full
// refit of the others for every point a search along the profile tries.
// Nothing when it does not converge to such a point on that side with the
// others at a maximum (the caller then searches the profile itself).
struct likelihood_point {
  double log_likelihood;
  Eigen::VectorXd score;
  Eigen::MatrixXd information;
};

inline std::optional<double> profile_bound_by_newton(
    const std::function<std::optional<likelihood_point>(const Eigen::VectorXd&)>& at, const Eigen::VectorXd& best,
    const Eigen::MatrixXd& covariance, int j, double threshold, double side, double z) {
  const auto k = best.size();
  const Eigen::VectorXd se = covariance.diagonal().cwiseMax(0).cwiseSqrt();
  if (!(se[j] > 0) || !se.allFinite()) return std::nullopt;
  Eigen::VectorXd theta = best + (side * z / se[j]) * covariance.col(j);
  std::optional<likelihood_point> point = at(theta);
  for (int halvings = 0; halvings < 30 && !(point && std::isfinite(point->log_likelihood)); ++halvings) {
    theta = best + (theta - best) / 2;
    point = at(theta);
  }
  if (!point || !std::isfinite(point->log_likelihood)) return std::nullopt;
  const auto size = [&](const Eigen::VectorXd& step) {
    return (step.cwiseAbs().array() / (theta.cwiseAbs() + se).array()).maxCoeff();
  };
  double previous = NAN;  // the relative size of the last full step
  for (int iteration = 0; iteration < 50; ++iteration) {
    Eigen::VectorXd residual = point->score;
    residual[j] = point->log_likelihood - threshold;
    Eigen::MatrixXd jacobian = -point->information;
    jacobian.row(j) = point->score.transpose();
    const Eigen::VectorXd step = jacobian.fullPivLu().solve(-residual);
    if (!step.allFinite()) return std::nullopt;
    const double relative = size(step);
    // Done when this step is at the tolerance, or when Newton's quadratic
    // convergence shows (this step at most 1e4 times the square of the
    // last) and the next would be (1e4 * 1e-8^2 = 1e-12): the step is then
    // taken without another sweep over the data.
    if (relative <= bound_tolerance || (relative <= 1e-8 && relative <= 1e4 * previous * previous)) {
      // The others at a maximum (their information positive definite), and
      // the point near the threshold.
      Eigen::MatrixXd others(k - 1, k - 1);
      for (Eigen::Index a = 0, r = 0; a < k; ++a) {
        if (a == j) continue;
        for (Eigen::Index b = 0, c = 0; b < k; ++b)
          if (b != j) others(r, c++) = point->information(a, b);
        ++r;
      }
      if (k > 1 && others.llt().info() != Eigen::Success) return std::nullopt;
      if (!(std::abs(residual[j]) <= 1e-3)) return std::nullopt;
      const double bound = theta[j] + step[j];
      if (!(side * (bound - best[j]) > 0)) return std::nullopt;
      return bound;
    }
    // Damped until the log-likelihood is finite and j stays on its side.
    double scale = 1;
    std::optional<likelihood_point> next;
    Eigen::VectorXd candidate;
    for (int halvings = 0; halvings < 30; ++halvings, scale /= 2) {
      candidate = theta + scale * step;
      if (!(side * (candidate[j] - best[j]) > 0)) continue;
      next = at(candidate);
      if (next && std::isfinite(next->log_likelihood)) break;
      next.reset();
    }
    if (!next) return std::nullopt;
    theta = candidate;
    point = std::move(next);
    previous = scale == 1 ? relative : NAN;
  }
  return std::nullopt;
}

// The Wald interval from the standard error, when there is one, into p.
inline void fill_wald(fitted_parameter& p, std::optional<double> se, double z) {
  if (!se) return;
  p.se = *se;
  p.wald_low = p.estimate - z * *se;
  p.wald_high = p.estimate + z * *se;
}

// The first step of a search along the profile: the Wald interval's
// half-width, or 1% of the estimate.
inline double first_step(const fitted_parameter& p, double z) {
  return p.se && *p.se > 0 ? z * *p.se : 0.01 * std::max(std::abs(p.estimate), 1e-3);
}

template <family F>
data_fit fit_family(const F& family, const std::vector<double>& x,
                    const std::vector<std::pair<std::string, double>>& fixed, double level, bool with_profiles) {
  constexpr int K = F::dimension;
  using P = typename F::parameters;
  data_fit out;
  out.family = std::string(family.name);
  out.n = x.size();
  out.level = level;

  // Counts whose sum overflows: every discrete family's estimate is a
  // function of the mean, and none is in double precision.
  if (discrete(family.support)) {
    double sum = 0;
    for (double xi : x) sum += xi;
    if (!std::isfinite(sum)) {
      out.data_problem = beyond_precision(
          family.name, x.size(),
          fmt::format("their sum overflows (the largest is {:.3g})", *std::max_element(x.begin(), x.end())));
      return out;
    }
  }
  const fit_result<K> unrestricted = family.fit(x);
  // A discrete family whose fit gives no estimate at all has no MLE for these
  // data (the negative binomial's underdispersed sample): said with the
  // family's reason, never printed as NaN estimates on a "boundary".
  // With a parameter held the others' MLE may still exist (the negative
  // binomial's prob at a given size): that fit is the restricted one below.
  if (discrete(family.support) && !unrestricted.theta.allFinite() && fixed.empty()) {
    if (const auto [mean, variance] = sample_moments(x); !std::isfinite(variance)) {
      out.data_problem = beyond_precision(family.name, x.size(), "their variance overflows");
      return out;
    }
    std::string why;
    if constexpr (requires { F::no_mle_reason(std::span<const double>(x)); })
      why = ": " + F::no_mle_reason(std::span<const double>(x));
    out.data_problem = fmt::format("the {} MLE of these {} observations does not exist{}", family.name, x.size(), why);
    return out;
  }
  // Too few distinct values put a continuous family's MLE outside its
  // parameter space (a zero variance, an infinite rate): bad data, not a fit.
  // A discrete family's boundary estimate (p-hat = 0) is a result.
  if (!discrete(family.support) && (!unrestricted.theta.allFinite() || !space_problem(family, unrestricted.theta).empty())) {
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const auto distinct = std::unique(sorted.begin(), sorted.end()) - sorted.begin();
    // An estimate that overflows, from values enough apart, is double
    // precision's limit, not the data's.
    bool overflow = false;
    for (int j = 0; j < K; ++j) overflow = overflow || std::isinf(unrestricted.theta[j]);
    if (distinct >= 2 && overflow)
      out.data_problem = beyond_precision(family.name, x.size(),
                                          fmt::format("an estimate overflows (the values span {:.3g} to {:.3g})",
                                                      sorted.front(), sorted[static_cast<std::size_t>(distinct) - 1]));
    else
      out.data_problem = fmt::format("{} distinct value(s) in {} observations: too few to fit the {}{}", distinct,
                                     x.size(), family.name,
                                     unrestricted.theta.allFinite() ? " (" + space_problem(family, unrestricted.theta) + ")" : "");
    return out;
  }

  std::vector<bool> is_fixed(K, false);
  P start = unrestricted.theta;
  for (const auto& [name, value] : fixed) {
    const auto j = static_cast<int>(std::find(family.parameter_names.begin(), family.parameter_names.end(), name) -
                                    family.parameter_names.begin());
    if (j == K) throw std::invalid_argument("unknown parameter " + name);
    start[j] = value;
    is_fixed[static_cast<std::size_t>(j)] = true;
  }
  const std::string problem = space_problem(family, start);
  for (const auto& [name, value] : fixed) {
    if (!problem.empty() && problem.find(name) != std::string::npos) {
      out.fixed_problem = fmt::format("{}={}: {}", name, value, problem);
      return out;
    }
  }
  std::vector<int> free;
  for (int j = 0; j < K; ++j)
    if (!is_fixed[static_cast<std::size_t>(j)]) free.push_back(j);
  const observations<F> data(family, x);
  // With parameters held the family's own estimator does not apply: the
  // numeric maximizer frees the others, from the unrestricted estimate.
  const fit_result<K> fit =
      fixed.empty() ? unrestricted : maximize_restricted<F>(restricted_likelihood<F>(data, start, free), start);
  const P& theta = fit.theta;
  out.converged = fit.converged;
  out.iterations = fit.iterations;
  out.log_likelihood = family.log_likelihood(theta, x);
  // NaN, or an infinite maximum: the data are past what double precision
  // holds (a count so large its log-factorial overflows), not a fit.
  if (std::isnan(out.log_likelihood) || (fit.converged && !std::isfinite(out.log_likelihood))) {
    return refused(out.family, out.n, level,
                   beyond_precision(family.name, x.size(), "the log-likelihood at the estimate is not a finite number"));
  }
  const double k = static_cast<double>(free.size()), n = static_cast<double>(x.size());
  out.aic = 2 * k - 2 * out.log_likelihood;
  out.bic = k * std::log(n) - 2 * out.log_likelihood;
  const bool interior = space_problem(family, theta).empty();
  if (!interior)
    out.notes.push_back(fmt::format("the estimate is on the boundary of the parameter space ({}): no standard "
                                    "error or Wald interval", space_problem(family, theta)));

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
  if (!with_profiles && fit.converged)
    out.notes.push_back("no profile intervals: not computed (--no-profile)");

  const double z = boost::math::quantile(boost::math::normal(), (1 + level) / 2);
  // The threshold from the same sums the profile is evaluated with.
  const double at_estimate = data.sum_log_likelihood(theta);
  const double threshold = at_estimate - boost::math::quantile(boost::math::chi_squared(1), level) / 2;
  bool positive_definite = covariance.size() > 0;
  for (Eigen::Index a = 0; a < covariance.rows(); ++a)
    positive_definite = positive_definite && covariance(a, a) > 0 && std::isfinite(covariance(a, a));
  for (int j = 0; j < K; ++j) {
    fitted_parameter p{std::string(family.parameter_names[j]), theta[j], is_fixed[static_cast<std::size_t>(j)], {}, {}, {}, {}, {}};
    if (!p.fixed && fit.converged) {
      const auto position = static_cast<int>(std::find(free.begin(), free.end(), j) - free.begin());
      std::optional<double> se;
      if (covariance.size() > 0 && covariance(position, position) >= 0 && std::isfinite(covariance(position, position)))
        se = std::sqrt(covariance(position, position));
      fill_wald(p, se, z);
      if (!p.se && interior && F::regular)
        out.notes.push_back(fmt::format("{}: no standard error or Wald interval, the observed information at the "
                                        "estimate is not positive definite", p.name));
      if (with_profiles) {
        // The profile of j: the log-likelihood itself when j is the only free
        // coordinate, otherwise maximized over the others.
        const auto profile = [&](double eta) {
          P held = theta;
          held[j] = eta;
          if (free.size() == 1) return data.log_likelihood(held);
          std::vector<int> others;
          for (int i : free)
            if (i != j) others.push_back(i);
          const restricted_likelihood<F> likelihood(data, held, others);
          return likelihood.at(maximize_restricted<F>(likelihood, held).theta);
        };
        const auto bound = [&](double side) -> std::optional<double> {
          if constexpr (regular_family<F>) {
            if (free.size() > 1 && interior && positive_definite) {
              const auto at = [&](const Eigen::VectorXd& free_values) -> std::optional<likelihood_point> {
                P t = theta;
                for (std::size_t i = 0; i < free.size(); ++i) t[free[i]] = free_values[static_cast<Eigen::Index>(i)];
                if (!space_problem(family, t).empty()) return std::nullopt;
                const auto sums = data.at(t);
                likelihood_point result{sums.log_likelihood, Eigen::VectorXd(free.size()),
                                        Eigen::MatrixXd(free.size(), free.size())};
                for (std::size_t a = 0; a < free.size(); ++a) {
                  result.score[static_cast<Eigen::Index>(a)] = sums.score[free[a]];
                  for (std::size_t b = 0; b < free.size(); ++b)
                    result.information(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) =
                        sums.information(free[a], free[b]);
                }
                return result;
              };
              Eigen::VectorXd best(free.size());
              for (std::size_t i = 0; i < free.size(); ++i) best[static_cast<Eigen::Index>(i)] = theta[free[i]];
              if (const auto found = profile_bound_by_newton(at, best, covariance, position, threshold, side, z))
                return found;
            }
          }
          return profile_bound(profile, p.estimate, at_estimate, threshold, side, first_step(p, z));
        };
        p.profile_low = bound(-1);
        p.profile_high = bound(+1);
        for (const auto& [value, side] : {std::pair{p.profile_low, "lower"}, std::pair{p.profile_high, "upper"}})
          if (!value)
            out.notes.push_back(fmt::format("{}: no {} profile bound, the profile log-likelihood stays within the "
                                            "interval's threshold to the edge of the parameter space",
                                            p.name, side));
      }
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
data_fit fit_in_units(std::span<const double> known, const std::vector<double>& x, double level, bool with_profiles) {
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
  // The power of two at or below c: dividing by it and multiplying back are
  // exact, so a scale estimate that is a data value comes back as that value
  // (the uniform's theta-hat is max x to the bit; with c itself it could come
  // back an ulp below, where the likelihood is 0).
  c = std::ldexp(1.0, std::ilogb(c));
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - m) / c;
  std::vector<double> known_y(known.begin(), known.end());
  if constexpr (requires { F::known_units; })
    for (std::size_t i = 0; i < known_y.size(); ++i)
      if (F::known_units[i] == unit_role::scale) known_y[i] /= c;

  data_fit out = fit_family(make_family<F>(known_y), y, {}, level, with_profiles);
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
      return refused(out.family, out.n, level,
                     beyond_precision(F::name, x.size(), fmt::format("{}-hat overflows in the data's units", p.name)));
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

// fit_data for the family F (estimators/data_fit.hpp says what the caller checks).
template <family F>
data_fit fit_family_data(std::span<const double> known, const std::vector<double>& x,
                         const std::vector<std::pair<std::string, double>>& fixed, double level, bool with_profiles) {
  data_fit result;
  try {
    if constexpr (has_units<F>) {
      if (fixed.empty()) result = fit_in_units<F>(known, x, level, with_profiles);
      else result = fit_family(make_family<F>(known), x, fixed, level, with_profiles);
    } else {
      result = fit_family(make_family<F>(known), x, fixed, level, with_profiles);
    }
  } catch (const std::overflow_error& e) {
    // Boost.Math's overflow (a log-factorial of a count near 1e308): the
    // data's limit in double precision, not mlesim's fault.
    result = refused(std::string(F::name), x.size(), level, beyond_precision(F::name, x.size(), e.what()));
  }
  if constexpr (has_known_constants<F>)
    for (std::size_t i = 0; i < known.size(); ++i) result.known.emplace_back(F::known_names[i], known[i]);
  return result;
}

}  // namespace mlesim::fitting

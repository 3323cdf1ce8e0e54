// NegativeBinomial(size r, prob p) on {0, 1, 2, ...}, P(k) = Gamma(k + r) /
// (Gamma(r) k!) p^r (1 - p)^k, with r real and both estimated. Numeric MLE by
// the generic Newton maximizer from the method of moments. Data with
// variance <= mean (no overdispersion) have no MLE (r-hat runs to infinity):
// the fit then reports no convergence.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/gamma.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"
#include "estimators/special_functions.hpp"

#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/random/poisson_distribution.hpp>

#include <algorithm>
#include <cmath>

namespace mlesim {

struct negative_binomial {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "negative_binomial";
  static constexpr std::string_view summary =
      "NegativeBinomial(size, prob) on {0, 1, 2, ...}: failures before the size-th success, size real";
  static constexpr std::array<std::string_view, 2> parameter_names{"size", "prob"};
  static constexpr std::size_t min_sample_size = 2;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::counts;
  static constexpr bool closed_form = false;

  static constexpr std::array<reparametrization<2>, 1> reparametrizations{{
      {"mean", "size (1-prob)/prob", [](const parameters& t) { return t[0] * (1 - t[1]) / t[1]; },
       [](const parameters& t) { return parameters{(1 - t[1]) / t[1], -t[0] / (t[1] * t[1])}; }, 1,
       [](double eta, const parameters& t) { return parameters{t[0], t[0] / (t[0] + eta)}; }},
  }};

  // Method of moments: size = mean^2 / (variance - mean), prob = mean / variance;
  // no estimate when the sample is not overdispersed.
  static constexpr alternative_estimator<2> alternative{
      "method of moments", [](std::span<const double> x) -> fit_result<2> {
        const sample_moments m(x);
        const bool exists = m.variance > m.mean && m.mean > 0;
        return {parameters{m.mean * m.mean / (m.variance - m.mean), m.mean / m.variance}, exists, 0};
      }};

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::positive("size", t[0]), checks::open_unit("prob", t[1]));
  }

  // The gamma-Poisson mixture: Poisson(lambda), lambda ~ Gamma(r, p/(1-p)).
  static auto sampler(const parameters& t) {
    return [mixing = gamma_sampler(t[0], t[1] / (1 - t[1]))](auto& engine) mutable {
      return static_cast<double>(boost::random::poisson_distribution<long, double>(mixing(engine))(engine));
    };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::negative_binomial_distribution<>(t[0], t[1]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    const double r = t[0];
    double sum = 0;
    for (double xi : x) sum += math::lgamma(xi + r) - math::lgamma(xi + 1) + (xi > 0 ? xi * std::log1p(-t[1]) : 0.0);
    return sum + static_cast<double>(x.size()) * (r * std::log(t[1]) - math::lgamma(r));
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    const double r = t[0], p = t[1], n = static_cast<double>(x.size());
    double digammas = 0, sum = 0;
    for (double xi : x) {
      digammas += math::digamma(xi + r);
      sum += xi;
    }
    return {digammas + n * (std::log(p) - math::digamma(r)), n * r / p - sum / (1 - p)};
  }

  // I_rr = trigamma(r) - E trigamma(X + r) = sum_j P(X > j) / (r + j)^2, the
  // mass recursed in logs (p^r underflows for a large r) until the survival
  // is negligible or 60 SDs past the mean.
  static matrix<2> fisher_information(const parameters& t) {
    const double r = t[0], p = t[1];
    const double mean = r * (1 - p) / p, sd = std::sqrt(mean / p);
    const double last = mean + 60 * sd + 100, log_q = std::log1p(-p);
    double log_mass = r * std::log(p), cumulative = 0, rr = 0;
    for (double j = 0; j <= last; ++j) {
      cumulative += std::exp(log_mass);  // P(X <= j)
      const double survival = 1 - cumulative;
      if (survival <= 1e-17 && j > mean) break;
      rr += std::max(survival, 0.0) / ((r + j) * (r + j));
      log_mass += std::log((j + r) / (j + 1)) + log_q;  // P(X = j + 1)
    }
    matrix<2> info;
    info << rr, -1 / p, -1 / p, r / (p * p * (1 - p));
    return info;
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    const double r = t[0], p = t[1], n = static_cast<double>(x.size());
    double trigammas = 0, sum = 0;
    for (double xi : x) {
      trigammas += math::trigamma(xi + r);
      sum += xi;
    }
    matrix<2> info;
    info << n * math::trigamma(r) - trigammas, -n / p, -n / p, n * r / (p * p) + sum / ((1 - p) * (1 - p));
    return info;
  }

  static fit_result<2> fit(std::span<const double> x) {
    const auto [mean, variance] = sample_moments(x);
    if (!(variance > mean) || !(mean > 0)) return {parameters{NAN, NAN}, false, 0};
    const double r = mean * mean / (variance - mean);
    return fit_by_newton<negative_binomial>(x, parameters{r, r / (r + mean)},
                                            {parameter_scale::positive, parameter_scale::unit});
  }
};

}  // namespace mlesim

// Lognormal(mu, sigma2): log x ~ Normal(mu, sigma2). Closed-form MLE: the
// normal's on the logs.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/normal.hpp"

#include <boost/math/distributions/lognormal.hpp>
#include <boost/random/lognormal_distribution.hpp>

#include <cmath>

namespace mlesim {

struct lognormal {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "lognormal";
  static constexpr std::string_view summary = "Lognormal(mu, sigma2) on (0, inf): log x ~ Normal(mu, sigma2)";
  static constexpr std::array<std::string_view, 2> parameter_names{"mu", "sigma2"};
  static constexpr std::size_t min_sample_size = 2;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool closed_form = true;
  static constexpr std::array<unit_role, 2> units{unit_role::log_location, unit_role::none};

  static constexpr std::array<reparametrization<2>, 2> reparametrizations{{
      {"median", "exp(mu)", [](const parameters& t) { return std::exp(t[0]); },
       [](const parameters& t) { return parameters{std::exp(t[0]), 0}; }, 0,
       [](double eta, const parameters& t) { return parameters{std::log(eta), t[1]}; }},
      {"mean", "exp(mu + sigma2/2)", [](const parameters& t) { return std::exp(t[0] + t[1] / 2); },
       [](const parameters& t) {
         const double m = std::exp(t[0] + t[1] / 2);
         return parameters{m, m / 2};
       },
       0, [](double eta, const parameters& t) { return parameters{std::log(eta) - t[1] / 2, t[1]}; }},
  }};

  // x = exp(mu + sigma z) stays a normal double (|mu| + 38 sigma < 700),
  // exp(mu) and the mean exp(mu + sigma2/2) stay below 1e65 (their errors'
  // fourth powers finite), and log x, exact to 1e-16, resolves sigma to 1e-10.
  static constexpr double max_mu = 100, min_sigma2 = 1e-12, max_sigma2 = 100;

  // The mean's estimate exp(mu-hat + sigma2-hat/2), with sigma2-hat =
  // sigma2 chi2(n - 1)/n independent of the normal mu-hat: E exp(q sigma2-hat
  // / 2) is finite for q < n / sigma2 only (chi2's moment generating function
  // ends at 1/2). mu, sigma2 and the median exp(mu-hat) have every moment.
  static double moments_below(const parameters& t, double n, std::string_view estimand) {
    return estimand == "mean" ? n / t[1] : INFINITY;
  }

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::finite("mu", t[0]), checks::positive("sigma2", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::within("mu", t[0], -max_mu, max_mu),
                                 checks::positive_within("sigma2", t[1], min_sigma2, max_sigma2));
  }

  static auto sampler(const parameters& t) {
    return boost::random::lognormal_distribution<double>(t[0], std::sqrt(t[1]));
  }

  // The normal's formulas on y = log x; the density's Jacobian 1/x adds
  // -sum log x = -(s + n mu) to the log-likelihood and nothing else.
  static normal::deviation_sums log_deviations(const parameters& t, std::span<const double> x) {
    return normal::deviations(t[0], x, [](double xi) { return std::log(xi); });
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::lognormal_distribution<>(t[0], std::sqrt(t[1])); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    const auto d = log_deviations(t, x);
    return normal::log_likelihood(t, d) - (d.s + d.n * t[0]);
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    return normal::score(t, log_deviations(t, x));
  }

  static matrix<2> fisher_information(const parameters& t) { return normal::fisher_information(t); }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    return normal::observed_information(t, log_deviations(t, x));
  }

  static fit_result<2> fit(std::span<const double> x) {
    const double n = static_cast<double>(x.size());
    double sum_log = 0;
    for (double xi : x) sum_log += std::log(xi);
    const double mu = sum_log / n;
    double ss = 0;
    for (double xi : x) ss += (std::log(xi) - mu) * (std::log(xi) - mu);
    return {parameters{mu, ss / n}, true, 0};
  }
};

}  // namespace mlesim

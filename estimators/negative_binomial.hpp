// NegativeBinomial(size r, prob p) on {0, 1, 2, ...}, P(k) = Gamma(k + r) /
// (Gamma(r) k!) p^r (1 - p)^k, with r real and both estimated. Numeric MLE by
// the generic Newton maximizer from the method of moments. Data with
// variance <= mean (no overdispersion) have no MLE (r-hat runs to infinity):
// the fit then reports no convergence (a failed replication; `mlesim fit`
// says why, no_mle_reason).
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/gamma.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"
#include "estimators/special_functions.hpp"

#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>

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

  // The ranges double precision supports. The Poisson mean of a draw is a
  // gamma with scale (1 - prob)/prob: prob >= 1e-12 and a mean <= 1e13 keep it
  // (and the count) under 1e15, where doubles still hold every integer and
  // Boost's Poisson sampler's casts to long are defined. Above size 1e8 the
  // bound's determinant, I_rr size/(prob^2 (1 - prob)) - 1/prob^2, loses
  // more than 1e-8 to cancellation (the law is all but a Poisson's).
  static constexpr double max_size = 1e8, min_prob = 1e-12, max_mean = 1e13;

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::positive("size", t[0]), checks::open_unit("prob", t[1]));
  }

  static std::string check(const parameters& t) {
    const double mean = t[0] * (1 - t[1]) / t[1];
    return checks::first_failure(
        checks::positive_within("size", t[0], checks::scale_low, max_size), checks::unit_within("prob", t[1], min_prob),
        mean <= max_mean ? std::string()
                         : fmt::format("the mean size (1 - prob)/prob is {:g}, but must be <= {:g} for double precision",
                                       mean, max_mean));
  }

  // The gamma-Poisson mixture: Poisson(lambda), lambda ~ Gamma(r, p/(1-p)).
  // A small size's gamma draw can underflow to 0, where Boost's Poisson is
  // undefined (it asserts mean > 0: ranges_test tripped it in the sanitizer
  // build, whose assertions are on): Poisson(0) is 0, returned here after the
  // one uniform that Boost's inversion took, so that the stream is unchanged.
  static auto sampler(const parameters& t) {
    return [mixing = gamma_sampler(t[0], t[1] / (1 - t[1]))](auto& engine) mutable {
      const double lambda = mixing(engine);
      if (!(lambda > 0)) {
        boost::random::uniform_01<double>()(engine);
        return 0.0;
      }
      return static_cast<double>(boost::random::poisson_distribution<long, double>(lambda)(engine));
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

  // I_rr = trigamma(r) - E trigamma(X + r) = sum_j P(X > j) / (r + j)^2, in
  // bounded time (size_information below); summed term by term it took
  // mean + 60 SD terms, 10 s for four replications at size 1e8.
  static matrix<2> fisher_information(const parameters& t) {
    const double r = t[0], p = t[1];
    matrix<2> info;
    const double rr = size_information(r, p);
    info << rr, -1 / p, -1 / p, r / (p * p * (1 - p));
    return info;
  }

  // trigamma(r) - E trigamma(X + r) for X ~ NB(r, p), as one integral: with
  // trigamma(z) = int_0^inf t e^(-zt) / (1 - e^(-t)) dt and E e^(-tX) =
  // (p / (1 - q e^(-t)))^r (the generating function at e^(-t)),
  //   I_rr = int_0^inf t e^(-rt) / (1 - e^(-t)) [1 - (1 + (q/p)(1 - e^(-t)))^(-r)] dt,
  // every factor in a cancellation-free form (expm1, log1p). Integrated over
  // u = log t, where the integrand is smooth at every scale of r and the mean,
  // by adaptive Gauss-Kronrod to 1e-13 of the (positive) integral; the range
  // leaves out under 1e-13 of it (below t = 1e-8 min(1, 1/r, 1/mean) the
  // integrand is under mean t^2, beyond t = 60/r + 60 under e^-60 of its peak).
  static double size_information(double r, double p) {
    const double odds = (1 - p) / p, mean = r * odds;
    const auto integrand = [r, odds](double u) {
      const double t = std::exp(u), one_minus = -std::expm1(-t);
      const double bracket = -std::expm1(-r * std::log1p(odds * one_minus));
      return t * (t / one_minus) * std::exp(-r * t) * bracket;
    };
    const double low = std::log(1e-8) + std::log(std::max(std::min({1.0, 1 / r, 1 / mean}), 1e-300));
    const double high = std::log(60 / r + 60);
    int budget = 400;
    return adaptive_integral(integrand, low, high, budget);
  }

 private:
  // Gauss-Kronrod (15, 31) on [a, b], bisected until a part's error estimate
  // is below 1e-13 of its value (the integrand is positive) or the budget of
  // bisections is spent: at most 2 * 400 + 1 rules, about 25 000 evaluations.
  template <class Integrand>
  static double adaptive_integral(const Integrand& f, double a, double b, int& budget) {
    double error = 0;
    const double value = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, a, b, 0, 0, &error);
    error *= (b - a) / 2;  // Boost 1.74 returns the error on [-1, 1], unscaled
    if (error <= 1e-13 * std::abs(value) || budget <= 0) return value;
    --budget;
    const double middle = a / 2 + b / 2;
    return adaptive_integral(f, a, middle, budget) + adaptive_integral(f, middle, b, budget);
  }

 public:
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

  // Why fit() gives no estimate, for `mlesim fit`'s message.
  static std::string no_mle_reason(std::span<const double> x) {
    const auto [mean, variance] = sample_moments(x);
    return fmt::format("their variance {:.6g} is not above their mean {:.6g} (no overdispersion: size-hat runs to "
                       "infinity; a Poisson fits them)", variance, mean);
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

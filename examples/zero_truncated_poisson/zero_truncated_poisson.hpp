// The zero-truncated Poisson: a Poisson(lambda) count conditioned on being at
// least 1, P(X = x) = lambda^x e^-lambda / (x! (1 - e^-lambda)) on {1, 2, ...}
// (counts of something that is only seen once it happens: the number of
// items in a non-empty basket). A family mlesim does not ship, written
// against the installed library's public API (<mlesim/mlesim.hpp>).
//
// The MLE solves mean(x) = lambda / (1 - e^-lambda), which has the closed
// form lambda = m + W0(-m e^-m) with m = mean(x) and W0 the principal branch
// of Lambert's W (Boost.Math); it exists when m > 1 (all ones: lambda -> 0).
// The Fisher information per observation is E[X]/lambda^2 - e^-lambda /
// (1 - e^-lambda)^2 = 1/(lambda (1 - e^-lambda)) - e^-lambda/(1 - e^-lambda)^2.
//
// Built with -DZTP_WRONG_SE it is the same family with a deliberate error:
// a Fisher information 1.21 times too large, so every standard error is 10%
// too small. `verify` must catch it (the example's test does).
#pragma once

#include <mlesim/estimators/checks.hpp>
#include <mlesim/mlesim.hpp>

#include <boost/math/special_functions/lambert_w.hpp>
#include <boost/random/uniform_01.hpp>

#include <cmath>
#include <limits>

struct zero_truncated_poisson {
  static constexpr int dimension = 1;
  using parameters = mlesim::vector<1>;
  static constexpr std::string_view name = "zero_truncated_poisson";
  static constexpr std::string_view summary = "Poisson(lambda) given at least 1, on {1, 2, ...}";
  static constexpr std::array<std::string_view, 1> parameter_names{"lambda"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  // {1, 2, ...}: a support none of the built-in families has.
  static constexpr mlesim::support_kind support{1, std::numeric_limits<double>::infinity(), false, true, true};
  static constexpr bool closed_form = true;
  static constexpr std::array<mlesim::reparametrization<1>, 0> reparametrizations{};

  // The sampler and the quantile walk the mass function from 1, whose first
  // term, lambda e^-lambda / (1 - e^-lambda), underflows past lambda = 745:
  // lambda stays at most 700 (and the walk's cost grows with it).
  static std::string check(const parameters& t) { return mlesim::checks::within("lambda", t[0], 1e-3, 700); }

  // log P(X = x) and its pieces.
  static double log_norm(double lambda) { return std::log(-std::expm1(-lambda)); }  // log(1 - e^-lambda)
  static double log_mass(double lambda, double x) {
    return x * std::log(lambda) - lambda - std::lgamma(x + 1) - log_norm(lambda);
  }

  // Inversion: one uniform, then the cumulative mass from x = 1 upward.
  static auto sampler(const parameters& t) {
    return [lambda = t[0]](auto& engine) {
      const double u = boost::random::uniform_01<double>()(engine);
      double x = 1, mass = std::exp(log_mass(lambda, 1)), cumulative = mass;
      while (cumulative < u && mass > 0) {
        ++x;
        mass *= lambda / x;
        cumulative += mass;
      }
      return x;
    };
  }

  // The p-quantile (or with `upper` the x with P(X > x) <= p), by the same
  // walk; the upper tail beyond x is bounded by mass(x + 1) / (1 - lambda / (x + 2)).
  static double quantile(const parameters& t, double p, bool upper) {
    const double lambda = t[0];
    double x = 1, mass = std::exp(log_mass(lambda, 1)), cumulative = mass;
    for (;; ++x, mass *= lambda / x, cumulative += mass) {
      if (!upper && cumulative >= p) return x;
      if (upper && x + 2 > lambda) {
        const double next = mass * lambda / (x + 1);
        if (next / (1 - lambda / (x + 2)) <= p) return x;
      }
    }
  }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double result = 0;
    for (double xi : x) result += log_mass(t[0], xi);
    return result;
  }

  static double sum(std::span<const double> x) {
    double s = 0;
    for (double xi : x) s += xi;
    return s;
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    const double lambda = t[0], n = static_cast<double>(x.size());
    return parameters{sum(x) / lambda + n / std::expm1(-lambda)};  // sum/lambda - n/(1 - e^-lambda)
  }

  static mlesim::matrix<1> fisher_information(const parameters& t) {
    const double lambda = t[0], q = -std::expm1(-lambda);  // 1 - e^-lambda
    const double info = 1 / (lambda * q) - std::exp(-lambda) / (q * q);
#ifdef ZTP_WRONG_SE
    return mlesim::matrix<1>{1.21 * info};
#else
    return mlesim::matrix<1>{info};
#endif
  }

  static mlesim::matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    const double lambda = t[0], q = -std::expm1(-lambda), n = static_cast<double>(x.size());
    const double info = sum(x) / (lambda * lambda) - n * std::exp(-lambda) / (q * q);
#ifdef ZTP_WRONG_SE
    return mlesim::matrix<1>{1.21 * info};
#else
    return mlesim::matrix<1>{info};
#endif
  }

  static mlesim::fit_result<1> fit(std::span<const double> x) {
    const double m = sum(x) / static_cast<double>(x.size());
    if (!(m > 1)) return {parameters{NAN}, false, 0};  // all ones: the likelihood rises to lambda = 0
    return {parameters{m + boost::math::lambert_w0(-m * std::exp(-m))}, true, 0};
  }
};

// Pareto(alpha) with the minimum x_m known: density alpha x_m^alpha /
// x^(alpha + 1) on [x_m, inf). Closed-form MLE alpha-hat = n / sum log(x/x_m).
// Since log(X/x_m) is Exponential(alpha), the sum is Gamma(n, alpha) and
// alpha-hat has the exponential rate's exact moments: E = n alpha / (n - 1).
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"

#include <boost/math/distributions/pareto.hpp>
#include <boost/random/exponential_distribution.hpp>

#include <cmath>
#include <span>

namespace mlesim {

struct pareto {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "pareto";
  static constexpr std::string_view summary = "Pareto(alpha) on [x_m, inf), x_m known";
  static constexpr std::array<std::string_view, 1> parameter_names{"alpha"};
  static constexpr std::array<std::string_view, 1> known_names{"x_m"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::positive;
  static constexpr bool closed_form = true;
  static constexpr std::array<unit_role, 1> units{unit_role::none};
  static constexpr std::array<unit_role, 1> known_units{unit_role::scale};

  static constexpr std::array<reparametrization<1>, 1> reparametrizations{{
      {"mean_log_ratio", "1/alpha", [](const parameters& t) { return 1 / t[0]; },
       [](const parameters& t) { return parameters{-1 / (t[0] * t[0])}; }, 0,
       [](double eta, const parameters&) { return parameters{1 / eta}; }},
  }};

  double x_m = 1;

  explicit pareto(std::span<const double> known) : x_m(known[0]) {}

  static std::string check_known(std::span<const double> known) { return checks::positive_within("x_m", known[0]); }

  // x = x_m e^(E/alpha), E exponential: below alpha 0.1 a draw (E up to 40)
  // overflows; above 1e8, log(x/x_m) keeps fewer than 8 digits of E/alpha.
  static constexpr double min_alpha = 0.1, max_alpha = 1e8;

  // alpha-hat = n alpha / Gamma(n, 1), as the exponential rate's: finite
  // moments below order n; 1/alpha-hat, a mean of exponentials, has them all.
  static double moments_below(const parameters&, double n, std::string_view estimand) {
    return estimand == "alpha" ? n : INFINITY;
  }

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::positive("alpha", t[0]); }

  static std::string check(const parameters& t) { return checks::positive_within("alpha", t[0], min_alpha, max_alpha); }

  bool admits(double x) const { return x >= x_m; }
  double support_start() const { return x_m; }

  auto sampler(const parameters& t) const {
    return [x_m = x_m, draw = boost::random::exponential_distribution<double>(t[0])](auto& engine) mutable {
      return x_m * std::exp(draw(engine));
    };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  auto distribution(const parameters& t) const { return boost::math::pareto_distribution<>(x_m, t[0]); }

  double log_likelihood(const parameters& t, std::span<const double> x) const {
    const double alpha = t[0], n = static_cast<double>(x.size());
    double sum_log = 0;
    for (double xi : x) {
      if (!(xi >= x_m)) return -INFINITY;
      sum_log += std::log(xi);
    }
    return n * (std::log(alpha) + alpha * std::log(x_m)) - (alpha + 1) * sum_log;
  }

  parameters score(const parameters& t, std::span<const double> x) const {
    return parameters{static_cast<double>(x.size()) / t[0] - log_ratio_sum(x)};
  }

  static matrix<1> fisher_information(const parameters& t) { return matrix<1>{1 / (t[0] * t[0])}; }

  static matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    return matrix<1>{static_cast<double>(x.size()) / (t[0] * t[0])};
  }

  // All values at x_m make the sum 0 and alpha-hat infinite: no MLE.
  fit_result<1> fit(std::span<const double> x) const {
    const double alpha = static_cast<double>(x.size()) / log_ratio_sum(x);
    return {parameters{alpha}, std::isfinite(alpha), 0};
  }

 private:
  double log_ratio_sum(std::span<const double> x) const {
    double sum = 0;
    for (double xi : x) sum += std::log(xi / x_m);
    return sum;
  }
};

}  // namespace mlesim

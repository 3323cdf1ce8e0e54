// Binomial(m, p) with the number of trials m known: closed-form MLE, the
// share of successes x-bar / m. As for the Bernoulli (m = 1), p-hat = 0 or 1
// is on the boundary: no standard error, and log_odds is infinite.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/special_functions.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <boost/random/binomial_distribution.hpp>

#include <cmath>
#include <span>

namespace mlesim {

struct binomial {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "binomial";
  static constexpr std::string_view summary = "Binomial(trials, p) on {0, ..., trials}, trials known";
  static constexpr std::array<std::string_view, 1> parameter_names{"p"};
  static constexpr std::array<std::string_view, 1> known_names{"trials"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::counts;
  static constexpr bool closed_form = true;

  static constexpr std::array<reparametrization<1>, 1> reparametrizations{{
      {"log_odds", "log(p/(1-p))", [](const parameters& t) { return std::log(t[0] / (1 - t[0])); },
       [](const parameters& t) { return parameters{1 / (t[0] * (1 - t[0]))}; }, 0,
       [](double eta, const parameters&) { return parameters{1 / (1 + std::exp(-eta))}; }},
  }};

  // The largest number of trials, as documented. Boost's sampler runs on
  // long long: on int its (trials + 1) overflowed at 2^31 - 1 and it never
  // returned.
  static constexpr double max_trials = 2147483647;

  double trials = 1;

  explicit binomial(std::span<const double> known) : trials(known[0]) {}

  static std::string check_known(std::span<const double> known) {
    const double m = known[0];
    if (m >= 1 && m <= max_trials && m == std::floor(m)) return {};
    return fmt::format("trials is {}, but must be a whole number in [1, {}]", m, max_trials);
  }

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::open_unit("p", t[0]); }

  static std::string check(const parameters& t) { return checks::unit_within("p", t[0]); }

  bool admits(double x) const { return x <= trials; }

  auto sampler(const parameters& t) const {
    return [draw = boost::random::binomial_distribution<long long, double>(static_cast<long long>(trials), t[0])](
               auto& engine) mutable { return static_cast<double>(draw(engine)); };
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  auto distribution(const parameters& t) const { return boost::math::binomial_distribution<>(trials, t[0]); }

  double log_likelihood(const parameters& t, std::span<const double> x) const {
    double successes = 0, choose_sum = 0;
    for (double xi : x) {
      if (!(xi <= trials)) return -INFINITY;  // outside the support: mass 0
      successes += xi;
      choose_sum += math::log_choose(trials, xi);
    }
    const double failures = static_cast<double>(x.size()) * trials - successes;
    // 0 * log(0) = 0: a boundary p is a valid likelihood of a one-sided sample.
    return choose_sum + (successes > 0 ? successes * std::log(t[0]) : 0.0) +
           (failures > 0 ? failures * std::log1p(-t[0]) : 0.0);
  }

  parameters score(const parameters& t, std::span<const double> x) const {
    const auto [successes, failures] = totals(x);
    return parameters{successes / t[0] - failures / (1 - t[0])};
  }

  matrix<1> fisher_information(const parameters& t) const { return matrix<1>{trials / (t[0] * (1 - t[0]))}; }

  matrix<1> observed_information(const parameters& t, std::span<const double> x) const {
    const auto [successes, failures] = totals(x);
    return matrix<1>{successes / (t[0] * t[0]) + failures / ((1 - t[0]) * (1 - t[0]))};
  }

  fit_result<1> fit(std::span<const double> x) const {
    return {parameters{totals(x).first / (static_cast<double>(x.size()) * trials)}, true, 0};
  }

 private:
  std::pair<double, double> totals(std::span<const double> x) const {
    double successes = 0;
    for (double xi : x) successes += xi;
    return {successes, static_cast<double>(x.size()) * trials - successes};
  }
};

}  // namespace mlesim

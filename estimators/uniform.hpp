// Uniform(0, theta): non-regular. The support depends on theta, so the
// likelihood is not differentiable at its maximum, the sample maximum; there is
// no Fisher information, no Cramér–Rao bound, and the MLE converges at rate n.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"

#include <boost/math/distributions/uniform.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace mlesim {

struct uniform {
  static constexpr int dimension = 1;
  using parameters = vector<1>;
  static constexpr std::string_view name = "uniform";
  static constexpr std::string_view summary = "Uniform(0, theta) on [0, theta]; non-regular, the support depends on theta";
  static constexpr std::array<std::string_view, 1> parameter_names{"theta"};
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = false;
  static constexpr support_kind support = support_kind::bounded;
  static constexpr bool closed_form = true;
  static constexpr std::array<unit_role, 1> units{unit_role::scale};
  static constexpr std::string_view irregularity =
      "Uniform(0, theta) is non-regular: its support depends on theta, so there is no Fisher "
      "information, no Cramér–Rao bound and no Wald interval; the MLE (the sample maximum) "
      "converges at rate n, not sqrt(n), and z is the estimate standardized by its exact mean "
      "n theta/(n + 1) and SD theta sqrt(n/((n + 1)^2 (n + 2))), so the normality test judges its shape";

  static constexpr std::array<reparametrization<1>, 0> reparametrizations{};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) { return checks::positive("theta", t[0]); }

  static std::string check(const parameters& t) { return checks::positive_within("theta", t[0]); }

  static auto sampler(const parameters& t) {
    return boost::random::uniform_real_distribution<double>(0, t[0]);
  }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::uniform_distribution<>(0, t[0]); }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    const bool inside = std::all_of(x.begin(), x.end(), [&](double xi) { return xi >= 0 && xi <= t[0]; });
    return inside ? -static_cast<double>(x.size()) * std::log(t[0])
                  : -std::numeric_limits<double>::infinity();
  }

  // The derivative where the likelihood is positive; it never vanishes there.
  static parameters score(const parameters& t, std::span<const double> x) {
    return parameters{-static_cast<double>(x.size()) / t[0]};
  }

  // The MLE's exact mean and SD at theta: theta-hat = theta U^(1/n), U ~ Uniform(0, 1), so
  // E = n theta/(n + 1) and Var = n theta^2/((n + 1)^2 (n + 2)). z is standardized by them.
  static std::pair<double, double> exact_moments(const parameters& t, double n) {
    return {n * t[0] / (n + 1), t[0] * std::sqrt(n / (n + 2)) / (n + 1)};
  }

  static fit_result<1> fit(std::span<const double> x) {
    return {parameters{*std::max_element(x.begin(), x.end())}, true, 0};
  }
};

}  // namespace mlesim

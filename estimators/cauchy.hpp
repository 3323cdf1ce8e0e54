// Cauchy(location, scale), density 1 / (pi s (1 + z^2)), z = (x - mu)/s.
// Numeric MLE by the generic Newton maximizer from the median and half the
// interquartile range (the quartiles are mu -+ s). The location's likelihood
// can have several local maxima in small samples (Reeds 1985): Newton finds
// the one its start leads to, which from the median is the global one in the
// great majority of samples but is not guaranteed to be; a fit that stalls is
// reported as not converged.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"

#include <boost/math/distributions/cauchy.hpp>
#include <boost/random/cauchy_distribution.hpp>

#include <cmath>
#include <numbers>

namespace mlesim {

struct cauchy {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "cauchy";
  static constexpr std::string_view summary = "Cauchy(location, scale) on the real line";
  static constexpr std::array<std::string_view, 2> parameter_names{"location", "scale"};
  static constexpr std::size_t min_sample_size = 3;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::real_line;
  static constexpr bool closed_form = false;
  static constexpr std::array<unit_role, 2> units{unit_role::location, unit_role::scale};

  static constexpr std::array<reparametrization<2>, 0> reparametrizations{};

  // The quartile estimator: location = the sample median, scale = half the
  // interquartile range (the quartiles are location -+ scale).
  static constexpr alternative_estimator<2> alternative{
      "median and half the IQR", [](std::span<const double> x) -> fit_result<2> {
        const median_and_iqr m(x);
        return {parameters{m.median, m.iqr / 2}, m.iqr > 0, 0};
      }};

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive("scale", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive_within("scale", t[1]),
                                 checks::location_within("location", t[0], t[1]));
  }

  static auto sampler(const parameters& t) { return boost::random::cauchy_distribution<double>(t[0], t[1]); }

  // The same law in Boost.Math, for its quantiles (estimators/expectation.cpp).
  static auto distribution(const parameters& t) { return boost::math::cauchy_distribution<>(t[0], t[1]); }

  // log(1 + z^2), and w = 1/(1 + z^2) with z w and z^2 w, in forms that do
  // not overflow: z^2 does past |z| = 1e154, where log1p(z^2) was infinite
  // and z^2 / (1 + z^2) NaN.
  static double log1p_square(double z) {
    const double a = std::abs(z);
    return a <= 1 ? std::log1p(a * a) : 2 * std::log(a) + std::log1p(1 / (a * a));
  }
  struct weights {
    double w, zw, zzw;  // 1/(1+z^2), z/(1+z^2), z^2/(1+z^2)
  };
  static weights weights_at(double z) {
    if (std::abs(z) <= 1) {
      const double w = 1 / (1 + z * z);
      return {w, z * w, z * z * w};
    }
    const double y = 1 / z, zzw = 1 / (1 + y * y);
    return {y * y * zzw, y * zzw, zzw};
  }

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += log1p_square((xi - t[0]) / t[1]);
    return -static_cast<double>(x.size()) * std::log(std::numbers::pi * t[1]) - sum;
  }

  static parameters score(const parameters& t, std::span<const double> x) {
    const double s = t[1];
    double location = 0, scale = 0;
    for (double xi : x) {
      const auto [w, zw, zzw] = weights_at((xi - t[0]) / s);
      location += 2 * zw;
      scale += 2 * zzw - 1;
    }
    return {location / s, scale / s};
  }

  static matrix<2> fisher_information(const parameters& t) {
    return matrix<2>::Identity() / (2 * t[1] * t[1]);
  }

  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    const double s = t[1];
    double mm = 0, ms = 0, ss = 0;
    for (double xi : x) {
      const auto [w, zw, zzw] = weights_at((xi - t[0]) / s);
      mm += 2 * w * (w - zzw);        // 2 (1 - z^2) / (1 + z^2)^2
      ms += 4 * zw * w;               // 4 z / (1 + z^2)^2
      ss += 2 * zzw * (3 * w + zzw) - 1;  // 2 z^2 (3 + z^2) / (1 + z^2)^2 - 1
    }
    matrix<2> info;
    info << mm, ms, ms, ss;
    return info / (s * s);
  }

  static fit_result<2> fit(std::span<const double> x) {
    const median_and_iqr start(x);
    if (!(start.iqr > 0)) return {parameters{NAN, NAN}, false, 0};
    return fit_by_newton<cauchy>(x, parameters{start.median, start.iqr / 2},
                                 {parameter_scale::real, parameter_scale::positive});
  }
};

}  // namespace mlesim

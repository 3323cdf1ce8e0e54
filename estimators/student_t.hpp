// Student's t(location, scale) with the degrees of freedom df known: density
// Gamma((df+1)/2) / (Gamma(df/2) sqrt(df pi) s) (1 + z^2/df)^(-(df+1)/2),
// z = (x - mu)/s. Numeric MLE by the generic Newton maximizer from the
// median and the interquartile range (the quartiles are mu -+ s t_df(0.75)).
// As for the Cauchy (df = 1), the location's likelihood can have several
// local maxima in small samples with small df: Newton finds the one its start
// leads to, from the median nearly always the global one, not guaranteed;
// a fit that stalls is reported as not converged.
#pragma once

#include "estimators/cauchy.hpp"
#include "estimators/checks.hpp"
#include "estimators/family.hpp"
#include "estimators/gamma.hpp"
#include "estimators/newton.hpp"
#include "estimators/sample_statistics.hpp"
#include "estimators/special_functions.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <numbers>
#include <span>

namespace mlesim {

struct student_t {
  static constexpr int dimension = 2;
  using parameters = vector<2>;
  static constexpr std::string_view name = "student_t";
  static constexpr std::string_view summary = "Student t(location, scale) on the real line, df known";
  static constexpr std::array<std::string_view, 2> parameter_names{"location", "scale"};
  static constexpr std::array<std::string_view, 1> known_names{"df"};
  static constexpr std::size_t min_sample_size = 3;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::real_line;
  static constexpr bool closed_form = false;
  static constexpr std::array<unit_role, 2> units{unit_role::location, unit_role::scale};

  static constexpr std::array<reparametrization<2>, 0> reparametrizations{};

  double df = 1;

  explicit student_t(std::span<const double> known) : df(known[0]) {}

  // Below df 0.1 the chi-squared draw underflows (a draw of t is then
  // infinite) with probability above 1e-15 per draw.
  static constexpr double min_df = 0.1, max_df = 1e300;

  static std::string check_known(std::span<const double> known) {
    return checks::positive_within("df", known[0], min_df, max_df);
  }

  // The parameter space itself, without the range double precision supports
  // for simulating: a fit's estimate may lie beyond that range.
  static std::string check_space(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive("scale", t[1]));
  }

  static std::string check(const parameters& t) {
    return checks::first_failure(checks::finite("location", t[0]), checks::positive_within("scale", t[1]),
                                 checks::location_within("location", t[0], t[1]));
  }

  // T = Z / sqrt(V / df), V chi-squared(df) = Gamma(df/2, rate 1/2) by the
  // project's Marsaglia–Tsang sampler: about 5x cheaper than Boost.Random's
  // student_t_distribution, whose chi-squared uses its slower gamma.
  auto sampler(const parameters& t) const {
    return [location = t[0], scale = t[1], df = df, normal = boost::random::normal_distribution<double>(),
            chi_squared = gamma_sampler(df / 2, 0.5)](auto& engine) mutable {
      const double z = normal(engine);
      return location + scale * z / std::sqrt(chi_squared(engine) / df);
    };
  }

  // Its quantiles by Boost.Math's t, shifted and scaled (estimators/expectation.cpp);
  // `upper` asks for the quantile of the complement, accurate for tiny p.
  double quantile(const parameters& t, double p, bool upper) const {
    const boost::math::students_t_distribution<> standard(df);
    return t[0] + t[1] * (upper ? boost::math::quantile(boost::math::complement(standard, p))
                                : boost::math::quantile(standard, p));
  }

  double log_likelihood(const parameters& t, std::span<const double> x) const {
    const double s = t[1], n = static_cast<double>(x.size());
    double sum = 0;
    const double root_df = std::sqrt(df);
    for (double xi : x) sum += cauchy::log1p_square((xi - t[0]) / s / root_df);  // log(1 + z^2/df), no overflow
    // log Gamma((df+1)/2) - log Gamma(df/2) as one ratio: the difference of
    // the two lgammas kept no digit at df = 1e300.
    const double constant = -std::log(boost::math::tgamma_delta_ratio(df / 2, 0.5, math::policy{})) -
                            std::log(df * std::numbers::pi) / 2 - std::log(s);
    return n * constant - (df + 1) / 2 * sum;
  }

  parameters score(const parameters& t, std::span<const double> x) const {
    const double s = t[1];
    double location = 0, scale = 0;
    // In r = z / sqrt(df), with the Cauchy's overflow-free weights of r:
    // z / (df + z^2) = (r / (1 + r^2)) / sqrt(df), z^2 / (df + z^2) = r^2 / (1 + r^2).
    const double root_df = std::sqrt(df);
    for (double xi : x) {
      const auto [w, rw, rrw] = cauchy::weights_at((xi - t[0]) / s / root_df);
      location += (df + 1) * rw / root_df;
      scale += (df + 1) * rrw - 1;
    }
    return {location / s, scale / s};
  }

  matrix<2> fisher_information(const parameters& t) const {
    const double s2 = t[1] * t[1];
    matrix<2> info;
    info << (df + 1) / ((df + 3) * s2), 0, 0, 2 * df / ((df + 3) * s2);
    return info;
  }

  matrix<2> observed_information(const parameters& t, std::span<const double> x) const {
    const double s = t[1];
    double mm = 0, ms = 0, ss = 0;
    const double root_df = std::sqrt(df);
    for (double xi : x) {  // the score's forms in r = z / sqrt(df)
      const auto [w, rw, rrw] = cauchy::weights_at((xi - t[0]) / s / root_df);
      mm += (df + 1) / df * w * (w - rrw);  // (df+1)(df - z^2)/(df + z^2)^2
      ms += 2 * (df + 1) / root_df * rw * w;  // 2 df (df+1) z/(df + z^2)^2
      ss += (df + 1) * (2 * rrw * w + rrw) - 1;
    }
    matrix<2> info;
    info << mm, ms, ms, ss;
    return info / (s * s);
  }

  fit_result<2> fit(std::span<const double> x) const {
    const median_and_iqr start(x);
    if (!(start.iqr > 0)) return {parameters{NAN, NAN}, false, 0};
    const double quartile = boost::math::quantile(boost::math::students_t_distribution<double, math::policy>(df), 0.75);
    return fit_by_newton(*this, x, parameters{start.median, start.iqr / (2 * quartile)},
                         {parameter_scale::real, parameter_scale::positive});
  }
};

}  // namespace mlesim

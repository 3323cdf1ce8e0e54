// The generic Newton maximizer (estimators/newton.hpp) where the
// log-likelihood's rounding exceeds what its last steps gain: at 10^6
// negative binomial counts the sum is good to about +-5e-6 of 2.4e6, and a
// line search that read that noise as a fall halved every step until theta
// no longer moved, "accepted" that non-step and repeated it to the iteration
// limit: not converged, after minutes.
#include "estimators/newton.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

using namespace mlesim;

namespace {

// What the family concept asks of the toy families below and the maximizer
// does not use: K real parameters, no sampler, no estimator of its own.
template <int K>
struct toy_family {
  static constexpr int dimension = K;
  using parameters = vector<K>;
  static constexpr std::size_t min_sample_size = 1;
  static constexpr bool regular = true;
  static constexpr support_kind support = support_kind::real_line;
  static constexpr bool closed_form = false;
  static constexpr std::array<reparametrization<K>, 0> reparametrizations{};

  static std::string check(const parameters& t) { return t.allFinite() ? "" : "the parameters must be finite"; }
  static auto sampler(const parameters&) { return [](auto&) { return 0.0; }; }
  static fit_result<K> fit(std::span<const double>) { return {parameters::Constant(NAN), false, 0}; }
};

// N(mu, 1) with a log-likelihood `bump_size` too high at one point, `bump`:
// the rounding of a long sum, at its worst. The score and information are exact.
struct bumped_normal_mean : toy_family<1> {
  static constexpr std::string_view name = "bumped_normal_mean";
  static constexpr std::string_view summary = "N(mu, 1), a rounding error at one point";
  static constexpr std::array<std::string_view, 1> parameter_names{"mu"};
  double bump = 0, bump_size = 1e-8;

  double log_likelihood(const parameters& t, std::span<const double> x) const {
    double sum = 0;
    for (double xi : x) sum -= (xi - t[0]) * (xi - t[0]) / 2;
    return sum + (t[0] == bump ? bump_size : 0);
  }
  static parameters score(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += xi - t[0];
    return parameters{sum};
  }
  static matrix<1> fisher_information(const parameters&) { return matrix<1>{1.0}; }
  static matrix<1> observed_information(const parameters&, std::span<const double> x) {
    return matrix<1>{static_cast<double>(x.size())};
  }
};

}  // namespace

TEST_CASE("newton: a last step that gains less than the log-likelihood's rounding is taken") {
  // 1000 values 0.5 and 1.5: the MLE is 1. From 1 + 4e-6 Newton's step is
  // 2e-6 relative (not below close_step, 1e-6, so it had a line search) and
  // gains n 4e-6^2 / 2 = 8e-9 of |log L| = 125, below quiet_gain (1e-10) of
  // it, and below the bump: the line search saw only falls.
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(i % 2 ? 1.5 : 0.5);
  bumped_normal_mean f;
  f.bump = 1 + 4e-6;
  const auto fit = fit_by_newton(f, x, vector<1>{f.bump}, {parameter_scale::real});
  CHECK(fit.converged);
  CHECK(fit.theta[0] == doctest::Approx(1).epsilon(1e-14));
  CHECK(fit.iterations <= 3);
}

TEST_CASE("newton: where no step ascends, it stops at once, not converged") {
  // A bump of 1 at 1.0001: the step to 1 gains 5e-6, above quiet_gain of
  // |log L|, so a line search is due, and every point along it is below the
  // bump. Halved until theta no longer moved (39 halvings), that non-step was
  // "accepted": 100 iterations.
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(i % 2 ? 1.5 : 0.5);
  bumped_normal_mean f;
  f.bump = 1.0001;
  f.bump_size = 1;
  const auto fit = fit_by_newton(f, x, vector<1>{f.bump}, {parameter_scale::real});
  CHECK_FALSE(fit.converged);
  CHECK(fit.iterations == 1);
  CHECK(fit.theta[0] == 1.0001);
}

namespace {

// The Cauchy location (scale 1), whose log-likelihood is convex in mu far
// from the data: there the observed information is negative and Newton
// needs its fallback. It counts its Fisher information's calls.
struct counted_cauchy_location : toy_family<1> {
  static constexpr std::string_view name = "counted_cauchy_location";
  static constexpr std::string_view summary = "Cauchy(mu, 1)";
  static constexpr std::array<std::string_view, 1> parameter_names{"mu"};
  mutable int fisher_calls = 0;

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum -= std::log1p((xi - t[0]) * (xi - t[0]));
    return sum;
  }
  static parameters score(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) sum += 2 * (xi - t[0]) / (1 + (xi - t[0]) * (xi - t[0]));
    return parameters{sum};
  }
  matrix<1> fisher_information(const parameters&) const {
    ++fisher_calls;
    return matrix<1>{0.5};
  }
  static matrix<1> observed_information(const parameters& t, std::span<const double> x) {
    double sum = 0;
    for (double xi : x) {
      const double u2 = (xi - t[0]) * (xi - t[0]);
      sum += 2 * (1 - u2) / ((1 + u2) * (1 + u2));
    }
    return matrix<1>{sum};
  }
};

}  // namespace

TEST_CASE("newton: the modified Newton fallback needs no Fisher information and finds Fisher scoring's maximum") {
  // 201 Cauchy quantiles, shifted by 0.3 and skewed by dropping the 20
  // lowest: one maximum, not at a value known in closed form. From mu = 6
  // the observed information is negative, so both fallbacks are used.
  std::vector<double> x;
  for (int i = 20; i < 201; ++i) x.push_back(0.3 + std::tan(std::numbers::pi * ((i + 0.5) / 201 - 0.5)));
  const vector<1> start{6.0};
  REQUIRE(counted_cauchy_location::observed_information(start, x)(0, 0) < 0);

  counted_cauchy_location scoring;
  const auto by_fisher = fit_by_newton(scoring, x, start, {parameter_scale::real});
  REQUIRE(by_fisher.converged);
  CHECK(scoring.fisher_calls > 0);

  counted_cauchy_location modified;
  newton_settings settings;
  settings.fallback = newton_settings::fallback_kind::modified_newton;
  const auto by_modified = fit_by_newton(modified, x, start, {parameter_scale::real}, settings);
  REQUIRE(by_modified.converged);
  CHECK(modified.fisher_calls == 0);
  CHECK(by_modified.theta[0] == doctest::Approx(by_fisher.theta[0]).epsilon(1e-12));
  // A maximum: the score vanishes (to its rounding) and the information is positive.
  CHECK(std::abs(counted_cauchy_location::score(by_modified.theta, x)[0]) < 1e-9);
  CHECK(counted_cauchy_location::observed_information(by_modified.theta, x)(0, 0) > 0);
}

TEST_CASE("newton: the modified step ascends where the Hessian is indefinite or singular") {
  // H = diag(2, -1) (convex along the first axis): the step is g / |lambda|.
  const matrix<2> indefinite{{2.0, 0.0}, {0.0, -1.0}};
  const vector<2> g{1.0, 1.0};
  const vector<2> step = detail::modified_newton_step<2>(indefinite, g);
  CHECK(step[0] == doctest::Approx(0.5));
  CHECK(step[1] == doctest::Approx(1.0));
  CHECK(g.dot(step) > 0);
  // A singular Hessian: the zero eigenvalue raised to 1e-8 of the largest.
  const matrix<2> singular{{-1.0, 0.0}, {0.0, 0.0}};
  const vector<2> flat = detail::modified_newton_step<2>(singular, g);
  CHECK(flat[0] == doctest::Approx(1.0));
  CHECK(flat[1] == doctest::Approx(1e8));
  // Nothing to go by: NaN, and Newton falls back to Fisher scoring.
  CHECK_FALSE(detail::modified_newton_step<2>(matrix<2>::Zero(), g).allFinite());
}

namespace {

// l(a, b) = -a^2 + b^2 - b^4 / 4 (the data only count): a saddle at the
// origin, maxima at (0, +-sqrt(2)).
struct saddle : toy_family<2> {
  static constexpr std::string_view name = "saddle";
  static constexpr std::string_view summary = "a log-likelihood with a saddle";
  static constexpr std::array<std::string_view, 2> parameter_names{"a", "b"};

  static double log_likelihood(const parameters& t, std::span<const double> x) {
    return static_cast<double>(x.size()) * (-t[0] * t[0] + t[1] * t[1] - std::pow(t[1], 4) / 4);
  }
  static parameters score(const parameters& t, std::span<const double> x) {
    return static_cast<double>(x.size()) * parameters{-2 * t[0], 2 * t[1] - std::pow(t[1], 3)};
  }
  static matrix<2> fisher_information(const parameters&) { return matrix<2>::Identity(); }
  static matrix<2> observed_information(const parameters& t, std::span<const double> x) {
    return static_cast<double>(x.size()) * matrix<2>{{2.0, 0.0}, {0.0, -2 + 3 * t[1] * t[1]}};
  }
};

}  // namespace

TEST_CASE("newton: with the modified fallback a saddle is never taken for a maximum") {
  const std::vector<double> x(10, 0.0);
  newton_settings settings;
  settings.fallback = newton_settings::fallback_kind::modified_newton;
  const std::array<parameter_scale, 2> real{parameter_scale::real, parameter_scale::real};
  // At the saddle, the score is 0: Newton's step is 0, which "converged"
  // before; there is nothing to go by.
  const auto at_saddle = fit_by_newton(saddle{}, x, vector<2>{0.0, 0.0}, real, settings);
  CHECK_FALSE(at_saddle.converged);
  // Near it, the modified steps move away from it, to the maximum.
  const auto near = fit_by_newton(saddle{}, x, vector<2>{0.3, 1e-6}, real, settings);
  REQUIRE(near.converged);
  CHECK(std::abs(near.theta[0]) < 1e-12);
  CHECK(near.theta[1] == doctest::Approx(std::sqrt(2.0)).epsilon(1e-12));
}

#include "estimators/cauchy.hpp"
#include "estimators/student_t.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/students_t.hpp>

using namespace mlesim;
using F = mlesim::student_t;
using P = F::parameters;

namespace {
F with_df(double df) { return testing::with_known<F>({df}); }

// Boost.Math's standard t, moved and scaled.
struct scaled_t {
  boost::math::students_t_distribution<> t;
  double location, scale;
  friend double pdf(const scaled_t& d, double x) { return pdf(d.t, (x - d.location) / d.scale) / d.scale; }
  friend double cdf(const scaled_t& d, double x) { return cdf(d.t, (x - d.location) / d.scale); }
};
}  // namespace

TEST_CASE("student_t: log-likelihood matches Boost.Math's density") {
  const std::vector<double> x{-30, -1, 0.1, 2, 100};
  for (double df : {1.0, 2.5, 30.0})
    for (const P& t : {P{0, 1.5}, P{4, 0.2}})
      testing::check_log_likelihood<F>(t, x, scaled_t{boost::math::students_t_distribution<>(df), t[0], t[1]},
                                       with_df(df));
}

TEST_CASE("student_t: score is the gradient of the log-likelihood") {
  const auto x = testing::draw_sample<F>(P{1, 2}, 50, 1, with_df(4));
  for (const P& t : {P{1, 2}, P{-3, 0.5}}) testing::check_score_is_gradient<F>(t, x, with_df(4));
}

TEST_CASE("student_t: Fisher information is the variance of the score") {
  testing::check_information_is_score_variance<F>(P{1, 2}, 2, 200'000, with_df(4));
  testing::check_information_is_score_variance<F>(P{0, 1}, 3, 200'000, with_df(1.5));
}

TEST_CASE("student_t: observed information is minus the Hessian of the log-likelihood") {
  testing::check_observed_information<F>(P{1, 2}, testing::draw_sample<F>(P{1, 2}, 40, 3, with_df(4)), with_df(4));
}

TEST_CASE("student_t: MLE is a stationary point") {
  for (std::uint64_t seed : {4, 5, 6})
    testing::check_mle_is_stationary<F>(testing::draw_sample<F>(P{1, 2}, 200, seed, with_df(4)), with_df(4));
}

TEST_CASE("student_t: one degree of freedom is the Cauchy, fit for fit") {
  const auto x = testing::draw_sample<F>(P{0.5, 1.5}, 300, 7, with_df(1));
  const auto t_fit = with_df(1).fit(x);
  const auto cauchy_fit = cauchy::fit(x);
  REQUIRE(t_fit.converged);
  REQUIRE(cauchy_fit.converged);
  CHECK(t_fit.theta[0] == doctest::Approx(cauchy_fit.theta[0]).epsilon(1e-9));
  CHECK(t_fit.theta[1] == doctest::Approx(cauchy_fit.theta[1]).epsilon(1e-9));
}

TEST_CASE("student_t: the sampler draws the t distribution") {
  for (double df : {0.7, 3.0, 40.0})
    testing::check_sampler_distribution<F>(P{1, 2}, scaled_t{boost::math::students_t_distribution<>(df), 1, 2}, 9,
                                           with_df(df));
}

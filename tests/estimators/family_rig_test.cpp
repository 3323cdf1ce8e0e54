// The family test rig: one table row per registered family (its θ points,
// ordinary and at the edges of the supported range, with any known
// constants, and its sample sizes) drives one template test per piece of
// theory over every family in `builtin_families`:
//
//   - the table itself: every point inside the supported range;
//   - the log-density against Boost.Math's pdf or pmf, on a sample, at the
//     tails' quantiles and at the support's ends;
//   - the score against a central difference of the log-likelihood, and the
//     observed information against one of the score (regular families);
//   - each reparametrization's gradient against a central difference, and its
//     chart (`with_value`) against its value;
//   - the expected information against E[score score'] by quadrature over
//     the family's own density (estimators/expectation.hpp), and against the
//     variance of the score over 200000 simulated observations;
//   - the sampler against Boost.Math's cdf (a Kolmogorov–Smirnov distance);
//   - the MLE: the likelihood at it is at least that at the truth and along
//     the way there, and at an interior θ̂ every coordinate step lowers it and
//     (regular families) the score vanishes relative to its own scale.
//
// A point says which checks double precision or the quadrature cannot do
// there, and how precise the family's log-density is there, each with its
// reason. A `static_assert` fails the build when a registered family has no
// row (or a row names no registered family). What is specific to one family
// (closed forms, known values, special cases, boundary behaviour) stays in its
// own tests/estimators/<family>_test.cpp.
#include "estimators/expectation.hpp"
#include "estimators/builtin.hpp"
#include "sim/catalogue.hpp"

#include "family_checks.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

using namespace mlesim;

namespace {

constexpr int max_dimension = 2, max_known = 1;
constexpr std::size_t max_points = 16;

// One θ point of a family: its parameters (the first F::dimension used), its
// known constants (the first known_count<F>()), the precision of its
// log-density there, and which checks cannot run there, each with the reason
// in a comment beside the point.
struct point {
  std::array<double, max_dimension> theta{};
  std::array<double, max_known> known{};
  // How far log f(x) may be from Boost.Math's, absolute, beyond 1e-12
  // relative: where the family computes it from terms far larger than itself
  // (lgamma(1e8) = 1.7e9 and the like, so that it carries their rounding), or
  // where Boost's own is the less precise (both measured against Boost.Math
  // in long double). Every check that evaluates log L allows for it.
  double log_density_error = 0;
  // Central differences of log L: not where its rounding swamps them at any
  // step that stays within the point's reach.
  bool differentiable = true;
  // The variance of 200000 simulated scores estimates the information: not
  // where the score's variance comes from events rarer than 1 in 1e9.
  bool simulate_information = true;
  // E[score score'] by quadrature (estimators/expectation.hpp): not where it
  // reports that it cannot reach its precision, or where the mass it leaves
  // out (below 1e-20) carries the score's mean.
  bool quadrature = true;
  // The MLE on simulated samples: not where a sample has no MLE with high
  // probability (a negative binomial sample is underdispersed, say).
  bool fit = true;
};

struct row {
  std::string_view family;
  std::array<point, max_points> points{};
  std::size_t count = 0;
  std::size_t score_size = 50;                    // the sample the score is checked on
  std::array<std::size_t, 2> fit_sizes{40, 200};  // the samples the MLE is fitted to
  // Why observed_information is not minus the Hessian of log L, where it is
  // not (the family's own test then checks what it is instead).
  std::string_view observed_not_hessian{};
};

// A row from its settings and its points (at most max_points: more is a
// compile error in the constant table below).
constexpr row make_row(row settings, std::initializer_list<point> points) {
  if (points.size() > max_points) throw "family_rig_test.cpp: more points than max_points";
  for (const point& p : points) settings.points[settings.count++] = p;
  return settings;
}

// The table: one row per registered family. Its θ points: those the
// family's own tests used before the rig, then the edges of the range double
// precision supports (tests/estimators/ranges_test.cpp), small and large
// parameters and near the parameter space's boundary.
constexpr std::array table{
    make_row({.family = "normal"},
             {{.theta = {1, 4}}, {.theta = {0, 1}}, {.theta = {2, 0.5}}, {.theta = {-2, 0.3}},
              {.theta = {1.5, 0.25}}, {.theta = {-3, 9}}, {.theta = {5, 2.25}}, {.theta = {0, 1e-60}},
              // 1e10 SDs from 0, where x resolves to 2e-6 SDs: the quadrature reports it cannot reach 1e-10
              {.theta = {1e10, 1}, .quadrature = false}, {.theta = {1e40, 1e60}, .quadrature = false}}),
    make_row({.family = "exponential"},
             {{.theta = {2}}, {.theta = {0.25}}, {.theta = {0.5}}, {.theta = {7}}, {.theta = {0.1}}, {.theta = {1}},
              {.theta = {17.5}}, {.theta = {1e-60}}, {.theta = {1e60}}}),
    make_row({.family = "poisson"},
             {{.theta = {3}}, {.theta = {0.4}},
              {.theta = {25}},  // Boost's PTRD branch of the sampler
              {.theta = {0.5}}, {.theta = {9}}, {.theta = {0.2}}, {.theta = {1}}, {.theta = {4.5}}, {.theta = {30}},
              // A count above 0 has probability 1e-60 and score 1e60: the samples are all zeros (the
              // MLE 0), and the quadrature's sum leaves it out with the score's whole mean.
              {.theta = {1e-60}, .simulate_information = false, .quadrature = false},
              // log f = x log(lambda) - lambda - lgamma(x + 1), terms of 2e10 (measured error 6e-6;
              // 8 at lambda = 1e15, where Boost's cdf fails too): the mass does not sum to 1 in 1e-10.
              {.theta = {1e9}, .log_density_error = 2e-5, .quadrature = false}}),
    make_row({.family = "bernoulli"},
             {{.theta = {0.3}}, {.theta = {0.05}}, {.theta = {0.1}}, {.theta = {0.8}}, {.theta = {0.01}},
              {.theta = {0.5}}, {.theta = {0.97}}, {.theta = {0.4}},
              {.theta = {1e-60}, .simulate_information = false},       // a one has probability 1e-60
              {.theta = {1 - 1e-9}, .simulate_information = false}}),  // a zero has probability 1e-9
    make_row({.family = "gamma"},
             {{.theta = {2.5, 1.5}}, {.theta = {0.5, 2}}, {.theta = {50, 10}}, {.theta = {1, 0.01}},
              {.theta = {0.7, 0.3}}, {.theta = {6, 4}}, {.theta = {0.5, 1}}, {.theta = {10, 0.2}}, {.theta = {1, 3}},
              {.theta = {0.3, 2}}, {.theta = {0.3, 1}}, {.theta = {40, 0.5}},
              // (log x)^2 x^(shape - 1) at 0: tanh-sinh evaluates log 0 and gives up (expectation.cpp)
              {.theta = {0.2, 1}, .quadrature = false}, {.theta = {0.1, 1e60}, .quadrature = false},
              // log f carries lgamma(1e8) = 1.7e9 and shape log(rate) = -1.4e10 (measured error 3e-6)
              {.theta = {1e8, 1e-60}, .log_density_error = 1e-5, .quadrature = false}}),
    make_row({.family = "uniform"},
             {{.theta = {3}}, {.theta = {2}}, {.theta = {3.5}}, {.theta = {100}}, {.theta = {5}}, {.theta = {1e-60}},
              {.theta = {1e60}}}),
    make_row({.family = "geometric"},
             {{.theta = {0.3}}, {.theta = {0.05}}, {.theta = {0.8}},
              // counts of 1e9 (the sum would have 2e10 terms); here Boost's pmf, (1 - p)^x p by
              // pow, is the less precise (measured error 1.5e-7; the family's log1p form, 9e-11)
              {.theta = {1e-9}, .log_density_error = 5e-7, .quadrature = false},
              {.theta = {1 - 1e-9}, .simulate_information = false}}),  // a count above 0 has probability 1e-9
    make_row({.family = "negative_binomial"},
             {{.theta = {2.5, 0.4}}, {.theta = {0.7, 0.1}}, {.theta = {20, 0.5}},
              // mean 2.2, variance 2.4: a sample of 40 is underdispersed, without an MLE, about 1 in 3
              {.theta = {20, 0.9}, .fit = false},
              // A count above 0 has probability 7e-61: the samples are all zeros, without an MLE;
              // log L = n lgamma(size) - n lgamma(size) + ..., 1e-59 beside 7000 of rounding.
              {.theta = {1e-60, 0.5}, .differentiable = false, .simulate_information = false, .quadrature = false,
               .fit = false},
              // lgamma(x + size) - lgamma(size) with size 1e8 (measured error 1e-6), 6e-8 with prob 1e-6
              {.theta = {1e8, 0.5}, .log_density_error = 4e-6, .quadrature = false},
              {.theta = {10, 1e-6}, .log_density_error = 2e-7, .quadrature = false}}),
    // Odd sizes: for an even n any mu between the middle two values is an MLE.
    make_row({.family = "laplace",
              .fit_sizes = {41, 201},
              .observed_not_hessian = "log L is piecewise linear in mu: the family reports n / b^2 in place of its "
                                      "second derivative (laplace_test.cpp)"},
             {{.theta = {1, 2}}, {.theta = {-3, 0.5}}, {.theta = {1e50, 1e60}}, {.theta = {0, 1e-60}}}),
    make_row({.family = "lognormal"},
             {{.theta = {0.5, 0.64}}, {.theta = {-1, 2}}, {.theta = {3, 0.1}}, {.theta = {100, 100}},
              // x = e^-100 (1 +- 1e-6): the quadrature reports it cannot reach 1e-10
              {.theta = {-100, 1e-12}, .quadrature = false}}),
    make_row({.family = "weibull"},
             {{.theta = {1.8, 3}}, {.theta = {0.7, 1}}, {.theta = {5, 4}}, {.theta = {1, 2}},
              {.theta = {0.1, 1e-60}, .quadrature = false},  // as the gamma's at shape 0.2
              {.theta = {0.1, 1e60}, .quadrature = false},
              // (x / scale)^1e8 turns the rounding of x / scale into 1e8 eps = 2e-8
              // (its law, 1 +- 1e-8, is narrower than the quadrature can resolve)
              {.theta = {1e8, 1}, .log_density_error = 5e-8, .quadrature = false}}),
    make_row({.family = "beta"},
             {{.theta = {2, 5}}, {.theta = {0.5, 0.5}, .quadrature = false},  // as the gamma's at shape 0.2
              {.theta = {8, 1.2}},
              // lgamma(a) + lgamma(b) - lgamma(a + b), terms of 3.6e9 (measured error 3e-7)
              {.theta = {1e8, 1e8}, .log_density_error = 1e-6, .quadrature = false}}),
    make_row({.family = "cauchy"},
             {{.theta = {0, 1.5}}, {.theta = {4, 0.2}}, {.theta = {0, 1e60}}, {.theta = {0, 1e-60}}}),
    make_row({.family = "logistic"},
             {{.theta = {2, 0.5}}, {.theta = {-1, 3}},
              {.theta = {-1e-50, 1e-60}, .quadrature = false},  // as the normal's 1e10 SDs from 0
              {.theta = {1e50, 1e60}}}),
    make_row({.family = "binomial"},
             {{.theta = {0.3}, .known = {8}}, {.theta = {0.1}, .known = {8}}, {.theta = {0.8}, .known = {8}},
              {.theta = {0.02}, .known = {40}}, {.theta = {0.05}, .known = {12}}, {.theta = {0.4}, .known = {12}},
              {.theta = {0.93}, .known = {12}}, {.theta = {0.35}, .known = {1}},
              // log C(m, x) as three lgammas of 2e9 (measured error 8e-6); 1e9 values to sum
              {.theta = {0.5}, .known = {2147483647}, .log_density_error = 3e-5, .quadrature = false},
              // 2e-51 successes a draw; the quadrature will not sum over 2e9 values
              {.theta = {1e-60}, .known = {2147483647}, .simulate_information = false, .quadrature = false}}),
    make_row({.family = "pareto"},
             {{.theta = {3}, .known = {1.5}}, {.theta = {0.5}, .known = {1.5}}, {.theta = {9}, .known = {1.5}},
              {.theta = {0.5}, .known = {2}}, {.theta = {2}, .known = {2}}, {.theta = {7.5}, .known = {2}},
              {.theta = {0.1}, .known = {1e60}}, {.theta = {2}, .known = {1e-60}},
              {.theta = {1e8}, .known = {1}}}),  // (with x_m = 1e-60, Boost's pdf is 0/0)
    make_row({.family = "student_t"},
             {{.theta = {1, 2}, .known = {4}}, {.theta = {-3, 0.5}, .known = {4}}, {.theta = {0, 1}, .known = {1.5}},
              {.theta = {0, 1.5}, .known = {1}}, {.theta = {4, 0.2}, .known = {1}}, {.theta = {0, 1.5}, .known = {2.5}},
              {.theta = {4, 0.2}, .known = {2.5}}, {.theta = {0, 1.5}, .known = {30}}, {.theta = {4, 0.2}, .known = {30}},
              {.theta = {1, 2}, .known = {0.7}}, {.theta = {1, 2}, .known = {3}}, {.theta = {1, 2}, .known = {40}},
              {.theta = {0, 1e60}, .known = {0.1}}, {.theta = {0, 1e-60}, .known = {1e300}}}),
};

constexpr int row_index(std::string_view family) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].family == family) return static_cast<int>(i);
  return -1;
}

template <class... Families>
constexpr bool every_family_has_a_row(family_list<Families...>) {
  return ((row_index(Families::name) >= 0) && ...);
}

template <class... Families>
constexpr bool every_row_is_a_family(family_list<Families...>) {
  for (const row& r : table)
    if (!((r.family == Families::name) || ...)) return false;
  return true;
}

template <class... Families>
constexpr bool fits_the_table(family_list<Families...>) {
  return ((Families::dimension <= max_dimension && known_count<Families>() <= max_known) && ...);
}

static_assert(every_family_has_a_row(builtin_families{}),
              "a registered family has no row in family_rig_test.cpp's table: add one");
static_assert(every_row_is_a_family(builtin_families{}),
              "a row of family_rig_test.cpp's table names no registered family");
static_assert(fits_the_table(builtin_families{}), "raise max_dimension or max_known for a new family");

template <class F>
constexpr const row& row_of() {
  static_assert(row_index(F::name) >= 0, "this family has no row in family_rig_test.cpp's table");
  return table[static_cast<std::size_t>(row_index(F::name))];
}

template <class List>
struct as_tuple;
template <class... Families>
struct as_tuple<family_list<Families...>> {
  using type = std::tuple<Families...>;
};
using rig_families = as_tuple<builtin_families>::type;

template <class F>
using params = typename F::parameters;

template <class F>
params<F> theta_of(const point& p) {
  params<F> t;
  for (int j = 0; j < F::dimension; ++j) t[j] = p.theta[static_cast<std::size_t>(j)];
  return t;
}

template <class F>
std::span<const double> known_of(const point& p) {
  return std::span<const double>(p.known.data(), known_count<F>());
}

template <class F>
F family_of(const point& p) {
  return make_family<F>(known_of<F>(p));
}

// A seed per check, point and sample, so that no two samples share a stream.
std::uint64_t seed(int check, std::size_t point, std::size_t sample = 0) {
  return 1000 * static_cast<std::uint64_t>(check) + 10 * point + sample;
}

// ---- Boost.Math's law of a family at theta --------------------------------

// Boost.Math's standard t, moved and scaled: Student's t(location, scale).
struct scaled_t {
  boost::math::students_t_distribution<> t;
  double location, scale;
};
double pdf(const scaled_t& d, double x) { return pdf(d.t, (x - d.location) / d.scale) / d.scale; }
double cdf(const scaled_t& d, double x) { return cdf(d.t, (x - d.location) / d.scale); }
double quantile_of(const scaled_t& d, double p, bool upper) {
  return d.location + d.scale * (upper ? quantile(complement(d.t, p)) : quantile(d.t, p));
}
std::pair<double, double> support(const scaled_t&) {
  return {-std::numeric_limits<double>::max(), std::numeric_limits<double>::max()};
}

template <class Law>
double quantile_of(const Law& law, double p, bool upper) {
  return upper ? quantile(complement(law, p)) : quantile(law, p);
}

// The family's own `distribution(theta)` where it has one; for the rest, the
// law built here from Boost.Math's standard one.
template <class F>
auto law_of(const F& f, const params<F>& t) {
  if constexpr (requires { f.distribution(t); }) return f.distribution(t);
  else if constexpr (std::is_same_v<F, student_t>) return scaled_t{boost::math::students_t_distribution<>(f.df), t[0], t[1]};
}

template <class F>
constexpr bool has_law = !std::is_void_v<decltype(law_of(std::declval<const F&>(), std::declval<const params<F>&>()))>;

// ---- numeric derivatives ---------------------------------------------------

// How far coordinate j of theta may move either way for a central
// difference: the parameter's own scale, 1/sqrt(I_jj) (|theta_j| for a
// non-regular family), halved until both theta -+ d lie in the parameter
// space with a finite log-likelihood. A parameter near its boundary (a rate
// of 1e-60, a p of 1 - 1e-9) so moves by a fraction of its distance to it,
// where the likelihood's curvature changes.
template <class F>
double reach(const F& f, const params<F>& t, int j, std::span<const double> x) {
  double d;
  if constexpr (regular_family<F>) d = 1 / std::sqrt(f.fisher_information(t)(j, j));
  else d = t[j] != 0 ? std::abs(t[j]) : 1;
  for (int i = 0; i < 4000 && d > 0; ++i, d /= 2) {
    params<F> up = t, down = t;
    up[j] += d;
    down[j] -= d;
    if (space_problem<F>(up).empty() && space_problem<F>(down).empty() && std::isfinite(f.log_likelihood(up, x)) &&
        std::isfinite(f.log_likelihood(down, x)))
      return d;
  }
  return 0;
}

// The reaches of every coordinate.
template <class F>
params<F> reaches(const F& f, const params<F>& t, std::span<const double> x) {
  params<F> d;
  for (int j = 0; j < F::dimension; ++j) d[j] = reach(f, t, j, x);
  return d;
}

// A central difference's half-step h for a coordinate of reach d: 1e-4 d,
// whose truncation error is (h/d)^2 = 1e-8 of the derivative's size; where
// log L carries rounding of `rounding` (2 n times the point's log-density
// error, whose share of the difference is rounding / h), the h that
// balances the two, (rounding / (d size))^(1/3) d, up to 0.05 d.
double half_step(double d, double rounding, double size) {
  if (!(rounding > 0 && size > 0)) return 1e-4 * d;
  return d * std::clamp(std::cbrt(rounding / (d * size)), 1e-4, 0.05);
}

// h rounded to a step that theta_j + h represents exactly: (theta_j + h) - theta_j.
double exact(double theta_j, double h) {
  return (theta_j + h) - theta_j;
}

// The central difference of g along coordinate j with half-step h, a
// step that theta_j represents exactly (see `exact`).
template <class F, class G>
auto central_difference(const params<F>& t, int j, double h, const G& g) {
  using value = std::decay_t<decltype(g(t))>;
  REQUIRE(h > 0);
  params<F> up = t, down = t;
  up[j] += h;
  down[j] -= h;
  return value((g(up) - g(down)) / (2 * h));
}

// theta moved half its reach in every coordinate: a point where the score
// of a sample drawn at theta is far from 0.
template <class F>
params<F> displaced(const F& f, const params<F>& t, std::span<const double> x) {
  return t + reaches(f, t, x) / 2;
}

double square(double v) { return v * v; }

// ---- the checks, one template test each -------------------------------------

// check(index, point, theta, family) at each point of F's row.
template <class F, class Check>
void for_each_point(const Check& check) {
  const row& r = row_of<F>();
  for (std::size_t index = 0; index < r.count; ++index) {
    const point& p = r.points[index];
    check(index, p, theta_of<F>(p), family_of<F>(p));
  }
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("rig: every point of the table is inside the supported range", F, table_points) {
  const row& r = row_of<F>();
  CHECK(r.count >= 2);
  CHECK(r.score_size >= F::min_sample_size);
  for (std::size_t n : r.fit_sizes) CHECK(n >= F::min_sample_size);
  for (std::size_t index = 0; index < r.count; ++index) {
    const point& p = r.points[index];
    CAPTURE(index);
    if constexpr (has_known_constants<F>) CHECK(F::check_known(known_of<F>(p)) == "");
    CHECK(F::check(theta_of<F>(p)) == "");
    CHECK(p.log_density_error >= 0);
  }
}
TEST_CASE_TEMPLATE_APPLY(table_points, rig_families);

// log f(x) is log of Boost.Math's pdf (or pmf) to 1e-12 relative (at least
// 1e-12 absolute) plus the point's log-density error, on a sample, at the
// quantiles 1e-9, 1e-3, 1/4, 1/2 and their complements, and at the ends of
// the support where they are finite (0 for the exponential and the counts,
// x_m, the uniform's theta, the binomial's trials): those of them that are
// possible values (the beta's 1 - 1e-9 quantile rounds to 1). log L of the
// sample is the sum, to 1e-12 of the terms' sizes plus n times that error.
TEST_CASE_TEMPLATE_DEFINE("rig: the log-density is Boost.Math's", F, log_density) {
  static_assert(has_law<F>, "no Boost.Math law for this family: build one in law_of");
  const row& r = row_of<F>();
  for_each_point<F>([&](std::size_t index, const point& p, const params<F>& t, const F& f) {
    CAPTURE(t.transpose());
    CAPTURE(p.known[0]);
    const auto law = law_of(f, t);
    std::vector<double> x = testing::draw_sample<F>(t, r.score_size, seed(1, index), f);
    const double n = static_cast<double>(x.size());
    double expected = 0, size = 0;
    for (double xi : x) {
      const double term = std::log(pdf(law, xi));
      expected += term;
      size += std::abs(term);
    }
    CHECK(std::abs(f.log_likelihood(t, x) - expected) <= 1e-12 * (size + n) + n * p.log_density_error);
    for (double q : {1e-9, 1e-3, 0.25, 0.5})
      for (bool upper : {false, true})
        if (const double xq = quantile_of(law, q, upper); admits(f, xq)) x.push_back(xq);
    // The support's ends, where they are points of it: not Boost's stand-ins
    // for an open end, the largest double or the smallest normal one.
    const auto [lowest, highest] = support(law);
    for (double end : {lowest, highest})
      if (std::abs(end) < std::numeric_limits<double>::max() && std::abs(end) != std::numeric_limits<double>::min() &&
          admits(f, end))
        x.push_back(end);
    for (double xi : x) {
      CAPTURE(xi);
      const double density = pdf(law, xi), own = f.log_likelihood(t, std::span<const double>(&xi, 1));
      if (density == 0) {
        CHECK(own < std::log(std::numeric_limits<double>::min()));  // underflows in Boost
      } else {
        const double reference = std::log(density);
        CHECK(std::abs(own - reference) <= 1e-12 * std::max(1.0, std::abs(reference)) + p.log_density_error);
      }
    }
  });
}
TEST_CASE_TEMPLATE_APPLY(log_density, rig_families);

// At theta and at theta moved half its reach in each coordinate, on a sample
// of n drawn at theta, each score coordinate equals the central difference
// of log L, and (regular families) each column of the observed information
// minus the central difference of the score, within
//   (1e-6 + (h/d)^2) size + rounding / h,
// size being the derivative's own size plus its scale (sqrt(n I_jj) for the
// score, n sqrt(I_ii I_jj) for the information), (h/d)^2 the difference's
// truncation error, and rounding that of log L (2 n times the point's
// log-density error), or of the score (that over the reach d_i).
TEST_CASE_TEMPLATE_DEFINE("rig: the score is the gradient of log L, the observed information minus its Hessian", F,
                          derivatives) {
  const row& r = row_of<F>();
  for_each_point<F>([&](std::size_t index, const point& p, const params<F>& t, const F& f) {
    if (!p.differentiable) return;
    const auto x = testing::draw_sample<F>(t, r.score_size, seed(2, index), f);
    const double n = static_cast<double>(x.size()), rounding = 2 * n * p.log_density_error;
    for (const params<F>& at : {t, displaced(f, t, x)}) {
      CAPTURE(at.transpose());
      CAPTURE(p.known[0]);
      REQUIRE(std::isfinite(f.log_likelihood(at, x)));
      const auto score = f.score(at, x);
      const params<F> d = reaches(f, at, x);
      params<F> scale = params<F>::Zero();
      if constexpr (regular_family<F>) scale = (n * f.fisher_information(at).diagonal()).cwiseSqrt();
      for (int j = 0; j < F::dimension; ++j) {
        CAPTURE(j);
        REQUIRE(d[j] > 0);
        const double h = exact(at[j], half_step(d[j], rounding, std::abs(score[j]) + scale[j]));
        const double truncation = 1e-6 + square(h / d[j]);
        const double numeric = central_difference<F>(at, j, h, [&](const params<F>& u) { return f.log_likelihood(u, x); });
        CHECK(std::abs(score[j] - numeric) <= truncation * (std::abs(numeric) + scale[j]) + rounding / h);
        if constexpr (regular_family<F>) {
          if (!r.observed_not_hessian.empty()) continue;
          const auto observed = f.observed_information(at, x);
          const params<F> column = -central_difference<F>(at, j, h, [&](const params<F>& u) { return f.score(u, x); });
          for (int i = 0; i < F::dimension; ++i) {
            CAPTURE(i);
            CHECK(std::abs(observed(i, j) - column[i]) <=
                  truncation * (std::abs(column[i]) + scale[i] * scale[j]) + rounding / (d[i] * h));
          }
        }
      }
    }
  });
}
TEST_CASE_TEMPLATE_APPLY(derivatives, rig_families);

// Every reparametrization g: its gradient is the central difference of g
// (half-step 1e-5 of the reach: g's curvature is not the likelihood's) to
// 1e-6 of its size plus |g| / reach; its chart keeps the other coordinates
// and lands where it is asked to.
TEST_CASE_TEMPLATE_DEFINE("rig: each reparametrization's gradient and chart", F, reparametrizations) {
  const row& r = row_of<F>();
  for_each_point<F>([&](std::size_t index, const point& p, const params<F>& t, const F& f) {
    const auto x = testing::draw_sample<F>(t, r.score_size, seed(2, index), f);
    const params<F> d = reaches(f, t, x), other = t + d / 2;
    for (const auto& g : F::reparametrizations) {
      CAPTURE(g.name);
      CAPTURE(t.transpose());
      CAPTURE(p.known[0]);
      const double value = g.value(t);
      REQUIRE(std::isfinite(value));
      const auto gradient = g.gradient(t);
      for (int j = 0; j < F::dimension; ++j) {
        CAPTURE(j);
        const double h = exact(t[j], 1e-5 * d[j]);
        const double numeric = central_difference<F>(t, j, h, [&](const params<F>& u) { return g.value(u); });
        CHECK(std::abs(gradient[j] - numeric) <= 1e-6 * (std::abs(numeric) + std::abs(value) / d[j]));
      }
      const params<F> back = g.with_value(value, t), moved = g.with_value(g.value(other), t);
      CHECK(g.value(moved) == doctest::Approx(g.value(other)).epsilon(1e-12));
      for (int j = 0; j < F::dimension; ++j) {
        CAPTURE(j);
        CHECK(back[j] == doctest::Approx(t[j]).epsilon(1e-12));
        if (j != g.replaces) CHECK(moved[j] == t[j]);
      }
    }
  });
}
TEST_CASE_TEMPLATE_APPLY(reparametrizations, rig_families);

// E[score] = 0 and E[score score'] = I(theta) by quadrature over the
// family's density or mass (estimators/expectation.hpp, which aims at 1e-10
// of E|h|), each to 1e-8 of E|h|: at the table's hardest points (a geometric
// p of 1 - 1e-9, scales of 1e60) the two agree to 1e-9 to 4e-9 of it.
TEST_CASE_TEMPLATE_DEFINE("rig: the information is E[score score'], by quadrature", F, information_quadrature) {
  if constexpr (regular_family<F>) {
    const family_info& info = *find_family(F::name);
    for_each_point<F>([&](std::size_t, const point& p, const params<F>& t, const F& f) {
      if (!p.quadrature) return;
      CAPTURE(t.transpose());
      CAPTURE(p.known[0]);
      const auto fisher = f.fisher_information(t);
      const auto score = [&](double x) { return f.score(t, std::span<const double>(&x, 1)); };
      const std::span<const double> theta(t.data(), F::dimension);
      for (int a = 0; a < F::dimension; ++a) {
        CAPTURE(a);
        const auto mean = expectation(info, theta, known_of<F>(p), [&](double x) { return score(x)[a]; });
        CAPTURE(mean.why);
        REQUIRE(mean.ok());
        CHECK(std::abs(mean.value) <= 1e-8 * mean.l1);
        for (int b = 0; b <= a; ++b) {
          CAPTURE(b);
          const auto product = expectation(info, theta, known_of<F>(p), [&](double x) {
            const auto s = score(x);
            return s[a] * s[b];
          });
          CAPTURE(product.why);
          REQUIRE(product.ok());
          CHECK(std::abs(product.value - fisher(a, b)) <= 1e-8 * product.l1);
          CHECK(fisher(b, a) == fisher(a, b));
        }
      }
    });
  }
}
TEST_CASE_TEMPLATE_APPLY(information_quadrature, rig_families);

// I(theta) = Var(score of one observation), and E(score) = 0, over 200000
// draws of the family's own sampler: each entry within 5 of its own Monte
// Carlo SEs (estimated from the same draws), so that a false failure has
// probability below 6e-7 per entry: with the table's 536 entries today, under
// 4e-4 in all.
TEST_CASE_TEMPLATE_DEFINE("rig: the information is the variance of simulated scores", F, information_simulated) {
  if constexpr (regular_family<F>) {
    for_each_point<F>([&](std::size_t index, const point& p, const params<F>& t, const F& f) {
      if (!p.simulate_information) return;
      CAPTURE(t.transpose());
      CAPTURE(p.known[0]);
      testing::check_information_is_score_variance<F>(t, seed(3, index), 200'000, f);
    });
  }
}
TEST_CASE_TEMPLATE_APPLY(information_simulated, rig_families);

// 100000 draws against Boost.Math's cdf G: at every 100th draw v in order,
// the empirical cdf against G(v), and the share below v against G(v-) (G(v)
// less the mass at v, for a discrete law). The largest difference is at most
// the Kolmogorov–Smirnov distance, and by the Dvoretzky–Kiefer–Wolfowitz
// inequality (Massart's constant; for any law) that exceeds
// sqrt(log(2/1e-6) / (2 n)) with probability below 1e-6 for a correct
// sampler: with the table's 135 points today, under 1.4e-4 in all. Between
// the points looked at, the empirical cdf moves by 1e-3.
TEST_CASE_TEMPLATE_DEFINE("rig: the sampler draws Boost.Math's law", F, sampler) {
  constexpr std::size_t draws = 100'000, every = 100;
  for_each_point<F>([&](std::size_t index, const point& p, const params<F>& t, const F& f) {
    CAPTURE(t.transpose());
    CAPTURE(p.known[0]);
    const auto law = law_of(f, t);
    auto x = testing::draw_sample<F>(t, draws, seed(4, index), f);
    std::sort(x.begin(), x.end());
    double distance = 0;
    for (std::size_t i = 0; i < draws; i += every) {
      const double v = x[i];
      const auto below = static_cast<double>(std::lower_bound(x.begin(), x.end(), v) - x.begin());
      const auto through = static_cast<double>(std::upper_bound(x.begin(), x.end(), v) - x.begin());
      const double at = cdf(law, v), before = discrete(F::support) ? at - pdf(law, v) : at;
      distance = std::max({distance, std::abs(at - through / draws), std::abs(before - below / draws)});
    }
    CHECK(distance <= std::sqrt(std::log(2 / 1e-6) / (2.0 * draws)));
  });
}
TEST_CASE_TEMPLATE_APPLY(sampler, rig_families);

// On samples drawn at each point, of the row's sizes: the fit converges; log
// L at theta-hat is at least its value at the truth and at points on the
// way there, up to its rounding (1e-12 of its size, plus 2 n times the
// point's log-density error); at an interior theta-hat each coordinate step
// either way lowers it, a step of 1e-4 of the reach or, where log L carries
// rounding, 3 sqrt(log-density error) of it (log L then falls by about n/2
// (step/reach)^2, above the rounding); and (regular families) each score
// coordinate is within 1e-6 of its scale sqrt(n I_jj) of 0, plus the score's
// change under a move of 1e-12 relative in theta-hat (newton.hpp's precision,
// and double precision's at a location far from 0).
TEST_CASE_TEMPLATE_DEFINE("rig: the MLE maximizes the likelihood and the score vanishes there", F, mle) {
  const row& r = row_of<F>();
  for_each_point<F>([&](std::size_t index, const point& p, const params<F>& t, const F& f) {
    if (!p.fit) return;
    for (std::size_t sample = 0; sample < r.fit_sizes.size(); ++sample) {
      const std::size_t n = r.fit_sizes[sample];
      const auto x = testing::draw_sample<F>(t, n, seed(5, index, sample), f);
      const auto fit = f.fit(x);
      const params<F> hat = fit.theta;
      CAPTURE(t.transpose());
      CAPTURE(p.known[0]);
      CAPTURE(n);
      CAPTURE(hat.transpose());
      REQUIRE(fit.converged);
      const double best = f.log_likelihood(hat, x);
      REQUIRE(std::isfinite(best));
      const double rounding = 1e-12 * (1 + std::abs(best)) + 2 * static_cast<double>(n) * p.log_density_error;
      for (double share : {0.01, 0.5, 1.0}) {
        const params<F> between = hat + share * (t - hat);
        CAPTURE(share);
        CHECK(f.log_likelihood(between, x) <= best + rounding);
      }
      if (!space_problem<F>(hat).empty()) continue;  // on the boundary: nothing more applies
      const auto score = f.score(hat, x);
      for (int j = 0; j < F::dimension; ++j) {
        CAPTURE(j);
        double d;
        if constexpr (regular_family<F>) d = reach(f, hat, j, x);
        else d = hat[j] != 0 ? std::abs(hat[j]) : 1;  // the likelihood is -inf on one side: no reach
        REQUIRE(d > 0);
        for (double direction : {-1.0, 1.0}) {
          params<F> moved = hat;
          moved[j] += direction * std::max(1e-4, 3 * std::sqrt(p.log_density_error)) * d;
          CAPTURE(direction);
          CHECK(f.log_likelihood(moved, x) < best);
        }
        if constexpr (regular_family<F>) {
          const auto info = f.fisher_information(hat);
          double moved_by = 0;
          for (int k = 0; k < F::dimension; ++k) moved_by += std::abs(info(j, k) * hat[k]);
          CHECK(std::abs(score[j]) <= 1e-6 * std::sqrt(static_cast<double>(n) * info(j, j)) +
                                           1e-12 * static_cast<double>(n) * moved_by);
        }
      }
    }
  });
}
TEST_CASE_TEMPLATE_APPLY(mle, rig_families);

// What every family provides, and the small value types the families share.
#pragma once

#include <Eigen/Core>
#include <Eigen/LU>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <concepts>
#include <limits>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

template <int K>
using vector = Eigen::Matrix<double, K, 1>;
template <int K>
using matrix = Eigen::Matrix<double, K, K>;

// Where a family's values lie: an interval from `lower` to `upper` (either
// end open or closed, and possibly infinite) of all reals or, with
// `lattice`, of the integers in it; with `upper_is_theta` the upper end is
// the first parameter (the uniform's [0, theta]). A value type, not a closed
// list, so that a family of one's own can have a support the built-ins do
// not (the zero-truncated Poisson's {1, 2, ...}). The built-ins' supports are
// named below. A misspecified fit needs the fitted family's support to
// contain the generating family's.
struct support_kind {
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool lower_open = true, upper_open = true;
  bool lattice = false;
  bool upper_is_theta = false;

  constexpr bool operator==(const support_kind&) const = default;

  static const support_kind real_line, positive, nonnegative, counts, binary, bounded, unit;
};

inline constexpr support_kind support_kind::real_line{};                                               // (-inf, inf)
inline constexpr support_kind support_kind::positive{0, std::numeric_limits<double>::infinity(), true, true};  // (0, inf)
inline constexpr support_kind support_kind::nonnegative{0, std::numeric_limits<double>::infinity(), false, true};  // [0, inf)
inline constexpr support_kind support_kind::counts{0, std::numeric_limits<double>::infinity(), false, true, true};  // {0, 1, ...}
inline constexpr support_kind support_kind::binary{0, 1, false, false, true};                          // {0, 1}
inline constexpr support_kind support_kind::bounded{0, std::numeric_limits<double>::infinity(), false, true, false,
                                                   true};                                              // [0, theta]
inline constexpr support_kind support_kind::unit{0, 1, true, true};                                    // (0, 1)

constexpr bool discrete(const support_kind& s) { return s.lattice; }

// Whether every value of `inner` is a possible value of `outer` (for a
// support that moves with theta, of some theta). The uniform's [0, theta]
// puts no mass at 0, so it counts as (0, theta] here.
constexpr bool contains(const support_kind& outer, const support_kind& inner) {
  if (outer.upper_is_theta) return false;  // a support that moves with theta fits nothing else
  if (outer.lattice && !inner.lattice) return false;
  const bool inner_lower_open = inner.lower_open || inner.upper_is_theta;
  const bool lower = inner.lower > outer.lower || (inner.lower == outer.lower && (!outer.lower_open || inner_lower_open));
  const bool upper = inner.upper < outer.upper || (inner.upper == outer.upper && (!outer.upper_open || inner.upper_open));
  return lower && upper;
}

// Whether x is a possible value (for [0, theta], of some theta).
inline bool in_support(const support_kind& s, double x) {
  if (!std::isfinite(x)) return false;
  if (x < s.lower || (x == s.lower && s.lower_open)) return false;
  if (x > s.upper || (x == s.upper && s.upper_open)) return false;
  return !s.lattice || x == std::floor(x);
}

// The least and the greatest value of a lattice support: the integers in it,
// whatever its bounds (an open end at an integer leaves that integer out);
// -inf or inf where there is no such end.
inline double lattice_first(const support_kind& s) {
  const double first = std::ceil(s.lower);
  return first == s.lower && s.lower_open ? first + 1 : first;
}
inline double lattice_last(const support_kind& s) {
  const double last = std::floor(s.upper);
  return last == s.upper && s.upper_open ? last - 1 : last;
}

// The support in words: "the real line", "(0, inf)", "{0, 1, 2, ...}",
// "[0, theta]".
inline std::string describe(const support_kind& s) {
  const auto end = [](double v) { return std::isinf(v) ? std::string(v < 0 ? "-inf" : "inf") : fmt::format("{}", v); };
  if (s.lattice) {
    const double first = lattice_first(s), last = lattice_last(s);
    if (std::isinf(first) && std::isinf(last)) return "the integers";
    if (std::isinf(first)) return fmt::format("{{..., {}, {}, {}}}", last - 2, last - 1, last);
    if (std::isinf(last)) return fmt::format("{{{}, {}, {}, ...}}", first, first + 1, first + 2);
    if (last < first) return "no value";
    if (last == first) return fmt::format("{{{}}}", first);
    if (last - first == 1) return fmt::format("{{{}, {}}}", first, last);
    return fmt::format("{{{}, ..., {}}}", first, last);
  }
  if (std::isinf(s.lower) && std::isinf(s.upper)) return "the real line";
  return fmt::format("{}{}, {}{}", s.lower_open ? "(" : "[", end(s.lower), s.upper_is_theta ? "theta" : end(s.upper),
                     s.upper_is_theta || !s.upper_open ? "]" : ")");
}

// How a parameter changes when the data are measured in other units, x ->
// (x - m) / c: `fit` fits rescaled data, so that neither its convergence nor
// its figures depend on the units (data near 1e-300 fit as data near 1). A
// continuous family declares `static constexpr std::array<unit_role, K>
// units`, and one with known constants `known_units` for them.
enum class unit_role {
  none,          // unchanged (a shape)
  location,      // (theta - m) / c
  scale,         // theta / c
  variance,      // theta / c^2
  rate,          // theta c
  log_location,  // theta - log c (the lognormal's mu; then m = 0)
};

template <class F>
concept has_units = requires { F::units; };

// A fit that does not converge is a result, not an exception: in a Monte
// Carlo run a failed replication is data.
template <int K>
struct fit_result {
  vector<K> theta;
  bool converged = true;
  int iterations = 0;
};

// g(theta) with its gradient, for the delta method and the Cramér–Rao bound
// of a reparametrization: crlb = grad' I(theta)^-1 grad / n. With its
// inverse it is also a chart: coordinate `replaces` of theta swapped for
// eta = g(theta), in which the invariance check maximizes the likelihood
// directly. `with_value(eta, theta)` is the theta with g = eta that keeps
// every other coordinate of theta.
template <int K>
struct reparametrization {
  std::string_view name;
  std::string_view formula;
  double (*value)(const vector<K>&);
  vector<K> (*gradient)(const vector<K>&);
  int replaces;
  vector<K> (*with_value)(double eta, const vector<K>&);
};

// A second, non-ML estimator of a family's parameters, where a textbook one
// exists (the method of moments, the sample median): run on the same draws
// as the MLE, it shows the MLE's relative efficiency. A family declares it
// as `static constexpr alternative_estimator<K> alternative`.
template <int K>
struct alternative_estimator {
  std::string_view name;
  fit_result<K> (*estimate)(std::span<const double> x);
};

template <class F>
concept has_alternative = requires { F::alternative.estimate; };

// Where the MLE of an estimand has finite moments only below some order at
// sample size n, whatever the replications, a family says so:
// `F::moments_below(theta, n, estimand)` gives that order (+inf where every
// moment is finite or nothing is known). The exponential rate n / sum x is
// n rate / Gamma(n, 1): finite moments below order n. The figures whose
// Monte Carlo errors need higher moments are then left empty
// (sim/measures.hpp's moment_needs).
template <class F>
concept has_moment_limits = requires(const typename F::parameters& t) {
  { F::moments_below(t, 1.0, std::string_view{}) } -> std::convertible_to<double>;
};

// A family whose second estimator has the MLE's moment limits (the gamma's
// method-of-moments shape x-bar^2/s^2 grows as 1/s^2 where the MLE grows as
// 1/(2s)) says `static constexpr bool alternative_shares_moments = true`:
// the second estimator's figures are then left out where the MLE's are.
template <class F>
concept alternative_shares_moments = has_alternative<F> && has_moment_limits<F> && requires {
  requires F::alternative_shares_moments;
};

// A family is a policy type: metadata and the parameter check as statics,
// the likelihood, sampler and fit as members called on a value of the type.
// Most families are empty and make every member static; a family with known
// constants (the binomial's trials, the Pareto minimum, Student's df) holds
// them as data (see `known_names` below). `check` returns an empty string
// when theta is in the parameter space, or the message naming the offending
// parameter (estimators/checks.hpp).
template <class F>
concept family = std::copy_constructible<F> &&
    requires(const F& f, const vector<F::dimension>& theta, std::span<const double> x) {
  { F::name } -> std::convertible_to<std::string_view>;
  { F::summary } -> std::convertible_to<std::string_view>;
  { F::parameter_names } -> std::convertible_to<std::array<std::string_view, F::dimension>>;
  { F::min_sample_size } -> std::convertible_to<std::size_t>;
  { F::regular } -> std::convertible_to<bool>;
  { F::support } -> std::convertible_to<support_kind>;
  { F::closed_form } -> std::convertible_to<bool>;
  F::reparametrizations;
  { F::check(theta) } -> std::convertible_to<std::string>;
  f.sampler(theta);
  { f.log_likelihood(theta, x) } -> std::convertible_to<double>;
  { f.score(theta, x) } -> std::convertible_to<vector<F::dimension>>;
  { f.fit(x) } -> std::convertible_to<fit_result<F::dimension>>;
};

// What is wrong with theta as a point of F's parameter space, if anything
// (empty when nothing): `check_space` where F has one, which leaves out the
// narrower range double precision supports for simulating that `check` adds.
// The maximizers and `fit` use it: an estimate may lie beyond that range.
// Asked of the value, since a model made at run time (a formula) checks its
// parameters by a member.
template <class F>
std::string space_problem(const F& f, const typename F::parameters& t) {
  if constexpr (requires { F::check_space(t); }) return F::check_space(t);
  else return f.check(t);
}

// The same for a family type whose checks are static (every built-in).
template <class F>
std::string space_problem(const typename F::parameters& t) {
  if constexpr (requires { F::check_space(t); }) return F::check_space(t);
  else return F::check(t);
}

// Regular families also have the per-observation Fisher information and the
// observed information, minus the Hessian of the log-likelihood of x.
template <class F>
concept regular_family = family<F> && F::regular &&
    requires(const F& f, const vector<F::dimension>& theta, std::span<const double> x) {
  { f.fisher_information(theta) } -> std::convertible_to<matrix<F::dimension>>;
  { f.observed_information(theta, x) } -> std::convertible_to<matrix<F::dimension>>;
};

// A family with known constants declares their names in `known_names`, a
// static `check_known(known)` (empty string when valid), a constructor from
// the known values in that order, and `admits(x)`, whether x is a possible
// value given the constants (a count up to the trials, a value above the
// Pareto minimum). `support_start()` is where its support begins when that
// is a constant other than the support kind's own.
template <class F>
concept has_known_constants = requires(std::span<const double> known) {
  F::known_names;
  { F::check_known(known) } -> std::convertible_to<std::string>;
  F(known);
};

template <class F>
constexpr std::size_t known_count() {
  if constexpr (has_known_constants<F>) return F::known_names.size();
  else return 0;
}

// The family with the given known values (none for most families); the
// values must have passed check_known.
template <class F>
F make_family(std::span<const double> known) {
  if constexpr (has_known_constants<F>) return F(known);
  else return F{};
}

// Whether x is a possible observation of f.
template <class F>
bool admits(const F& f, double x) {
  if constexpr (requires { f.admits(x); }) return in_support(F::support, x) && f.admits(x);
  else return in_support(F::support, x);
}

// Every estimand of F: its parameters (as g(theta) = theta_j), then its
// reparametrizations. The names are read from the value: a model made at
// run time (a formula) has them as members, not statics.
template <family F>
std::vector<reparametrization<F::dimension>> all_estimands(const F& f) {
  using P = typename F::parameters;
  std::vector<reparametrization<F::dimension>> result;
  [&]<int... J>(std::integer_sequence<int, J...>) {
    (result.push_back({f.parameter_names[J], f.parameter_names[J],
                       [](const P& t) { return t[J]; },
                       [](const P&) {
                         P unit = P::Zero();
                         unit[J] = 1;
                         return unit;
                       },
                       J,
                       [](double eta, const P& t) {
                         P result = t;
                         result[J] = eta;
                         return result;
                       }}),
     ...);
  }(std::make_integer_sequence<int, F::dimension>{});
  for (const auto& g : F::reparametrizations) result.push_back(g);
  return result;
}

}  // namespace mlesim

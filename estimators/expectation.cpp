#include "estimators/expectation.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace mlesim {
namespace {

using state = expectation_value::state;
constexpr double infinity = std::numeric_limits<double>::infinity();

// Boost's own stopping rule, a little tighter than what is required of the
// sum of the pieces.
constexpr double piece_tolerance = 1e-12;

// Where the pieces of a density's integral meet: quantiles from 1e-12 to
// 1 - 1e-12, densest in the tails, where a heavy-tailed law keeps its mass.
constexpr std::array<double, 8> split_probabilities{1e-12, 1e-8, 1e-5, 1e-3, 0.02, 0.1, 0.25, 0.5};

// What a mass function's sum leaves out on each side.
constexpr double left_out_mass = 1e-20;
constexpr double most_terms = 5e7;  // about 5 s of evaluations: more is not a sum this tool should attempt

// Whether the integrand decays too slowly for its integral to exist, from
// its local power law between two points far out: |f| ~ d^slope at a
// distance d from `anchor` (toward infinity: diverges when slope >= -1;
// toward a finite end: when slope <= -1). Exact for the regularly varying
// tails of the t, Cauchy and Pareto; an exponentially decaying tail has
// underflowed to 0 there.
struct divergence {
  bool diverges = false;
  double slope = NAN;
};

template <class F>
divergence check_tail(const F& f, double anchor, double direction, double near, double far, bool toward_infinity) {
  divergence d;
  if (!(far > near)) return d;  // too far from the origin to resolve in double precision
  if (!toward_infinity) {
    const double a = std::abs(f(anchor + direction * near)), b = std::abs(f(anchor + direction * far));
    if (!std::isfinite(a) || !std::isfinite(b)) {  // the density is positive where h overflows
      d.diverges = true;
      d.slope = -infinity;
      return d;
    }
    if (a == 0 || b == 0) return d;  // underflowed: decays faster than any power
    d.slope = std::log(b / a) / std::log(far / near);
    d.diverges = d.slope <= -1 + 1e-9;
    return d;
  }
  // Toward infinity, at distances a decade apart from `near` to `far`: the
  // slope between the farthest point where |f| is a finite positive number
  // and one at least 10^5 nearer. A point where h overflows while the
  // density is still positive (|f| = inf: h grows exponentially, as a
  // Gompertz score's x e^(bx) against a gamma's e^-x) diverges, as before;
  // one where the density has underflowed (0, or inf times 0 = NaN) says
  // nothing: far out, a t density of df 10 underflows before h = x^12
  // overflows, and h = x^16 overflows where a logistic density is already
  // 0. Before, the two ends of the range decided alone: x^12 against the
  // t's x^-11 read as integrable (its far end underflowed to 0), x^16
  // against the logistic as infinite (inf times 0).
  const int decades = static_cast<int>(std::floor(std::log10(far / near)));
  std::vector<std::pair<double, double>> seen;  // (log distance, log |f|)
  for (int k = 0; k <= decades; ++k) {
    const double distance = near * std::pow(10.0, k);
    const double value = std::abs(f(anchor + direction * distance));
    if (value == infinity) {
      d.diverges = true;
      d.slope = infinity;
      return d;
    }
    if (std::isfinite(value) && value > 0) seen.emplace_back(std::log(distance), std::log(value));
  }
  if (seen.size() < 2) return d;
  const auto [far_log, far_value] = seen.back();
  // The partner: 5 decades nearer where the points reach that far, else the
  // next point in (a tail that underflows within a few decades is deep in
  // its decay there, and one that overflows steeply rises there).
  auto partner = seen.rbegin() + 1;
  for (auto it = partner; it != seen.rend(); ++it)
    if (far_log - it->first >= 5 * std::log(10.0)) {
      partner = it;
      break;
    }
  d.slope = (far_value - partner->second) / (far_log - partner->first);
  // |x|^-1 is the edge: not integrable toward infinity.
  d.diverges = d.slope >= -1 - 1e-9;
  return d;
}

// Gauss-Kronrod (7, 15) on [a, b], bisected until each part's error
// estimate is below 1e-13 of its L1 norm or `budget` parts are spent. A part
// spanning orders of magnitude on one side of 0 is split at its geometric
// mean, so a power-law singularity just outside it is resolved in a few steps.
template <class F>
double adaptive_kronrod(const F& f, double a, double b, double& error, double& l1, std::size_t& budget) {
  double part_error = 0, part_l1 = 0;
  const double value =
      boost::math::quadrature::gauss_kronrod<double, 15>::integrate(f, a, b, 0, 0, &part_error, &part_l1);
  part_error *= (b - a) / 2;  // Boost 1.74 returns a single rule's error on [-1, 1], unscaled
  if (part_error <= 1e-13 * part_l1 || budget == 0) {
    error += part_error;
    l1 += part_l1;
    return value;
  }
  --budget;
  double middle = a / 2 + b / 2;
  if (a > 0 && b > 8 * a) middle = std::sqrt(a) * std::sqrt(b);
  else if (b < 0 && a < 8 * b) middle = -std::sqrt(-a) * std::sqrt(-b);
  if (!(middle > a && middle < b)) {  // no double between: this is as fine as it gets
    error += part_error;
    l1 += part_l1;
    return value;
  }
  return adaptive_kronrod(f, a, middle, error, l1, budget) + adaptive_kronrod(f, middle, b, error, l1, budget);
}

expectation_value density_expectation(const family_info& family, std::span<const double> theta,
                                      std::span<const double> known, const std::function<double(double)>& weighted,
                                      std::span<const double> breakpoints) {
  double low = -infinity, high = infinity;
  const support_kind& support = family.support;
  if (std::isfinite(support.lower)) low = std::max(support.lower, family.support_start(known));
  high = support.upper_is_theta ? theta[0] : support.upper;

  std::vector<double> edges;
  const auto quantile = [&](double p, bool upper) -> double {
    try {
      return family.quantile(theta, known, p, upper);
    } catch (const std::exception&) {
      return std::numeric_limits<double>::quiet_NaN();  // a quantile Boost cannot give: one split point fewer
    }
  };
  for (double p : split_probabilities) {
    edges.push_back(quantile(p, false));
    edges.push_back(quantile(p, true));
  }
  edges.insert(edges.end(), breakpoints.begin(), breakpoints.end());
  std::erase_if(edges, [&](double x) { return !(x > low && x < high); });
  edges.push_back(low);
  edges.push_back(high);
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());

  expectation_value result;
  std::string failures;
  for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
    const double a = edges[i], b = edges[i + 1];
    double value = 0, error = 0, l1 = 0;
    try {
      if (a != low && b != high) {
        // Between split points the integrand is smooth: adaptive
        // Gauss-Kronrod, whose error estimate holds even on a piece narrow
        // against its distance from 0, where tanh-sinh's abscissas round
        // together and its estimate is noise.
        std::size_t budget = 20'000;
        value = adaptive_kronrod(weighted, a, b, error, l1, budget);
      } else if (std::isfinite(a) && std::isfinite(b)) {
        // A piece that ends where the support does, where a density may be
        // singular: tanh-sinh, in u in (0, 1] measured from that end, so x is
        // exact near it. Mapped to unit length, since Boost 1.74's error
        // estimate is wrong by orders of magnitude on a short interval.
        const double width = b - a, end = a == low ? a : b, toward = a == low ? width : -width;
        boost::math::quadrature::tanh_sinh<double> integrator;
        value = integrator.integrate([&](double u) { return weighted(end + toward * u); }, 0.0, 1.0, piece_tolerance,
                                     &error, &l1);
        value *= width;
        error *= width;
        l1 *= width;
      } else if (std::isfinite(a)) {
        boost::math::quadrature::exp_sinh<double> integrator;
        value = integrator.integrate(weighted, a, infinity, piece_tolerance, &error, &l1);
      } else if (std::isfinite(b)) {
        boost::math::quadrature::exp_sinh<double> integrator;
        value = integrator.integrate([&](double y) { return weighted(-y); }, -b, infinity, piece_tolerance, &error,
                                     &l1);
      } else {
        throw std::runtime_error("no finite quantile to split the real line at");
      }
    } catch (const std::exception& e) {
      value = NAN;
      failures = fmt::format("on [{}, {}]: {}", a, b, e.what());
    }
    if (!std::isfinite(value) && failures.empty()) failures = fmt::format("on [{}, {}]: not finite", a, b);
    result.value += value;
    result.error += error;
    result.l1 += l1;
  }

  // Infinite ends and integrable-looking finite ends, checked for divergence.
  const double median = quantile(0.5, false);
  const double spread = quantile(0.25, true) - quantile(0.25, false);
  if (std::isfinite(median) && spread > 0) {
    const double far = std::min(spread * 1e40, 1e300), near = spread;
    for (const double direction : {-1.0, 1.0}) {
      const double end = direction > 0 ? high : low;
      // Toward a finite end, from 1e-6 of the spread in to where rounding stops.
      const double inner = spread * 1e-6, outer = std::max(inner * 1e-30, std::abs(end) * 1e-14);
      const divergence d = std::isfinite(end) ? check_tail(weighted, end, -direction, outer, inner, false)
                                              : check_tail(weighted, median, direction, near, far, true);
      if (d.diverges) {
        result.status = state::infinite;
        result.why = std::isfinite(end)
                         ? fmt::format("the integrand grows like |x - {}|^{:.3g} there: not integrable", end, d.slope)
                         : std::isinf(d.slope)
                               ? fmt::format("h(x) overflows as x -> {}inf where the density is still positive: "
                                             "not integrable",
                                             direction > 0 ? "+" : "-")
                               : fmt::format("the integrand goes like |x|^{:.3g} as x -> {}inf: not integrable",
                                             d.slope, direction > 0 ? "+" : "-");
        return result;
      }
    }
  }
  if (!failures.empty()) {
    result.status = state::inaccurate;
    result.why = "the quadrature failed " + failures;
  } else if (!(result.error <= expectation_tolerance * result.l1)) {
    result.status = state::inaccurate;
    result.why = fmt::format("the quadrature's error estimate {:.3g} exceeds {:g} of E|h(X)| = {:.6g}", result.error,
                             expectation_tolerance, result.l1);
  }
  return result;
}

expectation_value mass_expectation(const family_info& family, std::span<const double> theta,
                                   std::span<const double> known, const std::function<double(double)>& weighted) {
  expectation_value result;
  double first = lattice_first(family.support), last = lattice_last(family.support);
  if (std::isinf(first) || std::isinf(last)) {
    try {
      first = std::max(first, family.quantile(theta, known, left_out_mass, false));
      last = std::min(last, family.quantile(theta, known, left_out_mass, true));
    } catch (const std::exception& e) {
      result.status = state::inaccurate;
      result.why = fmt::format("the mass function's quantiles are beyond Boost.Math ({})", e.what());
      return result;
    }
    if (!(last - first + 1 <= most_terms)) {
      result.status = state::inaccurate;
      result.why = fmt::format("its mass is spread over {:.3g} values, too many to sum", last - first + 1);
      return result;
    }
  }
  double mass = 0, terms = 0;
  for (double k = first; k <= last && family.admits(known, k); ++k, ++terms) {
    mass += std::exp(family.log_density(theta, known, k));
    const double term = weighted(k);
    result.value += term;
    result.l1 += std::abs(term);
  }
  // Rounding in the sum and the mass the range leaves out (below 2e-20, by the quantiles).
  const double missing = std::abs(1 - mass);
  result.error = (terms * std::numeric_limits<double>::epsilon() + missing) * result.l1;
  if (!std::isfinite(result.value)) {
    result.status = state::infinite;
    result.why = "a term is infinite";
  } else if (missing > 1e-10 + terms * 4 * std::numeric_limits<double>::epsilon()) {
    result.status = state::inaccurate;
    result.why = fmt::format("the mass function sums to {:.17g} over [{}, {}], not 1", mass, first, last);
  }
  return result;
}

}  // namespace

expectation_value expectation(const family_info& family, std::span<const double> theta, std::span<const double> known,
                              const std::function<double(double)>& h, std::span<const double> breakpoints) {
  const auto weighted = [&](double x) {
    const double density = std::exp(family.log_density(theta, known, x));
    return density == 0 ? 0.0 : density * h(x);  // h may be infinite where the density vanishes
  };
  if (discrete(family.support)) return mass_expectation(family, theta, known, weighted);
  return density_expectation(family, theta, known, weighted, breakpoints);
}

}  // namespace mlesim

// Models written as a formula (issue 11): a log-density in the parameters and
// x, parsed by GiNaC, whose score and Hessian GiNaC derives symbolically.
// The expressions are compiled once into a tape of double operations with
// common subexpressions shared and the parts that depend on the parameters
// alone hoisted out of the loop over observations; the tape is evaluated a
// block of observations at a time (README, "Models written as a formula").
//
// `compile_formula` turns a formula_spec into a formula_definition (shared,
// immutable, safe to evaluate from many threads); `formula_model<K>` wraps a
// definition of K parameters as a family (estimators/family.hpp) whose
// metadata are members of the value, not statics.
#pragma once

#include "estimators/checks.hpp"
#include "estimators/formula_spec.hpp"
#include "estimators/family.hpp"
#include "estimators/newton.hpp"

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

// A formula that cannot be a model: the message names the field
// (`log_density`, `draw`, `parameters.NAME`, `support`) and the problem.
struct formula_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};


enum class formula_kind { real, positive, unit };
// The unconstrained scale on which the maximizers move a parameter of the kind.
constexpr parameter_scale scale_of(formula_kind kind) {
  switch (kind) {
    case formula_kind::positive: return parameter_scale::positive;
    case formula_kind::unit: return parameter_scale::unit;
    case formula_kind::real: break;
  }
  return parameter_scale::real;
}
enum class formula_support { real, positive, nonnegative, unit, counts };

// An integral (or sum) over the support with its error estimate; `ok` when
// the error estimate is within the tolerance asked of it, else `why` says
// what failed.
struct formula_integral {
  double value = 0;
  double error = 0;  // absolute
  double l1 = 0;     // the integral of |integrand|, the scale the error is judged against
  bool ok = true;
  std::string why{};
};

// The expected information per observation, -E[Hessian], at theta: K x K,
// row-major in `values`, with the worst entry's error against its l1 norm.
struct formula_information {
  std::vector<double> values;
  double relative_error = 0;
  bool ok = true;
  std::string why{};
};

namespace formula_detail {

enum class op : unsigned char {
  constant, add, mul, sub, neg, inv, square, sqrt, power, log, exp, abs, lgamma, digamma, polygamma,
  sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, tgamma,
};

struct instruction {
  op code;
  int a = -1, b = -1;  // operand slots
  double c = 0;        // the constant, the exponent, or polygamma's order
};

// Straight-line code: slot j < inputs are the inputs (the parameters, then x,
// or the u's and z's of `draw`); every instruction writes the next slot.
// `invariant` instructions depend on the parameters alone and run once per
// call; `varying` ones run per observation.
struct tape {
  int inputs = 0;
  int slots = 0;
  std::vector<std::pair<int, instruction>> invariant, varying;  // (slot written, instruction)
  std::vector<int> broadcast;  // invariant slots that varying instructions read
  std::vector<int> outputs;
  std::vector<bool> output_invariant;
};

}  // namespace formula_detail

class formula_definition {
 public:
  const std::string& name() const { return name_; }
  const std::string& summary() const { return summary_; }
  int dimension() const { return static_cast<int>(parameter_names_.size()); }
  const std::vector<std::string>& parameter_names() const { return parameter_names_; }
  const std::vector<formula_kind>& kinds() const { return kinds_; }
  formula_support support_type() const { return support_; }
  // The support as family.hpp's support_kind: the one place this engine
  // uses it (it is about to become a value type).
  support_kind support() const {
    switch (support_) {
      case formula_support::real: return support_kind::real_line;
      case formula_support::positive: return support_kind::positive;
      case formula_support::nonnegative: return support_kind::nonnegative;
      case formula_support::unit: return support_kind::unit;
      case formula_support::counts: return support_kind::counts;
    }
    return support_kind::real_line;
  }
  bool has_draw() const { return has_draw_; }
  const formula_spec& spec() const { return spec_; }
  // The symbolic derivatives as GiNaC prints them, for messages and docs:
  // score[j], then the Hessian's upper triangle row by row.
  const std::vector<std::string>& derivatives() const { return derivatives_; }

  // Empty when theta is in the parameter space (by the kinds), else the
  // first offending parameter, in checks.hpp's words.
  std::string check(std::span<const double> theta) const;

  // Sums over the observations.
  double log_likelihood(std::span<const double> theta, std::span<const double> x) const;
  void score(std::span<const double> theta, std::span<const double> x, std::span<double> out) const;  // K
  // The Hessian of the log-likelihood, K x K row-major.
  void hessian(std::span<const double> theta, std::span<const double> x, std::span<double> out) const;

  double log_density(std::span<const double> theta, double x) const;

  // The density's integral (for counts its sum) over the support at theta:
  // 1 for a density, to the quadrature's 1e-10.
  formula_integral normalization(std::span<const double> theta) const;
  // Throws formula_error naming the model, theta and the integral unless the
  // log-density integrates (sums) to 1 within `tolerance` at theta.
  void check_density(std::span<const double> theta, double tolerance = 1e-6) const;
  formula_information expected_information(std::span<const double> theta) const;
  // P(X <= x), or P(X > x) when upper, by quadrature (a sum for counts).
  double cdf(std::span<const double> theta, double x, bool upper) const;
  // The x with cdf(x) = p (upper: P(X > x) = p); for counts the smallest
  // count k with P(X <= k) >= p (upper: P(X > k) <= p).
  double quantile(std::span<const double> theta, double p, bool upper) const;

  // `draw`: the u's and z's it uses, and its value at them. `prepare` fills
  // `state` for theta (the parts of draw that depend on theta alone).
  int uniforms() const { return uniforms_; }
  int normals() const { return normals_; }
  void prepare_draw(std::span<const double> theta, std::vector<double>& state) const;
  double draw(std::vector<double>& state) const;  // the u's and z's written into state first, by draw_inputs
  int draw_input(int i) const { return dimension() + i; }  // the slot of u_(i+1), then of z_(j+1) at uniforms() + j

  // A Nelder-Mead maximization (NLopt) of the log-likelihood on the
  // unconstrained scale of the kinds (log, logit), from `start`: the
  // fallback when Newton fails. Returns theta (NaN when it failed).
  std::vector<double> nelder_mead(std::span<const double> start, std::span<const double> x) const;

 private:
  friend std::shared_ptr<const formula_definition> compile_formula(const formula_spec&);
  struct region;
  region locate(std::span<const double> theta) const;
  formula_integral integrate(const region& r, int output, double low,
                             double high) const;
  double cdf_in(const region& r, double x, bool upper) const;

  formula_spec spec_;
  std::string name_, summary_;
  std::vector<std::string> parameter_names_;
  std::vector<formula_kind> kinds_;
  formula_support support_ = formula_support::real;
  bool has_draw_ = false;
  int uniforms_ = 0, normals_ = 0;
  std::vector<std::string> derivatives_;
  // Sums over data: the log-density; the score; the Hessian's upper triangle.
  formula_detail::tape value_, score_, hessian_;
  // At one point x: log f, d/dx log f, d2/dx2 log f, then the Hessian's upper
  // triangle (quadrature and the mode search).
  formula_detail::tape point_;
  formula_detail::tape draw_;
};

// Parses and derives; throws formula_error. Call it from one thread at a
// time (GiNaC's expressions share reference counts that are not atomic); the
// definition it returns holds no GiNaC object and may be evaluated from any
// number of threads at once.
std::shared_ptr<const formula_definition> compile_formula(const formula_spec& spec);

// Draws from a formula model's `draw`: per value, u1, u2, ... from
// boost::random::uniform_01 (0 rejected: on (0, 1)), then z1, z2, ... from
// boost::random::normal_distribution, in that order.
class formula_sampler {
 public:
  formula_sampler(std::shared_ptr<const formula_definition> definition, std::span<const double> theta)
      : definition_(std::move(definition)) {
    if (!definition_->has_draw())
      throw formula_error("model " + definition_->name() + " has no `draw`: it can fit data but not generate it");
    definition_->prepare_draw(theta, state_);
  }

  template <class Engine>
  double operator()(Engine& engine) {
    const int u = definition_->uniforms(), z = definition_->normals();
    for (int i = 0; i < u; ++i) {
      double v = 0;
      while (v == 0) v = uniform_(engine);
      state_[static_cast<std::size_t>(definition_->draw_input(i))] = v;
    }
    for (int j = 0; j < z; ++j) state_[static_cast<std::size_t>(definition_->draw_input(u + j))] = normal_(engine);
    return definition_->draw(state_);
  }

 private:
  std::shared_ptr<const formula_definition> definition_;
  std::vector<double> state_;
  boost::random::uniform_01<double> uniform_;
  boost::random::normal_distribution<double> normal_;
};

// The parameter check as a callable member, so that a model's value answers
// `model.check(theta)` while family.hpp's concept still reads `F::check(theta)`
// in its unevaluated requirement.
template <int K>
struct formula_check {
  const formula_definition* definition = nullptr;
  std::string operator()(const vector<K>& theta) const {
    return definition->check(std::span<const double>(theta.data(), K));
  }
};

// A formula model of K parameters as a family type. Its metadata are members
// of the value (they differ per model at run time). `start` is where Newton
// starts; the caller sets it (a simulation to the true value, `fit` of data
// to the config's `start`), else it is the kinds' default: 1 for positive, 0
// for real, 0.5 for unit. When Newton fails from there, a Nelder-Mead on the
// unconstrained scale from `start` gives Newton a second start.
template <int K>
struct formula_model {
  static_assert(K >= 1 && K <= 4, "a formula model has 1 to 4 parameters");
  static constexpr int dimension = K;
  using parameters = vector<K>;
  static constexpr bool regular = true;
  static constexpr bool closed_form = false;
  static constexpr std::array<reparametrization<K>, 0> reparametrizations{};

  explicit formula_model(std::shared_ptr<const formula_definition> def) : definition(std::move(def)) {
    if (!definition || definition->dimension() != K)
      throw std::invalid_argument("formula_model<" + std::to_string(K) + "> of a definition with " +
                                  std::to_string(definition ? definition->dimension() : 0) + " parameters");
    name = definition->name();
    summary = definition->summary();
    for (int j = 0; j < K; ++j) {
      parameter_names[static_cast<std::size_t>(j)] = definition->parameter_names()[static_cast<std::size_t>(j)];
      scales[static_cast<std::size_t>(j)] = scale_of(definition->kinds()[static_cast<std::size_t>(j)]);
      start[j] = default_start(definition->spec())[static_cast<std::size_t>(j)];
    }
    support = definition->support();
    check.definition = definition.get();
  }

  std::shared_ptr<const formula_definition> definition;
  std::string_view name;
  std::string_view summary;
  std::array<std::string_view, K> parameter_names{};
  std::size_t min_sample_size = K + 1;
  support_kind support = support_kind::real_line;
  formula_check<K> check;
  std::array<parameter_scale, K> scales{};
  parameters start = parameters::Zero();

  // No static check_space: the maximizers ask `check` of the value
  // (estimators/family.hpp's space_problem), so a positive parameter's
  // profile or a held value below 0 is outside the space, as for a built-in.
  formula_sampler sampler(const parameters& theta) const { return formula_sampler(definition, span(theta)); }

  double log_likelihood(const parameters& theta, std::span<const double> x) const {
    return definition->log_likelihood(span(theta), x);
  }
  parameters score(const parameters& theta, std::span<const double> x) const {
    parameters result;
    definition->score(span(theta), x, std::span<double>(result.data(), K));
    return result;
  }
  matrix<K> observed_information(const parameters& theta, std::span<const double> x) const {
    matrix<K> h;
    std::array<double, K * K> flat;
    definition->hessian(span(theta), x, flat);
    for (int i = 0; i < K; ++i)
      for (int j = 0; j < K; ++j) h(i, j) = -flat[static_cast<std::size_t>(i * K + j)];
    return h;
  }
  // By quadrature over the density at theta; NaN where the quadrature does
  // not reach 1e-10 relative (expected_information says why), so that a
  // replication counts it as a failure rather than use a wrong figure.
  matrix<K> fisher_information(const parameters& theta) const {
    const formula_information info = definition->expected_information(span(theta));
    matrix<K> result = matrix<K>::Constant(NAN);
    if (info.ok)
      for (int i = 0; i < K; ++i)
        for (int j = 0; j < K; ++j) result(i, j) = info.values[static_cast<std::size_t>(i * K + j)];
    return result;
  }
  double log_density(const parameters& theta, double x) const { return definition->log_density(span(theta), x); }
  formula_integral normalization(const parameters& theta) const { return definition->normalization(span(theta)); }
  double cdf(const parameters& theta, double x, bool upper) const { return definition->cdf(span(theta), x, upper); }
  double quantile(const parameters& theta, double p, bool upper) const {
    return definition->quantile(span(theta), p, upper);
  }

  // Newton's fallback where the observed information is not positive
  // definite is the modified Newton step, not Fisher scoring: the Fisher
  // information is a quadrature (some 1 200 density evaluations), which made
  // a fit of 100 observations from the default start cost 18x the built-in
  // Weibull's.
  fit_result<K> fit(std::span<const double> x) const {
    fit_result<K> failed{parameters::Constant(NAN), false, 0};
    if (x.size() < min_sample_size || !check(start).empty()) return failed;
    newton_settings settings;
    settings.fallback = newton_settings::fallback_kind::modified_newton;
    settings.divergence_from_start = true;
    fit_result<K> result = fit_by_newton(*this, x, start, scales, settings);
    if (result.converged) return result;
    const std::vector<double> simplex = definition->nelder_mead(span(start), x);
    parameters second;
    for (int j = 0; j < K; ++j) second[j] = simplex[static_cast<std::size_t>(j)];
    if (!second.allFinite() || !check(second).empty()) return result;
    fit_result<K> again = fit_by_newton(*this, x, second, scales, settings);
    again.iterations += result.iterations;
    return again.converged ? again : result;
  }

 private:
  static std::span<const double> span(const parameters& theta) { return {theta.data(), static_cast<std::size_t>(K)}; }
};

}  // namespace mlesim

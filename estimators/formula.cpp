#include "estimators/formula.hpp"

#include "estimators/special_functions.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/quadrature/sinh_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <boost/math/tools/roots.hpp>
#include <fmt/format.h>
#include <ginac/ginac.h>
#include <nlopt.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace mlesim {
namespace {

using formula_detail::instruction;
using formula_detail::op;
using formula_detail::tape;

constexpr double infinity = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------- parsing

// [A-Za-z_][A-Za-z0-9_]*, in ASCII whatever the locale. (Not by <regex>,
// whose GCC 12 headers stop a sanitized -Werror build with a false
// -Wmaybe-uninitialized.)
bool identifier(const std::string& s) {
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return !s.empty() && letter(s[0]) && std::all_of(s.begin() + 1, s.end(), [&](char c) { return letter(c) || digit(c); });
}

// u1, u2, ... (letter 'u') or z1, z2, ...: the index, 1 to 999 with no
// leading zero, else 0.
int draw_index(const std::string& s, char letter) {
  if (s.size() < 2 || s.size() > 4 || s[0] != letter || s[1] == '0') return 0;
  int index = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return 0;
    index = 10 * index + (s[i] - '0');
  }
  return index;
}

// The functions the tape evaluates (GiNaC's names); sqrt and pow parse as powers.
const std::map<std::string, op>& unary_functions() {
  static const std::map<std::string, op> table{
      {"log", op::log},   {"exp", op::exp},   {"abs", op::abs},   {"lgamma", op::lgamma}, {"sin", op::sin},
      {"cos", op::cos},   {"tan", op::tan},   {"asin", op::asin}, {"acos", op::acos},     {"atan", op::atan},
      {"sinh", op::sinh}, {"cosh", op::cosh}, {"tanh", op::tanh}, {"tgamma", op::tgamma},
  };
  return table;
}

bool reserved(const std::string& s) {
  static const std::set<std::string> words{"x", "pi", "Pi", "I", "Euler", "Catalan", "sqrt", "pow", "psi"};
  return words.contains(s) || unary_functions().contains(s) || draw_index(s, 'u') > 0 || draw_index(s, 'z') > 0;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Parses `text` with the given symbols; names it does not know are returned
// in `unknown` (the parser is not strict, so that all can be listed).
GiNaC::ex parse(const std::string& field, const std::string& text, const GiNaC::symtab& symbols,
                GiNaC::symtab& unknown) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw formula_error(field + " is empty");
  GiNaC::parser reader(symbols, false);
  GiNaC::ex result;
  try {
    result = reader(text);
  } catch (const std::exception& e) {
    throw formula_error(fmt::format("{} does not parse: {} (in \"{}\")", field, e.what(), text));
  }
  for (const auto& [name, value] : reader.get_syms())
    if (!symbols.contains(name)) unknown[name] = value;
  return result;
}

// ---------------------------------------------------------------- the tape

// Emits GiNaC expressions as straight-line code, sharing every repeated
// subexpression (GiNaC's canonical forms make equal subtrees compare equal).
class tape_builder {
 public:
  tape_builder(std::string field, const std::vector<GiNaC::ex>& inputs, int varying_from)
      : field_(std::move(field)), inputs_(static_cast<int>(inputs.size())) {
    for (int i = 0; i < inputs_; ++i) {
      memo_[inputs[static_cast<std::size_t>(i)]] = i;
      varying_.push_back(i >= varying_from);
    }
  }

  tape finish(const std::vector<GiNaC::ex>& outputs) {
    tape t;
    t.inputs = inputs_;
    for (const auto& e : outputs) t.outputs.push_back(emit(e));
    t.slots = inputs_ + static_cast<int>(code_.size());
    std::vector<bool> read(static_cast<std::size_t>(t.slots), false);
    for (std::size_t i = 0; i < code_.size(); ++i) {
      const int slot = inputs_ + static_cast<int>(i);
      if (varying_[static_cast<std::size_t>(slot)]) {
        t.varying.emplace_back(slot, code_[i]);
        for (int operand : {code_[i].a, code_[i].b})
          if (operand >= 0 && !varying_[static_cast<std::size_t>(operand)]) read[static_cast<std::size_t>(operand)] = true;
      } else {
        t.invariant.emplace_back(slot, code_[i]);
      }
    }
    for (int s = 0; s < t.slots; ++s)
      if (read[static_cast<std::size_t>(s)]) t.broadcast.push_back(s);
    for (int o : t.outputs) t.output_invariant.push_back(!varying_[static_cast<std::size_t>(o)]);
    return t;
  }

 private:
  int put(op code, int a = -1, int b = -1, double c = 0) {
    code_.push_back({code, a, b, c});
    const bool v = (a >= 0 && varying_[static_cast<std::size_t>(a)]) || (b >= 0 && varying_[static_cast<std::size_t>(b)]);
    varying_.push_back(v);
    return inputs_ + static_cast<int>(code_.size()) - 1;
  }

  int constant_slot(double value) {
    const auto bits = std::bit_cast<std::uint64_t>(value);
    if (auto it = constants_.find(bits); it != constants_.end()) return it->second;
    return constants_[bits] = put(op::constant, -1, -1, value);
  }

  [[noreturn]] void unsupported(const std::string& what) const {
    throw formula_error(fmt::format(
        "{}: {} is not supported (functions: log, exp, sqrt, pow or ^, lgamma, tgamma, psi, abs, sin, cos, tan, asin, "
        "acos, atan, sinh, cosh, tanh; constant: pi)",
        field_, what));
  }

  int emit(const GiNaC::ex& e) {
    if (auto it = memo_.find(e); it != memo_.end()) return it->second;
    const int slot = emit_new(e);
    memo_[e] = slot;
    return slot;
  }

  int emit_new(const GiNaC::ex& e) {
    using namespace GiNaC;
    if (is_a<numeric>(e)) {
      const numeric& n = ex_to<numeric>(e);
      if (!n.is_real()) unsupported(fmt::format("the complex number {}", to_string(e)));
      return constant_slot(n.to_double());
    }
    if (is_a<constant>(e)) {
      const ex value = e.evalf();
      if (!is_a<numeric>(value) || !ex_to<numeric>(value).is_real()) unsupported("the constant " + to_string(e));
      return constant_slot(ex_to<numeric>(value).to_double());
    }
    if (is_a<symbol>(e)) unsupported("the symbol " + to_string(e));  // inputs are in memo_
    if (is_a<add>(e)) {
      const std::vector<ex> terms = in_canonical_order(e);
      int result = emit(terms[0]);
      for (std::size_t i = 1; i < terms.size(); ++i) {
        const ex& term = terms[i];
        if (is_a<mul>(term) && term.op(term.nops() - 1).is_equal(-1)) result = put(op::sub, result, emit(-term));
        else result = put(op::add, result, emit(term));
      }
      return result;
    }
    if (is_a<mul>(e)) {
      int result = -1;
      for (const ex& factor : in_canonical_order(e)) {
        if (result >= 0 && is_a<power>(factor) && factor.op(1).is_equal(-1)) {
          result = put(op::mul, result, emit(factor));  // the reciprocal is shared, often hoisted
        } else {
          const int f = emit(factor);
          result = result < 0 ? f : put(op::mul, result, f);
        }
      }
      return result;
    }
    if (is_a<power>(e)) {
      const ex base = e.op(0), exponent = e.op(1);
      if (is_a<numeric>(exponent)) {
        const numeric& n = ex_to<numeric>(exponent);
        if (!n.is_real()) unsupported("a complex exponent");
        const int b = emit(base);
        if (n.is_equal(2)) return put(op::square, b);
        if (n.is_equal(-1)) return put(op::inv, b);
        if (n.is_equal(-2)) return put(op::inv, emit(pow(base, 2)));
        if (n.is_equal(3)) return put(op::mul, emit(pow(base, 2)), b);
        if (n.is_equal(numeric(1, 2))) return put(op::sqrt, b);
        if (n.is_equal(numeric(-1, 2))) return put(op::inv, emit(sqrt(base)));
        return put(op::power, b, -1, n.to_double());
      }
      // b^(e + c), c a whole number: b^e b^c, so that the powers GiNaC's
      // derivatives produce (b^k, b^(k-1), b^(k-2)) share one b^k.
      if (is_a<add>(exponent)) {
        const ex c = exponent.op(exponent.nops() - 1);
        if (is_a<numeric>(c) && ex_to<numeric>(c).is_integer())
          return put(op::mul, emit(pow(base, exponent - c)), emit(pow(base, c)));
      }
      // A symbolic exponent: exp(e log b), for a positive base (log b is
      // shared with any log b of the formula itself).
      return emit(GiNaC::exp(exponent * GiNaC::log(base)));
    }
    if (is_a<function>(e)) {
      const std::string name = ex_to<function>(e).get_name();
      if (name == "psi") {
        if (e.nops() == 1) return put(op::digamma, emit(e.op(0)));
        const ex order = e.op(0);
        if (!is_a<numeric>(order) || !ex_to<numeric>(order).is_nonneg_integer())
          unsupported("psi(n, x) with n not a whole number");
        const int n = ex_to<numeric>(order).to_int();
        if (n == 0) return put(op::digamma, emit(e.op(1)));
        return put(op::polygamma, emit(e.op(1)), -1, n);
      }
      const auto& table = unary_functions();
      if (auto it = table.find(name); it != table.end() && e.nops() == 1) return put(it->second, emit(e.op(0)));
      unsupported(fmt::format("the function {} (in {})", name, to_string(e)));
    }
    unsupported(fmt::format("the expression {}", to_string(e)));
  }

  static std::string to_string(const GiNaC::ex& e) {
    std::ostringstream out;
    out << e;
    return out.str();
  }

  // A key for e that does not depend on the process's history: GiNaC orders
  // a sum's terms and a product's factors by hashes of its symbols' serial
  // numbers, that is by when each symbol was made, so the same model
  // compiled after other work would add its terms in another order and give
  // other last bits. The key names symbols, functions and numbers, with a
  // sum's or product's operands' keys sorted.
  const std::string& canonical_key(const GiNaC::ex& e) {
    using namespace GiNaC;
    if (auto it = keys_.find(e); it != keys_.end()) return it->second;
    std::string key;
    const auto operands = [&](bool sorted) {
      std::vector<std::string> parts;
      for (std::size_t i = 0; i < e.nops(); ++i) parts.push_back(canonical_key(e.op(i)));
      if (sorted) std::sort(parts.begin(), parts.end());
      std::string joined;
      for (const auto& part : parts) joined += part + ",";
      return joined;
    };
    if (is_a<numeric>(e) || is_a<constant>(e) || is_a<symbol>(e)) key = "a" + to_string(e);
    else if (is_a<add>(e)) key = "s(" + operands(true) + ")";
    else if (is_a<mul>(e)) key = "p(" + operands(true) + ")";
    else if (is_a<power>(e)) key = "e(" + operands(false) + ")";
    else if (is_a<function>(e)) key = "f" + ex_to<function>(e).get_name() + "(" + operands(false) + ")";
    else key = "x" + to_string(e);
    return keys_.emplace(e, std::move(key)).first->second;
  }

  // A sum's terms or a product's factors in the order of their keys.
  std::vector<GiNaC::ex> in_canonical_order(const GiNaC::ex& e) {
    std::vector<GiNaC::ex> operands;
    for (std::size_t i = 0; i < e.nops(); ++i) operands.push_back(e.op(i));
    std::stable_sort(operands.begin(), operands.end(), [&](const GiNaC::ex& a, const GiNaC::ex& b) {
      return canonical_key(a) < canonical_key(b);
    });
    return operands;
  }

  std::string field_;
  int inputs_;
  std::map<GiNaC::ex, int, GiNaC::ex_is_less> memo_;
  std::map<GiNaC::ex, std::string, GiNaC::ex_is_less> keys_;
  std::map<std::uint64_t, int> constants_;
  std::vector<instruction> code_;
  std::vector<bool> varying_;  // per slot
};

double apply(const instruction& in, double a, double b) {
  switch (in.code) {
    case op::constant: return in.c;
    case op::add: return a + b;
    case op::sub: return a - b;
    case op::mul: return a * b;
    case op::neg: return -a;
    case op::inv: return 1 / a;
    case op::square: return a * a;
    case op::sqrt: return std::sqrt(a);
    case op::power: return std::pow(a, in.c);
    case op::log: return std::log(a);
    case op::exp: return std::exp(a);
    case op::abs: return std::abs(a);
    // Boost.Math throws outside the domain (a pole, a negative argument of
    // the log-gamma's derivatives): there the formula is not finite.
    case op::lgamma:
      try {
        return math::lgamma(a);
      } catch (const std::exception&) {
        return NAN;
      }
    case op::digamma:
      try {
        return math::digamma(a);
      } catch (const std::exception&) {
        return NAN;
      }
    case op::polygamma:
      try {
        return boost::math::polygamma(static_cast<int>(in.c), a, math::policy{});
      } catch (const std::exception&) {
        return NAN;
      }
    case op::tgamma:
      try {
        return boost::math::tgamma(a, math::policy{});
      } catch (const std::exception&) {
        return NAN;
      }
    case op::sin: return std::sin(a);
    case op::cos: return std::cos(a);
    case op::tan: return std::tan(a);
    case op::asin: return std::asin(a);
    case op::acos: return std::acos(a);
    case op::atan: return std::atan(a);
    case op::sinh: return std::sinh(a);
    case op::cosh: return std::cosh(a);
    case op::tanh: return std::tanh(a);
  }
  return NAN;
}

// One instruction over m lanes; the common operations as plain loops the
// compiler vectorizes, the rest through `apply`.
void run_lanes(const instruction& in, double* out, const double* a, const double* b, int m) {
  switch (in.code) {
    case op::add:
      for (int i = 0; i < m; ++i) out[i] = a[i] + b[i];
      return;
    case op::sub:
      for (int i = 0; i < m; ++i) out[i] = a[i] - b[i];
      return;
    case op::mul:
      for (int i = 0; i < m; ++i) out[i] = a[i] * b[i];
      return;
    case op::inv:
      for (int i = 0; i < m; ++i) out[i] = 1 / a[i];
      return;
    case op::square:
      for (int i = 0; i < m; ++i) out[i] = a[i] * a[i];
      return;
    case op::log:
      for (int i = 0; i < m; ++i) out[i] = std::log(a[i]);
      return;
    case op::exp:
      for (int i = 0; i < m; ++i) out[i] = std::exp(a[i]);
      return;
    default:
      for (int i = 0; i < m; ++i) out[i] = apply(in, a ? a[i] : 0.0, b ? b[i] : 0.0);
  }
}

// Scalar registers for theta: the inputs and the invariant part.
void prepare(const tape& t, std::span<const double> theta, std::vector<double>& regs) {
  regs.assign(static_cast<std::size_t>(t.slots), 0.0);
  std::copy(theta.begin(), theta.end(), regs.begin());
  for (const auto& [slot, in] : t.invariant)
    regs[static_cast<std::size_t>(slot)] = apply(in, in.a >= 0 ? regs[static_cast<std::size_t>(in.a)] : 0.0,
                                                 in.b >= 0 ? regs[static_cast<std::size_t>(in.b)] : 0.0);
}

// The varying part at one point (its inputs already in regs).
void run_point(const tape& t, std::vector<double>& regs) {
  for (const auto& [slot, in] : t.varying)
    regs[static_cast<std::size_t>(slot)] = apply(in, in.a >= 0 ? regs[static_cast<std::size_t>(in.a)] : 0.0,
                                                 in.b >= 0 ? regs[static_cast<std::size_t>(in.b)] : 0.0);
}

constexpr int block = 256;

// Sums each output of t over the observations x (input slot theta.size()).
void sum_over(const tape& t, std::span<const double> theta, std::span<const double> x, std::span<double> totals) {
  thread_local std::vector<double> scalar, lanes;
  prepare(t, theta, scalar);
  const int n = static_cast<int>(x.size());
  const int width = std::max(1, std::min(block, n));
  lanes.resize(static_cast<std::size_t>(t.slots) * static_cast<std::size_t>(width));
  for (int s : t.broadcast)
    std::fill_n(lanes.data() + static_cast<std::ptrdiff_t>(s) * width, width, scalar[static_cast<std::size_t>(s)]);
  std::fill(totals.begin(), totals.end(), 0.0);
  const int input = static_cast<int>(theta.size());
  double* const lane = lanes.data();
  for (int start = 0; start < n; start += width) {
    const int m = std::min(width, n - start);
    std::copy_n(x.data() + start, m, lane + static_cast<std::ptrdiff_t>(input) * width);
    for (const auto& [slot, in] : t.varying)
      run_lanes(in, lane + static_cast<std::ptrdiff_t>(slot) * width,
                in.a >= 0 ? lane + static_cast<std::ptrdiff_t>(in.a) * width : nullptr,
                in.b >= 0 ? lane + static_cast<std::ptrdiff_t>(in.b) * width : nullptr, m);
    for (std::size_t o = 0; o < t.outputs.size(); ++o) {
      if (t.output_invariant[o]) continue;
      const double* v = lane + static_cast<std::ptrdiff_t>(t.outputs[o]) * width;
      double sum = 0;
      for (int i = 0; i < m; ++i) sum += v[i];
      totals[o] += sum;
    }
  }
  for (std::size_t o = 0; o < t.outputs.size(); ++o)
    if (t.output_invariant[o]) totals[o] = n * scalar[static_cast<std::size_t>(t.outputs[o])];
}

// ---------------------------------------------------------------- quadrature

// What each part of a density's integral must reach, a little tighter than
// the 1e-10 asked of the whole.
constexpr double piece_tolerance = 1e-12;
constexpr double required = 1e-10;
constexpr double left_out_mass = 1e-20;  // what a sum over counts may leave out, relative
constexpr double most_terms = 5e7;

// The support's free coordinate t and x(t), for the search of the mass.
struct free_map {
  formula_support support;
  double x(double t) const {
    switch (support) {
      case formula_support::real: return std::sinh(t);
      case formula_support::unit: return 1 / (1 + std::exp(-t));
      default: return std::exp(t);
    }
  }
  // log dx/dt
  double log_jacobian(double t) const {
    switch (support) {
      case formula_support::real: return std::log(std::cosh(t));
      case formula_support::unit: {
        const double x = 1 / (1 + std::exp(-t));
        return std::log(x) + std::log1p(-x);
      }
      default: return t;
    }
  }
};

std::string theta_text(const std::vector<std::string>& names, std::span<const double> theta) {
  std::string out;
  for (std::size_t j = 0; j < names.size(); ++j) out += fmt::format("{}{} = {}", j ? ", " : "", names[j], theta[j]);
  return out;
}

}  // namespace


namespace formula_detail {

// Point evaluations of the point tape at theta, remembered by x, so that the
// integrals of the density and of each information entry over the same
// abscissas evaluate the formula once.
class point_cache {
 public:
  point_cache(const tape& t, std::span<const double> theta)
      : tape_(t), input_(theta.size()) {
    prepare(t, theta, regs_);
    memo_.reserve(4096);  // a region's integrals take 1000-2000 points
    values_.reserve(4096 * t.outputs.size());
  }

  // The outputs at x (valid until the next call).
  const double* at(double x) {
    const auto key = std::bit_cast<std::uint64_t>(x);
    if (auto it = memo_.find(key); it != memo_.end()) return values_.data() + it->second;
    regs_[input_] = x;
    run_point(tape_, regs_);
    const std::size_t offset = values_.size();
    for (int o : tape_.outputs) values_.push_back(regs_[static_cast<std::size_t>(o)]);
    memo_.emplace(key, offset);
    return values_.data() + offset;
  }

 private:
  const tape& tape_;
  std::size_t input_;
  std::vector<double> regs_, values_;
  std::unordered_map<std::uint64_t, std::size_t> memo_;
};

}  // namespace formula_detail

namespace {
using formula_detail::point_cache;
}  // namespace

// Where a density's mass lies at theta: the support's ends and the points
// where the integral is split (continuous), or the counts it is summed over.
struct formula_definition::region {
  double low = -infinity, high = infinity;
  std::vector<double> edges;  // sorted, inside (low, high)
  double mode = NAN, scale = NAN;
  double first = 0, last = -1;  // counts
  // The formula's values at the points evaluated so far, shared by every
  // integral over this region.
  std::shared_ptr<point_cache> cache;
  bool ok = true;
  std::string why{};
};

formula_definition::region formula_definition::locate(std::span<const double> theta) const {
  region r;
  r.cache = std::make_shared<point_cache>(point_, theta);
  point_cache& cache = *r.cache;
  const auto log_f = [&](double x) { return cache.at(x)[0]; };

  if (support_ == formula_support::counts) {
    r.low = 0;
    // The mode among 0 and 1.5^j, then by integer ternary search between its
    // neighbours (a unimodal mass function).
    double best = 0, best_value = log_f(0), previous = 0, next = 0;
    std::vector<double> candidates{0};
    for (double k = 1; k < 1e15; k = std::max(k + 1, std::floor(k * 1.5))) candidates.push_back(k);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const double v = log_f(candidates[i]);
      if (v > best_value || !std::isfinite(best_value)) {
        best_value = v;
        best = candidates[i];
        previous = i ? candidates[i - 1] : 0;
        next = i + 1 < candidates.size() ? candidates[i + 1] : candidates[i];
      }
    }
    if (!std::isfinite(best_value)) {
      r.ok = false;
      r.why = "log_density is not finite at any count tried";
      return r;
    }
    double a = previous, b = next;
    while (b - a > 2) {
      const double m1 = std::floor(a + (b - a) / 3), m2 = std::ceil(b - (b - a) / 3);
      if (log_f(m1) < log_f(m2)) a = m1;
      else b = m2;
    }
    for (double k = a; k <= b; ++k)
      if (log_f(k) > log_f(best)) best = k;
    r.mode = best;
    const double top = log_f(best), cut = top + std::log(left_out_mass);
    r.first = best;
    while (r.first > 0 && !(log_f(r.first - 1) < cut && log_f(r.first - 1) <= log_f(r.first))) --r.first;
    r.last = best;
    while (!(log_f(r.last + 1) < cut && log_f(r.last + 1) <= log_f(r.last))) {
      ++r.last;
      if (r.last - r.first + 1 > most_terms) {
        r.ok = false;
        r.why = fmt::format("its mass is spread over more than {:g} counts, too many to sum", most_terms);
        return r;
      }
    }
    return r;
  }

  if (support_ == formula_support::positive || support_ == formula_support::nonnegative) r.low = 0;
  if (support_ == formula_support::unit) r.low = 0, r.high = 1;
  // Where the mass is: the maximum of the density in the free coordinate on
  // a grid, refined by Newton's method on the log-density in x.
  const free_map map{support_};
  constexpr double step = 0.5, reach = 40;
  double best_t = NAN, best = -infinity;
  for (double t = -reach; t <= reach; t += step) {
    const double x = map.x(t);
    if (!(x > r.low && x < r.high)) continue;
    const double v = log_f(x) + map.log_jacobian(t);
    if (v > best) best = v, best_t = t;
  }
  if (!std::isfinite(best)) {
    r.ok = false;
    r.why = "log_density is not finite anywhere on a grid over the support";
    return r;
  }
  double x = map.x(best_t);
  for (int i = 0; i < 200; ++i) {
    const double* v = cache.at(x);
    const double f = v[0], d1 = v[1], d2 = v[2];
    if (!(d2 < 0) || !std::isfinite(d1)) break;
    double move = -d1 / d2, next = x + move;
    while (!(next > r.low && next < r.high && log_f(next) >= f) && std::abs(move) > 1e-300) move /= 2, next = x + move;
    if (!(next > r.low && next < r.high) || !(log_f(next) >= f)) break;
    const bool done = std::abs(next - x) <= 1e-12 * std::abs(x) + 1e-300;
    x = next;
    if (done) break;
  }
  r.mode = x;
  const double d2 = cache.at(x)[2];
  const double grid_scale = std::abs(map.x(best_t + step) - map.x(best_t - step)) / 2;
  r.scale = d2 < 0 && std::isfinite(d2) ? 1 / std::sqrt(-d2) : grid_scale;
  for (double k : {-64.0, -16.0, -4.0, -1.0, 0.0, 1.0, 4.0, 16.0, 64.0}) r.edges.push_back(r.mode + k * r.scale);
  for (double k : {-8.0, -4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0, 8.0}) r.edges.push_back(map.x(best_t + k));
  std::erase_if(r.edges, [&](double e) { return !(e > r.low && e < r.high) || !std::isfinite(e); });
  std::sort(r.edges.begin(), r.edges.end());
  r.edges.erase(std::unique(r.edges.begin(), r.edges.end()), r.edges.end());
  return r;
}

// The integral over [a, b] (inside the support) of output `output` of the
// point tape, times the density when asked (output -1: the density alone).
formula_integral formula_definition::integrate(const region& r, int output, double a,
                                               double b) const {
  formula_integral result;
  if (!r.ok) {
    result.ok = false;
    result.why = r.why;
    result.value = NAN;
    return result;
  }
  point_cache& cache = *r.cache;
  // A point that rounds onto an end outside the support (1 - width u = 1
  // near the unit interval's top) adds nothing: there a density singular at
  // the end is infinite, and the mass within one rounding of the end is
  // below what the quadrature resolves.
  const bool closed_low = support_ == formula_support::nonnegative || support_ == formula_support::counts;
  const auto integrand = [&](double x) {
    if (x < r.low || (x == r.low && !closed_low) || x >= r.high) return 0.0;
    const double* v = cache.at(x);
    const double density = std::exp(v[0]);
    if (density == 0) return 0.0;
    return output < 0 ? density : density * v[static_cast<std::size_t>(output)];
  };

  if (support_ == formula_support::counts) {
    const double first = std::max(r.first, std::ceil(a)), last = std::min(r.last, std::floor(b));
    double terms = 0;
    for (double k = first; k <= last; ++k, ++terms) {
      const double term = integrand(k);
      result.value += term;
      result.l1 += std::abs(term);
    }
    result.error = (terms * std::numeric_limits<double>::epsilon() + 2 * left_out_mass) * result.l1;
    if (!std::isfinite(result.value)) result.ok = false, result.why = "a term is not finite";
    return result;
  }

  std::vector<double> edges{a};
  for (double e : r.edges)
    if (e > a && e < b) edges.push_back(e);
  edges.push_back(b);
  // One piece at relative tolerance `tolerance` of its own |integral|.
  const auto piece = [&](double lo, double hi, double tolerance, double& error, double& l1) -> double {
    double value = 0;
    error = 0, l1 = 0;
    if (std::isfinite(lo) && std::isfinite(hi)) {
      // Mapped to unit length (Boost 1.74's error estimates assume it).
      const double width = hi - lo;
      if (lo == r.low || hi == r.high) {
        // Tanh-sinh from the support's end, where a density may be singular.
        const double end = lo == r.low ? lo : hi, toward = lo == r.low ? width : -width;
        boost::math::quadrature::tanh_sinh<double> integrator;
        value = integrator.integrate([&](double u) { return integrand(end + toward * u); }, 0.0, 1.0, tolerance,
                                     &error, &l1);
      } else {
        value = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
            [&](double u) { return integrand(lo + width * u); }, 0.0, 1.0, 12, tolerance, &error, &l1);
      }
      value *= width, error *= width, l1 *= width;
    } else if (std::isfinite(lo) || std::isfinite(hi)) {
      // A tail, in units of the scale found at the mode.
      const double s = r.scale, from = std::isfinite(lo) ? lo : hi, direction = std::isfinite(lo) ? s : -s;
      boost::math::quadrature::exp_sinh<double> integrator;
      value = integrator.integrate([&](double y) { return integrand(from + direction * y); }, 0.0, infinity,
                                   tolerance, &error, &l1);
      value *= s, error *= s, l1 *= s;
    } else {
      boost::math::quadrature::sinh_sinh<double> integrator;
      value = integrator.integrate(integrand, tolerance, &error, &l1);
    }
    return value;
  };
  // Each piece's share of the whole first, roughly (the points are
  // remembered, and the second pass's rules start from the same ones), then
  // each to piece_tolerance of the whole: a tail holding 1e-9 of the mass
  // need not be known to 1e-12 of itself.
  const std::size_t pieces = edges.size() - 1;
  std::vector<double> rough(pieces, 0.0);
  double rough_total = 0;
  for (std::size_t i = 0; i < pieces; ++i) {
    try {
      double error = 0;
      piece(edges[i], edges[i + 1], 1e-3, error, rough[i]);
    } catch (const std::exception&) {
      rough[i] = 0;  // the second pass, at full tolerance, reports it
    }
    if (std::isfinite(rough[i])) rough_total += rough[i];
  }
  // Half the error allowed to the whole, shared equally among the pieces.
  const double share = required / (2.0 * static_cast<double>(pieces));
  for (std::size_t i = 0; i < pieces; ++i) {
    const double lo = edges[i], hi = edges[i + 1];
    double tolerance = piece_tolerance;
    if (rough[i] > 0 && std::isfinite(rough[i]) && rough_total > 0)
      tolerance = std::clamp(share * rough_total / rough[i], piece_tolerance, 1e-3);
    double value = 0, error = 0, l1 = 0;
    try {
      value = piece(lo, hi, tolerance, error, l1);
    } catch (const std::exception& e) {
      if (result.ok) result.why = fmt::format("the quadrature failed on [{}, {}]: {}", lo, hi, e.what());
      result.ok = false;
      value = NAN;
    }
    if (!std::isfinite(value) && result.ok) {
      result.ok = false;
      result.why = fmt::format("the integral over [{}, {}] is not finite", lo, hi);
    }
    result.value += value;
    result.error += error;
    result.l1 += l1;
  }
  if (result.ok && !(result.error <= required * result.l1)) {
    result.ok = false;
    result.why = fmt::format("the quadrature's error estimate {:.3g} exceeds {:g} of the integral of |.| = {:.6g}",
                             result.error, required, result.l1);
  }
  return result;
}

// ---------------------------------------------------------------- the definition

std::string formula_definition::check(std::span<const double> theta) const {
  for (std::size_t j = 0; j < kinds_.size(); ++j) {
    std::string problem;
    switch (kinds_[j]) {
      case formula_kind::real: problem = checks::finite(parameter_names_[j], theta[j]); break;
      case formula_kind::positive: problem = checks::positive(parameter_names_[j], theta[j]); break;
      case formula_kind::unit: problem = checks::open_unit(parameter_names_[j], theta[j]); break;
    }
    if (!problem.empty()) return problem;
  }
  return {};
}

double formula_definition::log_likelihood(std::span<const double> theta, std::span<const double> x) const {
  double total = 0;
  sum_over(value_, theta, x, std::span<double>(&total, 1));
  return total;
}

void formula_definition::score(std::span<const double> theta, std::span<const double> x, std::span<double> out) const {
  sum_over(score_, theta, x, out);
}

void formula_definition::hessian(std::span<const double> theta, std::span<const double> x,
                                 std::span<double> out) const {
  const std::size_t k = kinds_.size();
  std::array<double, 10> upper{};
  sum_over(hessian_, theta, x, std::span<double>(upper.data(), k * (k + 1) / 2));
  std::size_t e = 0;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i; j < k; ++j, ++e) out[i * k + j] = out[j * k + i] = upper[e];
}

double formula_definition::log_density(std::span<const double> theta, double x) const {
  return log_likelihood(theta, std::span<const double>(&x, 1));
}

formula_integral formula_definition::normalization(std::span<const double> theta) const {
  const region r = locate(theta);
  return integrate(r, -1, r.low, r.high);
}

void formula_definition::check_density(std::span<const double> theta, double tolerance) const {
  const formula_integral total = normalization(theta);
  const std::string what = support_ == formula_support::counts ? "sums" : "integrates";
  if (!total.ok)
    throw formula_error(fmt::format("model {}: log_density cannot be checked to be a density at {}: {}", name_,
                                    theta_text(parameter_names_, theta), total.why));
  if (!(std::abs(total.value - 1) <= tolerance))
    throw formula_error(fmt::format("model {}: log_density {} to {:.10g} over the support at {}, not 1 (to {:g}): "
                                    "not a density",
                                    name_, what, total.value, theta_text(parameter_names_, theta), tolerance));
}

formula_information formula_definition::expected_information(std::span<const double> theta) const {
  const std::size_t k = kinds_.size();
  formula_information info;
  info.values.assign(k * k, NAN);
  const region r = locate(theta);
  std::size_t e = 0;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i; j < k; ++j, ++e) {
      const formula_integral entry = integrate(r, 3 + static_cast<int>(e), r.low, r.high);
      if (!entry.ok && info.ok) {
        info.ok = false;
        info.why = fmt::format("entry ({}, {}): {}", parameter_names_[i], parameter_names_[j], entry.why);
      }
      info.relative_error = std::max(info.relative_error, entry.l1 > 0 ? entry.error / entry.l1 : 0.0);
      info.values[i * k + j] = info.values[j * k + i] = -entry.value;
    }
  return info;
}

double formula_definition::cdf(std::span<const double> theta, double x, bool upper) const {
  const region r = locate(theta);
  if (!r.ok) throw formula_error(fmt::format("model {}: cdf at {}: {}", name_, theta_text(parameter_names_, theta), r.why));
  return cdf_in(r, x, upper);
}

double formula_definition::cdf_in(const region& r, double x, bool upper) const {
  if (support_ == formula_support::counts) {
    const double k = std::floor(x);
    return upper ? integrate(r, -1, k + 1, r.last).value : integrate(r, -1, 0, k).value;
  }
  if (x <= r.low) return upper ? 1 : 0;
  if (x >= r.high) return upper ? 0 : 1;
  return upper ? integrate(r, -1, x, r.high).value : integrate(r, -1, r.low, x).value;
}

double formula_definition::quantile(std::span<const double> theta, double p, bool upper) const {
  if (!(p > 0 && p < 1)) throw formula_error(fmt::format("model {}: quantile of probability {}", name_, p));
  const region r = locate(theta);
  if (!r.ok) throw formula_error(fmt::format("model {}: quantile at {}: {}", name_, theta_text(parameter_names_, theta), r.why));
  if (support_ == formula_support::counts) {
    point_cache& cache = *r.cache;
    double below = 0;  // P(X < k)
    double total = 0;
    for (double k = r.first; k <= r.last; ++k) total += std::exp(cache.at(k)[0]);
    for (double k = r.first; k <= r.last; ++k) {
      below += std::exp(cache.at(k)[0]) / total;
      if (upper ? 1 - below <= p : below >= p) return k;
    }
    return r.last;
  }
  // The lower CDF rises, the upper falls: bracket from the mode outward by
  // doubling steps of the scale, then TOMS 748.
  const auto excess = [&](double x) { return upper ? p - cdf_in(r, x, true) : cdf_in(r, x, false) - p; };
  double a = r.mode, b = r.mode;
  const double at_mode = excess(r.mode);
  if (at_mode == 0) return r.mode;
  double step = r.scale;
  if (at_mode < 0) {
    for (int i = 0; i < 2000 && excess(b) < 0; ++i, step *= 2) {
      a = b;
      b = std::isfinite(r.high) ? std::min(b + step, r.high) : b + step;
      if (b == r.high) break;
    }
  } else {
    for (int i = 0; i < 2000 && excess(a) > 0; ++i, step *= 2) {
      b = a;
      a = std::isfinite(r.low) ? std::max(a - step, r.low) : a - step;
      if (a == r.low) break;
    }
  }
  std::uintmax_t iterations = 200;
  const auto [lo, hi] = boost::math::tools::toms748_solve(excess, a, b, boost::math::tools::eps_tolerance<double>(45),
                                                          iterations);
  return lo / 2 + hi / 2;
}

void formula_definition::prepare_draw(std::span<const double> theta, std::vector<double>& state) const {
  prepare(draw_, theta, state);
}

double formula_definition::draw(std::vector<double>& state) const {
  run_point(draw_, state);
  return state[static_cast<std::size_t>(draw_.outputs[0])];
}

std::vector<double> formula_definition::nelder_mead(std::span<const double> start, std::span<const double> x) const {
  const unsigned k = static_cast<unsigned>(kinds_.size());
  std::vector<parameter_scale> scales;
  for (formula_kind kind : kinds_) scales.push_back(scale_of(kind));
  struct context {
    const formula_definition* self;
    std::span<const double> x;
    const std::vector<parameter_scale>* scales;
  } ctx{this, x, &scales};
  const auto objective = [](unsigned n, const double* phi, double*, void* data) -> double {
    const auto& c = *static_cast<const context*>(data);
    std::array<double, 4> theta{};
    for (unsigned j = 0; j < n; ++j) theta[j] = detail::from_free((*c.scales)[j], phi[j]);
    const double value = c.self->log_likelihood(std::span<const double>(theta.data(), n), c.x);
    return std::isfinite(value) ? value : -std::numeric_limits<double>::max();
  };
  std::vector<double> phi(k), failed(k, NAN);
  for (unsigned j = 0; j < k; ++j) phi[j] = detail::to_free(scales[j], start[j]);
  nlopt_opt opt = nlopt_create(NLOPT_LN_NELDERMEAD, k);
  if (!opt) return failed;
  nlopt_set_max_objective(opt, objective, &ctx);
  nlopt_set_xtol_rel(opt, 1e-8);
  nlopt_set_maxeval(opt, 2000 * static_cast<int>(k));
  std::vector<double> step(k, 0.5);
  nlopt_set_initial_step(opt, step.data());
  double best = 0;
  const nlopt_result status = nlopt_optimize(opt, phi.data(), &best);
  nlopt_destroy(opt);
  if (status < 0 || !std::isfinite(best)) return failed;
  std::vector<double> theta(k);
  for (unsigned j = 0; j < k; ++j) theta[j] = detail::from_free(scales[j], phi[j]);
  return theta;
}

// ---------------------------------------------------------------- compiling

std::shared_ptr<const formula_definition> compile_formula(const formula_spec& spec) {
  auto def = std::shared_ptr<formula_definition>(new formula_definition());
  def->spec_ = spec;
  def->name_ = spec.name;

  const std::size_t k = spec.parameters.size();
  if (k < 1 || k > 4)
    throw formula_error(fmt::format("parameters: a formula model has 1 to 4 parameters, not {}", k));
  GiNaC::symtab density_symbols, draw_symbols;
  std::vector<GiNaC::realsymbol> theta;
  for (const auto& [name, kind] : spec.parameters) {
    const std::string field = "parameters." + name;
    if (!identifier(name)) throw formula_error(field + ": not a name (letters, digits and _, not first a digit)");
    if (reserved(name))
      throw formula_error(field + ": " + name +
                          " is reserved (x, pi, u1, u2, ..., z1, z2, ..., and the names of functions)");
    if (density_symbols.contains(name)) throw formula_error(field + ": declared twice");
    formula_kind parsed;
    if (kind == "real") parsed = formula_kind::real;
    else if (kind == "positive") parsed = formula_kind::positive;
    else if (kind == "unit") parsed = formula_kind::unit;
    else throw formula_error(fmt::format("{}: unknown kind \"{}\" (real, positive or unit)", field, kind));
    theta.emplace_back(name);
    density_symbols[name] = theta.back();
    draw_symbols[name] = theta.back();
    def->parameter_names_.push_back(name);
    def->kinds_.push_back(parsed);
  }
  static const std::map<std::string, formula_support> supports{{"real", formula_support::real},
                                                            {"positive", formula_support::positive},
                                                            {"nonnegative", formula_support::nonnegative},
                                                            {"unit", formula_support::unit},
                                                            {"counts", formula_support::counts}};
  const auto support = supports.find(spec.support);
  if (support == supports.end())
    throw formula_error(fmt::format("support: unknown support \"{}\" (real, positive, nonnegative, unit or counts)",
                                    spec.support));
  def->support_ = support->second;

  const GiNaC::realsymbol x("x");
  density_symbols["x"] = x;
  density_symbols["pi"] = GiNaC::Pi;
  draw_symbols["pi"] = GiNaC::Pi;

  // log_density
  GiNaC::symtab unknown;
  const GiNaC::ex log_f = parse("log_density", spec.log_density, density_symbols, unknown);
  if (!unknown.empty()) {
    std::vector<std::string> names;
    for (const auto& [name, value] : unknown) names.push_back(name);
    throw formula_error(fmt::format("log_density: unknown symbol{} {} (allowed: {}, x, pi)",
                                    names.size() > 1 ? "s" : "", join(names), join(def->parameter_names_)));
  }

  std::vector<GiNaC::ex> inputs(theta.begin(), theta.end());
  inputs.push_back(x);
  std::vector<GiNaC::ex> gradient, upper;
  for (std::size_t i = 0; i < k; ++i) gradient.push_back(log_f.diff(theta[i]));
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i; j < k; ++j) upper.push_back(gradient[i].diff(theta[j]));
  for (const auto* list : {&gradient, &upper})
    for (const auto& e : *list) {
      std::ostringstream out;
      out << e;
      def->derivatives_.push_back(out.str());
    }
  const int varying_from = static_cast<int>(k);
  def->value_ = tape_builder("log_density", inputs, varying_from).finish({log_f});
  def->score_ = tape_builder("log_density's score", inputs, varying_from).finish(gradient);
  def->hessian_ = tape_builder("log_density's Hessian", inputs, varying_from).finish(upper);
  std::vector<GiNaC::ex> point{log_f, log_f.diff(x), log_f.diff(x, 2)};
  point.insert(point.end(), upper.begin(), upper.end());
  def->point_ = tape_builder("log_density", inputs, varying_from).finish(point);

  // draw
  if (!spec.draw.empty()) {
    GiNaC::symtab names;
    const GiNaC::ex d = parse("draw", spec.draw, draw_symbols, names);
    std::map<int, GiNaC::ex> us, zs;
    std::vector<std::string> bad;
    bool uses_x = false;
    for (const auto& [name, value] : names) {
      if (name == "x") uses_x = true;
      else if (const int u = draw_index(name, 'u'); u > 0) us[u] = value;
      else if (const int z = draw_index(name, 'z'); z > 0) zs[z] = value;
      else bad.push_back(name);
    }
    if (uses_x) throw formula_error("draw: uses x (draw is a function of the parameters, u1, u2, ... and z1, z2, ...)");
    if (!bad.empty())
      throw formula_error(fmt::format("draw: unknown symbol{} {} (allowed: {}, u1, u2, ..., z1, z2, ..., pi)",
                                      bad.size() > 1 ? "s" : "", join(bad), join(def->parameter_names_)));
    std::vector<GiNaC::ex> draw_inputs(theta.begin(), theta.end());
    const int u_count = us.empty() ? 0 : us.rbegin()->first, z_count = zs.empty() ? 0 : zs.rbegin()->first;
    for (int i = 1; i <= u_count; ++i) draw_inputs.push_back(us.contains(i) ? us[i] : GiNaC::symbol("unused_u"));
    for (int i = 1; i <= z_count; ++i) draw_inputs.push_back(zs.contains(i) ? zs[i] : GiNaC::symbol("unused_z"));
    def->uniforms_ = u_count;
    def->normals_ = z_count;
    def->draw_ = tape_builder("draw", draw_inputs, varying_from).finish({d});
    def->has_draw_ = true;
  }

  std::string names;
  for (const auto& n : def->parameter_names_) names += (names.empty() ? "" : ", ") + n;
  static const std::map<formula_support, std::string> where{{formula_support::real, "(-inf, inf)"},
                                                         {formula_support::positive, "(0, inf)"},
                                                         {formula_support::nonnegative, "[0, inf)"},
                                                         {formula_support::unit, "(0, 1)"},
                                                         {formula_support::counts, "{0, 1, 2, ...}"}};
  def->summary_ = fmt::format("{}({}) on {}, log-density {}", spec.name, names, where.at(def->support_),
                              spec.log_density);
  return def;
}

}  // namespace mlesim

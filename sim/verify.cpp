#include "sim/verify.hpp"

#include "sim/catalogue.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlesim {
namespace {

double upper_tail(double z) { return boost::math::cdf(boost::math::complement(boost::math::normal(), z)); }

// The figure a property judges at one row, and its standard error under H0.
void measure(const check_spec& check, const estimand_result& row, check_test& test) {
  const measures& m = row.m;
  if (check.property == "bias") {
    test.figure = m.bias.value;
    test.se = m.bias.mcse;
  } else if (check.property == "coverage") {
    const interval_measures& intervals = check.sandwich ? m.sandwich : m.fisher;
    test.figure = intervals.coverage.value;
    if (test.figure) {
      // Binomial SE at the null value nearest the figure.
      const double r = static_cast<double>(row.m.used);
      const double c = std::clamp(*test.figure, test.target - check.tolerance, test.target + check.tolerance);
      test.se = c > 0 && c < 1 ? std::sqrt(c * (1 - c) / r) : 1 / r;
    }
  } else if (check.property == "efficiency") {
    test.figure = m.var_over_crlb.value;
    test.se = m.var_over_crlb.mcse;
  } else if (check.property == "model_se") {
    const interval_measures& intervals = check.sandwich ? m.sandwich : m.fisher;
    test.figure = intervals.model_se_relerr.value;
    test.se = intervals.model_se_relerr.mcse;
  } else if (check.property == "normality") {
    test.statistic = m.normality.statistic;
    test.p_value = m.normality.p_value;
    if (!test.p_value) test.note = "too few replications for the χ² test";
    return;
  }
}

void judge_statistic(const check_spec& check, check_test& test) {
  if (!test.figure || !test.se || !(*test.se > 0)) {
    if (test.note.empty()) test.note = test.figure ? "no Monte Carlo SE" : "no estimate";
    return;
  }
  test.margin = check.tolerance + check.tolerance_mcse * *test.se;
  test.statistic = (*test.figure - test.target) / *test.se;
  test.p_value = equivalence_p_value(*test.figure, test.target, test.margin, *test.se);
}

bool in_range(const check_spec& check, std::uint64_t n) { return n >= check.n_min && n <= check.n_max; }

}  // namespace

double default_target(const check_spec& check, double level, bool regular) {
  if (check.property == "coverage") return level;
  if (check.property == "efficiency") return 1;
  if (check.property == "consistency") return regular ? -1 : -2;
  return 0;
}

double equivalence_p_value(double figure, double target, double margin, double se) {
  // At the boundary of H0 nearest the figure, the chance of a figure at
  // least this far out on either side.
  const double distance = (std::abs(figure - target) - margin) / se;
  return std::min(1.0, upper_tail(distance) + upper_tail(distance + 2 * margin / se));
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running = 0;
  for (std::size_t i = 0; i < m; ++i) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - i) * p_values[order[i]]));
    adjusted[order[i]] = running;
  }
  return adjusted;
}

bool applies(const check_spec& check, const experiment_spec& condition) {
  return std::all_of(check.where.begin(), check.where.end(), [&](const auto& clause) {
    const auto it = std::find_if(condition.condition.begin(), condition.condition.end(),
                                 [&](const factor_value& f) { return f.factor == clause.first; });
    return it != condition.condition.end() &&
           std::find(clause.second.begin(), clause.second.end(), it->value) != clause.second.end();
  });
}

verification verify(const experiment_result& result, const std::vector<check_spec>& checks, double false_failure_rate,
                    const invariance_function& invariance) {
  return verify(std::vector<experiment_result>{result}, checks, false_failure_rate, invariance);
}

verification verify(const std::vector<experiment_result>& conditions, const std::vector<check_spec>& checks,
                    double false_failure_rate, const invariance_function& invariance) {
  verification out;
  out.false_failure_rate = false_failure_rate;

  for (const auto& check : checks) {
    check_verdict verdict{check, {}, std::nullopt, true, true};
    for (std::size_t c = 0; c < conditions.size(); ++c) {
      const experiment_result& result = conditions[c];
      const experiment_spec& spec = result.spec;
      if (!applies(check, spec)) continue;
      const bool regular = result.fitted.regular;
      const std::size_t first_test = verdict.tests.size();
      const double target = check.target.value_or(default_target(check, spec.level, regular));
      if (check.property == "consistency") {
        std::vector<double> n, mse, mcse;
        for (const auto& row : result.rows)
          if (row.estimand == check.estimand && in_range(check, row.n) && row.m.mse.value && row.m.mse.mcse) {
            n.push_back(static_cast<double>(row.n));
            mse.push_back(*row.m.mse.value);
            mcse.push_back(*row.m.mse.mcse);
          }
        check_test test;
        test.target = target;
        if (const auto slope = log_mse_slope(n, mse, mcse)) {
          test.figure = slope->slope;
          test.se = slope->se;
        } else {
          test.note = "needs two sample sizes with a positive MSE";
        }
        judge_statistic(check, test);
        verdict.tests.push_back(test);
      } else {
        for (const auto& row : result.rows) {
          if (row.estimand != check.estimand || !in_range(check, row.n)) continue;
          check_test test;
          test.n = row.n;
          test.target = target;
          if (check.property == "invariance") {
            const auto inv = invariance ? invariance(check.estimand, row.n)
                                        : check_invariance(spec, check.estimand, row.n, invariance_replications);
            const double tolerance = check.tolerance > 0 ? check.tolerance : default_invariance_tolerance;
            test.figure = inv.max_relative_error;
            test.margin = tolerance;
            test.rejected = inv.checked == 0 || inv.direct_failures > 0 || inv.max_relative_error > tolerance;
            test.absent = inv.checked == 0;
            test.note = fmt::format("{} replications compared", inv.checked);
            if (inv.boundary) test.note += fmt::format(", {} on the boundary skipped", inv.boundary);
            if (inv.fit_failures) test.note += fmt::format(", {} failed fits skipped", inv.fit_failures);
            if (inv.direct_failures) test.note += fmt::format(", {} direct fits did not converge", inv.direct_failures);
          } else {
            measure(check, row, test);
            if (check.property != "normality") judge_statistic(check, test);
          }
          verdict.tests.push_back(test);
        }
      }
      for (std::size_t t = first_test; t < verdict.tests.size(); ++t) {
        verdict.tests[t].condition = c;
        verdict.tests[t].condition_label = condition_label(spec);
      }
    }
    out.verdicts.push_back(std::move(verdict));
  }

  // Holm over every statistical test of the experiment; a test without a
  // p-value (no figure) counts as rejected: the property was not shown. It
  // is also absent, and fails an expect = "fail" check too: a figure that
  // could not be computed shows neither that the property holds nor that it fails.
  std::vector<double> p_values;
  for (auto& verdict : out.verdicts)
    for (auto& test : verdict.tests)
      if (test.p_value) p_values.push_back(*test.p_value);
  out.statistical_tests = p_values.size();
  const auto adjusted = holm_adjust(p_values);
  std::size_t next = 0;
  for (auto& verdict : out.verdicts) {
    for (auto& test : verdict.tests) {
      if (test.p_value) {
        test.holm_p = adjusted[next++];
        test.rejected = *test.holm_p <= false_failure_rate;
      } else if (verdict.check.property != "invariance") {
        test.rejected = true;
        test.absent = true;
      }
    }
    const auto rejected = std::count_if(verdict.tests.begin(), verdict.tests.end(), [](const auto& t) { return t.rejected; });
    const bool any_absent = std::any_of(verdict.tests.begin(), verdict.tests.end(), [](const auto& t) { return t.absent; });
    verdict.property_holds = rejected == 0;
    verdict.passed = !any_absent && (verdict.check.expect_pass
                                         ? verdict.property_holds
                                         : static_cast<std::size_t>(rejected) == verdict.tests.size());
    out.all_passed = out.all_passed && verdict.passed;
  }
  return out;
}

}  // namespace mlesim

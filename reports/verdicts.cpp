#include "reports/verdicts.hpp"

#include "reports/format.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mlesim {
namespace {

std::string sizes(const check_test& test) { return test.n ? fmt::format("{}", test.n) : "all"; }

std::string figure_text(const check_verdict& verdict, const check_test& test) {
  if (verdict.check.property == "invariance") return format::brief(test.figure, 3);
  if (verdict.check.property == "normality") return "—";
  return format::with_mcse(test.figure, test.se);
}

std::string target_text(const check_verdict& verdict, const check_test& test) {
  if (verdict.check.property == "normality") return "N(0, 1)";
  if (verdict.check.property == "invariance") return fmt::format("≤ {:g}", test.margin);
  return test.margin > 0 ? fmt::format("{:g} ± {:.3g}", test.target, test.margin) : fmt::format("{:g}", test.target);
}

// Whether any test is of a grid's condition: then the tables name it.
bool of_grid(const verification& v) {
  for (const auto& verdict : v.verdicts)
    for (const auto& test : verdict.tests)
      if (!test.condition_label.empty()) return true;
  return false;
}

// Inside a quoted CSV field a quote is doubled.
std::string quoted(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out;
}

std::string condition_text(const check_test& test) {
  return fmt::format("{} ({})", test.condition + 1, test.condition_label);
}

std::size_t failed_checks(const verification& v) {
  return static_cast<std::size_t>(std::count_if(v.verdicts.begin(), v.verdicts.end(), [](const auto& c) { return !c.passed; }));
}

}  // namespace

std::string verdict_markdown(const verification& v) {
  const std::size_t failed = failed_checks(v);
  std::string out = failed == 0 ? fmt::format("## Verdict: all {} checks pass\n\n", v.verdicts.size())
                                : fmt::format("## Verdict: {} of {} checks FAIL\n\n", failed, v.verdicts.size());
  out += fmt::format(
      "The {} statistical tests share a family-wise false-failure rate of {} by Holm's step-down procedure: if every "
      "property holds, the chance that any check fails is at most {}. Invariance is numeric (relative error against "
      "a direct numeric fit), outside that budget. A test rejects when its Holm-adjusted p-value is ≤ {}.\n\n",
      v.statistical_tests, v.false_failure_rate, v.false_failure_rate, v.false_failure_rate);
  const bool grid = of_grid(v);
  out += fmt::format("| check | property | estimand |{} n | figure | target | statistic | p | Holm p | expected | verdict |\n"
                     "|---|---|---|{}---:|---|---|---|---|---|---|---|\n", grid ? " condition |" : "", grid ? "---|" : "");
  for (std::size_t c = 0; c < v.verdicts.size(); ++c) {
    const auto& verdict = v.verdicts[c];
    for (const auto& test : verdict.tests) {
      std::string statistic = format::brief(test.statistic, 3);
      if (!test.note.empty()) statistic += fmt::format(" ({})", test.note);
      out += fmt::format("| {} | {} | {} |{} {} | {} | {} | {} | {} | {} | {} | {} |\n", c + 1, verdict.check.property,
                         verdict.check.estimand, grid ? fmt::format(" {} |", condition_text(test)) : std::string(), sizes(test), figure_text(verdict, test), target_text(verdict, test),
                         statistic, format::brief(test.p_value, 2), format::brief(test.holm_p, 2),
                         verdict.check.expect_pass ? "holds" : "fails",
                         verdict.passed ? "pass" : (test.rejected == verdict.check.expect_pass ? "**FAIL**" : "fail"));
    }
  }
  return out + "\n";
}

std::string verdict_console(const verification& v) {
  std::string out;
  for (std::size_t c = 0; c < v.verdicts.size(); ++c) {
    const auto& verdict = v.verdicts[c];
    const auto& check = verdict.check;
    out += fmt::format("  {} check {} ({}): {} of {}{}\n", verdict.passed ? "pass" : "FAIL", c + 1, check.location,
                       check.property, check.estimand, check.expect_pass ? "" : " (expected to fail)");
    for (const auto& test : verdict.tests) {
      if (verdict.passed && test.rejected == !check.expect_pass) continue;  // show only what went wrong
      out += fmt::format("       {}n = {}: {} against {}{}{}\n",
                         test.condition_label.empty() ? std::string() : fmt::format("condition {}, ", condition_text(test)), sizes(test),
                         figure_text(verdict, test),
                         target_text(verdict, test),
                         test.holm_p ? fmt::format(", Holm p = {}", format::brief(test.holm_p, 2)) : "",
                         test.note.empty() ? "" : ", " + test.note);
    }
  }
  const std::size_t failed = failed_checks(v);
  out += failed == 0 ? fmt::format("  all {} checks pass (false-failure rate {}, {} tests, Holm)\n", v.verdicts.size(),
                                   v.false_failure_rate, v.statistical_tests)
                     : fmt::format("  {} of {} checks FAIL (false-failure rate {}, {} tests, Holm)\n", failed,
                                   v.verdicts.size(), v.false_failure_rate, v.statistical_tests);
  return out;
}

std::string verdict_csv(const std::string& experiment, const verification& v) {
  using format::exact;
  std::string out =
      "experiment,check,location,property,estimand,n,figure,se,target,margin,statistic,p_value,holm_p,rejected,"
      "expect,passed,condition,condition_label\n";
  for (std::size_t c = 0; c < v.verdicts.size(); ++c) {
    const auto& verdict = v.verdicts[c];
    for (const auto& test : verdict.tests)
      out += fmt::format("{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"\n", experiment, c + 1,
                         verdict.check.location, verdict.check.property, verdict.check.estimand,
                         test.n ? fmt::format("{}", test.n) : "", exact(test.figure), exact(test.se),
                         exact(test.target), exact(test.margin), exact(test.statistic), exact(test.p_value),
                         exact(test.holm_p), test.rejected, verdict.check.expect_pass ? "pass" : "fail",
                         verdict.passed, test.condition + 1, quoted(test.condition_label));
  }
  return out;
}

}  // namespace mlesim

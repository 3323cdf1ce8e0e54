#include "reports/markdown.hpp"

#include "reports/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace mlesim {
namespace {

std::vector<const estimand_result*> rows_of(const experiment_result& result, const std::string& estimand) {
  std::vector<const estimand_result*> rows;
  for (const auto& row : result.rows)
    if (row.estimand == estimand) rows.push_back(&row);
  return rows;
}

std::string joined(const std::vector<std::uint64_t>& values) {
  std::string out;
  for (auto v : values) out += fmt::format("{}{}", out.empty() ? "" : ", ", v);
  return out;
}

std::string slope_line(const std::vector<const estimand_result*>& rows, bool regular) {
  std::vector<double> n, mse, mcse;
  for (const auto* row : rows) {
    if (!row->m.mse.value || !row->m.mse.mcse) continue;
    n.push_back(static_cast<double>(row->n));
    mse.push_back(*row->m.mse.value);
    mcse.push_back(*row->m.mse.mcse);
  }
  const auto fit = log_mse_slope(n, mse, mcse);
  if (!fit) return "MSE decay: needs two or more sample sizes with a positive MSE.\n";
  return fmt::format(
      "MSE decay: the least-squares slope of log MSE on log n is **{}** (± is Monte Carlo error "
      "alone; theory: {} as n grows).\n",
      format::with_mcse(fit->slope, fit->se), regular ? "−1 for a regular model" : "−2 for the uniform maximum");
}

// A misspecified fit's D(G || F_theta*) to the digits its error bound, below
// it, leaves known: at least one, at most six.
std::string known_digits(double value, double error) {
  const int digits = static_cast<int>(std::clamp(std::floor(std::log10(value / error)), 1.0, 6.0));  // 6 at error 0
  return fmt::format("{:.{}g}", value, digits);
}

// The setup rows that describe the model and the truth.
std::string model_setup(const experiment_result& result) {
  const experiment_spec& spec = result.spec;
  const auto values = [](const auto& names, const std::vector<double>& theta) {
    std::string text;
    // at(): results.json's descriptions are checked against its settings on
    // reading; a caller's hand-made result that lacks them is an internal error.
    for (std::size_t j = 0; j < theta.size(); ++j) text += fmt::format("{}{} = {}", j ? ", " : "", names.at(j), theta[j]);
    return text;
  };
  const auto constants = [&](const model_description& f, const std::vector<double>& known) {
    return known.empty() ? std::string() : fmt::format("; known {}", values(f.known, known));
  };
  std::string out;
  if (spec.regression) {
    const regression_spec& r = *spec.regression;
    const model_description& model = result.fitted;
    out += fmt::format("| model | `{}`: {} |\n", model.name, model.summary);
    out += fmt::format("| true values | {} |\n", values(model.parameters, spec.theta));
    if (r.design.empty()) {
      std::string covariates;
      for (std::size_t i = 0; i < r.covariates.size(); ++i) {
        const covariate_spec& c = r.covariates[i];
        const model_description& f = result.covariates.at(i);
        covariates += fmt::format("{}{} ~ {}({}{})", covariates.empty() ? "" : ", ", c.name, c.family,
                                  values(f.parameters, c.theta), constants(f, c.known));
      }
      out += fmt::format("| design | {}{}, drawn anew in each replication |\n", r.intercept ? "intercept, " : "",
                         covariates.empty() ? "no covariates" : covariates);
    } else {
      out += fmt::format("| design | {}fixed: the first n of the {} rows of `{}` |\n", r.intercept ? "intercept, " : "",
                         r.design_rows, r.design_file);
    }
    const auto& parameters = model.parameters;
    for (const auto& c : r.combinations) {
      std::string terms;
      for (std::size_t j = 0; j < c.weights.size(); ++j)
        if (c.weights[j] != 0) terms += fmt::format("{}{} {}", terms.empty() ? "" : " + ", c.weights[j], parameters.at(j));
      out += fmt::format("| {} | {} (a linear combination) |\n", c.name, terms);
    }
    out += fmt::format("| estimator | maximum likelihood, {} |\n", model.method);
    return out;
  }
  const model_description* generating = &result.generating;
  const model_description* family = &result.fitted;
  if (misspecified(spec)) {
    out += fmt::format("| data from | `{}`: {}, {}{} |\n", generating->name, generating->summary,
                       values(generating->parameters, spec.theta), constants(*generating, spec.known));
    out += fmt::format("| fitted model | `{}`: {} (misspecified){} |\n", family->name, family->summary,
                       constants(*family, spec.fit_known));
    out += fmt::format("| pseudo-true values | {} (the Kullback–Leibler closest {}) |\n",
                       values(family->parameters, result.pseudo_true), family->name);
    if (result.kl_divergence)
      out += fmt::format("| Kullback–Leibler divergence | D(G ‖ F_θ*) = E_G[log g(X) − log f(X; θ*)] = {} nats per "
                         "observation (error bound {:.2g}), with G the generating law: the expected "
                         "log-likelihood ratio of one observation, G against the fitted {} at θ*. F_θ* is the {} "
                         "that minimizes it, which is why the MLE converges to θ*; the log-likelihood ratio of n "
                         "observations, the statistic of a test of G against F_θ*, averages n·D. |\n",
                         known_digits(result.kl_divergence->value, result.kl_divergence->error),
                         result.kl_divergence->error, family->name, family->name);
  } else {
    out += fmt::format("| model | `{}`: {} |\n", family->name, family->summary);
    out += fmt::format("| true values | {}{} |\n", values(family->parameters, spec.theta), constants(*family, spec.known));
  }
  out += fmt::format("| estimator | maximum likelihood, {} |\n", family->method);
  return out;
}

// An estimand's figures, one paragraph of images (side by side where the
// page is wide enough), then why any figure or line is missing.
std::string figure_section(const report_figures& figures, std::size_t estimand) {
  if (!figures.plan || !figures.not_drawn.empty() || estimand >= figures.plan->size()) return {};
  const estimand_figures& f = (*figures.plan)[estimand];
  std::string out;
  for (const auto& fig : f.figures) out += fmt::format("![{}]({})\n", fig.alt, fig.file);
  if (!out.empty()) out += '\n';
  for (const auto& note : f.notes) out += fmt::format("> **Figures.** {}.\n\n", note);
  return out;
}

std::string targets_text(const experiment_spec& spec) {
  std::string text;
  for (const auto& [measure, mcse] : spec.targets)
    text += fmt::format("{}{}_mcse ≤ {}", text.empty() ? "" : ", ", measure, mcse);
  return text;
}

// One condition's report below its title: `h` is its headings' level ("##",
// or "###" inside a grid's report).
std::string condition_detail(const experiment_result& result, std::string_view build, const std::string& h,
                             const report_figures& figures) {
  const experiment_spec& spec = result.spec;
  const bool regular = result.fitted.regular;
  const bool wrong_model = misspecified(spec);
  std::string out;
  const std::string estimands = fmt::format("{}", fmt::join(spec.estimands, ", "));

  out += h + " Setup\n\n| | |\n|---|---|\n";
  out += model_setup(result);
  out += fmt::format("| estimands | {} |\n", estimands);
  out += fmt::format("| sample sizes | {} |\n", joined(spec.sample_sizes));
  if (spec.targets.empty())
    out += fmt::format("| replications | {} per sample size |\n", spec.replications);
  else
    out += fmt::format("| replications | until every row meets its targets, {}, or has run {} |\n",
                       targets_text(spec), spec.replications);
  out += fmt::format("| seed | {} |\n", spec.seed);
  if (regular)
    out += fmt::format("| intervals | Wald, estimate ± z·SE, SE from the {} information at the estimate, level {} |\n",
                       spec.observed_information ? "observed" : "expected (Fisher)", spec.level);
  else
    out += "| intervals | none: no Fisher information |\n";
  out += fmt::format("| build | {} |\n\n", build);
  if (!regular) out += fmt::format("> **Non-regular model.** {}.\n\n", result.fitted.irregularity);
  if (wrong_model)
    out += "> **Misspecified model.** The MLE converges to the pseudo-true value, the truth every figure below "
           "is measured against, with the sandwich variance A⁻¹BA⁻¹/n (A = −∂E[score]/∂θ, B = E[score score′] under "
           "the generating distribution) rather than the inverse Fisher information: the Fisher-based intervals "
           "miss their nominal coverage and the sandwich (Huber–White) ones hold it. Here z is standardized by the "
           "sandwich variance.\n\n";
  for (const auto& note : result.notes) out += fmt::format("> **Absent figure.** {}.\n\n", note);
  if (!figures.not_drawn.empty()) out += fmt::format("> **Figures not drawn.** {}.\n\n", figures.not_drawn);

  out += "Every figure is `estimate ± Monte Carlo standard error` (Morris, White & Crowther 2019). ";
  if (!regular)
    out += "z = (estimate − its mean) / its empirical SE.\n\n";
  else
    out += fmt::format("z = (estimate − {}) / sqrt({}). Miss below / above: share of intervals lying wholly above / "
                       "below the {}.\n\n", wrong_model ? "pseudo-true value" : "true value",
                       wrong_model ? "sandwich variance" : "CRLB", wrong_model ? "pseudo-true value" : "true value");

  for (std::size_t e = 0; e < spec.estimands.size(); ++e) {
    const std::string& estimand = spec.estimands[e];
    const auto rows = rows_of(result, estimand);
    out += fmt::format("{} {} ({} value {})\n\n", h, estimand, wrong_model ? "pseudo-true" : "true", rows.front()->true_value);
    out += "| n | used | bias | emp. SE | MSE | model SE | model SE rel. error | coverage | miss below | "
           "miss above | CRLB | var / CRLB | skewness of z | excess kurtosis of z | χ² of z vs N(0,1) (df, p) |\n";
    out += "|---:|---:|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto* row : rows) {
      const measures& m = row->m;
      std::string normality = "—";
      if (m.normality.statistic)
        normality = fmt::format("{:.1f} ({}, {})", *m.normality.statistic, m.normality.classes - 1,
                                format::brief(m.normality.p_value, 2));
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", row->n,
                         m.used, format::with_mcse(m.bias), format::with_mcse(m.emp_se), format::with_mcse(m.mse),
                         format::with_mcse(m.fisher.model_se), format::with_mcse(m.fisher.model_se_relerr),
                         format::with_mcse(m.fisher.coverage), format::with_mcse(m.fisher.miss_below),
                         format::with_mcse(m.fisher.miss_above), format::brief(m.crlb), format::with_mcse(m.var_over_crlb),
                         format::with_mcse(m.skewness), format::with_mcse(m.excess_kurtosis), normality);
    }
    if (wrong_model) {
      out += "\nSandwich (Huber–White) intervals:\n\n| n | sandwich variance | model SE | model SE rel. error | coverage | "
             "miss below | miss above |\n|---:|---|---|---|---|---|---|\n";
      for (const auto* row : rows) {
        const measures& m = row->m;
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", row->n, format::brief(m.sandwich_var),
                           format::with_mcse(m.sandwich.model_se), format::with_mcse(m.sandwich.model_se_relerr),
                           format::with_mcse(m.sandwich.coverage), format::with_mcse(m.sandwich.miss_below),
                           format::with_mcse(m.sandwich.miss_above));
      }
    }
    if (!result.alternative_estimator.empty()) {
      out += fmt::format("\nThe MLE against a second estimator, the {}, on the same draws (relative efficiency = "
                         "its MSE / the MLE's MSE: above 1 where the MLE is better):\n\n| n | used | failures | bias | "
                         "emp. SE | MSE | relative efficiency |\n|---:|---:|---:|---|---|---|---|\n",
                         result.alternative_estimator);
      for (const auto* row : rows) {
        if (!row->m.alternative) continue;
        const comparison& c = *row->m.alternative;
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", row->n, c.used, c.failures,
                           format::with_mcse(c.bias), format::with_mcse(c.emp_se), format::with_mcse(c.mse),
                           format::with_mcse(c.relative_efficiency));
      }
    }
    if (!spec.targets.empty()) {
      out += fmt::format("\nReplications run for the targets ({}):\n\n| n | replications | targets met |\n|---:|---:|---|\n",
                         targets_text(spec));
      for (const auto* row : rows)
        out += fmt::format("| {} | {} | {} |\n", row->n, row->m.reps,
                           row->target_met && *row->target_met ? "yes" : "**no**: the maximum was reached");
    }
    out += fmt::format("\n{}\n", slope_line(rows, regular));
    out += figure_section(figures, e);
  }

  out += h + " Failures\n\n";
  std::string failures;
  for (const auto& row : result.rows)
    if (row.m.failures > 0)
      failures += fmt::format("| {} | {} | {} of {} |\n", row.n, row.estimand, row.m.failures, row.m.reps);
  if (failures.empty()) {
    out += "None: every replication gave a finite estimate.\n";
  } else {
    out += "Replications without a finite estimate (a fit that did not converge, a boundary estimate "
           "whose reparametrization is infinite) are counted here and left out of every measure of "
           "that row.\n\n| n | estimand | failures |\n|---:|---|---|\n";
    out += failures;
  }
  return out;
}

// One summary table across conditions: a row per condition, a column per n.
std::string across(const std::vector<experiment_result>& conditions, const std::string& estimand,
                   const std::function<estimate_with_mcse(const measures&)>& figure) {
  const experiment_spec& first = conditions.front().spec;
  std::string out = "| condition |";
  for (const auto& f : first.condition) out += fmt::format(" {} |", f.factor);
  for (auto n : first.sample_sizes) out += fmt::format(" n = {} |", n);
  out += "\n|---:|";
  for (std::size_t i = 0; i < first.condition.size(); ++i) out += "---:|";
  for (std::size_t i = 0; i < first.sample_sizes.size(); ++i) out += "---|";
  out += "\n";
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    out += fmt::format("| {} |", c + 1);
    for (const auto& f : conditions[c].spec.condition) out += fmt::format(" {} |", f.value);
    for (const auto* row : rows_of(conditions[c], estimand)) out += fmt::format(" {} |", format::with_mcse(figure(row->m)));
    out += "\n";
  }
  return out + "\n";
}

}  // namespace

std::string markdown_report(const experiment_result& result, std::string_view build, std::string_view verdicts,
                            const report_figures& figures) {
  std::string out =
      fmt::format("# {}\n\nA Monte Carlo study of the maximum likelihood estimator by mlesim.\n\n", result.spec.name);
  out += verdicts;
  return out + condition_detail(result, build, "##", figures);
}

std::string markdown_report(const std::vector<experiment_result>& conditions, std::string_view build,
                            std::string_view verdicts, const std::vector<report_figures>& figures,
                            const report_figures& summary) {
  const experiment_spec& first = conditions.front().spec;
  const auto figures_of = [&](std::size_t c) { return c < figures.size() ? figures[c] : report_figures{}; };
  if (conditions.size() == 1 && first.condition.empty())
    return markdown_report(conditions.front(), build, verdicts, figures_of(0));
  std::string out = fmt::format(
      "# {}\n\nA Monte Carlo study of the maximum likelihood estimator by mlesim, across {} conditions: a grid over {}. "
      "Each condition draws its own streams, keyed by its values, so its figures are the same run alone or in any "
      "grid.\n\n",
      first.name, conditions.size(), [&] {
        std::vector<std::string> names;
        for (const auto& f : first.condition) names.push_back(f.factor);
        return fmt::format("{}", fmt::join(names, ", "));
      }());
  out += verdicts;
  const bool regular = conditions.front().fitted.regular;
  out += "## Summary across conditions\n\nEvery figure is `estimate ± Monte Carlo standard error`; the detail of each "
         "condition follows.\n\n";
  const bool drawn = summary.plan && summary.not_drawn.empty() &&
                     std::any_of(summary.plan->begin(), summary.plan->end(),
                                 [](const estimand_figures& f) { return !f.figures.empty(); });
  if (drawn)
    out += "Below each estimand's tables, its figures across the conditions: against n, a line per condition, named "
           "in the key by its factors' values; for a grid of one factor, also against its value, a line per n. Each "
           "point has its ±2 MCSE bar, and the lines are nudged apart along the x axis (by at most 15% of the "
           "smallest gap between its values) so that their bars can be told apart: a point's x is the tic nearest "
           "it.\n\n";
  if (!summary.not_drawn.empty()) out += fmt::format("> **Figures not drawn.** {}.\n\n", summary.not_drawn);
  for (const auto& note : summary.notes) out += fmt::format("> **Figures.** {}.\n\n", note);
  for (std::size_t e = 0; e < first.estimands.size(); ++e) {
    const std::string& estimand = first.estimands[e];
    out += fmt::format("### {}\n\n", estimand);
    if (regular) {
      out += fmt::format("Coverage of the level-{} Wald interval:\n\n", first.level);
      out += across(conditions, estimand, [](const measures& m) { return m.fisher.coverage; });
    }
    out += "Bias:\n\n";
    out += across(conditions, estimand, [](const measures& m) { return m.bias; });
    if (regular) {
      out += "Variance / CRLB (1 for an efficient estimator):\n\n";
      out += across(conditions, estimand, [](const measures& m) { return m.var_over_crlb; });
    } else {
      out += "No coverage or var/CRLB: the fitted family is non-regular (no Fisher information).\n\n";
    }
    if (!first.targets.empty()) {
      out += "Replications run (targets: " + targets_text(first) + "; * where the maximum was reached first):\n\n";
      out += "| condition |";
      for (auto n : first.sample_sizes) out += fmt::format(" n = {} |", n);
      out += "\n|---:|";
      for (std::size_t i = 0; i < first.sample_sizes.size(); ++i) out += "---:|";
      out += "\n";
      for (std::size_t c = 0; c < conditions.size(); ++c) {
        out += fmt::format("| {} |", c + 1);
        for (const auto* row : rows_of(conditions[c], estimand))
          out += fmt::format(" {}{} |", row->m.reps, row->target_met && *row->target_met ? "" : "*");
        out += "\n";
      }
      out += "\n";
    }
    out += figure_section(summary, e);
  }
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    out += fmt::format("## Condition {}: {}\n\n", c + 1, condition_label(conditions[c].spec));
    out += condition_detail(conditions[c], build, "###", figures_of(c));
  }
  return out;
}

std::string console_summary(const std::vector<experiment_result>& conditions) {
  if (conditions.size() == 1 && conditions.front().spec.condition.empty()) return console_summary(conditions.front());
  std::string out;
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    std::string one = console_summary(conditions[c]);
    const auto end = one.find('\n');
    one.insert(end, fmt::format(", condition {} of {}: {}", c + 1, conditions.size(), condition_label(conditions[c].spec)));
    out += one;
  }
  return out;
}

std::string console_summary(const experiment_result& result) {
  std::string model = misspecified(result.spec)
                          ? fmt::format("{} fitted to {} data", fitted_family(result.spec), result.spec.family)
                          : result.spec.family;
  if (result.kl_divergence)
    model += fmt::format(", Kullback–Leibler divergence {} nats per observation",
                         known_digits(result.kl_divergence->value, result.kl_divergence->error));
  std::string out = result.spec.targets.empty()
                        ? fmt::format("{} ({}, {} replications)\n", result.spec.name, model, result.spec.replications)
                        : fmt::format("{} ({}, up to {} replications for {})\n", result.spec.name, model,
                                      result.spec.replications, targets_text(result.spec));
  std::size_t width = 10;
  for (const auto& estimand : result.spec.estimands) width = std::max(width, estimand.size());
  out += fmt::format("  {:>7}  {:<{}} {:>24} {:>22} {:>20} {:>18} {:>8}{}\n", "n", "estimand", width, "bias", "emp. SE",
                     "coverage", "var/CRLB", "failures", result.spec.targets.empty() ? "" : fmt::format(" {:>12}", "reps"));
  for (const auto& row : result.rows) {
    const measures& m = row.m;
    out += fmt::format("  {:>7}  {:<{}} {:>24} {:>22} {:>20} {:>18} {:>8}{}\n", row.n, row.estimand, width,
                       format::with_mcse(m.bias), format::with_mcse(m.emp_se), format::with_mcse(m.fisher.coverage),
                       format::with_mcse(m.var_over_crlb), m.failures,
                       row.target_met ? fmt::format(" {:>11}{}", m.reps, *row.target_met ? " " : "*") : "");
  }
  return out;
}

}  // namespace mlesim

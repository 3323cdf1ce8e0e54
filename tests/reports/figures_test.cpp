// The figures, the HTML page and the results file: each figure is an SVG
// that holds the series it should, with as many points as the results have
// rows; the uniform draws no CRLB line and says why; the QQ plot's points are
// the empirical distribution of z at the histogram's edges; same results,
// same bytes; the results file reads back to the same reports.
#include "loader/config.hpp"
#include "reports/csv.hpp"
#include "reports/figures.hpp"
#include "reports/html.hpp"
#include "reports/markdown.hpp"
#include "reports/report_set.hpp"
#include "reports/results_json.hpp"

#include <boost/math/distributions/normal.hpp>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <unistd.h>

using namespace mlesim;

namespace {

experiment_result run(std::string family, std::vector<double> theta, std::vector<std::string> estimands,
                      std::vector<std::uint64_t> sizes = {10, 100, 1000}) {
  return simulate({.name = "figures-test", .family = std::move(family), .theta = std::move(theta),
                   .estimands = std::move(estimands), .seed = 7, .replications = 2000,
                   .sample_sizes = std::move(sizes), .level = 0.95});
}

// The SVG of every figure, by file name.
std::map<std::string, std::string> drawn(const figure_plan& plan) {
  const auto svgs = draw_figures(plan);
  REQUIRE_MESSAGE(svgs.has_value(), "gnuplot is not installed (setup.sh installs gnuplot-nox)");
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  for (const auto& estimand : plan)
    for (const auto& f : estimand.figures) out[f.file] = (*svgs)[i++];
  return out;
}

struct document {
  explicit document(const std::string& svg)
      : doc(xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "figure.svg", nullptr, XML_PARSE_NONET),
            &xmlFreeDoc) {}
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc;

  // The number of nodes an XPath expression selects.
  int count(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context(xmlXPathNewContext(doc.get()),
                                                                             &xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context.get()), &xmlXPathFreeObject);
    REQUIRE(result);
    return result->nodesetval ? result->nodesetval->nodeNr : 0;
  }

  // gnuplot's SVG puts each plotted series in a <g id="gnuplot_plot_K"> led
  // by its key's text; these are the series whose key begins with `title`.
  // With `exact`, the key is the title itself.
  std::string series(const std::string& title, bool exact = false) const {
    return "//*[local-name()='g'][starts-with(@id, 'gnuplot_plot_')][.//*[local-name()='text'][" +
           (exact ? ". = '" + title + "'" : "starts-with(., '" + title + "')") + "]]";
  }
  int series_count(const std::string& title) const { return count(series(title)); }

  // The points a series plots: its point symbols (<use>; error bars draw a
  // white one under each), less the one in its key.
  int points(const std::string& title, bool exact = false) const {
    return count(series(title, exact) + "//*[local-name()='use'][not(@color='#FFFFFF')]") - 1;
  }
};

int rows_with(const experiment_result& result, const std::string& estimand, auto has) {
  return static_cast<int>(std::count_if(result.rows.begin(), result.rows.end(),
                                        [&](const auto& row) { return row.estimand == estimand && has(row.m); }));
}

}  // namespace

TEST_CASE("figures: every figure of a regular family is an SVG holding one point per row of its series") {
  const auto result = run("exponential", {2}, {"rate", "mean"});
  const figure_plan plan = plan_figures(result);
  REQUIRE(plan.size() == 2);
  const auto svgs = drawn(plan);
  for (const std::string estimand : {"rate", "mean"}) {
    const std::string stem = "figures-test." + estimand + ".";
    for (const std::string kind : {"mse", "bias", "coverage", "efficiency", "qq"}) {
      REQUIRE_MESSAGE(svgs.contains(stem + kind + ".svg"), (stem + kind));
      const document svg(svgs.at(stem + kind + ".svg"));
      REQUIRE_MESSAGE(svg.doc, (stem + kind + " does not parse as XML"));
      CHECK(svg.count("/*[local-name()='svg']") == 1);
    }
    const int sizes = rows_with(result, estimand, [](const measures& m) { return m.mse.value.has_value(); });
    CHECK(sizes == 3);
    const document mse(svgs.at(stem + "mse.svg"));
    CHECK(mse.points("MSE ± 2 MCSE, slope of log MSE on log n") == sizes);
    CHECK(mse.series_count("CRLB") == 1);
    const document bias(svgs.at(stem + "bias.svg"));
    CHECK(bias.points("bias") == 3);
    CHECK(bias.series_count("±2 MCSE band") == 1);
    CHECK(bias.series_count("zero") == 1);
    const document coverage(svgs.at(stem + "coverage.svg"));
    CHECK(coverage.points("Fisher (Wald) interval coverage") ==
          rows_with(result, estimand, [](const measures& m) { return m.fisher.coverage.value.has_value(); }));
    CHECK(coverage.series_count("±2 MCSE band") == 1);
    CHECK(coverage.series_count("nominal level 0.95") == 1);
    CHECK(coverage.points("Fisher: truth below the interval") == 3);
    CHECK(coverage.points("Fisher: truth above the interval") == 3);
    CHECK(coverage.series_count("sandwich") == 0);  // well specified: no sandwich intervals
    const document efficiency(svgs.at(stem + "efficiency.svg"));
    CHECK(efficiency.points("var / CRLB") ==
          rows_with(result, estimand, [](const measures& m) { return m.var_over_crlb.value.has_value(); }));
    CHECK(efficiency.series_count("efficient: 1") == 1);
    const document qq(svgs.at(stem + "qq.svg"));
    const auto& rows = result.rows;
    const auto first = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.estimand == estimand; });
    const auto last = std::find_if(rows.rbegin(), rows.rend(), [&](const auto& r) { return r.estimand == estimand; });
    CHECK(qq.points("n = 10", true) == static_cast<int>(qq_points(first->m.z_histogram).size()));
    CHECK(qq.points("n = 1000", true) == static_cast<int>(qq_points(last->m.z_histogram).size()));
    CHECK(qq.series_count("n = 100") == 1);  // "n = 1000" alone: the middle size is not drawn
    CHECK(qq_points(first->m.z_histogram).size() > 100);
    CHECK(qq.series_count("simultaneous 95% band (DKW, R = 2000)") == 1);
  }
  CHECK(plan[0].notes.empty());
}

TEST_CASE("figures: the uniform draws no CRLB line and says why; figures without a figure are not drawn") {
  const auto result = run("uniform", {3}, {"theta"});
  const figure_plan plan = plan_figures(result);
  REQUIRE(plan.size() == 1);
  std::vector<std::string> kinds;
  for (const auto& f : plan[0].figures) kinds.push_back(f.kind);
  CHECK(kinds == std::vector<std::string>{"mse", "bias", "qq"});
  const auto svgs = drawn(plan);
  const document mse(svgs.at("figures-test.theta.mse.svg"));
  CHECK(mse.points("MSE ± 2 MCSE") == 3);
  CHECK(mse.series_count("CRLB") == 0);
  CHECK(mse.count("//*[local-name()='text'][contains(., 'no CRLB line')]") == 1);
  const auto said = [&](std::string_view words) {
    return std::any_of(plan[0].notes.begin(), plan[0].notes.end(),
                       [&](const std::string& note) { return note.find(words) != std::string::npos; });
  };
  CHECK(said("The MSE figure has no CRLB line: the model is non-regular"));
  CHECK(said("No coverage figure: a non-regular model has no Wald interval"));
  CHECK(said("No var/CRLB figure: a non-regular model has no Cramér–Rao bound"));
  // The report carries the notes under the figures it links.
  const std::string markdown = markdown_report(result, "build", "", {.plan = &plan});
  CHECK(markdown.find("> **Figures.** The MSE figure has no CRLB line: the model is non-regular") != std::string::npos);
  CHECK(markdown.find("](figures-test.theta.mse.svg)") != std::string::npos);
  CHECK(markdown.find("coverage.svg") == std::string::npos);
}

TEST_CASE("figures: a misspecified fit shows the sandwich interval beside the Fisher one, and the sandwich variance") {
  experiment_spec spec{.name = "figures-test", .family = "gamma", .theta = {0.5, 1}, .fit_family = "exponential",
                       .estimands = {"rate"}, .seed = 3, .replications = 1000, .sample_sizes = {20, 200},
                       .level = 0.95};
  const auto result = simulate(spec);
  const auto svgs = drawn(plan_figures(result));
  const document coverage(svgs.at("figures-test.rate.coverage.svg"));
  CHECK(coverage.points("Fisher (Wald) interval coverage") == 2);
  CHECK(coverage.points("sandwich interval coverage") == 2);
  CHECK(coverage.series_count("±2 MCSE band") == 2);
  CHECK(coverage.points("sandwich: truth below the interval") == 2);
  const document mse(svgs.at("figures-test.rate.mse.svg"));
  CHECK(mse.series_count("sandwich variance") == 1);
  CHECK(mse.series_count("inverse Fisher information / n") == 1);
}

TEST_CASE("figures: the second estimator's relative efficiency is drawn where there is one") {
  const auto result = run("gamma", {2.5, 1.5}, {"shape"}, {20, 200});
  REQUIRE(!result.alternative_estimator.empty());
  const auto svgs = drawn(plan_figures(result));
  const document efficiency(svgs.at("figures-test.shape.efficiency.svg"));
  CHECK(efficiency.points("relative efficiency") ==
        rows_with(result, "shape", [](const measures& m) {
          return m.alternative && m.alternative->relative_efficiency.value.has_value();
        }));
  CHECK(efficiency.points("var / CRLB") == 2);
  CHECK(efficiency.series_count("±2 MCSE band") == 2);
  CHECK(efficiency.series_count("relative efficiency: MSE(method of moments)/MSE(MLE)") == 1);
}

TEST_CASE("figures: same results, same bytes") {
  const auto result = run("normal", {1, 2}, {"mu", "sigma2"});
  const auto a = drawn(plan_figures(result)), b = drawn(plan_figures(run("normal", {1, 2}, {"mu", "sigma2"})));
  CHECK(a.size() == 10);
  CHECK(a == b);
}

TEST_CASE("figures: the QQ plot's points are the empirical distribution of z at the bin edges") {
  // 400 z in bins by hand: 100 in bin 0, 100 in bin 499, 200 in bin 999.
  std::vector<std::uint64_t> histogram(1000, 0);
  histogram[0] = 100;
  histogram[499] = 100;
  histogram[999] = 200;
  const auto points = qq_points(histogram);
  REQUIRE(!points.empty());
  const boost::math::normal normal;
  for (const auto& [x, y] : points) {
    const double edge = boost::math::cdf(normal, y);  // k / 1000
    const int k = static_cast<int>(std::lround(edge * 1000));
    CHECK(std::abs(edge * 1000 - k) < 1e-6);
    const double below = k <= 499 ? 0.25 : 0.5;  // F at an edge past bin 0, before or after bin 499
    CHECK(boost::math::cdf(normal, x) == doctest::Approx(below).epsilon(1e-12));
  }
  // Edges thinned to quantiles at least 0.04 apart, symmetric about the median.
  for (std::size_t i = 1; i < points.size(); ++i) CHECK(points[i].second - points[i - 1].second >= 0.04 - 1e-12);
  CHECK(qq_points(std::vector<std::uint64_t>(1000, 0)).empty());
  // DKW with Massart's constant: 2 exp(-2 R e^2) = 0.05.
  CHECK(2 * std::exp(-2 * 10000 * dkw_band(10000) * dkw_band(10000)) == doctest::Approx(0.05));
}

TEST_CASE("figures: a file stem for every estimand, unique even where names are not plain") {
  const std::vector<std::string> names{"rate", "a b", "Rate", "x/y", "ok_1"};
  std::vector<std::string> stems;
  for (std::size_t i = 0; i < names.size(); ++i) stems.push_back(estimand_file_stem(names, i));
  CHECK(stems == std::vector<std::string>{"estimand-1", "estimand-2", "estimand-3", "estimand-4", "ok_1"});
}

TEST_CASE("results file: reads back to the same reports, byte for byte") {
  for (const auto& result : {run("exponential", {2}, {"rate", "mean"}), run("uniform", {3}, {"theta"}),
                             run("gamma", {2.5, 1.5}, {"shape", "mean"}, {20, 200})}) {
    const std::string json = results_json(result, "a build", "## Verdict: all 1 checks pass\n\n");
    const saved_results saved = read_results_json(json, "x.results.json");
    CHECK(saved.build == "a build");
    CHECK(saved.verdicts == "## Verdict: all 1 checks pass\n\n");
    REQUIRE(saved.conditions.size() == 1);
    const experiment_result& back = saved.conditions.front();
    CHECK(results_json(back, saved.build, saved.verdicts) == json);
    CHECK(csv_report(back) == csv_report(result));
    CHECK(markdown_report(back, saved.build, saved.verdicts) == markdown_report(result, "a build", saved.verdicts));
    CHECK(back.rows.front().m.z_histogram == result.rows.front().m.z_histogram);
  }
  CHECK_THROWS_AS(read_results_json("{}", "x.results.json"), results_error);
  CHECK_THROWS_AS(read_results_json("not json", "x.results.json"), results_error);
  // Rows that are not every sample size by every estimand are refused.
  auto result = run("exponential", {2}, {"rate"});
  result.rows.pop_back();
  CHECK_THROWS_WITH_AS(read_results_json(results_json(result, "b", ""), "x.results.json"),
                       doctest::Contains("x.results.json: its rows are not every sample size"), results_error);
}

TEST_CASE("html: the page stands alone, its figures inline, raw HTML in the Markdown dropped") {
  const std::string page =
      html_page("t<1>", "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![a figure](f.svg)\n![other](g.svg)\n\n<script>x()</script>\n",
                {{"f.svg", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a # b</text></svg>\n"}},
                "index.html");
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<title>t&lt;1&gt;</title>") != std::string::npos);
  CHECK(page.find("<table>") != std::string::npos);
  CHECK(page.find("src=\"f.svg\"") == std::string::npos);
  CHECK(page.find("src=\"data:image/svg+xml;charset=utf-8,%3C%3Fxml") != std::string::npos);
  CHECK(page.find("src=\"g.svg\"") != std::string::npos);  // not given: left as a link
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("<meta name=\"viewport\"") != std::string::npos);
  CHECK(page.find("<a href=\"index.html\">") != std::string::npos);
}

TEST_CASE("index: lists every experiment's report in the folder, with verify's verdict where its report holds one") {
  const auto folder = std::filesystem::temp_directory_path() / ("mlesim-index-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto write = [&](const std::string& name, const std::string& text) { std::ofstream(folder / name) << text; };
  write("old.csv", "experiment,family\n");
  write("old.md", "# old\n\n## Verdict: 1 of 2 checks FAIL\n");
  write("old.checks.csv",
        "experiment,check,location,property,estimand,n,figure,se,target,margin,statistic,p_value,holm_p,rejected,"
        "expect,passed\nold,1,\"a.toml:1:1\",bias,mu,10,0,1,0,0,0,1,1,false,pass,true\n"
        "old,2,\"a.toml:2:1\",bias,mu,10,0,1,0,0,0,0,0,true,pass,false\n");
  write("stale.csv", "experiment,family\n");
  write("stale.md", "# stale\n");  // a run's report: a checks file beside it is an earlier verify's
  write("stale.checks.csv", "experiment,check,passed\nstale,1,true\n");
  write("lonely.md", "# not a report: no CSV\n");
  const auto result = run("exponential", {2}, {"rate"});
  const auto files = experiment_report_files(result, "build", "");
  const auto index = index_files(folder, files.files);
  REQUIRE(index.size() == 2);
  const std::string& md = index[0].second;
  CHECK(index[0].first == "index.md");
  CHECK(md.find("3 experiments in this folder") != std::string::npos);
  CHECK(md.find("| [figures-test](figures-test.html) | `exponential` | 2000 | 10, 100, 1000 | not verified |") !=
        std::string::npos);
  CHECK(md.find("| [old](old.md) | — | — | — | **1 of 2 checks FAIL** ([checks](old.checks.csv)) |") !=
        std::string::npos);
  CHECK(md.find("| [stale](stale.md) | — | — | — | not verified |") != std::string::npos);
  CHECK(md.find("lonely") == std::string::npos);
  CHECK(md.find("![MSE of rate against n](figures-test.rate.mse.svg)") != std::string::npos);
  CHECK(index[1].first == "index.html");
  CHECK(index[1].second.find("<a href=\"old.checks.csv\">checks</a>") != std::string::npos);
  std::filesystem::remove_all(folder);
}

// ---- A grid's figures across its conditions ----

namespace {

std::vector<experiment_result> grid_run(const std::string& toml) {
  return simulate(parse_experiment(toml, "grid-test.toml").conditions);
}

// The rows of one condition and estimand where a figure has a value.
int points_of(const experiment_result& condition, const std::string& estimand, std::string_view kind) {
  return rows_with(condition, estimand, [&](const measures& m) {
    if (kind == "mse") return m.mse.value && *m.mse.value > 0;
    if (kind == "bias") return m.bias.value.has_value();
    if (kind == "coverage") return m.fisher.coverage.value.has_value();
    return m.var_over_crlb.value.has_value();
  });
}

// The series drawn without a key entry: a line's dashed partner.
int partners(const document& svg) {
  return svg.count("//*[local-name()='g'][starts-with(@id, 'gnuplot_plot_')][not(.//*[local-name()='text'])]");
}

// Results that only name their conditions: enough for grid_groups.
std::vector<experiment_result> named(const std::vector<std::vector<factor_value>>& conditions) {
  std::vector<experiment_result> out;
  for (const auto& values : conditions) {
    experiment_result r;
    r.spec.condition = values;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::vector<factor_value>> crossed(const std::vector<std::pair<std::string, std::vector<double>>>& factors) {
  std::vector<std::vector<factor_value>> out{{}};
  for (const auto& [name, values] : factors) {
    std::vector<std::vector<factor_value>> next;
    for (const auto& prefix : out)
      for (double v : values) {
        next.push_back(prefix);
        next.back().push_back({name, v});
      }
    out = std::move(next);
  }
  return out;
}

}  // namespace

TEST_CASE("grid figures: against n a line per condition, its key the condition's values; against the factor a line per n") {
  const auto results = grid_run(R"([experiment]
name = "grid-test"
seed = 9
replications = 400
sample_sizes = [10, 40, 160]
[generate]
family = "gamma"
params = { shape = [0.5, 2, 5], rate = 1 }
[fit]
estimands = ["shape", "mean"]
)");
  REQUIRE(results.size() == 3);
  const grid_figure_plan plan = plan_grid_figures(results);
  CHECK(plan.notes.empty());
  REQUIRE(plan.estimands.size() == 2);
  const auto svgs = drawn(plan.estimands);
  CHECK(svgs.size() == 16);
  for (const std::string estimand : {"shape", "mean"}) {
    for (const std::string kind : {"mse", "bias", "coverage", "efficiency"}) {
      const std::string file = "grid-test." + estimand + "." + kind + ".svg";
      REQUIRE_MESSAGE(svgs.contains(file), file);
      const document svg(svgs.at(file));
      REQUIRE_MESSAGE(svg.doc, (file + " does not parse as XML"));
      CHECK(svg.count("/*[local-name()='svg']") == 1);
      CHECK(svg.series_count("shape = ") == 3);  // a series per condition, and no other keyed so
      for (const auto& condition : results) {
        const std::string label = condition_label(condition.spec);
        INFO(file << ": " << label);
        CHECK(svg.count(svg.series(label, true)) == 1);
        CHECK(svg.points(label, true) == points_of(condition, estimand, kind));
        CHECK(points_of(condition, estimand, kind) >= 1);
      }
      // Against the shape, a line per n with a point per condition.
      const std::string by = "grid-test." + estimand + "." + kind + "-by-factor.svg";
      REQUIRE_MESSAGE(svgs.contains(by), by);
      const document factor(svgs.at(by));
      REQUIRE(factor.doc);
      CHECK(factor.series_count("n = ") == 3);
      for (std::size_t k = 0; k < 3; ++k) {
        const std::uint64_t n = results[0].spec.sample_sizes[k];
        int want = 0;
        for (const auto& condition : results) {
          experiment_result one = condition;
          std::erase_if(one.rows, [&](const auto& row) { return row.n != n; });
          want += points_of(one, estimand, kind);
        }
        INFO(by << ": n = " << n);
        CHECK(factor.points(fmt::format("n = {}", n), true) == want);
      }
    }
    const document mse(svgs.at("grid-test." + estimand + ".mse.svg"));
    CHECK(partners(mse) == 3);  // each condition's CRLB
    CHECK(mse.series_count("dashed, same colour: its CRLB") == 1);
    const document bias(svgs.at("grid-test." + estimand + ".bias.svg"));
    CHECK(bias.series_count("zero") == 1);
    CHECK(partners(bias) == 0);
    const document coverage(svgs.at("grid-test." + estimand + ".coverage.svg"));
    CHECK(coverage.series_count("nominal level 0.95") == 1);
    CHECK(partners(coverage) == 0);  // well specified: no sandwich intervals
    const document efficiency(svgs.at("grid-test." + estimand + ".efficiency.svg"));
    CHECK(efficiency.series_count("efficient: 1") == 1);
  }
  // The method of moments beside the MLE of the shape: its relative efficiency dashed in each condition's colour.
  const document efficiency(svgs.at("grid-test.shape.efficiency.svg"));
  CHECK(partners(efficiency) == 3);
  CHECK(efficiency.series_count("dashed, open points: relative efficiency MSE(method of moments)/MSE(MLE)") == 1);
  // The shapes 0.5 to 5 span a factor of 10: a log axis.
  for (const auto& f : plan.estimands[0].figures)
    CHECK(f.script.find("set logscale x") != std::string::npos);
  // Same results, same bytes.
  CHECK(drawn(plan_grid_figures(results).estimands) == svgs);
}

TEST_CASE("grid figures: a grid of more than 12 conditions is split by its slowest factor; a long key still fits") {
  const auto results = grid_run(R"([experiment]
name = "grid-split"
seed = 9
replications = 200
sample_sizes = [10, 40]
[generate]
family = "gamma"
params = { rate = [1, 2], shape = [0.5, 1, 1.5, 2, 3, 4, 5] }
[fit]
estimands = ["shape"]
)");
  REQUIRE(results.size() == 14);
  const grid_figure_plan plan = plan_grid_figures(results);
  REQUIRE(plan.notes.size() == 2);
  CHECK(plan.notes[0] == "The 14 conditions are more than one figure's 12 lines: each figure with a line per condition "
                         "holds those that share a value of rate (2 figures per measure, `grid-split.gK.…`)");
  CHECK(plan.notes[1].starts_with("No figure against a factor's value: the grid varies 2 factors"));
  const auto svgs = drawn(plan.estimands);
  CHECK(svgs.size() == 8);
  for (int g = 1; g <= 2; ++g)
    for (const std::string kind : {"mse", "bias", "coverage", "efficiency"}) {
      const std::string file = fmt::format("grid-split.g{}.shape.{}.svg", g, kind);
      REQUIRE_MESSAGE(svgs.contains(file), file);
      const document svg(svgs.at(file));
      REQUIRE(svg.doc);
      CHECK(svg.count(fmt::format("//*[local-name()='text'][contains(., 'rate = {}')]", g)) == 1);  // the title
      CHECK(svg.series_count("shape = ") == 7);
      for (std::size_t c = 7 * (g - 1); c < 7 * static_cast<std::size_t>(g); ++c) {
        const std::string label = fmt::format("shape = {}", results[c].spec.condition[1].value);
        INFO(file << ": " << label);
        CHECK(results[c].spec.condition[0].value == g);
        CHECK(svg.points(label, true) == points_of(results[c], "shape", kind));
      }
    }

  // Twelve conditions of two factors in one figure, keyed by both; with
  // factor names of 30 letters, gnuplot still fits the key (it would warn,
  // which draw_figures turns into an error).
  auto twelve = grid_run(R"([experiment]
name = "grid-twelve"
seed = 9
replications = 200
sample_sizes = [10, 40]
[generate]
family = "gamma"
params = { rate = [1, 2, 3], shape = [0.5, 1, 2, 5] }
[fit]
estimands = ["shape"]
)");
  REQUIRE(twelve.size() == 12);
  for (auto& condition : twelve)
    for (auto& [factor, value] : condition.spec.condition) factor += "_with_a_long_name_of_thirty";
  const grid_figure_plan long_key = plan_grid_figures(twelve);
  CHECK(long_key.notes.size() == 1);  // no figure against a factor
  const auto long_svgs = drawn(long_key.estimands);
  const document coverage(long_svgs.at("grid-twelve.shape.coverage.svg"));
  CHECK(coverage.series_count("rate_with_a_long_name_of_thirty = ") == 12);
  CHECK(coverage.points(condition_label(twelve[11].spec), true) == points_of(twelve[11], "shape", "coverage"));
}

TEST_CASE("grid figures: a one-factor grid too large for a line per condition is drawn against its factor") {
  const auto results = grid_run(R"([experiment]
name = "grid-wide"
seed = 9
replications = 100
sample_sizes = [10, 40]
[generate]
family = "exponential"
params = { rate = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7] }
)");
  REQUIRE(results.size() == 13);
  const grid_figure_plan plan = plan_grid_figures(results);
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0] == "No figure with a line per condition: 13 conditions do not split by their slowest factors' "
                         "values into at most 24 figures of at most 12 lines");
  const auto svgs = drawn(plan.estimands);
  CHECK(svgs.size() == 4);
  const document coverage(svgs.at("grid-wide.rate.coverage-by-factor.svg"));
  REQUIRE(coverage.doc);
  for (const std::uint64_t n : {10, 40}) {
    int want = 0;
    for (const auto& condition : results)
      for (const auto& row : condition.rows) want += row.n == n && row.m.fisher.coverage.value;
    CHECK(coverage.points(fmt::format("n = {}", n), true) == want);
  }
  // Rates from 1 to 7, less than a factor of 10 apart: a linear axis.
  for (const auto& f : plan.estimands[0].figures) CHECK(f.script.find("set logscale x") == std::string::npos);
}

TEST_CASE("grid figures: groups share the values of the fewest slowest factors that leave at most 12 conditions each") {
  const auto sizes = [](const std::vector<condition_group>& groups) {
    std::vector<std::size_t> out;
    for (const auto& g : groups) out.push_back(g.conditions.size());
    return out;
  };
  const auto values = [](int count) {
    std::vector<double> v;
    for (int i = 1; i <= count; ++i) v.push_back(i);
    return v;
  };
  const auto twelve = values(12), thirteen = values(13), twenty_five = values(25);
  const auto one = grid_groups(named(crossed({{"p", twelve}})));
  REQUIRE(one.size() == 1);
  CHECK(one[0].shared == 0);
  CHECK(one[0].label.empty());
  CHECK(sizes(one) == std::vector<std::size_t>{12});
  CHECK(grid_groups(named(crossed({{"p", thirteen}}))).empty());  // one factor: nothing to split by
  const auto two = grid_groups(named(crossed({{"a", {1, 2}}, {"b", {1, 2, 3, 4, 5, 6, 7}}})));
  CHECK(sizes(two) == std::vector<std::size_t>{7, 7});
  CHECK(two[1].label == "a = 2");
  CHECK(two[1].conditions == std::vector<std::size_t>{7, 8, 9, 10, 11, 12, 13});
  CHECK(grid_groups(named(crossed({{"a", {1, 2}}, {"b", thirteen}}))).empty());     // 13 lines a figure
  CHECK(grid_groups(named(crossed({{"a", twenty_five}, {"b", {1, 2}}}))).empty());  // 25 figures
  CHECK(sizes(grid_groups(named(crossed({{"a", {1, 2}}, {"b", {1, 2, 3}}, {"c", {1, 2, 3, 4}}})))) ==
        std::vector<std::size_t>{12, 12});
  const auto deep = grid_groups(named(crossed({{"a", {1, 2, 3, 4}}, {"b", {1, 2, 3, 4}}, {"c", {1, 2, 3, 4}}})));
  REQUIRE(deep.size() == 16);
  CHECK(deep[5].shared == 2);
  CHECK(deep[5].label == "a = 2, b = 2");
  CHECK(sizes(deep) == std::vector<std::size_t>(16, 4));
  // Conditions one by one, not a cross product: groups in the order their values first appear.
  const auto listed = grid_groups(named({{{"a", 2}, {"b", 1}}, {{"a", 1}, {"b", 1}}, {{"a", 2}, {"b", 2}},
                                         {{"a", 1}, {"b", 2}}, {{"a", 3}, {"b", 1}}, {{"a", 3}, {"b", 2}},
                                         {{"a", 4}, {"b", 1}}, {{"a", 4}, {"b", 2}}, {{"a", 5}, {"b", 1}},
                                         {{"a", 5}, {"b", 2}}, {{"a", 6}, {"b", 1}}, {{"a", 6}, {"b", 2}},
                                         {{"a", 7}, {"b", 1}}}));
  REQUIRE(listed.size() == 7);
  CHECK(listed[0].label == "a = 2");
  CHECK(listed[0].conditions == std::vector<std::size_t>{0, 2});
  CHECK(listed[6].conditions == std::vector<std::size_t>{12});
}

TEST_CASE("grid figures: a non-regular grid draws MSE and bias, and says why not coverage or var/CRLB") {
  const auto results = grid_run(R"([experiment]
name = "grid-uniform"
seed = 9
replications = 200
sample_sizes = [10, 40]
[generate]
family = "uniform"
params = { theta = [1, 3] }
)");
  const grid_figure_plan plan = plan_grid_figures(results);
  REQUIRE(plan.estimands.size() == 1);
  std::vector<std::string> kinds;
  for (const auto& f : plan.estimands[0].figures) kinds.push_back(f.kind);
  CHECK(kinds == std::vector<std::string>{"mse", "mse-by-factor", "bias", "bias-by-factor"});
  CHECK(plan.estimands[0].notes == std::vector<std::string>{
                                       "No Wald interval coverage figure across conditions: a non-regular model has no "
                                       "Wald interval",
                                       "No var/CRLB figure across conditions: a non-regular model has no Cramér–Rao "
                                       "bound"});
  const auto svgs = drawn(plan.estimands);
  const document mse(svgs.at("grid-uniform.theta.mse.svg"));
  CHECK(mse.points("theta = 3", true) == 2);
  CHECK(partners(mse) == 0);  // no CRLB
  CHECK(mse.series_count("dashed") == 0);
}

TEST_CASE("grid figures: the report embeds them in its summary, the page inline, and its results file redraws them") {
  const auto results = grid_run(R"([experiment]
name = "grid-report"
seed = 9
replications = 200
sample_sizes = [10, 40]
[generate]
family = "poisson"
params = { lambda = [1, 4] }
)");
  const experiment_reports reports = experiment_report_files(results, "a build", "");
  std::map<std::string, std::string> files(reports.files.begin(), reports.files.end());
  const std::string& md = files.at("grid-report.md");
  const auto summary = md.find("## Summary across conditions"), detail = md.find("## Condition 1");
  REQUIRE(summary != std::string::npos);
  REQUIRE(detail != std::string::npos);
  for (const std::string kind : {"mse", "bias", "coverage", "efficiency", "mse-by-factor", "coverage-by-factor"}) {
    const std::string file = "grid-report.lambda." + kind + ".svg";
    INFO(file);
    CHECK(files.contains(file));
    const auto link = md.find("](" + file + ")");
    CHECK(link > summary);
    CHECK(link < detail);
    CHECK(files.at("grid-report.html").find("src=\"" + file + "\"") == std::string::npos);  // inline, not linked
  }
  CHECK(files.contains("grid-report.c2.lambda.qq.svg"));  // each condition's figures stay
  CHECK(md.find("a line per condition, named in the key by its factors' values") != std::string::npos);
  // Every file the grid may write is among the names experiment_report_names lists.
  const auto names = experiment_report_names("grid-report", {"lambda"}, 2);
  for (const auto& [file, content] : files) CHECK_MESSAGE(std::find(names.begin(), names.end(), file) != names.end(), file);
  // The results file alone redraws every file, byte for byte.
  const saved_results saved = read_results_json(files.at("grid-report.results.json"), "grid-report.results.json");
  CHECK(experiment_report_files(saved.conditions, saved.build, saved.verdicts).files == reports.files);
}

// The figures, the HTML page and the results file: each figure is an SVG
// that holds the series it should, with as many points as the results have
// rows; the uniform draws no CRLB line and says why; the QQ plot's points are
// the empirical distribution of z at the histogram's edges; same results,
// same bytes; the results file reads back to the same reports.
#include "reports/csv.hpp"
#include "reports/figures.hpp"
#include "reports/html.hpp"
#include "reports/markdown.hpp"
#include "reports/report_set.hpp"
#include "reports/results_json.hpp"

#include <boost/math/distributions/normal.hpp>
#include <doctest/doctest.h>
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

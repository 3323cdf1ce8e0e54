#include "reports/csv.hpp"
#include "reports/format.hpp"
#include "reports/markdown.hpp"
#include "reports/results_json.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <sstream>

using namespace mlesim;

namespace {

experiment_result run(std::string family, std::vector<double> theta, std::vector<std::string> estimands) {
  return simulate({.name = "report-test", .family = std::move(family), .theta = std::move(theta),
                   .estimands = std::move(estimands), .seed = 1, .replications = 200,
                   .sample_sizes = {10, 20}, .level = 0.9});
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

}  // namespace

TEST_CASE("report: CSV has the README's required columns first, in order, and a row per n x estimand") {
  const std::string csv = csv_report(run("exponential", {2}, {"rate", "mean"}));
  std::stringstream in(csv);
  std::string header;
  std::getline(in, header);
  const auto columns = split(header);
  // No grid: the condition columns and no factor's.
  REQUIRE(columns.size() == csv_required_columns.size() + csv_extra_columns.size() + csv_condition_columns.size());
  for (std::size_t i = 0; i < csv_required_columns.size(); ++i) CHECK(columns[i] == csv_required_columns[i]);
  int rows = 0;
  for (std::string line; std::getline(in, line); ++rows) CHECK(split(line).size() == columns.size());
  CHECK(rows == 4);
}

TEST_CASE("report: values in the CSV read back exactly") {
  const auto result = run("normal", {0, 1}, {"mu"});
  std::stringstream in(csv_report(result));
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  const auto fields = split(line);
  CHECK(std::stod(fields[8]) == *result.rows[0].m.bias.value);
  CHECK(std::stod(fields[13]) == *result.rows[0].m.mse.mcse);
}

TEST_CASE("report: a non-regular family leaves Fisher-based fields empty and says why") {
  const auto result = run("uniform", {1}, {"theta"});
  std::stringstream in(csv_report(result));
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  const auto fields = split(line);
  for (int column : {14, 15, 16, 17, 18, 19}) CHECK(fields[static_cast<std::size_t>(column)].empty());
  CHECK_FALSE(fields[20].empty());  // skewness exists: z is self-standardized
  const std::string md = markdown_report(result, "test build");
  CHECK(md.find("Non-regular model") != std::string::npos);
  CHECK(md.find("nan") == std::string::npos);
  CHECK(md.find("theory: −2") != std::string::npos);
}

TEST_CASE("report: Markdown has the setup, a table per estimand and the MSE slope") {
  const std::string md = markdown_report(run("gamma", {2, 1}, {"shape", "mean"}), "test build");
  for (const char* part : {"# report-test", "| true values | shape = 2, rate = 1 |", "| seed | 1 |",
                           "## shape (true value 2)", "## mean (true value 2)", "MSE decay", "| build | test build |",
                           "## Failures"})
    CHECK_MESSAGE(md.find(part) != std::string::npos, part);
}

TEST_CASE("report: a misspecified fit's Kullback–Leibler divergence beside its pseudo-true value, to its known digits") {
  // D(Gamma(3, 2) || Exponential(2/3)) = 2 psi(3) - lgamma(3) - 2 + log 3 (tests/sim/pseudo_true_test.cpp
  // derives it), known to far more than the six digits printed.
  const double exact = 2 * (1.5 - std::numbers::egamma) - std::log(2.0) - 2 + std::log(3.0);
  const auto result = simulate({.name = "report-test", .family = "gamma", .theta = {3, 2}, .fit_family = "exponential",
                                .estimands = {"rate"}, .seed = 1, .replications = 50, .sample_sizes = {10},
                                .level = 0.9});
  const std::string digits = fmt::format("{:.6g}", exact);
  const std::string md = markdown_report(result, "test build");
  CHECK(md.find("| Kullback–Leibler divergence | D(G ‖ F_θ*) = E_G[log g(X) − log f(X; θ*)] = " + digits +
                " nats per observation (error bound ") != std::string::npos);
  CHECK(md.find("averages n·D") != std::string::npos);
  CHECK(console_summary(result).find("exponential fitted to gamma data, Kullback–Leibler divergence " + digits +
                                     " nats per observation, 50 replications") != std::string::npos);
  const auto well = run("gamma", {3, 2}, {"shape"});
  CHECK(markdown_report(well, "test build").find("Kullback") == std::string::npos);
  CHECK(console_summary(well).find("Kullback") == std::string::npos);
}

TEST_CASE("format: a figure that is not finite prints as absent, never as nan or inf") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(format::with_mcse(1.5, inf) == "1.5");  // floor(log10(inf)) cast to int: undefined behaviour before
  CHECK(format::with_mcse(inf, 0.1) == "—");
  CHECK(format::with_mcse(nan, nan) == "—");
  CHECK(format::brief(-inf) == "—");
  CHECK(format::exact(nan).empty());
  CHECK(format::exact(inf).empty());
}

TEST_CASE("format: a value to the precision of its MCSE") {
  CHECK(format::with_mcse(0.123456, 0.0031) == "0.1235 ± 0.0031");
  CHECK(format::with_mcse(12.3456, 0.42) == "12.35 ± 0.42");
  CHECK(format::with_mcse(1234.5, 17.0) == "1234 ± 17");
  CHECK(format::with_mcse(std::nullopt, 0.1) == "—");
  CHECK(format::exact(std::nullopt).empty());
  CHECK(format::exact(0.1) == "0.1");
}

TEST_CASE("results file: settings, counts or a histogram a run cannot have are refused, naming the file") {
  const nlohmann::json saved = nlohmann::json::parse(results_json(run("exponential", {2}, {"rate"}), "build", ""));
  CHECK_NOTHROW(read_results_json(saved.dump(), "x.results.json"));
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases{
      {[](nlohmann::json& j) { j["settings"]["conditions"][0]["level"] = 2.0; }, "its level is 2"},
      {[](nlohmann::json& j) { j["settings"]["conditions"][0]["name"] = "index"; }, "its experiment name is \"index\""},
      {[](nlohmann::json& j) { j["conditions"][0]["rows"][0]["measures"]["reps"] = -3; }, "its reps -3 is not a count"},
      {[](nlohmann::json& j) { j["conditions"][0]["rows"][0]["measures"]["used"] = 7; }, "7 replications used of 200"},
      {[](nlohmann::json& j) { j["conditions"][0]["rows"][0]["measures"]["z_histogram"] = {1, 2}; },
       "its z_histogram is not 1000 counts"},
      {[](nlohmann::json& j) { j["conditions"][0]["rows"][0]["measures"]["z_histogram"] = std::vector<int>(1000, -5); },
       "its z_histogram count -5 is not a count"},
      {[](nlohmann::json& j) { j["conditions"][0]["rows"][0]["measures"]["z_histogram"] = std::vector<int>(1000, 1); },
       "its z_histogram counts more than its 200 used replications"},
  };
  for (const auto& [edit, message] : cases) {
    nlohmann::json edited = saved;
    edit(edited);
    std::string problem;
    try {
      read_results_json(edited.dump(), "x.results.json");
    } catch (const results_error& e) {
      problem = e.what();
    }
    CAPTURE(problem);
    CHECK(problem.rfind("x.results.json: ", 0) == 0);
    CHECK(problem.find(message) != std::string::npos);
  }
}

#include "reports/report_set.hpp"

#include "reports/csv.hpp"
#include "reports/figures.hpp"
#include "reports/html.hpp"
#include "reports/markdown.hpp"
#include "reports/results_json.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace mlesim {
namespace {

bool is_grid(const std::vector<experiment_result>& conditions) {
  return conditions.size() > 1 || !conditions.front().spec.condition.empty();
}

constexpr std::string_view figure_kinds[] = {"mse", "bias", "coverage", "efficiency", "qq"};

constexpr std::string_view no_gnuplot =
    "gnuplot was not found on PATH, so no figure was drawn (Debian: `apt-get install gnuplot-nox`); once it is "
    "installed, `mlesim report DIR` draws them from this run's results, without rerunning";

// A file of the folder as it will be: this commit's content, else what is on disk.
class folder_view {
 public:
  folder_view(const std::filesystem::path& folder, const std::vector<report_file>& pending) : folder_(folder) {
    for (const auto& [name, content] : pending) pending_.emplace(name, &content);
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
      if (entry.is_regular_file(error)) on_disk_.insert(entry.path().filename().string());
    for (const auto& [name, content] : pending) on_disk_.erase(name);
  }

  bool has(const std::string& name) const { return pending_.contains(name) || on_disk_.contains(name); }

  std::optional<std::string> read(const std::string& name) const {
    if (const auto it = pending_.find(name); it != pending_.end()) return *it->second;
    if (!on_disk_.contains(name)) return std::nullopt;
    std::ifstream in(folder_ / name, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
  }

  std::set<std::string> names() const {
    std::set<std::string> all(on_disk_.begin(), on_disk_.end());
    for (const auto& [name, content] : pending_) all.insert(name);
    return all;
  }

 private:
  std::filesystem::path folder_;
  std::map<std::string, const std::string*> pending_;
  std::set<std::string> on_disk_;
};

// verify's verdict from NAME.checks.csv (a row per test; `passed` is its
// check's), as "all 3 checks pass" or "1 of 3 checks FAIL"; empty if unreadable.
std::string verdict_of(const std::string& checks_csv) {
  struct table {
    std::vector<std::vector<std::string>> rows{{}};
  } t;
  csv_parser parser{};
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return {};
  const auto field = [](void* text, std::size_t size, void* data) {
    static_cast<table*>(data)->rows.back().emplace_back(static_cast<const char*>(text), size);
  };
  const auto row = [](int, void* data) { static_cast<table*>(data)->rows.emplace_back(); };
  const bool parsed = csv_parse(&parser, checks_csv.data(), checks_csv.size(), field, row, &t) == checks_csv.size() &&
                      csv_fini(&parser, field, row, &t) == 0;
  csv_free(&parser);
  if (!parsed || t.rows.size() < 2) return {};
  const auto& header = t.rows.front();
  const auto column = [&](std::string_view name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const std::size_t check = column("check"), passed = column("passed");
  if (check >= header.size() || passed >= header.size()) return {};
  std::map<std::string, bool> checks;
  for (std::size_t r = 1; r < t.rows.size(); ++r) {
    const auto& fields = t.rows[r];
    if (fields.empty()) continue;
    if (fields.size() != header.size()) return {};
    checks[fields[check]] = fields[passed] == "true";
  }
  if (checks.empty()) return {};
  const auto failed = std::count_if(checks.begin(), checks.end(), [](const auto& c) { return !c.second; });
  return failed == 0 ? fmt::format("all {} checks pass", checks.size())
                     : fmt::format("**{} of {} checks FAIL**", failed, checks.size());
}

std::string model_of(const experiment_spec& spec) {
  if (spec.regression) return fmt::format("`{}`", spec.family);
  if (misspecified(spec)) return fmt::format("`{}` fitted to `{}` data", fitted_family(spec), spec.family);
  return fmt::format("`{}`", spec.family);
}

std::string joined(const std::vector<std::uint64_t>& values) {
  std::string out;
  for (auto v : values) out += fmt::format("{}{}", out.empty() ? "" : ", ", v);
  return out;
}

std::string index_markdown(const folder_view& folder) {
  std::vector<std::string> experiments;
  for (const auto& name : folder.names()) {
    if (!name.ends_with(".md") || name == index_markdown_name) continue;
    const std::string experiment = name.substr(0, name.size() - 3);
    if (!experiment.empty() && folder.has(experiment + ".csv")) experiments.push_back(experiment);
  }
  std::string out = "# mlesim results\n\n";
  if (experiments.empty()) return out + "No experiment's report is in this folder.\n";
  out += fmt::format(
      "{} in this folder, by name: each links its report (a page with its figures, and the same in Markdown), its "
      "results table (CSV) and, where `mlesim verify` judged it, its checks. Below the table, each experiment's "
      "first estimand: its MSE against n beside the Cramér–Rao bound, and its interval coverage against the "
      "nominal level.\n\n",
      experiments.size() == 1 ? std::string("One experiment") : fmt::format("{} experiments", experiments.size()));
  out += "| experiment | model | replications | sample sizes | verdict | files |\n|---|---|---:|---|---|---|\n";
  std::string figures;
  for (const auto& x : experiments) {
    std::optional<saved_results> saved;
    if (const auto text = folder.read(x + ".results.json")) {
      try {
        saved = read_results_json(*text, x + ".results.json");
      } catch (const results_error&) {
        saved.reset();  // an unreadable results file: the row without its details
      }
    }
    const bool html = folder.has(x + ".html");
    std::string verdict = "not verified";
    const auto markdown = folder.read(x + ".md");
    const bool judged = markdown && (markdown->starts_with("## Verdict") || markdown->find("\n## Verdict") != std::string::npos);
    if (judged && folder.has(x + ".checks.csv")) {
      const std::string v = verdict_of(folder.read(x + ".checks.csv").value_or(""));
      verdict = v.empty() ? "unreadable checks" : fmt::format("{} ([checks]({}.checks.csv))", v, x);
    }
    std::string files = html ? fmt::format("[page]({}.html) · ", x) : "";
    files += fmt::format("[Markdown]({0}.md) · [CSV]({0}.csv)", x);
    out += fmt::format("| [{}]({}) | {} | {} | {} | {} | {} |\n", x, html ? x + ".html" : x + ".md",
                       saved ? model_of(saved->conditions.front().spec) +
                                   (is_grid(saved->conditions)
                                        ? fmt::format(", {} conditions", saved->conditions.size())
                                        : std::string())
                             : "—",
                       saved ? fmt::format("{}{}", saved->conditions.front().spec.targets.empty() ? "" : "up to ",
                                           saved->conditions.front().spec.replications)
                             : "—",
                       saved ? joined(saved->conditions.front().spec.sample_sizes) : "—", verdict, files);
    if (saved && !saved->conditions.front().spec.estimands.empty()) {
      const auto& estimands = saved->conditions.front().spec.estimands;
      // A grid's: across its conditions (the first group's where they are
      // split, else against its one factor), else its first condition's.
      const std::string estimand = estimand_file_stem(estimands, 0);
      const auto& conditions = saved->conditions;
      const auto figure = [&](std::string_view kind, std::string_view what) -> std::string {
        std::string file = fmt::format("{}.{}.{}.svg", x, estimand, kind), against = "against n";
        if (conditions.size() > 1) {
          const auto groups = grid_groups(conditions);
          against = "against n across its conditions";
          if (groups.size() > 1) {
            file = fmt::format("{}.g1.{}.{}.svg", x, estimand, kind);
            against = fmt::format("against n across its conditions with {}", groups.front().label);
          } else if (groups.empty() && conditions.front().spec.condition.size() == 1) {
            file = fmt::format("{}.{}.{}-by-factor.svg", x, estimand, kind);
            against = fmt::format("against {} across its conditions", conditions.front().spec.condition.front().factor);
          } else if (groups.empty()) {
            file = fmt::format("{}.c1.{}.{}.svg", x, estimand, kind);
            against = "against n, condition 1";
          }
        } else if (is_grid(conditions)) {
          file = fmt::format("{}.c1.{}.{}.svg", x, estimand, kind);
        }
        return folder.has(file) ? fmt::format("![{} of {} {}]({})\n", what, estimands.front(), against, file)
                                : std::string();
      };
      const std::string images = figure("mse", "MSE") + figure("coverage", "Coverage");
      if (!images.empty()) figures += fmt::format("## {}: {}\n\n{}\n", x, estimands.front(), images);
    }
  }
  return out + "\n" + figures;
}

}  // namespace

experiment_reports experiment_report_files(const experiment_result& result, std::string_view build,
                                           std::string_view verdicts) {
  return experiment_report_files(std::vector<experiment_result>{result}, build, verdicts);
}

experiment_reports experiment_report_files(const std::vector<experiment_result>& conditions, std::string_view build,
                                           std::string_view verdicts) {
  const std::string& name = conditions.front().spec.name;
  const bool grid = is_grid(conditions);
  experiment_reports out;
  std::vector<figure_plan> plans;
  std::vector<report_figures> figures(conditions.size());
  std::vector<report_file> images;
  if (grid && conditions.size() > max_condition_figures) {
    for (auto& f : figures)
      f.not_drawn = fmt::format("a grid of {} conditions: figures are drawn for each condition of a grid of at most "
                                "{}; the summary tables and figures above compare the conditions",
                                conditions.size(), max_condition_figures);
  } else {
    plans.reserve(conditions.size());
    for (std::size_t c = 0; c < conditions.size(); ++c) {
      plans.push_back(grid ? plan_figures(conditions[c], condition_label(conditions[c].spec),
                                          fmt::format("{}.c{}", name, c + 1))
                           : plan_figures(conditions[c]));
      const auto svgs = draw_figures(plans.back());
      figures[c].plan = &plans.back();
      if (!svgs) {
        figures[c].not_drawn = no_gnuplot;
        out.figures_skipped = true;
        continue;
      }
      std::size_t i = 0;
      for (const auto& estimand : plans.back())
        for (const auto& f : estimand.figures) images.emplace_back(f.file, (*svgs)[i++]);
    }
  }
  // A grid's figures across its conditions, in its summary.
  grid_figure_plan grid_plan;
  report_figures summary;
  if (conditions.size() > 1) {
    grid_plan = plan_grid_figures(conditions);
    summary.plan = &grid_plan.estimands;
    summary.notes = grid_plan.notes;
    if (const auto svgs = draw_figures(grid_plan.estimands)) {
      std::size_t i = 0;
      for (const auto& estimand : grid_plan.estimands)
        for (const auto& f : estimand.figures) images.emplace_back(f.file, (*svgs)[i++]);
    } else {
      summary.not_drawn = no_gnuplot;
      summary.notes.clear();
      out.figures_skipped = true;
    }
  }
  const std::string markdown = markdown_report(conditions, build, verdicts, figures, summary);
  out.files.emplace_back(name + ".csv", csv_report(conditions));
  out.files.emplace_back(name + ".md", markdown);
  out.files.insert(out.files.end(), images.begin(), images.end());
  out.files.emplace_back(name + ".html", html_page(name, markdown, images, index_html_name));
  out.files.emplace_back(name + ".results.json", results_json(conditions, build, verdicts));
  return out;
}

std::vector<std::string> experiment_report_names(const std::string& name, const std::vector<std::string>& estimands,
                                                 std::size_t conditions) {
  std::vector<std::string> names{name + ".csv", name + ".md", name + ".html", name + ".results.json"};
  const auto add = [&](const std::string& stem) {
    for (std::size_t e = 0; e < estimands.size(); ++e)
      for (auto kind : figure_kinds)
        names.push_back(fmt::format("{}.{}.{}.svg", stem, estimand_file_stem(estimands, e), kind));
  };
  if (conditions <= 1) add(name);
  for (std::size_t c = 0; conditions > 1 && c < std::min(conditions, max_condition_figures); ++c)
    add(fmt::format("{}.c{}", name, c + 1));
  // A grid's figures across its conditions (reports/figures.hpp).
  const auto add_grid = [&](const std::string& stem, std::string_view suffix) {
    for (std::size_t e = 0; e < estimands.size(); ++e)
      for (auto kind : figure_kinds)
        if (kind != "qq") names.push_back(fmt::format("{}.{}.{}{}.svg", stem, estimand_file_stem(estimands, e), kind, suffix));
  };
  if (conditions > 1) {
    add_grid(name, "");
    add_grid(name, "-by-factor");
  }
  for (std::size_t g = 0; conditions > max_grid_lines && g < max_grid_groups; ++g)
    add_grid(fmt::format("{}.g{}", name, g + 1), "");
  return names;
}

std::vector<report_file> index_files(const std::filesystem::path& folder, const std::vector<report_file>& pending) {
  const std::string markdown = index_markdown(folder_view(folder, pending));
  return {{std::string(index_markdown_name), markdown},
          {std::string(index_html_name), html_page("mlesim results", markdown)}};
}

}  // namespace mlesim

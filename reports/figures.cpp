#include "reports/figures.hpp"

#include "reports/format.hpp"
#include "reports/gnuplot.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace mlesim {
namespace {

constexpr std::string_view blue = "#1f77b4", red = "#d62728", green = "#2ca02c", purple = "#9467bd";

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal(), p); }
double normal_cdf(double x) { return boost::math::cdf(boost::math::normal(), x); }

// A gnuplot string: single quotes (no escapes inside but a doubled quote),
// control characters as spaces, so a name cannot end the command.
std::string gp_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
    else out += c;
  }
  return out + "'";
}

std::string number(double x) { return fmt::format("{}", x); }

bool finite(const maybe& x) { return x && std::isfinite(*x); }

// One figure's script, its data inline as datablocks named after the figure.
class script {
 public:
  explicit script(std::string prefix) : prefix_(std::move(prefix)) {}

  std::string block(const std::vector<std::vector<double>>& rows) {
    const std::string name = fmt::format("${}_{}", prefix_, ++blocks_);
    text += name + " << EOD\n";
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) text += ' ';
        text += number(row[i]);
      }
      text += '\n';
    }
    text += "EOD\n";
    return name;
  }

  std::string text;

 private:
  std::string prefix_;
  int blocks_ = 0;
};

std::string preamble(int width, int height) {
  return fmt::format(
      "reset\nset encoding utf8\n"
      "set terminal svg size {},{} fixed font 'sans-serif,11' noenhanced background '#ffffff'\n"
      "set output\nset grid lc rgb '#dddddd'\nset key below\nset border lc rgb '#444444'\n",
      width, height);
}

// The n axis: logarithmic, a tic at every sample size.
std::string n_axis(const std::vector<std::uint64_t>& sizes) {
  std::string tics;
  for (auto n : sizes) tics += fmt::format("{}{}", tics.empty() ? "" : ", ", n);
  const double low = static_cast<double>(sizes.front()) / 1.3, high = static_cast<double>(sizes.back()) * 1.3;
  return fmt::format("set logscale x\nset xrange [{}:{}]\nset xtics ({})\nunset mxtics\nset xlabel 'n (sample size)'\n",
                     number(low), number(high), tics);
}

// A measured figure at each n where it exists.
struct measured {
  double n;
  double value;
  maybe mcse;
};

std::vector<measured> series(const std::vector<const estimand_result*>& rows,
                             const std::function<estimate_with_mcse(const measures&)>& get) {
  std::vector<measured> out;
  for (const auto* row : rows) {
    const estimate_with_mcse x = get(row->m);
    if (!finite(x.value)) continue;
    out.push_back({static_cast<double>(row->n), *x.value, finite(x.mcse) ? x.mcse : std::nullopt});
  }
  return out;
}

// The plot clauses of a figure against n on a linear axis: its +-2 MCSE
// band (error bars where the band would be a single point), then its points.
std::string band_and_points(script& s, const std::vector<measured>& points, std::string_view colour,
                            std::string_view title, int point_type) {
  std::vector<std::vector<double>> band, values;
  for (const auto& p : points) {
    values.push_back({p.n, p.value});
    const double low = p.mcse ? p.value - 2 * *p.mcse : NAN, high = p.mcse ? p.value + 2 * *p.mcse : NAN;
    if (std::isfinite(low) && std::isfinite(high)) band.push_back({p.n, low, high});
  }
  std::string clauses;
  if (band.size() >= 2) {
    clauses += fmt::format("{} using 1:2:3 with filledcurves fc rgb '{}' fs transparent solid 0.18 noborder title {}, ",
                           s.block(band), colour, gp_string("±2 MCSE band"));
  } else if (band.size() == 1) {
    clauses += fmt::format("{} using 1:(($2+$3)/2):2:3 with yerrorbars pt 0 ps 0 lc rgb '{}' title {}, ", s.block(band),
                           colour, gp_string("±2 MCSE"));
  }
  clauses += fmt::format("{} using 1:2 with linespoints pt {} ps 0.9 lw 1.5 lc rgb '{}' title {}", s.block(values),
                         point_type, colour, gp_string(title));
  return clauses;
}

std::string heading(const experiment_result& result, const std::string& estimand, std::string_view condition,
                    std::string_view what) {
  return fmt::format("set title {}\n", gp_string(fmt::format("{} · {}{}{}: {}", result.spec.name, estimand,
                                                          condition.empty() ? "" : ", ", condition, what)));
}

struct context {
  const experiment_result& result;
  const std::string& estimand;
  std::string_view condition;
  std::string prefix;  // of the datablocks
  const std::vector<const estimand_result*>& rows;
  bool regular;
  bool wrong_model;
};

std::optional<std::string> mse_figure(const context& c, std::vector<std::string>& notes, std::string& alt) {
  std::vector<measured> mse;
  for (const auto& p : series(c.rows, [](const measures& m) { return m.mse; }))
    if (p.value > 0) mse.push_back(p);
  if (mse.empty()) {
    notes.push_back("No MSE figure: no sample size has a positive MSE to draw on log axes");
    return std::nullopt;
  }
  std::vector<std::vector<double>> crlb, sandwich;
  for (const auto* row : c.rows) {
    if (finite(row->m.crlb) && *row->m.crlb > 0) crlb.push_back({static_cast<double>(row->n), *row->m.crlb});
    if (finite(row->m.sandwich_var) && *row->m.sandwich_var > 0)
      sandwich.push_back({static_cast<double>(row->n), *row->m.sandwich_var});
  }
  double low = std::numeric_limits<double>::infinity(), high = 0;
  const auto span = [&](double y) {
    if (y > 0 && std::isfinite(y)) low = std::min(low, y), high = std::max(high, y);
  };
  for (const auto& p : mse) {
    span(p.value);
    if (p.mcse) span(p.value - 2 * *p.mcse), span(p.value + 2 * *p.mcse);
  }
  for (const auto& row : crlb) span(row[1]);
  for (const auto& row : sandwich) span(row[1]);
  const double bottom = low / 1.6, top = high * 1.6;
  // A bar whose lower end is at or below 0 runs off the log axis: drawn to its bottom.
  std::vector<std::vector<double>> bars;
  std::vector<double> n, values, mcse;
  for (const auto& p : mse) {
    const double m = p.mcse.value_or(0);
    const double lower = p.value - 2 * m, upper = p.value + 2 * m;
    bars.push_back({p.n, p.value, lower > 0 ? lower : bottom, std::isfinite(upper) ? upper : top});
    if (p.mcse) n.push_back(p.n), values.push_back(p.value), mcse.push_back(*p.mcse);
  }
  std::string legend = "MSE ± 2 MCSE";
  if (const auto fit = log_mse_slope(n, values, mcse))
    legend += fmt::format(", slope of log MSE on log n {} (theory {})", format::with_mcse(fit->slope, fit->se),
                          c.regular ? "−1" : "−2");
  script s(c.prefix);
  std::string plot = fmt::format("plot {} using 1:2:3:4 with yerrorbars pt 7 ps 0.9 lw 1.5 lc rgb '{}' title {}",
                                 s.block(bars), blue, gp_string(legend));
  if (!crlb.empty())
    plot += fmt::format(", {} using 1:2 with lines dt 2 lw 1.5 lc rgb 'black' title {}", s.block(crlb),
                        gp_string(c.wrong_model ? "inverse Fisher information / n (the fitted model's CRLB)" : "CRLB"));
  if (!sandwich.empty())
    plot += fmt::format(", {} using 1:2 with lines dt 3 lw 1.5 lc rgb '{}' title {}", s.block(sandwich), green,
                        gp_string("sandwich variance A⁻¹BA⁻¹/n"));
  std::string text = heading(c.result, c.estimand, c.condition, "MSE against n (log–log)");
  text += n_axis(c.result.spec.sample_sizes);
  text += fmt::format("set logscale y\nset yrange [{}:{}]\nset format y '%g'\nset ylabel 'MSE'\n", number(bottom),
                      number(top));
  if (!crlb.empty()) alt += " and the Cramér–Rao bound";
  if (crlb.empty()) {
    const bool some = std::any_of(c.rows.begin(), c.rows.end(), [](const auto* r) { return r->m.crlb.has_value(); });
    notes.push_back(c.regular ? (some ? "The MSE figure has no CRLB line: the Cramér–Rao bound is not positive and "
                                        "finite at any n"
                                      : "The MSE figure has no CRLB line: this estimand has no Cramér–Rao bound")
                              : "The MSE figure has no CRLB line: the model is non-regular (its support depends on "
                                "the parameter), so there is no Fisher information and no Cramér–Rao bound; its MSE "
                                "falls like 1/n², faster than any bound for a regular model");
    text += fmt::format("set label 1 {} at graph 0.02, graph 0.05 left tc rgb '#444444'\n",
                        gp_string(c.regular ? "no CRLB line: no Cramér–Rao bound"
                                         : "no CRLB line: a non-regular model has no Cramér–Rao bound"));
  }
  return s.text + text + plot + "\n";
}

std::optional<std::string> bias_figure(const context& c, std::vector<std::string>& notes, std::string&) {
  const auto bias = series(c.rows, [](const measures& m) { return m.bias; });
  if (bias.empty()) {
    notes.push_back("No bias figure: no sample size has a finite estimate");
    return std::nullopt;
  }
  script s(c.prefix);
  std::string plot = "plot " + band_and_points(s, bias, blue, "bias", 7) +
                     ", 0 with lines dt 2 lw 1.5 lc rgb 'black' title 'zero'";
  return s.text + heading(c.result, c.estimand, c.condition, "bias against n") + n_axis(c.result.spec.sample_sizes) +
         "set ylabel 'bias (estimate − truth)'\nset format y '%g'\nset offsets 0, 0, graph 0.05, graph 0.05\n" + plot +
         "\n";
}

std::optional<std::string> coverage_figure(const context& c, std::vector<std::string>& notes, std::string& alt) {
  const auto fisher = series(c.rows, [](const measures& m) { return m.fisher.coverage; });
  const auto sandwich = series(c.rows, [](const measures& m) { return m.sandwich.coverage; });
  if (fisher.empty() && sandwich.empty()) {
    notes.push_back(c.regular ? "No coverage figure: no sample size has a Wald interval"
                              : "No coverage figure: a non-regular model has no Wald interval");
    return std::nullopt;
  }
  const double level = c.result.spec.level, side = (1 - level) / 2;
  script s(c.prefix);
  std::string top = "plot ";
  if (!fisher.empty()) top += band_and_points(s, fisher, blue, "Fisher (Wald) interval coverage", 7) + ", ";
  if (!sandwich.empty()) {
    top += band_and_points(s, sandwich, green, "sandwich interval coverage", 5) + ", ";
    alt += ", the sandwich intervals' beside the Fisher ones";
  }
  top += fmt::format("{} with lines dt 2 lw 1.5 lc rgb 'black' title {}", number(level),
                     gp_string(fmt::format("nominal level {:g}", level)));
  std::string bottom = "plot ";
  const auto misses = [&](const std::vector<measured>& below, const std::vector<measured>& above, std::string_view kind,
                          int dash) {
    std::string clauses;
    const auto clause = [&](const std::vector<measured>& points, std::string_view colour, std::string_view title,
                            int point_type) {
      std::vector<std::vector<double>> rows;
      for (const auto& p : points) {  // shares: the bars stay finite
        const double m = p.mcse.value_or(0);
        rows.push_back({p.n, p.value, p.value - 2 * m, p.value + 2 * m});
      }
      clauses += fmt::format("{} using 1:2:3:4 with yerrorlines dt {} pt {} ps 0.9 lw 1.5 lc rgb '{}' title {}, ",
                             s.block(rows), dash, point_type, colour, gp_string(title));
    };
    if (!below.empty()) clause(below, red, fmt::format("{}: truth below the interval, ±2 MCSE", kind), 9);
    if (!above.empty()) clause(above, purple, fmt::format("{}: truth above the interval, ±2 MCSE", kind), 11);
    return clauses;
  };
  bottom += misses(series(c.rows, [](const measures& m) { return m.fisher.miss_below; }),
                   series(c.rows, [](const measures& m) { return m.fisher.miss_above; }), "Fisher", 1);
  bottom += misses(series(c.rows, [](const measures& m) { return m.sandwich.miss_below; }),
                   series(c.rows, [](const measures& m) { return m.sandwich.miss_above; }), "sandwich", 3);
  bottom += fmt::format("{} with lines dt 2 lw 1.5 lc rgb 'black' title {}", number(side),
                        gp_string(fmt::format("nominal (1 − level)/2 = {:g}", side)));
  return s.text + "set multiplot\n" + heading(c.result, c.estimand, c.condition, "Wald interval coverage against n") +
         n_axis(c.result.spec.sample_sizes) +
         "set origin 0, 0.4\nset size 1, 0.6\nunset xlabel\nset ylabel 'coverage'\nset format y '%g'\n"
         "set offsets 0, 0, graph 0.05, graph 0.05\n" +
         top + "\nunset title\nset origin 0, 0\nset size 1, 0.4\nset xlabel 'n (sample size)'\n"
         "set ylabel 'one-sided miss rate'\n" + bottom +
         "\nunset multiplot\n";
}

std::optional<std::string> efficiency_figure(const context& c, std::vector<std::string>& notes, std::string& alt) {
  const auto ratio = series(c.rows, [](const measures& m) { return m.var_over_crlb; });
  const auto alternative = series(c.rows, [](const measures& m) {
    return m.alternative ? m.alternative->relative_efficiency : estimate_with_mcse{};
  });
  if (ratio.empty() && alternative.empty()) {
    notes.push_back(c.regular ? "No var/CRLB figure: this estimand has no Cramér–Rao bound"
                              : "No var/CRLB figure: a non-regular model has no Cramér–Rao bound");
    return std::nullopt;
  }
  script s(c.prefix);
  std::string plot = "plot ";
  if (!ratio.empty()) plot += band_and_points(s, ratio, blue, "var / CRLB", 7) + ", ";
  if (!alternative.empty()) alt += fmt::format(", and the {}'s relative efficiency", c.result.alternative_estimator);
  if (!alternative.empty())
    plot += band_and_points(s, alternative, red,
                            fmt::format("relative efficiency: MSE({})/MSE(MLE)", c.result.alternative_estimator),
                            5) +
            ", ";
  plot += "1 with lines dt 2 lw 1.5 lc rgb 'black' title 'efficient: 1'";
  const std::string what =
      ratio.empty() ? "relative efficiency against n"
                    : (alternative.empty() ? "var/CRLB against n" : "var/CRLB and relative efficiency against n");
  if (ratio.empty()) notes.push_back("The efficiency figure has no var/CRLB: no Cramér–Rao bound");
  return s.text + heading(c.result, c.estimand, c.condition, what) + n_axis(c.result.spec.sample_sizes) +
         "set ylabel 'ratio'\nset format y '%g'\nset offsets 0, 0, graph 0.05, graph 0.05\n" + plot + "\n";
}

std::uint64_t total(const std::vector<std::uint64_t>& histogram) {
  std::uint64_t sum = 0;
  for (auto count : histogram) sum += count;
  return sum;
}

std::optional<std::string> qq_figure(const context& c, std::vector<std::string>& notes, std::string&) {
  std::vector<const estimand_result*> ends;
  for (const auto* row : {c.rows.front(), c.rows.back()})
    if (total(row->m.z_histogram) >= 2 && (ends.empty() || ends.front() != row)) ends.push_back(row);
  if (ends.empty()) {
    notes.push_back("No QQ plot: z was not standardized at the smallest or the largest n (see the notes above)");
    return std::nullopt;
  }
  if (ends.size() == 1 && c.rows.size() > 1)
    notes.push_back(fmt::format("The QQ plot shows n = {} alone: z was not standardized at n = {}", ends.front()->n,
                                ends.front() == c.rows.front() ? c.rows.back()->n : c.rows.front()->n));
  script s(c.prefix);
  double reach = 3.2;
  std::uint64_t fewest = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::pair<std::string, std::uint64_t>> points;  // block, n
  for (const auto* row : ends) {
    std::vector<std::vector<double>> rows;
    for (const auto& [x, y] : qq_points(row->m.z_histogram)) {
      rows.push_back({x, y});
      reach = std::max(reach, std::abs(x));
    }
    fewest = std::min(fewest, total(row->m.z_histogram));
    if (!rows.empty()) points.emplace_back(s.block(rows), row->n);
  }
  const double edge = std::ceil(reach * 2 + 0.5) / 2;  // the axes' half-width, a multiple of 0.5
  // The band around the line y = x: where Phi(x) -+ e leaves (0, 1) it runs to the edge of the plot.
  const double e = dkw_band(fewest);
  std::vector<std::vector<double>> band;
  for (int i = 0; i <= 160; ++i) {
    const double x = -edge + 2 * edge * i / 160, p = normal_cdf(x);
    const double low = p - e > 0 ? std::max(-edge, normal_quantile(p - e)) : -edge;
    const double high = p + e < 1 ? std::min(edge, normal_quantile(p + e)) : edge;
    band.push_back({x, low, high});
  }
  std::string plot = fmt::format(
      "plot {} using 1:2:3 with filledcurves fc rgb '#888888' fs transparent solid 0.2 noborder title {}, "
      "x with lines dt 2 lw 1.5 lc rgb 'black' title 'N(0, 1): y = x'",
      s.block(band), gp_string(fmt::format("simultaneous 95% band (DKW, R = {})", fewest)));
  constexpr std::string_view colours[] = {red, blue};
  for (std::size_t i = 0; i < points.size(); ++i)
    plot += fmt::format(", {} using 1:2 with points pt 7 ps 0.45 lc rgb '{}' title {}", points[i].first,
                        colours[i % 2], gp_string(fmt::format("n = {}", points[i].second)));
  return s.text + heading(c.result, c.estimand, c.condition, "QQ plot of z against N(0, 1)") +
         fmt::format("set size ratio -1\nset xrange [{0}:{1}]\nset yrange [{0}:{1}]\n", number(-edge), number(edge)) +
         "set xlabel 'N(0, 1) quantile'\nset ylabel 'quantile of z (at the histogram of Φ(z)''s bin edges)'\n" + plot +
         "\n";
}

}  // namespace

std::string estimand_file_stem(const std::vector<std::string>& estimands, std::size_t index) {
  const std::string& name = estimands[index];
  const auto lower = [](std::string text) {
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
  };
  const bool plain = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '-' || ch == '_';
  });
  const auto same = std::count_if(estimands.begin(), estimands.end(),
                                  [&](const std::string& other) { return lower(other) == lower(name); });
  return plain && same == 1 ? name : fmt::format("estimand-{}", index + 1);
}

double dkw_band(std::uint64_t count) { return std::sqrt(std::log(2 / 0.05) / (2 * static_cast<double>(count))); }

std::vector<std::pair<double, double>> qq_points(const std::vector<std::uint64_t>& histogram) {
  const int bins = static_cast<int>(histogram.size());
  const std::uint64_t count = total(histogram);
  std::vector<std::pair<double, double>> points;
  if (bins < 2 || count == 0) return points;
  // Edges 1 .. bins/2 at least 0.04 apart as quantiles, from the tail in, and their mirror images.
  std::vector<int> lower;
  double last = -std::numeric_limits<double>::infinity();
  for (int k = 1; 2 * k <= bins; ++k) {
    const double z = 2 * k == bins ? 0.0 : normal_quantile(static_cast<double>(k) / bins);
    if (z - last >= 0.04) {
      lower.push_back(k);
      last = z;
    }
  }
  std::vector<int> edges = lower;
  for (auto it = lower.rbegin(); it != lower.rend(); ++it)
    if (bins - *it != *it) edges.push_back(bins - *it);
  std::uint64_t below = 0;
  int next = 0;
  for (int k : edges) {
    while (next < k) below += histogram[static_cast<std::size_t>(next++)];
    if (below == 0 || below == count) continue;
    const double share = static_cast<double>(below) / static_cast<double>(count);
    points.emplace_back(normal_quantile(share), normal_quantile(static_cast<double>(k) / bins));
  }
  return points;
}

figure_plan plan_figures(const experiment_result& result, std::string_view condition, std::string_view file_stem) {
  const experiment_spec& spec = result.spec;
  const bool regular = result.fitted.regular;
  figure_plan plan;
  for (std::size_t e = 0; e < spec.estimands.size(); ++e) {
    const std::string& estimand = spec.estimands[e];
    std::vector<const estimand_result*> rows;
    for (const auto& row : result.rows)
      if (row.estimand == estimand) rows.push_back(&row);
    estimand_figures figures{.estimand = estimand, .figures = {}, .notes = {}};
    if (rows.empty()) {
      plan.push_back(std::move(figures));
      continue;
    }
    const std::string stem =
        fmt::format("{}.{}", file_stem.empty() ? std::string_view(spec.name) : file_stem, estimand_file_stem(spec.estimands, e));
    const auto add = [&](std::string kind, std::string alt, auto draw) {
      const context c{result, estimand, condition, fmt::format("e{}_{}", e + 1, kind), rows, regular,
                      misspecified(spec)};
      if (auto text = draw(c, figures.notes, alt))
        figures.figures.push_back({estimand, kind, fmt::format("{}.{}.svg", stem, kind), std::move(alt),
                                   preamble(640, kind == "coverage" ? 600 : 440) + *text + gnuplot_end_of_figure()});
    };
    add("mse", fmt::format("MSE of {} against n, log–log, with ±2 MCSE bars", estimand),
        mse_figure);
    add("bias", fmt::format("Bias of {} against n with its ±2 MCSE band and zero", estimand), bias_figure);
    add("coverage",
        fmt::format("Coverage of the Wald intervals for {} against n with ±2 MCSE bands, the nominal level, and "
                    "the one-sided miss rates",
                    estimand),
        coverage_figure);
    add("efficiency", fmt::format("var/CRLB of {} against n with its ±2 MCSE band and 1", estimand),
        efficiency_figure);
    add("qq", fmt::format("QQ plot of z for {} against N(0, 1) at the smallest and largest n, with a simultaneous "
                          "95% band",
                          estimand),
        qq_figure);
    plan.push_back(std::move(figures));
  }
  return plan;
}

std::optional<std::vector<std::string>> draw_figures(const figure_plan& plan) {
  std::string script;
  std::size_t count = 0;
  for (const auto& estimand : plan)
    for (const auto& f : estimand.figures) {
      script += f.script;
      ++count;
    }
  if (count == 0) return std::vector<std::string>{};
  return run_gnuplot(script, count);
}

}  // namespace mlesim

// A grid's figures across its conditions.
namespace mlesim {
namespace {

// Twelve colours told apart on white (Tableau's ten, an indigo and a dark
// gold), and six filled point types (circle, square, triangles, diamond,
// pentagon; the open one of each is the type before it).
constexpr std::string_view grid_colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                              "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#8c6d31"};
constexpr int grid_points[] = {7, 5, 9, 11, 13, 15};

// One line of a grid figure: its key entry, its measured points and, where
// there is one, its dashed partner.
struct grid_line {
  std::string title;
  std::vector<measured> points;
  std::vector<measured> companion;
};

struct grid_axes {
  std::vector<double> xs;  // every x the lines are at: sorted, distinct
  bool log_x = true;
  std::string x_label;
  bool log_y = false;
  std::string y_label;
  std::optional<std::pair<double, std::string>> reference{};  // a horizontal line and its key entry
  bool companion_points = false;                              // a measured partner: dashed with open points
  std::string companion_key{};                                // what the dashed lines are
};

std::size_t characters(std::string_view text) {  // UTF-8 code points
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

// The script of a figure of lines (its data blocks, axes and plot command),
// and the size that leaves its key below the plot room.
std::string grid_lines_script(script& s, const std::vector<grid_line>& lines, const grid_axes& a, int& width,
                              int& height) {
  const auto to_axis = [&](double x) { return a.log_x ? std::log(x) : x; };
  const auto from_axis = [&](double u) { return a.log_x ? std::exp(u) : u; };
  double gap = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < a.xs.size(); ++i) gap = std::min(gap, to_axis(a.xs[i]) - to_axis(a.xs[i - 1]));
  if (!std::isfinite(gap)) gap = a.log_x ? 0.6 : std::max(1.0, std::abs(a.xs.front()));
  // Lines nudged apart by up to 30% of the smallest gap between x values.
  const double spread = 0.3 * gap, m = static_cast<double>(lines.size());
  const auto nudged = [&](std::size_t line, double x) {
    return lines.size() < 2 ? x : from_axis(to_axis(x) + spread * (static_cast<double>(line) / (m - 1) - 0.5));
  };
  const double range = to_axis(a.xs.back()) - to_axis(a.xs.front());
  const double margin = std::max(a.log_x ? std::log(1.3) : 0.05 * range, 0.25 * gap);
  std::string text = fmt::format("set xrange [{}:{}]\n", number(from_axis(to_axis(a.xs.front()) - margin)),
                                 number(from_axis(to_axis(a.xs.back()) + margin)));
  if (a.log_x) text += "set logscale x\n";
  if (a.xs.size() <= max_grid_lines) {
    std::string tics;
    for (double x : a.xs) tics += fmt::format("{}{}", tics.empty() ? "" : ", ", number(x));
    text += fmt::format("set xtics ({})\n", tics);
  } else {
    text += "set format x '%g'\n";
  }
  text += fmt::format("unset mxtics\nset xlabel {}\nset ylabel {}\nset format y '%g'\n", gp_string(a.x_label),
                      gp_string(a.y_label));

  // On a log y axis, the range the values, bars and partners span; a bar
  // that reaches 0 runs to the bottom.
  double low = std::numeric_limits<double>::infinity(), high = 0;
  if (a.log_y) {
    const auto span = [&](double y) {
      if (y > 0 && std::isfinite(y)) low = std::min(low, y), high = std::max(high, y);
    };
    for (const auto& line : lines) {
      for (const auto& p : line.points) {
        span(p.value);
        if (p.mcse) span(p.value - 2 * *p.mcse), span(p.value + 2 * *p.mcse);
      }
      for (const auto& p : line.companion) span(p.value);
    }
    low /= 1.6, high *= 1.6;
    text += fmt::format("set logscale y\nset yrange [{}:{}]\n", number(low), number(high));
  } else {
    text += "set offsets 0, 0, graph 0.05, graph 0.05\n";
  }

  std::string plot;
  std::size_t longest = 0, entries = 0;
  const auto key = [&](std::string_view title) {
    longest = std::max(longest, characters(title));
    ++entries;
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view colour = grid_colours[i % std::size(grid_colours)];
    const int point = grid_points[i % std::size(grid_points)];
    std::vector<std::vector<double>> rows;
    for (const auto& p : lines[i].points) {
      const double bar = 2 * p.mcse.value_or(0);
      double lower = p.value - bar, upper = p.value + bar;
      if (a.log_y) lower = lower > 0 ? lower : low, upper = std::isfinite(upper) ? upper : high;
      rows.push_back({nudged(i, p.n), p.value, lower, upper});
    }
    plot += fmt::format("{}{} using 1:2:3:4 with yerrorlines pt {} ps 0.8 lw 1.5 lc rgb '{}' title {}",
                        plot.empty() ? "plot " : ", ", s.block(rows), point, colour, gp_string(lines[i].title));
    key(lines[i].title);
    if (!lines[i].companion.empty()) {
      std::vector<std::vector<double>> partner;
      for (const auto& p : lines[i].companion) partner.push_back({nudged(i, p.n), p.value});
      plot += a.companion_points
                  ? fmt::format(", {} using 1:2 with linespoints dt 2 pt {} ps 0.8 lw 1.2 lc rgb '{}' notitle",
                                s.block(partner), point - 1, colour)
                  : fmt::format(", {} using 1:2 with lines dt 2 lw 1.2 lc rgb '{}' notitle", s.block(partner), colour);
    }
  }
  if (a.reference) {
    plot += fmt::format(", {} with lines dt 2 lw 1.5 lc rgb 'black' title {}", number(a.reference->first),
                        gp_string(a.reference->second));
    key(a.reference->second);
  }
  const bool partners = std::any_of(lines.begin(), lines.end(), [](const auto& l) { return !l.companion.empty(); });
  if (partners && !a.companion_key.empty()) {
    plot += fmt::format(", keyentry with {} dt 2 lw 1.2 lc rgb '#444444' title {}",
                        a.companion_points ? "linespoints pt 6 ps 0.8" : "lines", gp_string(a.companion_key));
    key(a.companion_key);
  }
  // The key below the plot in as many columns (at most 4) as its longest
  // entry leaves room for: gnuplot's SVG terminal counts about 8 pixels a
  // character at 11 points, and 9 characters more a column for the sample
  // and the gaps; a key too wide for one column widens the figure. gnuplot
  // uses as many columns as fit, up to maxcols, so these are the columns it
  // draws, and the figure grows taller by the rows they make.
  const std::size_t per_column = 8 * (longest + 9);
  width = std::max<int>(width, static_cast<int>((per_column + 9) / 10 * 10));
  const std::size_t columns = std::clamp<std::size_t>(static_cast<std::size_t>(width) / per_column, 1, 4);
  const std::size_t rows = (entries + columns - 1) / columns;
  height = 380 + 18 * static_cast<int>(rows);
  text += fmt::format("set key below left Left reverse samplen 3 maxcols {}\n", columns);
  return text + plot + "\n";
}

std::string factor_values(const experiment_spec& spec, std::size_t from) {
  std::string label;
  for (std::size_t f = from; f < spec.condition.size(); ++f)
    label += fmt::format("{}{} = {}", label.empty() ? "" : ", ", spec.condition[f].factor, spec.condition[f].value);
  return label;
}

// A measure and its partner at one row.
using pick = std::function<estimate_with_mcse(const estimand_result&)>;

struct grid_measure {
  pick value;
  pick partner;  // empty: none
  grid_axes axes;
  std::string missing;  // "no MSE": what a line without points lacks
};

std::optional<grid_measure> grid_measure_of(std::string_view kind, const experiment_result& first, bool regular,
                                            bool wrong_model) {
  const double level = first.spec.level;
  grid_measure g;
  if (kind == "mse") {
    g.value = [](const estimand_result& r) {
      return r.m.mse.value && *r.m.mse.value > 0 ? r.m.mse : estimate_with_mcse{};
    };
    g.partner = [wrong_model](const estimand_result& r) {
      const maybe bound = wrong_model ? r.m.sandwich_var : r.m.crlb;
      return bound && *bound > 0 ? estimate_with_mcse{bound, std::nullopt} : estimate_with_mcse{};
    };
    g.axes.log_y = true;
    g.axes.y_label = "MSE";
    g.axes.companion_key = wrong_model ? "dashed, same colour: its sandwich variance A⁻¹BA⁻¹/n"
                                       : "dashed, same colour: its CRLB";
    g.missing = "no positive MSE";
  } else if (kind == "bias") {
    g.value = [](const estimand_result& r) { return r.m.bias; };
    g.axes.y_label = "bias (estimate − truth)";
    g.axes.reference = std::pair(0.0, std::string("zero"));
    g.missing = "no finite estimate";
  } else if (kind == "coverage") {
    if (!regular) return std::nullopt;
    g.value = [](const estimand_result& r) { return r.m.fisher.coverage; };
    g.partner = [](const estimand_result& r) { return r.m.sandwich.coverage; };
    g.axes.y_label = "coverage";
    g.axes.reference = std::pair(level, fmt::format("nominal level {:g}", level));
    g.axes.companion_points = true;
    g.axes.companion_key = "dashed, open points: sandwich interval coverage";
    g.missing = "no Wald interval";
  } else {
    if (!regular) return std::nullopt;
    g.value = [](const estimand_result& r) { return r.m.var_over_crlb; };
    if (!first.alternative_estimator.empty()) {
      g.partner = [](const estimand_result& r) {
        return r.m.alternative ? r.m.alternative->relative_efficiency : estimate_with_mcse{};
      };
      g.axes.companion_key =
          fmt::format("dashed, open points: relative efficiency MSE({})/MSE(MLE)", first.alternative_estimator);
    }
    g.axes.y_label = "var / CRLB";
    g.axes.reference = std::pair(1.0, std::string("efficient: 1"));
    g.axes.companion_points = true;
    g.missing = "no var/CRLB";
  }
  return g;
}

std::optional<measured> measured_at(const pick& get, const estimand_result& row, double x) {
  const estimate_with_mcse v = get(row);
  if (!finite(v.value)) return std::nullopt;
  return measured{x, *v.value, finite(v.mcse) ? v.mcse : std::nullopt};
}

constexpr std::string_view grid_kinds[] = {"mse", "bias", "coverage", "efficiency"};

std::string kind_words(std::string_view kind) {
  if (kind == "mse") return "MSE";
  if (kind == "bias") return "bias";
  if (kind == "coverage") return "Wald interval coverage";
  return "var/CRLB";
}

std::string title_words(std::string_view kind) { return kind == "coverage" ? "coverage" : kind_words(kind); }

}  // namespace

std::vector<condition_group> grid_groups(const std::vector<experiment_result>& conditions) {
  const std::size_t factors = conditions.front().spec.condition.size();
  if (conditions.size() <= max_grid_lines) {
    std::vector<std::size_t> all(conditions.size());
    for (std::size_t c = 0; c < all.size(); ++c) all[c] = c;
    return {{.shared = 0, .label = {}, .conditions = std::move(all)}};
  }
  for (std::size_t shared = 1; shared < factors; ++shared) {
    std::vector<condition_group> groups;
    std::map<std::vector<double>, std::size_t> index;
    bool fits = true;
    for (std::size_t c = 0; c < conditions.size() && fits; ++c) {
      const auto& values = conditions[c].spec.condition;
      std::vector<double> key;
      for (std::size_t f = 0; f < shared; ++f) key.push_back(values[f].value);
      const auto [it, fresh] = index.emplace(key, groups.size());
      if (fresh) {
        std::string label;
        for (std::size_t f = 0; f < shared; ++f)
          label += fmt::format("{}{} = {}", label.empty() ? "" : ", ", values[f].factor, values[f].value);
        groups.push_back({.shared = shared, .label = std::move(label), .conditions = {}});
      }
      groups[it->second].conditions.push_back(c);
      fits = groups[it->second].conditions.size() <= max_grid_lines && groups.size() <= max_grid_groups;
    }
    if (fits) return groups;
  }
  return {};
}

grid_figure_plan plan_grid_figures(const std::vector<experiment_result>& conditions) {
  grid_figure_plan plan;
  if (conditions.size() < 2) return plan;
  const experiment_result& first = conditions.front();
  const experiment_spec& spec = first.spec;
  const bool regular = first.fitted.regular;
  const bool wrong_model = misspecified(spec);
  const std::size_t factors = spec.condition.size();
  const auto groups = grid_groups(conditions);
  if (groups.empty()) {
    plan.notes.push_back(fmt::format(
        "No figure with a line per condition: {} conditions do not split by their slowest factors' values into at "
        "most {} figures of at most {} lines",
        conditions.size(), max_grid_groups, max_grid_lines));
  } else if (groups.size() > 1) {
    std::vector<std::string> names;
    for (std::size_t f = 0; f < groups.front().shared; ++f) names.push_back(spec.condition[f].factor);
    plan.notes.push_back(fmt::format(
        "The {} conditions are more than one figure's {} lines: each figure with a line per condition holds those "
        "that share a value of {} ({} figures per measure, `{}.gK.…`)",
        conditions.size(), max_grid_lines, fmt::join(names, " and "), groups.size(), spec.name));
  }
  const bool by_factor = factors == 1 && spec.sample_sizes.size() <= max_grid_lines;
  if (factors != 1)
    plan.notes.push_back(fmt::format("No figure against a factor's value: the grid varies {} factors, and those "
                                     "figures are drawn for a grid of one",
                                     factors));
  else if (!by_factor)
    plan.notes.push_back(fmt::format("No figure against {}: its {} sample sizes are more than one figure's {} lines",
                                     spec.condition.front().factor, spec.sample_sizes.size(), max_grid_lines));

  for (std::size_t e = 0; e < spec.estimands.size(); ++e) {
    const std::string& estimand = spec.estimands[e];
    estimand_figures figures{.estimand = estimand, .figures = {}, .notes = {}};
    const std::string estimand_stem = estimand_file_stem(spec.estimands, e);
    // Each condition's rows of this estimand, in n order.
    std::vector<std::vector<const estimand_result*>> rows(conditions.size());
    for (std::size_t c = 0; c < conditions.size(); ++c)
      for (const auto& row : conditions[c].rows)
        if (row.estimand == estimand) rows[c].push_back(&row);
    const auto add = [&](std::string kind, std::string file, std::string alt, std::string title,
                         std::vector<grid_line> lines, grid_axes axes, std::size_t block) {
      script s(fmt::format("g{}_e{}_{}", block, e + 1, std::string_view(kind).substr(0, kind.find('-'))));
      int width = 640, height = 440;
      std::string text = grid_lines_script(s, lines, axes, width, height);
      figures.figures.push_back({estimand, std::move(kind), std::move(file), std::move(alt),
                                 preamble(width, height) + s.text + fmt::format("set title {}\n", gp_string(title)) +
                                     text + gnuplot_end_of_figure()});
    };
    for (const std::string_view kind : grid_kinds) {
      const auto measure = grid_measure_of(kind, first, regular, wrong_model);
      if (!measure) {
        figures.notes.push_back(fmt::format("No {} figure across conditions: a non-regular model has no {}",
                                            kind_words(kind),
                                            kind == "coverage" ? "Wald interval" : "Cramér–Rao bound"));
        continue;
      }
      // (a) against n, a line per condition of each group.
      for (std::size_t g = 0; g < groups.size(); ++g) {
        const condition_group& group = groups[g];
        std::vector<grid_line> lines;
        std::vector<std::string> absent;
        for (std::size_t c : group.conditions) {
          grid_line line{.title = factor_values(conditions[c].spec, group.shared), .points = {}, .companion = {}};
          for (const auto* row : rows[c]) {
            const double n = static_cast<double>(row->n);
            if (auto p = measured_at(measure->value, *row, n)) line.points.push_back(*p);
            if (measure->partner)
              if (auto p = measured_at(measure->partner, *row, n)) line.companion.push_back(*p);
          }
          if (line.points.empty()) absent.push_back(fmt::format("{} ({})", c + 1, condition_label(conditions[c].spec)));
          else lines.push_back(std::move(line));
        }
        const std::string where = group.label.empty() ? std::string() : fmt::format(", {}", group.label);
        if (lines.empty()) {
          figures.notes.push_back(fmt::format("No {} figure across the conditions{}: none has {} at any n",
                                              kind_words(kind), where, measure->missing));
          continue;
        }
        if (!absent.empty())
          figures.notes.push_back(fmt::format("The {} figure across conditions has no line for condition{} {}: {} at "
                                              "any n",
                                              kind_words(kind), absent.size() > 1 ? "s" : "",
                                              fmt::join(absent, ", "), measure->missing));
        grid_axes axes = measure->axes;
        axes.xs.assign(spec.sample_sizes.begin(), spec.sample_sizes.end());
        axes.x_label = "n (sample size)";
        const std::string stem = groups.size() > 1 ? fmt::format("{}.g{}", spec.name, g + 1) : spec.name;
        add(std::string(kind), fmt::format("{}.{}.{}.svg", stem, estimand_stem, kind),
            fmt::format("{} of {} against n, a line per condition{} with ±2 MCSE bars", kind_words(kind), estimand,
                        group.label.empty() ? "" : fmt::format(" with {}", group.label)),
            fmt::format("{} · {}{}: {} against n by condition{}", spec.name, estimand, where, title_words(kind),
                        kind == "mse" ? " (log–log)" : ""),
            std::move(lines), std::move(axes), g + 1);
      }
      // (b) against the factor's value, a line per n.
      if (!by_factor) continue;
      const std::string& factor = spec.condition.front().factor;
      std::vector<grid_line> lines;
      std::vector<double> xs;
      for (const auto& c : conditions) xs.push_back(c.spec.condition.front().value);
      std::sort(xs.begin(), xs.end());
      xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
      for (std::size_t k = 0; k < spec.sample_sizes.size(); ++k) {
        grid_line line{.title = fmt::format("n = {}", spec.sample_sizes[k]), .points = {}, .companion = {}};
        std::vector<std::pair<double, std::size_t>> order;  // by the factor's value
        for (std::size_t c = 0; c < conditions.size(); ++c)
          order.emplace_back(conditions[c].spec.condition.front().value, c);
        std::sort(order.begin(), order.end());
        for (const auto& [x, c] : order) {
          if (k >= rows[c].size()) continue;
          if (auto p = measured_at(measure->value, *rows[c][k], x)) line.points.push_back(*p);
          if (measure->partner)
            if (auto p = measured_at(measure->partner, *rows[c][k], x)) line.companion.push_back(*p);
        }
        if (!line.points.empty()) lines.push_back(std::move(line));
      }
      if (lines.empty()) {
        if (groups.empty())  // else said above
          figures.notes.push_back(fmt::format("No {} figure against {}: no condition has {} at any n",
                                              kind_words(kind), factor, measure->missing));
        continue;
      }
      grid_axes axes = measure->axes;
      axes.xs = xs;
      axes.log_x = xs.front() > 0 && xs.back() >= 10 * xs.front();
      axes.x_label = factor;
      std::string title = fmt::format("{} · {}: {} against {} by n{}", spec.name, estimand, title_words(kind), factor,
                                      kind == "mse" ? (axes.log_x ? " (log–log)" : " (log y)") : "");
      add(fmt::format("{}-by-factor", kind), fmt::format("{}.{}.{}-by-factor.svg", spec.name, estimand_stem, kind),
          fmt::format("{} of {} against {}, a line per n with ±2 MCSE bars", kind_words(kind), estimand, factor),
          std::move(title), std::move(lines), std::move(axes), 0);
    }
    plan.estimands.push_back(std::move(figures));
  }
  return plan;
}

}  // namespace mlesim

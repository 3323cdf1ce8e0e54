#include "reports/figures.hpp"

#include "estimators/registry.hpp"
#include "reports/format.hpp"
#include "reports/gnuplot.hpp"

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>

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
  const family_info* family = spec.regression ? nullptr : find_family(fitted_family(spec));
  const bool regular = family == nullptr || family->regular;
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

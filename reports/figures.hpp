// The standard figures of a simulation study, per estimand, as gnuplot
// scripts (planned from the results alone: pure functions) and drawn to SVG
// by gnuplot (reports/gnuplot.hpp). Same results, same script, same bytes.
//
//   mse         MSE against n, log-log, +-2 MCSE bars, the CRLB (and, for a
//               misspecified fit, the sandwich variance), the fitted slope
//   bias        bias against n, its +-2 MCSE band, zero
//   coverage    Wald coverage against n with its band and the nominal level,
//               the sandwich interval's beside it where there is one; below,
//               the two one-sided miss rates against (1 - level)/2
//   efficiency  var/CRLB against n with its band and 1; the second
//               estimator's relative efficiency where there is one
//   qq          z against N(0, 1) at the smallest and largest n, from the
//               histogram of Phi(z), with a simultaneous 95% band
//
// A figure with nothing to draw is left out, and a line without a figure
// (the uniform's CRLB) is left out, each with a note saying why.
#pragma once

#include "sim/experiment.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlesim {

struct figure {
  std::string estimand;
  std::string kind;    // mse, bias, coverage, efficiency or qq
  std::string file;    // <experiment>.<estimand>.<kind>.svg
  std::string alt;     // what it shows, in words: the Markdown's image text
  std::string script;  // gnuplot commands drawing it as SVG to standard output
};

struct estimand_figures {
  std::string estimand;
  std::vector<figure> figures;
  std::vector<std::string> notes;  // why a figure, or a line in one, is not drawn
};

using figure_plan = std::vector<estimand_figures>;  // in the spec's estimand order

// `condition`, where given, names the condition of a grid the results are
// of; it goes into every figure's title.
// `stem` starts each file's name (default: the experiment's name; a grid's
// condition K uses NAME.cK).
figure_plan plan_figures(const experiment_result& result, std::string_view condition = {}, std::string_view stem = {});

// A grid's figures across its conditions (at least two), per estimand, for
// mse, bias, coverage and efficiency as above (the QQ plot stays with each
// condition: a dozen clouds of points about one line hide one another):
//
//   NAME.<estimand>.<kind>.svg     against n, a line per condition, its key
//                                  the condition's factors' values, for a
//                                  grid of at most max_grid_lines conditions
//   NAME.gK.<estimand>.<kind>.svg  a larger grid: one such figure per value
//                                  of its slowest factors (grid_groups)
//   NAME.<estimand>.<kind>-by-factor.svg
//                                  a grid of one factor: against its value,
//                                  a line per n (at most max_grid_lines n)
//
// Each line has +-2 MCSE bars, and lines are nudged apart along x so that
// their bars do not hide one another; a dashed line in a line's colour is its
// CRLB (mse: the sandwich variance for a misspecified fit), its sandwich
// interval's coverage (coverage) or the second estimator's relative
// efficiency (efficiency).
inline constexpr std::size_t max_grid_lines = 12;
inline constexpr std::size_t max_grid_groups = 24;

struct grid_figure_plan {
  figure_plan estimands;
  std::vector<std::string> notes;  // on the grid's figures as a whole: how they are split, or why not drawn
};

grid_figure_plan plan_grid_figures(const std::vector<experiment_result>& conditions);

// The grid's conditions in the groups its figures draw: those that share the
// values of the first `shared` factors (in the order of the grid, groups in
// the order they first appear), `shared` the fewest that leaves no group of
// more than max_grid_lines; one group of all when they are that few. Empty
// when no such split leaves a factor varying within each group and at most
// max_grid_groups groups.
struct condition_group {
  std::size_t shared = 0;
  std::string label;                   // "shape = 0.5": the values the group shares; empty for one group
  std::vector<std::size_t> conditions;  // indices into the grid, in its order
};
std::vector<condition_group> grid_groups(const std::vector<experiment_result>& conditions);

// Every figure's SVG, in plan order (estimand major), from one gnuplot
// process; empty when gnuplot is not installed. Throws std::runtime_error
// when gnuplot fails.
std::optional<std::vector<std::string>> draw_figures(const figure_plan& plan);

// The estimand's part of its figures' file names: the name itself when it is
// letters, digits, '-' and '_' and no other estimand's name equals it but for
// case; otherwise `estimand-K`, K its 1-based position.
std::string estimand_file_stem(const std::vector<std::string>& estimands, std::size_t index);

// The QQ plot's points from a histogram of Phi(z) in equal-probability bins:
// at the bin edges u_k = k/B, thinned to those at least 0.04 apart as N(0, 1)
// quantiles (every edge in the tails, every few in the middle), the point
// (Phi^-1(F_k), Phi^-1(u_k)), F_k the share of z below the edge: the
// empirical distribution of z, exactly, at those edges. Edges with F_k at 0
// or 1 (no finite normal quantile) are left out.
std::vector<std::pair<double, double>> qq_points(const std::vector<std::uint64_t>& histogram);

// The half-width of the simultaneous 95% band of an empirical distribution
// function of `count` draws, by the Dvoretzky-Kiefer-Wolfowitz inequality with
// Massart's constant: P(sup |F_R - F| > e) <= 2 exp(-2 R e^2) = 0.05.
double dkw_band(std::uint64_t count);

}  // namespace mlesim

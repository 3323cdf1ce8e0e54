// Performance measures of an estimator and their Monte Carlo standard errors,
// after Morris, White & Crowther (2019), Stat. Med. 38:2074, Table 6.
#pragma once

#include "sim/accumulator.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mlesim {

// Empty where a measure does not exist (no Fisher information, too few
// replications): reports print an empty field, never a zero or a NaN.
using maybe = std::optional<double>;

struct estimate_with_mcse {
  maybe value;
  maybe mcse;
};

struct normality_test {
  maybe statistic;  // Pearson chi-squared of z against N(0,1), equal-probability classes
  maybe p_value;
  int classes = 0;  // degrees of freedom = classes - 1
};

// The Wald intervals of one kind of standard error.
struct interval_measures {
  estimate_with_mcse model_se, model_se_relerr;
  estimate_with_mcse coverage, miss_below, miss_above;  // miss_below: truth below the interval
};

// A second, non-ML estimator run on the same draws (where the family has one).
struct comparison {
  std::uint64_t used = 0;      // replications where both estimates are finite
  std::uint64_t failures = 0;  // the MLE's finite, the alternative's not
  estimate_with_mcse bias, emp_se, mse;
  // MSE(alternative) / MSE(MLE) on the same replications: above 1 where the MLE is more efficient.
  estimate_with_mcse relative_efficiency;
};

struct measures {
  std::uint64_t reps = 0;      // replications run
  std::uint64_t failures = 0;  // no finite estimate (or no finite SE where one exists)
  std::uint64_t used = 0;      // reps - failures: every measure below uses these
  maybe mean;
  estimate_with_mcse bias, emp_se, mse;
  // emp_se^2 with its moment-based MCSE, sqrt((mu4 - mu2^2) / R), from the
  // errors' central moments; emp_se_mcse is the same divided by 2 emp_se.
  estimate_with_mcse variance;
  interval_measures fisher;    // SE from the Fisher information at the estimate
  interval_measures sandwich;  // SE from the sandwich estimator; empty unless the fit is misspecified
  maybe crlb;
  maybe sandwich_var;          // population A^-1 B A^-1 / n at the pseudo-true value (misspecified fits)
  estimate_with_mcse var_over_crlb;
  estimate_with_mcse skewness, excess_kurtosis;  // of z
  normality_test normality;
  std::optional<comparison> alternative;
  // The accumulator's counts of Phi(z) in its z_bins equal-probability bins
  // (bin b holds Phi(z) in [b, b + 1) / z_bins), kept for the QQ plot of z;
  // empty where no z was accumulated.
  std::vector<std::uint64_t> z_histogram;
};

// The order of the estimator's moments each figure's MCSE needs: the
// bias's its variance (2); emp_se, the MSE, the variance and var/CRLB, the
// model SE and its relative error, and the relative efficiency their
// squares' variances (4); the skewness and the kurtosis of z moments up to
// 6 and 8. A figure is reported only with its MCSE: where the estimator has
// finite moments only below order q (`moments_below`; the exponential
// rate's n/sum x at sample size n: below n), every figure whose MCSE needs
// order q or more is left empty, since a Monte Carlo estimate of it has no
// error that the run can state (a normal fitted to t5 data gave an excess
// kurtosis of sigma2-hat of 6.5 +- 1.4 for one that does not exist).
struct moment_needs {
  static constexpr double bias = 2, spread = 4, skewness = 6, kurtosis = 8;
};

// The figures a limit of `moments_below` leaves out, in words (for a
// report's note); empty where it leaves none out.
std::string figures_without_moments(double moments_below);

// `crlb` is empty for a family without Fisher information; `z_scale` is the
// divisor that made the accumulator's z from estimate minus its centre;
// `moments_below` the order below which the estimator's moments are finite
// (see moment_needs);
// `alternative_moments_below` the same for the second estimator, whose
// bias, emp_se and MSE need 2 and 4; the relative efficiency needs 4 of both.
measures summarize(const estimand_accumulator& acc, std::uint64_t reps, double truth, maybe crlb, maybe z_scale,
                   maybe sandwich_var = std::nullopt,
                   double moments_below = std::numeric_limits<double>::infinity(),
                   double alternative_moments_below = std::numeric_limits<double>::infinity());

// The alternative's measures from paired errors; empty with fewer than two pairs.
std::optional<comparison> compare(const paired_errors& paired);

// Central moments mu_2 .. mu_8 of z from its raw power sums (index = order).
std::array<double, 9> central_moments(const estimand_accumulator& acc);

struct slope_estimate {
  double slope = 0;
  double se = 0;  // Monte Carlo error alone, propagated from each point's MCSE
};

// Least-squares slope of log(mse) on log(n): about -1 for a regular model's
// sqrt(n)-consistent MLE, -2 for the uniform maximum. Needs two or more
// points with positive MSE; the points at different n are independent.
std::optional<slope_estimate> log_mse_slope(std::span<const double> n, std::span<const double> mse,
                                            std::span<const double> mse_mcse);

// Pearson's chi-squared test of a histogram of Phi(z) in equal bins against
// the uniform, with classes merged so each expects at least 5 counts.
normality_test chi_squared_normality(const estimand_accumulator& acc);

}  // namespace mlesim

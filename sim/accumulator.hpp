// Mergeable per-estimand sums over replications. Everything is a count, a raw
// power sum or a Welford/Chan centred sum, never an averaged summary, so two
// accumulators join exactly as if one had seen both runs (up to rounding,
// which the runner fixes by joining in replication order).
#pragma once

#include <array>
#include <cstdint>

namespace mlesim {

// Mean and sums of centred powers 2..4: Chan, Golub & LeVeque (1983) for m2;
// Pébay (2008), Sandia report SAND2008-6212 (Terriberry's form) for m3
// and m4, which give the delta-method MCSE of an SD without raw power sums
// about the truth (those cancel catastrophically when the bias is large
// against the spread).
struct centred_sums {
  std::uint64_t count = 0;
  double mean = 0;
  double m2 = 0;
  double m3 = 0;
  double m4 = 0;

  void add(double x) {
    const double before = static_cast<double>(count);
    ++count;
    const double n = static_cast<double>(count);
    const double delta = x - mean;
    const double delta_n = delta / n;
    const double term = delta * delta_n * before;
    m4 += term * delta_n * delta_n * (n * n - 3 * n + 3) + 6 * delta_n * delta_n * m2 - 4 * delta_n * m3;
    m3 += term * delta_n * (n - 2) - 3 * delta_n * m2;
    mean += delta_n;
    m2 += delta * (x - mean);
  }

  void merge(const centred_sums& other);
};

// Wald intervals estimate +- z se: the estimated variances v, where the truth
// fell, and the errors e on the same replications with the co-moments
// sum (v - v-bar)(e - e-bar) and sum (v - v-bar)(e - e-bar)^2 that the
// delta-method MCSE of model_se / emp_se needs.
struct interval_tally {
  centred_sums variances;
  centred_sums errors;
  double c_ve = 0, c_vee = 0;
  std::uint64_t covered = 0, miss_below = 0, miss_above = 0;  // miss_below: truth below the interval

  void add(double variance, double low, double high, double truth, double error);
  void merge(const interval_tally& other);
};

// A second estimator's errors b beside the MLE's a, on the replications
// where both are finite: the alternative's own bias and spread, and the raw
// sums of a^2, b^2 and their products that the relative efficiency
// MSE(b)/MSE(a) and its delta-method MCSE need.
struct paired_errors {
  centred_sums alternative;  // of b
  double sum_a2 = 0, sum_b2 = 0, sum_a4 = 0, sum_b4 = 0, sum_a2b2 = 0;
  std::uint64_t failures = 0;  // the MLE's estimate finite, the alternative's not

  void add(double a, double b) {
    alternative.add(b);
    const double a2 = a * a, b2 = b * b;
    sum_a2 += a2;
    sum_b2 += b2;
    sum_a4 += a2 * a2;
    sum_b4 += b2 * b2;
    sum_a2b2 += a2 * b2;
  }

  void merge(const paired_errors& other);
};

class estimand_accumulator {
 public:
  static constexpr int z_bins = 1000;  // equal-probability bins of Phi(z)
  static constexpr int z_powers = 8;   // moments up to 8 give the MCSE of the kurtosis

  void add_failure() { ++failures; }

  // One replication's finite estimate: the error e = estimate - truth.
  void add_estimate(double error) {
    errors.add(error);
    const double e2 = error * error;
    sum_error4 += e2 * e2;
  }

  void add_z(double z);
  void merge(const estimand_accumulator& other);

  std::uint64_t failures = 0;
  centred_sums errors;          // of estimate - truth, over finite estimates
  double sum_error4 = 0;        // raw, for the MCSE of the MSE
  interval_tally fisher;        // SE from the Fisher information at the estimate
  interval_tally sandwich;      // SE from the sandwich A^-1 B A^-1 (misspecified fits)
  paired_errors paired;         // a second estimator on the same draws, where the family has one
  std::uint64_t z_count = 0;
  std::array<double, z_powers> z_sums{};  // sum of z^1 .. z^8
  std::array<std::uint64_t, z_bins> z_histogram{};
};

}  // namespace mlesim

#include "sim/accumulator.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mlesim {

void centred_sums::merge(const centred_sums& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(count), nb = static_cast<double>(other.count);
  const double total = na + nb;
  const double delta = other.mean - mean;
  mean += delta * nb / total;
  m2 += other.m2 + delta * delta * na * nb / total;
  count += other.count;
}

void interval_tally::merge(const interval_tally& other) {
  variances.merge(other.variances);
  covered += other.covered;
  miss_below += other.miss_below;
  miss_above += other.miss_above;
}

void paired_errors::merge(const paired_errors& other) {
  alternative.merge(other.alternative);
  sum_a2 += other.sum_a2;
  sum_b2 += other.sum_b2;
  sum_a4 += other.sum_a4;
  sum_b4 += other.sum_b4;
  sum_a2b2 += other.sum_a2b2;
  failures += other.failures;
}

void estimand_accumulator::add_z(double z) {
  ++z_count;
  double power = 1;
  for (double& sum : z_sums) {
    power *= z;
    sum += power;
  }
  const double u = 0.5 * std::erfc(-z * std::numbers::sqrt2 / 2);  // Phi(z)
  const int bin = static_cast<int>(u * z_bins);
  ++z_histogram[static_cast<std::size_t>(std::clamp(bin, 0, z_bins - 1))];
}

void estimand_accumulator::merge(const estimand_accumulator& other) {
  failures += other.failures;
  errors.merge(other.errors);
  sum_error4 += other.sum_error4;
  fisher.merge(other.fisher);
  sandwich.merge(other.sandwich);
  paired.merge(other.paired);
  z_count += other.z_count;
  for (int p = 0; p < z_powers; ++p) z_sums[p] += other.z_sums[p];
  for (int b = 0; b < z_bins; ++b) z_histogram[b] += other.z_histogram[b];
}

}  // namespace mlesim

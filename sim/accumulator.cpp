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
  const double delta = other.mean - mean, delta2 = delta * delta;
  // Pébay (2008), from this side's m2 and m3 before they change.
  m4 += other.m4 + delta2 * delta2 * na * nb * (na * na - na * nb + nb * nb) / (total * total * total) +
        6 * delta2 * (na * na * other.m2 + nb * nb * m2) / (total * total) + 4 * delta * (na * other.m3 - nb * m3) / total;
  m3 += other.m3 + delta2 * delta * na * nb * (na - nb) / (total * total) + 3 * delta * (na * other.m2 - nb * m2) / total;
  mean += delta * nb / total;
  m2 += other.m2 + delta * delta * na * nb / total;
  count += other.count;
}

// One replication is the set B = {(v, e)} of the merge below: nB = 1, its
// co-moments and m2 zero.
void interval_tally::add(double variance, double low, double high, double truth, double error) {
  const double k = static_cast<double>(variances.count), total = k + 1;
  const double dv = variance - variances.mean, de = error - errors.mean;
  c_vee += -2 * de * c_ve / total - dv * errors.m2 / total + dv * de * de * k * (k - 1) / (total * total);
  c_ve += dv * de * k / total;
  variances.add(variance);
  errors.add(error);
  if (truth < low) ++miss_below;
  else if (truth > high) ++miss_above;
  else ++covered;
}

// The co-moments of A and B joined, with d = (mean of B) - (mean of A):
// C_ve = C_veA + C_veB + dv de nA nB / n and
// C_vee = C_veeA + C_veeB - 2 (nB/n) de C_veA + 2 (nA/n) de C_veB - (nB/n) dv M2eA + (nA/n) dv M2eB
//         + dv de^2 nA nB (nA - nB) / n^2
// (expand (v - v-bar)(e - e-bar)^2 about each side's means).
void interval_tally::merge(const interval_tally& other) {
  if (variances.count == 0) {
    c_ve = other.c_ve;
    c_vee = other.c_vee;
  } else if (other.variances.count > 0) {
    const double na = static_cast<double>(variances.count), nb = static_cast<double>(other.variances.count);
    const double total = na + nb;
    const double dv = other.variances.mean - variances.mean, de = other.errors.mean - errors.mean;
    c_vee += other.c_vee - 2 * nb / total * de * c_ve + 2 * na / total * de * other.c_ve -
             nb / total * dv * errors.m2 + na / total * dv * other.errors.m2 +
             dv * de * de * na * nb * (na - nb) / (total * total);
    c_ve += other.c_ve + dv * de * na * nb / total;
  }
  variances.merge(other.variances);
  errors.merge(other.errors);
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

// Replications for a target precision: the figures a config may give a
// target MCSE for (the CSV's measures that have one), and how many
// replications a row needs to meet it, from the MCSE formulas: every MCSE
// here falls as 1/sqrt(R), so R' = R (MCSE / target)^2 (Morris, White &
// Crowther 2019, section 5.3; for a coverage c that is c(1 - c) / target^2).
#pragma once

#include "sim/experiment.hpp"
#include "sim/measures.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace mlesim {

// The names, as the CSV spells the figure (its MCSE column adds `_mcse`).
std::span<const std::string_view> targetable_measures();
bool targetable(std::string_view measure);

// Whether each figure exists for a fitted model: an interval's needs the
// Fisher information, the sandwich's a misspecified fit (or sandwich
// intervals), the alternative's a family with a second estimator.
enum class figure_needs { always, information, crlb, sandwich, alternative };
figure_needs needs_of(std::string_view measure);

// One targeted figure of one row.
struct target_reading {
  bool met = false;
  // The replications the formula asks for; empty where the figure or its
  // MCSE does not exist (yet): the row runs on, to its maximum.
  std::optional<double> needed{};
};

// For a proportion (a coverage or a miss rate) of 0 or 1 the plain MCSE is
// 0, which would stop a pilot that saw no miss: there the MCSE is read at
// (x + 1/2) / (R + 1) instead, never below what the CSV prints.
target_reading read_target(const measures& m, const mcse_target& target);

// The row's reading over every target: met when each is; needed the largest.
target_reading read_targets(const measures& m, std::span<const mcse_target> targets);

}  // namespace mlesim

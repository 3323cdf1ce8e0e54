// `mlesim verify`'s judgements as text: pure functions.
#pragma once

#include "sim/verify.hpp"

#include <string>

namespace mlesim {

std::string verdict_markdown(const verification& v);
std::string verdict_console(const verification& v);
// One row per test: experiment, check, location, property, estimand, n,
// figure, se, target, margin, statistic, p_value, holm_p, rejected, expect, passed.
std::string verdict_csv(const std::string& experiment, const verification& v);

}  // namespace mlesim

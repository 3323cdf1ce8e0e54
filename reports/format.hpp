// Number formatting shared by the reports: pure functions, no sampling.
#pragma once

#include "sim/measures.hpp"

#include <string>

namespace mlesim::format {

// Shortest text that reads back to the same double; empty when absent. The
// CSV uses it, so a CSV is exact and byte-identical for identical results.
std::string exact(maybe value);

// "0.0123 ± 0.0004": the value to the decimal place of the MCSE's second
// significant digit; "—" when absent.
std::string with_mcse(const estimate_with_mcse& x);
std::string with_mcse(maybe value, maybe mcse);

// A value to `digits` significant digits, "—" when absent.
std::string brief(maybe value, int digits = 4);

}  // namespace mlesim::format

#include "reports/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace mlesim::format {

std::string exact(maybe value) { return value && std::isfinite(*value) ? fmt::format("{}", *value) : std::string(); }

// A value that is not finite has no digits to show: it prints as absent, and
// an MCSE that is not finite as none (floor(log10(inf)) cast to int was
// undefined behaviour, flagged by UBSan).
std::string brief(maybe value, int digits) {
  if (!value || !std::isfinite(*value)) return "—";
  return fmt::format("{:.{}g}", *value, digits);
}

std::string with_mcse(maybe value, maybe mcse) {
  if (!value || !std::isfinite(*value)) return "—";
  if (!mcse || !std::isfinite(*mcse)) return brief(value);
  const double m = *mcse;
  if (!(m > 0)) return fmt::format("{} ± 0", brief(value, 6));
  const int decimals = std::max(0, 1 - static_cast<int>(std::floor(std::log10(m))));
  if (decimals > 8 || m >= 1e6 || std::abs(*value) >= 1e9) return fmt::format("{:.3g} ± {:.2g}", *value, m);
  return fmt::format("{:.{}f} ± {:.{}f}", *value, decimals, m, decimals);
}

std::string with_mcse(const estimate_with_mcse& x) { return with_mcse(x.value, x.mcse); }

}  // namespace mlesim::format

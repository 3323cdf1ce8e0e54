// Debian's gnuplot (gnuplot-nox), run as a child process, draws the figures:
// the script goes to its standard input and the SVG documents come back on
// its standard output, so no file is written on the way.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// gnuplot failed (it could not be started, exited non-zero, was killed, or
// wrote something other than the figures): the README's exit 2, with
// gnuplot's own message, not an internal error of mlesim's.
class gnuplot_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A script that draws several figures ends each one with these lines: the
// SVG terminal closes the document, then the marker line separates it from
// the next on standard output.
std::string gnuplot_end_of_figure();

// Runs `gnuplot -d` (no initialization files, so a user's ~/.gnuplot cannot
// change a figure) with LC_ALL=C on `script` and returns the `figures` SVG
// documents it wrote, in order. Empty (std::nullopt) when no gnuplot is on
// PATH. Throws gnuplot_error, with gnuplot's own message, when it fails:
// a non-zero exit, a signal, a key it could not fit (it would leave it out),
// or output that is not `figures` SVG documents.
std::optional<std::vector<std::string>> run_gnuplot(std::string_view script, std::size_t figures);

}  // namespace mlesim

// Debian's gnuplot (gnuplot-nox), run as a child process, draws the figures:
// the script goes to its standard input and the SVG documents come back on
// its standard output, so no file is written on the way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// A script that draws several figures ends each one with these lines: the
// SVG terminal closes the document, then the marker line separates it from
// the next on standard output.
std::string gnuplot_end_of_figure();

// Runs `gnuplot -d` (no initialization files, so a user's ~/.gnuplot cannot
// change a figure) with LC_ALL=C on `script` and returns the `figures` SVG
// documents it wrote, in order. Empty (std::nullopt) when no gnuplot is on
// PATH. Throws std::runtime_error, with gnuplot's own message, when it fails:
// a non-zero exit, a signal, a key it could not fit (it would leave it out),
// or output that is not `figures` SVG documents.
std::optional<std::vector<std::string>> run_gnuplot(std::string_view script, std::size_t figures);

}  // namespace mlesim

// The mlesim command line, callable in-process (tests, a program of one's
// own built against libmlesim) as from main().
#pragma once

#include <exception>
#include <string>

namespace mlesim {

// Exit codes. 1 and 2 say something about the user's input; 3 says mlesim
// itself went wrong.
inline constexpr int exit_ok = 0;
inline constexpr int exit_property_failed = 1;  // a verified property failed, or a fit did not converge
inline constexpr int exit_bad_input = 2;         // usage, config, data or state error, or an unusable output folder
inline constexpr int exit_internal_error = 3;    // an error mlesim did not expect: a bug, to be reported

class catalogue;
catalogue& families();

// The mlesim command line: `run`, `verify`, `fit`, `merge`, `report` and
// `models`, over the families of `known` (by default the program's
// catalogue: the built-ins and whatever was registered, sim/register.hpp),
// which becomes the program's catalogue. Returns the exit code.
int cli(int argc, char** argv, catalogue& known = families());

// What an exception that ends a command means, and the one line (after
// "mlesim: ") that says it. The user's input or environment: a bad flag,
// config, data file or state (input_error, state_error), an output folder
// that cannot be used (output_error), a path the system refuses
// (std::filesystem::filesystem_error, with the OS's reason) or a gnuplot
// that fails (gnuplot_error, with its message): exit 2 with the message. Anything else (a std::logic_error, a library's exception that no
// check caught, std::bad_alloc, a non-standard exception) is mlesim's own
// fault: exit 3, "internal error: ... (please report)".
struct failure {
  int exit_code;
  std::string message;
};
failure classify_failure(std::exception_ptr error);

}  // namespace mlesim

// The mlesim command line, callable in-process (tests) as from main().
#pragma once

namespace mlesim {

// Exit codes: 0 success, 1 a verified property failed, 2 usage, config or
// data error (one line on stderr naming the place).
int run_cli(int argc, char** argv);

}  // namespace mlesim

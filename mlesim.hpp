// The public API of libmlesim in one include (docs/library.md): the family
// concept and its value types (estimators/family.hpp), the runtime catalogue
// and register_family<F>() (sim/catalogue.hpp, sim/register.hpp), the
// runner and verify (sim/study.hpp, sim/verify.hpp), and the command line,
// mlesim::cli (app/cli.hpp).
#pragma once

#include "app/cli.hpp"
#include "estimators/family.hpp"
#include "sim/catalogue.hpp"
#include "sim/register.hpp"
#include "sim/study.hpp"
#include "sim/verify.hpp"

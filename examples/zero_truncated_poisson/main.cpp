// A program with mlesim's whole command line (`run`, `verify`, `fit`,
// `models`, ...) for the built-in families and one of its own.
#include "zero_truncated_poisson.hpp"

#include <mlesim/mlesim.hpp>

int main(int argc, char** argv) {
  mlesim::register_family<zero_truncated_poisson>();
  return mlesim::cli(argc, argv);
}

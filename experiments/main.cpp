#include "experiments/cli.hpp"

int main(int argc, char** argv) { return mlesim::run_cli(argc, argv); }

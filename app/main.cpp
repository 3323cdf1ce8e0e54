#include "app/cli.hpp"

int main(int argc, char** argv) { return mlesim::cli(argc, argv); }

// The stock loopcheck CLI: the built-in scenarios and catalog, nothing added.
#include "tools/loopcheck/cli.h"

int main(int argc, char** argv) { return loopcheck::loopcheck_main(argc, argv); }

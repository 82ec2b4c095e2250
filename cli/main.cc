#include "cli/commands.h"

int main(int argc, char** argv) { return cadenza::cli::Run(argc, argv); }

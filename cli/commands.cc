#include "cli/commands.h"

#include <cxxopts.hpp>
#include <iostream>
#include <string_view>

#include "analyzer/error.h"
#include "cli/subcommands.h"

namespace cadenza::cli {

namespace {

struct Subcommand {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);
};

constexpr Subcommand kSubcommands[] = {
    {"eval", "evaluate the dataflows of a MAESTRO .m file on a hardware file", RunEval},
    {"layers", "list the MAC layers of an ONNX model with exact dimensions", RunLayers},
};

void PrintUsage(std::ostream& out) {
  out << "usage: cadenza [--help] [--version] SUBCOMMAND [OPTIONS]\n\n"
         "Cadenza estimates how fast and how energy-hungry each layer of a DNN runs on a\n"
         "spatial accelerator under each candidate dataflow.\n\nsubcommands:\n";
  for (const Subcommand& s : kSubcommands) {
    out << "  " << s.name << std::string(10 - s.name.size(), ' ') << s.summary << "\n";
  }
  out << "\nRun 'cadenza SUBCOMMAND --help' for a subcommand's options.\n";
}

}  // namespace

int Run(int argc, char** argv) {
  try {
    if (argc < 2) {
      PrintUsage(std::cerr);
      return 2;
    }
    const std::string_view first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
      PrintUsage(std::cout);
      return 0;
    }
    if (first == "--version" || first == "-V") {
      std::cout << "cadenza " << CADENZA_VERSION << "\n";
      return 0;
    }
    for (const Subcommand& s : kSubcommands) {
      if (s.name == first) return s.run(argc - 1, argv + 1);
    }
    throw UsageError("unknown subcommand '" + std::string(first) + "'");
  } catch (const UsageError& e) {
    std::cerr << "cadenza: usage error: " << e.what() << "\n"
              << "Try 'cadenza --help'.\n";
    return 2;
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "cadenza: usage error: " << e.what() << "\n"
              << "Try 'cadenza --help'.\n";
    return 2;
  } catch (const InputError& e) {
    std::cerr << "cadenza: error: " << e.what() << "\n";
    return 1;
  } catch (const InternalError& e) {
    std::cerr << "cadenza: internal error (please report): " << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "cadenza: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "cadenza: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace cadenza::cli

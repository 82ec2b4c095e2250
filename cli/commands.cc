#include "cli/commands.h"

#include <algorithm>
#include <cxxopts.hpp>
#include <exception>
#include <functional>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/diagnostics.h"
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
    {"search", "find the best dataflow per layer and write the review report", RunSearch},
    {"dse", "explore hardware design points: Pareto front of latency, energy and area", RunDse},
    {"diff", "compare two search reviews of one network: totals, dataflow changes", RunDiff},
    {"simulate", "count a .m file's dataflows exactly with the brute-force reference simulator",
     RunSimulate},
};

const Subcommand* FindSubcommand(std::string_view name) {
  for (const Subcommand& s : kSubcommands) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string UnknownSubcommand(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Subcommand& s : kSubcommands) names.push_back(s.name);
  return "unknown subcommand '" + std::string(name) + "'" + DidYouMean(name, names);
}

void PrintUsage(std::ostream& out, const cxxopts::Options& options) {
  out << options.help() << "\nSubcommands:\n";
  for (const Subcommand& s : kSubcommands) {
    out << "  " << s.name << std::string(10 - s.name.size(), ' ') << s.summary << "\n";
  }
  out << "\nRun 'cadenza SUBCOMMAND --help' for a subcommand's options.\n";
}

// cxxopts quotes with typographic quotes; our messages use plain ones.
std::string PlainQuotes(std::string text) {
  for (std::string_view quote : {"\u2018", "\u2019"}) {
    for (size_t at = text.find(quote); at != std::string::npos; at = text.find(quote, at)) {
      text.replace(at, quote.size(), "'");
    }
  }
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

// `hint` receives the help command to suggest if the subcommand rejects its arguments.
int Dispatch(int argc, char** argv, std::string* hint) {
  cxxopts::Options options(
      "cadenza",
      "Cadenza estimates how fast and how energy-hungry each layer of a DNN runs on a spatial\n"
      "accelerator under a given dataflow.\n");
  options.custom_help("[--help] [--version] SUBCOMMAND [OPTIONS]");
  options.add_options()("h,help", "print this help")("V,version", "print the version");

  // Options before the subcommand are cadenza's own; the rest belong to the subcommand.
  int first = 1;
  while (first < argc && argv[first][0] == '-') ++first;
  const cxxopts::ParseResult args = options.parse(first, argv);
  if (args.count("help") > 0) {
    PrintUsage(std::cout, options);
    return 0;
  }
  if (args.count("version") > 0) {
    std::cout << "cadenza " << CADENZA_VERSION << "\n";
    return 0;
  }
  if (first == argc) {
    PrintUsage(std::cerr, options);
    return 2;
  }
  std::string_view name = argv[first];
  if (name == "help") {
    // "cadenza help eval" is "cadenza eval --help".
    if (first + 1 == argc) {
      PrintUsage(std::cout, options);
      return 0;
    }
    const Subcommand* s = FindSubcommand(argv[first + 1]);
    if (s == nullptr) throw UsageError(UnknownSubcommand(argv[first + 1]));
    char help[] = "--help";
    char* sub_argv[] = {argv[first + 1], help, nullptr};
    return s->run(2, sub_argv);
  }
  const Subcommand* s = FindSubcommand(name);
  if (s == nullptr) throw UsageError(UnknownSubcommand(name));
  *hint = "cadenza " + std::string(name) + " --help";
  return s->run(argc - first, argv + first);
}

}  // namespace

int RunReportingErrors(const std::function<int(std::string* hint)>& body, std::ostream& err) {
  std::string hint = "cadenza --help";
  try {
    return body(&hint);
  } catch (const UsageError& e) {
    err << "cadenza: usage error: " << e.what() << "\n"
        << "Try '" << hint << "'.\n";
    return 2;
  } catch (const cxxopts::exceptions::exception& e) {
    err << "cadenza: usage error: " << PlainQuotes(e.what()) << "\n"
        << "Try '" << hint << "'.\n";
    return 2;
  } catch (const InputError& e) {
    err << "cadenza: error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    // Every input is bounded before it is used (docs/maestro-compatibility.md, "Errors instead
    // of crashes"), so running out of memory means a bound is missing: a bug.
    err << "cadenza: internal error (please report): out of memory\n";
    return 3;
  } catch (const std::exception& e) {
    // InternalError (a failed CADENZA_CHECK), and anything the standard library or a dependency
    // threw that the code did not turn into an InputError: the user cannot fix it.
    err << "cadenza: internal error (please report): " << e.what() << "\n";
    return 3;
  } catch (...) {
    err << "cadenza: internal error (please report): an exception of unknown type\n";
    return 3;
  }
}

int Run(int argc, char** argv) {
  return RunReportingErrors([&](std::string* hint) { return Dispatch(argc, argv, hint); },
                            std::cerr);
}

}  // namespace cadenza::cli

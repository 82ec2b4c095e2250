// cadenza diff: two search reviews of one network side by side.

#include <cxxopts.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/input_file.h"
#include "cli/common_options.h"
#include "cli/output_file.h"
#include "cli/run_support.h"
#include "cli/subcommands.h"
#include "report/review_diff.h"

namespace cadenza::cli {

int RunDiff(int argc, char** argv) {
  cxxopts::Options options(
      "cadenza diff",
      "Compares two search reviews ('cadenza search --json') of the same network: another\n"
      "hardware, objective, cost model or Cadenza version. Prints what differs, the totals\n"
      "and every layer whose dataflow, cycles or energy changed; -o writes the comparison\n"
      "as one self-contained HTML page.\n");
  options.custom_help("A.json B.json [-o DIFF.html]");
  options.add_options()
      // Two keys, not one list: cxxopts splits a list value at commas, and a path may hold one.
      ("review-a", "the first review (given without a flag)", cxxopts::value<std::string>())
      ("review-b", "the second review (given without a flag)", cxxopts::value<std::string>())
      ("o,output", "write the comparison as HTML here (- is standard output)",
       cxxopts::value<std::string>(), "DIFF.html")
      ("h,help", "print this help");
  const std::optional<cxxopts::ParseResult> parsed =
      ParseCommandLine("diff", options, {"review-a", "review-b"}, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  std::vector<std::string> inputs;
  for (const char* key : {"review-a", "review-b"}) {
    if (args.count(key) > 0) inputs.push_back(args[key].as<std::string>());
  }
  if (inputs.size() != 2) {
    throw UsageError("diff: needs two review JSON files (A.json B.json), got " +
                     std::to_string(inputs.size()));
  }
  std::vector<std::pair<std::string, std::string>> outputs;
  if (args.count("output") > 0) outputs.emplace_back("-o", args["output"].as<std::string>());
  CheckOutputPaths("diff", outputs, {{"review A", inputs[0]}, {"review B", inputs[1]}});

  const ReviewSummary a = ReadReviewJson(ReadInputFile(inputs[0]), inputs[0]);
  const ReviewSummary b = ReadReviewJson(ReadInputFile(inputs[1]), inputs[1]);
  const ReviewDiff diff = DiffReviews(a, b);
  std::ostream& summary = AnyToStdout(outputs) ? std::cerr : std::cout;
  WriteDiffText(diff, summary);
  if (!outputs.empty()) {
    const std::string& path = outputs[0].second;
    WriteOutput(path, [&](std::ostream& out) { WriteDiffHtml(diff, out); });
    if (path != kStdoutPath) summary << "wrote " << path << '\n';
  }
  return 0;
}

}  // namespace cadenza::cli

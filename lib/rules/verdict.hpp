#pragma once
// What the engine decides: a Verdict with one Finding per rule (docs/architecture.md
// "Verdict"), and how it maps to the exit status.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "rules/rule.hpp"
#include "rules/subject.hpp"

namespace preflight {

// pass; warn; block; waived (a waiver with its reason); skip (not applicable,
// with the reason); error (a fact it needs is unknown: undecided, exit 2, unless
// another rule blocks).
enum class Status { pass, warn, block, waived, skip, error };
// undecided: some rule errored and none blocks (exit 2, never a go).
enum class VerdictKind { go, warn, no_go, undecided };

std::string to_string(Status s);
// Reports list findings most serious first: error, block, warn, waived, pass, skip.
inline int report_rank(Status s) {
  switch (s) {
    case Status::error: return 0;
    case Status::block: return 1;
    case Status::warn: return 2;
    case Status::waived: return 3;
    case Status::pass: return 4;
    case Status::skip: return 5;
  }
  return 6;
}
std::string to_string(VerdictKind v);  // "go" | "warn" | "no-go" | "undecided"

struct Finding {
  std::string rule;
  std::string title;
  Status status = Status::pass;
  std::string message;
  nlohmann::json evidence = nlohmann::json::object();
  std::string remediation;  // empty on pass/skip
  std::string waiver_reason;  // when waived
  std::vector<std::string> requirements;
  std::vector<Subject> subjects;  // what it is about (rules/subject.hpp); those of the check's result
  // The rule's templates `message` and `remediation` were filled from (with the
  // evidence and vm, source, destination), for reports that shorten lists; the
  // remediation's is the rule's `remediation_text` when it has one. Empty when the
  // check or the engine wrote the text itself.
  std::string message_template;
  std::string remediation_template;
};

struct Estimate {
  double total_s = 0.0;      // predicted wall time of the move
  double downtime_ms = 0.0;  // predicted stop-and-copy pause
  // The inputs that were assumed, not known, as outputs name them ("1 Gbit/s link",
  // "an idle guest"); empty: none.
  std::vector<std::string> assumed;
  int iterations = 0;       // bitmap syncs, as libvirt counts them; 0 when not pre-copy
  double bytes_sent = 0;    // memory data sent, all passes
  // A --timeout for the move: twice the estimate plus 30 s, rounded up to 10 s; 0 when
  // pre-copy is not expected to converge (then no timeout lets it finish).
  double suggested_timeout_s = 0.0;
};

struct Verdict {
  VerdictKind verdict = VerdictKind::no_go;
  std::string vm, source, destination;
  std::vector<Finding> results;  // one per rule, catalog order
  Estimate estimate;
};

// block -> no_go (an error elsewhere cannot turn it into a go); else error anywhere
// (or the verdict undecided) -> undecided; warn -> no_go under strict, else go.
ExitCode exit_code(const Verdict& v, bool strict);

}  // namespace preflight

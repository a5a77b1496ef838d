#include "cpu/cpu_file.hpp"

#include <exception>
#include <thread>

#include <pugixml.hpp>

#include "core/input_limits.hpp"
#include "core/xml_text.hpp"

namespace preflight {

namespace {

constexpr unsigned kCpuParse = pugi::parse_cdata | pugi::parse_escapes;
constexpr const char* kHint = "give a file of <cpu> elements (virsh capabilities, domcapabilities or dumpxml)";

// The top-level elements of `doc` when all are <cpu>; empty otherwise.
std::vector<pugi::xml_node> cpu_elements(const pugi::xml_document& doc) {
  std::vector<pugi::xml_node> nodes;
  for (auto n : doc.children()) {
    if (n.type() != pugi::node_element) continue;
    if (std::string_view(n.name()) != "cpu") return {};
    nodes.push_back(n);
  }
  return nodes;
}

std::string cpu_name(const std::string& arg, size_t i, size_t count) {
  return count == 1 ? arg : arg + "#" + std::to_string(i + 1);
}

// A piece shorter than this cannot break check_xml_tree's limits: a node nested
// deeper than kMaxNestingDepth needs that many start tags of at least 3 bytes
// ("<a>"), and no value is longer than its piece (decoding only shrinks text).
constexpr size_t kPieceNeedsNoTreeCheck = 3 * kMaxNestingDepth;
static_assert(kPieceNeedsNoTreeCheck < kMaxStringBytes);

// Pieces [lo, hi) of `text`, in order, into `cpus`. Stops at the first piece that is
// not exactly one <cpu> (returns false) or whose CPU is bad (throws), as one pass would.
bool read_pieces(std::string& text, const std::vector<std::pair<size_t, size_t>>& pieces, size_t lo, size_t hi,
                 const std::string& arg, const CpuCatalog& catalog, std::vector<HostCpu>& cpus) {
  cpus.reserve(hi - lo);
  pugi::xml_document doc;
  for (size_t i = lo; i < hi; ++i) {
    const auto [begin, end] = pieces[i];
    if (!doc.load_buffer_inplace(text.data() + begin, end - begin, kCpuParse)) return false;
    const std::vector<pugi::xml_node> nodes = cpu_elements(doc);
    if (nodes.size() != 1) return false;
    if (end - begin >= kPieceNeedsNoTreeCheck) check_xml_tree(doc, arg, kHint);
    const std::string name = cpu_name(arg, i, pieces.size());
    cpus.push_back(resolve_cpu_element(nodes[0], name, name, catalog));
  }
  return true;
}

// Below this many pieces one thread is quicker than starting a second.
constexpr size_t kPiecesForTwoThreads = 512;


}  // namespace

// Thousands of <cpu> elements, one at a time: each piece up to a "</cpu>" is
// parsed (by pugixml) into one reused document (one per thread), so memory stays
// at one CPU's worth. nullopt when any piece is not exactly one whole <cpu> element (a comment
// or CDATA holding "</cpu>", text after the last one...): the caller then parses
// the file as one document, which decides.
std::optional<std::vector<HostCpu>> cpus_from_pieces(std::string& text, const std::string& arg,
                                                     const CpuCatalog& catalog) {
  check_xml_text(text, arg, kHint);
  static constexpr std::string_view kEnd = "</cpu>";
  std::vector<std::pair<size_t, size_t>> pieces;
  for (size_t pos = 0;;) {
    const size_t end = text.find(kEnd, pos);
    if (end == std::string::npos) {
      if (text.find_first_not_of(" \t\r\n", pos) != std::string::npos) return std::nullopt;
      break;
    }
    pieces.emplace_back(pos, end + kEnd.size());
    pos = end + kEnd.size();
  }
  if (pieces.empty()) return std::nullopt;
  std::vector<HostCpu> cpus;
  // Two threads on two halves when there are many (the pieces are disjoint parts of
  // `text`, the catalog is only read). The answer is the one pass's: the first
  // half's refusal or error, if any, comes first; then the second half's.
  if (pieces.size() < kPiecesForTwoThreads || std::thread::hardware_concurrency() < 2) {
    if (!read_pieces(text, pieces, 0, pieces.size(), arg, catalog, cpus)) return std::nullopt;
    return cpus;
  }
  cpus.reserve(pieces.size());
  const size_t mid = pieces.size() / 2;
  std::vector<HostCpu> second;
  bool second_ok = false;
  std::exception_ptr second_error;
  std::thread worker([&] {
    try {
      second_ok = read_pieces(text, pieces, mid, pieces.size(), arg, catalog, second);
    } catch (...) {
      second_error = std::current_exception();
    }
  });
  bool first_ok = false;
  try {
    first_ok = read_pieces(text, pieces, 0, mid, arg, catalog, cpus);
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  if (!first_ok) return std::nullopt;
  if (second_error) std::rethrow_exception(second_error);
  if (!second_ok) return std::nullopt;
  for (auto& c : second) cpus.push_back(std::move(c));
  return cpus;
}


std::optional<std::vector<HostCpu>> cpus_from_document(std::string text, const std::string& name,
                                                       const CpuCatalog& catalog) {
  check_xml_text(text, name, kHint);
  pugi::xml_document doc;
  // Entities decoded; no end-of-line or attribute whitespace normalisation, which
  // cannot change a CPU name, model or feature that libvirt accepts.
  if (!doc.load_buffer_inplace(text.data(), text.size(), kCpuParse)) return std::nullopt;
  check_xml_tree(doc, name, kHint);
  const std::vector<pugi::xml_node> nodes = cpu_elements(doc);
  if (nodes.empty()) return std::nullopt;
  std::vector<HostCpu> cpus;
  cpus.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string n = cpu_name(name, i, nodes.size());
    cpus.push_back(resolve_cpu_element(nodes[i], n, n, catalog));
  }
  return cpus;
}

}  // namespace preflight

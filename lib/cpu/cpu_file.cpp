#include "cpu/cpu_file.hpp"

#include <array>
#include <cstdint>
#include <exception>
#include <string_view>
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

// A piece shorter than this cannot break check_xml_tree's limits (but for a repeated
// attribute, checked in every piece): a node nested
// deeper than kMaxNestingDepth needs that many start tags of at least 3 bytes
// ("<a>"), and no value is longer than its piece (decoding only shrinks text).
constexpr size_t kPieceNeedsNoTreeCheck = 3 * kMaxNestingDepth;
static_assert(kPieceNeedsNoTreeCheck < kMaxStringBytes);

// Pieces order[lo, hi) of `text`, in that order, into `cpus`. Stops at the first piece
// that is not exactly one <cpu> (returns false) or whose CPU is bad (throws), as one
// pass would.
bool read_pieces(std::string& text, const std::vector<std::pair<size_t, size_t>>& pieces,
                 const std::vector<size_t>& order, size_t lo, size_t hi, const std::string& arg,
                 const CpuCatalog& catalog, std::vector<HostCpu>& cpus) {
  cpus.reserve(hi - lo);
  pugi::xml_document doc;
  for (size_t i = lo; i < hi; ++i) {
    const auto [begin, end] = pieces[order[i]];
    if (!doc.load_buffer_inplace(text.data() + begin, end - begin, kCpuParse)) return false;
    const std::vector<pugi::xml_node> nodes = cpu_elements(doc);
    if (nodes.size() != 1) return false;
    if (end - begin >= kPieceNeedsNoTreeCheck)
      check_xml_tree(doc, arg, kHint);
    else
      check_xml_attributes(doc, arg, kHint);
    const std::string name = cpu_name(arg, order[i], pieces.size());
    cpus.push_back(resolve_cpu_element(nodes[0], name, name, catalog));
  }
  return true;
}

// Below this many pieces to parse one thread is quicker than starting a second.
constexpr size_t kPiecesForTwoThreads = 512;

// The pieces `order` lists, parsed, in that order: two threads on two halves when
// there are many (the pieces are disjoint parts of `text`, the catalog is only
// read). The answer is the one pass's: the first half's refusal (nullopt) or error,
// if any, comes first; then the second half's.
std::optional<std::vector<HostCpu>> parse_pieces(std::string& text, const std::vector<std::pair<size_t, size_t>>& pieces,
                                                 const std::vector<size_t>& order, const std::string& arg,
                                                 const CpuCatalog& catalog) {
  std::vector<HostCpu> cpus;
  if (order.size() < kPiecesForTwoThreads || std::thread::hardware_concurrency() < 2) {
    if (!read_pieces(text, pieces, order, 0, order.size(), arg, catalog, cpus)) return std::nullopt;
    return cpus;
  }
  cpus.reserve(order.size());
  const size_t mid = order.size() / 2;
  std::vector<HostCpu> second;
  bool second_ok = false;
  std::exception_ptr second_error;
  std::thread worker([&] {
    try {
      second_ok = read_pieces(text, pieces, order, mid, order.size(), arg, catalog, second);
    } catch (...) {
      second_error = std::current_exception();
    }
  });
  bool first_ok = false;
  try {
    first_ok = read_pieces(text, pieces, order, 0, mid, arg, catalog, cpus);
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

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The bytes a bare CPU's text may hold (not a blank, '<' or '&'): one load a byte.
constexpr std::array<bool, 256> kBareTextByte = [] {
  std::array<bool, 256> ok{};
  for (size_t c = 0; c < 256; ++c) ok[c] = !is_blank(static_cast<char>(c)) && c != '<' && c != '&';
  return ok;
}();

// The commonest <cpu>, read without a parser from the start of `text`: blanks,
// "<cpu>", then only <arch>, <model> and <vendor> children (each at most once, no
// attribute, no blank inside a tag), each holding text without blanks, '<' or '&',
// with blanks between them, then "</cpu>". Such a piece is well-formed XML that the
// parser reads into the same three values (no entity to decode, nothing to trim),
// and it ends at the first "</cpu>" of `text` (no tag or text it holds can start
// one). Returns the piece's length, 0 for anything else (the parser then reads it).
struct BareCpu {
  std::string_view arch, model, vendor;
};
size_t read_bare_cpu(std::string_view text, BareCpu& cpu) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const auto skip_blanks = [&] {
    while (p < end && is_blank(*p)) ++p;
  };
  // The literal `s` at p (taken), without a library call: these are a few bytes.
  const auto take = [&]<size_t N>(const char (&s)[N]) {
    if (static_cast<size_t>(end - p) < N - 1) return false;
    for (size_t i = 0; i + 1 < N; ++i)
      if (p[i] != s[i]) return false;
    p += N - 1;
    return true;
  };
  // A child's text into `field`; false when empty or the field was already read.
  const auto read_text = [&](std::string_view& field) {
    const char* const start = p;
    while (p < end && kBareTextByte[static_cast<unsigned char>(*p)]) ++p;
    if (p == start || !field.empty()) return false;
    field = std::string_view(start, static_cast<size_t>(p - start));
    return true;
  };
  skip_blanks();
  if (!take("<cpu>")) return 0;
  for (;;) {
    skip_blanks();
    if (take("</cpu>")) return static_cast<size_t>(p - text.data());
    const bool child = take("<arch>")     ? read_text(cpu.arch) && take("</arch>")
                       : take("<model>")  ? read_text(cpu.model) && take("</model>")
                       : take("<vendor>") ? read_text(cpu.vendor) && take("</vendor>")
                                          : false;
    if (!child) return 0;
  }
}

// What resolve_cpu_element makes of a bare CPU, as a key: its catalog model and
// its stated vendor (0: none, else catalog index + 1). nullopt when the model or
// vendor is unknown, the arch not x86 or no model is named: such a piece goes to the
// parser, which says what is wrong (or reads what this does not).
struct BareKey {
  size_t model = 0;
  size_t vendor = 0;
};
std::optional<BareKey> bare_key(const BareCpu& cpu, const CpuCatalog& catalog) {
  if (!cpu.arch.empty() && cpu.arch != "x86_64" && cpu.arch != "i686" && cpu.arch != "i386") return std::nullopt;
  const std::optional<size_t> model = catalog.find_model_id(cpu.model);
  if (!model) return std::nullopt;
  BareKey key{*model, 0};
  if (!cpu.vendor.empty()) {
    const int v = catalog.find_vendor(cpu.vendor);
    if (v < 0) return std::nullopt;
    key.vendor = static_cast<size_t>(v) + 1;
  }
  return key;
}

}  // namespace

// Thousands of <cpu> elements, one at a time: each piece up to a "</cpu>" is read
// by read_bare_cpu, or else parsed (by pugixml) into one reused document (one per
// thread), so memory stays at one CPU's worth. nullopt when any piece is not
// exactly one whole <cpu> element (a comment or CDATA holding "</cpu>", text after
// the last one...): the caller then parses the file as one document, which decides.
std::optional<BaselineInputs> baseline_inputs_from_pieces(std::string& text, const std::string& arg,
                                                          const CpuCatalog& catalog) {
  check_xml_text(text, arg, kHint);
  static constexpr std::string_view kEnd = "</cpu>";
  // Pieces up to each "</cpu>": read bare where they are (the bare reading ends at
  // the same "</cpu>"), else searched for and left to the parser. Per piece its
  // bare key's slot (model * (vendors + 1) + vendor), or kParsed.
  constexpr uint32_t kParsed = UINT32_MAX;
  const size_t vendor_slots = catalog.vendors().size() + 1;
  std::vector<std::pair<size_t, size_t>> pieces;
  std::vector<uint32_t> slot_of;
  std::vector<size_t> parsed;  // pieces for the parser, in order
  for (size_t pos = 0;;) {
    BareCpu cpu;
    if (const size_t n = read_bare_cpu(std::string_view(text).substr(pos), cpu))
      if (const std::optional<BareKey> key = bare_key(cpu, catalog)) {
        pieces.emplace_back(pos, pos + n);
        slot_of.push_back(static_cast<uint32_t>(key->model * vendor_slots + key->vendor));
        pos += n;
        continue;
      }
    const size_t end = text.find(kEnd, pos);
    if (end == std::string::npos) {
      if (text.find_first_not_of(" \t\r\n", pos) != std::string::npos) return std::nullopt;
      break;
    }
    parsed.push_back(pieces.size());
    pieces.emplace_back(pos, end + kEnd.size());
    slot_of.push_back(kParsed);
    pos = end + kEnd.size();
  }
  if (pieces.empty()) return std::nullopt;
  std::vector<HostCpu> cpus;
  if (!parsed.empty()) {
    std::optional<std::vector<HostCpu>> got = parse_pieces(text, pieces, parsed, arg, catalog);
    if (!got) return std::nullopt;
    cpus = std::move(*got);
  }

  // The inputs in order, a kind per distinct bare key (made at its first piece) and
  // per parsed piece.
  BaselineInputs in;
  in.kind_of.reserve(pieces.size());
  std::vector<uint32_t> kind_of_slot(catalog.models().size() * vendor_slots, kParsed);
  for (size_t i = 0, next = 0; i < pieces.size(); ++i) {
    const uint32_t slot = slot_of[i];
    if (slot == kParsed) {
      in.kind_of.push_back(static_cast<uint32_t>(in.kinds.size()));
      const BaselineInput b = baseline_input(cpus[next++]);
      in.kinds.push_back({b.features, b.vendor, b.vendor_explicit, b.model});
      continue;
    }
    uint32_t& kind = kind_of_slot[slot];
    if (kind == kParsed) {  // as describe_definition resolves a CPU without a feature
      kind = static_cast<uint32_t>(in.kinds.size());
      const CpuModel& model = catalog.models()[slot / vendor_slots];
      const size_t vendor = slot % vendor_slots;
      in.kinds.push_back({model.features, vendor ? static_cast<int>(vendor - 1) : model.vendor, vendor != 0, model.name});
    }
    in.kind_of.push_back(kind);
  }
  if (pieces.size() == 1)
    in.names.add_one(arg);
  else
    in.names.add_numbered(arg, pieces.size());
  return in;
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

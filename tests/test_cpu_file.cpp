// A file of <cpu> elements read in pieces (cpu/cpu_file.hpp): the commonest form
// (model, vendor, arch) is read without a parser, everything else by pugixml. Both
// readings of a file must give the same inputs as parsing it whole, with the same
// names and the same first error; and CPUs of one model share one kind.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/cpu_file.hpp"

using namespace preflight;

namespace {

const CpuCatalog& cat() {
  static const CpuCatalog c = CpuCatalog::load();
  return c;
}

std::string error_of(const auto& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// The pieces reading of `text` against the whole-document reading, input by input.
BaselineInputs same_as_document(const std::string& text) {
  std::string in_place = text;
  const std::optional<BaselineInputs> pieces = baseline_inputs_from_pieces(in_place, "f.xml", cat());
  const std::optional<std::vector<HostCpu>> whole = cpus_from_document(text, "f.xml", cat());
  BOOST_REQUIRE(pieces.has_value());
  BOOST_REQUIRE(whole.has_value());
  BOOST_REQUIRE_EQUAL(pieces->size(), whole->size());
  for (size_t i = 0; i < whole->size(); ++i) {
    const BaselineInput w = baseline_input((*whole)[i]);
    const BaselineCpu& p = pieces->cpu(i);
    BOOST_TEST(pieces->names.name(i) == w.host);
    BOOST_TEST(p.model == w.model, w.host);
    BOOST_TEST(p.vendor == w.vendor, w.host);
    BOOST_TEST(p.vendor_explicit == w.vendor_explicit, w.host);
    BOOST_TEST((p.features == w.features), w.host);
  }
  return *pieces;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_layout_of_a_cpu_reads_as_the_parser_reads_it) {
  const std::string text =
      "<cpu>\n  <arch>x86_64</arch>\n  <model>Haswell</model>\n  <vendor>Intel</vendor>\n</cpu>\n"
      "<cpu><model>Haswell</model><vendor>Intel</vendor></cpu>"                      // one line, no arch
      "<cpu>\r\n\t<vendor>Intel</vendor><model>Haswell</model>\r\n</cpu>"            // other order, CR LF, tab
      "<cpu><model>Haswell</model></cpu>\n"                                          // no vendor: the model's
      "<cpu><model>qemu64</model></cpu>\n"                                           // a model of no vendor
      "<cpu><model>Haswell</model><vendor>GenuineIntel</vendor></cpu>\n"             // the CPUID string
      "<cpu><arch>i686</arch><model>Haswell</model></cpu>\n"
      "<cpu ><model>Haswell</model></cpu>\n"                                         // a blank in the tag: parsed
      "<cpu><model> Haswell </model></cpu>\n"                                        // blanks in the text: parsed
      "<cpu><model fallback='forbid'>Haswell</model></cpu>\n"                        // an attribute: parsed
      "<cpu><!-- c --><model>Haswell</model></cpu>\n"                                // a comment: parsed
      "<cpu><model>Haswell</model><feature name='aes'/></cpu>\n"                     // a feature: parsed
      "<cpu><model>Ha&#115;well</model></cpu>\n"                                     // an entity: parsed
      "<cpu><model>Haswell</model><model>EPYC</model></cpu>\n";                      // the first counts: parsed
  const BaselineInputs in = same_as_document(text);
  BOOST_TEST(in.size() == 14u);
  BOOST_TEST(in.names.name(0) == "f.xml#1");
  BOOST_TEST(in.names.name(13) == "f.xml#14");
}

BOOST_AUTO_TEST_CASE(cpus_of_one_model_and_vendor_share_one_kind) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += i % 2 ? "<cpu><model>Haswell</model><vendor>Intel</vendor></cpu>\n"
                  : "<cpu><model>Skylake-Client</model><vendor>Intel</vendor></cpu>\n";
  text += "<cpu><model>Haswell</model></cpu>\n";  // not stated: another kind (libvirt prints no <vendor>)
  const BaselineInputs in = same_as_document(text);
  BOOST_TEST(in.size() == 1001u);
  BOOST_TEST(in.kinds.size() == 3u);
  BOOST_TEST(in.kind_of[0] == in.kind_of[998]);
  BOOST_TEST(in.kind_of[1] == in.kind_of[999]);
  BOOST_TEST(in.kind_of[0] != in.kind_of[1]);
  BOOST_TEST(in.kind_of[1000] != in.kind_of[1]);
}

BOOST_AUTO_TEST_CASE(one_cpu_is_named_by_its_file_alone) {
  const BaselineInputs in = same_as_document("<cpu><model>Haswell</model><vendor>Intel</vendor></cpu>\n");
  BOOST_TEST(in.names.name(0) == "f.xml");
}

BOOST_AUTO_TEST_CASE(a_bad_bare_cpu_gets_the_parsers_error_naming_it) {
  // Unknown model, unknown vendor, another architecture: the parser reads such a
  // piece and says what is wrong, naming the CPU; the first bad one counts.
  const std::string good = "<cpu><model>Haswell</model><vendor>Intel</vendor></cpu>\n";
  const struct {
    std::string cpu, error;
  } cases[] = {
      {"<cpu><model>Haswel</model><vendor>Intel</vendor></cpu>\n", "f.xml#2: unknown CPU model 'Haswel'"},
      {"<cpu><model>Haswell</model><vendor>Intle</vendor></cpu>\n", "f.xml#2: unknown CPU vendor 'Intle'"},
      {"<cpu><arch>aarch64</arch><model>Haswell</model></cpu>\n",
       "f.xml#2: a CPU of architecture 'aarch64', not x86"},
  };
  for (const auto& c : cases) {
    std::string text = good + c.cpu + good + "<cpu><model>Nope</model></cpu>\n";
    const std::string got = error_of([&] { (void)baseline_inputs_from_pieces(text, "f.xml", cat()); });
    BOOST_TEST(got.rfind(c.error, 0) == 0u, got);
    const std::string whole = error_of([&] { (void)cpus_from_document(good + c.cpu + good, "f.xml", cat()); });
    BOOST_TEST(whole == got);
  }
}

// An attribute given twice is refused in a short piece too (one the tree limits
// cannot concern, so only its attributes are checked), as in a long one and as the
// whole document's reading refuses it.
BOOST_AUTO_TEST_CASE(an_attribute_given_twice_is_refused_in_any_piece) {
  const std::string good = "<cpu><model>Haswell</model><vendor>Intel</vendor></cpu>\n";
  const std::string short_piece = "<cpu match='exact' match='minimum'><model>Haswell</model></cpu>\n";
  std::string long_piece = "<cpu mode='custom' mode='custom'><model>Haswell</model>";
  while (long_piece.size() < 400) long_piece += "<feature policy='require' name='vmx'/>";
  long_piece += "</cpu>\n";
  for (const std::string& bad : {short_piece, long_piece}) {
    std::string text = good + bad + good;
    const std::string got = error_of([&] { (void)baseline_inputs_from_pieces(text, "f.xml", cat()); });
    BOOST_TEST(got.starts_with("f.xml: <cpu> has the attribute '"), got);
    BOOST_TEST(got.find("' twice: refused") != std::string::npos, got);
    const std::string whole = error_of([&] { (void)cpus_from_document(good + bad + good, "f.xml", cat()); });
    BOOST_TEST(whole == got);
  }
}

BOOST_AUTO_TEST_CASE(a_baseline_of_kinds_is_the_baseline_of_each_input) {
  // compute_baseline over shared kinds (the file reading) and over one kind per
  // input (BaselineInputs of a vector) agree, what each input gives up included.
  std::string text;
  const char* models[] = {"Haswell", "Skylake-Client", "Broadwell", "Haswell", "Haswell"};
  for (const char* m : models) text += std::string("<cpu><model>") + m + "</model><vendor>Intel</vendor></cpu>\n";
  const BaselineInputs kinds = same_as_document(text);
  BOOST_TEST(kinds.kinds.size() == 3u);
  std::vector<BaselineInput> each;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const BaselineCpu& c = kinds.cpu(i);
    each.push_back({kinds.names.name(i), c.features, c.vendor, c.vendor_explicit, c.model});
  }
  const Baseline a = compute_baseline(kinds, cat(), false);
  const Baseline b = compute_baseline(each, cat(), false);
  BOOST_TEST(a.cpu.model->name == b.cpu.model->name);
  BOOST_TEST((a.features == b.features));
  BOOST_TEST(a.show_vendor == b.show_vendor);
  BOOST_REQUIRE_EQUAL(a.given_up.size(), b.given_up.size());
  for (size_t i = 0; i < a.given_up.size(); ++i) {
    BOOST_TEST(a.given_up.host(i) == b.given_up.host(i));
    BOOST_TEST((a.given_up.features(i) == b.given_up.features(i)), a.given_up.host(i));
  }
  BOOST_TEST(!a.given_up.features(1).empty());  // Skylake-Client gives up what Haswell lacks
}

BOOST_AUTO_TEST_CASE(generated_files_read_in_pieces_as_the_parser_reads_them_whole) {
  // Files of 1-6 CPUs from pieces near the bare form (and just outside it): the
  // pieces reading, bare or parsed, gives what the whole-document reading gives, or
  // the same first error.
  uint64_t s = 0x9E3779B97F4A7C15ULL;  // xorshift64*: the same files everywhere
  const auto pick = [&](size_t n) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<size_t>((s * 2685821657736338717ULL) >> 33) % n;
  };
  const std::vector<std::string> blanks = {"", "", "\n", "  ", "\r\n\t", " "};
  // Between and around the <cpu> elements: mostly blanks, sometimes what a piece boundary could trip on.
  const std::vector<std::string> between = {"", "\n", "\n", " ", "\n", "<!-- c -->", "<?pi x?>", "x", "<![CDATA[y]]>"};
  const std::vector<std::string> opens = {"<cpu>", "<cpu>", "<cpu>", "<cpu >", "<cpu match='exact'>"};
  const std::vector<std::string> archs = {"x86_64", "x86_64", "i686", "i386", "aarch64", " x86_64", ""};
  const std::vector<std::string> models = {"Haswell", "Skylake-Client", "EPYC", "qemu64", "Haswel", "Ha&#115;well",
                                           "Haswell ", ""};
  const std::vector<std::string> vendors = {"Intel", "Intel", "AMD", "GenuineIntel", "Intle", "", " AMD"};
  const std::vector<std::string> extras = {"<feature name='aes'/>", "<!-- x -->", "<model>EPYC</model>",
                                           "<topology sockets='1'/>"};
  size_t compared = 0, clean_compared = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    size_t clean_cpus = 0;
    const size_t cpus = 1 + pick(6);
    for (size_t c = 0; c < cpus; ++c) {
      // clean: of the bare form, with a known model, vendor and arch
      const size_t open = pick(opens.size());
      bool clean = opens[open] == "<cpu>";
      text += between[pick(between.size())] + opens[open];
      std::vector<std::string> children;
      if (pick(4)) {
        const size_t a = pick(archs.size());
        clean = clean && a < 4;
        children.push_back("<arch>" + archs[a] + "</arch>");
      }
      if (pick(8)) {
        const size_t m = pick(models.size());
        clean = clean && m < 4;
        children.push_back("<model>" + models[m] + "</model>");
      } else {
        clean = false;
      }
      if (pick(3)) {
        const size_t v = pick(vendors.size());
        clean = clean && v < 4;
        children.push_back("<vendor>" + vendors[v] + "</vendor>");
      }
      if (!pick(6)) {
        clean = false;
        children.push_back(extras[pick(extras.size())]);
      }
      clean_cpus += clean;
      for (size_t i = children.size(); i > 1; --i) std::swap(children[i - 1], children[pick(i)]);
      for (const std::string& child : children) text += blanks[pick(blanks.size())] + child;
      text += blanks[pick(blanks.size())] + "</cpu>";
    }
    text += blanks[pick(blanks.size())];

    std::string in_place = text;
    std::optional<BaselineInputs> pieces;
    const std::string pieces_error = error_of([&] { pieces = baseline_inputs_from_pieces(in_place, "f.xml", cat()); });
    std::optional<std::vector<HostCpu>> whole;
    const std::string whole_error = error_of([&] { whole = cpus_from_document(text, "f.xml", cat()); });
    BOOST_TEST_REQUIRE(pieces_error == whole_error, text);
    // No generated extra holds a </cpu>: the pieces reader and the parser must agree on
    // whether this is a file of <cpu> elements at all.
    BOOST_TEST_REQUIRE(pieces.has_value() == whole.has_value(), text);
    if (!pieces) continue;
    BOOST_REQUIRE_EQUAL(pieces->size(), whole->size());
    ++compared;
    clean_compared += clean_cpus;
    for (size_t i = 0; i < whole->size(); ++i) {
      const BaselineInput w = baseline_input((*whole)[i]);
      const BaselineCpu& p = pieces->cpu(i);
      BOOST_TEST(pieces->names.name(i) == w.host);
      BOOST_TEST(p.model == w.model, text);
      BOOST_TEST(p.vendor == w.vendor, text);
      BOOST_TEST(p.vendor_explicit == w.vendor_explicit, text);
      BOOST_TEST((p.features == w.features), text);
    }
  }
  BOOST_TEST(compared > 600u);  // the generator gives enough good files
  BOOST_TEST(clean_compared > 300u);  // with enough CPUs of the bare form among them
}

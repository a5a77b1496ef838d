#include "collect/libvirt_client.hpp"

#include <csignal>
#include <mutex>
#include <sstream>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/xml_text.hpp"
#include "facts/vm_state.hpp"

namespace preflight {
namespace {

void ignore_libvirt_error(void*, virErrorPtr) {}

// Once per process, before the first connection (the contract in the header).
// Throws Error when libvirt itself cannot be loaded.
void prepare_libvirt_client() {
  if (const std::string& problem = libvirt_dl::load_problem(); !problem.empty())
    throw Error(problem, "the commands that work from files (baseline, compare, mask, matrix, check --inventory "
                         "with facts files) do not need libvirt");
  static std::once_flag once;
  std::call_once(once, [] {
    virInitialize();
    virSetErrorFunc(nullptr, ignore_libvirt_error);
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) std::signal(SIGPIPE, SIG_IGN);
  });
}

// The line libxml2 and libvirt put under a quoted XML line: dashes, then a caret.
bool is_caret_line(const std::string& line) {
  const auto caret = line.find_last_not_of(" \t\r");
  if (caret == std::string::npos || line[caret] != '^') return false;
  return line.find_first_not_of("- \t", 0) == caret;
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

// libvirt's test driver reads the file a test:///PATH URI names, and would block
// forever on a FIFO: the file is checked as preflight's own XML inputs are (a
// regular file within the size limit; UTF-8, no DOCTYPE; the nesting and value
// limits) before libvirt opens it, so its errors name the same limits. What does
// not parse is left to libvirt, whose message names the line.
void check_test_driver_file(const std::string& uri) {
  const std::string prefix = "test://";
  if (uri.rfind(prefix, 0) != 0) return;
  std::string path = uri.substr(prefix.size());
  if (const size_t q = path.find('?'); q != std::string::npos) path.resize(q);
  if (path.empty() || path == "/default") return;
  const std::string hint = "a test:/// URI names a libvirt test-driver host XML file (<node>)";
  const std::string text = read_file(path, hint);
  check_xml_text(text, path, hint);
  pugi::xml_document doc;
  if (doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8))
    check_xml_tree(doc, path, hint, text);
}

std::string take_string(char* s) {
  if (!s) return {};
  std::string out(s);
  std::free(s);
  return out;
}

ConnectionHandle open_read_only(const std::string& uri) {
  check_test_driver_file(uri);
  prepare_libvirt_client();
  ConnectionHandle conn(virConnectOpenReadOnly(uri.c_str()));
  if (!conn)
    throw Error(uri + ": cannot connect: " + last_libvirt_error(),
                "check the URI and that libvirtd runs there and is reachable");
  return conn;
}

ConnectionHandle open_read_write(const std::string& uri, std::string_view why) {
  check_test_driver_file(uri);
  prepare_libvirt_client();
  ConnectionHandle conn(virConnectOpen(uri.c_str()));
  if (!conn)
    throw Error(uri + ": cannot connect read-write (needed for " + std::string(why) + "): " + last_libvirt_error(),
                "check that libvirtd runs there and grants this user read-write access (the libvirt group, a polkit "
                "rule, the read-write socket)");
  return conn;
}

std::string libvirt_error_text(const char* message) {
  std::vector<std::string> lines;
  std::istringstream in(message ? message : "");
  bool quoted = false;  // the line before was kept and may be the XML line a caret points into
  for (std::string line; std::getline(in, line);) {
    if (is_caret_line(line)) {
      if (quoted) lines.pop_back();
      quoted = false;
      continue;
    }
    std::string t = trimmed(line);
    quoted = !t.empty();
    if (quoted) lines.push_back(std::move(t));
  }
  if (lines.empty()) return "unknown libvirt error";
  std::string out = lines.front();
  for (std::size_t i = 1; i < lines.size(); ++i) out += "; " + lines[i];
  return out;
}

std::string last_libvirt_error() { return libvirt_error_text(virGetLastErrorMessage()); }

int last_libvirt_code() {
  const virError* e = virGetLastError();
  return e ? e->code : VIR_ERR_OK;
}

std::string_view vm_state_name(int libvirt_state) {
  switch (libvirt_state) {
    case VIR_DOMAIN_RUNNING: return vm_state::running;
    case VIR_DOMAIN_BLOCKED: return vm_state::blocked;
    case VIR_DOMAIN_PAUSED: return vm_state::paused;
    case VIR_DOMAIN_SHUTDOWN: return vm_state::shutdown;
    case VIR_DOMAIN_SHUTOFF: return vm_state::shutoff;
    case VIR_DOMAIN_CRASHED: return vm_state::crashed;
    case VIR_DOMAIN_PMSUSPENDED: return vm_state::pmsuspended;
    default: return vm_state::unknown;
  }
}

}  // namespace preflight

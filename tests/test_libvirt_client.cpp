// The libvirt client kit (collect/libvirt_client.hpp): the error text, the state
// mapping, and one real round trip through libvirt's test driver.
#include <boost/test/unit_test.hpp>

#include "collect/libvirt_client.hpp"
#include "core/error.hpp"
#include "facts/vm_state.hpp"
#include "support/error_of.hpp"

using namespace preflight;

BOOST_AUTO_TEST_CASE(a_one_line_message_is_kept_as_is) {
  BOOST_TEST(libvirt_error_text("Domain not found: no domain with matching name 'vm1'") ==
             "Domain not found: no domain with matching name 'vm1'");
}

BOOST_AUTO_TEST_CASE(no_message_says_so) {
  BOOST_TEST(libvirt_error_text(nullptr) == "unknown libvirt error");
  BOOST_TEST(libvirt_error_text("") == "unknown libvirt error");
  BOOST_TEST(libvirt_error_text("\n  \n") == "unknown libvirt error");
}

BOOST_AUTO_TEST_CASE(every_line_of_a_longer_message_is_kept_on_one_line) {
  // QEMU's stderr: the line that says what failed is often not the first.
  BOOST_TEST(libvirt_error_text("internal error: process exited while connecting to monitor:\n"
                                "qemu-system-x86_64: -cpu Skylake: warning: host doesn't support avx512f\n"
                                "qemu-system-x86_64: failed to initialize kvm: Permission denied\n") ==
             "internal error: process exited while connecting to monitor:; "
             "qemu-system-x86_64: -cpu Skylake: warning: host doesn't support avx512f; "
             "qemu-system-x86_64: failed to initialize kvm: Permission denied");
}

BOOST_AUTO_TEST_CASE(an_xml_parse_error_loses_its_quoted_line_and_caret) {
  // As `virsh define` prints it for <name>x</nam> on line 2.
  BOOST_TEST(libvirt_error_text("(domain_definition):2: Opening and ending tag mismatch: name line 2 and nam\n"
                                "  <name>x</nam>\n"
                                "---------------^") ==
             "(domain_definition):2: Opening and ending tag mismatch: name line 2 and nam");
  BOOST_TEST(libvirt_error_text("(domain_definition):1: Document is empty\n\n^") ==
             "(domain_definition):1: Document is empty");
  // A line that merely ends in a caret is text, not a pointer.
  BOOST_TEST(libvirt_error_text("bad value a^\nsecond") == "bad value a^; second");
}

BOOST_AUTO_TEST_CASE(every_libvirt_domain_state_has_its_facts_name) {
  BOOST_TEST(vm_state_name(VIR_DOMAIN_RUNNING) == vm_state::running);
  BOOST_TEST(vm_state_name(VIR_DOMAIN_BLOCKED) == vm_state::blocked);
  BOOST_TEST(vm_state_name(VIR_DOMAIN_PAUSED) == vm_state::paused);
  BOOST_TEST(vm_state_name(VIR_DOMAIN_SHUTDOWN) == vm_state::shutdown);
  BOOST_TEST(vm_state_name(VIR_DOMAIN_SHUTOFF) == "shutoff");  // the facts YAML value other tools read
  BOOST_TEST(vm_state_name(VIR_DOMAIN_CRASHED) == vm_state::crashed);
  BOOST_TEST(vm_state_name(VIR_DOMAIN_PMSUSPENDED) == vm_state::pmsuspended);
  BOOST_TEST(vm_state_name(VIR_DOMAIN_NOSTATE) == vm_state::unknown);
  BOOST_TEST(vm_state_name(12345) == vm_state::unknown);
}

BOOST_AUTO_TEST_CASE(libvirt_errors_read_through_the_kit) {
  const ConnectionHandle conn = open_read_write("test:///default", "defining a domain");
  const std::string bad = "<domain type='test'>\n  <name>x</nam>\n</domain>\n";
  const DomainHandle d(virDomainDefineXML(conn.get(), bad.c_str()));
  BOOST_TEST(!d);
  BOOST_TEST(last_libvirt_error() == "(domain_definition):2: Opening and ending tag mismatch: name line 2 and nam");
  BOOST_TEST(last_libvirt_code() == VIR_ERR_XML_DETAIL);
  const DomainHandle test(virDomainLookupByName(conn.get(), "test"));
  int state = 0, reason = 0;
  BOOST_TEST_REQUIRE(virDomainGetState(test.get(), &state, &reason, 0) == 0);
  BOOST_TEST(vm_state_name(state) == vm_state::running);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_names_the_uri_and_what_to_do) {
  const std::string ro = preflight::test::error_of([] { open_read_only("nosuchdriver:///x"); });
  BOOST_TEST(ro.rfind("nosuchdriver:///x: cannot connect: ", 0) == 0, ro);
  BOOST_TEST(ro.find("; check the URI") != std::string::npos, ro);
  BOOST_TEST(ro.find('\n') == std::string::npos, ro);
  const std::string rw = preflight::test::error_of([] { open_read_write("nosuchdriver:///x", "domain capabilities"); });
  BOOST_TEST(rw.rfind("nosuchdriver:///x: cannot connect read-write (needed for domain capabilities): ", 0) == 0, rw);
  BOOST_TEST(rw.find("; check that libvirtd runs there and grants this user read-write access") != std::string::npos,
             rw);
}

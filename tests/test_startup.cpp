// Start-up cost: the program loads libvirt (and its ~60 shared libraries) only when a
// command talks to a hypervisor (collect/libvirt_api.hpp). glibc's loader reports
// every library it loads under LD_DEBUG=files, on any machine.
#include <boost/test/unit_test.hpp>

#include <string>

#include "support/run_process.hpp"

using namespace preflight::test;

namespace {

// What the dynamic loader said it loaded while the command ran.
std::string loaded_libraries(const std::vector<std::string>& args, int expected_exit) {
  const ProcessResult r = run_preflight(args, {"LD_DEBUG=files"});
  BOOST_TEST_INFO("stderr: " << r.err.substr(0, 2000));
  BOOST_TEST(r.exit_code == expected_exit);
  return r.err;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_loader_reports_what_it_loads) {
  // The premise of the other cases: LD_DEBUG=files names loaded libraries.
  const std::string log = loaded_libraries({"--help"}, 0);
  BOOST_TEST(log.find("libstdc++.so") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(commands_on_files_do_not_load_libvirt) {
  const std::string a = fixture("lab/hostA-cpu.xml"), b = fixture("lab/hostB-cpu.xml");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"baseline", a, b}, {"rules", "list"}, {"compare", a, b}, {"matrix", a, b}}) {
    BOOST_TEST_CONTEXT("preflight " << args.front()) {
      const ProcessResult r = run_preflight(args, {"LD_DEBUG=files"});
      BOOST_TEST(!r.out.empty());                                   // the command did its work
      BOOST_TEST(r.err.find("libstdc++.so") != std::string::npos);  // and the loader's log is there
      BOOST_TEST(r.err.find("libvirt.so") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_libvirt_host_loads_libvirt_when_it_is_read) {
  const std::string log =
      loaded_libraries({"collect", "--libvirt", "test://" + fixture("lab/hostA.xml")}, 0);
  BOOST_TEST(log.find("libvirt.so.0") != std::string::npos);
}

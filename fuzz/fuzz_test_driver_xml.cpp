// A libvirt test-driver host file (test:///PATH): collected through libvirt, as an
// inventory host with that URI is, and read for its domain names, as shell
// completion does. libvirt parses the file; preflight parses what libvirt returns.
#include "collect/known_names.hpp"
#include "collect/libvirt_collector.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  const std::filesystem::path file = preflight::fuzz::scratch_dir() / "host.xml";
  preflight::fuzz::write_file(file, text);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::collect_libvirt("test://" + file.string()); });
  (void)preflight::test_driver_domain_names(text);
  return 0;
}

// A cpu_map folder: the input up to its first NUL byte is index.xml, the rest (when
// there is a NUL) is inc.xml, which the seeds' index.xml includes. Written into a
// folder of this process and loaded as CpuCatalog::load loads libvirt's.
#include <cstring>

#include "cpu/cpu_catalog.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t nul = text.find('\0');
  const std::filesystem::path& dir = preflight::fuzz::scratch_dir();
  preflight::fuzz::write_file(dir / "index.xml", text.substr(0, nul));
  std::error_code ec;
  std::filesystem::remove(dir / "inc.xml", ec);
  if (nul != std::string_view::npos) preflight::fuzz::write_file(dir / "inc.xml", text.substr(nul + 1));
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::CpuCatalog::load(dir.string()); });
  return 0;
}

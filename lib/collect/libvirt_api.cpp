#include "collect/libvirt_api.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace preflight::libvirt_dl {
namespace {

// The library's soname: what Debian's libvirt0 installs and what linking with
// -lvirt would have recorded.
constexpr const char* kSoname = "libvirt.so.0";

struct Loaded {
  void* handle = nullptr;
  std::string problem;
};

const Loaded& loaded() {
  static const Loaded once = [] {
    Loaded l;
    l.handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (l.handle == nullptr) {
      const char* why = dlerror();
      l.problem = std::string("libvirt could not be loaded (") + (why ? why : kSoname) +
                  "); install Debian's libvirt0 package (apt-get install libvirt0)";
    }
    return l;
  }();
  return once;
}

// Any thread may ask for a function (the host readers run in parallel): _Exit, not
// exit, so no static destructor runs under the other threads.
[[noreturn]] void stop(const std::string& why) {
  std::fprintf(stderr, "preflight: %s\n", why.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

}  // namespace

const std::string& load_problem() { return loaded().problem; }

void* function(const char* name) {
  const Loaded& l = loaded();
  if (l.handle == nullptr) stop(l.problem);
  dlerror();  // dlerror's state is per thread; clear it before asking
  void* fn = dlsym(l.handle, name);
  if (fn == nullptr) {
    const char* why = dlerror();
    stop(std::string("the installed libvirt lacks ") + name + " (" + (why ? why : "not found") +
         "); install a libvirt0 that has it");
  }
  return fn;
}

}  // namespace preflight::libvirt_dl

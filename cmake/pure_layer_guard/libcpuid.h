// Found instead of the real header by every pure layer of lib/ (see lib/CMakeLists.txt).
#error "a pure layer of preflight includes libcpuid.h: only lib/collect and lib/migrate talk to libvirt or read CPUID"

#pragma once
// The one libvirt client of preflight, used by the collector and the migrator:
// how a connection is opened (read-only unless a call needs to write), how libvirt's
// errors read, who frees what libvirt allocates, and how libvirt names a domain's
// state. Nothing else in preflight calls virConnectOpen*, virSetErrorFunc or
// virGetLastErrorMessage.
//
// Process-wide, once, before the first connection: virInitialize; an error handler
// that keeps libvirt from printing (library code never prints; errors are read
// with last_libvirt_error()); SIGPIPE ignored when it is at its default (a daemon
// dying mid-call makes libvirt write to a closed socket, which would end the
// program), left alone when the program chose a handler.
#include "collect/libvirt_api.hpp"

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace preflight {

// ---- Ownership: one reference each, freed with libvirt's own function. ----

// The libvirt function that drops one reference to an object of type Ptr.
inline void libvirt_free(virConnectPtr p) { virConnectClose(p); }
inline void libvirt_free(virDomainPtr p) { virDomainFree(p); }
inline void libvirt_free(virNetworkPtr p) { virNetworkFree(p); }
inline void libvirt_free(virInterfacePtr p) { virInterfaceFree(p); }
inline void libvirt_free(virStoragePoolPtr p) { virStoragePoolFree(p); }
inline void libvirt_free(virStorageVolPtr p) { virStorageVolFree(p); }
inline void libvirt_free(virStreamPtr p) { virStreamFree(p); }
inline void libvirt_free(virNodeDevicePtr p) { virNodeDeviceFree(p); }

template <class Ptr>
struct LibvirtFree {
  void operator()(Ptr p) const { libvirt_free(p); }
};
template <class Ptr>
using LibvirtHandle = std::unique_ptr<std::remove_pointer_t<Ptr>, LibvirtFree<Ptr>>;

using ConnectionHandle = LibvirtHandle<virConnectPtr>;
using DomainHandle = LibvirtHandle<virDomainPtr>;
using NetworkHandle = LibvirtHandle<virNetworkPtr>;
using InterfaceHandle = LibvirtHandle<virInterfacePtr>;
using PoolHandle = LibvirtHandle<virStoragePoolPtr>;
using VolumeHandle = LibvirtHandle<virStorageVolPtr>;
using StreamHandle = LibvirtHandle<virStreamPtr>;

// Takes a string libvirt allocated (and frees it); "" for null.
std::string take_string(char* s);

// Takes an array virConnectListAll*/virStoragePoolListAllVolumes returned with its
// count `n` (n < 0: nothing): each object gets a handle, the array is freed.
template <class Ptr>
std::vector<LibvirtHandle<Ptr>> take_list(Ptr* list, int n) {
  std::vector<LibvirtHandle<Ptr>> out;
  for (int i = 0; i < n; ++i) out.emplace_back(list[i]);
  std::free(list);
  return out;
}

// ---- Connections. Every failure throws Error naming the URI and what to do. ----

// The default: a read-only connection. Collecting facts never needs more.
// For a test:///PATH URI: throws Error naming PATH unless it is a regular file within
// preflight's input limits (core/xml_text.hpp's checks; malformed XML is left to
// libvirt), without opening anything else -- libvirt's test driver would block on a
// FIFO. Other URIs pass.
// open_read_only and open_read_write call it first.
void check_test_driver_file(const std::string& uri);

ConnectionHandle open_read_only(const std::string& uri);

// A read-write connection, for the calls libvirt refuses on a read-only one
// (domain capabilities, the migrator's verbs). `why` names those calls; it is in the
// error when libvirt refuses, with how to grant the access.
ConnectionHandle open_read_write(const std::string& uri, std::string_view why);

// ---- Errors. ----

// libvirt's error message as preflight prints it: the whole message on one line
// (lines joined with "; "), except that an XML parse error's quoted source line and
// the caret line under it are dropped (the message already gives the line number).
// A null or empty message reads "unknown libvirt error". Pure.
std::string libvirt_error_text(const char* message);

// libvirt_error_text of this thread's last libvirt error.
std::string last_libvirt_error();

// The virErrorNumber of this thread's last libvirt error (VIR_ERR_OK when none).
int last_libvirt_code();

// ---- Domain state. ----

// The name of a virDomainState (VIR_DOMAIN_*) in the facts vocabulary
// (facts/vm_state.hpp): running, blocked, paused, shutdown, shutoff, crashed,
// pmsuspended; anything else is "unknown". Pure.
std::string_view vm_state_name(int libvirt_state);

}  // namespace preflight

#pragma once
// libvirt, loaded when first used. preflight's program does not link libvirt: most
// commands (baseline, compare, mask, matrix, estimate and check on files, rules) never
// talk to a hypervisor, and loading libvirt with its ~60 shared libraries is most of
// the cost of starting the program. The code that talks to libvirt includes this
// header instead of <libvirt/libvirt.h>: each libvirt function it calls is a macro
// that looks the function up in libvirt.so.0 on its first call (dlopen, dlsym; once
// per call site, thread-safe) and then calls it with the same arguments and types
// (the header's own prototype, through decltype).
//
// A libvirt function called without a line here does not link (nothing provides it):
// add it to the list. load_problem() says, without stopping, whether libvirt can be
// loaded; a function missing from the installed libvirt stops the program with a
// message and exit 2 (undecided), where a linked program would not have started.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <string>

namespace preflight::libvirt_dl {

// Why libvirt cannot be loaded ("" when it can), with what to install. Loads it on
// the first call. Does not throw.
const std::string& load_problem();

// The function `name` of libvirt. When libvirt or the function is missing it
// prints why and ends the program with exit 2 (undecided); callers that can say
// more check load_problem() first.
void* function(const char* name);

template <class F>
F typed(const char* name) {
  return reinterpret_cast<F>(function(name));
}

}  // namespace preflight::libvirt_dl

#define PREFLIGHT_LIBVIRT_FN(name)                                                                      \
  ([]() -> decltype(&::name) {                                                                          \
    static const auto fn = ::preflight::libvirt_dl::typed<decltype(&::name)>(#name);                    \
    return fn;                                                                                          \
  }())

#define virConnectClose(...) PREFLIGHT_LIBVIRT_FN(virConnectClose)(__VA_ARGS__)
#define virConnectGetCapabilities(...) PREFLIGHT_LIBVIRT_FN(virConnectGetCapabilities)(__VA_ARGS__)
#define virConnectGetDomainCapabilities(...) PREFLIGHT_LIBVIRT_FN(virConnectGetDomainCapabilities)(__VA_ARGS__)
#define virConnectGetHostname(...) PREFLIGHT_LIBVIRT_FN(virConnectGetHostname)(__VA_ARGS__)
#define virConnectGetLibVersion(...) PREFLIGHT_LIBVIRT_FN(virConnectGetLibVersion)(__VA_ARGS__)
#define virConnectGetType(...) PREFLIGHT_LIBVIRT_FN(virConnectGetType)(__VA_ARGS__)
#define virConnectGetVersion(...) PREFLIGHT_LIBVIRT_FN(virConnectGetVersion)(__VA_ARGS__)
#define virConnectIsAlive(...) PREFLIGHT_LIBVIRT_FN(virConnectIsAlive)(__VA_ARGS__)
#define virConnectListAllDomains(...) PREFLIGHT_LIBVIRT_FN(virConnectListAllDomains)(__VA_ARGS__)
#define virConnectListAllInterfaces(...) PREFLIGHT_LIBVIRT_FN(virConnectListAllInterfaces)(__VA_ARGS__)
#define virConnectListAllNetworks(...) PREFLIGHT_LIBVIRT_FN(virConnectListAllNetworks)(__VA_ARGS__)
#define virConnectListAllNodeDevices(...) PREFLIGHT_LIBVIRT_FN(virConnectListAllNodeDevices)(__VA_ARGS__)
#define virConnectListAllStoragePools(...) PREFLIGHT_LIBVIRT_FN(virConnectListAllStoragePools)(__VA_ARGS__)
#define virConnectOpen(...) PREFLIGHT_LIBVIRT_FN(virConnectOpen)(__VA_ARGS__)
#define virConnectOpenReadOnly(...) PREFLIGHT_LIBVIRT_FN(virConnectOpenReadOnly)(__VA_ARGS__)
#define virDomainAbortJob(...) PREFLIGHT_LIBVIRT_FN(virDomainAbortJob)(__VA_ARGS__)
#define virDomainCreateXML(...) PREFLIGHT_LIBVIRT_FN(virDomainCreateXML)(__VA_ARGS__)
#define virDomainDefineXML(...) PREFLIGHT_LIBVIRT_FN(virDomainDefineXML)(__VA_ARGS__)
#define virDomainDestroy(...) PREFLIGHT_LIBVIRT_FN(virDomainDestroy)(__VA_ARGS__)
#define virDomainFree(...) PREFLIGHT_LIBVIRT_FN(virDomainFree)(__VA_ARGS__)
#define virDomainGetJobStats(...) PREFLIGHT_LIBVIRT_FN(virDomainGetJobStats)(__VA_ARGS__)
#define virDomainGetName(...) PREFLIGHT_LIBVIRT_FN(virDomainGetName)(__VA_ARGS__)
#define virDomainGetState(...) PREFLIGHT_LIBVIRT_FN(virDomainGetState)(__VA_ARGS__)
#define virDomainGetXMLDesc(...) PREFLIGHT_LIBVIRT_FN(virDomainGetXMLDesc)(__VA_ARGS__)
#define virDomainIsActive(...) PREFLIGHT_LIBVIRT_FN(virDomainIsActive)(__VA_ARGS__)
#define virDomainIsPersistent(...) PREFLIGHT_LIBVIRT_FN(virDomainIsPersistent)(__VA_ARGS__)
#define virDomainListGetStats(...) PREFLIGHT_LIBVIRT_FN(virDomainListGetStats)(__VA_ARGS__)
#define virDomainLookupByName(...) PREFLIGHT_LIBVIRT_FN(virDomainLookupByName)(__VA_ARGS__)
#define virDomainMigrateSetMaxDowntime(...) PREFLIGHT_LIBVIRT_FN(virDomainMigrateSetMaxDowntime)(__VA_ARGS__)
#define virDomainMigrateToURI3(...) PREFLIGHT_LIBVIRT_FN(virDomainMigrateToURI3)(__VA_ARGS__)
#define virDomainResume(...) PREFLIGHT_LIBVIRT_FN(virDomainResume)(__VA_ARGS__)
#define virDomainStartDirtyRateCalc(...) PREFLIGHT_LIBVIRT_FN(virDomainStartDirtyRateCalc)(__VA_ARGS__)
#define virDomainStatsRecordListFree(...) PREFLIGHT_LIBVIRT_FN(virDomainStatsRecordListFree)(__VA_ARGS__)
#define virDomainSuspend(...) PREFLIGHT_LIBVIRT_FN(virDomainSuspend)(__VA_ARGS__)
#define virDomainUndefine(...) PREFLIGHT_LIBVIRT_FN(virDomainUndefine)(__VA_ARGS__)
#define virGetLastError(...) PREFLIGHT_LIBVIRT_FN(virGetLastError)(__VA_ARGS__)
#define virGetLastErrorMessage(...) PREFLIGHT_LIBVIRT_FN(virGetLastErrorMessage)(__VA_ARGS__)
#define virInitialize(...) PREFLIGHT_LIBVIRT_FN(virInitialize)(__VA_ARGS__)
#define virInterfaceFree(...) PREFLIGHT_LIBVIRT_FN(virInterfaceFree)(__VA_ARGS__)
#define virInterfaceGetName(...) PREFLIGHT_LIBVIRT_FN(virInterfaceGetName)(__VA_ARGS__)
#define virInterfaceGetXMLDesc(...) PREFLIGHT_LIBVIRT_FN(virInterfaceGetXMLDesc)(__VA_ARGS__)
#define virNetworkFree(...) PREFLIGHT_LIBVIRT_FN(virNetworkFree)(__VA_ARGS__)
#define virNetworkGetName(...) PREFLIGHT_LIBVIRT_FN(virNetworkGetName)(__VA_ARGS__)
#define virNetworkGetXMLDesc(...) PREFLIGHT_LIBVIRT_FN(virNetworkGetXMLDesc)(__VA_ARGS__)
#define virNetworkIsActive(...) PREFLIGHT_LIBVIRT_FN(virNetworkIsActive)(__VA_ARGS__)
#define virNodeDeviceFree(...) PREFLIGHT_LIBVIRT_FN(virNodeDeviceFree)(__VA_ARGS__)
#define virNodeDeviceGetName(...) PREFLIGHT_LIBVIRT_FN(virNodeDeviceGetName)(__VA_ARGS__)
#define virNodeDeviceGetParent(...) PREFLIGHT_LIBVIRT_FN(virNodeDeviceGetParent)(__VA_ARGS__)
#define virNodeDeviceGetXMLDesc(...) PREFLIGHT_LIBVIRT_FN(virNodeDeviceGetXMLDesc)(__VA_ARGS__)
#define virNodeGetFreeMemory(...) PREFLIGHT_LIBVIRT_FN(virNodeGetFreeMemory)(__VA_ARGS__)
#define virNodeGetFreePages(...) PREFLIGHT_LIBVIRT_FN(virNodeGetFreePages)(__VA_ARGS__)
#define virNodeGetInfo(...) PREFLIGHT_LIBVIRT_FN(virNodeGetInfo)(__VA_ARGS__)
#define virResetLastError(...) PREFLIGHT_LIBVIRT_FN(virResetLastError)(__VA_ARGS__)
#define virSetErrorFunc(...) PREFLIGHT_LIBVIRT_FN(virSetErrorFunc)(__VA_ARGS__)
#define virStoragePoolFree(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolFree)(__VA_ARGS__)
#define virStoragePoolGetName(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolGetName)(__VA_ARGS__)
#define virStoragePoolGetXMLDesc(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolGetXMLDesc)(__VA_ARGS__)
#define virStoragePoolIsActive(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolIsActive)(__VA_ARGS__)
#define virStoragePoolListAllVolumes(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolListAllVolumes)(__VA_ARGS__)
#define virStoragePoolLookupByName(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolLookupByName)(__VA_ARGS__)
#define virStoragePoolLookupByVolume(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolLookupByVolume)(__VA_ARGS__)
#define virStoragePoolRefresh(...) PREFLIGHT_LIBVIRT_FN(virStoragePoolRefresh)(__VA_ARGS__)
#define virStorageVolCreateXML(...) PREFLIGHT_LIBVIRT_FN(virStorageVolCreateXML)(__VA_ARGS__)
#define virStorageVolDelete(...) PREFLIGHT_LIBVIRT_FN(virStorageVolDelete)(__VA_ARGS__)
#define virStorageVolDownload(...) PREFLIGHT_LIBVIRT_FN(virStorageVolDownload)(__VA_ARGS__)
#define virStorageVolFree(...) PREFLIGHT_LIBVIRT_FN(virStorageVolFree)(__VA_ARGS__)
#define virStorageVolGetInfo(...) PREFLIGHT_LIBVIRT_FN(virStorageVolGetInfo)(__VA_ARGS__)
#define virStorageVolGetInfoFlags(...) PREFLIGHT_LIBVIRT_FN(virStorageVolGetInfoFlags)(__VA_ARGS__)
#define virStorageVolGetName(...) PREFLIGHT_LIBVIRT_FN(virStorageVolGetName)(__VA_ARGS__)
#define virStorageVolGetPath(...) PREFLIGHT_LIBVIRT_FN(virStorageVolGetPath)(__VA_ARGS__)
#define virStorageVolGetXMLDesc(...) PREFLIGHT_LIBVIRT_FN(virStorageVolGetXMLDesc)(__VA_ARGS__)
#define virStorageVolLookupByName(...) PREFLIGHT_LIBVIRT_FN(virStorageVolLookupByName)(__VA_ARGS__)
#define virStorageVolLookupByPath(...) PREFLIGHT_LIBVIRT_FN(virStorageVolLookupByPath)(__VA_ARGS__)
#define virStorageVolUpload(...) PREFLIGHT_LIBVIRT_FN(virStorageVolUpload)(__VA_ARGS__)
#define virStreamAbort(...) PREFLIGHT_LIBVIRT_FN(virStreamAbort)(__VA_ARGS__)
#define virStreamFinish(...) PREFLIGHT_LIBVIRT_FN(virStreamFinish)(__VA_ARGS__)
#define virStreamFree(...) PREFLIGHT_LIBVIRT_FN(virStreamFree)(__VA_ARGS__)
#define virStreamNew(...) PREFLIGHT_LIBVIRT_FN(virStreamNew)(__VA_ARGS__)
#define virStreamRecv(...) PREFLIGHT_LIBVIRT_FN(virStreamRecv)(__VA_ARGS__)
#define virStreamSend(...) PREFLIGHT_LIBVIRT_FN(virStreamSend)(__VA_ARGS__)
#define virTypedParamsAddULLong(...) PREFLIGHT_LIBVIRT_FN(virTypedParamsAddULLong)(__VA_ARGS__)
#define virTypedParamsFree(...) PREFLIGHT_LIBVIRT_FN(virTypedParamsFree)(__VA_ARGS__)
#define virTypedParamsGetInt(...) PREFLIGHT_LIBVIRT_FN(virTypedParamsGetInt)(__VA_ARGS__)
#define virTypedParamsGetULLong(...) PREFLIGHT_LIBVIRT_FN(virTypedParamsGetULLong)(__VA_ARGS__)

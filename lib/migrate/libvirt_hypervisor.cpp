#include "migrate/libvirt_hypervisor.hpp"

#include <csignal>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "core/error.hpp"

namespace preflight {
namespace {

void ignore_libvirt_error(void*, virErrorPtr) {}

// libvirt prints every error on stderr unless told otherwise; library code never
// prints. A daemon dying mid-call makes libvirt write to a closed socket: SIGPIPE
// would end the program, so it is ignored unless the program chose a handler.
void prepare_libvirt_client() {
  static std::once_flag once;
  std::call_once(once, [] {
    virSetErrorFunc(nullptr, ignore_libvirt_error);
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  });
}

std::string last_libvirt_error() {
  const char* message = virGetLastErrorMessage();
  return message ? message : "unknown libvirt error";
}

int last_libvirt_code() {
  virErrorPtr e = virGetLastError();
  return e ? e->code : VIR_ERR_OK;
}

struct DomainHandle {
  virDomainPtr ptr = nullptr;
  DomainHandle() = default;
  explicit DomainHandle(virDomainPtr p) : ptr(p) {}
  DomainHandle(const DomainHandle&) = delete;
  DomainHandle& operator=(const DomainHandle&) = delete;
  DomainHandle(DomainHandle&& other) noexcept : ptr(std::exchange(other.ptr, nullptr)) {}
  ~DomainHandle() {
    if (ptr) virDomainFree(ptr);
  }
};

struct FlagName {
  unsigned int flag;
  const char* name;
};

constexpr FlagName kFlagNames[] = {
    {VIR_MIGRATE_PEER2PEER, "VIR_MIGRATE_PEER2PEER"},
    {VIR_MIGRATE_LIVE, "VIR_MIGRATE_LIVE"},
    {VIR_MIGRATE_OFFLINE, "VIR_MIGRATE_OFFLINE"},
    {VIR_MIGRATE_PERSIST_DEST, "VIR_MIGRATE_PERSIST_DEST"},
    {VIR_MIGRATE_UNDEFINE_SOURCE, "VIR_MIGRATE_UNDEFINE_SOURCE"},
    {VIR_MIGRATE_ABORT_ON_ERROR, "VIR_MIGRATE_ABORT_ON_ERROR"},
    {VIR_MIGRATE_CHANGE_PROTECTION, "VIR_MIGRATE_CHANGE_PROTECTION"},
    {VIR_MIGRATE_NON_SHARED_DISK, "VIR_MIGRATE_NON_SHARED_DISK"},
};

unsigned int migrate_flags(const MigrationCall& call) {
  unsigned int flags = VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
  switch (call.kind) {
    case MigrationCall::Kind::live:
      flags |= VIR_MIGRATE_LIVE | VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_CHANGE_PROTECTION;
      break;
    case MigrationCall::Kind::stopped:
      flags |= VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_CHANGE_PROTECTION;
      break;
    case MigrationCall::Kind::offline:
      flags |= VIR_MIGRATE_OFFLINE;
      break;
  }
  if (call.copy_storage) flags |= VIR_MIGRATE_NON_SHARED_DISK;
  return flags;
}

}  // namespace

std::string migrate_flag_names(const MigrationCall& call) {
  const unsigned int flags = migrate_flags(call);
  std::string out;
  for (const auto& f : kFlagNames) {
    if (!(flags & f.flag)) continue;
    if (!out.empty()) out += '|';
    out += f.name;
  }
  return out;
}

// One libvirt connection, reopened when the daemon dropped it.
struct LibvirtHypervisor::Connection {
  std::string uri;
  std::mutex mutex;
  virConnectPtr conn = nullptr;

  explicit Connection(std::string u) : uri(std::move(u)) { open(); }
  ~Connection() {
    if (conn) virConnectClose(conn);
  }

  void open() {
    conn = virConnectOpen(uri.c_str());
    if (!conn) throw Error(fmt::format("{}: cannot connect: {}", uri, last_libvirt_error()),
                           "check that libvirtd runs there and accepts this client");
  }

  virConnectPtr get() {
    std::lock_guard lock(mutex);
    if (conn && virConnectIsAlive(conn) == 1) return conn;
    if (conn) virConnectClose(conn);
    conn = nullptr;
    open();
    return conn;
  }

  // The domain, or an empty handle when the host has no such domain.
  DomainHandle find(const std::string& vm) {
    virDomainPtr d = virDomainLookupByName(get(), vm.c_str());
    if (!d && last_libvirt_code() != VIR_ERR_NO_DOMAIN)
      throw Error(fmt::format("{}: looking up {}: {}", uri, vm, last_libvirt_error()));
    return DomainHandle(d);
  }

  DomainHandle require(const std::string& vm) {
    DomainHandle d = find(vm);
    if (!d.ptr) throw Error(fmt::format("{}: no domain named {}", uri, vm));
    return d;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: {}: {}", uri, what, last_libvirt_error()));
  }
};

LibvirtHypervisor::LibvirtHypervisor(std::string uri) : uri_(std::move(uri)) {
  prepare_libvirt_client();
  main_ = std::make_unique<Connection>(uri_);
  monitor_ = std::make_unique<Connection>(uri_);
}

LibvirtHypervisor::~LibvirtHypervisor() = default;

std::string to_string(DomainState state) {
  switch (state) {
    case DomainState::absent: return "absent";
    case DomainState::running: return "running";
    case DomainState::paused: return "paused";
    case DomainState::shut_off: return "shut off";
    case DomainState::other: return "other";
  }
  return "other";
}

DomainState LibvirtHypervisor::state(const std::string& vm) {
  DomainHandle d = main_->find(vm);
  if (!d.ptr) return DomainState::absent;
  int state = 0, reason = 0;
  if (virDomainGetState(d.ptr, &state, &reason, 0) < 0) {
    if (last_libvirt_code() == VIR_ERR_NO_DOMAIN) return DomainState::absent;  // gone meanwhile
    main_->fail("reading the state of " + vm);
  }
  switch (state) {
    case VIR_DOMAIN_RUNNING: return DomainState::running;
    case VIR_DOMAIN_PAUSED: return DomainState::paused;
    case VIR_DOMAIN_SHUTOFF: return DomainState::shut_off;
    default: return DomainState::other;
  }
}

void LibvirtHypervisor::start(const std::string& domain_xml) {
  DomainHandle d(virDomainCreateXML(main_->get(), domain_xml.c_str(), 0));
  if (!d.ptr) main_->fail("starting a domain");
}

void LibvirtHypervisor::destroy(const std::string& vm) {
  DomainHandle d = main_->find(vm);
  if (!d.ptr) return;
  if (virDomainIsActive(d.ptr) == 1 && virDomainDestroy(d.ptr) < 0 && last_libvirt_code() != VIR_ERR_NO_DOMAIN)
    main_->fail("destroying " + vm);
  if (virDomainIsPersistent(d.ptr) == 1 && virDomainUndefine(d.ptr) < 0 && last_libvirt_code() != VIR_ERR_NO_DOMAIN)
    main_->fail("undefining " + vm);
}

void LibvirtHypervisor::suspend(const std::string& vm) {
  DomainHandle d = main_->require(vm);
  if (virDomainSuspend(d.ptr) < 0) main_->fail("suspending " + vm);
}

void LibvirtHypervisor::resume(const std::string& vm) {
  DomainHandle d = main_->require(vm);
  if (virDomainResume(d.ptr) < 0) main_->fail("resuming " + vm);
}

void LibvirtHypervisor::migrate(const std::string& vm, const std::string& peer_uri, const MigrationCall& call) {
  DomainHandle d = main_->require(vm);
  if (call.max_downtime_ms && virDomainMigrateSetMaxDowntime(d.ptr, *call.max_downtime_ms, 0) < 0)
    main_->fail(fmt::format("setting the maximum downtime of {} to {} ms", vm, *call.max_downtime_ms));
  virTypedParameterPtr params = nullptr;
  int nparams = 0, maxparams = 0;
  struct ParamsGuard {
    virTypedParameterPtr* p;
    int* n;
    ~ParamsGuard() { virTypedParamsFree(*p, *n); }
  } guard{&params, &nparams};
  if (call.bandwidth_mib_s &&
      virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_BANDWIDTH, *call.bandwidth_mib_s) < 0)
    main_->fail("preparing the migration parameters");
  if (virDomainMigrateToURI3(d.ptr, peer_uri.c_str(), params, nparams, migrate_flags(call)) < 0)
    main_->fail(fmt::format("migrating {} to {}", vm, peer_uri));
}

std::string LibvirtHypervisor::describe_migrate(const std::string& vm, const std::string& peer_uri,
                                                const MigrationCall& call) const {
  return describe_libvirt_migrate(uri_, vm, peer_uri, call);
}

std::string describe_libvirt_migrate(const std::string& source_uri, const std::string& vm,
                                     const std::string& peer_uri, const MigrationCall& call) {
  std::string params;
  if (call.bandwidth_mib_s) params = fmt::format("{}={}", VIR_MIGRATE_PARAM_BANDWIDTH, *call.bandwidth_mib_s);
  std::string out;
  if (call.max_downtime_ms) out += fmt::format("virDomainMigrateSetMaxDowntime({}, {}); ", vm, *call.max_downtime_ms);
  out += fmt::format("virDomainMigrateToURI3({} on {}, \"{}\", {{{}}}, {})", vm, source_uri, peer_uri, params,
                     migrate_flag_names(call));
  return out;
}

void LibvirtHypervisor::abort_job(const std::string& vm) {
  DomainHandle d = monitor_->find(vm);
  if (!d.ptr) return;
  if (virDomainAbortJob(d.ptr) < 0 && last_libvirt_code() != VIR_ERR_OPERATION_INVALID)
    monitor_->fail("aborting the job of " + vm);
}

JobStats LibvirtHypervisor::job_stats(const std::string& vm) {
  JobStats stats;
  DomainHandle d = monitor_->find(vm);
  if (!d.ptr) return stats;
  int type = VIR_DOMAIN_JOB_NONE;
  virTypedParameterPtr params = nullptr;
  int nparams = 0;
  if (virDomainGetJobStats(d.ptr, &type, &params, &nparams, 0) < 0) {
    if (last_libvirt_code() == VIR_ERR_NO_DOMAIN) return stats;
    monitor_->fail("reading the job statistics of " + vm);
  }
  auto get = [&](const char* field) {
    unsigned long long v = 0;
    virTypedParamsGetULLong(params, nparams, field, &v);
    return static_cast<std::uint64_t>(v);
  };
  stats.active = type != VIR_DOMAIN_JOB_NONE && type != VIR_DOMAIN_JOB_COMPLETED && type != VIR_DOMAIN_JOB_FAILED &&
                 type != VIR_DOMAIN_JOB_CANCELLED;
  stats.elapsed_ms = get(VIR_DOMAIN_JOB_TIME_ELAPSED);
  stats.data_total = get(VIR_DOMAIN_JOB_DATA_TOTAL);
  stats.data_processed = get(VIR_DOMAIN_JOB_DATA_PROCESSED);
  stats.data_remaining = get(VIR_DOMAIN_JOB_DATA_REMAINING);
  stats.memory_bps = get(VIR_DOMAIN_JOB_MEMORY_BPS);
  stats.dirty_rate = get(VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE);
  stats.iteration = get(VIR_DOMAIN_JOB_MEMORY_ITERATION);
  stats.expected_downtime_ms = get(VIR_DOMAIN_JOB_DOWNTIME);
  virTypedParamsFree(params, nparams);
  return stats;
}

}  // namespace preflight

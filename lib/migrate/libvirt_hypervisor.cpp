#include "migrate/libvirt_hypervisor.hpp"

#include <csignal>
#include <cstdlib>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "collect/pool_xml.hpp"
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

// Owns one libvirt object reference (domain, pool, volume).
template <class Ptr, int (*Free)(Ptr)>
struct Handle {
  Ptr ptr = nullptr;
  Handle() = default;
  explicit Handle(Ptr p) : ptr(p) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : ptr(std::exchange(other.ptr, nullptr)) {}
  ~Handle() {
    if (ptr) Free(ptr);
  }
};
using DomainHandle = Handle<virDomainPtr, virDomainFree>;
using PoolHandle = Handle<virStoragePoolPtr, virStoragePoolFree>;
using VolumeHandle = Handle<virStorageVolPtr, virStorageVolFree>;
using StreamHandle = Handle<virStreamPtr, virStreamFree>;

// A string libvirt allocated, freed here.
std::string take_string(char* s) {
  if (!s) return {};
  std::string out(s);
  free(s);
  return out;
}

// The volume XML virStorageVolCreateXML takes for an empty copy of `v`.
std::string volume_create_xml(const StorageVolume& v) {
  pugi::xml_document doc;
  auto volume = doc.append_child("volume");
  volume.append_child("name").text().set(v.name.c_str());
  auto capacity = volume.append_child("capacity");
  capacity.append_attribute("unit") = "bytes";
  capacity.text().set(std::to_string(v.capacity_bytes).c_str());
  if (!v.format.empty()) volume.append_child("target").append_child("format").append_attribute("type") = v.format.c_str();
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}

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

std::string LibvirtHypervisor::domain_xml(const std::string& vm) {
  DomainHandle d = main_->require(vm);
  std::string xml = take_string(virDomainGetXMLDesc(d.ptr, 0));
  if (xml.empty()) main_->fail("reading the definition of " + vm);
  return xml;
}

namespace {

// The pool as its XML describes it (empty facts when libvirt gives no XML).
PoolFacts pool_facts(virStoragePoolPtr pool, const std::string& origin) {
  const std::string xml = take_string(virStoragePoolGetXMLDesc(pool, 0));
  if (xml.empty()) return {};
  return parse_pool_xml(xml, origin);
}

// The pool's target directory ("" when its XML has none).
std::string pool_directory(virStoragePoolPtr pool, const std::string& origin) {
  return pool_facts(pool, origin).target_path;
}

// Both sides of a path comparison without a trailing slash ("/a/b/" is "/a/b").
std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

std::optional<StorageVolume> LibvirtHypervisor::volume_at(const std::string& path) {
  virConnectPtr conn = main_->get();
  // Pools list their volumes as of their last refresh: refresh the ones whose
  // directory holds `path` (a dir pool does not notice files created behind it).
  const std::string directory = without_trailing_slash(std::filesystem::path(path).parent_path().string());
  virStoragePoolPtr* pools = nullptr;
  const int npools = virConnectListAllStoragePools(conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
  if (npools < 0) main_->fail("listing the storage pools");
  for (int i = 0; i < npools; ++i) {
    PoolHandle pool(pools[i]);
    if (without_trailing_slash(pool_directory(pool.ptr, uri_)) == directory) virStoragePoolRefresh(pool.ptr, 0);
  }
  free(pools);

  VolumeHandle vol(virStorageVolLookupByPath(conn, path.c_str()));
  if (!vol.ptr) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_VOL) return std::nullopt;
    main_->fail("looking up the volume " + path);
  }
  PoolHandle pool(virStoragePoolLookupByVolume(vol.ptr));
  if (!pool.ptr) main_->fail("finding the pool of " + path);
  const std::string origin = uri_ + " volume " + path;
  const VolumeFacts facts = parse_volume_xml(take_string(virStorageVolGetXMLDesc(vol.ptr, 0)), origin);
  StorageVolume out;
  out.pool = virStoragePoolGetName(pool.ptr);
  const PoolFacts pool_xml = pool_facts(pool.ptr, uri_);
  out.pool_path = pool_xml.target_path;
  out.pool_type = pool_xml.type;
  out.pool_source = pool_xml.source;
  out.name = virStorageVolGetName(vol.ptr);
  out.path = path;
  out.format = facts.format;
  virStorageVolInfo info{};
  if (virStorageVolGetInfo(vol.ptr, &info) < 0) main_->fail("reading the size of " + path);
  out.capacity_bytes = info.capacity;
  return out;
}

void LibvirtHypervisor::create_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  const std::string what = fmt::format("creating {} in pool {}", volume.path, volume.pool);
  PoolHandle pool(virStoragePoolLookupByName(conn, volume.pool.c_str()));
  if (!pool.ptr) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_POOL)
      throw Error(fmt::format("{}: {}: this host has no storage pool named {}", uri_, what, volume.pool),
                  fmt::format("define pool '{}' with directory {} here, as on the source", volume.pool,
                              volume.pool_path));
    main_->fail(what);
  }
  if (virStoragePoolIsActive(pool.ptr) != 1)
    throw Error(fmt::format("{}: {}: the pool is not active", uri_, what),
                fmt::format("start it (virsh pool-start {})", volume.pool));
  const std::string directory = pool_directory(pool.ptr, uri_);
  if (without_trailing_slash(directory) != without_trailing_slash(volume.pool_path))
    throw Error(fmt::format("{}: {}: the pool's directory here is {}, on the source {}", uri_, what, directory,
                            volume.pool_path),
                "a copied disk keeps its path: give the pool the same directory on both hosts");
  if (virStoragePoolRefresh(pool.ptr, 0) < 0) main_->fail(what + ": refreshing the pool");
  if (VolumeHandle existing(virStorageVolLookupByName(pool.ptr, volume.name.c_str())); existing.ptr)
    throw Error(fmt::format("{}: {}: the volume already exists", uri_, what),
                "preflight does not overwrite a disk; remove it if it is a stale copy");
  // As libvirt's own precreation does: a qcow2 gets its metadata preallocated.
  const unsigned int flags = volume.format == "qcow2" ? VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA : 0;
  VolumeHandle created(virStorageVolCreateXML(pool.ptr, volume_create_xml(volume).c_str(), flags));
  if (!created.ptr) main_->fail(what);
  const std::string created_path = take_string(virStorageVolGetPath(created.ptr));
  if (created_path != volume.path) {
    virStorageVolDelete(created.ptr, 0);
    throw Error(fmt::format("{}: {}: the pool put it at {}", uri_, what, created_path),
                "a copied disk keeps its path: use a pool that names volumes by file name (dir, fs, netfs)");
  }
}

void LibvirtHypervisor::delete_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  PoolHandle pool(virStoragePoolLookupByName(conn, volume.pool.c_str()));
  if (!pool.ptr) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_POOL) return;
    main_->fail("deleting " + volume.path);
  }
  virStoragePoolRefresh(pool.ptr, 0);
  VolumeHandle vol(virStorageVolLookupByName(pool.ptr, volume.name.c_str()));
  if (!vol.ptr) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_VOL) return;
    main_->fail("deleting " + volume.path);
  }
  if (take_string(virStorageVolGetPath(vol.ptr)) != volume.path) return;  // another volume of that name
  if (virStorageVolDelete(vol.ptr, 0) < 0) main_->fail("deleting " + volume.path);
}

namespace {

// One storage stream of a volume transfer; abandoned (virStreamAbort) unless finished.
class LibvirtVolumeStream {
 public:
  LibvirtVolumeStream(std::string uri, std::string what) : uri_(std::move(uri)), what_(std::move(what)) {}
  ~LibvirtVolumeStream() {
    if (stream_.ptr && !finished_) virStreamAbort(stream_.ptr);
  }
  LibvirtVolumeStream(const LibvirtVolumeStream&) = delete;
  LibvirtVolumeStream& operator=(const LibvirtVolumeStream&) = delete;

  [[noreturn]] void fail(const std::string& step) const {
    throw Error(fmt::format("{}: {}: {}: {}", uri_, what_, step, last_libvirt_error()));
  }
  void finish() {
    if (virStreamFinish(stream_.ptr) < 0) fail("finishing the transfer");
    finished_ = true;
  }

  StreamHandle stream_;

 private:
  std::string uri_;
  std::string what_;
  bool finished_ = false;
};

class LibvirtVolumeReader final : public VolumeReader {
 public:
  LibvirtVolumeReader(std::string uri, std::string what) : stream(std::move(uri), std::move(what)) {}
  std::size_t read(char* buffer, std::size_t size) override {
    const int got = virStreamRecv(stream.stream_.ptr, buffer, size);
    if (got < 0) stream.fail("reading");
    return static_cast<std::size_t>(got);
  }
  void finish() override { stream.finish(); }
  LibvirtVolumeStream stream;
};

class LibvirtVolumeWriter final : public VolumeWriter {
 public:
  LibvirtVolumeWriter(std::string uri, std::string what) : stream(std::move(uri), std::move(what)) {}
  void write(const char* data, std::size_t size) override {
    while (size > 0) {
      const int sent = virStreamSend(stream.stream_.ptr, data, size);
      if (sent < 0) stream.fail("writing");
      data += sent;
      size -= static_cast<std::size_t>(sent);
    }
  }
  void finish() override { stream.finish(); }
  LibvirtVolumeStream stream;
};

// The volume at volume.path, which must be in pool volume.pool.
VolumeHandle find_volume(virConnectPtr conn, const std::string& uri, const StorageVolume& volume,
                                const std::string& what) {
  VolumeHandle vol(virStorageVolLookupByPath(conn, volume.path.c_str()));
  if (!vol.ptr) throw Error(fmt::format("{}: {}: no such volume: {}", uri, what, last_libvirt_error()));
  PoolHandle pool(virStoragePoolLookupByVolume(vol.ptr));
  const char* pool_name = pool.ptr ? virStoragePoolGetName(pool.ptr) : nullptr;
  if (!pool_name || volume.pool != pool_name)
    throw Error(fmt::format("{}: {}: the volume is not in pool {}", uri, what, volume.pool));
  return vol;
}

}  // namespace

namespace {

// Opens `stream` on a new libvirt stream of `conn` (reached as `uri`) and starts
// `transfer` (virStorageVolDownload or virStorageVolUpload) of the volume through it.
template <class Transfer>
void start_volume_transfer(virConnectPtr conn, const std::string& uri, virStorageVolPtr vol,
                           LibvirtVolumeStream& stream, Transfer transfer, const std::string& what) {
  const auto fail = [&](const std::string& step) {
    throw Error(fmt::format("{}: {}: {}", uri, step, last_libvirt_error()));
  };
  stream.stream_.ptr = virStreamNew(conn, 0);
  if (!stream.stream_.ptr) fail(what + ": opening a stream");
  if (transfer(vol, stream.stream_.ptr, 0, 0, 0) < 0) {
    virStreamFree(std::exchange(stream.stream_.ptr, nullptr));  // no transfer to abort
    fail(what);
  }
}

}  // namespace

std::unique_ptr<VolumeReader> LibvirtHypervisor::read_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  const std::string what = "reading " + volume.path;
  VolumeHandle vol = find_volume(conn, uri_, volume, what);
  auto reader = std::make_unique<LibvirtVolumeReader>(uri_, what);
  start_volume_transfer(conn, uri_, vol.ptr, reader->stream, virStorageVolDownload, what);
  return reader;
}

std::unique_ptr<VolumeWriter> LibvirtHypervisor::write_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  const std::string what = "writing " + volume.path;
  VolumeHandle vol = find_volume(conn, uri_, volume, what);
  auto writer = std::make_unique<LibvirtVolumeWriter>(uri_, what);
  start_volume_transfer(conn, uri_, vol.ptr, writer->stream, virStorageVolUpload, what);
  return writer;
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

#include "migrate/libvirt_hypervisor.hpp"

#include "collect/libvirt_api.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "collect/libvirt_client.hpp"
#include "collect/pool_xml.hpp"
#include "core/error.hpp"

namespace preflight {
namespace {

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

// One read-write libvirt connection (the migrator's verbs change the host),
// reopened when the daemon dropped it.
struct LibvirtHypervisor::Connection {
  std::string uri;
  std::mutex mutex;
  ConnectionHandle conn;

  explicit Connection(std::string u) : uri(std::move(u)) { open(); }

  void open() { conn = open_read_write(uri, "migrating, starting, stopping domains and copying their volumes"); }

  virConnectPtr get() {
    std::lock_guard lock(mutex);
    if (conn && virConnectIsAlive(conn.get()) == 1) return conn.get();
    conn.reset();
    open();
    return conn.get();
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
    if (!d) throw Error(fmt::format("{}: no domain named {}", uri, vm));
    return d;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: {}: {}", uri, what, last_libvirt_error()));
  }
};

LibvirtHypervisor::LibvirtHypervisor(std::string uri) : uri_(std::move(uri)) {
  main_ = std::make_unique<Connection>(uri_);
  monitor_ = std::make_unique<Connection>(uri_);
}

LibvirtHypervisor::~LibvirtHypervisor() = default;

DomainState LibvirtHypervisor::state(const std::string& vm) {
  DomainHandle d = main_->find(vm);
  if (!d) return DomainState::absent;
  int state = 0, reason = 0;
  if (virDomainGetState(d.get(), &state, &reason, 0) < 0) {
    if (last_libvirt_code() == VIR_ERR_NO_DOMAIN) return DomainState::absent;  // gone meanwhile
    main_->fail("reading the state of " + vm);
  }
  return domain_state(vm_state_name(state));
}

void LibvirtHypervisor::start(const std::string& domain_xml) {
  DomainHandle d(virDomainCreateXML(main_->get(), domain_xml.c_str(), 0));
  if (!d) main_->fail("starting a domain");
}

void LibvirtHypervisor::destroy(const std::string& vm) {
  DomainHandle d = main_->find(vm);
  if (!d) return;
  if (virDomainIsActive(d.get()) == 1 && virDomainDestroy(d.get()) < 0 && last_libvirt_code() != VIR_ERR_NO_DOMAIN)
    main_->fail("destroying " + vm);
  if (virDomainIsPersistent(d.get()) == 1 && virDomainUndefine(d.get()) < 0 && last_libvirt_code() != VIR_ERR_NO_DOMAIN)
    main_->fail("undefining " + vm);
}

void LibvirtHypervisor::suspend(const std::string& vm) {
  DomainHandle d = main_->require(vm);
  if (virDomainSuspend(d.get()) < 0) main_->fail("suspending " + vm);
}

void LibvirtHypervisor::resume(const std::string& vm) {
  DomainHandle d = main_->require(vm);
  if (virDomainResume(d.get()) < 0) main_->fail("resuming " + vm);
}

void LibvirtHypervisor::migrate(const std::string& vm, const std::string& peer_uri, const MigrationCall& call) {
  DomainHandle d = main_->require(vm);
  if (call.max_downtime_ms && virDomainMigrateSetMaxDowntime(d.get(), *call.max_downtime_ms, 0) < 0)
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
  if (virDomainMigrateToURI3(d.get(), peer_uri.c_str(), params, nparams, migrate_flags(call)) < 0)
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
  std::string xml = take_string(virDomainGetXMLDesc(d.get(), 0));
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
  for (const auto& pool : take_list(pools, npools))
    if (without_trailing_slash(pool_directory(pool.get(), uri_)) == directory) virStoragePoolRefresh(pool.get(), 0);

  VolumeHandle vol(virStorageVolLookupByPath(conn, path.c_str()));
  if (!vol) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_VOL) return std::nullopt;
    main_->fail("looking up the volume " + path);
  }
  PoolHandle pool(virStoragePoolLookupByVolume(vol.get()));
  if (!pool) main_->fail("finding the pool of " + path);
  const std::string origin = uri_ + " volume " + path;
  const VolumeFacts facts = parse_volume_xml(take_string(virStorageVolGetXMLDesc(vol.get(), 0)), origin);
  StorageVolume out;
  out.pool = virStoragePoolGetName(pool.get());
  const PoolFacts pool_xml = pool_facts(pool.get(), uri_);
  out.pool_path = pool_xml.target_path;
  out.pool_type = pool_xml.type;
  out.pool_source = pool_xml.source;
  out.name = virStorageVolGetName(vol.get());
  out.path = path;
  out.format = facts.format;
  virStorageVolInfo info{};
  if (virStorageVolGetInfo(vol.get(), &info) < 0) main_->fail("reading the size of " + path);
  out.capacity_bytes = info.capacity;
  // With VIR_STORAGE_VOL_GET_PHYSICAL, `allocation` is the physical size: a file's length.
  if (virStorageVolGetInfoFlags(vol.get(), &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0)
    main_->fail("reading the physical size of " + path);
  out.stored_bytes = info.allocation;
  return out;
}

void LibvirtHypervisor::create_volume(const StorageVolume& volume, NewVolume use) {
  virConnectPtr conn = main_->get();
  const std::string what = fmt::format("creating {} in pool {}", volume.path, volume.pool);
  PoolHandle pool(virStoragePoolLookupByName(conn, volume.pool.c_str()));
  if (!pool) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_POOL)
      throw Error(fmt::format("{}: {}: this host has no storage pool named {}", uri_, what, volume.pool),
                  fmt::format("define pool '{}' with directory {} here, as on the source", volume.pool,
                              volume.pool_path));
    main_->fail(what);
  }
  if (virStoragePoolIsActive(pool.get()) != 1)
    throw Error(fmt::format("{}: {}: the pool is not active", uri_, what),
                fmt::format("start it (virsh pool-start {})", volume.pool));
  const std::string directory = pool_directory(pool.get(), uri_);
  if (without_trailing_slash(directory) != without_trailing_slash(volume.pool_path))
    throw Error(fmt::format("{}: {}: the pool's directory here is {}, on the source {}", uri_, what, directory,
                            volume.pool_path),
                "a copied disk keeps its path: give the pool the same directory on both hosts");
  if (virStoragePoolRefresh(pool.get(), 0) < 0) main_->fail(what + ": refreshing the pool");
  if (VolumeHandle existing(virStorageVolLookupByName(pool.get(), volume.name.c_str())); existing)
    throw Error(fmt::format("{}: {}: the volume already exists", uri_, what),
                "preflight does not overwrite a disk; remove it if it is a stale copy");
  // A qcow2 that QEMU mirrors into gets its metadata preallocated, as libvirt's own
  // precreation does. One whose file the copy replaces does not: preallocated, its
  // file is as long as the guest's disk (tables spread through it), and all of that
  // past the image's end would have to be zeroed through the stream.
  const unsigned int flags =
      volume.format == "qcow2" && use == NewVolume::mirrored ? VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA : 0;
  VolumeHandle created(virStorageVolCreateXML(pool.get(), volume_create_xml(volume).c_str(), flags));
  if (!created) main_->fail(what);
  const std::string created_path = take_string(virStorageVolGetPath(created.get()));
  if (created_path != volume.path) {
    virStorageVolDelete(created.get(), 0);
    throw Error(fmt::format("{}: {}: the pool put it at {}", uri_, what, created_path),
                "a copied disk keeps its path: use a pool that names volumes by file name (dir, fs, netfs)");
  }
}

void LibvirtHypervisor::delete_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  PoolHandle pool(virStoragePoolLookupByName(conn, volume.pool.c_str()));
  if (!pool) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_POOL) return;
    main_->fail("deleting " + volume.path);
  }
  virStoragePoolRefresh(pool.get(), 0);
  VolumeHandle vol(virStorageVolLookupByName(pool.get(), volume.name.c_str()));
  if (!vol) {
    if (last_libvirt_code() == VIR_ERR_NO_STORAGE_VOL) return;
    main_->fail("deleting " + volume.path);
  }
  if (take_string(virStorageVolGetPath(vol.get())) != volume.path) return;  // another volume of that name
  if (virStorageVolDelete(vol.get(), 0) < 0) main_->fail("deleting " + volume.path);
}

namespace {

// One storage stream of a volume transfer; abandoned (virStreamAbort) unless finished.
class LibvirtVolumeStream {
 public:
  LibvirtVolumeStream(std::string uri, std::string what) : uri_(std::move(uri)), what_(std::move(what)) {}
  ~LibvirtVolumeStream() {
    if (stream_ && !finished_) virStreamAbort(stream_.get());
  }
  LibvirtVolumeStream(const LibvirtVolumeStream&) = delete;
  LibvirtVolumeStream& operator=(const LibvirtVolumeStream&) = delete;

  [[noreturn]] void fail(const std::string& step) const {
    throw Error(fmt::format("{}: {}: {}: {}", uri_, what_, step, last_libvirt_error()));
  }
  void finish() {
    if (virStreamFinish(stream_.get()) < 0) fail("finishing the transfer");
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
    const int got = virStreamRecv(stream.stream_.get(), buffer, size);
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
      const int sent = virStreamSend(stream.stream_.get(), data, size);
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
  if (!vol) throw Error(fmt::format("{}: {}: no such volume: {}", uri, what, last_libvirt_error()));
  PoolHandle pool(virStoragePoolLookupByVolume(vol.get()));
  const char* pool_name = pool ? virStoragePoolGetName(pool.get()) : nullptr;
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
  stream.stream_.reset(virStreamNew(conn, 0));
  if (!stream.stream_) fail(what + ": opening a stream");
  if (transfer(vol, stream.stream_.get(), 0, 0, 0) < 0) {
    stream.stream_.reset();  // no transfer to abort
    fail(what);
  }
}

}  // namespace

std::unique_ptr<VolumeReader> LibvirtHypervisor::read_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  const std::string what = "reading " + volume.path;
  VolumeHandle vol = find_volume(conn, uri_, volume, what);
  auto reader = std::make_unique<LibvirtVolumeReader>(uri_, what);
  start_volume_transfer(conn, uri_, vol.get(), reader->stream,
                        [](virStorageVolPtr v, virStreamPtr st, unsigned long long offset, unsigned long long length,
                           unsigned int flags) { return virStorageVolDownload(v, st, offset, length, flags); },
                        what);
  return reader;
}

std::unique_ptr<VolumeWriter> LibvirtHypervisor::write_volume(const StorageVolume& volume) {
  virConnectPtr conn = main_->get();
  const std::string what = "writing " + volume.path;
  VolumeHandle vol = find_volume(conn, uri_, volume, what);
  auto writer = std::make_unique<LibvirtVolumeWriter>(uri_, what);
  start_volume_transfer(conn, uri_, vol.get(), writer->stream,
                        [](virStorageVolPtr v, virStreamPtr st, unsigned long long offset, unsigned long long length,
                           unsigned int flags) { return virStorageVolUpload(v, st, offset, length, flags); },
                        what);
  return writer;
}

void LibvirtHypervisor::abort_job(const std::string& vm) {
  DomainHandle d = monitor_->find(vm);
  if (!d) return;
  if (virDomainAbortJob(d.get()) < 0 && last_libvirt_code() != VIR_ERR_OPERATION_INVALID)
    monitor_->fail("aborting the job of " + vm);
}

namespace {

// A job's statistics as virDomainGetJobStats returns them, freed with it.
struct JobParams {
  int type = VIR_DOMAIN_JOB_NONE;
  virTypedParameterPtr params = nullptr;
  int nparams = 0;
  JobParams() = default;
  JobParams(const JobParams&) = delete;
  JobParams& operator=(const JobParams&) = delete;
  ~JobParams() { virTypedParamsFree(params, nparams); }
  int read(virDomainPtr d, unsigned flags) { return virDomainGetJobStats(d, &type, &params, &nparams, flags); }
  std::optional<std::uint64_t> ull(const char* field) const {
    unsigned long long v = 0;
    if (virTypedParamsGetULLong(params, nparams, field, &v) == 1) return static_cast<std::uint64_t>(v);
    return std::nullopt;
  }
};

}  // namespace

std::optional<CompletedJobStats> LibvirtHypervisor::completed_job_stats(const std::string& vm) {
  DomainHandle d = monitor_->find(vm);
  if (!d) return std::nullopt;
  JobParams job;
  // KEEP_COMPLETED leaves them for `virsh domjobinfo --completed` (libvirt 6.0 and
  // later; older ones refuse the flag and get asked without it).
  int rc = job.read(d.get(), VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED);
  if (rc < 0 && last_libvirt_code() == VIR_ERR_INVALID_ARG) rc = job.read(d.get(), VIR_DOMAIN_JOB_STATS_COMPLETED);
  if (rc < 0) {
    if (last_libvirt_code() == VIR_ERR_NO_DOMAIN) return std::nullopt;
    monitor_->fail("reading the completed job statistics of " + vm);
  }
  if (job.type != VIR_DOMAIN_JOB_COMPLETED) return std::nullopt;
  // The last completed job must be a migration (a kept older job -- a save, a dump --
  // is not this move's); libvirt names the operation since 3.3.
  int operation = VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN;
  virTypedParamsGetInt(job.params, job.nparams, VIR_DOMAIN_JOB_OPERATION, &operation);
  if (operation != VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN && operation != VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT)
    return std::nullopt;
  CompletedJobStats out;
  out.total_ms = job.ull(VIR_DOMAIN_JOB_TIME_ELAPSED);
  out.downtime_ms = job.ull(VIR_DOMAIN_JOB_DOWNTIME);
  out.memory_processed_bytes = job.ull(VIR_DOMAIN_JOB_MEMORY_PROCESSED);
  out.iterations = job.ull(VIR_DOMAIN_JOB_MEMORY_ITERATION);
  return out;
}

JobStats LibvirtHypervisor::job_stats(const std::string& vm) {
  JobStats stats;
  DomainHandle d = monitor_->find(vm);
  if (!d) return stats;
  JobParams job;
  if (job.read(d.get(), 0) < 0) {
    if (last_libvirt_code() == VIR_ERR_NO_DOMAIN) return stats;
    monitor_->fail("reading the job statistics of " + vm);
  }
  const auto get = [&](const char* field) { return job.ull(field).value_or(0); };
  const int type = job.type;
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
  return stats;
}

}  // namespace preflight

#pragma once
// FakeHost: a scripted in-memory Hypervisor for the Migrator's and the evacuation
// job's tests. Not thread-safe: drive one move at a time.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "migrate/hypervisor.hpp"

namespace preflight::test {

// One host with a table of domain states; every call is recorded. Hooks make a
// verb fail or change the states the way a real hypervisor would.
class FakeHost : public Hypervisor {
 public:
  explicit FakeHost(std::string name) : name_(std::move(name)) {}
  std::map<std::string, DomainState> domains;
  std::vector<std::string> calls;
  FakeHost* peer = nullptr;  // where migrate() moves a VM, unless peers_by_uri names the URI
  std::map<std::string, FakeHost*> peers_by_uri;
  std::function<void(const std::string&)> on_migrate;  // throws to fail; default: moves the VM to peer
  bool unreachable = false;

  std::string name() const override { return name_; }
  DomainState state(const std::string& vm) override {
    calls.push_back("state");
    if (unreachable) throw Error(name_ + ": cannot connect");
    auto it = domains.find(vm);
    return it == domains.end() ? DomainState::absent : it->second;
  }
  void start(const std::string&) override { calls.push_back("start"); }
  void destroy(const std::string& vm) override { domains.erase(vm); }
  void suspend(const std::string& vm) override {
    calls.push_back("suspend");
    domains[vm] = DomainState::paused;
  }
  void resume(const std::string& vm) override {
    calls.push_back("resume");
    if (unreachable) throw Error(name_ + ": cannot connect");
    domains[vm] = DomainState::running;
  }
  void migrate(const std::string& vm, const std::string& uri, const MigrationCall& call) override {
    calls.push_back("migrate");
    last_call = call;
    if (on_migrate) return on_migrate(vm);
    FakeHost* to = peers_by_uri.count(uri) ? peers_by_uri.at(uri) : peer;
    to->domains[vm] = domains[vm];
    if (xml.count(vm)) to->xml[vm] = xml[vm];
    domains.erase(vm);
    xml.erase(vm);
  }
  std::string describe_migrate(const std::string& vm, const std::string& uri, const MigrationCall&) const override {
    return "migrate " + vm + " to " + uri;
  }
  std::string domain_xml(const std::string& vm) override {
    calls.push_back("domain_xml");
    if (unreachable) throw Error(name_ + ": cannot connect");
    auto it = xml.find(vm);
    return it == xml.end() ? guest_xml(vm, "<feature policy='require' name='sse4.2'/>") : it->second;
  }
  std::optional<StorageVolume> volume_at(const std::string& path) override {
    auto it = volumes.find(path);
    return it == volumes.end() ? std::nullopt : std::optional<StorageVolume>(it->second);
  }
  void create_volume(const StorageVolume& v, NewVolume use) override {
    calls.push_back("create_volume " + v.path);
    if (volumes.count(v.path)) throw Error(name_ + ": creating " + v.path + ": the volume already exists");
    volumes[v.path] = v;
    volumes[v.path].stored_bytes = stale_on_create.size();
    created_for[v.path] = use;
    if (!stale_on_create.empty()) contents[v.path] = stale_on_create;
  }
  void delete_volume(const StorageVolume& v) override {
    calls.push_back("delete_volume " + v.path);
    volumes.erase(v.path);
  }
  // A volume's content is contents[path]; a written one is stored at finish().
  struct Reader : VolumeReader {
    std::string data;
    std::size_t at = 0;
    std::size_t read(char* buffer, std::size_t size) override {
      const std::size_t n = std::min(size, data.size() - at);
      std::copy_n(data.data() + at, n, buffer);
      at += n;
      return n;
    }
    void finish() override {}
  };
  struct Writer : VolumeWriter {
    FakeHost* host;
    std::string path;
    std::string data;
    void write(const char* d, std::size_t size) override {
      if (host->fail_write) throw Error(host->name_ + ": writing " + path + ": no space left on device");
      data.append(d, size);
    }
    void finish() override {
      host->calls.push_back("finish_write " + path);
      // Written over what the volume held: bytes past the end of what was written stay.
      std::string& held = host->contents[path];
      held = held.size() > data.size() ? data + held.substr(data.size()) : data;
    }
  };
  std::unique_ptr<VolumeReader> read_volume(const StorageVolume& v) override {
    calls.push_back("read_volume " + v.path);
    if (!volumes.count(v.path)) throw Error(name_ + ": reading " + v.path + ": no such volume");
    auto r = std::make_unique<Reader>();
    r->data = contents[v.path];
    return r;
  }
  std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& v) override {
    calls.push_back("write_volume " + v.path);
    if (!volumes.count(v.path)) throw Error(name_ + ": writing " + v.path + ": no such volume");
    auto w = std::make_unique<Writer>();
    w->host = this;
    w->path = v.path;
    return w;
  }
  void abort_job(const std::string&) override { calls.push_back("abort"); }
  JobStats job_stats(const std::string&) override { return {}; }
  std::optional<CompletedJobStats> completed_job_stats(const std::string&) override { return completed; }
  std::optional<CompletedJobStats> completed;          // what completed_job_stats answers
  bool fail_write = false;                            // write_volume's writes throw
  std::string stale_on_create;                        // what a created volume holds before it is written
  std::map<std::string, NewVolume> created_for;       // by path: what create_volume was told a volume is for
  std::map<std::string, std::string> contents;       // volume content by path
  MigrationCall last_call;
  std::map<std::string, std::string> xml;            // domain XML per VM; default: guest_xml(vm, sse4.2)
  std::map<std::string, StorageVolume> volumes;      // by path

  // A domain whose guest CPU is qemu64 with `features` (<feature> elements) and
  // whose devices are `devices`.
  static std::string guest_xml(const std::string& vm, const std::string& features, const std::string& devices = "") {
    return "<domain type='kvm'><name>" + vm + "</name><cpu mode='custom' match='exact'><model>qemu64</model>" +
           features + "</cpu><devices>" + devices + "</devices></domain>";
  }

 private:
  std::string name_;
};

}  // namespace preflight::test

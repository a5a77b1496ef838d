#include "collect/collect_all.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/cpu_decode.hpp"
#include "facts/facts_yaml.hpp"

namespace fs = std::filesystem;

namespace preflight {

void name_cpu_features(HostFacts& facts, const std::string& cpu_map_dir) {
  const auto* leaves = facts.cpu.cpuid.get();
  const bool features = leaves && !facts.cpu.features.known();
  const CpuDefinition* libvirt_cpu = facts.cpu.libvirt_cpu.get();
  const bool vendor = !facts.cpu.vendor.known() && libvirt_cpu && !libvirt_cpu->vendor.empty();
  if (!features && !vendor) return;
  try {
    const CpuCatalog catalog = CpuCatalog::load(cpu_map_dir);
    if (features) facts.cpu.features = catalog.names(decode_cpuid(*leaves, facts.cpu.msrs.value_or({}), catalog));
    if (const int v = vendor ? catalog.find_vendor(libvirt_cpu->vendor) : -1; v >= 0)
      facts.cpu.vendor = catalog.vendors()[static_cast<size_t>(v)].string;
  } catch (const Error& e) {
    if (features) facts.cpu.features = Fact<std::vector<std::string>>::unknown(e.what());
  }
}

namespace {

using Clock = std::chrono::steady_clock;

// What a collector process writes to its pipe: one tag byte, then the facts YAML
// (tag 'Y') or the error text (tag 'E'). Anything else -- nothing at all, a cut-off
// message -- is a collector that died.
constexpr char kFactsTag = 'Y';
constexpr char kErrorTag = 'E';

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t w = ::write(fd, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // the parent is gone or stopped listening: nothing to tell
    data.remove_prefix(static_cast<size_t>(w));
  }
}

// The child: collects one host and reports on `fd`. Never returns.
[[noreturn]] void run_collector(const InventoryHost& host, const std::string& cpu_map_dir, int fd, pid_t parent) {
  // A parent that dies (even by SIGKILL) takes its collectors with it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  std::string message;
  try {
    HostFacts facts = collect_inventory_host(host);
    name_cpu_features(facts, cpu_map_dir);
    message = kFactsTag + facts_to_yaml(facts);
  } catch (const std::exception& e) {
    message = kErrorTag + std::string(e.what());
  }
  write_all(fd, message);
  ::_exit(message.front() == kFactsTag ? 0 : 1);  // _exit: no atexit handlers, no stdio flush of the parent's buffers
}

std::string source_of(const InventoryHost& h) {
  if (!h.libvirt.empty()) return h.libvirt;
  return !h.facts.empty() ? h.facts : h.cpu;
}

std::string seconds_text(std::chrono::milliseconds d) { return fmt::format("{:g} s", d.count() / 1000.0); }

struct Collector {
  size_t index;  // into the inventory's hosts
  pid_t pid;
  int fd;  // read end of the pipe
  Clock::time_point deadline;
  std::string received;
};

// Reaps the collector whose pipe reached end of file. Returns its facts YAML, or
// "" with `error` set to why there are none, naming the host.
std::string finish(Collector& c, const std::string& name, std::string& error) {
  ::close(c.fd);
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string& r = c.received;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !r.empty() && r.front() == kFactsTag) return r.substr(1);
  if (!r.empty() && r.front() == kErrorTag) {
    const std::string_view message = std::string_view(r).substr(1);
    // A host named by its URI (collect --libvirt URI): the message already starts with it.
    error = message.starts_with(name + ": ") ? std::string(message) : fmt::format("{}: {}", name, message);
  } else if (WIFSIGNALED(status)) {
    error = fmt::format("{}: the collector process ended by signal {} ({})", name, WTERMSIG(status),
                        ::strsignal(WTERMSIG(status)));
  } else {
    error = fmt::format("{}: the collector process ended with status {} and no facts", name,
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return {};
}


// Runs the collection of `hosts` (pointers into the caller's list), `jobs` at a
// time, each in a child process; calls `finished(i, yaml, error)` on this thread as
// each ends (yaml empty and error set when it failed, naming the host).
void run_collectors(const std::vector<const InventoryHost*>& hosts, size_t jobs, std::chrono::milliseconds timeout,
                    const std::string& cpu_map_dir,
                    const std::function<void(size_t, const std::string&, std::string)>& finished) {
  const size_t n = hosts.size();
  jobs = std::max<size_t>(1, jobs);
  std::vector<Collector> running;
  size_t next = 0;

  const auto start = [&](size_t i) {
    const InventoryHost& h = *hosts[i];
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
      return finished(i, {}, fmt::format("{}: cannot start its collector: pipe: {}", h.name, std::strerror(errno)));
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(p[0]);
      run_collector(h, cpu_map_dir, p[1], parent);
    }
    ::close(p[1]);
    if (pid < 0) {
      ::close(p[0]);
      return finished(i, {}, fmt::format("{}: cannot start its collector: fork: {}", h.name, std::strerror(errno)));
    }
    const auto deadline = timeout.count() > 0 ? Clock::now() + timeout : Clock::time_point::max();
    running.push_back({i, pid, p[0], deadline, {}});
  };

  while (next < n || !running.empty()) {
    while (running.size() < jobs && next < n) start(next++);
    if (running.empty()) continue;

    Clock::time_point first = Clock::time_point::max();
    std::vector<pollfd> fds;
    for (const Collector& c : running) {
      first = std::min(first, c.deadline);
      fds.push_back({c.fd, POLLIN, 0});
    }
    int wait_ms = -1;
    if (first != Clock::time_point::max()) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(first - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<long long>(left, 0, 60'000));
    }
    if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) {
      throw Error(fmt::format("collecting: poll: {}", std::strerror(errno)));
    }

    const Clock::time_point now = Clock::now();
    std::vector<Collector> still;
    for (size_t k = 0; k < running.size(); ++k) {
      Collector& c = running[k];
      const InventoryHost& h = *hosts[c.index];
      bool ended = false;
      if (fds[k].revents != 0) {
        char buf[65536];
        const ssize_t r = ::read(c.fd, buf, sizeof buf);
        if (r > 0) {
          c.received.append(buf, static_cast<size_t>(r));
        } else if (r == 0 || errno != EINTR) {
          ended = true;
        }
      }
      if (ended) {
        std::string error;
        const std::string yaml = finish(c, h.name, error);
        finished(c.index, yaml, std::move(error));
      } else if (now >= c.deadline) {
        ::kill(c.pid, SIGKILL);
        ::close(c.fd);
        while (::waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        finished(c.index, {},
                 fmt::format("{}: no answer from {} within {}; its collection was stopped (--timeout sets the limit "
                             "per host)",
                             h.name, source_of(h), seconds_text(timeout)));
      } else {
        still.push_back(std::move(c));
      }
    }
    running = std::move(still);
  }
}

}  // namespace

std::vector<std::string> collect_all(const Inventory& inv, const CollectAllOptions& o) {
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) throw Error(fmt::format("{}: cannot create folder: {}", o.dir, ec.message()));
  std::vector<const InventoryHost*> hosts;
  for (const InventoryHost& h : inv.hosts) hosts.push_back(&h);
  std::vector<std::string> errors(hosts.size());
  run_collectors(hosts, o.jobs, o.timeout, o.cpu_map_dir,
                 [&](size_t i, const std::string& yaml, std::string error) {
                   const InventoryHost& h = *hosts[i];
                   if (error.empty()) {
                     try {
                       write_file((fs::path(o.dir) / (h.name + ".yaml")).string(), yaml);
                     } catch (const std::exception& e) {
                       error = e.what();
                     }
                   }
                   errors[i] = std::move(error);
                   if (o.progress) o.progress(h.name);
                 });
  std::erase_if(errors, [](const std::string& e) { return e.empty(); });
  return errors;
}

HostFacts collect_with_timeout(const InventoryHost& host, std::chrono::milliseconds timeout,
                               const std::string& cpu_map_dir) {
  std::string facts_yaml;
  std::string failure;
  run_collectors({&host}, 1, timeout, cpu_map_dir, [&](size_t, const std::string& yaml, std::string error) {
    facts_yaml = yaml;
    failure = std::move(error);
  });
  if (!failure.empty()) throw Error(failure);
  return facts_from_yaml(facts_yaml, host.name);
}

}  // namespace preflight

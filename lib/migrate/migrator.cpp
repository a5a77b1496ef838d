#include "migrate/migrator.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <algorithm>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "collect/domain_xml.hpp"
#include "core/error.hpp"
#include "migrate/guest_cpu_check.hpp"
#include "report/migration_json.hpp"
#include "rules/storage_sharing.hpp"

namespace preflight {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void notify(const MigrationProgress& progress, MigrationEvent::Phase phase, const JobStats& stats = {}) {
  if (!progress) return;
  try {
    progress(MigrationEvent{phase, stats});
  } catch (...) {
    // Progress is for the operator's eyes; it never decides the move.
  }
}

std::optional<DomainState> try_state(Hypervisor& host, const std::string& vm) {
  try {
    return host.state(vm);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Whether the two hosts' volumes at one path are one file: their pools have the
// same directory and the same shared source (a dir pool never is).
bool same_storage(const StorageVolume& a, const StorageVolume& b) {
  PoolFacts pa, pb;
  pa.type = a.pool_type;
  pa.source = a.pool_source;
  pb.type = b.pool_type;
  pb.source = b.pool_source;
  return a.pool_path == b.pool_path && same_pool_source(pa, pb);
}

constexpr std::size_t kCopyChunk = 1 << 20;

}  // namespace

Migrator::Migrator(Hypervisor& source, Hypervisor& destination, const Journal* journal, Options options)
    : source_(source), destination_(destination), journal_(journal), options_(options) {}

MigrationOutcome Migrator::run(const MigrationRequest& request, const MoveVerdict& verdict, const Recheck& recheck,
                               const MigrationProgress& progress) {
  const auto start = Clock::now();
  MigrationOutcome outcome;
  MoveVerdict decided = verdict;

  auto finish = [&]() {
    outcome.timings.total_ms = ms_since(start);
    if (journal_) {
      try {
        journal_->append(request, decided, outcome);
      } catch (const std::exception& e) {
        outcome.message += (outcome.message.empty() ? "" : "; ") + std::string(e.what());
      }
    }
    return outcome;
  };
  auto refuse = [&](std::string why) {
    outcome.result = MigrationResult::refused;
    outcome.message = std::move(why);
    outcome.reasons = decided.reasons;
    outcome.timings.check_ms = ms_since(start);
    return finish();
  };

  if (Refusal why = gate(request, verdict)) return refuse(*why);
  const MigrationPlan plan = plan_migration(request);
  Attempt attempt;
  if (Refusal why = preconditions(request, plan, attempt)) {
    read_states(request.vm, outcome);
    return refuse(*why);
  }

  notify(progress, MigrationEvent::Phase::rechecking);
  try {
    decided = recheck ? recheck() : verdict;
  } catch (const std::exception& e) {
    decided = MoveVerdict{MoveVerdictKind::no_go, {e.what()}};
    return refuse(fmt::format("{}: the re-check before moving failed: {}", request.vm, e.what()));
  }
  if (Refusal why = gate(request, decided)) return refuse(fmt::format("re-check before moving: {}", *why));
  outcome.timings.check_ms = ms_since(start);

  const auto move_start = Clock::now();
  execute(request, plan, progress, attempt, outcome);
  outcome.timings.move_ms = ms_since(move_start);

  const auto verify_start = Clock::now();
  if (outcome.message.empty()) {
    notify(progress, MigrationEvent::Phase::verifying);
    verify(request, plan, attempt, outcome);
  }
  if (outcome.message.empty()) {
    outcome.result = MigrationResult::moved;
    outcome.running_on = "destination";
  } else {
    outcome.result = MigrationResult::failed;
    notify(progress, MigrationEvent::Phase::recovering);
    recover(request, plan, attempt, outcome);
  }
  outcome.timings.verify_ms = ms_since(verify_start);
  notify(progress, MigrationEvent::Phase::done, outcome.last_stats);
  return finish();
}

Migrator::Refusal Migrator::gate(const MigrationRequest& request, const MoveVerdict& verdict) const {
  switch (verdict.kind) {
    case MoveVerdictKind::go: return std::nullopt;
    case MoveVerdictKind::warn:
      if (request.accept_warnings) return std::nullopt;
      return fmt::format("{}: not moving to {}: the verdict is warn", request.vm, request.destination) +
             "; accept the warnings (--accept-warnings) to move anyway";
    case MoveVerdictKind::undecided:
      return fmt::format("{}: not moving to {}: the verdict is undecided", request.vm, request.destination) +
             "; the check could not decide (see the rules in error): collect the missing facts and check again";
    case MoveVerdictKind::no_go: break;
  }
  return fmt::format("{}: not moving to {}: the verdict is no-go", request.vm, request.destination);
}

Migrator::Refusal Migrator::preconditions(const MigrationRequest& request, const MigrationPlan& plan, Attempt& attempt) {
  if (request.source == request.destination)
    return fmt::format("{}: not moving: source and destination are the same host ({})", request.vm, request.source);
  try {
    const DomainState src = source_.state(request.vm);
    if (src != plan.source_before)
      return fmt::format("{}: not moving: it is {} on {}; {} migration needs it {}", request.vm, to_string(src),
                         request.source, to_string(request.mode), to_string(plan.source_before));
    const DomainState dst = destination_.state(request.vm);
    if (dst != DomainState::absent)
      return fmt::format("{}: not moving: {} already has a domain of that name ({})", request.vm, request.destination,
                         to_string(dst));
  } catch (const std::exception& e) {
    return fmt::format("{}: not moving: cannot read its state: {}", request.vm, e.what());
  }
  // What is planned: the guest CPU to find again on the destination, the disks to precreate.
  VmFacts vm;
  try {
    vm = parse_domain_xml(source_.domain_xml(request.vm), request.source + " " + request.vm);
  } catch (const std::exception& e) {
    return fmt::format("{}: not moving: cannot read its definition on {}: {}", request.vm, request.source, e.what());
  }
  if (vm.has_cpu) attempt.planned_cpu = vm.cpu;
  for (MigrationStep step : plan.steps)
    if (step == MigrationStep::precreate_volumes) return storage_preconditions(request, vm, attempt);
  return std::nullopt;
}

// The disks libvirt copies (VIR_MIGRATE_NON_SHARED_DISK: every disk with a source
// that is neither shareable nor read-only) that are files: each must be a volume of
// a pool on the source, and absent on the destination. Other disk types (block
// devices, network disks) are not precreated; libvirt needs them to exist there.
//
// Offline, preflight copies those disks itself, and the plan knows nothing of
// sharing; the destination's own view of the path decides. No volume there: the
// disk is not shared, it is precreated and copied. A volume there, in a pool of the
// same directory whose source is the same storage as the source host's pool (the
// same NFS export, RBD pool... as the storage.shared rule compares them): shared,
// the same file, nothing to copy. Any other volume there (a dir pool's local file,
// another export) is a conflict: refused, as copy-storage refuses any volume there,
// since preflight does not overwrite a disk.
Migrator::Refusal Migrator::storage_preconditions(const MigrationRequest& request, const VmFacts& vm, Attempt& attempt) {
  const bool offline = request.mode == MigrationMode::offline;
  for (const DiskFacts& disk : vm.disks) {
    if (disk.type != "file" || disk.source.empty() || disk.shareable || disk.readonly) continue;
    try {
      std::optional<StorageVolume> volume = source_.volume_at(disk.source);
      if (!volume)
        return fmt::format("{}: not moving: disk {} ({}) is in no storage pool on {}, so it cannot be precreated on {}; "
                           "define a pool for its directory on both hosts",
                           request.vm, disk.target, disk.source, request.source, request.destination);
      if (std::optional<StorageVolume> there = destination_.volume_at(disk.source)) {
        if (offline && same_storage(*volume, *there)) continue;  // shared: the same file on both hosts
        return fmt::format("{}: not moving: {} already has {} (pool {}){}; preflight does not overwrite a disk",
                           request.vm, request.destination, disk.source, there->pool,
                           offline ? ", not on storage shared with " + request.source : "");
      }
      attempt.to_precreate.push_back(*volume);
    } catch (const std::exception& e) {
      return fmt::format("{}: not moving: cannot read the storage of disk {}: {}", request.vm, disk.target, e.what());
    }
  }
  return std::nullopt;
}

void Migrator::execute(const MigrationRequest& request, const MigrationPlan& plan, const MigrationProgress& progress,
                       Attempt& attempt, MigrationOutcome& outcome) {
  try {
    for (MigrationStep step : plan.steps) {
      switch (step) {
        case MigrationStep::precreate_volumes:
          notify(progress, MigrationEvent::Phase::precreating);
          for (const StorageVolume& volume : attempt.to_precreate) {
            const bool copied = std::find(plan.steps.begin(), plan.steps.end(), MigrationStep::copy_volumes) !=
                                plan.steps.end();
            destination_.create_volume(volume, copied ? NewVolume::copied : NewVolume::mirrored);
            attempt.precreated.push_back(volume);
          }
          break;
        case MigrationStep::copy_volumes: {
          notify(progress, MigrationEvent::Phase::copying);
          const auto started = Clock::now();
          for (const StorageVolume& volume : attempt.precreated) copy_volume(request, volume, started);
          break;
        }
        case MigrationStep::suspend_source:
          notify(progress, MigrationEvent::Phase::suspending);
          source_.suspend(request.vm);
          break;
        case MigrationStep::resume_destination:
          notify(progress, MigrationEvent::Phase::resuming);
          destination_.resume(request.vm);
          break;
        case MigrationStep::migrate:
          migrate_step(request, plan, progress, outcome);
          break;
      }
    }
  } catch (const std::exception& e) {
    outcome.message = e.what();
  }
}

// Streams one volume's content from the source into its precreated copy on the
// destination. The source's volume is only read. --timeout bounds all the copies
// together. Throws Error when a transfer fails or times out (the writer abandons
// its transfer; recover() deletes the precreated volume).
void Migrator::copy_volume(const MigrationRequest& request, const StorageVolume& volume, Clock::time_point started) {
  // What the destination volume holds before the copy, past the image's end, is
  // zeroed: the copy only writes over it from the start. A raw volume larger than
  // the image (a pool that rounds sizes up) would show those bytes to the guest; a
  // qcow2 file longer than the image would keep the new volume's own header and
  // tables (or, on storage that reuses space, older data) where no table of the
  // image points. Asked before the copy, as the upload keeps the pool busy.
  const std::optional<StorageVolume> there = destination_.volume_at(volume.path);
  std::uint64_t held = there ? there->stored_bytes : 0;
  if (there && (volume.format == "raw" || volume.format.empty())) held = std::max(held, there->capacity_bytes);
  std::unique_ptr<VolumeReader> reader = source_.read_volume(volume);
  std::unique_ptr<VolumeWriter> writer = destination_.write_volume(volume);
  std::vector<char> buffer(kCopyChunk);
  std::uint64_t copied = 0;
  const auto check = [&] {
    if (request.timeout.count() > 0 && Clock::now() - started >= request.timeout)
      throw Error(fmt::format("{}: timed out after {} ms copying {} to {}", request.vm, request.timeout.count(),
                              volume.path, request.destination));
    if (options_.interrupted && options_.interrupted())
      throw Error(fmt::format("{}: interrupted while copying {} to {}; the copy was stopped", request.vm, volume.path,
                              request.destination));
  };
  for (;;) {
    check();
    const std::size_t got = reader->read(buffer.data(), buffer.size());
    if (got == 0) break;
    writer->write(buffer.data(), got);
    copied += got;
  }
  if (held > copied) {
    std::fill(buffer.begin(), buffer.end(), '\0');
    for (std::uint64_t left = held - copied; left > 0;) {
      check();
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      writer->write(buffer.data(), n);
      left -= n;
    }
  }
  reader->finish();
  writer->finish();
}

// The migration call, with a second thread that polls the job on the source and
// aborts it on timeout. Throws Error when the call fails.
void Migrator::migrate_step(const MigrationRequest& request, const MigrationPlan& plan,
                            const MigrationProgress& progress, MigrationOutcome& outcome) {
  std::mutex mutex;
  std::condition_variable wake;
  bool over = false;
  bool aborted = false;
  const auto started = Clock::now();
  // Polls the job on the source from a second thread; aborts it on timeout.
  std::thread monitor([&] {
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, options_.poll_interval, [&] { return over; })) {
      lock.unlock();
      try {
        JobStats stats = source_.job_stats(request.vm);
        if (stats.active) {
          outcome.last_stats = stats;
          notify(progress, MigrationEvent::Phase::migrating, stats);
        }
      } catch (const std::exception&) {
        // A missed sample is not a failure; migrate() reports those.
      }
      bool abort_now = request.timeout.count() > 0 && Clock::now() - started >= request.timeout;
      lock.lock();
      if (abort_now && !aborted) {
        lock.unlock();
        try {
          source_.abort_job(request.vm);
          lock.lock();
          aborted = true;
        } catch (const std::exception&) {
          lock.lock();  // retried at the next poll
        }
      }
    }
  });
  std::string failure;
  try {
    source_.migrate(request.vm, request.destination_peer_uri, plan.call);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  {
    std::lock_guard lock(mutex);
    over = true;
  }
  wake.notify_all();
  monitor.join();
  if (!failure.empty() && aborted)
    throw Error(fmt::format("{}: timed out after {} ms, the migration job was aborted ({})", request.vm,
                            request.timeout.count(), failure));
  if (!failure.empty()) throw Error(failure);
  read_completed_stats(request, plan, outcome);
}

// The finished job's figures, for the journal next to the estimate: libvirt hands
// them to the destination with the domain; the source is asked when it has none.
// Never fails the move: a host that keeps none is said in completed_stats_missing.
void Migrator::read_completed_stats(const MigrationRequest& request, const MigrationPlan& plan,
                                    MigrationOutcome& outcome) {
  if (plan.call.kind == MigrationCall::Kind::offline) {
    outcome.completed_stats_missing = "an offline move copies a definition, it runs no migration job";
    return;
  }
  std::vector<std::string> why;
  for (auto [host, side] : {std::pair<Hypervisor*, const char*>{&destination_, "destination"}, {&source_, "source"}}) {
    try {
      if (std::optional<CompletedJobStats> stats = host->completed_job_stats(request.vm)) {
        outcome.completed_stats = std::move(stats);
        outcome.completed_stats_from = side;
        outcome.completed_stats_missing.clear();
        return;
      }
      why.push_back(fmt::format("{} keeps no completed job of {}", host->name(), request.vm));
    } catch (const std::exception& e) {
      why.push_back(e.what());
    }
  }
  outcome.completed_stats_missing = fmt::format("{}", fmt::join(why, "; "));
}

void Migrator::verify(const MigrationRequest& request, const MigrationPlan& plan, const Attempt& attempt,
                      MigrationOutcome& outcome) {
  read_states(request.vm, outcome);
  const bool ok = outcome.destination_state == plan.destination_after && outcome.source_state == DomainState::absent;
  if (!ok) {
    outcome.message = fmt::format("{}: verification after the move failed: {} on {} (expected {}), {} on {} (expected absent)",
                                  request.vm, state_text(outcome.destination_state), request.destination,
                                  to_string(plan.destination_after), state_text(outcome.source_state), request.source);
    return;
  }
  if (!attempt.planned_cpu) return;  // the source's definition had no <cpu>: nothing was planned
  std::vector<std::string> losses;
  try {
    const VmFacts there = parse_domain_xml(destination_.domain_xml(request.vm), request.destination + " " + request.vm);
    losses = guest_cpu_losses(*attempt.planned_cpu, there.has_cpu ? there.cpu : CpuDefinition{});
  } catch (const std::exception& e) {
    outcome.message = fmt::format("{}: verification after the move failed: cannot read its guest CPU on {}: {}",
                                  request.vm, request.destination, e.what());
    return;
  }
  if (losses.empty()) return;
  std::string lost;
  for (const std::string& l : losses) lost += (lost.empty() ? "" : ", ") + l;
  outcome.message = fmt::format("{}: verification after the move failed: the guest CPU on {} is not the one it had on "
                                "{}: {}; the guest may fail when it uses what it lost: move it back or restart it",
                                request.vm, request.destination, request.source, lost);
}

void Migrator::recover(const MigrationRequest& request, const MigrationPlan& plan, const Attempt& attempt,
                       MigrationOutcome& outcome) {
  const std::string& vm = request.vm;
  try {
    source_.abort_job(vm);
  } catch (const std::exception&) {
    // No job left, or the source is unreachable: the states below tell.
  }
  read_states(vm, outcome);
  const auto& src = outcome.source_state;
  const auto& dst = outcome.destination_state;
  auto note = [&](const std::string& text) { outcome.message += "; " + text; };

  if (plan.call.kind != MigrationCall::Kind::offline) {
    // Exactly one copy may run. A paused source runs again unless the destination
    // already runs the VM; a paused destination runs only when the source is gone.
    if (src == DomainState::paused && dst != DomainState::running) {
      try {
        source_.resume(vm);
      } catch (const std::exception& e) {
        note(std::string("resuming on the source failed: ") + e.what());
      }
    } else if ((src == DomainState::absent || src == DomainState::shutoff) && dst == DomainState::paused) {
      try {
        destination_.resume(vm);
      } catch (const std::exception& e) {
        note(std::string("resuming on the destination failed: ") + e.what());
      }
    }
    read_states(vm, outcome);
  }

  const DomainState kept = plan.call.kind == MigrationCall::Kind::offline ? DomainState::shutoff : DomainState::running;
  const bool on_source = outcome.source_state == kept;
  const bool on_destination = outcome.destination_state == kept;
  if (on_source && !on_destination) outcome.running_on = "source";
  if (on_destination && !on_source) outcome.running_on = "destination";
  note(fmt::format("{} on {}, {} on {}", state_text(outcome.source_state), request.source,
                   state_text(outcome.destination_state), request.destination));
  if (on_source && on_destination) note("the VM is " + to_string(kept) + " on both hosts: stop one by hand");
  if (!on_source && !on_destination) note("the VM is " + to_string(kept) + " on neither host");

  // Precreated volumes go when the destination has no domain that could use them.
  for (const StorageVolume& volume : attempt.precreated) {
    if (outcome.destination_state != DomainState::absent) {
      if (outcome.running_on != "destination")
        note(fmt::format("kept the precreated volume {} on {}: the domain is {} there", volume.path,
                         request.destination, state_text(outcome.destination_state)));
      continue;
    }
    try {
      destination_.delete_volume(volume);
      note(fmt::format("deleted the precreated volume {} on {}", volume.path, request.destination));
    } catch (const std::exception& e) {
      note(fmt::format("could not delete the precreated volume {} on {}: {}", volume.path, request.destination,
                       e.what()));
    }
  }
}

void Migrator::read_states(const std::string& vm, MigrationOutcome& outcome) {
  outcome.source_state = try_state(source_, vm);
  outcome.destination_state = try_state(destination_, vm);
}

}  // namespace preflight

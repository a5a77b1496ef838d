#include "collect/link_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace preflight {
namespace {

struct HostPort {
  std::string host;
  std::string port;
};

HostPort split(const std::string& address) {
  HostPort hp;
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    if (close == std::string::npos) throw Error("migration address '" + address + "': unclosed '['", "write [v6-address]:port");
    hp.host = address.substr(1, close - 1);
    if (close + 1 < address.size()) {
      if (address[close + 1] != ':') throw Error("migration address '" + address + "': expected ':' after ']'");
      hp.port = address.substr(close + 2);
    }
  } else if (std::count(address.begin(), address.end(), ':') == 1) {
    hp.host = address.substr(0, address.find(':'));
    hp.port = address.substr(address.find(':') + 1);
  } else {
    hp.host = address;  // a name, an IPv4 address, or a bare IPv6 address
  }
  if (hp.host.empty()) throw Error("migration address '" + address + "': no host", "write host[:port]");
  if (hp.port.empty()) hp.port = std::to_string(kDefaultMigrationPort);
  for (char c : hp.port)
    if (c < '0' || c > '9') throw Error("migration address '" + address + "': port '" + hp.port + "' is not a number");
  return hp;
}

// One attempt; empty on success, else why it failed.
std::string try_connect(const addrinfo* ai, std::chrono::milliseconds timeout) {
  const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return std::strerror(errno);
  std::string err;
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      err = std::strerror(errno);
    } else {
      pollfd p{fd, POLLOUT, 0};
      const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (n == 0) {
        err = "timed out after " + std::to_string(timeout.count()) + " ms";
      } else if (n < 0) {
        err = std::strerror(errno);
      } else {
        int so = 0;
        socklen_t len = sizeof so;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so != 0) err = std::strerror(so);
      }
    }
  }
  ::close(fd);
  return err;
}

}  // namespace

LinkProbeResult probe_link(const std::string& address, std::chrono::milliseconds timeout) {
  const HostPort hp = split(address);
  LinkProbeResult r;
  r.address = (hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host) + ":" + hp.port;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &res); rc != 0) {
    r.error = "cannot resolve " + hp.host + ": " + gai_strerror(rc);
    return r;
  }
  const auto start = std::chrono::steady_clock::now();
  for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
    const std::string err = try_connect(ai, timeout);
    if (err.empty()) {
      r.reachable = true;
      r.error.clear();
      r.connect_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      break;
    }
    r.error = err;
  }
  ::freeaddrinfo(res);
  return r;
}

}  // namespace preflight

// Connection URIs and dialling.
#include "api/client/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace berth::api::client {

namespace {

bool validScheme(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '.' && c != '-') return false;
  return true;
}

std::string goErrno(int e) {
  // Go prints syscall errors in lower case ("connection refused"), as strerror does on glibc
  // except for the first letter.
  std::string s = std::strerror(e);
  if (!s.empty()) s[0] = char(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string hostPort(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

}  // namespace

Result<Endpoint> parseEndpoint(std::string_view uri) {
  auto colon = uri.find(':');
  std::string_view scheme = colon == std::string_view::npos ? std::string_view() : uri.substr(0, colon);
  if (colon == std::string_view::npos || !validScheme(scheme)) {
    // Go's url.Parse takes a string without a scheme as a path: "" is the scheme it then rejects.
    if (colon == std::string_view::npos)
      return makeError(Code::kInvalidArgument, "unable to create connection. \"\" is not a supported schema");
    return makeError(Code::kInvalidArgument, "value of CONTAINER_HOST is not a valid url: {}: parse {:?}: first path "
                     "segment in URL cannot contain colon", uri, uri);
  }
  std::string lower(scheme);
  for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = uri.substr(colon + 1);
  // Query and fragment are not part of the address (ssh's ?secure=true).
  if (auto q = rest.find_first_of("?#"); q != std::string_view::npos) rest = rest.substr(0, q);
  Endpoint ep;
  if (lower == "unix") {
    ep.kind = Endpoint::Kind::kUnix;
    if (rest.rfind("//", 0) == 0) {
      rest.remove_prefix(2);  // authority: unix:///abs has an empty one; unix://a/b is "a" + "/b"
      ep.path = rest.empty() || rest[0] != '/' ? "/" + std::string(rest) : std::string(rest);
    } else {
      ep.path = rest.empty() || rest[0] != '/' ? "/" + std::string(rest) : std::string(rest);
    }
    if (ep.path == "/") return makeError(Code::kInvalidArgument, "unix URI {:?} names no socket path", uri);
    ep.uri = "unix://" + ep.path;
    return ep;
  }
  if (lower == "tcp") {
    if (rest.rfind("//", 0) != 0) return makeError(Code::kInvalidArgument, "tcp URIs should begin with tcp://");
    rest.remove_prefix(2);
    if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
    if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    ep.kind = Endpoint::Kind::kTcp;
    if (!rest.empty() && rest[0] == '[') {
      auto close = rest.find(']');
      if (close == std::string_view::npos)
        return makeError(Code::kInvalidArgument, "invalid tcp URI {:?}: missing ']' in host", uri);
      ep.host = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      if (!rest.empty() && rest[0] == ':') ep.port = std::string(rest.substr(1));
      else if (!rest.empty()) return makeError(Code::kInvalidArgument, "invalid tcp URI {:?}", uri);
    } else {
      auto c = rest.rfind(':');
      ep.host = std::string(rest.substr(0, c));
      if (c != std::string_view::npos) ep.port = std::string(rest.substr(c + 1));
    }
    for (char ch : ep.port)
      if (!std::isdigit(static_cast<unsigned char>(ch)))
        return makeError(Code::kInvalidArgument, "invalid tcp URI {:?}: invalid port {:?}", uri, ep.port);
    if (!ep.port.empty() && (ep.port.size() > 5 || std::stoi(ep.port) > 65535))
      return makeError(Code::kInvalidArgument, "invalid tcp URI {:?}: invalid port {:?}", uri, ep.port);
    ep.uri = "tcp://" + (ep.port.empty() ? ep.host : hostPort(ep.host, ep.port));
    return ep;
  }
  if (lower == "ssh")
    return makeError(Code::kUnimplemented,
                     "ssh connections ({}) are not supported by berth yet: use unix:// or tcp://", uri);
  return makeError(Code::kInvalidArgument, "unable to create connection. {:?} is not a supported schema", lower);
}

Result<UniqueFd> dial(const Endpoint& ep) {
  if (ep.kind == Endpoint::Kind::kUnix) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (ep.path.size() >= sizeof(sa.sun_path))
      return Error(Code::kInvalidArgument,
                   fmt::format("dial unix {}: connect: socket path longer than {} bytes", ep.path,
                               sizeof(sa.sun_path) - 1));
    std::memcpy(sa.sun_path, ep.path.data(), ep.path.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return sysError(errno, "socket");
    int r;
    do r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    while (r < 0 && errno == EINTR);
    if (r < 0) {
      int e = errno;
      return Error(Code::kUnavailable, fmt::format("dial unix {}: connect: {}", ep.path, goErrno(e)), 0);
    }
    return fd;
  }
  if (ep.port.empty())
    return Error(Code::kInvalidArgument, fmt::format("dial tcp: address {}: missing port in address", ep.host));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int gai = ::getaddrinfo(ep.host.empty() ? nullptr : ep.host.c_str(), ep.port.c_str(), &hints, &res);
  if (gai != 0)
    return Error(Code::kUnavailable,
                 fmt::format("dial tcp: lookup {}: {}", ep.host, gai == EAI_SYSTEM ? goErrno(errno) : ::gai_strerror(gai)));
  std::string first_error;
  for (addrinfo* a = res; a; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* addr = a->ai_family == AF_INET6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr)
                                                : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr);
    ::inet_ntop(a->ai_family, addr, buf, sizeof(buf));
    UniqueFd fd(::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) continue;
    int r;
    do r = ::connect(fd.get(), a->ai_addr, a->ai_addrlen);
    while (r < 0 && errno == EINTR);
    if (r == 0) {
      int one = 1;
      (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ::freeaddrinfo(res);
      return fd;
    }
    if (first_error.empty())
      first_error = fmt::format("dial tcp {}: connect: {}", hostPort(buf, ep.port), goErrno(errno));
  }
  ::freeaddrinfo(res);
  if (first_error.empty()) first_error = fmt::format("dial tcp {}: no usable address", hostPort(ep.host, ep.port));
  return Error(Code::kUnavailable, first_error);
}

}  // namespace berth::api::client

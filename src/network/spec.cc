// SpecGenerator network fields.
#include "network/spec.h"

#include <charconv>

namespace berth::network {

namespace {

Error typeError(std::string_view field, std::string_view want, const Json& got) {
  return makeError(Code::kInvalidArgument, "{}: expected {}, got {}", field, want, got.type_name());
}

Result<std::vector<std::string>> strings(const Json& spec, std::string_view key) {
  std::vector<std::string> out;
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return out;
  if (!it->is_array()) return typeError(key, "an array", *it);
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) return typeError(fmt::format("{}[{}]", key, i), "a string", (*it)[i]);
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

Result<bool> boolean(const Json& spec, std::string_view key) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return false;
  if (!it->is_boolean()) return typeError(key, "a boolean", *it);
  return it->get<bool>();
}

}  // namespace

Result<NetworkSpec> networkSpecFromJson(const Json& spec) {
  if (!spec.is_object()) return typeError("spec", "an object", spec);
  NetworkSpec s;
  if (auto it = spec.find("netns"); it != spec.end() && !it->is_null()) {
    if (!it->is_object()) return typeError("netns", "an object", *it);
    auto mode = it->find("nsmode");
    if (mode != it->end() && !mode->is_null()) {
      if (!mode->is_string()) return typeError("netns.nsmode", "a string", *mode);
      s.nsmode = mode->get<std::string>();
    }
    auto value = it->find("value");
    if (value != it->end() && !value->is_null()) {
      if (!value->is_string()) return typeError("netns.value", "a string", *value);
      s.nsvalue = value->get<std::string>();
    }
  }
  if (auto it = spec.find("Networks"); it != spec.end() && !it->is_null()) {
    if (!it->is_object()) return typeError("Networks", "an object", *it);
    for (auto& [name, opts] : it->items())
      s.networks[name] = TRY_CTX(perNetworkOptionsFromJson(opts), "Networks.{}", name);
  }
  if (auto it = spec.find("portmappings"); it != spec.end() && !it->is_null()) {
    if (!it->is_array()) return typeError("portmappings", "an array", *it);
    for (size_t i = 0; i < it->size(); ++i)
      s.port_mappings.push_back(TRY_CTX(portMappingFromJson((*it)[i]), "portmappings[{}]", i));
  }
  s.publish_image_ports = TRY(boolean(spec, "publish_image_ports"));
  if (auto it = spec.find("expose"); it != spec.end() && !it->is_null()) {
    if (!it->is_object()) return typeError("expose", "an object", *it);
    for (auto& [port, proto] : it->items()) {
      unsigned p = 0;
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
      if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
        return makeError(Code::kInvalidArgument, "expose: invalid port {:?}", port);
      if (!proto.is_string()) return typeError("expose." + port, "a string", proto);
      s.expose[static_cast<uint16_t>(p)] = proto.get<std::string>();
    }
  }
  for (auto& d : TRY(strings(spec, "dns_server")))
    s.dns_servers.push_back(TRY_CTX(IpAddr::parse(d), "dns_server"));
  s.dns_search = TRY(strings(spec, "dns_search"));
  s.dns_options = TRY(strings(spec, "dns_option"));
  s.host_add = TRY(strings(spec, "hostadd"));
  s.use_image_hosts = TRY(boolean(spec, "use_image_hosts"));
  s.use_image_resolve_conf = TRY(boolean(spec, "use_image_resolve_conf"));
  if (auto it = spec.find("hostname"); it != spec.end() && it->is_string()) s.hostname = it->get<std::string>();
  return s;
}

std::vector<std::string> joinedNetworks(const NetworkSpec& s, const std::string& default_network) {
  std::vector<std::string> out;
  if (!s.usesNetavark()) return out;
  for (auto& [name, opts] : s.networks) out.push_back(name);
  if (out.empty()) out.push_back(default_network);
  return out;
}

}  // namespace berth::network

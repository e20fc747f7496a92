// Image configs: every typed field checked once, so no reader meets a wrong type later.
#include "image/image_config.h"

#include "base/digest.h"
#include "base/timefmt.h"

namespace berth::image {
namespace {

using json::fieldPath;
using json::indexPath;

enum class T { kString, kBool, kInt, kStrings, kStringMap, kObjectOfObjects, kHealth };

struct FieldType {
  std::string_view key;
  T type;
};

// OCI ImageConfig and Docker's container Config (containers/image Schema2Config).
constexpr FieldType kContainerConfigFields[] = {
    {"User", T::kString},           {"ExposedPorts", T::kObjectOfObjects},
    {"Env", T::kStrings},           {"Entrypoint", T::kStrings},
    {"Cmd", T::kStrings},           {"Volumes", T::kObjectOfObjects},
    {"WorkingDir", T::kString},     {"Labels", T::kStringMap},
    {"StopSignal", T::kString},     {"ArgsEscaped", T::kBool},
    {"Hostname", T::kString},       {"Domainname", T::kString},
    {"AttachStdin", T::kBool},      {"AttachStdout", T::kBool},
    {"AttachStderr", T::kBool},     {"Tty", T::kBool},
    {"OpenStdin", T::kBool},        {"StdinOnce", T::kBool},
    {"Healthcheck", T::kHealth},    {"Image", T::kString},
    {"NetworkDisabled", T::kBool},  {"MacAddress", T::kString},
    {"OnBuild", T::kStrings},       {"StopTimeout", T::kInt},
    {"Shell", T::kStrings},
};

Status checkField(const Json& v, T type, const std::string& path) {
  if (v.is_null()) return {};
  switch (type) {
    case T::kString:
      TRY(json::asString(v, path));
      break;
    case T::kBool:
      TRY(json::asBool(v, path));
      break;
    case T::kInt:
      TRY(json::asInt(v, path));
      break;
    case T::kStrings:
      TRY(json::asStrings(v, path));
      break;
    case T::kStringMap:
      TRY(json::asStringMap(v, path));
      break;
    case T::kObjectOfObjects:  // map[string]struct{}
      TRY(json::checkObject(v, path));
      for (auto it = v.begin(); it != v.end(); ++it)
        TRY(json::checkObject(it.value(), fieldPath(path, it.key())));
      break;
    case T::kHealth:
      TRY(json::checkObject(v, path));
      TRY(json::optStrings(v, "Test", path));
      for (auto key : {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
        TRY(json::optInt(v, key, path));
      break;
  }
  return {};
}

Result<std::optional<int64_t>> timestamp(const Json& obj, std::string_view key,
                                         std::string_view where) {
  std::string s = TRY(json::optString(obj, key, where));
  if (s.empty()) return std::optional<int64_t>();
  auto t = parseRfc3339(s);
  if (!t.ok())
    return makeError(Code::kInvalidArgument, "{}: {:?} is not an RFC 3339 time",
                     fieldPath(where, key), s);
  return std::optional<int64_t>(*t);
}

Result<std::vector<HistoryEntry>> parseHistory(const Json& doc) {
  std::vector<HistoryEntry> out;
  const Json* history = TRY(json::optArray(doc, "history", ""));
  if (!history) return out;
  for (size_t i = 0; i < history->size(); ++i) {
    const Json& h = (*history)[i];
    std::string where = indexPath("history", i);
    HistoryEntry e;
    if (h.is_null()) {  // Go leaves a null element zero
      out.push_back(std::move(e));
      continue;
    }
    e.created = TRY(timestamp(h, "created", where));
    e.created_by = TRY(json::optString(h, "created_by", where));
    e.author = TRY(json::optString(h, "author", where));
    e.comment = TRY(json::optString(h, "comment", where));
    e.empty_layer = TRY(json::optBool(h, "empty_layer", where));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Status checkContainerConfig(const Json& config, std::string_view where) {
  TRY(json::checkObject(config, where));
  if (config.is_null()) return {};
  for (const auto& f : kContainerConfigFields) {
    auto it = config.find(f.key);
    if (it != config.end()) TRY(checkField(*it, f.type, fieldPath(where, f.key)));
  }
  return {};
}

Result<ImageConfig> imageConfigFromJson(Json doc) {
  if (!doc.is_object()) return json::typeError("", "object", doc);
  ImageConfig c;
  c.created = TRY(timestamp(doc, "created", ""));
  c.author = TRY(json::optString(doc, "author", ""));
  c.architecture = TRY(json::optString(doc, "architecture", ""));
  c.os = TRY(json::optString(doc, "os", ""));
  c.variant = TRY(json::optString(doc, "variant", ""));
  c.os_version = TRY(json::optString(doc, "os.version", ""));
  c.os_features = TRY(json::optStrings(doc, "os.features", ""));
  c.docker_version = TRY(json::optString(doc, "docker_version", ""));
  c.comment = TRY(json::optString(doc, "comment", ""));
  for (auto key : {"id", "parent", "container"}) TRY(json::optString(doc, key, ""));
  TRY(json::optInt(doc, "size", ""));
  TRY(checkContainerConfig(doc.contains("container_config") ? doc["container_config"] : Json(),
                           "container_config"));

  if (const Json* config = TRY(json::optObject(doc, "config", ""))) c.config = *config;
  TRY(checkContainerConfig(c.config, "config"));
  c.user = TRY(json::optString(c.config, "User", "config"));
  c.working_dir = TRY(json::optString(c.config, "WorkingDir", "config"));
  c.stop_signal = TRY(json::optString(c.config, "StopSignal", "config"));
  c.env = TRY(json::optStrings(c.config, "Env", "config"));
  c.cmd = TRY(json::optStrings(c.config, "Cmd", "config"));
  c.entrypoint = TRY(json::optStrings(c.config, "Entrypoint", "config"));
  c.labels = TRY(json::optStringMap(c.config, "Labels", "config"));

  const Json* rootfs = TRY(json::optObject(doc, "rootfs", ""));
  if (!rootfs) return makeError(Code::kInvalidArgument, "rootfs: missing");
  TRY(json::optString(*rootfs, "type", "rootfs"));
  c.diff_ids = TRY(json::optStrings(*rootfs, "diff_ids", "rootfs"));
  for (size_t i = 0; i < c.diff_ids.size(); ++i)
    TRY_CTX(validateDigest(c.diff_ids[i]), "{}", indexPath("rootfs.diff_ids", i));
  c.history = TRY(parseHistory(doc));
  c.doc = std::move(doc);
  return c;
}

Result<ImageConfig> parseImageConfig(std::string_view bytes) {
  Json doc = TRY(parseJson(bytes, "image config"));
  return imageConfigFromJson(std::move(doc));
}

}  // namespace berth::image

// Docker image shapes.
#include "api/server/compat_images.h"

#include "base/timefmt.h"
#include "image/reference.h"

namespace berth::api::server {

namespace {

Json stringsOrNull(const std::vector<std::string>& v) { return v.empty() ? Json(nullptr) : Json(v); }

Json labelsJson(const std::map<std::string, std::string>& m) {
  if (m.empty()) return Json::object();
  Json j = Json::object();
  for (auto& [k, v] : m) j[k] = v;
  return j;
}

std::string sha(const std::string& id) { return id.rfind("sha256:", 0) == 0 ? id : "sha256:" + id; }

}  // namespace

Json libpodImageSummary(const ImageSummary& s) {
  Json j;
  j["Id"] = s.id;
  j["ParentId"] = s.parent_id;
  j["RepoTags"] = stringsOrNull(s.repo_tags);
  j["RepoDigests"] = stringsOrNull(s.repo_digests);
  j["Created"] = s.created;
  j["Size"] = s.size;
  j["SharedSize"] = s.shared_size;
  j["VirtualSize"] = s.size;
  j["Labels"] = labelsJson(s.labels);
  j["Containers"] = s.containers;
  if (s.read_only) j["ReadOnly"] = true;
  if (s.dangling) j["Dangling"] = true;
  if (!s.names.empty()) j["Names"] = s.names;
  if (!s.digest.empty()) j["Digest"] = s.digest;
  if (!s.history.empty()) j["History"] = s.history;
  return j;
}

Json dockerImageSummary(const ImageSummary& s) {
  Json j;
  j["Containers"] = s.containers;
  j["Created"] = s.created;
  j["Id"] = sha(s.id);
  j["Labels"] = labelsJson(s.labels);
  j["ParentId"] = s.parent_id.empty() ? "" : sha(s.parent_id);
  j["RepoDigests"] = s.repo_digests.empty() ? Json::array() : Json(s.repo_digests);
  j["RepoTags"] = s.repo_tags.empty() ? Json::array({"<none>:<none>"}) : Json(s.repo_tags);
  j["SharedSize"] = s.shared_size;
  j["Size"] = s.size;
  j["VirtualSize"] = s.size;
  return j;
}

Json dockerImageInspect(const Json& p) {
  auto str = [&](const char* k) -> std::string {
    auto it = p.find(k);
    return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* k) -> int64_t {
    auto it = p.find(k);
    return it != p.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  auto arr = [&](const char* k) -> Json {
    auto it = p.find(k);
    return it != p.end() && it->is_array() ? *it : Json::array();
  };
  Json config = p.contains("Config") && p["Config"].is_object() ? p["Config"] : Json::object();
  // Docker always has these Config keys; clients index them without checking.
  Json dc = Json::object();
  dc["Hostname"] = "";
  dc["Domainname"] = "";
  dc["User"] = config.value("User", "");
  dc["AttachStdin"] = false;
  dc["AttachStdout"] = false;
  dc["AttachStderr"] = false;
  if (config.contains("ExposedPorts")) dc["ExposedPorts"] = config["ExposedPorts"];
  dc["Tty"] = false;
  dc["OpenStdin"] = false;
  dc["StdinOnce"] = false;
  dc["Env"] = config.contains("Env") ? config["Env"] : Json(nullptr);
  dc["Cmd"] = config.contains("Cmd") ? config["Cmd"] : Json(nullptr);
  if (config.contains("Healthcheck")) dc["Healthcheck"] = config["Healthcheck"];
  dc["Image"] = "";
  dc["Volumes"] = config.contains("Volumes") ? config["Volumes"] : Json(nullptr);
  dc["WorkingDir"] = config.value("WorkingDir", "");
  dc["Entrypoint"] = config.contains("Entrypoint") ? config["Entrypoint"] : Json(nullptr);
  dc["OnBuild"] = nullptr;
  dc["Labels"] = config.contains("Labels") ? config["Labels"] : Json(nullptr);
  if (config.contains("StopSignal")) dc["StopSignal"] = config["StopSignal"];
  Json j;
  j["Id"] = sha(str("Id"));
  j["RepoTags"] = arr("RepoTags");
  j["RepoDigests"] = arr("RepoDigests");
  j["Parent"] = str("Parent");
  j["Comment"] = str("Comment");
  j["Created"] = str("Created");
  j["Container"] = "";
  j["ContainerConfig"] = dc;
  j["DockerVersion"] = str("Version");
  j["Author"] = str("Author");
  j["Config"] = dc;
  j["Architecture"] = str("Architecture");
  j["Os"] = str("Os");
  j["Size"] = num("Size");
  j["VirtualSize"] = num("VirtualSize");
  j["GraphDriver"] = p.contains("GraphDriver") ? p["GraphDriver"] : Json{{"Data", nullptr}, {"Name", ""}};
  j["RootFS"] = p.contains("RootFS") ? p["RootFS"] : Json{{"Type", "layers"}};
  j["Metadata"] = {{"LastTagTime", "0001-01-01T00:00:00Z"}};
  return j;
}

Json historyJson(const ImageHistoryEntry& h) {
  return Json{{"Id", h.id},         {"Created", h.created}, {"CreatedBy", h.created_by},
              {"Tags", h.tags.empty() ? Json(nullptr) : Json(h.tags)},
              {"Size", h.size},     {"Comment", h.comment}};
}

Result<std::string> normalizeToDockerHub(const std::string& name,
                                         const std::function<bool(const std::string&)>& exists_locally) {
  if (exists_locally && exists_locally(name)) return name;
  auto ref = image::parseNormalizedNamed(name);
  if (!ref.ok())
    return makeError(Code::kInvalidArgument, "normalizing name {:?} for compat API: {}", name,
                     ref.error().message());
  return ref->string();
}

}  // namespace berth::api::server

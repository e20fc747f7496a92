// JSON of the public volume types (include/berth/api/volumes.h): podman's InspectVolumeData.
#include "berth/api/volumes.h"

#include "base/json_access.h"
#include "base/timefmt.h"

namespace berth::api {

Json volumeToJson(const Volume& v) {
  Json j = Json::object();
  j["Name"] = v.name;
  j["Driver"] = v.driver;
  j["Mountpoint"] = v.mountpoint;
  j["CreatedAt"] = formatRfc3339Nano(v.created);
  j["Labels"] = Json(v.labels);
  j["Scope"] = "local";
  j["Options"] = Json(v.options);
  if (v.uid && *v.uid) j["UID"] = *v.uid;
  if (v.gid && *v.gid) j["GID"] = *v.gid;
  if (v.anonymous) j["Anonymous"] = true;
  j["MountCount"] = v.mount_count;
  if (v.needs_copy_up) j["NeedsCopyUp"] = true;
  if (v.needs_chown) j["NeedsChown"] = true;
  if (j["Labels"].is_null()) j["Labels"] = Json::object();
  if (j["Options"].is_null()) j["Options"] = Json::object();
  return j;
}

Result<Volume> volumeFromJson(const Json& j) {
  TRY(json::checkObject(j, ""));
  Volume v;
  v.name = TRY(json::getString(j, "Name", ""));
  v.driver = TRY(json::optString(j, "Driver", "", "local"));
  v.mountpoint = TRY(json::optString(j, "Mountpoint", ""));
  std::string created = TRY(json::optString(j, "CreatedAt", ""));
  if (!created.empty()) v.created = TRY_CTX(parseRfc3339(created), "CreatedAt");
  v.labels = TRY(json::optStringMap(j, "Labels", ""));
  v.options = TRY(json::optStringMap(j, "Options", ""));
  if (j.contains("UID")) v.uid = uint32_t(TRY(json::optUint(j, "UID", "")));
  if (j.contains("GID")) v.gid = uint32_t(TRY(json::optUint(j, "GID", "")));
  v.anonymous = TRY(json::optBool(j, "Anonymous", ""));
  v.mount_count = TRY(json::optInt(j, "MountCount", ""));
  v.needs_copy_up = TRY(json::optBool(j, "NeedsCopyUp", ""));
  v.needs_chown = TRY(json::optBool(j, "NeedsChown", ""));
  return v;
}

}  // namespace berth::api

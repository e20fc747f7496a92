// VolumeService: the volume operations behind `berth volume ...` and the volumes REST routes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::api {

// One volume as podman's define.InspectVolumeData shows it.
struct Volume {
  std::string name;
  std::string driver = "local";
  std::string mountpoint;  // <volume path>/<name>/_data
  int64_t created = 0;     // unix ns
  std::map<std::string, std::string> labels;
  // The local driver's options as given: type, device, o, uid, gid, copy, nocopy...
  std::map<std::string, std::string> options;
  std::optional<uint32_t> uid, gid;  // owner of the volume's top directory when set at create
  bool anonymous = false;            // created for one container (-v /path, an image VOLUME)
  int64_t mount_count = 0;           // active mounts of an options volume (type=, device=)
  bool needs_copy_up = true;         // the image's content at the mount point is copied in at first use
  bool needs_chown = true;           // the top directory is chowned to the container user at first use
};

// InspectVolumeData JSON (Go field names, omitempty as podman has them).
Json volumeToJson(const Volume& v);
// The inverse, for the remote client; kInvalidArgument naming a field of the wrong type.
Result<Volume> volumeFromJson(const Json& j);

struct VolumeCreateRequest {
  std::string name;  // empty: a random 64-hex name
  std::string driver = "local";
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
  bool ignore_if_exists = false;  // return the existing volume instead of kAlreadyExists
  bool anonymous = false;
};

// One result per volume: the name as given (or the volume's name), or why it failed.
struct VolumeReport {
  std::string name;
  std::optional<Error> error;
};

struct VolumeRemoveRequest {
  std::vector<std::string> names;
  bool all = false;
  bool force = false;          // also remove the containers using them
  std::optional<int> timeout;  // stop timeout for those containers
};

class VolumeService {
 public:
  virtual ~VolumeService() = default;
  // kAlreadyExists "volume with name X already exists: volume already exists";
  // kInvalidArgument for a bad name, driver or option.
  virtual Result<Volume> create(const VolumeCreateRequest& req) = 0;
  // Filters key=value: name (regex), label, label!, driver, scope, opt, dangling,
  // anonymous, until. Sorted by name. kInvalidArgument for a bad filter.
  virtual Result<std::vector<Volume>> list(const std::vector<std::string>& filters) = 0;
  // kNotFound "no such volume X".
  virtual Result<Volume> inspect(const std::string& name) = 0;
  virtual Result<bool> exists(const std::string& name) = 0;
  // Per-volume results: kNotFound "no volume with name X found: no such volume";
  // kConflict "volume X is being used by the following container(s): IDs: volume is
  // being used" unless `force`, which removes those containers first.
  virtual Result<std::vector<VolumeReport>> remove(const VolumeRemoveRequest& req) = 0;
  // Removes the volumes no container uses that match the filters (label, label!, until).
  // `dry_run` only names them.
  virtual Result<std::vector<VolumeReport>> prune(const std::vector<std::string>& filters, bool dry_run) = 0;
  // Writes the volume's content as a tar stream to `out_fd`.
  virtual Status exportTar(const std::string& name, int out_fd) = 0;
  // Unpacks a tar stream (plain or compressed) from `in_fd` into the volume; member names
  // never reach outside it.
  virtual Status importTar(const std::string& name, int in_fd) = 0;
  // Mounts an options volume (type=/device=) and returns its mount point; a plain
  // volume's directory is returned as it is. Counted in MountCount.
  virtual Result<std::string> mount(const std::string& name) = 0;
  virtual Status unmount(const std::string& name) = 0;
};

}  // namespace berth::api

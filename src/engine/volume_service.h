// LocalVolumeService: VolumeService over the state DB and <volume path>/<name>/_data.
#pragma once

#include <string>
#include <vector>

#include "berth/api/volumes.h"
#include "state/volumes.h"

namespace berth::engine {

class Engine;

// Lock order (STYLE rule 6): a container's lock is taken before a volume's; nothing takes a
// container lock while holding a volume lock.
class LocalVolumeService : public api::VolumeService {
 public:
  explicit LocalVolumeService(Engine& e) : e_(e) {}
  Result<api::Volume> create(const api::VolumeCreateRequest& req) override;
  Result<std::vector<api::Volume>> list(const std::vector<std::string>& filters) override;
  Result<api::Volume> inspect(const std::string& name) override;
  Result<bool> exists(const std::string& name) override;
  Result<std::vector<api::VolumeReport>> remove(const api::VolumeRemoveRequest& req) override;
  Result<std::vector<api::VolumeReport>> prune(const std::vector<std::string>& filters, bool dry_run) override;
  Status exportTar(const std::string& name, int out_fd) override;
  Status importTar(const std::string& name, int in_fd) override;
  Result<std::string> mount(const std::string& name) override;
  Status unmount(const std::string& name) override;

  // --- for the container service ---

  // The volume `name`, created (and `created` set) when missing, as podman does for
  // -v NAME:/path. kInvalidArgument for a bad name.
  Result<api::Volume> ensure(const std::string& name, bool* created = nullptr);
  // Makes the volume ready to be bound into a container: its _data directory exists and an
  // options volume is mounted on it (counted in MountCount). Returns that directory.
  Result<std::string> acquire(const std::string& name);
  // Undoes one acquire(): the last release unmounts an options volume. A missing volume is fine.
  Status release(const std::string& name);
  // The first use by a container whose rootfs is mounted at `rootfs` and that mounts the
  // volume at `dest`: NeedsChown makes the volume's top directory owned by uid:gid, then
  // by the owner and mode of `dest` in the image when that exists; NeedsCopyUp (unless
  // `copy` is false) copies the image's content at `dest` into an empty volume. Everything
  // in the rootfs is read resolved inside it.
  Status firstUse(const std::string& name, const std::string& rootfs, const std::string& dest, bool copy,
                  uint32_t uid, uint32_t gid);
  // Removes those of `names` that no container uses any more (the anonymous volumes of a
  // removed container); failures are logged.
  void removeUnused(const std::vector<std::string>& names);

 private:
  std::string volumeDir(const std::string& name) const;
  api::Volume fromRecord(const state::VolumeRecord& r) const;
  // kNotFound "no such volume X".
  Result<state::VolumeRecord> load(const std::string& name);
  // Deletes the record (when no container uses it) and then the files.
  Status removeOne(const std::string& name, bool force, std::optional<int> timeout);
  // Unmounts _data if something is mounted there and deletes <volume path>/<name>.
  Status removeFiles(const std::string& name);

  Engine& e_;
};

}  // namespace berth::engine

// Image records in the state DB: the image, its layers and its names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "state/db.h"

namespace berth::state {

struct LayerRecord {
  std::string digest;      // blob digest in the content store
  std::string media_type;  // blob media type
  uint64_t size = 0;       // blob size
  std::string diff_id;     // digest of the uncompressed tar
  std::string chain_id;    // layer store key
  uint64_t diff_size = 0;  // bytes of the uncompressed tar
};

struct ImageRecord {
  std::string id;  // config digest hex
  std::string digest;  // manifest digest
  std::string manifest_type;
  int64_t created = 0;  // ns
  int64_t added = 0;    // ns
  int64_t size = 0;
  std::string top_layer;
  std::vector<LayerRecord> layers;
  std::vector<std::string> names;  // oldest first
  std::vector<std::string> repo_digests;
  std::vector<std::string> names_history;  // most recently given or removed first
  Json labels = Json::object();  // the config's Labels
};

Json toJson(const LayerRecord& l);
LayerRecord layerFromJson(const Json& j);

// Table operations; callers wrap writes in Db::transaction.
Result<std::vector<ImageRecord>> listImages(Db& db);
Result<std::optional<ImageRecord>> getImage(Db& db, const std::string& id);
// Inserts or replaces the image row (not its names).
Status putImage(Db& db, const ImageRecord& rec);
Status deleteImage(Db& db, const std::string& id);
// Points `name` at image `id`, taking it from any other image.
Status setName(Db& db, const std::string& id, const std::string& name);
// As setName, but the name goes before the image's other names (an image stored again by
// pull, load or commit lists its new names first, as containers/storage does).
Status setNameFirst(Db& db, const std::string& id, const std::string& name);
// Removes `name`; kNotFound if no image has it.
Status removeName(Db& db, const std::string& name);
Result<std::optional<std::string>> imageIdByName(Db& db, const std::string& name);
// Number of containers whose image is `id`.
Result<int64_t> containersUsingImage(Db& db, const std::string& id);

}  // namespace berth::state

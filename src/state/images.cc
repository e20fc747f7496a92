// Image records.
#include "state/images.h"

#include "base/json_fast.h"

#include <unordered_map>

namespace berth::state {

Json toJson(const LayerRecord& l) {
  return Json{{"digest", l.digest},   {"media_type", l.media_type}, {"size", l.size},
              {"diff_id", l.diff_id}, {"chain_id", l.chain_id},     {"diff_size", l.diff_size}};
}

LayerRecord layerFromJson(const Json& j) {
  LayerRecord l;
  l.digest = j.value("digest", "");
  l.media_type = j.value("media_type", "");
  l.size = j.value("size", uint64_t(0));
  l.diff_id = j.value("diff_id", "");
  l.chain_id = j.value("chain_id", "");
  l.diff_size = j.value("diff_size", uint64_t(0));
  return l;
}

static constexpr std::string_view kCols =
    "id, digest, manifest_type, created, added, size, top_layer, layers, repo_digests, labels, names_history";

static ImageRecord rowToImage(const Stmt& s) {
  ImageRecord r;
  r.id = s.text(0);
  r.digest = s.text(1);
  r.manifest_type = s.text(2);
  r.created = s.int64(3);
  r.added = s.int64(4);
  r.size = s.int64(5);
  r.top_layer = s.text(6);
  Json layers = parseJsonTrusted(s.text(7));
  if (layers.is_array())
    for (auto& l : layers) r.layers.push_back(layerFromJson(l));
  Json rd = parseJsonTrusted(s.text(8));
  if (rd.is_array())
    for (auto& d : rd) r.repo_digests.push_back(d.get<std::string>());
  r.labels = parseJsonTrusted(s.text(9));
  if (!r.labels.is_object()) r.labels = Json::object();
  Json nh = parseJsonTrusted(s.text(10));
  if (nh.is_array())
    for (auto& n : nh)
      if (n.is_string()) r.names_history.push_back(n.get<std::string>());
  return r;
}

Result<std::vector<ImageRecord>> listImages(Db& db) {
  std::vector<ImageRecord> out;
  std::unordered_map<std::string, size_t> index;
  {
    Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM images ORDER BY added, id", kCols)));
    while (TRY(s.next())) {
      out.push_back(rowToImage(s));
      index[out.back().id] = out.size() - 1;
    }
  }
  Stmt n = TRY(db.prepare("SELECT image_id, name FROM image_names ORDER BY seq"));
  while (TRY(n.next())) {
    auto it = index.find(n.text(0));
    if (it != index.end()) out[it->second].names.push_back(n.text(1));
  }
  return out;
}

Result<std::optional<ImageRecord>> getImage(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM images WHERE id = ?", kCols)));
  s.bind(1, id);
  if (!TRY(s.next())) return std::optional<ImageRecord>();
  ImageRecord r = rowToImage(s);
  Stmt n = TRY(db.prepare("SELECT name FROM image_names WHERE image_id = ? ORDER BY seq"));
  n.bind(1, id);
  while (TRY(n.next())) r.names.push_back(n.text(0));
  return std::optional<ImageRecord>(std::move(r));
}

Status putImage(Db& db, const ImageRecord& r) {
  Json layers = Json::array();
  for (auto& l : r.layers) layers.push_back(toJson(l));
  Json rd = r.repo_digests;
  Stmt s = TRY(db.prepare(
      "INSERT INTO images (id, digest, manifest_type, created, added, size, top_layer, layers, "
      "repo_digests, labels) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
      "digest=excluded.digest, manifest_type=excluded.manifest_type, layers=excluded.layers, "
      "repo_digests=excluded.repo_digests, size=excluded.size, top_layer=excluded.top_layer, "
      "labels=excluded.labels"));
  s.bind(1, r.id).bind(2, r.digest).bind(3, r.manifest_type).bind(4, r.created);
  s.bind(5, r.added).bind(6, r.size).bind(7, r.top_layer).bind(8, layers.dump()).bind(9, rd.dump());
  s.bind(10, r.labels.dump());
  return s.run();
}

Status deleteImage(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare("DELETE FROM images WHERE id = ?"));
  s.bind(1, id);
  return s.run();
}

namespace {

// Moves `name` to the front of image `id`'s names history.
Status touchNamesHistory(Db& db, const std::string& id, const std::string& name) {
  Stmt g = TRY(db.prepare("SELECT names_history FROM images WHERE id = ?"));
  g.bind(1, id);
  if (!TRY(g.next())) return {};
  Json old = parseJsonTrusted(g.text(0));
  Json hist = Json::array({name});
  if (old.is_array())
    for (auto& n : old)
      if (n.is_string() && n.get<std::string>() != name) hist.push_back(n);
  Stmt u = TRY(db.prepare("UPDATE images SET names_history = ? WHERE id = ?"));
  u.bind(1, hist.dump()).bind(2, id);
  return u.run();
}

}  // namespace

Status setName(Db& db, const std::string& id, const std::string& name) {
  Stmt s = TRY(db.prepare(
      "INSERT INTO image_names (name, image_id, seq) VALUES (?, ?, "
      "(SELECT COALESCE(MAX(seq), 0) + 1 FROM image_names)) "
      "ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, seq = excluded.seq "
      "WHERE image_names.image_id != excluded.image_id"));
  s.bind(1, name).bind(2, id);
  TRY(s.run());
  return touchNamesHistory(db, id, name);
}

Status setNameFirst(Db& db, const std::string& id, const std::string& name) {
  Stmt s = TRY(db.prepare(
      "INSERT INTO image_names (name, image_id, seq) VALUES (?, ?, "
      "(SELECT COALESCE(MIN(seq), 0) - 1 FROM image_names)) "
      "ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, seq = excluded.seq"));
  s.bind(1, name).bind(2, id);
  TRY(s.run());
  return touchNamesHistory(db, id, name);
}

Status removeName(Db& db, const std::string& name) {
  auto id = TRY(imageIdByName(db, name));
  if (!id) return makeError(Code::kNotFound, "{}: image not known", name);
  Stmt s = TRY(db.prepare("DELETE FROM image_names WHERE name = ?"));
  s.bind(1, name);
  TRY(s.run());
  return touchNamesHistory(db, *id, name);
}

Result<std::optional<std::string>> imageIdByName(Db& db, const std::string& name) {
  Stmt s = TRY(db.prepare("SELECT image_id FROM image_names WHERE name = ?"));
  s.bind(1, name);
  if (!TRY(s.next())) return std::optional<std::string>();
  return std::optional<std::string>(s.text(0));
}

Result<int64_t> containersUsingImage(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare("SELECT COUNT(*) FROM containers WHERE image_id = ?"));
  s.bind(1, id);
  TRY(s.next());
  return s.int64(0);
}

}  // namespace berth::state

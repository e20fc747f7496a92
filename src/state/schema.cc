// Schema migrations.
#include "state/schema.h"

namespace berth::state {

// What a container list shows from a container's config (see listContainerSummaries), as one
// small JSON object: `C` names the config column. SQL text, spliced into migration 7.
#define BERTH_CONTAINER_SUMMARY(C)                                                                \
  "json_object('image_name', json_extract(" C ", '$.image_name'), "                               \
  "'command', json(COALESCE(json_extract(" C ", '$.command'), '[]')), "                           \
  "'remove', CASE WHEN json_extract(" C ", '$.remove') THEN json('true') ELSE json('false') END, " \
  "'spec', json_object('labels', json(COALESCE(json_extract(" C ", '$.spec.labels'), '{}')), "     \
  "'restart_policy', COALESCE(json_extract(" C ", '$.spec.restart_policy'), ''), "                \
  "'portmappings', json(COALESCE(json_extract(" C ", '$.spec.portmappings'), '[]')), "            \
  "'Networks', json(COALESCE(json_extract(" C ", '$.spec.Networks'), '{}')), "                    \
  "'pod', COALESCE(json_extract(" C ", '$.spec.pod'), '')))"

// Migration 8's summary: migration 7's, plus the annotation that marks a build step's
// container (ps leaves those out unless --external), in the config's own place.
#define BERTH_BUILD_STEP(C) "json_extract(" C ", '$.spec.annotations.\"io.berth.build-step\"')"
#define BERTH_CONTAINER_SUMMARY_8(C)                                                              \
  "CASE WHEN " BERTH_BUILD_STEP(C) " IS NULL THEN " BERTH_CONTAINER_SUMMARY(C) " ELSE json_set(" \
  BERTH_CONTAINER_SUMMARY(C) ", '$.spec.annotations', json_object('io.berth.build-step', "       \
  BERTH_BUILD_STEP(C) ")) END"

const std::vector<std::string_view>& schemaMigrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: images and their names.
      R"sql(
CREATE TABLE images (
  id TEXT PRIMARY KEY,            -- config digest hex = image ID
  digest TEXT NOT NULL,           -- manifest digest
  manifest_type TEXT NOT NULL,
  created INTEGER NOT NULL,       -- ns, from the config
  added INTEGER NOT NULL,         -- ns, when stored here
  size INTEGER NOT NULL,          -- sum of uncompressed layer sizes
  top_layer TEXT NOT NULL,        -- chain ID of the top layer ('' if none)
  layers TEXT NOT NULL,           -- JSON list of layer records, base first
  repo_digests TEXT NOT NULL DEFAULT '[]',
  labels TEXT NOT NULL DEFAULT '{}'  -- the config's Labels, so listing never reads blobs
);
CREATE TABLE image_names (
  name TEXT PRIMARY KEY,          -- fully qualified, e.g. docker.io/library/busybox:latest
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL
);
CREATE INDEX image_names_by_image ON image_names(image_id, seq);
CREATE TABLE containers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  image_id TEXT NOT NULL,
  created INTEGER NOT NULL,       -- ns
  config TEXT NOT NULL,           -- JSON: the SpecGenerator and what create resolved
  state TEXT NOT NULL             -- JSON: status, pids, times, exit code
);
CREATE INDEX containers_by_image ON containers(image_id);
)sql",
      // 2: local manifest lists (`manifest create/add/push`).
      R"sql(
CREATE TABLE manifest_lists (
  name TEXT PRIMARY KEY,          -- fully qualified, e.g. localhost/list:latest
  id TEXT NOT NULL UNIQUE,        -- 64 hex, fixed when the list is created
  digest TEXT NOT NULL,           -- digest of index_json
  created INTEGER NOT NULL,       -- ns
  index_json TEXT NOT NULL,       -- the index (also kept as a blob in the content store)
  sources TEXT NOT NULL DEFAULT '{}'  -- JSON: entry digest -> where to copy it from on push
);
)sql",
      // 3: every name an image was ever known by, most recently given or removed first
      // (podman's NamesHistory, shown by `images --format {{.History}}`).
      R"sql(
ALTER TABLE images ADD COLUMN names_history TEXT NOT NULL DEFAULT '[]';
)sql",
      // 4: named and anonymous volumes (`volume create`, -v NAME:/path, -v /path).
      R"sql(
CREATE TABLE volumes (
  name TEXT PRIMARY KEY,
  created INTEGER NOT NULL,       -- ns
  config TEXT NOT NULL,           -- JSON: driver, labels, options, uid, gid, anonymous
  state TEXT NOT NULL             -- JSON: needs_copy_up, needs_chown, mount_count
);
)sql",
      // 5: secrets (`secret create`): metadata only; the file driver keeps the data in
      // <root>/secrets/filedriver/<id>, 0600.
      R"sql(
CREATE TABLE secrets (
  id TEXT PRIMARY KEY,            -- 25 hex
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,       -- ns
  updated INTEGER NOT NULL,       -- ns
  config TEXT NOT NULL            -- JSON: driver, driver_options, labels
);
)sql",
      // 6: pods (`pod create`, `--pod`). Members name their pod in their spec ("pod": ID).
      R"sql(
CREATE TABLE pods (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,       -- ns
  config TEXT NOT NULL,           -- JSON: the pod's create options, infra_id
  state TEXT NOT NULL             -- JSON: status while created ("creating", creator pid), else ""
);
)sql",
      // 7: the list summary of each container, kept by triggers in the transaction that writes
      // the config: `ps` then reads a 200-byte object per container instead of extracting
      // eight paths from each config (6 ms of 1000 containers' 7).
      "ALTER TABLE containers ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';\n"
      "UPDATE containers SET summary = " BERTH_CONTAINER_SUMMARY("config") ";\n"
      "CREATE TRIGGER containers_summary_insert AFTER INSERT ON containers BEGIN "
      "UPDATE containers SET summary = " BERTH_CONTAINER_SUMMARY("NEW.config") " WHERE id = NEW.id; END;\n"
      "CREATE TRIGGER containers_summary_update AFTER UPDATE OF config ON containers BEGIN "
      "UPDATE containers SET summary = " BERTH_CONTAINER_SUMMARY("NEW.config") " WHERE id = NEW.id; END;\n",
      // 8: the summary also carries the build-step annotation.
      "DROP TRIGGER containers_summary_insert;\n"
      "DROP TRIGGER containers_summary_update;\n"
      "UPDATE containers SET summary = " BERTH_CONTAINER_SUMMARY_8("config") ";\n"
      "CREATE TRIGGER containers_summary_insert AFTER INSERT ON containers BEGIN "
      "UPDATE containers SET summary = " BERTH_CONTAINER_SUMMARY_8("NEW.config") " WHERE id = NEW.id; END;\n"
      "CREATE TRIGGER containers_summary_update AFTER UPDATE OF config ON containers BEGIN "
      "UPDATE containers SET summary = " BERTH_CONTAINER_SUMMARY_8("NEW.config") " WHERE id = NEW.id; END;\n",
  };
  return kMigrations;
}

}  // namespace berth::state

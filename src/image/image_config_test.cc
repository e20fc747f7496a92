// Tests for the checked image config parse: typed fields, zero values, and errors naming fields.
#include "image/image_config.h"

#include <gtest/gtest.h>

#include "image/manifest.h"

namespace berth::image {
namespace {

const std::string kDiff = "sha256:" + std::string(64, 'a');

Json good() {
  return Json::parse(R"({"created":"2024-01-02T03:04:05Z","author":"me","architecture":"amd64",
    "os":"linux","variant":"v8","os.version":"1","os.features":["f"],"docker_version":"20",
    "comment":"c","config":{"User":"u","Env":["A=1"],"Cmd":["sh"],"Entrypoint":null,
    "WorkingDir":"/w","StopSignal":"SIGINT","Labels":{"l":"v"},"ExposedPorts":{"80/tcp":{}},
    "Volumes":{"/v":{}},"Healthcheck":{"Test":["CMD","true"],"Interval":5},"Unknown":[1]},
    "rootfs":{"type":"layers","diff_ids":[")" + kDiff + R"("]},
    "history":[{"created":"2024-01-02T03:04:05Z","created_by":"x","comment":"h","empty_layer":true},
               null]})");
}

Result<ImageConfig> parseWith(const std::function<void(Json&)>& edit) {
  Json j = good();
  edit(j);
  return parseImageConfig(j.dump());
}

std::string errorOf(const std::function<void(Json&)>& edit) {
  auto r = parseWith(edit);
  if (r.ok()) return "ok";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().what();
}

TEST(ImageConfig, TypedFields) {
  auto c = parseImageConfig(good().dump());
  ASSERT_TRUE(c.ok()) << c.error().what();
  EXPECT_EQ(*c->created, 1704164645000000000);
  EXPECT_EQ(c->author, "me");
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->os_version, "1");
  EXPECT_EQ(c->os_features, std::vector<std::string>{"f"});
  EXPECT_EQ(c->user, "u");
  EXPECT_EQ(c->env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(c->cmd, std::vector<std::string>{"sh"});
  EXPECT_TRUE(c->entrypoint.empty());
  EXPECT_EQ(c->working_dir, "/w");
  EXPECT_EQ(c->stop_signal, "SIGINT");
  EXPECT_EQ(c->labels.at("l"), "v");
  EXPECT_EQ(c->diff_ids, std::vector<std::string>{kDiff});
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_TRUE(c->history[0].empty_layer);
  EXPECT_EQ(c->history[0].comment, "h");
  EXPECT_FALSE(c->history[1].created.has_value());
  EXPECT_EQ(c->config["Unknown"], Json::parse("[1]"));  // unknown fields are kept
}

TEST(ImageConfig, NullsAreZeroValues) {
  auto c = parseWith([](Json& j) {
    j["config"] = nullptr;
    j["os"] = nullptr;
    j["history"] = nullptr;
    j["created"] = nullptr;
  });
  ASSERT_TRUE(c.ok()) << c.error().what();
  EXPECT_TRUE(c->config.is_object());
  EXPECT_TRUE(c->config.empty());
  EXPECT_EQ(c->os, "");
  EXPECT_FALSE(c->created.has_value());
}

TEST(ImageConfig, WrongTypesNameTheField) {
  EXPECT_EQ(errorOf([](Json& j) { j["config"]["User"] = 0; }),
            "config.User: expected string, got number");
  EXPECT_EQ(errorOf([](Json& j) { j["history"][0]["created"] = 12345; }),
            "history[0].created: expected string, got number");
  EXPECT_EQ(errorOf([](Json& j) { j["history"][0]["created"] = "soon"; }),
            "history[0].created: \"soon\" is not an RFC 3339 time");
  EXPECT_EQ(errorOf([](Json& j) { j["history"] = "x"; }), "history: expected array, got string");
  EXPECT_EQ(errorOf([](Json& j) { j["history"][0] = 1; }),
            "history[0]: expected object, got number");
  EXPECT_EQ(errorOf([](Json& j) { j["history"][0]["empty_layer"] = "yes"; }),
            "history[0].empty_layer: expected boolean, got string");
  EXPECT_EQ(errorOf([](Json& j) { j["config"]["Env"] = "A=1"; }),
            "config.Env: expected array of strings, got string");
  EXPECT_EQ(errorOf([](Json& j) { j["config"]["Cmd"] = Json::array({1}); }),
            "config.Cmd[0]: expected string, got number");
  EXPECT_EQ(errorOf([](Json& j) { j["config"]["Labels"]["l"] = true; }),
            "config.Labels.l: expected string, got boolean");
  EXPECT_EQ(errorOf([](Json& j) { j["config"]["ExposedPorts"]["80/tcp"] = 1; }),
            "config.ExposedPorts.80/tcp: expected object, got number");
  EXPECT_EQ(errorOf([](Json& j) { j["config"]["Healthcheck"]["Retries"] = "3"; }),
            "config.Healthcheck.Retries: expected integer, got string");
  EXPECT_EQ(errorOf([](Json& j) { j["container_config"] = {{"Tty", "yes"}}; }),
            "container_config.Tty: expected boolean, got string");
  EXPECT_EQ(errorOf([](Json& j) { j["config"] = Json::array(); }),
            "config: expected object, got array");
  EXPECT_EQ(errorOf([](Json& j) { j["os.features"] = "x"; }),
            "os.features: expected array of strings, got string");
  EXPECT_EQ(errorOf([](Json& j) { j["size"] = "big"; }), "size: expected integer, got string");
  EXPECT_EQ(errorOf([](Json& j) { j.erase("rootfs"); }), "rootfs: missing");
  EXPECT_EQ(errorOf([](Json& j) { j["rootfs"]["diff_ids"] = Json::array({"md5:x"}); }).rfind(
                "rootfs.diff_ids[0]", 0),
            0u);
  EXPECT_EQ(errorOf([](Json& j) { j = Json::array(); }), "expected object, got array");
}

TEST(ImageConfig, ConfigDiffIdsChecksTheWholeConfig) {
  Json j = good();
  j["config"]["User"] = 0;
  auto ids = configDiffIds(j.dump());
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().what(), "config.User: expected string, got number");
}

TEST(Manifest, WrongTypesNameTheField) {
  std::string d = "sha256:" + std::string(64, 'b');
  Json m = {{"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
            {"config", {{"mediaType", "x"}, {"digest", d}, {"size", 1}}},
            {"layers", Json::array({{{"mediaType", "y"}, {"digest", d}, {"size", 2}}})}};
  ASSERT_TRUE(parseManifest(m.dump()).ok());
  auto bad = [&](const std::function<void(Json&)>& edit) {
    Json j = m;
    edit(j);
    auto r = parseManifest(j.dump());
    return r.ok() ? std::string("ok") : r.error().what();
  };
  EXPECT_EQ(bad([](Json& j) { j["layers"][0]["size"] = "2"; }),
            "manifest: layers[0].size: expected integer, got string");
  EXPECT_EQ(bad([](Json& j) { j["layers"][0]["size"] = -1; }),
            "manifest: layers[0].size: -1 is negative");
  EXPECT_EQ(bad([](Json& j) { j["config"]["mediaType"] = 3; }),
            "manifest: config.mediaType: expected string, got number");
  EXPECT_EQ(bad([](Json& j) { j["layers"][0]["annotations"] = {{"a", 1}}; }),
            "manifest: layers[0].annotations.a: expected string, got number");
  EXPECT_EQ(bad([](Json& j) { j["layers"][0]["urls"] = "u"; }),
            "manifest: layers[0].urls: expected array of strings, got string");
  EXPECT_EQ(bad([](Json& j) { j["layers"] = 1; }), "manifest: layers: expected array, got number");
  EXPECT_EQ(bad([](Json& j) { j["mediaType"] = 1; }), "manifest: mediaType: expected string, got number");
  Json idx = {{"schemaVersion", 2},
              {"manifests", Json::array({{{"mediaType", "x"}, {"digest", d}, {"size", 1},
                                          {"platform", {{"os", 5}}}}})}};
  auto r = parseIndex(idx.dump(), "index.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "index.json: manifests[0].platform.os: expected string, got number");
}

}  // namespace
}  // namespace berth::image

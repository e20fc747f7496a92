// Tests for event encoding, filters and the file log (append, rotation, following a rotation).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "base/fs.h"
#include "base/timefmt.h"
#include "events/event.h"
#include "events/log.h"

namespace berth::events {
namespace {

Event sample() {
  Event e;
  e.type = "container";
  e.status = "start";
  e.id = std::string(64, 'a');
  e.name = "web";
  e.image = "localhost/busybox:latest";
  e.time_ns = 1700000000123456789;
  e.attributes = {{"b", "2"}, {"a", "1"}};
  return e;
}

TEST(Event, JsonRoundTripAndOrder) {
  Event e = sample();
  std::string j = toJson(e);
  EXPECT_EQ(j.find("\"ID\""), 1u) << j;
  EXPECT_LT(j.find("\"Status\""), j.find("\"Time\""));
  EXPECT_LT(j.find("\"Type\""), j.find("\"Attributes\""));
  EXPECT_EQ(j.find("ContainerExitCode"), std::string::npos);
  auto back = fromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->id, e.id);
  EXPECT_EQ(back->time_ns, e.time_ns);
  EXPECT_EQ(back->attributes.at("a"), "1");
  e.container_exit_code = 17;
  EXPECT_NE(toJson(e).find("\"ContainerExitCode\":17"), std::string::npos);
}

TEST(Event, WrongTypesAreErrors) {
  EXPECT_FALSE(fromJson(R"({"Status":1,"Time":"2022-01-01T00:00:00Z","Type":"image"})").ok());
  EXPECT_FALSE(fromJson(R"({"Status":"x","Time":"bogus","Type":"image"})").ok());
  EXPECT_FALSE(fromJson(R"({"Status":"x","Time":"2022-01-01T00:00:00Z","Type":"image","Attributes":[1]})").ok());
  EXPECT_FALSE(fromJson("not json").ok());
}

// The scanner that reads most lines and the general parser it falls back to agree.
TEST(Event, ScannerAndFallbackAgree) {
  Event e = sample();
  e.name = "we\"b\\ \t\n/x";
  e.container_exit_code = -3;
  e.attributes["q"] = "\x01";  // written as \u0001: the fallback decodes it
  auto back = fromJson(toJson(e));
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->name, e.name);
  EXPECT_EQ(back->container_exit_code, -3);
  EXPECT_EQ(back->attributes, e.attributes);
  // podman's own line: spaces, unknown fields of every kind, null Attributes.
  auto p = fromJson(
      R"( { "ID" : "abc", "Extra": [1, {"a": 2}], "Num": 1.5, "B": true, "Status":"died", "ContainerExitCode": 137,)"
      R"( "Time":"2022-01-01T00:00:00.5+01:00", "Type":"container", "Attributes": null } )");
  ASSERT_TRUE(p.ok()) << p.error().what();
  EXPECT_EQ(p->id, "abc");
  EXPECT_EQ(p->container_exit_code, 137);
  EXPECT_EQ(p->time_ns, 1640991600500000000);
  EXPECT_TRUE(p->attributes.empty());
  // Wrong types still fail, whichever path sees them first.
  EXPECT_FALSE(fromJson(R"({"Status":"x","Time":"2022-01-01T00:00:00Z","ContainerExitCode":"1"})").ok());
  EXPECT_FALSE(fromJson(R"({"Status":"x","Time":"2022-01-01T00:00:00Z","Attributes":{"a":1}})").ok());
  EXPECT_FALSE(fromJson(R"({"Status":"x","Time":"2022-01-01T00:00:00Z"} trailing)").ok());
  EXPECT_FALSE(fromJson(R"({"Status":"x","Time":"2022-01-01T00:00:00Z")").ok());
  EXPECT_FALSE(fromJson(R"({"Status":"x"})").ok());
}

TEST(Event, Human) {
  Event e = sample();
  std::string h = toHuman(e, true);
  EXPECT_NE(h.find(" container start aaaaaaaaaaaa (image=localhost/busybox:latest, name=web, a=1, b=2)"),
            std::string::npos)
      << h;
  Event i;
  i.type = "image";
  i.status = "pull";
  i.name = "docker-archive:/x.tar";
  i.time_ns = 1;
  EXPECT_NE(toHuman(i, false).find("image pull  docker-archive:/x.tar"), std::string::npos);
}

TEST(Filter, SameKeyOrDifferentKeysAnd) {
  auto f = Filter::parse({"container=web", "container=db", "event=start"}, "", "");
  ASSERT_TRUE(f.ok());
  Event e = sample();
  EXPECT_TRUE(f->match(e));
  e.name = "db";
  EXPECT_TRUE(f->match(e));
  e.name = "other";
  e.id = "bbbb";
  EXPECT_FALSE(f->match(e));
  e = sample();
  e.status = "stop";
  EXPECT_FALSE(f->match(e));
  auto l = Filter::parse({"label=a=1"}, "", "");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->match(sample()));
  EXPECT_FALSE(Filter::parse({"bogus=1"}, "", "").ok());
  EXPECT_FALSE(Filter::parse({"noequals"}, "", "").ok());
  auto d = Filter::parse({"event=die"}, "", "");
  e.status = "died";
  EXPECT_TRUE(d->match(e));
  auto t = Filter::parse({}, "2023-11-14T22:13:20Z", "");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->match(sample()));
  auto t2 = Filter::parse({}, "2030-01-01T00:00:00Z", "");
  EXPECT_FALSE(t2->match(sample()));
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/events-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)fs::removeAll(dir_); }
  std::string dir_;
};

TEST_F(LogTest, AppendAndRead) {
  LogConfig c;
  c.path = dir_ + "/sub/events.log";
  c.max_size = 0;
  Log log(c);
  for (int i = 0; i < 100; ++i) {
    Event e = sample();
    e.name = "c" + std::to_string(i);
    log.write(e);
  }
  std::vector<std::string> names;
  ReadOptions o;
  ASSERT_TRUE(log.read(o, [&](const Event& e) {
                   names.push_back(e.name);
                   return true;
                 }).ok());
  ASSERT_EQ(names.size(), 100u);
  EXPECT_EQ(names[99], "c99");
}

TEST_F(LogTest, RotationKeepsSecondHalf) {
  std::string path = dir_ + "/events.log";
  {
    std::ofstream f(path);
    for (int i = 0; i < 100; ++i)
      f << fmt::format(
          "{{\"Name\":\"busybox\",\"Status\":\"pull\",\"Time\":\"2022-04-06T11:26:42.7236679{:02d}+02:00\","
          "\"Type\":\"image\",\"Attributes\":null}}\n",
          i);
  }
  LogConfig c;
  c.path = path;
  c.max_size = 4750;
  Log log(c);
  Event e = sample();
  e.status = "remove";
  log.write(e);
  std::vector<Event> all;
  ASSERT_TRUE(log.read({}, [&](const Event& ev) {
                   all.push_back(ev);
                   return true;
                 }).ok());
  ASSERT_EQ(all.size(), 51u);
  EXPECT_EQ(all[49].status, "log-rotation");
  EXPECT_EQ(all[49].name, path);
  EXPECT_EQ(all[50].status, "remove");
}

TEST_F(LogTest, FollowerSeesEveryEventOnceAcrossRotation) {
  LogConfig c;
  c.path = dir_ + "/events.log";
  c.max_size = 4000;
  Log log(c);
  log.write(sample());
  std::atomic<bool> stop{false};
  std::vector<std::string> seen;
  std::atomic<size_t> count{0};
  std::thread reader([&] {
    ReadOptions o;
    o.stream = true;
    o.from_start = true;
    o.stop = &stop;
    auto f = Filter::parse({"type=container"}, "", "");
    o.filter = &*f;
    Status s = log.read(o, [&](const Event& e) {
      seen.push_back(e.name);
      count = seen.size();
      return seen.size() < 201;
    });
    EXPECT_TRUE(s.ok());
  });
  for (int i = 0; i < 200; ++i) {
    Event e = sample();
    e.name = "n" + std::to_string(i);
    log.write(e);
    // A writer rotating faster than a reader reads can cut events away before
    // they are read; at one event per millisecond the follower keeps up.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (int i = 0; i < 100 && count < 201; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop = true;
  reader.join();
  ASSERT_EQ(seen.size(), 201u);
  EXPECT_EQ(seen[0], "web");
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen[size_t(i) + 1], "n" + std::to_string(i));
}

TEST_F(LogTest, NoneBackendRefusesReads) {
  LogConfig c;
  c.backend = "none";
  Log log(c);
  log.write(sample());
  Status s = log.read({}, [](const Event&) { return true; });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cannot read events with the \"none\" backend");
}

}  // namespace
}  // namespace berth::events

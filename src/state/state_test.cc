// Unit tests for the state DB.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "state/db.h"
#include "state/containers.h"
#include "state/images.h"
#include "state/pods.h"

namespace berth::state {
namespace {

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-db-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = std::move(Db::open(dir_ + "/db.sqlite").value());
  }
  void TearDown() override {
    db_.reset();
    (void)fs::removeAll(dir_);
  }
  std::string dir_;
  std::unique_ptr<Db> db_;
};

ImageRecord image(std::string id) {
  ImageRecord r;
  r.id = id;
  r.digest = "sha256:m" + id;
  r.manifest_type = "application/vnd.docker.distribution.manifest.v2+json";
  r.layers.push_back(LayerRecord{"sha256:l", "t", 3, "sha256:d", "sha256:c", 10});
  return r;
}

TEST_F(StateTest, NamesMoveBetweenImages) {
  ASSERT_TRUE(db_->transaction([&]() -> Status {
                   TRY(putImage(*db_, image("a")));
                   TRY(putImage(*db_, image("b")));
                   TRY(setName(*db_, "a", "x:latest"));
                   TRY(setName(*db_, "a", "y:latest"));
                   return setName(*db_, "b", "x:latest");
                 }).ok());
  auto all = *listImages(*db_);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].names, std::vector<std::string>{"y:latest"});
  EXPECT_EQ(all[1].names, std::vector<std::string>{"x:latest"});
  EXPECT_EQ(all[0].layers[0].diff_size, 10u);
  EXPECT_EQ(removeName(*db_, "nope").error().code(), Code::kNotFound);
}

TEST_F(StateTest, FailedTransactionRollsBack) {
  auto s = db_->transaction([&]() -> Status {
    TRY(putImage(*db_, image("a")));
    return makeError(Code::kInternal, "boom");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(listImages(*db_)->empty());
}

TEST_F(StateTest, DeleteCascadesNames) {
  ASSERT_TRUE(db_->transaction([&]() -> Status {
                   TRY(putImage(*db_, image("a")));
                   return setName(*db_, "a", "x:latest");
                 }).ok());
  ASSERT_TRUE(deleteImage(*db_, "a").ok());
  EXPECT_FALSE(imageIdByName(*db_, "x:latest")->has_value());
}

TEST_F(StateTest, ReopenKeepsSchema) {
  db_.reset();
  auto again = Db::open(dir_ + "/db.sqlite");
  ASSERT_TRUE(again.ok()) << again.error().what();
}

// The -wal and -shm files outlive a command (no file made and deleted by each), the WAL
// emptied into the database at the last close: what was written is in the main file.
TEST_F(StateTest, WalKeptEmptyBetweenOpens) {
  ASSERT_TRUE(db_->transaction([&]() -> Status { return putImage(*db_, image("w")); }).ok());
  db_.reset();
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/db.sqlite-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  ASSERT_EQ(::stat((dir_ + "/db.sqlite-shm").c_str(), &st), 0);
  ino_t wal_ino = 0;
  {
    struct stat w;
    ASSERT_EQ(::stat((dir_ + "/db.sqlite-wal").c_str(), &w), 0);
    wal_ino = w.st_ino;
  }
  // The main file alone holds the image: a copy of it without the WAL still has it.
  auto main = fs::readFile(dir_ + "/db.sqlite");
  ASSERT_TRUE(main.ok());
  ASSERT_TRUE(fs::mkdirAll(dir_ + "/copy").ok());
  ASSERT_TRUE(fs::writeFileAtomic(dir_ + "/copy/db.sqlite", *main).ok());
  auto copy = Db::open(dir_ + "/copy/db.sqlite");
  ASSERT_TRUE(copy.ok()) << copy.error().what();
  auto got = getImage(**copy, "w");
  ASSERT_TRUE(got.ok() && got->has_value());
  // Reopened and written again: the same WAL file, not a new one.
  auto again = Db::open(dir_ + "/db.sqlite");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->transaction([&]() -> Status { return putImage(**again, image("v")); }).ok());
  struct stat w2;
  ASSERT_EQ(::stat((dir_ + "/db.sqlite-wal").c_str(), &w2), 0);
  EXPECT_EQ(w2.st_ino, wal_ino);
  EXPECT_GT(w2.st_size, 0);  // open: the write is in the WAL
  // Closed again: empty again, so that no later open reads old frames back (nor the WAL grows).
  again->reset();
  ASSERT_EQ(::stat((dir_ + "/db.sqlite-wal").c_str(), &w2), 0);
  EXPECT_EQ(w2.st_size, 0);
  auto third = Db::open(dir_ + "/db.sqlite");
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(getImage(**third, "w")->has_value());
  EXPECT_TRUE(getImage(**third, "v")->has_value());
}

// Processes opening a database that does not exist yet, all at once: every one of them gets
// it (SQLite tells one of two racing switches to WAL "locked" without waiting).
TEST_F(StateTest, ConcurrentFirstOpensAllSucceed) {
  for (int round = 0; round < 40; ++round) {
    std::string path = dir_ + "/race" + std::to_string(round) + ".sqlite";
    std::vector<pid_t> kids;
    for (int k = 0; k < 3; ++k) {
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        auto db = Db::open(path);
        ::_exit(db.ok() ? 0 : 1);
      }
      kids.push_back(pid);
    }
    for (pid_t pid : kids) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
  }
}

TEST_F(StateTest, PodsFindByNameIdPrefixAndMembers) {
  PodRecord a{"abc123", "web", 1, Json{{"infra_id", "c1"}}, Json::object()};
  PodRecord b{"abd456", "db", 2, Json::object(), Json::object()};
  ASSERT_TRUE(insertPod(*db_, a).ok());
  ASSERT_TRUE(insertPod(*db_, b).ok());
  PodRecord dup{"fff", "web", 3, Json::object(), Json::object()};
  EXPECT_EQ(insertPod(*db_, dup).error().code(), Code::kAlreadyExists);
  EXPECT_EQ(findPod(*db_, "web")->id, "abc123");
  EXPECT_EQ(findPod(*db_, "abd")->name, "db");
  EXPECT_EQ(findPod(*db_, "ab").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(findPod(*db_, "nope").error().what(), "no pod with name or ID nope found: no such pod");
  ContainerRecord c{"c1", "infra", "img", 5, Json{{"spec", {{"pod", "abc123"}}}}, Json::object()};
  ContainerRecord d{"c2", "other", "img", 6, Json{{"spec", {{"name", "x"}}}}, Json::object()};
  ASSERT_TRUE(insertContainer(*db_, c).ok());
  ASSERT_TRUE(insertContainer(*db_, d).ok());
  EXPECT_EQ(*podMembers(*db_, "abc123"), std::vector<std::string>{"c1"});
  EXPECT_TRUE(podMembers(*db_, "abd456")->empty());
  a.config["exit_policy"] = "stop";
  ASSERT_TRUE(updatePod(*db_, a).ok());
  EXPECT_EQ((*getPod(*db_, "abc123"))->config["exit_policy"], "stop");
  ASSERT_TRUE(deletePod(*db_, "abc123").ok());
  EXPECT_FALSE(*getPod(*db_, "abc123"));
  EXPECT_EQ(updatePod(*db_, a).error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace berth::state

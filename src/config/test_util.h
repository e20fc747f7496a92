// Test helpers: a temporary directory and file writing.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>
#include <string_view>

#include "base/fs.h"

namespace berth::config::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-config-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path_ = p;
  }
  ~TempDir() { (void)fs::removeAll(path_); }
  const std::string& path() const { return path_; }
  std::string file(std::string_view rel) const { return fs::joinPath(path_, rel); }
  // Writes `text` to path()/rel, creating parent directories.
  std::string write(std::string_view rel, std::string_view text) const {
    std::string p = file(rel);
    EXPECT_TRUE(fs::mkdirAll(p.substr(0, p.rfind('/'))).ok());
    EXPECT_TRUE(fs::writeFileAtomic(p, text, 0644).ok());
    return p;
  }

 private:
  std::string path_;
};

inline mode_t fileMode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

}  // namespace berth::config::testing

// The manual pages generated from the command tree: one per command, every flag, valid roff.
#include "cli/man.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "base/fs.h"
#include "cli/context.h"
#include "cli/root.h"

namespace berth::cli {
namespace {

TEST(Man, EscapesRoff) {
  EXPECT_EQ(roffEscape("a-b\\c"), "a\\-b\\ec");
  EXPECT_EQ(roffEscape(".x\n'y\nz.w"), "\\&.x\n\\&'y\nz.w");
}

TEST(Man, EveryCommandHasAPageWithEveryFlag) {
  Context ctx;
  auto root = makeRootCommand("berth");
  auto pages = manPages(*root, ctx.globals(), "berth");
  size_t visited = 0;
  std::function<void(const Command&, const std::string&)> walk = [&](const Command& c, const std::string& page) {
    ++visited;
    auto it = pages.find(page + ".1");
    ASSERT_NE(it, pages.end()) << page;
    const std::string& text = it->second;
    EXPECT_NE(text.find(".SH NAME\n" + roffEscape(page) + " \\- "), std::string::npos) << page;
    for (auto& f : c.flags())
      if (!f.hidden) EXPECT_NE(text.find("\\fB\\-\\-" + roffEscape(f.name) + "\\fR"), std::string::npos) << page << " --" << f.name;
    for (auto& s : c.subcommands())
      if (!s->isHidden()) walk(*s, page + "-" + s->name());
  };
  walk(*root, "berth");
  size_t aliases = 0;
  for (auto& [name, text] : pages) aliases += text.starts_with(".so man1/");
  EXPECT_EQ(visited + aliases, pages.size());
  EXPECT_GT(pages.size(), 150u);
  // The root page lists the global options; a nested page names its parent.
  EXPECT_NE(pages["berth.1"].find("\\fB\\-\\-root\\fR \\fIstring\\fR"), std::string::npos);
  EXPECT_NE(pages["berth-image-list.1"].find("\\fBberth\\-image\\fR(1)"), std::string::npos);
  EXPECT_NE(pages["berth-events.1"].find(".SH EXAMPLES"), std::string::npos);
  EXPECT_EQ(pages["berth-image-ls.1"], ".so man1/berth-image-list.1\n");
}

// No command anywhere in the tree defines a flag twice (by name or by shorthand); and the
// check itself finds a duplicate.
TEST(CommandTree, NoCommandDefinesAFlagTwice) {
  Context ctx;
  auto root = makeRootCommand("berth");
  size_t commands = 0;
  std::function<void(const Command&)> walk = [&](const Command& c) {
    ++commands;
    for (auto& d : c.duplicateFlags()) ADD_FAILURE() << d;
    for (auto& s : c.subcommands()) walk(*s);
  };
  walk(*root);
  EXPECT_GT(commands, 150u);
  bool a = false, b = false;
  Command twice{"twice", "a command with a flag twice"};
  twice.flag("all", 'a', &a, "all").flag("any", 'a', &b, "any");
  ASSERT_EQ(twice.duplicateFlags().size(), 1u);
  EXPECT_EQ(twice.duplicateFlags()[0], "twice: --any (-a) twice");
}

// groff parses every page without a warning (-ww) when it is installed (scripts/deps.sh --test).
TEST(Man, PagesAreValidRoff) {
  if (std::system("command -v groff >/dev/null 2>&1") != 0) GTEST_SKIP() << "groff is not installed";
  Context ctx;
  auto root = makeRootCommand("berth");
  char tmpl[] = "/tmp/berth-man-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_TRUE(writeManPages(*root, ctx.globals(), "berth", dir).ok());
  for (const char* page : {"berth.1", "berth-run.1", "berth-image-list.1", "berth-events.1", "berth-system-prune.1", "berth-kube-play.1"}) {
    std::string cmd = "groff -man -Tutf8 -ww -z " + dir + "/" + page + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[512];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << page;
    EXPECT_EQ(out, "") << page;
  }
  (void)fs::removeAll(dir);
}

}  // namespace
}  // namespace berth::cli

// Unit tests for the pflag-compatible flag parser of src/cli/command.cc.
#include "cli/command.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "base/log.h"
#include "cli/context.h"

namespace berth::cli {
namespace {

struct Fixture {
  bool all = false, quiet = false, detach = false;
  std::string name, root;
  int last = -1;
  std::vector<std::string> env, caps;
  std::vector<Flag> globals;
  Command cmd{"test [options]", "a test command"};

  Fixture() {
    cmd.flag("all", 'a', &all, "all")
        .flag("quiet", 'q', &quiet, "quiet")
        .flag("detach", 'd', &detach, "detach")
        .flag("name", 0, &name, "name")
        .flag("last", 'n', &last, "last")
        .flag("env", 'e', &env, "env")
        .sliceFlag("cap-add", 0, &caps, "caps");
    globals.push_back(Flag{"root", 0, "root", &root, ""});
  }

  // Parses argv; returns the error text ("" on success).
  std::string parse(std::vector<std::string> argv) {
    positional.clear();
    help = false;
    auto s = cmd.parse(argv, &globals, positional, help);
    return s.ok() ? "" : s.error().what();
  }
  std::vector<std::string> positional;
  bool help = false;
};

using Args = std::vector<std::string>;

TEST(CommandParse, CombinedShortBools) {
  Fixture f;
  EXPECT_EQ(f.parse({"-aq"}), "");
  EXPECT_TRUE(f.all);
  EXPECT_TRUE(f.quiet);
  EXPECT_FALSE(f.detach);
  EXPECT_TRUE(f.cmd.changed("all"));
  EXPECT_FALSE(f.cmd.changed("detach"));
}

TEST(CommandParse, CombinedShortBoolsEndingInValueFlag) {
  Fixture f;
  EXPECT_EQ(f.parse({"-aqn", "3", "x"}), "");
  EXPECT_TRUE(f.all);
  EXPECT_EQ(f.last, 3);
  EXPECT_EQ(f.positional, Args{"x"});
  Fixture g;
  EXPECT_EQ(g.parse({"-an3"}), "");
  EXPECT_EQ(g.last, 3);
}

TEST(CommandParse, ShortValueForms) {
  for (Args argv : {Args{"-n", "7"}, Args{"-n7"}, Args{"-n=7"}}) {
    Fixture f;
    EXPECT_EQ(f.parse(argv), "") << argv[0];
    EXPECT_EQ(f.last, 7) << argv[0];
  }
}

TEST(CommandParse, LongValueForms) {
  Fixture f;
  EXPECT_EQ(f.parse({"--name=a=b", "--last", "-1"}), "");
  EXPECT_EQ(f.name, "a=b");
  EXPECT_EQ(f.last, -1);
  Fixture g;
  // A value may start with a dash, and may be empty.
  EXPECT_EQ(g.parse({"--name", "-x"}), "");
  EXPECT_EQ(g.name, "-x");
  Fixture h;
  EXPECT_EQ(h.parse({"--name="}), "");
  EXPECT_EQ(h.name, "");
  EXPECT_TRUE(h.cmd.changed("name"));
}

TEST(CommandParse, InterspersedArguments) {
  Fixture f;
  EXPECT_EQ(f.parse({"one", "-q", "two", "--all", "three"}), "");
  EXPECT_EQ(f.positional, (Args{"one", "two", "three"}));
  EXPECT_TRUE(f.quiet);
  EXPECT_TRUE(f.all);
}

TEST(CommandParse, NoInterspersedStopsAtFirstArgument) {
  Fixture f;
  f.cmd.noInterspersed();
  EXPECT_EQ(f.parse({"-d", "image", "-q", "--all"}), "");
  EXPECT_TRUE(f.detach);
  EXPECT_FALSE(f.quiet);
  EXPECT_EQ(f.positional, (Args{"image", "-q", "--all"}));
}

TEST(CommandParse, DoubleDashEndsFlags) {
  Fixture f;
  EXPECT_EQ(f.parse({"-a", "--", "-q", "--name", "x"}), "");
  EXPECT_TRUE(f.all);
  EXPECT_FALSE(f.quiet);
  EXPECT_EQ(f.positional, (Args{"-q", "--name", "x"}));
  Fixture g;
  g.cmd.noInterspersed();
  EXPECT_EQ(g.parse({"--", "-q"}), "");
  EXPECT_EQ(g.positional, Args{"-q"});
}

TEST(CommandParse, SingleDashIsAnArgument) {
  Fixture f;
  EXPECT_EQ(f.parse({"-"}), "");
  EXPECT_EQ(f.positional, Args{"-"});
}

TEST(CommandParse, BoolValues) {
  Fixture f;
  f.all = true;
  EXPECT_EQ(f.parse({"--all=false", "-q=true", "-d=F"}), "");
  EXPECT_FALSE(f.all);
  EXPECT_TRUE(f.quiet);
  EXPECT_FALSE(f.detach);
  // Go's strconv.ParseBool spellings.
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    Fixture g;
    EXPECT_EQ(g.parse({std::string("--all=") + t}), "") << t;
    EXPECT_TRUE(g.all) << t;
  }
  // A bool flag never takes the next argument as its value.
  Fixture h;
  EXPECT_EQ(h.parse({"--all", "false"}), "");
  EXPECT_TRUE(h.all);
  EXPECT_EQ(h.positional, Args{"false"});
}

TEST(CommandParse, BadValues) {
  Fixture f;
  EXPECT_EQ(f.parse({"--all=yes"}),
            "invalid argument \"yes\" for \"-a, --all\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax");
  EXPECT_EQ(f.parse({"--last=x"}),
            "invalid argument \"x\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(f.parse({"-n", "5x"}),
            "invalid argument \"5x\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"5x\": invalid syntax");
}

TEST(CommandParse, UnknownFlags) {
  Fixture f;
  EXPECT_EQ(f.parse({"--nope"}), "unknown flag: --nope");
  EXPECT_EQ(f.parse({"--nope=1"}), "unknown flag: --nope");
  EXPECT_EQ(f.parse({"-z"}), "unknown shorthand flag: 'z' in -z");
  EXPECT_EQ(f.parse({"-az"}), "unknown shorthand flag: 'z' in -az");
}

TEST(CommandParse, MissingValues) {
  Fixture f;
  EXPECT_EQ(f.parse({"--name"}), "flag needs an argument: --name");
  EXPECT_EQ(f.parse({"-n"}), "flag needs an argument: 'n' in -n");
  EXPECT_EQ(f.parse({"-an"}), "flag needs an argument: 'n' in -n");
}

TEST(CommandParse, HelpFlags) {
  Fixture f;
  EXPECT_EQ(f.parse({"--help"}), "");
  EXPECT_TRUE(f.help);
  EXPECT_EQ(f.parse({"-h"}), "");
  EXPECT_TRUE(f.help);
}

TEST(CommandParse, ArrayFlagsKeepCommas) {
  Fixture f;
  EXPECT_EQ(f.parse({"-e", "A=1,B=2", "--env=C=3"}), "");
  EXPECT_EQ(f.env, (Args{"A=1,B=2", "C=3"}));
}

TEST(CommandParse, SliceFlagsSplitOnCommas) {
  Fixture f;
  EXPECT_EQ(f.parse({"--cap-add", "CHOWN,NET_ADMIN", "--cap-add=SYS_TIME", "--cap-add", "\"a,b\",c"}), "");
  EXPECT_EQ(f.caps, (Args{"CHOWN", "NET_ADMIN", "SYS_TIME", "a,b", "c"}));
  Fixture g;
  EXPECT_EQ(g.parse({"--cap-add="}), "");
  EXPECT_TRUE(g.caps.empty());
  Fixture h;
  EXPECT_EQ(h.parse({"--cap-add", "a\"b"}),
            "invalid argument \"a\\\"b\" for \"--cap-add\" flag: parse error on line 1, column 2: bare \" in "
            "non-quoted-field");
}

TEST(CommandParse, GlobalFlags) {
  Fixture f;
  EXPECT_EQ(f.parse({"--root", "/x", "arg"}), "");
  EXPECT_EQ(f.root, "/x");
  EXPECT_EQ(f.positional, Args{"arg"});
}

TEST(SplitCsv, GoCsvRecords) {
  EXPECT_EQ(*splitCsv("a,b,,c"), (Args{"a", "b", "", "c"}));
  EXPECT_EQ(*splitCsv("\"x\"\"y\",z"), (Args{"x\"y", "z"}));
  EXPECT_EQ(*splitCsv("a,"), (Args{"a", ""}));
  EXPECT_FALSE(splitCsv("\"open").ok());
  EXPECT_FALSE(splitCsv("\"a\"b").ok());
}

TEST(CommandExecute, DescendsPastGlobalFlagValues) {
  Context ctx;
  Command root("berth [options]", "root");
  std::vector<std::string> seen;
  bool all = false;
  auto sub = std::make_unique<Command>("ps [options]", "list");
  sub->flag("all", 'a', &all, "all").run([&](Context&, const std::vector<std::string>& args) {
    seen = args;
    return 7;
  });
  root.add(std::move(sub));
  EXPECT_EQ(root.execute(ctx, {"--root", "/tmp/x", "ps", "-a", "arg"}, &ctx.globals(), "berth"), 7);
  EXPECT_TRUE(all);
  EXPECT_EQ(seen, Args{"arg"});
  EXPECT_EQ(ctx.opts.root, "/tmp/x");
}

TEST(CommandExecute, ArgumentCountAndParseErrorsAreEngineErrors) {
  Context ctx;
  Command root("berth [options]", "root");
  auto sub = std::make_unique<Command>("one NAME", "exactly one");
  sub->args(1, 1).run([](Context&, const std::vector<std::string>&) { return 0; });
  root.add(std::move(sub));
  EXPECT_EQ(root.execute(ctx, {"one"}, &ctx.globals(), "berth"), 125);
  EXPECT_EQ(root.execute(ctx, {"one", "a", "b"}, &ctx.globals(), "berth"), 125);
  EXPECT_EQ(root.execute(ctx, {"one", "--bogus", "a"}, &ctx.globals(), "berth"), 125);
  EXPECT_EQ(root.execute(ctx, {"one", "a"}, &ctx.globals(), "berth"), 0);
}

// The shapes podman's 015-help and 001-basic tests read: usage lines, sorted command
// lists, Options of the root, --remote hidden when remote is implied.
TEST(CommandHelp, PodmanShapes) {
  Context ctx;
  Command root("podman [options]", "Manage pods, containers and images");
  auto image = std::make_unique<Command>("image", "Manage images");
  image->add(std::make_unique<Command>("tree [options] IMAGE", "Print a tree"))
      .run([](Context&, const std::vector<std::string>&) { return 0; });
  root.add(std::make_unique<Command>("ps [options]", "List containers"))
      .args(0, 0)
      .run([](Context&, const std::vector<std::string>&) { return 0; });
  root.add(std::move(image));
  ::unsetenv("CONTAINER_HOST");
  ::unsetenv("CONTAINER_CONNECTION");
  std::string h = root.help("podman", &ctx.globals());
  EXPECT_NE(h.find("Usage:\n  podman [options] [command]\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  image       Manage images\n  ps          List containers\n"), std::string::npos) << h;
  EXPECT_NE(h.find("Options:\n"), std::string::npos) << h;
  EXPECT_NE(h.find("      --help "), std::string::npos) << h;
  EXPECT_NE(h.find(" --remote "), std::string::npos) << h;
  EXPECT_EQ(h.find("Global Options"), std::string::npos) << h;
  // Flags are sorted by name, as pflag prints them.
  EXPECT_LT(h.find("--log-level"), h.find("--root"));
  ::setenv("CONTAINER_HOST", "unix:///nowhere", 1);
  EXPECT_EQ(root.help("podman", &ctx.globals()).find(" --remote "), std::string::npos);
  ::unsetenv("CONTAINER_HOST");
  Command* img = root.find("image");
  ASSERT_NE(img, nullptr);
  EXPECT_NE(img->help("podman image", &ctx.globals()).find("Usage:\n  podman image [command]\n"), std::string::npos);
}

TEST(CommandExecute, GroupsNeedASubcommandAndNoArgCommandsTakeNone) {
  Context ctx;
  Command root("podman [options]", "root");
  auto image = std::make_unique<Command>("image", "Manage images");
  image->add(std::make_unique<Command>("tree IMAGE", "tree")).run([](Context&, const std::vector<std::string>&) {
    return 0;
  });
  root.add(std::move(image));
  root.add(std::make_unique<Command>("ps [options]", "list")).args(0, 0).run([](Context&, const std::vector<std::string>&) {
    return 0;
  });
  EXPECT_EQ(root.execute(ctx, {"image"}, &ctx.globals(), "podman"), 125);
  EXPECT_EQ(root.execute(ctx, {}, &ctx.globals(), "podman"), 125);
  EXPECT_EQ(root.execute(ctx, {"ps", "x"}, &ctx.globals(), "podman"), 125);
  EXPECT_EQ(root.execute(ctx, {"ps"}, &ctx.globals(), "podman"), 0);
}

TEST(CommandExecute, BadLogLevelExitsOne) {
  {
    Context ctx;
    Command root("podman [options]", "root");
    root.add(std::make_unique<Command>("ps", "list")).run([](Context&, const std::vector<std::string>&) { return 0; });
    EXPECT_EQ(root.execute(ctx, {"--log-level=telepathic", "ps"}, &ctx.globals(), "podman"), 1);
  }
  {
    Context ctx;
    Command root("podman [options]", "root");
    root.add(std::make_unique<Command>("ps", "list")).run([](Context&, const std::vector<std::string>&) { return 0; });
    EXPECT_EQ(root.execute(ctx, {"--debug", "--log-level=panic", "ps"}, &ctx.globals(), "podman"), 1);
  }
  log::setLevel(log::Level::kWarn);
}

}  // namespace
}  // namespace berth::cli

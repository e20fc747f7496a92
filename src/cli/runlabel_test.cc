// Unit tests for runlabel's planner: shlex splitting, os.Expand, NAME/IMAGE
// substitution.
#include "cli/runlabel.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

namespace berth::cli::runlabel {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view s) {
  auto r = shlexSplit(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().what());
  return r.ok() ? *r : Words{"<error>"};
}

std::string splitError(std::string_view s) {
  auto r = shlexSplit(s);
  return r.ok() ? "<no error>" : r.error().what();
}

TEST(RunlabelShlex, BlanksSeparateWords) {
  EXPECT_EQ(split("  a\tb\r\nc  "), (Words{"a", "b", "c"}));
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split(" \t\n"), Words{});
}

TEST(RunlabelShlex, Quotes) {
  EXPECT_EQ(split("'a b' \"c d\""), (Words{"a b", "c d"}));
  EXPECT_EQ(split("x'a b'y\"c\"z"), Words{"xa bycz"});
  EXPECT_EQ(split("a '' \"\" b"), (Words{"a", "", "", "b"}));
  // Single quotes keep backslashes; double quotes take the next character
  // literally.
  EXPECT_EQ(split(R"('a\b' "c\"d" "e\\f")"), (Words{R"(a\b)", R"(c"d)", R"(e\f)"}));
  EXPECT_EQ(split(R"("it's" 'say "hi"')"), (Words{"it's", R"(say "hi")"}));
}

TEST(RunlabelShlex, Escapes) {
  EXPECT_EQ(split(R"(a\ b c\\d \'e)"), (Words{"a b", R"(c\d)", "'e"}));
  EXPECT_EQ(split("a\\\nb"), Words{"a\nb"});
}

TEST(RunlabelShlex, CommentsOnlyAtWordStart) {
  EXPECT_EQ(split("a #b c\nd"), (Words{"a", "d"}));
  EXPECT_EQ(split("a#b '#c' \\#d"), (Words{"a#b", "#c", "#d"}));
  EXPECT_EQ(split("# all of it"), Words{});
}

TEST(RunlabelShlex, Errors) {
  EXPECT_EQ(splitError("echo 'unterminated"), "EOF found when expecting closing quote");
  EXPECT_EQ(splitError("echo \"unterminated"), "EOF found when expecting closing quote");
  EXPECT_EQ(splitError("echo \"a\\"), "EOF found after escape character");
  EXPECT_EQ(splitError("echo a\\"), "EOF found after escape character");
}

std::string expand(std::string_view s) {
  return goExpand(s, [](std::string_view v) -> std::string {
    if (v == "A") return "1";
    if (v == "LONG_NAME9") return "long";
    if (v == "*") return "star";
    return "<" + std::string(v) + ">";
  });
}

TEST(RunlabelExpand, GoSemantics) {
  EXPECT_EQ(expand("no vars"), "no vars");
  EXPECT_EQ(expand("$A ${A} x$A-y ${LONG_NAME9}z $LONG_NAME9z"), "1 1 x1-y longz <LONG_NAME9z>");
  EXPECT_EQ(expand("$* ${*} $1x $$"), "star star <1>x <$>");
  // A "$" before nothing that names a variable stays; "${}" and "${" are
  // dropped.
  EXPECT_EQ(expand("a$ $/ $-"), "a$ $/ <->");
  EXPECT_EQ(expand("a${}b"), "ab");
  EXPECT_EQ(expand("a${b"), "ab");
  EXPECT_EQ(expand("${a b}"), "<a b>");
}

class RunlabelFs : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/runlabel-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)std::system(("rm -rf " + dir_).c_str()); }
  void touch(const std::string& rel, mode_t mode) {
    std::ofstream(dir_ + "/" + rel) << "#!/bin/sh\n";
    ASSERT_EQ(::chmod((dir_ + "/" + rel).c_str(), mode), 0);
  }
  std::string dir_;
};

TEST_F(RunlabelFs, SubstituteProgram) {
  touch("tool", 0755);
  EXPECT_EQ(*substituteProgram("podman", dir_), "/proc/self/exe");
  EXPECT_EQ(*substituteProgram("docker", dir_), "/proc/self/exe");
  EXPECT_EQ(*substituteProgram("/usr/local/bin/docker", dir_), "/proc/self/exe");
  // Only the exact word "podman": a path to it is run as it is (when it
  // exists).
  EXPECT_EQ(*substituteProgram("echo", dir_), "echo");
  EXPECT_EQ(*substituteProgram("./tool", dir_), dir_ + "/tool");
  EXPECT_EQ(*substituteProgram("sub/../tool", dir_), dir_ + "/tool");
  EXPECT_EQ(*substituteProgram(dir_ + "//tool", "/"), dir_ + "/tool");
  auto missing = substituteProgram("./nope", dir_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().what(), "stat " + dir_ + "/nope: no such file or directory");
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
}

TEST_F(RunlabelFs, LookPath) {
  ::mkdir((dir_ + "/bin").c_str(), 0755);
  touch("bin/tool", 0755);
  touch("bin/data", 0644);
  EXPECT_EQ(*lookPath("tool", "/nonexistent:" + dir_ + "/bin"), dir_ + "/bin/tool");
  EXPECT_EQ(lookPath("data", dir_ + "/bin").error().what(),
            "exec: \"data\": executable file not found in $PATH");
  EXPECT_EQ(lookPath("tool", "").error().what(),
            "exec: \"tool\": executable file not found in $PATH");
  EXPECT_EQ(*lookPath("/x/y", ""), "/x/y");
  ASSERT_EQ(::chdir(dir_.c_str()), 0);
  EXPECT_EQ(lookPath("tool", "bin").error().what(),
            "exec: \"tool\": cannot run executable found relative to current "
            "directory");
  ASSERT_EQ(::chdir("/"), 0);
}

TEST(RunlabelName, Default) {
  const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(defaultName("localhost/runlabel_image:latest", id, "runlabel_image"), "runlabel_image");
  EXPECT_EQ(defaultName("quay.io/a/b:1", id, "quay.io/a/b:1"), "b");
  EXPECT_EQ(defaultName("localhost:5000/a/b:1", id, "localhost:5000/a/b"), "b");
  // An ID (prefix) typed: the name comes from the image's name.
  EXPECT_EQ(defaultName("quay.io/a/tool:2", id, "0123456789ab"), "tool");
  EXPECT_EQ(defaultName(id, id, id.substr(0, 12)), id);
}

Plan installPlan() {
  Plan p;
  p.label =
      "/bin/sh run -t -i --rm ${OPT1} --privileged -v /:/host -e "
      "NAME=${NAME} -e IMAGE=${IMAGE} "
      "-e CONFDIR=/etc/${NAME} ${IMAGE} ${OPT2} /bin/install.sh ${OPT3}";
  p.image_name = "localhost/runlabel_image:latest";
  p.name = "test1";
  p.cwd = "/tmp";
  return p;
}

TEST(RunlabelGenerate, SubstitutesNameImageAndOptions) {
  Plan p = installPlan();
  p.opt1 = "o1";
  p.opt2 = "o2";
  p.opt3 = "o3";
  auto cmd = generateCommand(p);
  ASSERT_TRUE(cmd.ok()) << cmd.error().what();
  EXPECT_EQ(*cmd, (Words{"/bin/sh", "run", "-t", "-i", "--rm", "o1", "--privileged", "-v",
                         "/:/host", "-e", "NAME=test1", "-e",
                         "IMAGE=localhost/runlabel_image:latest", "-e", "CONFDIR=/etc/test1",
                         "localhost/runlabel_image:latest", "o2", "/bin/install.sh", "o3"}));
}

TEST(RunlabelGenerate, UnsetOptionsVanish) {
  auto cmd = generateCommand(installPlan());
  ASSERT_TRUE(cmd.ok());
  EXPECT_EQ((*cmd)[5], "--privileged");
  EXPECT_EQ(cmd->back(), "/bin/install.sh");
}

TEST(RunlabelGenerate, WordForms) {
  Plan p;
  p.label =
      "podman NAME IMAGE $NAME $IMAGE x=NAME NAME=NAME IMAGE=IMAGE "
      "a=NAME:b pre$NAME.post NAMES $PWD $HOME $OPT1";
  p.image_name = "img";
  p.name = "nm";
  p.cwd = "/work dir";
  p.opt1 = "'one two'";
  auto cmd = generateCommand(p);
  ASSERT_TRUE(cmd.ok()) << cmd.error().what();
  // The words are joined and split again after expansion: $PWD's blank splits
  // it, and the quotes inside an option's value are honoured.
  EXPECT_EQ(*cmd, (Words{"/proc/self/exe", "nm", "img", "nm", "img", "x=nm", "NAME=nm", "IMAGE=img",
                         "a=NAME:b", "prenm.post", "NAMES", "/work", "dir", "one two"}));
}

TEST(RunlabelGenerate, ArgsAreAppendedAndSubstituted) {
  Plan p;
  p.label = "echo";
  p.args = {"a b", "NAME", "$OPT2"};
  p.image_name = "img";
  p.name = "nm";
  p.opt2 = "two";
  EXPECT_EQ(*generateCommand(p), (Words{"echo", "a", "b", "nm", "two"}));
}

TEST(RunlabelGenerate, QuotesSurviveOneLevel) {
  Plan p;
  p.label = R"(sh -c "'exit 3'" 'echo hi; exit 4')";
  p.image_name = "img";
  EXPECT_EQ(*generateCommand(p), (Words{"sh", "-c", "exit 3", "echo", "hi;", "exit", "4"}));
}

TEST(RunlabelGenerate, NameDefaultsToImage) {
  Plan p;
  p.label = "echo $NAME";
  p.image_name = "img";
  EXPECT_EQ(*generateCommand(p), (Words{"echo", "img"}));
}

TEST(RunlabelGenerate, BadLabels) {
  Plan p;
  p.image_name = "img";
  p.label = "echo 'unterminated";
  EXPECT_EQ(generateCommand(p).error().what(), "EOF found when expecting closing quote");
  p.label = "  # only a comment";
  EXPECT_EQ(generateCommand(p).error().code(), Code::kInvalidArgument);
  p.label = "$OPT1";  // expands to nothing
  EXPECT_EQ(generateCommand(p).error().code(), Code::kInvalidArgument);
  // A quote that only closes in the first pass leaves an unbalanced one for the
  // second.
  p.label = R"(echo "'")";
  EXPECT_EQ(generateCommand(p).error().what(), "EOF found when expecting closing quote");
  p.label = "./no/such/program";
  p.cwd = "/nonexistent";
  EXPECT_EQ(generateCommand(p).error().what(),
            "stat /nonexistent/no/such/program: no such file or directory");
}

int waitStatusOf(const char* script) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", script, nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(RunlabelExitStatus, GoTexts) {
  EXPECT_EQ(exitStatusText(waitStatusOf("exit 3")), "exit status 3");
  EXPECT_EQ(exitStatusText(waitStatusOf("kill -9 $$")), "signal: killed");
  EXPECT_EQ(exitStatusText(waitStatusOf("kill -TERM $$")), "signal: terminated");
  EXPECT_EQ(
      exitStatusText(waitStatusOf("kill -XCPU $$")).rfind("signal: CPU time limit exceeded", 0),
      0u);
}

}  // namespace
}  // namespace berth::cli::runlabel

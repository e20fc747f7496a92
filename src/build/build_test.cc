// Tests for the build front end: Containerfile parser, shell words, ignore-file matcher.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "build/containerfile.h"
#include "build/ignore.h"
#include "build/words.h"

namespace berth::build {
namespace {

using Strings = std::vector<std::string>;

// ---- Containerfile ----

ParsedFile parseOk(std::string_view text) {
  auto r = parseContainerfile(text);
  EXPECT_TRUE(r.ok()) << r.error().what();
  return r.ok() ? *r : ParsedFile{};
}

std::string parseErr(std::string_view text) {
  auto r = parseContainerfile(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

Instruction only(std::string_view text) {
  ParsedFile f = parseOk(text);
  EXPECT_EQ(f.instructions.size(), 1u) << text;
  return f.instructions.empty() ? Instruction{} : f.instructions[0];
}

TEST(Containerfile, KeywordsLineNumbersAndLowercase) {
  ParsedFile f = parseOk(
      "ARG BASE=alpine\n"
      "\n"
      "# a comment\n"
      "from $BASE as build\n"
      "  copy . /tmp\n"
      "Run echo hi\n");
  EXPECT_EQ(f.escape, '\\');
  ASSERT_EQ(f.instructions.size(), 4u);
  EXPECT_EQ(f.instructions[0].keyword, "ARG");
  EXPECT_EQ(f.instructions[0].line, 1);
  EXPECT_EQ(f.instructions[0].args, Strings{"BASE=alpine"});
  EXPECT_EQ(f.instructions[1].keyword, "FROM");
  EXPECT_EQ(f.instructions[1].line, 4);
  EXPECT_EQ(f.instructions[1].args, (Strings{"$BASE", "as", "build"}));
  EXPECT_EQ(f.instructions[2].keyword, "COPY");
  EXPECT_EQ(f.instructions[2].original, "copy . /tmp");
  EXPECT_EQ(f.instructions[2].args, (Strings{".", "/tmp"}));
  EXPECT_EQ(f.instructions[2].line, 5);
  EXPECT_EQ(f.instructions[3].keyword, "RUN");
  EXPECT_EQ(f.instructions[3].args, Strings{"echo hi"});
  EXPECT_FALSE(f.instructions[3].json);
}

TEST(Containerfile, ContinuationSkipsCommentsAndBlankLines) {
  ParsedFile f = parseOk(
      "FROM alpine\n"
      "RUN echo a \\\n"
      "# a comment inside\n"
      "    b \\\n"
      "\n"
      "   \t\n"
      "    c\n"
      "CMD [\"x\"]\n");
  ASSERT_EQ(f.instructions.size(), 3u);
  const Instruction& run = f.instructions[1];
  EXPECT_EQ(run.line, 2);
  EXPECT_EQ(run.original, "RUN echo a     b     c");
  EXPECT_EQ(run.args, Strings{"echo a     b     c"});
  EXPECT_EQ(f.instructions[2].line, 8);
}

TEST(Containerfile, ContinuationWithTrailingBlanksAndAtEndOfFile) {
  ParsedFile f = parseOk("FROM a\nRUN echo x \\  \t\n  y\nRUN echo z \\");
  ASSERT_EQ(f.instructions.size(), 3u);
  EXPECT_EQ(f.instructions[1].original, "RUN echo x   y");
  EXPECT_EQ(f.instructions[2].original, "RUN echo z");
  EXPECT_EQ(f.instructions[2].args, Strings{"echo z"});
}

TEST(Containerfile, CrLfAndByteOrderMark) {
  ParsedFile f = parseOk(
      "\xEF\xBB\xBF"
      "FROM a\r\nRUN x \\\r\n  y\r\n");
  ASSERT_EQ(f.instructions.size(), 2u);
  EXPECT_EQ(f.instructions[0].args, Strings{"a"});
  EXPECT_EQ(f.instructions[1].original, "RUN x   y");
}

TEST(Containerfile, BacktickEscapeDirective) {
  ParsedFile f = parseOk(
      "# escape=`\n"
      "FROM mcr.microsoft.com/windows/servercore\n"
      "RUN dir `\n"
      "  C:\\\n"
      "COPY a C:\\dst\\\n"
      "ENV P=C:\\x` y\n");
  EXPECT_EQ(f.escape, '`');
  ASSERT_EQ(f.instructions.size(), 4u);
  EXPECT_EQ(f.instructions[1].original, "RUN dir   C:\\");
  EXPECT_EQ(f.instructions[1].line, 3);
  EXPECT_EQ(f.instructions[2].args, (Strings{"a", "C:\\dst\\"}));
  EXPECT_EQ(f.instructions[3].args, (Strings{"P", "C:\\x` y"}));
}

TEST(Containerfile, DirectivesOnlyAtTheTop) {
  ParsedFile both = parseOk("# syntax=docker/dockerfile:1\n#ESCAPE = `\nFROM a\nRUN x `\n y\n");
  EXPECT_EQ(both.escape, '`');
  ASSERT_EQ(both.instructions.size(), 2u);
  EXPECT_EQ(both.instructions[1].original, "RUN x  y");

  // After an instruction, a blank line or an ordinary comment it is a comment.
  EXPECT_EQ(parseOk("FROM a\n# escape=`\n").escape, '\\');
  EXPECT_EQ(parseOk("\n# escape=`\nFROM a\n").escape, '\\');
  EXPECT_EQ(parseOk("# hello\n# escape=`\nFROM a\n").escape, '\\');
  EXPECT_EQ(parseOk("# unknown=x\n# escape=`\nFROM a\n").escape, '\\');

  EXPECT_NE(parseErr("# escape=x\nFROM a\n").find("line 1: invalid escape token 'x'"),
            std::string::npos);
  EXPECT_NE(parseErr("# escape=`\n# escape=\\\nFROM a\n").find("only one escape"),
            std::string::npos);
}

TEST(Containerfile, ExecAndShellForms) {
  ParsedFile f = parseOk(
      "FROM a\n"
      "CMD [\"a\", \"b c\"]\n"
      "CMD echo hi  \n"
      "ENTRYPOINT [ \"/bin/x\" ]\n"
      "RUN [ -f /etc/x ] && echo yes\n"
      "RUN [\"echo\", \"$HOME\"] trailing ignored as Docker does\n"
      "CMD []\n"
      "SHELL [\"/bin/bash\", \"-c\"]\n"
      "RUN [\"caf\\u00e9\"]\n");
  const auto& in = f.instructions;
  ASSERT_EQ(in.size(), 9u);
  EXPECT_TRUE(in[1].json);
  EXPECT_EQ(in[1].args, (Strings{"a", "b c"}));
  EXPECT_FALSE(in[2].json);
  EXPECT_EQ(in[2].args, Strings{"echo hi"});
  EXPECT_TRUE(in[3].json);
  EXPECT_EQ(in[3].args, Strings{"/bin/x"});
  EXPECT_FALSE(in[4].json);
  EXPECT_EQ(in[4].args, Strings{"[ -f /etc/x ] && echo yes"});
  EXPECT_TRUE(in[5].json);
  EXPECT_EQ(in[5].args, (Strings{"echo", "$HOME"}));
  EXPECT_TRUE(in[6].json);
  EXPECT_TRUE(in[6].args.empty());
  EXPECT_EQ(in[7].args, (Strings{"/bin/bash", "-c"}));
  EXPECT_EQ(in[8].args, Strings{"caf\xc3\xa9"});

  EXPECT_NE(parseErr("FROM a\nCMD [1, 2]\n").find("arrays must be comprised of strings only"),
            std::string::npos);
  EXPECT_NE(
      parseErr("FROM a\nSHELL /bin/sh -c\n").find("SHELL requires the arguments to be in JSON"),
      std::string::npos);
  EXPECT_EQ(parseErr("FROM a\nRUN\n"), "Containerfile line 2: RUN requires at least one argument");
  EXPECT_NE(parseErr("FROM a\nRUN []\n").find("RUN requires at least one argument"),
            std::string::npos);
  EXPECT_NE(parseErr("FROM a\nCMD\n").find("CMD requires at least one argument"),
            std::string::npos);
}

TEST(Containerfile, RunFlags) {
  Instruction run = only("RUN --mount=type=cache,target=/root/.cache --network=none pip install x");
  EXPECT_EQ(run.flags, (Strings{"--mount=type=cache,target=/root/.cache", "--network=none"}));
  EXPECT_EQ(run.args, Strings{"pip install x"});
  EXPECT_EQ(run.flagValue("network"), "none");
  EXPECT_EQ(run.flagValue("mount"), "type=cache,target=/root/.cache");
  EXPECT_EQ(run.flagValue("net"), std::nullopt);

  Instruction quoted = only("RUN --mount=\"type=bind,source=a b\" [\"ls\"]");
  EXPECT_EQ(quoted.flags, Strings{"--mount=\"type=bind,source=a b\""});
  EXPECT_TRUE(quoted.json);
  EXPECT_EQ(quoted.args, Strings{"ls"});

  // "--" ends the flags; flags are not recognised for other keywords.
  EXPECT_EQ(only("RUN -- --version").args, Strings{"--version"});
  EXPECT_EQ(only("WORKDIR --odd").args, Strings{"--odd"});
  EXPECT_NE(parseErr("RUN --=x y").find("invalid flag"), std::string::npos);
}

TEST(Containerfile, EnvAndLabel) {
  Instruction env = only("ENV a=1 b=\"x y\" c='$d' e=f\\ g");
  EXPECT_EQ(env.args, (Strings{"a", "1", "b", "\"x y\"", "c", "'$d'", "e", "f\\ g"}));
  EXPECT_EQ(only("ENV A some value  ").args, (Strings{"A", "some value"}));
  EXPECT_EQ(only("ENV A \"quoted value\"").args, (Strings{"A", "\"quoted value\""}));
  EXPECT_EQ(only("ENV a=").args, (Strings{"a", ""}));

  Instruction label =
      only("LABEL \"com.example.vendor\"=\"ACME Inc\" version='1.0' desc=\"a \\\"q\\\" b\" x=y=z");
  EXPECT_EQ(label.args, (Strings{"\"com.example.vendor\"", "\"ACME Inc\"", "version", "'1.0'",
                                 "desc", "\"a \\\"q\\\" b\"", "x", "y=z"}));

  std::string e = parseErr("ENV a=1 b\n");
  EXPECT_NE(e.find("can't find = in \"b\""), std::string::npos) << e;
  EXPECT_NE(parseErr("ENV A\n").find("ENV must have two arguments"), std::string::npos);
  EXPECT_NE(parseErr("LABEL =x\n").find("LABEL names can not be blank"), std::string::npos);
  EXPECT_NE(parseErr("LABEL\n").find("LABEL requires at least one argument"), std::string::npos);
  EXPECT_EQ(only("MAINTAINER Jane Doe <jane@example.com>").args,
            Strings{"Jane Doe <jane@example.com>"});
}

TEST(Containerfile, VolumeForms) {
  Instruction bracket = only("VOLUME ['/etc/foo', '/etc/bar']");
  EXPECT_FALSE(bracket.json);
  ASSERT_EQ(bracket.args, (Strings{"['/etc/foo',", "'/etc/bar']"}));
  EXPECT_EQ(*processWord(bracket.args[0], nullptr), "[/etc/foo,");
  EXPECT_EQ(*processWord(bracket.args[1], nullptr), "/etc/bar]");

  Instruction json = only("VOLUME [\"/a\", \"/b\"]");
  EXPECT_TRUE(json.json);
  EXPECT_EQ(json.args, (Strings{"/a", "/b"}));
  EXPECT_EQ(only("VOLUME /a   /b").args, (Strings{"/a", "/b"}));
  EXPECT_NE(parseErr("VOLUME [\"\"]").find("can not be an empty string"), std::string::npos);
  EXPECT_NE(parseErr("VOLUME").find("VOLUME requires at least one argument"), std::string::npos);
}

TEST(Containerfile, From) {
  Instruction named = only("FROM --platform=linux/arm64 docker.io/library/alpine:3 AS Build");
  EXPECT_EQ(named.flags, Strings{"--platform=linux/arm64"});
  EXPECT_EQ(named.args, (Strings{"docker.io/library/alpine:3", "AS", "Build"}));
  EXPECT_EQ(only("FROM scratch").args, Strings{"scratch"});
  EXPECT_NE(parseErr("FROM\n").find("line 1: FROM requires at least one argument"),
            std::string::npos);
  EXPECT_NE(parseErr("FROM a b\n").find("FROM requires either one or three arguments"),
            std::string::npos);
  EXPECT_NE(parseErr("FROM a IS b\n").find("FROM requires either one or three arguments"),
            std::string::npos);
  EXPECT_NE(parseErr("FROM a AS\n").find("either one or three"), std::string::npos);
}

TEST(Containerfile, CopyAndAdd) {
  Instruction copy = only("COPY --from=build --chown=1:2 a b /dst");
  EXPECT_EQ(copy.flags, (Strings{"--from=build", "--chown=1:2"}));
  EXPECT_EQ(copy.args, (Strings{"a", "b", "/dst"}));
  EXPECT_EQ(copy.flagValue("from"), "build");
  EXPECT_EQ(copy.flagValue("chown"), "1:2");
  EXPECT_EQ(copy.flagValue("chmod"), std::nullopt);
  EXPECT_EQ(only("COPY --link a /b").flagValue("link"), "");

  // Plain whitespace split, not quote-aware (parseStringsWhitespaceDelimited).
  EXPECT_EQ(only("ADD \"a b\" /c").args, (Strings{"\"a", "b\"", "/c"}));
  Instruction json = only("COPY [\"a b\", \"/c d/\"]");
  EXPECT_TRUE(json.json);
  EXPECT_EQ(json.args, (Strings{"a b", "/c d/"}));

  EXPECT_NE(parseErr("FROM a\nCOPY onlyone\n").find("line 2: COPY requires at least two arguments"),
            std::string::npos);
  EXPECT_NE(parseErr("ADD --chown=1 x").find("ADD requires at least two arguments"),
            std::string::npos);
}

TEST(Containerfile, Healthcheck) {
  Instruction h = only("HEALTHCHECK --interval=5s --retries=3 CMD [\"true\"]");
  EXPECT_EQ(h.flags, (Strings{"--interval=5s", "--retries=3"}));
  EXPECT_TRUE(h.json);
  EXPECT_EQ(h.args, (Strings{"CMD", "true"}));
  EXPECT_EQ(h.flagValue("interval"), "5s");

  EXPECT_EQ(only("HEALTHCHECK NONE").args, Strings{"NONE"});
  Instruction shell = only("healthcheck cmd curl -f http://localhost/ || exit 1");
  EXPECT_FALSE(shell.json);
  EXPECT_EQ(shell.args, (Strings{"CMD", "curl -f http://localhost/ || exit 1"}));

  EXPECT_NE(parseErr("HEALTHCHECK NONE x").find("HEALTHCHECK NONE takes no arguments"),
            std::string::npos);
  EXPECT_NE(parseErr("HEALTHCHECK FOO x").find("Unknown type \"FOO\" in HEALTHCHECK"),
            std::string::npos);
  EXPECT_NE(parseErr("HEALTHCHECK CMD").find("Missing command after HEALTHCHECK CMD"),
            std::string::npos);
  EXPECT_NE(parseErr("HEALTHCHECK CMD []").find("Missing command"), std::string::npos);
  EXPECT_NE(parseErr("HEALTHCHECK --interval=1s").find("HEALTHCHECK requires at least one"),
            std::string::npos);
}

TEST(Containerfile, SimpleArgumentShapes) {
  EXPECT_EQ(only("EXPOSE 80 443/tcp\t8080/udp").args, (Strings{"80", "443/tcp", "8080/udp"}));
  EXPECT_EQ(only("STOPSIGNAL SIGKILL").args, Strings{"SIGKILL"});
  EXPECT_EQ(only("USER app:app").args, Strings{"app:app"});
  EXPECT_EQ(only("WORKDIR /my dir").args, Strings{"/my dir"});
  EXPECT_EQ(only("ARG a b=2 c=\"x y\"").args, (Strings{"a", "b=2", "c=\"x y\""}));
  EXPECT_NE(parseErr("STOPSIGNAL a b").find("STOPSIGNAL requires exactly one argument"),
            std::string::npos);
  EXPECT_NE(parseErr("WORKDIR").find("WORKDIR requires exactly one argument"), std::string::npos);
  EXPECT_NE(parseErr("USER").find("USER requires exactly one argument"), std::string::npos);
  EXPECT_NE(parseErr("EXPOSE").find("EXPOSE requires at least one argument"), std::string::npos);
  EXPECT_NE(parseErr("ARG").find("ARG requires at least one argument"), std::string::npos);
  EXPECT_NE(parseErr("ARG =x").find("ARG names can not be blank"), std::string::npos);
}

TEST(Containerfile, Onbuild) {
  Instruction ob = only("ONBUILD RUN echo hi");
  EXPECT_EQ(ob.args, Strings{"RUN echo hi"});
  EXPECT_EQ(ob.original, "ONBUILD RUN echo hi");
  EXPECT_NE(parseErr("ONBUILD ONBUILD RUN x").find("Chaining ONBUILD"), std::string::npos);
  EXPECT_NE(parseErr("ONBUILD from x").find("FROM isn't allowed as an ONBUILD trigger"),
            std::string::npos);
  EXPECT_NE(parseErr("ONBUILD MAINTAINER x").find("MAINTAINER isn't allowed"), std::string::npos);
  EXPECT_NE(parseErr("ONBUILD FRM x").find("unknown instruction: FRM"), std::string::npos);
  EXPECT_NE(parseErr("ONBUILD COPY x").find("COPY requires at least two arguments"),
            std::string::npos);
  EXPECT_NE(parseErr("ONBUILD").find("ONBUILD requires at least one argument"), std::string::npos);

  auto trigger = parseInstruction(ob.args[0]);
  ASSERT_TRUE(trigger.ok()) << trigger.error().what();
  EXPECT_EQ(trigger->keyword, "RUN");
  EXPECT_EQ(trigger->args, Strings{"echo hi"});
  EXPECT_EQ(trigger->line, 0);
}

TEST(Containerfile, UnknownInstruction) {
  auto r = parseContainerfile("FROM alpine\n\nFRM alpine\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "Containerfile line 3: unknown instruction: FRM");
  EXPECT_NE(parseErr("frm x").find("unknown instruction: FRM"), std::string::npos);
  auto single = parseInstruction("bogus");
  ASSERT_FALSE(single.ok());
  EXPECT_EQ(single.error().message(), "unknown instruction: BOGUS");
}

TEST(Containerfile, EmptyFile) {
  EXPECT_TRUE(parseOk("").instructions.empty());
  EXPECT_TRUE(parseOk("# only a comment\n\n   \n").instructions.empty());
  EXPECT_TRUE(parseOk("\\\n").instructions.empty());
}

TEST(Containerfile, Heredocs) {
  ParsedFile f = parseOk(
      "FROM a\n"
      "RUN <<EOF\n"
      "echo hi\n"
      "  # not a comment here\n"
      "EOF\n"
      "COPY <<-\"END\" /dst\n"
      "\tx $y\n"
      "\t\tz\n"
      "\tEND\n"
      "RUN cat <<A 3<<'B'\n"
      "a\n"
      "A\n"
      "b\n"
      "B\n"
      "RUN [\"<<X\"]\n"
      "CMD x\n");
  const auto& in = f.instructions;
  ASSERT_EQ(in.size(), 6u);
  ASSERT_EQ(in[1].heredocs.size(), 1u);
  EXPECT_EQ(in[1].args, Strings{"<<EOF"});
  EXPECT_EQ(in[1].heredocs[0].name, "EOF");
  EXPECT_EQ(in[1].heredocs[0].content, "echo hi\n  # not a comment here\n");
  EXPECT_TRUE(in[1].heredocs[0].expand);
  EXPECT_FALSE(in[1].heredocs[0].chomp);

  ASSERT_EQ(in[2].heredocs.size(), 1u);
  EXPECT_EQ(in[2].line, 6);
  EXPECT_EQ(in[2].args, (Strings{"<<-\"END\"", "/dst"}));
  EXPECT_EQ(in[2].heredocs[0].name, "END");
  EXPECT_EQ(in[2].heredocs[0].content, "x $y\nz\n");
  EXPECT_FALSE(in[2].heredocs[0].expand);
  EXPECT_TRUE(in[2].heredocs[0].chomp);

  ASSERT_EQ(in[3].heredocs.size(), 2u);
  EXPECT_EQ(in[3].heredocs[0].content, "a\n");
  EXPECT_EQ(in[3].heredocs[0].fd, 0);
  EXPECT_EQ(in[3].heredocs[1].name, "B");
  EXPECT_EQ(in[3].heredocs[1].fd, 3);
  EXPECT_FALSE(in[3].heredocs[1].expand);
  EXPECT_TRUE(in[4].heredocs.empty());  // exec form: no heredoc
  EXPECT_EQ(in[5].line, 16);

  EXPECT_NE(parseErr("FROM a\nRUN <<EOF\necho\n").find("line 2: EOF: unterminated heredoc"),
            std::string::npos);
}

// ---- words ----

Lookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string word(std::string_view w, const Lookup& l, char escape = '\\') {
  auto r = processWord(w, l, escape);
  EXPECT_TRUE(r.ok()) << w << ": " << r.error().what();
  return r.ok() ? *r : "<error>";
}

TEST(ProcessWord, Expansion) {
  Lookup l = env({{"a", "A"}, {"empty", ""}, {"sp", "x y"}});
  EXPECT_EQ(word("$a", l), "A");
  EXPECT_EQ(word("${a}", l), "A");
  EXPECT_EQ(word("x${a}y$a", l), "xAyA");
  EXPECT_EQ(word("$unset", l), "");
  EXPECT_EQ(word("${unset:-d}", l), "d");
  EXPECT_EQ(word("${empty:-d}", l), "d");
  EXPECT_EQ(word("${a:-d}", l), "A");
  EXPECT_EQ(word("${unset-d}", l), "d");
  EXPECT_EQ(word("${empty-d}", l), "");
  EXPECT_EQ(word("${a:+x}", l), "x");
  EXPECT_EQ(word("${empty:+x}", l), "");
  EXPECT_EQ(word("${empty+x}", l), "x");
  EXPECT_EQ(word("${unset+x}", l), "");
  EXPECT_EQ(word("${unset:-$a}", l), "A");
  EXPECT_EQ(word("${unset:-${a:+nested}}", l), "nested");
  EXPECT_EQ(word("${unset:-\"q d\"}", l), "q d");
  EXPECT_EQ(word("$sp", l), "x y");
  EXPECT_EQ(word("ENV A some value", l), "ENV A some value");
  EXPECT_EQ(word("$", l), "$");
  EXPECT_EQ(word("a$/b", l), "a$/b");
  EXPECT_EQ(word("$1x", l), "x");
  EXPECT_EQ(word("$$", l), "");
  EXPECT_EQ(word("$a", nullptr), "");
}

TEST(ProcessWord, Quotes) {
  Lookup l = env({{"a", "A"}});
  EXPECT_EQ(word("'single $a'", l), "single $a");
  EXPECT_EQ(word("\"double $a\"", l), "double A");
  EXPECT_EQ(word("\\$a", l), "$a");
  EXPECT_EQ(word("\"\\$a\"", l), "$a");
  EXPECT_EQ(word("'\\$a'", l), "\\$a");
  EXPECT_EQ(word("he'll'o", l), "hello");
  EXPECT_EQ(word("he\\'llo", l), "he'llo");
  EXPECT_EQ(word("abc\\tdef", l), "abctdef");
  EXPECT_EQ(word("\"abc\\tdef\"", l), "abc\\tdef");
  EXPECT_EQ(word("\"abc\\\\tdef\"", l), "abc\\tdef");
  EXPECT_EQ(word("hello\\", l), "hello");
  EXPECT_EQ(word("hello\\\\", l), "hello\\");
  EXPECT_EQ(word("\"hel'lo\"", l), "hel'lo");
  EXPECT_EQ(word("'hello\\'", l), "hello\\");
  EXPECT_EQ(word("\"''\"", l), "''");
  EXPECT_EQ(word("'\"hello\"'", l), "\"hello\"");
  EXPECT_EQ(word("\"he'$a'\"", l), "he'A'");
  EXPECT_EQ(word("he\\\\$a", l), "he\\A");
  EXPECT_EQ(word("\xec\x95\x88'\xeb\x85\x95'", l), "\xec\x95\x88\xeb\x85\x95");
}

TEST(ProcessWord, BacktickEscape) {
  Lookup l = env({{"a", "A"}});
  EXPECT_EQ(word("`$a", l, '`'), "$a");
  EXPECT_EQ(word("C:\\path\\$a", l, '`'), "C:\\path\\A");
  EXPECT_EQ(word("\"x`\"y\"", l, '`'), "x\"y");
  EXPECT_EQ(word("\"x\\y\"", l, '`'), "x\\y");
  EXPECT_EQ(word("a` b", l, '`'), "a b");
}

TEST(ProcessWord, Modifiers) {
  Lookup l = env({{"v", "v1.2.3"}, {"path", "/usr/local/bin"}, {"null", ""}, {"f", "a.tar.gz"}});
  EXPECT_EQ(word("${v#v}", l), "1.2.3");
  EXPECT_EQ(word("${path#*/}", l), "usr/local/bin");
  EXPECT_EQ(word("${path##*/}", l), "bin");
  EXPECT_EQ(word("${f%.*}", l), "a.tar");
  EXPECT_EQ(word("${f%%.*}", l), "a");
  EXPECT_EQ(word("${f%.zip}", l), "a.tar.gz");
  EXPECT_EQ(word("${f/tar/zip}", l), "a.zip.gz");
  EXPECT_EQ(word("${path//\\//:}", l), ":usr:local:bin");
  EXPECT_EQ(word("${f/a*/x}", l), "x");
  EXPECT_EQ(word("${null?}", l), "");
  EXPECT_EQ(word("${v:?}", l), "v1.2.3");
  for (std::string_view bad : {"${unset?}", "${unset:?}", "${null:?}", "${unset?custom msg}"}) {
    auto r = processWord(bad, l);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find(std::string(bad)), std::string::npos);
  }
  EXPECT_NE(processWord("${unset?custom msg}", l).error().message().find("unset: custom msg"),
            std::string::npos);
}

TEST(ProcessWord, Errors) {
  Lookup l = env({});
  for (std::string_view bad :
       {"'unterminated", "\"unterminated", "\"hello\\\"", "he\\\\'llo", "${a", "${a:-x", "${}",
        "${:a}", "${{a}}", "${.}", "${a:=x}", "${a:b}", "${a/x", "${a#\\x}"}) {
    auto r = processWord(bad, l);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    EXPECT_NE(r.error().message().find(fmt::format("failed to process \"{}\"", bad)),
              std::string::npos)
        << r.error().message();
  }
  EXPECT_NE(processWord("'x", l).error().message().find("matching single-quote"),
            std::string::npos);
  EXPECT_NE(processWord("${a", l).error().message().find("missing '}'"), std::string::npos);
  EXPECT_NE(processWord("${}", l).error().message().find("bad substitution"), std::string::npos);

  // Deep nesting is refused instead of exhausting the stack.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "${a:-";
  EXPECT_NE(processWord(deep, l).error().message().find("nested too deeply"), std::string::npos);
  std::string ok = "x";
  for (int i = 0; i < 32; ++i) ok = "${a:-" + ok + "}";
  EXPECT_EQ(word(ok, l), "x");
}

Strings words(std::string_view text, const Lookup& l) {
  auto r = processWords(text, l);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error().what();
  return r.ok() ? *r : Strings{"<error>"};
}

TEST(ProcessWords, Splitting) {
  Lookup l = env({{"x", "1 2"},
                  {"hi", "hi"},
                  {"space", "abc  def"},
                  {"leading", "  ab c"},
                  {"trailing", "ab c   "}});
  // Quoted text stays one word; an unquoted expansion is split like Docker's ProcessWords.
  EXPECT_EQ(words("a \"b c\" \"$x\"", l), (Strings{"a", "b c", "1 2"}));
  EXPECT_EQ(words("a \"b c\" $x", l), (Strings{"a", "b c", "1", "2"}));
  EXPECT_EQ(words("hello", l), Strings{"hello"});
  EXPECT_EQ(words("hello${unset}bye", l), Strings{"hellobye"});
  EXPECT_EQ(words("hello${hi}bye", l), Strings{"hellohibye"});
  EXPECT_EQ(words("hello${space}bye", l), (Strings{"helloabc", "defbye"}));
  EXPECT_EQ(words("hello\"${space}\"bye", l), Strings{"helloabc  defbye"});
  EXPECT_EQ(words("hello \"${space}\"bye", l), (Strings{"hello", "abc  defbye"}));
  EXPECT_EQ(words("hello${leading}def", l), (Strings{"hello", "ab", "cdef"}));
  EXPECT_EQ(words("hello\"${leading}\" def", l), (Strings{"hello  ab c", "def"}));
  EXPECT_EQ(words("hello${trailing}d", l), (Strings{"helloab", "c", "d"}));
  EXPECT_EQ(words("hel\"lo${trailing}\"", l), Strings{"helloab c   "});
  EXPECT_EQ(words("hello\" there  \"", l), Strings{"hello there  "});
  EXPECT_EQ(words("  hello there   ", l), (Strings{"hello", "there"}));
  EXPECT_EQ(words("hello\\ there", l), Strings{"hello there"});
  EXPECT_EQ(words("hello\\\" there", l), (Strings{"hello\"", "there"}));
  EXPECT_EQ(words("hello'$there'", l), Strings{"hello$there"});
  EXPECT_EQ(words("a \"\" b", l), (Strings{"a", "b"}));
  EXPECT_TRUE(words("", l).empty());
  EXPECT_FALSE(processWords("hello\" there", l).ok());
}

// ---- ignore ----

IgnoreMatcher matcher(std::string_view contents) {
  auto r = IgnoreMatcher::parse(contents);
  EXPECT_TRUE(r.ok()) << contents << ": " << r.error().what();
  return r.ok() ? std::move(*r) : IgnoreMatcher{};
}

// Walks `files` (dirs implied by their paths) like moby's archive walk: an
// excluded directory is skipped unless mustDescend; a file is kept unless excluded.
std::set<std::string> walk(const IgnoreMatcher& m, const std::vector<std::string>& files) {
  std::set<std::string> kept;
  for (const std::string& f : files) {
    bool skipped_dir = false;
    for (size_t slash = f.find('/'); slash != std::string::npos; slash = f.find('/', slash + 1)) {
      std::string dir = f.substr(0, slash);
      if (m.excluded(dir) && !m.mustDescend(dir)) skipped_dir = true;
    }
    if (!skipped_dir && !m.excluded(f)) kept.insert(f);
  }
  return kept;
}

TEST(Ignore, MobyExampleWalk) {
  IgnoreMatcher m =
      matcher("# comment\ntest*\n!test2*\nsubdir1\nsubdir2\n!*/sub1*\n!subdir1/sub3*\n");
  std::vector<std::string> files = {"test1", "test1.txt", "test2", "test2.txt"};
  for (std::string dir : {"subdir1", "subdir2"})
    for (std::string f : {"sub1", "sub1.txt", "sub2", "sub2.txt", "sub3", "sub3.txt"})
      files.push_back(dir + "/" + f);
  files.push_back("this-file-does-not-match-anything-in-ignore-file");
  files.push_back("comment");

  EXPECT_TRUE(m.mustDescend("subdir1"));
  EXPECT_FALSE(m.mustDescend("subdir2"));
  EXPECT_FALSE(m.excluded("subdir2/sub1"));  // re-included, but the walk never gets there
  EXPECT_TRUE(m.excluded("subdir2/sub2"));
  EXPECT_FALSE(m.excluded("subdir1/sub1"));
  std::set<std::string> want = {"test2",
                                "test2.txt",
                                "subdir1/sub1",
                                "subdir1/sub1.txt",
                                "subdir1/sub3",
                                "subdir1/sub3.txt",
                                "this-file-does-not-match-anything-in-ignore-file",
                                "comment"};
  EXPECT_EQ(walk(m, files), want);
}

TEST(Ignore, Basics) {
  IgnoreMatcher all = matcher("*\n");
  EXPECT_TRUE(all.excluded("a"));
  EXPECT_TRUE(all.excluded("a/b/c"));
  EXPECT_TRUE(all.excluded("Containerfile"));
  EXPECT_FALSE(all.mustDescend("a"));

  IgnoreMatcher keep = matcher("*\n!keep\n");
  EXPECT_FALSE(keep.excluded("keep"));
  EXPECT_TRUE(keep.excluded("other"));
  EXPECT_TRUE(keep.excluded("keeper"));
  EXPECT_TRUE(keep.hasExclusions());

  IgnoreMatcher objs = matcher("**/*.o");
  EXPECT_TRUE(objs.excluded("a.o"));
  EXPECT_TRUE(objs.excluded("x/y/a.o"));
  EXPECT_FALSE(objs.excluded("a.c"));
  EXPECT_FALSE(objs.excluded("a.o.c"));

  IgnoreMatcher abs = matcher("/abs\n");
  EXPECT_TRUE(abs.excluded("abs"));
  EXPECT_TRUE(abs.excluded("abs/inner"));
  EXPECT_FALSE(abs.excluded("x/abs"));

  IgnoreMatcher dir = matcher("  dir/  \n");
  EXPECT_TRUE(dir.excluded("dir"));
  EXPECT_TRUE(dir.excluded("dir/x/y"));
  EXPECT_FALSE(dir.excluded("dir2"));

  IgnoreMatcher cleaned = matcher("a/./b/../c//d\n! /x/../y\n");
  EXPECT_TRUE(cleaned.excluded("a/c/d"));

  EXPECT_TRUE(matcher("").empty());
  EXPECT_TRUE(matcher("# only\n\n  \n").empty());
  EXPECT_FALSE(matcher("x").empty());
}

TEST(Ignore, CommentsOnlyAtColumnZero) {
  IgnoreMatcher m = matcher("#a\n #b\n");
  EXPECT_FALSE(m.excluded("#a"));
  EXPECT_TRUE(m.excluded("#b"));
}

TEST(Ignore, LaterPatternsWin) {
  IgnoreMatcher m = matcher("docs\n!docs/keep.md\ndocs/keep.md\n!docs/README*\n");
  EXPECT_TRUE(m.excluded("docs/a"));
  EXPECT_TRUE(m.excluded("docs/keep.md"));
  EXPECT_FALSE(m.excluded("docs/README.md"));
  EXPECT_TRUE(m.mustDescend("docs"));
  EXPECT_FALSE(m.mustDescend("doc"));
}

TEST(Ignore, Errors) {
  for (std::string_view bad :
       {"!\n", "  !  \n", "[\n", "a[]b\n", "a\\\n", "[z-a]\n", "[a-]\n", "[]a]\n", "ok\n[^\n"}) {
    auto r = IgnoreMatcher::parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    }
  }
  EXPECT_NE(IgnoreMatcher::parse("!").error().message().find("\"!\""), std::string::npos);
  EXPECT_NE(IgnoreMatcher::parse("x[").error().message().find("\"x[\""), std::string::npos);
}

// Patterns and paths from moby/patternmatcher's matcher tests (MatchesOrParentMatches).
TEST(Ignore, MobyPatternTable) {
  struct Case {
    const char* pattern;
    const char* path;
    bool want;
  };
  const Case cases[] = {
      {"**", "file", true},
      {"**/", "file", true},
      {"**", "dir/file", true},
      {"**/", "dir/file", true},
      {"**/**", "dir/file", true},
      {"dir/**", "dir/file", true},
      {"dir/**", "dir/dir2/file", true},
      {"**/dir", "dir", true},
      {"**/dir", "dir/file", true},
      {"**/dir2/*", "dir/dir2/file", true},
      {"**/dir2/**", "dir/dir2/dir3/file", true},
      {"**file", "file", true},
      {"**file", "dir/file", true},
      {"**/file", "dir/file", true},
      {"**file", "dir/dir/file", true},
      {"**/file", "dir/dir/file", true},
      {"**/file*", "dir/dir/file", true},
      {"**/file*", "dir/dir/file.txt", true},
      {"**/file*txt", "dir/dir/file.txt", true},
      {"**/file*.txt", "dir/dir/file.txt", true},
      {"**/file*.txt*", "dir/dir/file.txt", true},
      {"**/**/*.txt", "dir/dir/file.txt", true},
      {"**/**/*.txt2", "dir/dir/file.txt", false},
      {"**/*.txt", "file.txt", true},
      {"**/**/*.txt", "file.txt", true},
      {"a**/*.txt", "a/file.txt", true},
      {"a**/*.txt", "a/dir/file.txt", true},
      {"a**/*.txt", "a/dir/dir/file.txt", true},
      {"a/*.txt", "a/dir/file.txt", false},
      {"a/*.txt", "a/file.txt", true},
      {"a/*.txt**", "a/file.txt", true},
      {"a[b-d]e", "ae", false},
      {"a[b-d]e", "ace", true},
      {"a[b-d]e", "aae", false},
      {"a[^b-d]e", "aze", true},
      {".*", ".foo", true},
      {".*", "foo", false},
      {"abc.def", "abcdef", false},
      {"abc.def", "abc.def", true},
      {"abc.def", "abcZdef", false},
      {"abc?def", "abcZdef", true},
      {"abc?def", "abcdef", false},
      {"a\\\\", "a\\", true},
      {"**/foo/bar", "foo/bar", true},
      {"**/foo/bar", "dir/foo/bar", true},
      {"**/foo/bar", "dir/dir2/foo/bar", true},
      {"abc/**", "abc", false},
      {"abc/**", "abc/def", true},
      {"abc/**", "abc/def/ghi", true},
      {"**/.foo", ".foo", true},
      {"**/.foo", "bar.foo", false},
      {"a(b)c/def", "a(b)c/def", true},
      {"a(b)c/def", "a(b)c/xyz", false},
      {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
      {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
      // Quirks kept from moby's fast paths and regexp.
      {"**.o", "a/b.o", true},  // suffix fast path: plain HasSuffix
      {"foo**", "foobar/x", true},
      {"a?b", "a/b", false},
      {"a*", "ab/c", true},     // via the parent "ab"
      {"a[^b]x", "a/x", true},  // a class may match '/' (moby's regexp)
      {"\\*", "*", true},
      {"\\*", "x", false},
      {"caf\xc3\xa9?", "caf\xc3\xa9\xc3\xa9", true},
      {"[\xc3\xa0-\xc3\xaa]", "\xc3\xa9", true},
  };
  for (const Case& c : cases) {
    IgnoreMatcher m = matcher(c.pattern);
    EXPECT_EQ(m.excluded(c.path), c.want) << c.pattern << " vs " << c.path;
  }
}

TEST(Ignore, HostilePatterns) {
  // Long runs of wildcards neither recurse nor allocate per path character.
  std::string stars(60000, '*');
  IgnoreMatcher m = matcher(stars + "x\n");  // (.*/)?x, as moby's regexp
  EXPECT_TRUE(m.excluded("x"));
  EXPECT_TRUE(m.excluded("a/b/x"));
  EXPECT_FALSE(m.excluded("a/b/cx"));
  std::string alternating;
  for (int i = 0; i < 2000; ++i) alternating += "*a";
  IgnoreMatcher alt = matcher(alternating);
  EXPECT_FALSE(alt.excluded(std::string(1000, 'a') + "b"));
  EXPECT_TRUE(alt.excluded(std::string(2000, 'a')));
  EXPECT_FALSE(alt.excluded(std::string(1999, 'a')));
  EXPECT_FALSE(IgnoreMatcher::parse(std::string(70000, 'a')).ok());
}

TEST(Ignore, FromPatterns) {
  auto m = IgnoreMatcher::fromPatterns({"*.log", "!important.log", "# comment", ""});
  ASSERT_TRUE(m.ok()) << m.error().what();
  EXPECT_TRUE(m->excluded("a.log"));
  EXPECT_FALSE(m->excluded("important.log"));
  EXPECT_FALSE(m->excluded("# comment"));
}

TEST(Ignore, CleanPath) {
  EXPECT_EQ(cleanPath(""), ".");
  EXPECT_EQ(cleanPath("a//b/./c/.."), "a/b");
  EXPECT_EQ(cleanPath("/.."), "/");
  EXPECT_EQ(cleanPath("../a/../../b"), "../../b");
  EXPECT_EQ(cleanPath("dir/"), "dir");
  EXPECT_EQ(cleanPath("./"), ".");
  EXPECT_EQ(cleanPath("/a/b/"), "/a/b");
}

}  // namespace
}  // namespace berth::build

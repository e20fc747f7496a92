// Containerfile/Dockerfile parsing into instructions with raw, per-keyword argument shapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::build {

// A here-document attached to RUN, COPY or ADD (shell form): `RUN <<EOF`,
// `COPY <<-"EOT" /dst`. Its body is the lines after the instruction up to the
// terminator line.
struct Heredoc {
  std::string name;     // the terminator word, quotes removed
  std::string content;  // the body, each line ending in '\n'; with chomp, leading tabs removed
  bool expand = true;   // false when the name was quoted: the body is not variable-expanded
  bool chomp = false;   // "<<-"
  int fd = 0;           // the digits before "<<" ("3<<EOF"), 0 when none
};

struct Instruction {
  // Upper case: FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT
  // VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL.
  std::string keyword;
  // The instruction as written, keyword included, continuation lines joined
  // (escape and newline removed, pieces concatenated), trimmed.
  std::string original;
  // Leading "--name=value" / "--name" words of FROM, RUN, ADD, COPY and
  // HEALTHCHECK, raw (quotes kept), in order; a lone "--" ends them and is dropped.
  std::vector<std::string> flags;
  // Per keyword (raw: no quote removal, no expansion, unless json):
  //  RUN CMD ENTRYPOINT SHELL: the JSON array's strings, or {shell form text}.
  //  ENV LABEL: key, value, key, value... (values keep their quotes).
  //  ADD COPY VOLUME: the JSON array's strings or the whitespace-split words.
  //  EXPOSE FROM STOPSIGNAL: whitespace-split words; ARG: quote-aware words.
  //  MAINTAINER USER WORKDIR ONBUILD: {rest of the line}.
  //  HEALTHCHECK: {"NONE"}, {"CMD", json strings...} or {"CMD", shell form text}.
  std::vector<std::string> args;
  bool json = false;              // args came from a JSON array (exec form)
  int line = 0;                   // 1-based line where the instruction starts
  std::vector<Heredoc> heredocs;  // RUN/COPY/ADD here-documents, in order

  // The value of flag --name: "v" for "--name=v", "" for a bare "--name",
  // nullopt when absent; the last one wins when repeated. Raw (quotes kept).
  std::optional<std::string> flagValue(std::string_view name) const;
};

struct ParsedFile {
  char escape = '\\';                     // from a leading "# escape=`" directive
  std::vector<Instruction> instructions;  // in order, including ARGs before the first FROM
};

// Parses a whole Containerfile. Errors are kInvalidArgument and name the line:
// "Containerfile line 3: unknown instruction: FRM", "Containerfile line 4: RUN
// requires at least one argument", a bad escape directive, malformed
// FROM/ENV/LABEL/HEALTHCHECK/ONBUILD/SHELL, a JSON array of non-strings, an
// unterminated heredoc.
Result<ParsedFile> parseContainerfile(std::string_view text);

// Parses one instruction line (continuations already joined), e.g. an ONBUILD
// trigger taken from a base image's config. line is 0; errors carry no line.
Result<Instruction> parseInstruction(std::string_view text, char escape = '\\');

}  // namespace berth::build

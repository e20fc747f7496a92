// `container runlabel`'s planner: from an image label to the argv to execute,
// with podman 4.3.1's splitting (google/shlex), NAME/IMAGE substitution and
// $OPT1..3/$PWD expansion.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::cli::runlabel {

// Splits `s` into words as github.com/google/shlex's Split does: blanks (space,
// tab, CR, LF) separate words; '...' keeps everything literally; "..." keeps
// everything but `\`, which takes the next character literally; outside quotes
// `\` does the same; a word that starts with `#` begins a comment up to the
// next newline. No expansion of any kind. kInvalidArgument with shlex's own
// texts ("EOF found when expecting closing quote", "EOF found after escape
// character").
Result<std::vector<std::string>> shlexSplit(std::string_view s);

// Go's os.Expand: replaces $NAME and ${NAME} (and $1, $$, ... shell specials)
// by mapping(NAME); "${}" and an unterminated "${" are dropped; a "$" followed
// by nothing that names a variable is kept.
std::string goExpand(std::string_view s,
                     const std::function<std::string(std::string_view)>& mapping);

// The program the label names, as podman's substituteCommand: "podman" or any
// path whose base name is "docker" becomes /proc/self/exe (this very program);
// a name with a "/" or starting with "." is made absolute against `cwd` (Go's
// filepath.Abs) and must exist (kNotFound "stat PATH: no such file or
// directory"). Other names stay as they are.
Result<std::string> substituteProgram(const std::string& prog, const std::string& cwd);

// The container name used when --name is not given (podman's
// generateRunlabelCommand): the last path element, without tag, of the
// reference the user typed, or of `image_name` when what was typed is a prefix
// of the image's ID.
std::string defaultName(const std::string& image_name, const std::string& image_id,
                        const std::string& input);

struct Plan {
  std::string label;              // the label's value
  std::vector<std::string> args;  // ARGs after IMAGE, appended to the label
  std::string image_name;         // the image's newest name, or its ID
  std::string name;               // --name, or defaultName()
  std::string opt1, opt2, opt3;   // values of $OPT1..$OPT3
  std::string cwd;                // $PWD, and the base of relative program paths
};

// The argv to execute: label and args joined, split, the program substituted,
// NAME and IMAGE replaced in each word, then the words joined again, $OPT1..3
// and $PWD expanded (other variables expand to nothing) and the result split
// once more (so quotes of the label survive only one level, as in podman).
// kInvalidArgument for a label that does not split or holds no command;
// substituteProgram's errors.
Result<std::vector<std::string>> generateCommand(const Plan& p);

// exec.Command's exec.LookPath: `name` itself when it holds a "/", else the
// first executable regular file named so in a directory of `path` (the $PATH
// value); relative directories are skipped, as Go 1.19 refuses programs found
// through them. kNotFound with Go's text (exec: "NAME": executable file not
// found in $PATH).
Result<std::string> lookPath(const std::string& name, const std::string& path);

// What Go's (*exec.ExitError).Error() says for a wait status: "exit status N",
// "signal: killed", "signal: segmentation fault (core dumped)".
std::string exitStatusText(int wait_status);

}  // namespace berth::cli::runlabel

// Manual pages (man(7) roff) generated from the command tree.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/command.h"

namespace berth::cli {

// One page per visible command path: "<prog>.1" for the root (with `globals`, the options
// every command takes), "<prog>-image-ls.1" for `<prog> image ls`. Each has NAME, SYNOPSIS,
// DESCRIPTION, ALIASES, COMMANDS (a group's subcommands), OPTIONS (every visible flag, its
// argument type and default), EXAMPLES and SEE ALSO. Keyed by file name.
std::map<std::string, std::string> manPages(const Command& root, const std::vector<Flag>& globals,
                                            const std::string& prog);

// Writes manPages() into `dir` (created), replacing pages of the same name.
Status writeManPages(const Command& root, const std::vector<Flag>& globals, const std::string& prog,
                     const std::string& dir);

// Text made safe for a roff line: backslashes and hyphens escaped, a leading '.' or '\''
// neutralised on every line.
std::string roffEscape(const std::string& text);

}  // namespace berth::cli

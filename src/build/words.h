// Docker's shell-word processing for build instructions: quote removal and variable expansion.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::build {

// Returns the value of a build variable (ARG or ENV), nullopt when it is not set.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Processes one word the way buildkit's shell.Lex.ProcessWord does:
//  - '...' is literal; "..." keeps its text, expands $ and lets the escape char
//    escape " $ and itself (other escapes stay as written);
//  - outside quotes the escape char makes the next char literal (a trailing one is dropped);
//  - $NAME, ${NAME}, ${NAME:-w} ${NAME-w} ${NAME:+w} ${NAME+w} ${NAME:?w} ${NAME?w},
//    ${NAME#p} ${NAME##p} ${NAME%p} ${NAME%%p} (shell patterns with * and ?),
//    ${NAME/p/r} ${NAME//p/r}; an unset name expands to "" and the ':' forms treat
//    empty as unset; a '$' not followed by a name stays a literal '$'.
// Whitespace is kept: the whole of `word` is one word (ENV A some value).
// A null `lookup` means no variable is set.
// Errors (kInvalidArgument, naming the word): an unterminated quote or ${, a bad
// substitution, an unsupported modifier, ${NAME?} on an unset name.
Result<std::string> processWord(std::string_view word, const Lookup& lookup, char escape = '\\');

// The same over a whole string, split into words on whitespace that is neither
// quoted nor escaped; quoted text ("a b") stays in one word, empty words are dropped.
// As in Docker's ProcessWords, the value of an unquoted $NAME is split on its
// whitespace too (x="1 2": `$x` -> {"1","2"}, `"$x"` -> {"1 2"}).
Result<std::vector<std::string>> processWords(std::string_view text, const Lookup& lookup,
                                              char escape = '\\');

}  // namespace berth::build

// Command tree and pflag/cobra-compatible flag parsing for the berth CLI.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"

namespace berth::cli {

class Context;

// A flag bound to a variable. Parsing follows pflag: --name=value, --name
// value, -n value, -nvalue, combined short bools (-aq), --bool=false, "--"
// ends flags.
struct Flag {
  std::string name;
  char shorthand = 0;
  std::string help;
  std::variant<bool*, std::string*, std::vector<std::string>*, int*, int64_t*> target;
  std::string default_text;  // shown in --help
  bool hidden = false;
  bool changed = false;
  // A list flag whose every value is split on commas (pflag's StringSlice, CSV
  // quoting); other list flags take each value whole (StringArray).
  bool split_commas = false;
};

// What a command suggests for the word being completed (cobra's __complete):
// the candidates and cobra's ShellCompDirective bits.
struct Completion {
  static constexpr int kError = 1, kNoSpace = 2, kNoFileComp = 4;
  std::vector<std::string> items;  // "value" or "value\tdescription"
  int directive = 0;               // 0: ShellCompDirectiveDefault (the shell completes files)
};

class Command {
 public:
  using RunFn = std::function<int(Context&, const std::vector<std::string>&)>;
  // Completes the positional argument after `args` (those already typed).
  using CompleteFn =
      std::function<Completion(Context&, const std::vector<std::string>& args, const std::string& to_complete)>;

  Command(std::string use, std::string short_help) : use_(std::move(use)), short_(std::move(short_help)) {}

  std::string name() const;
  Command& aliases(std::vector<std::string> a) {
    aliases_ = std::move(a);
    return *this;
  }
  Command& description(std::string d) {
    long_ = std::move(d);
    return *this;
  }
  Command& example(std::string e) {
    example_ = std::move(e);
    return *this;
  }
  // Positional argument count bounds (max -1 = unbounded).
  Command& args(int min, int max) {
    min_args_ = min;
    max_args_ = max;
    return *this;
  }
  // Stop flag parsing at the first positional argument (run, exec).
  Command& noInterspersed() {
    interspersed_ = false;
    return *this;
  }
  Command& run(RunFn fn) {
    run_ = std::move(fn);
    return *this;
  }
  Command& hidden() {
    hidden_ = true;
    return *this;
  }
  Command& completeArgs(CompleteFn fn) {
    complete_ = std::move(fn);
    return *this;
  }

  // For shell completion.
  bool isHidden() const { return hidden_; }
  const std::string& use() const { return use_; }
  const std::string& shortHelp() const { return short_; }
  const std::string& longHelp() const { return long_; }
  const std::string& examples() const { return example_; }
  const std::vector<std::string>& aliasNames() const { return aliases_; }
  const std::vector<Flag>& flags() const { return flags_; }
  // Two flags of this command with one name or shorthand: a programming error that pflag would
  // panic on. Checked for the whole tree by a unit test (cli_test), not on every run: the
  // check cost as much as building the tree.
  std::vector<std::string> duplicateFlags() const;
  const std::vector<std::unique_ptr<Command>>& subcommands() const { return subs_; }
  const CompleteFn& completer() const { return complete_; }
  bool runnable() const { return bool(run_); }

  Command& flag(std::string name, char sh, bool* v, std::string help);
  Command& flag(std::string name, char sh, std::string* v, std::string help);
  // A list flag taking each value whole (pflag's StringArray).
  Command& flag(std::string name, char sh, std::vector<std::string>* v, std::string help);
  // A list flag splitting each value on commas (pflag's StringSlice).
  Command& sliceFlag(std::string name, char sh, std::vector<std::string>* v, std::string help);
  Command& flag(std::string name, char sh, int* v, std::string help);
  Command& hiddenFlag(std::string name, bool* v);
  Command& hiddenFlag(std::string name, std::string* v);
  Command& hiddenFlag(std::string name, std::vector<std::string>* v);
  Command& hiddenFlag(std::string name, int* v);
  // Hides the flag `name` (already added) from help and completion; it still parses.
  Command& hideFlag(std::string_view name);
  bool changed(std::string_view name) const;

  Command& add(std::unique_ptr<Command> sub);
  Command* find(std::string_view name_or_alias);

  // Parses argv (after this command's name) and runs the selected command.
  // `globals` are flags accepted at any level (podman's persistent flags).
  int execute(Context& ctx, std::vector<std::string> argv, std::vector<Flag>* globals,
              const std::string& path);

  std::string help(const std::string& path, const std::vector<Flag>* globals) const;

  // Parses this command's flags (and `globals`) out of argv into their
  // variables; the rest goes to `positional`. Errors are pflag's texts.
  Status parse(std::vector<std::string>& argv, std::vector<Flag>* globals,
               std::vector<std::string>& positional, bool& help_requested);

 private:
  Command& addFlag(Flag f);

  std::string use_, short_, long_, example_;
  std::vector<std::string> aliases_;
  std::vector<Flag> flags_;
  std::vector<std::unique_ptr<Command>> subs_;
  int min_args_ = 0, max_args_ = -1;
  bool interspersed_ = true;
  bool hidden_ = false;
  RunFn run_;
  CompleteFn complete_;
};

// cobra's hidden __complete / __completeNoDesc protocol: `args` are the words
// after it, the last one being completed. Prints the candidates, ":<directive>"
// and, on stderr, "Completion ended with directive: ..."; returns 0.
int runCompletion(Context& ctx, Command& root, std::vector<std::string> args, bool descriptions);

// Completers of create/run (images, then paths inside the image) and cp
// ("CONTAINER:", then paths inside the container).
Completion completeCreateRun(Context& ctx, const std::vector<std::string>& args, const std::string& typed);
Completion completeCp(Context& ctx, const std::vector<std::string>& args, const std::string& typed);

// `completion bash|zsh|fish|powershell`: scripts that drive __complete.
std::unique_ptr<Command> completionCommand(const std::string& prog);

// pflag's name for the flag's argument ("string", "strings", "stringArray", "int"); "" for a bool.
std::string flagTypeName(const Flag& f);

// Applies a flag's textual value.
Status setFlag(Flag& f, const std::string& value, bool has_value);

// Splits a StringSlice value as pflag does: one CSV record ("a,b" -> a, b;
// "\"a,b\",c" -> "a,b", c; "" -> nothing).
Result<std::vector<std::string>> splitCsv(const std::string& value);

}  // namespace berth::cli

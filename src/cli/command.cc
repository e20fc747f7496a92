// Flag parsing and help output.
#include "cli/command.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "cli/context.h"

namespace berth::cli {

std::string Command::name() const { return use_.substr(0, use_.find(' ')); }

Command& Command::addFlag(Flag f) {
  flags_.push_back(std::move(f));
  return *this;
}

std::vector<std::string> Command::duplicateFlags() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < flags_.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (flags_[j].name == flags_[i].name || (flags_[i].shorthand && flags_[j].shorthand == flags_[i].shorthand))
        out.push_back(fmt::format("{}: --{} (-{}) twice", name(), flags_[i].name,
                                  flags_[i].shorthand ? flags_[i].shorthand : ' '));
  return out;
}

Command& Command::flag(std::string name, char sh, bool* v, std::string help) {
  return addFlag(Flag{std::move(name), sh, std::move(help), v, *v ? "true" : ""});
}
Command& Command::flag(std::string name, char sh, std::string* v, std::string help) {
  return addFlag(Flag{std::move(name), sh, std::move(help), v, v->empty() ? "" : "\"" + *v + "\""});
}
Command& Command::flag(std::string name, char sh, std::vector<std::string>* v, std::string help) {
  return addFlag(Flag{std::move(name), sh, std::move(help), v, ""});
}
Command& Command::sliceFlag(std::string name, char sh, std::vector<std::string>* v, std::string help) {
  Flag f{std::move(name), sh, std::move(help), v, ""};
  f.split_commas = true;
  return addFlag(std::move(f));
}
Command& Command::flag(std::string name, char sh, int* v, std::string help) {
  return addFlag(Flag{std::move(name), sh, std::move(help), v, std::to_string(*v)});
}
Command& Command::hiddenFlag(std::string name, bool* v) {
  return addFlag(Flag{std::move(name), 0, "", v, "", true});
}
Command& Command::hideFlag(std::string_view name) {
  for (auto& f : flags_)
    if (f.name == name) f.hidden = true;
  return *this;
}
Command& Command::hiddenFlag(std::string name, std::string* v) {
  return addFlag(Flag{std::move(name), 0, "", v, "", true});
}

Command& Command::hiddenFlag(std::string name, std::vector<std::string>* v) {
  return addFlag(Flag{std::move(name), 0, "", v, "", true});
}

Command& Command::hiddenFlag(std::string name, int* v) {
  return addFlag(Flag{std::move(name), 0, "", v, "", true});
}

bool Command::changed(std::string_view name) const {
  for (auto& f : flags_)
    if (f.name == name) return f.changed;
  return false;
}

Command& Command::add(std::unique_ptr<Command> sub) {
  subs_.push_back(std::move(sub));
  return *subs_.back();
}

Command* Command::find(std::string_view n) {
  for (auto& s : subs_) {
    if (s->name() == n) return s.get();
    for (auto& a : s->aliases_)
      if (a == n) return s.get();
  }
  return nullptr;
}

Result<std::vector<std::string>> splitCsv(const std::string& value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  size_t i = 0;
  // Go's encoding/csv (no LazyQuotes): a field is bare or wholly quoted; "" in a quoted field is ".
  while (true) {
    std::string field;
    if (i < value.size() && value[i] == '"') {
      size_t start = i++;
      while (true) {
        if (i >= value.size())
          return makeError(Code::kInvalidArgument, "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                           start + 1);
        if (value[i] == '"') {
          if (i + 1 < value.size() && value[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += value[i++];
      }
      if (i < value.size() && value[i] != ',')
        return makeError(Code::kInvalidArgument, "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                         i + 1);
    } else {
      while (i < value.size() && value[i] != ',') {
        if (value[i] == '"')
          return makeError(Code::kInvalidArgument, "parse error on line 1, column {}: bare \" in non-quoted-field", i + 1);
        field += value[i++];
      }
    }
    out.push_back(std::move(field));
    if (i >= value.size()) break;
    ++i;  // the comma
  }
  return out;
}

// pflag's name of a flag in errors: "-n, --last" or "--last".
static std::string flagDisplayName(const Flag& f) {
  return f.shorthand ? fmt::format("-{}, --{}", f.shorthand, f.name) : "--" + f.name;
}

Status setFlag(Flag& f, const std::string& value, bool has_value) {
  f.changed = true;
  return std::visit(
      [&](auto* p) -> Status {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, bool>) {
          // Go's strconv.ParseBool.
          static const std::set<std::string_view> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
          static const std::set<std::string_view> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
          if (!has_value || kTrue.count(value)) *p = true;
          else if (kFalse.count(value)) *p = false;
          else
            return makeError(Code::kInvalidArgument,
                             "invalid argument {:?} for {:?} flag: strconv.ParseBool: parsing {:?}: invalid syntax",
                             value, flagDisplayName(f), value);
        } else if constexpr (std::is_same_v<T, std::string>) {
          *p = value;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          if (!f.split_commas) {
            p->push_back(value);
          } else {
            auto parts = splitCsv(value);
            if (!parts.ok())
              return makeError(Code::kInvalidArgument, "invalid argument {:?} for {:?} flag: {}", value,
                               flagDisplayName(f), parts.error().what());
            p->insert(p->end(), parts->begin(), parts->end());
          }
        } else {
          try {
            size_t used = 0;
            long long n = std::stoll(value, &used);
            if (used != value.size()) throw std::invalid_argument(value);
            *p = T(n);
          } catch (...) {
            return makeError(Code::kInvalidArgument,
                             "invalid argument {:?} for {:?} flag: strconv.ParseInt: parsing {:?}: invalid syntax",
                             value, flagDisplayName(f), value);
          }
        }
        return {};
      },
      f.target);
}

static bool isBool(const Flag& f) { return std::holds_alternative<bool*>(f.target); }

Status Command::parse(std::vector<std::string>& argv, std::vector<Flag>* globals,
                      std::vector<std::string>& positional, bool& help_requested) {
  auto lookupLong = [&](const std::string& n) -> Flag* {
    for (auto& f : flags_)
      if (f.name == n) return &f;
    if (globals)
      for (auto& f : *globals)
        if (f.name == n) return &f;
    return nullptr;
  };
  auto lookupShort = [&](char c) -> Flag* {
    for (auto& f : flags_)
      if (f.shorthand == c) return &f;
    if (globals)
      for (auto& f : *globals)
        if (f.shorthand == c) return &f;
    return nullptr;
  };
  size_t i = 0;
  bool flags_done = false;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      positional.push_back(a);
      // Subcommand names are resolved by the caller; a command that takes no
      // interspersed flags stops here.
      if (!interspersed_ && !flags_done) {
        for (size_t j = i + 1; j < argv.size(); ++j) positional.push_back(argv[j]);
        return {};
      }
      continue;
    }
    if (a == "--") {
      flags_done = true;
      if (!interspersed_) {
        for (size_t j = i + 1; j < argv.size(); ++j) positional.push_back(argv[j]);
        return {};
      }
      continue;
    }
    if (a.rfind("--", 0) == 0) {
      std::string n = a.substr(2), v;
      bool has_v = false;
      if (auto eq = n.find('='); eq != std::string::npos) {
        v = n.substr(eq + 1);
        n = n.substr(0, eq);
        has_v = true;
      }
      if (n == "help") {
        help_requested = true;
        continue;
      }
      Flag* f = lookupLong(n);
      if (!f) return makeError(Code::kInvalidArgument, "unknown flag: --{}", n);
      if (!has_v && !isBool(*f)) {
        if (i + 1 >= argv.size())
          return makeError(Code::kInvalidArgument, "flag needs an argument: --{}", n);
        v = argv[++i];
        has_v = true;
      }
      TRY(setFlag(*f, v, has_v));
      continue;
    }
    // Short flags, possibly combined.
    for (size_t k = 1; k < a.size(); ++k) {
      char c = a[k];
      if (c == 'h' && !lookupShort('h')) {
        help_requested = true;
        continue;
      }
      Flag* f = lookupShort(c);
      if (!f)
        return makeError(Code::kInvalidArgument, "unknown shorthand flag: '{}' in {}", c, a);
      if (isBool(*f)) {
        if (k + 1 < a.size() && a[k + 1] == '=') {
          TRY(setFlag(*f, a.substr(k + 2), true));
          break;
        }
        TRY(setFlag(*f, "", false));
        continue;
      }
      std::string v;
      if (k + 1 < a.size()) {
        v = a.substr(k + 1);
        if (v[0] == '=') v = v.substr(1);
      } else if (i + 1 < argv.size()) {
        v = argv[++i];
      } else {
        return makeError(Code::kInvalidArgument, "flag needs an argument: '{}' in -{}", c, c);
      }
      TRY(setFlag(*f, v, true));
      break;
    }
  }
  return {};
}

std::string flagTypeName(const Flag& f) {
  if (std::holds_alternative<std::string*>(f.target)) return "string";
  if (std::holds_alternative<std::vector<std::string>*>(f.target)) return f.split_commas ? "strings" : "stringArray";
  if (std::holds_alternative<int*>(f.target) || std::holds_alternative<int64_t*>(f.target)) return "int";
  return "";
}

static std::string flagLines(const std::vector<Flag>& flags, bool with_help = false) {
  // pflag prints flags sorted by long name; the root lists its own --help too.
  struct Row {
    std::string name, left, right;
  };
  std::vector<Row> rows;
  if (with_help) rows.push_back({"help", "      --help", "Help for podman"});
  for (auto& f : flags) {
    if (f.hidden) continue;
    std::string left = f.shorthand ? fmt::format("  -{}, --{}", f.shorthand, f.name) : fmt::format("      --{}", f.name);
    if (auto type = flagTypeName(f); !type.empty()) left += " " + type;
    std::string right = f.help;
    if (!f.default_text.empty() && !std::holds_alternative<bool*>(f.target))
      right += fmt::format(" (default {})", f.default_text);
    rows.push_back({f.name, std::move(left), std::move(right)});
  }
  std::stable_sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.name < y.name; });
  size_t w = 0;
  for (auto& r : rows) w = std::max(w, r.left.size());
  std::string out;
  // A multi-line usage continues under its first line, as pflag indents it.
  std::string indent = "\n" + std::string(w + 3, ' ');
  for (auto& r : rows) {
    std::string right = r.right;
    for (size_t at = 0; (at = right.find('\n', at)) != std::string::npos; at += indent.size())
      right.replace(at, 1, indent);
    out += fmt::format("{:<{}}   {}\n", r.left, w, right);
  }
  return out;
}

// Global options that only make sense locally: with CONTAINER_HOST or CONTAINER_CONNECTION
// in the environment, or --url/--connection given, podman is remote already and does not
// offer --remote.
static bool remoteImplied(const std::vector<Flag>& globals) {
  if (std::getenv("CONTAINER_HOST") || std::getenv("CONTAINER_CONNECTION")) return true;
  for (auto& g : globals)
    if ((g.name == "url" || g.name == "connection") && g.changed) return true;
  return false;
}

std::string Command::help(const std::string& path, const std::vector<Flag>* globals) const {
  bool root = path.find(' ') == std::string::npos;
  std::string out = short_ + "\n\n";
  if (!root) out += "Description:\n  " + (long_.empty() ? short_ : long_) + "\n\n";
  std::string prefix = path.substr(0, path.rfind(' ') == std::string::npos ? 0 : path.rfind(' ') + 1);
  // A command group (no action of its own) is used as "podman image [command]".
  std::string use = use_;
  if (!run_ && !subs_.empty()) use = name() + (root ? " [options]" : "") + " [command]";
  out += "Usage:\n  " + prefix + use + "\n\n";
  if (!aliases_.empty()) {
    out += "Aliases:\n  " + name();
    for (auto& a : aliases_) out += ", " + a;
    out += "\n\n";
  }
  if (!example_.empty()) out += "Examples:\n  " + example_ + "\n\n";
  if (!subs_.empty()) {
    out += "Available Commands:\n";
    std::vector<std::pair<std::string, const Command*>> sorted;
    for (auto& s : subs_)
      if (!s->hidden_) sorted.emplace_back(s->name(), s.get());
    std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first < b.first; });
    // cobra pads names to the longest one, at least 11.
    size_t w = 11;
    for (auto& [n, s] : sorted) w = std::max(w, n.size());
    for (auto& [n, s] : sorted) out += fmt::format("  {:<{}} {}\n", n, w, s->short_);
    out += "\n";
  }
  if (root && globals) {
    std::vector<Flag> shown;
    bool hide_remote = remoteImplied(*globals);
    for (auto& g : *globals)
      if (!(hide_remote && g.name == "remote")) shown.push_back(g);
    out += "Options:\n" + flagLines(shown, true) + "\n";
  } else if (!flags_.empty()) {
    out += "Options:\n" + flagLines(flags_) + "\n";
  }
  return out;
}

int Command::execute(Context& ctx, std::vector<std::string> argv, std::vector<Flag>* globals,
                     const std::string& path) {
  // Descend into a subcommand when the first non-flag argument names one.
  if (!subs_.empty()) {
    for (size_t i = 0; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      if (a == "--") break;
      if (a.size() > 1 && a[0] == '-') {
        // Skip a global flag's separate value (e.g. --root DIR).
        if (a.rfind("--", 0) == 0 && a.find('=') == std::string::npos && globals) {
          for (auto& g : *globals)
            if ("--" + g.name == a && !isBool(g)) ++i;
        }
        continue;
      }
      Command* sub = find(a);
      if (!sub) break;
      std::vector<std::string> rest(argv.begin(), argv.begin() + i);
      rest.insert(rest.end(), argv.begin() + i + 1, argv.end());
      return sub->execute(ctx, rest, globals, path + " " + sub->name());
    }
  }
  std::vector<std::string> positional;
  bool help_requested = false;
  if (auto s = parse(argv, globals, positional, help_requested); !s.ok()) {
    ctx.err(fmt::format("Error: {}\nSee '{} --help'\n", s.error().what(), path));
    return kExitEngineError;
  }
  if (help_requested) {
    ctx.out(help(path, globals));
    return 0;
  }
  std::string prog = path.substr(0, path.find(' '));
  if (int rc = ctx.applyLogLevel(prog, name()); rc >= 0) return rc;
  ctx.command_path = path;
  if (!run_) {
    if (!positional.empty()) {
      ctx.err(fmt::format("Error: unrecognized command `{} {}`\nTry '{} --help' for more information\n",
                          path, positional[0], path));
      return kExitEngineError;
    }
    if (ctx.version_requested && path.find(' ') == std::string::npos) {
      ctx.out(fmt::format("{} version {}\n", path, ctx.version()));
      return 0;
    }
    // A command group needs a subcommand (cobra: "missing command 'podman image COMMAND'");
    // the root too ("podman" alone, or "podman --remote").
    ctx.out(help(path, globals));
    ctx.err(fmt::format("Error: missing command '{} COMMAND'\n", path));
    return kExitEngineError;
  }
  if (auto s = ctx.applyGlobals(); !s.ok()) return ctx.fail(s.error());
  if (int(positional.size()) < min_args_ || (max_args_ >= 0 && int(positional.size()) > max_args_)) {
    std::string want;
    if (max_args_ == 0) want = fmt::format("`{}` takes no arguments", path);
    else if (max_args_ == min_args_) want = fmt::format("accepts {} arg(s), received {}", min_args_, positional.size());
    else if (max_args_ < 0) want = fmt::format("requires at least {} arg(s), only received {}", min_args_, positional.size());
    else want = fmt::format("accepts between {} and {} arg(s), received {}", min_args_, max_args_, positional.size());
    if (min_args_ == 1 && max_args_ < 0 && positional.empty()) want = "requires at least 1 arg(s), only received 0";
    ctx.err(fmt::format("Error: {}\n", want));
    return kExitEngineError;
  }
  return run_(ctx, positional);
}

}  // namespace berth::cli

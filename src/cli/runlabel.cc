// runlabel's planner: podman 4.3.1's generateRunlabelCommand with google/shlex
// and os.Expand.
#include "cli/runlabel.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstring>

#include "base/lines.h"

namespace berth::cli::runlabel {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string join(const std::vector<std::string>& words, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < words.size(); ++i) out += (i == from ? "" : " ") + words[i];
  return out;
}

// strings.ReplaceAll.
std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

// podman's replaceName / replaceImage: the bare word KEY, $KEY and ${KEY}
// anywhere, and every "=KEY" when the word ends with one.
std::string replaceKey(const std::string& arg, const std::string& key, const std::string& value) {
  if (arg == key) return value;
  std::string s = replaceAll(arg, "$" + key, value);
  s = replaceAll(s, "${" + key + "}", value);
  if (s.ends_with("=" + key)) s = replaceAll(s, "=" + key, "=" + value);
  return s;
}

bool isShellSpecial(char c) { return std::strchr("*#$@!?-0123456789", c) != nullptr && c != '\0'; }
bool isAlnum(char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); }

// Go's getShellName: the variable name after a "$" and how many bytes it spans.
std::pair<std::string_view, size_t> shellName(std::string_view s) {
  if (s[0] == '{') {
    if (s.size() > 2 && isShellSpecial(s[1]) && s[2] == '}') return {s.substr(1, 1), 3};
    for (size_t i = 1; i < s.size(); ++i)
      if (s[i] == '}') {
        if (i == 1) return {{}, 2};  // "${}": dropped
        return {s.substr(1, i - 1), i + 1};
      }
    return {{}, 1};  // "${" without "}": the two characters are dropped
  }
  if (isShellSpecial(s[0])) return {s.substr(0, 1), 1};
  size_t i = 0;
  while (i < s.size() && isAlnum(s[i])) ++i;
  return {s.substr(0, i), i};
}

// Go's filepath.Clean of an absolute path.
std::string cleanAbs(std::string_view p) {
  std::vector<std::string_view> parts;
  for (auto part : splitFields(p, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto part : parts) out += "/" + std::string(part);
  return out.empty() ? "/" : out;
}

// Go's filepath.Base.
std::string goBase(std::string_view p) {
  if (p.empty()) return ".";
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p == "/") return "/";
  auto slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

// Go's syscall.Errno texts: strerror with a lower-case first letter.
std::string goErrno(int e) {
  std::string s = std::strerror(e);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

Result<std::vector<std::string>> shlexSplit(std::string_view s) {
  enum State { kStart, kWord, kEscape, kEscapeQuoted, kDouble, kSingle, kComment } st = kStart;
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i <= s.size(); ++i) {
    const bool eof = i == s.size();
    const char c = eof ? '\0' : s[i];
    switch (st) {
      case kStart:
        if (eof || isBlank(c)) break;
        if (c == '"')
          st = kDouble;
        else if (c == '\'')
          st = kSingle;
        else if (c == '\\')
          st = kEscape;
        else if (c == '#')
          st = kComment;
        else {
          word += c;
          st = kWord;
        }
        break;
      case kWord:
        if (eof || isBlank(c)) {
          words.push_back(std::move(word));
          word.clear();
          st = kStart;
        } else if (c == '"')
          st = kDouble;
        else if (c == '\'')
          st = kSingle;
        else if (c == '\\')
          st = kEscape;
        else
          word += c;
        break;
      case kEscape:
      case kEscapeQuoted:
        if (eof) return makeError(Code::kInvalidArgument, "EOF found after escape character");
        word += c;
        st = st == kEscape ? kWord : kDouble;
        break;
      case kDouble:
        if (eof) return makeError(Code::kInvalidArgument, "EOF found when expecting closing quote");
        if (c == '"')
          st = kWord;
        else if (c == '\\')
          st = kEscapeQuoted;
        else
          word += c;
        break;
      case kSingle:
        if (eof) return makeError(Code::kInvalidArgument, "EOF found when expecting closing quote");
        if (c == '\'')
          st = kWord;
        else
          word += c;
        break;
      case kComment:
        if (c == '\n') st = kStart;  // the comment is dropped
        break;
    }
  }
  return words;
}

std::string goExpand(std::string_view s,
                     const std::function<std::string(std::string_view)>& mapping) {
  std::string out;
  size_t i = 0;
  for (size_t j = 0; j < s.size(); ++j) {
    if (s[j] != '$' || j + 1 >= s.size()) continue;
    out.append(s.substr(i, j - i));
    auto [name, w] = shellName(s.substr(j + 1));
    if (name.empty() && w == 0)
      out += '$';  // "$" before no name: kept
    else if (!name.empty())
      out += mapping(name);
    j += w;
    i = j + 1;
  }
  out.append(s.substr(std::min(i, s.size())));
  return out;
}

Result<std::string> substituteProgram(const std::string& prog, const std::string& cwd) {
  std::string p = prog == "podman" || goBase(prog) == "docker" ? "/proc/self/exe" : prog;
  if (p.find('/') == std::string::npos && !p.starts_with('.')) return p;
  std::string abs = cleanAbs(p.starts_with('/') ? p : cwd + "/" + p);
  struct stat st;
  if (::stat(abs.c_str(), &st) == 0 || errno != ENOENT) return abs;
  return Error(Code::kNotFound, "stat " + abs + ": " + goErrno(ENOENT));
}

std::string defaultName(const std::string& image_name, const std::string& image_id,
                        const std::string& input) {
  const std::string& normalize = image_id.starts_with(input) ? image_name : input;
  auto slash = normalize.rfind('/');
  std::string last = slash == std::string::npos ? normalize : normalize.substr(slash + 1);
  return last.substr(0, last.find(':'));
}

Result<std::vector<std::string>> generateCommand(const Plan& p) {
  std::string text = p.label;
  if (!p.args.empty()) text += " " + join(p.args);
  const std::string& name = p.name.empty() ? p.image_name : p.name;
  auto words = TRY(shlexSplit(text));
  if (words.empty()) return makeError(Code::kInvalidArgument, "the label names no command");
  std::vector<std::string> cmd{TRY(substituteProgram(words[0], p.cwd))};
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "IMAGE=IMAGE")
      cmd.push_back("IMAGE=" + p.image_name);
    else if (w == "NAME=NAME")
      cmd.push_back("NAME=" + name);
    else
      cmd.push_back(replaceKey(replaceKey(w, "NAME", name), "IMAGE", p.image_name));
  }
  std::string expanded = goExpand(join(cmd), [&](std::string_view var) -> std::string {
    if (var == "OPT1") return p.opt1;
    if (var == "OPT2") return p.opt2;
    if (var == "OPT3") return p.opt3;
    if (var == "PWD") return p.cwd;
    return "";
  });
  auto argv = TRY(shlexSplit(expanded));
  if (argv.empty())
    return makeError(Code::kInvalidArgument,
                     "the label's command is empty once $OPT1..$OPT3 are expanded");
  return argv;
}

Result<std::string> lookPath(const std::string& name, const std::string& path) {
  if (name.find('/') != std::string::npos)
    return name;  // Go's exec.Command looks up base names only
  if (!path.empty()) {
    for (auto dir : splitFields(path, ':')) {
      std::string d = dir.empty() ? "." : std::string(dir);
      std::string f = d + "/" + name;
      struct stat st;
      if (::stat(f.c_str(), &st) != 0 || S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0) continue;
      if (!d.starts_with('/'))
        return Error(Code::kNotFound, fmt::format("exec: {:?}: cannot run executable found "
                                                  "relative to current directory",
                                                  name));
      return f;
    }
  }
  return Error(Code::kNotFound,
               fmt::format("exec: {:?}: executable file not found in $PATH", name));
}

std::string exitStatusText(int ws) {
  std::string out;
  if (WIFEXITED(ws)) {
    out = fmt::format("exit status {}", WEXITSTATUS(ws));
  } else if (WIFSIGNALED(ws)) {
    int sig = WTERMSIG(ws);
    const char* text = sig < SIGRTMIN ? ::strsignal(sig) : nullptr;
    std::string name = text ? text : fmt::format("signal {}", sig);
    // Go's table is glibc's with a lower-case first letter, except acronyms
    // ("CPU time ...").
    if (name.size() > 1 && !std::isupper(static_cast<unsigned char>(name[1])))
      name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    out = "signal: " + name;
    if (WCOREDUMP(ws)) out += " (core dumped)";
  } else {
    out = fmt::format("wait status {}", ws);
  }
  return out;
}

}  // namespace berth::cli::runlabel

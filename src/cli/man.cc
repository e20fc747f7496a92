// Manual pages from the command tree: the same texts as --help, laid out as man(7) pages.
#include "cli/man.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/fs.h"

namespace berth::cli {

std::string roffEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 8);
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  return out;
}

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "image ls" -> "image-ls".
std::string dashed(const std::string& path) {
  std::string s = path;
  std::replace(s.begin(), s.end(), ' ', '-');
  return s;
}

// Text blocks (descriptions, examples) keep their lines: each paragraph filled, examples as is.
std::string paragraphs(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\n\n", start);
    std::string para = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!para.empty() && (para.front() == '\n' || para.front() == ' ')) para.erase(0, 1);
    if (!para.empty()) out += ".PP\n" + roffEscape(para) + "\n";
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

std::string optionsSection(std::vector<Flag> flags) {
  std::erase_if(flags, [](const Flag& f) { return f.hidden; });
  if (flags.empty()) return "";
  std::stable_sort(flags.begin(), flags.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::string out = ".SH OPTIONS\n";
  for (auto& f : flags) {
    std::string head = f.shorthand ? fmt::format("\\fB\\-{}\\fR, \\fB\\-\\-{}\\fR", f.shorthand, roffEscape(f.name))
                                   : fmt::format("\\fB\\-\\-{}\\fR", roffEscape(f.name));
    if (auto type = flagTypeName(f); !type.empty()) head += " \\fI" + type + "\\fR";
    out += ".TP\n" + head + "\n";
    std::string text = f.help.empty() ? "(no description)" : f.help;
    if (!f.default_text.empty() && !std::holds_alternative<bool*>(f.target))
      text += fmt::format(" (default {})", f.default_text);
    out += roffEscape(text) + "\n";
  }
  return out;
}

void addPages(const Command& cmd, const std::string& path, const std::string& prog, const std::string& parent_page,
              const std::vector<Flag>* globals, std::map<std::string, std::string>& pages) {
  std::string page = path.empty() ? prog : prog + "-" + dashed(path);
  std::string shown = path.empty() ? prog : prog + " " + path;
  std::vector<const Command*> subs;
  for (auto& s : cmd.subcommands())
    if (!s->isHidden()) subs.push_back(s.get());
  std::sort(subs.begin(), subs.end(), [](auto* a, auto* b) { return a->name() < b->name(); });

  std::string out = fmt::format(".TH \"{}\" \"1\" \"\" \"berth\" \"User Commands\"\n", upper(page));
  out += ".SH NAME\n" + roffEscape(page) + " \\- " + roffEscape(cmd.shortHelp()) + "\n";
  // The usage line as --help prints it: a group without an action of its own takes a command.
  std::string use = cmd.use();
  std::string args = use.find(' ') == std::string::npos ? "" : use.substr(use.find(' ') + 1);
  if (!cmd.runnable() && !subs.empty()) args = path.empty() ? "[options] [command]" : "[command]";
  out += ".SH SYNOPSIS\n\\fB" + roffEscape(shown) + "\\fR " + roffEscape(args) + "\n";
  out += ".SH DESCRIPTION\n" + paragraphs(cmd.longHelp().empty() ? cmd.shortHelp() : cmd.longHelp());
  if (!cmd.aliasNames().empty()) {
    std::string parent = path.find(' ') == std::string::npos ? prog : prog + " " + path.substr(0, path.rfind(' '));
    out += ".SH ALIASES\n";
    for (auto& a : cmd.aliasNames()) out += ".PP\n\\fB" + roffEscape(parent + " " + a) + "\\fR\n";
  }
  if (!subs.empty()) {
    out += ".SH COMMANDS\n";
    for (auto* s : subs) {
      std::string sub_page = page + "-" + s->name();
      out += ".TP\n\\fB" + roffEscape(s->name()) + "\\fR\n" + roffEscape(s->shortHelp()) + " (\\fB" +
             roffEscape(sub_page) + "\\fR(1))\n";
    }
  }
  if (globals) {
    std::vector<Flag> all = *globals;
    all.push_back(Flag{"help", 0, "Help for " + prog, static_cast<bool*>(nullptr), ""});
    out += optionsSection(all);
  } else {
    out += optionsSection(cmd.flags());
  }
  if (!cmd.examples().empty()) out += ".SH EXAMPLES\n.nf\n" + roffEscape(cmd.examples()) + "\n.fi\n";
  out += ".SH SEE ALSO\n";
  std::vector<std::string> see;
  if (!parent_page.empty()) see.push_back(parent_page);
  if (!path.empty() && parent_page != prog) see.push_back(prog);
  std::string line;
  for (auto& s : see) line += (line.empty() ? "" : ", ") + ("\\fB" + roffEscape(s) + "\\fR(1)");
  out += line.empty() ? "\\fBcontainers.conf\\fR(5)\n" : line + "\n";
  pages[page + ".1"] = std::move(out);
  // An alias's page sources the command's ("man berth-image-ls").
  if (!path.empty()) {
    std::string parent_prefix = page.substr(0, page.size() - cmd.name().size());
    for (auto& a : cmd.aliasNames())
      if (!pages.contains(parent_prefix + a + ".1")) pages[parent_prefix + a + ".1"] = ".so man1/" + page + ".1\n";
  }

  for (auto* s : subs) addPages(*s, path.empty() ? s->name() : path + " " + s->name(), prog, page, nullptr, pages);
}

}  // namespace

std::map<std::string, std::string> manPages(const Command& root, const std::vector<Flag>& globals,
                                            const std::string& prog) {
  std::map<std::string, std::string> pages;
  addPages(root, "", prog, "", &globals, pages);
  return pages;
}

Status writeManPages(const Command& root, const std::vector<Flag>& globals, const std::string& prog,
                     const std::string& dir) {
  TRY(fs::mkdirAll(dir, 0755));
  for (auto& [name, text] : manPages(root, globals, prog)) TRY(fs::writeFileAtomic(dir + "/" + name, text));
  return {};
}

}  // namespace berth::cli

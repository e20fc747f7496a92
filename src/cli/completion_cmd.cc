// Shell completion: cobra's __complete protocol with dynamic names, and the completion scripts.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "cli/command.h"
#include "cli/context.h"
#include "config/host_env.h"
#include "config/registries.h"
#include "copy/resolve.h"

namespace berth::cli {

namespace {

bool isBoolFlag(const Flag& f) { return std::holds_alternative<bool*>(f.target); }

bool hasPrefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// cobra's ShellCompDirective.string().
std::string directiveName(int d) {
  std::vector<std::string> parts;
  if (d & Completion::kError) parts.push_back("ShellCompDirectiveError");
  if (d & Completion::kNoSpace) parts.push_back("ShellCompDirectiveNoSpace");
  if (d & Completion::kNoFileComp) parts.push_back("ShellCompDirectiveNoFileComp");
  if (d & 8) parts.push_back("ShellCompDirectiveFilterFileExt");
  if (d & 16) parts.push_back("ShellCompDirectiveFilterDirs");
  if (parts.empty()) return "ShellCompDirectiveDefault";
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// podman's getPathCompletion: the entries of a directory inside `root` (an
// image's or a container's mounted file system) matching what is typed. The
// typed path is resolved inside the root: links and ".." never leave it.
Completion pathCompletion(const std::string& root, std::string typed) {
  Completion c;
  if (typed.empty()) typed = "/";
  UniqueFd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) return c;
  std::string base;
  auto dir = copy::openIn(rootfd.get(), typed, O_RDONLY | O_DIRECTORY);
  if (!dir.ok()) {
    auto slash = typed.rfind('/');
    base = slash == std::string::npos ? typed : typed.substr(slash + 1);
    typed = slash == std::string::npos ? "" : typed.substr(0, slash + 1);
    dir = copy::openIn(rootfd.get(), typed.empty() ? "/" : typed, O_RDONLY | O_DIRECTORY);
    if (!dir.ok()) return c;
  }
  DIR* d = ::fdopendir(dir->release());
  if (!d) return c;
  struct Entry {
    std::string name;
    bool is_dir;
  };
  std::vector<Entry> entries;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    entries.push_back({n, is_dir});
  }
  ::closedir(d);
  if (entries.empty()) {
    // An empty directory: its name with the slash, and no space after it.
    if (typed.empty() || typed.back() != '/') typed += "/";
    c.items.push_back(typed);
    c.directive = Completion::kNoSpace;
    return c;
  }
  std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.name < b.name; });
  int count = 0;
  for (auto& e : entries) {
    if (!hasPrefix(e.name, base)) continue;
    std::string item = e.name + (e.is_dir ? "/" : "");
    if (e.is_dir) ++count;  // a directory is completed further: no space after it
    ++count;
    c.items.push_back(typed.empty() ? item : typed.back() == '/' ? typed + item : typed + "/" + item);
  }
  if (count > 1) c.directive |= Completion::kNoSpace;
  return c;
}

// Names (and, from two typed characters on, short IDs) of every container.
Completion containerNames(Context& ctx, const std::string& typed) {
  Completion c;
  c.directive = Completion::kNoFileComp;
  auto eng = ctx.engine();
  if (!eng.ok()) return c;
  api::ContainerListRequest req;
  req.all = true;
  auto list = (*eng)->containers().list(req);
  if (!list.ok()) return c;
  for (auto& ct : *list) {
    if (typed.size() > 1 && hasPrefix(ct.id, typed)) c.items.push_back(ct.id.substr(0, 12));
    if (!ct.names.empty() && hasPrefix(ct.names.front(), typed)) c.items.push_back(ct.names.front());
  }
  return c;
}

// Names (and, from two typed characters on, short IDs) of every pod.
Completion podNames(Context& ctx, const std::string& typed) {
  Completion c;
  c.directive = Completion::kNoFileComp;
  auto eng = ctx.engine();
  if (!eng.ok()) return c;
  auto list = (*eng)->pods().list({});
  if (!list.ok()) return c;
  for (auto& p : *list) {
    if (typed.size() > 1 && hasPrefix(p.id, typed)) c.items.push_back(p.id.substr(0, 12));
    if (hasPrefix(p.name, typed)) c.items.push_back(p.name);
  }
  return c;
}

// podman's AutocompleteRegistries: the unqualified-search registries of registries.conf.
Completion registryNames(Context&, const std::string& typed) {
  Completion c;
  c.directive = Completion::kNoFileComp;
  auto conf = config::loadRegistriesConf(config::defaultConfPaths(config::HostEnv::current()));
  if (!conf.ok()) return c;
  for (auto& r : conf->unqualified_search_registries)
    if (hasPrefix(r, typed)) c.items.push_back(r);
  return c;
}

// podman's getImages: full names when nothing is typed, else every suffix of
// each name after a "/" that matches, and short IDs from two characters on.
Completion imageNames(Context& ctx, const std::string& typed) {
  Completion c;
  c.directive = Completion::kNoFileComp;
  auto eng = ctx.engine();
  if (!eng.ok()) return c;
  auto list = (*eng)->images().list(api::ImageListRequest{});
  if (!list.ok()) return c;
  for (auto& img : *list) {
    if (typed.size() > 1 && hasPrefix(img.id, typed)) c.items.push_back(img.id.substr(0, 12));
    for (auto& repo : img.repo_tags) {
      if (hasPrefix(repo, "<none>")) continue;
      if (typed.empty()) {
        c.items.push_back(repo);
        continue;
      }
      for (size_t pos = 0;;) {
        std::string suffix = repo.substr(pos);
        if (hasPrefix(suffix, typed)) c.items.push_back(suffix);
        pos = repo.find('/', pos);
        if (pos == std::string::npos) break;
        ++pos;
      }
    }
  }
  return c;
}

Completion volumeNames(Context& ctx, const std::string& typed) {
  Completion c;
  c.directive = Completion::kNoFileComp;
  auto eng = ctx.engine();
  if (!eng.ok()) return c;
  auto list = (*eng)->volumes().list({});
  if (!list.ok()) return c;
  for (auto& v : *list)
    if (hasPrefix(v.name, typed)) c.items.push_back(v.name);
  return c;
}

Completion networkNames(Context& ctx, const std::string& typed) {
  Completion c;
  c.directive = Completion::kNoFileComp;
  auto eng = ctx.engine();
  if (!eng.ok()) return c;
  auto list = (*eng)->networks().list(api::NetworkListRequest{});
  if (!list.ok()) return c;
  for (auto& n : *list) {
    if (typed.size() > 1 && hasPrefix(n.id, typed)) c.items.push_back(n.id.substr(0, 12));
    if (hasPrefix(n.name, typed)) c.items.push_back(n.name);
  }
  return c;
}

// The argument word of a command's usage line for the positional `index`
// ("CONTAINER", "[IMAGE...]"), the last one repeating when it ends in "...".
std::string usageWord(const Command& cmd, size_t index) {
  std::vector<std::string> words;
  std::string use = cmd.use();
  size_t i = use.find(' ');
  while (i != std::string::npos && i < use.size()) {
    size_t j = use.find(' ', i + 1);
    std::string w = use.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
    if (!w.empty() && w != "[options]") words.push_back(w);
    i = j;
  }
  if (words.empty()) return "";
  if (index < words.size()) return words[index];
  return words.back().find("...") != std::string::npos ? words.back() : "";
}

// Completion by the usage line, as podman's per-command completers mostly do.
Completion byUsage(Context& ctx, const Command& cmd, const std::vector<std::string>& args,
                   const std::string& typed) {
  std::string w = usageWord(cmd, args.size());
  // Every kind the usage word names ("CONTAINER|IMAGE", "CONTAINER|POD"), in that order.
  using Lister = Completion (*)(Context&, const std::string&);
  static const std::pair<const char*, Lister> kKinds[] = {{"CONTAINER", containerNames}, {"POD", podNames},
                                                           {"IMAGE", imageNames}, {"VOLUME", volumeNames},
                                                           {"NETWORK", networkNames}, {"REGISTRY", registryNames}};
  std::optional<Completion> found;
  for (auto& [kind, list] : kKinds) {
    if (w.find(kind) == std::string::npos) continue;
    Completion more = list(ctx, typed);
    if (!found) found = std::move(more);
    else found->items.insert(found->items.end(), more.items.begin(), more.items.end());
  }
  if (found) return *found;
  Completion c;
  // No more arguments: nothing to complete, not even files.
  if (w.empty()) c.directive = Completion::kNoFileComp;
  return c;
}

Flag* findFlag(std::vector<Flag>& flags, std::string_view name, char sh) {
  for (auto& f : flags)
    if ((!name.empty() && f.name == name) || (sh && f.shorthand == sh)) return &f;
  return nullptr;
}

}  // namespace

// podman's AutocompleteCreateRun: images, then paths inside the image.
Completion completeCreateRun(Context& ctx, const std::vector<std::string>& args, const std::string& typed) {
  if (args.empty()) return imageNames(ctx, typed);
  Completion c;
  auto eng = ctx.engine();
  if (!eng.ok()) return c;
  auto root = (*eng)->images().mount(args[0]);
  if (!root.ok()) return c;
  c = pathCompletion(*root, typed);
  (void)(*eng)->images().unmount(args[0], false);
  return c;
}

// podman's AutocompleteCpCommand: "CONTAINER:" (no space after it), then the
// paths inside that container.
Completion completeCp(Context& ctx, const std::vector<std::string>& args, const std::string& typed) {
  Completion c;
  if (args.size() >= 2) {
    c.directive = Completion::kNoFileComp;
    return c;
  }
  if (auto colon = typed.find(':'); colon != std::string::npos) {
    std::string name = typed.substr(0, colon);
    auto eng = ctx.engine();
    if (!eng.ok()) return c;
    auto root = (*eng)->containers().mount(name);
    if (!root.ok()) return c;
    c = pathCompletion(*root, typed.substr(colon + 1));
    (void)(*eng)->containers().unmount(name, false);
    for (auto& i : c.items) i = name + ":" + i;
    return c;
  }
  for (auto& n : containerNames(ctx, typed).items) c.items.push_back(n + ":");
  c.directive = Completion::kNoSpace;
  return c;
}

namespace {

// The fields `--format` templates can name, per command (podman's reports: psReporter,
// imageReporter, define.InspectContainerData, ...). A trailing "." marks a struct. As in
// podman, `inspect` and `system df` complete nothing.
const std::vector<std::string>* formatFields(const std::string& path) {
  static const std::vector<std::string> kPs = {
      "AutoRemove", "Command", "Created", "CreatedAt", "CreatedHuman", "ExitCode", "Exited", "ExitedAt", "ID",
      "Image", "ImageID", "IsInfra", "Labels", "Mounts", "Names", "Namespaces.", "Networks", "Pid", "Pod",
      "PodName", "Ports", "Restarts", "RunningFor", "Size", "StartedAt", "State", "Status"};
  static const std::vector<std::string> kImages = {
      "Containers", "Created", "CreatedAt", "CreatedSince", "CreatedTime", "Dangling", "Digest", "History", "ID",
      "Labels", "Names", "ParentId", "ReadOnly", "RepoDigests", "RepoTags", "Repository", "SharedSize", "Size",
      "Tag", "VirtualSize"};
  static const std::vector<std::string> kContainerInspect = {
      "AppArmorProfile", "Args", "BoundingCaps", "Config.", "ConmonPidFile", "Created", "Dependencies", "Driver",
      "EffectiveCaps", "ExecIDs", "GraphDriver.", "HostConfig.", "HostnamePath", "HostsPath", "ID", "Image",
      "ImageName", "IsInfra", "IsService", "MountLabel", "Mounts", "Name", "Namespace", "NetworkSettings.",
      "OCIConfigPath", "OCIRuntime", "Path", "PidFile", "Pod", "ProcessLabel", "ResolvConfPath", "RestartCount",
      "Rootfs", "State.", "StaticDir"};
  static const std::vector<std::string> kImageInspect = {
      "Annotations", "Architecture", "Author", "Comment", "Config.", "Created", "Digest", "GraphDriver.",
      "History", "ID", "Labels", "ManifestType", "NamesHistory", "Os", "Parent", "RepoDigests", "RepoTags",
      "RootFS.", "Size", "User", "Version", "VirtualSize"};
  static const std::vector<std::string> kHistory = {"Comment", "Created", "CreatedAt", "CreatedBy", "CreatedSince",
                                                    "ID", "Size", "Tags"};
  static const std::vector<std::string> kSearch = {"Automated", "Description", "Index", "Name", "Official", "Stars",
                                                   "Tag"};
  static const std::vector<std::string> kStats = {"AvgCPU", "BlockIO", "CPU", "CPUPerc", "ID", "MemLimit", "MemPerc",
                                                  "MemUsage", "MemUsageBytes", "Name", "NetIO", "PIDS", "UpTime"};
  static const std::vector<std::string> kPodStats = {"BlockIO", "CID", "CPU", "Mem", "MemUsage", "MemUsageBytes",
                                                     "Name", "NetIO", "PIDS", "Pod"};
  static const std::vector<std::string> kEvents = {"Attributes", "ContainerExitCode", "ID", "Image", "Name",
                                                   "Network", "PodID", "Status", "Time", "TimeNano", "Type"};
  static const std::vector<std::string> kInfo = {"Host.", "Plugins.", "Registries", "Store.", "Version."};
  static const std::vector<std::string> kVersion = {"Client.", "Server."};
  static const std::vector<std::string> kNetwork = {"Created", "DNSEnabled", "Driver", "ID", "IPAMOptions",
                                                    "IPv6Enabled", "Internal", "Labels", "Name", "NetworkInterface",
                                                    "Options", "Subnets"};
  static const std::vector<std::string> kPodInspect = {
      "CgroupParent", "CgroupPath", "Containers", "CreateCgroup", "CreateCommand", "CreateInfra", "Created",
      "ExitPolicy", "Hostname", "ID", "InfraConfig.", "InfraContainerID", "Labels", "Name", "Namespace",
      "NumContainers", "SharedNamespaces", "State"};
  static const std::vector<std::string> kPodPs = {"Cgroup", "ContainerIds", "ContainerNames", "ContainerStatuses",
                                                  "Created", "ID", "InfraID", "Labels", "Name", "Namespace",
                                                  "Networks", "NumberOfContainers", "Status"};
  static const std::vector<std::string> kSecretInspect = {"CreatedAt", "ID", "Spec.", "UpdatedAt"};
  static const std::vector<std::string> kConnections = {"Default", "Identity", "Name", "URI"};
  static const std::vector<std::string> kVolume = {"Anonymous", "CreatedAt", "Driver", "GID", "Labels",
                                                   "MountCount", "Mountpoint", "Name", "NeedsChown", "NeedsCopyUp",
                                                   "Options", "Scope", "Status", "UID"};
  static const std::map<std::string, const std::vector<std::string>*> kByCommand = {
      {"ps", &kPs}, {"container list", &kPs}, {"container ps", &kPs},
      {"images", &kImages}, {"image list", &kImages},
      {"container inspect", &kContainerInspect},
      {"image inspect", &kImageInspect},
      {"history", &kHistory}, {"image history", &kHistory},
      {"search", &kSearch}, {"image search", &kSearch},
      {"stats", &kStats}, {"container stats", &kStats}, {"pod stats", &kPodStats},
      {"events", &kEvents}, {"system events", &kEvents},
      {"info", &kInfo}, {"system info", &kInfo}, {"version", &kVersion}, {"system version", &kVersion},
      {"network inspect", &kNetwork}, {"network ls", &kNetwork}, {"network list", &kNetwork},
      {"pod inspect", &kPodInspect}, {"pod ps", &kPodPs},
      {"secret inspect", &kSecretInspect}, {"secret ls", &kSecretInspect},
      {"system connection list", &kConnections}, {"system connection ls", &kConnections},
      {"volume inspect", &kVolume}, {"volume ls", &kVolume}, {"volume list", &kVolume}};
  auto it = kByCommand.find(path);
  return it == kByCommand.end() ? nullptr : it->second;
}

}  // namespace


int runCompletion(Context& ctx, Command& root, std::vector<std::string> args, bool descriptions) {
  std::string typed = args.empty() ? "" : args.back();
  if (!args.empty()) args.pop_back();
  Command* cur = &root;
  std::vector<std::string> positional;
  std::vector<Flag> local;  // copies: completion only looks at their names and kinds
  Flag* pending = nullptr;
  bool pending_global = false, flags_done = false;
  std::string path;  // canonical names of the commands walked, "container list"
  for (auto& a : args) {
    if (pending) {
      if (pending_global) (void)setFlag(*pending, a, true);
      pending = nullptr;
      continue;
    }
    if (!flags_done && a == "--") {
      flags_done = true;
      continue;
    }
    if (!flags_done && a.size() > 1 && a[0] == '-' && !(positional.size() && !cur->runnable())) {
      bool long_form = a[1] == '-';
      std::string name = long_form ? a.substr(2) : "";
      std::string value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      char sh = long_form ? 0 : a[1];
      if (!long_form && a.size() > 2) has_value = true;  // -xVALUE or combined booleans
      local = cur->flags();
      Flag* f = findFlag(local, name, sh);
      bool global = false;
      if (!f) {
        f = findFlag(ctx.globals(), name, sh);
        global = f != nullptr;
      }
      if (f && global && has_value) (void)setFlag(*f, long_form ? value : a.substr(2), true);
      if (f && !isBoolFlag(*f) && !has_value) {
        pending = f;
        pending_global = global;
      }
      continue;
    }
    if (positional.empty())
      if (Command* sub = cur->find(a)) {
        cur = sub;
        path += (path.empty() ? "" : " ") + sub->name();
        continue;
      }
    positional.push_back(a);
  }

  Completion c;
  if (pending) {
    // A flag's value: the Go template fields of --format; nothing else is suggested
    // (podman has per-flag lists we do not keep).
    c.directive = 0;
    if (pending->name == "format") {
      c.directive = Completion::kNoFileComp;
      if (const auto* fields = formatFields(path); fields && hasPrefix(typed, "{{")) {
        for (auto& field : *fields) {
          // podman's AutocompleteFormat: a struct field ends in "." to go on with.
          std::string item = "{{." + field + (field.ends_with('.') ? "" : "}}");
          if (hasPrefix(item, typed)) c.items.push_back(item);
        }
        c.directive |= Completion::kNoSpace;
      }
    }
  } else if (!flags_done && hasPrefix(typed, "-")) {
    auto add = [&](const Flag& f) {
      if (f.hidden) return;
      std::string long_name = "--" + f.name;
      if (hasPrefix(long_name, typed)) c.items.push_back(long_name + "\t" + f.help);
      if (f.shorthand && typed.size() < 2) c.items.push_back(std::string("-") + f.shorthand + "\t" + f.help);
    };
    for (auto& f : cur->flags()) add(f);
    for (auto& f : ctx.globals()) add(f);
    if (!findFlag(local = cur->flags(), "help", 0) && !findFlag(ctx.globals(), "help", 0) && hasPrefix("--help", typed))
      c.items.push_back("--help\thelp for " + cur->name());
    c.directive = Completion::kNoFileComp;
  } else if (!cur->subcommands().empty() && positional.empty()) {
    for (auto& s : cur->subcommands())
      if (!s->isHidden() && hasPrefix(s->name(), typed)) c.items.push_back(s->name() + "\t" + s->shortHelp());
    c.directive = Completion::kNoFileComp;
  } else {
    if (auto s = ctx.applyGlobals(); !s.ok()) {
      ctx.err(fmt::format("[Debug] [Error] {}\n", s.error().what()));
    } else if (cur->completer()) {
      c = cur->completer()(ctx, positional, typed);
    } else {
      c = byUsage(ctx, *cur, positional, typed);
    }
  }
  std::string out;
  for (auto& item : c.items) {
    std::string line = item;
    if (!descriptions) line = line.substr(0, line.find('\t'));
    out += line + "\n";
  }
  out += fmt::format(":{}\n", c.directive);
  ctx.out(out);
  ctx.err(fmt::format("Completion ended with directive: {}\n", directiveName(c.directive)));
  return 0;
}

namespace {

// The scripts ask the program for candidates through __complete, as cobra's do.
std::string bashScript(const std::string& p, bool desc) {
  std::string cmd = desc ? "__complete" : "__completeNoDesc";
  return fmt::format(R"SH(# bash completion for {0}
_{0}_complete() {{
    local cur words cword out directive
    COMPREPLY=()
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    out=$("${{COMP_WORDS[0]}}" {1} "${{COMP_WORDS[@]:1:COMP_CWORD}}" 2>/dev/null)
    directive=${{out##*:}}
    out=${{out%:*}}
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$(printf '%s\n' "$out" | cut -f1)" -- "$cur"))
    if (( directive & 2 )); then compopt -o nospace 2>/dev/null; fi
    if (( ${{#COMPREPLY[@]}} == 0 )) && (( (directive & 4) == 0 )); then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o default -F _{0}_complete {0}
)SH",
                     p, cmd);
}

std::string zshScript(const std::string& p, bool desc) {
  std::string cmd = desc ? "__complete" : "__completeNoDesc";
  return fmt::format(R"SH(#compdef {0}
# zsh completion for {0}
_{0}() {{
    local -a lines items
    local out directive
    out=$("${{words[1]}}" {1} "${{(@)words[2,$CURRENT]}}" 2>/dev/null)
    lines=("${{(@f)out}}")
    directive=${{lines[-1]#:}}
    items=("${{(@)lines[1,-2]}}")
    items=("${{(@)items//:/\\:}}")
    items=("${{(@)items//$'\t'/:}}")
    if (( ${{#items}} )); then
        if (( directive & 2 )); then _describe -t values 'completions' items -S ''
        else _describe -t values 'completions' items; fi
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}}
compdef _{0} {0}
)SH",
                     p, cmd);
}

std::string fishScript(const std::string& p, bool desc) {
  std::string cmd = desc ? "__complete" : "__completeNoDesc";
  return fmt::format(R"SH(# fish completion for {0}
function __{0}_complete
    set -l args (commandline -opc) (commandline -ct)
    set -e args[1]
    set -l out ({0} {1} $args 2>/dev/null)
    set -l directive (string replace -r '^:' '' -- $out[-1])
    for line in $out[1..-2]
        echo $line
    end
    if test (count $out) -le 1; and test (math "$directive % 8 - $directive % 4") -eq 0
        __fish_complete_path (commandline -ct)
    end
end
complete -c {0} -f -a '(__{0}_complete)'
)SH",
                     p, cmd);
}

std::string powershellScript(const std::string& p, bool desc) {
  std::string cmd = desc ? "__complete" : "__completeNoDesc";
  return fmt::format(R"SH(# powershell completion for {0}
Register-ArgumentCompleter -CommandName '{0}' -ScriptBlock {{
    param($WordToComplete, $CommandAst, $CursorPosition)
    $words = $CommandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object {{ "$_" }}
    if ($WordToComplete -eq '') {{ $words += '""' }}
    $out = & '{0}' {1} @words 2>$null
    $out | Where-Object {{ $_ -notlike ':*' }} | ForEach-Object {{
        $parts = $_ -split "`t", 2
        $desc = if ($parts.Count -gt 1 -and $parts[1]) {{ $parts[1] }} else {{ $parts[0] }}
        [System.Management.Automation.CompletionResult]::new($parts[0], $parts[0], 'ParameterValue', $desc)
    }}
}}
)SH",
                     p, cmd);
}

}  // namespace

std::unique_ptr<Command> completionCommand(const std::string& prog) {
  struct O {
    std::string file;
    bool no_desc = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("completion [options] {bash|zsh|fish|powershell}",
                                     "Generate shell autocompletions");
  // Not in the command list of --help, as podman's.
  c->hidden().description(
       "Generate shell autocompletions.\n  Valid arguments are bash, zsh, fish and powershell.\n  Please refer to "
       "the man page to see how you can load these completions.")
      .args(1, 1)
      .flag("file", 'f', &o->file, "Output the completion to file rather than stdout.")
      .flag("no-desc", 0, &o->no_desc, "Don't include descriptions in the completion output.")
      .completeArgs([](Context&, const std::vector<std::string>& args, const std::string& typed) {
        Completion c;
        c.directive = Completion::kNoFileComp;
        if (args.empty())
          for (const char* s : {"bash", "zsh", "fish", "powershell"})
            if (hasPrefix(s, typed)) c.items.push_back(s);
        return c;
      })
      .run([o, prog](Context& ctx, const std::vector<std::string>& args) {
        std::string script;
        bool desc = !o->no_desc;
        if (args[0] == "bash") script = bashScript(prog, desc);
        else if (args[0] == "zsh") script = zshScript(prog, desc);
        else if (args[0] == "fish") script = fishScript(prog, desc);
        else if (args[0] == "powershell") script = powershellScript(prog, desc);
        else
          return ctx.fail(Error(Code::kInvalidArgument,
                                fmt::format("invalid argument \"{}\" for \"{} completion\"", args[0], prog)));
        if (o->file.empty() || o->file == "-") {
          ctx.out(script);
          return 0;
        }
        std::ofstream f(o->file, std::ios::trunc);
        f << script;
        if (!f.flush())
          return ctx.fail(Error(Code::kInternal, fmt::format("write completion script to {}: failed", o->file)));
        return 0;
      });
  return c;
}

}  // namespace berth::cli

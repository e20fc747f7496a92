// Image commands: images, inspect, rmi, tag, untag, history, load, save, import, prune, exists, tree.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/timefmt.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

using api::ImageSummary;

std::string repoOf(const std::string& name) {
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return name.substr(0, colon);
  return name;
}

std::string tagOf(const std::string& name) {
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return name.substr(colon + 1);
  return "<none>";
}

std::string agoText(int64_t unix_seconds) {
  int64_t now = nowNanos() / 1000000000;
  return humanDuration(now - unix_seconds) + " ago";
}

// --- images -----------------------------------------------------------------

struct ImagesOpts {
  bool all = false, quiet = false, digests = false, no_trunc = false, noheading = false;
  std::vector<std::string> filters;
  std::string format, sort = "created";
};

Json summaryJson(const ImageSummary& s) {
  Json j;
  j["Id"] = s.id;
  j["ParentId"] = s.parent_id;
  j["RepoTags"] = nullptr;  // podman's CLI prints null here; Names carries the tags.
  j["RepoDigests"] = s.repo_digests;
  j["Size"] = s.size;
  j["SharedSize"] = s.shared_size;
  j["VirtualSize"] = s.size;
  if (s.labels.empty()) j["Labels"] = nullptr;
  else
    for (auto& [k, v] : s.labels) j["Labels"][k] = v;
  j["Containers"] = s.containers;
  if (s.read_only) j["ReadOnly"] = true;
  if (s.dangling) j["Dangling"] = true;
  j["Names"] = s.names.empty() ? Json(nullptr) : Json(s.names);
  j["Digest"] = s.digest;
  j["History"] = s.history.empty() ? Json(nullptr) : Json(s.history);
  j["Created"] = s.created;
  j["CreatedAt"] = formatRfc3339Nano(s.created * 1000000000);
  return j;
}

int runImages(Context& ctx, ImagesOpts& o, const std::vector<std::string>& args) {
  auto eng = ctx.engine();
  if (!eng.ok()) return ctx.fail(eng.error());
  api::ImageListRequest req;
  req.all = o.all;
  req.filters = o.filters;
  if (!args.empty()) req.filters.push_back("reference=" + args[0]);
  auto list = (*eng)->images().list(req);
  if (!list.ok()) return ctx.fail(list.error());
  auto& images = *list;
  static const std::set<std::string> kSorts = {"created", "id", "repository", "size", "tag"};
  if (!kSorts.count(o.sort))
    return ctx.fail(makeError(Code::kInvalidArgument,
                              "invalid option for --sort, options are: [created id repository size tag]"));
  // Rows (one per name) are sorted, not images: an image's names sort apart.
  struct Row {
    const ImageSummary* img;
    std::string name;
  };
  std::vector<Row> order;
  for (auto& s : images) {
    if (s.names.empty()) order.push_back({&s, ""});
    for (auto& n : s.names) order.push_back({&s, n});
  }
  std::stable_sort(order.begin(), order.end(), [&](const Row& a, const Row& b) {
    if (o.sort == "id") return a.img->id < b.img->id;
    if (o.sort == "size") return a.img->size < b.img->size;
    if (o.sort == "repository") {
      std::string x = a.name.empty() ? "<none>" : repoOf(a.name), y = b.name.empty() ? "<none>" : repoOf(b.name);
      if (x != y) return x < y;
      return tagOf(a.name) < tagOf(b.name);
    }
    if (o.sort == "tag") return (a.name.empty() ? "<none>" : tagOf(a.name)) < (b.name.empty() ? "<none>" : tagOf(b.name));
    return a.img->created > b.img->created;
  });
  if (isJsonFormat(o.format)) {
    Json arr = Json::array();
    std::set<std::string> seen;
    for (auto& row : order)
      if (seen.insert(row.img->id).second) arr.push_back(summaryJson(*row.img));
    ctx.out(Context::jsonIndent(arr, 4) + "\n");
    return 0;
  }
  if (o.quiet && o.format.empty()) {
    std::set<std::string> seen;
    for (auto& row : order) {
      if (!seen.insert(row.img->id).second) continue;
      ctx.out((o.no_trunc ? "sha256:" + row.img->id : shortId(row.img->id)) + "\n");
    }
    return 0;
  }
  std::vector<Json> rows;
  for (auto& row : order) {
    const ImageSummary& s = *row.img;
    const std::string& n = row.name;
    {
      Json r;
      r["ID"] = o.no_trunc ? "sha256:" + s.id : shortId(s.id);
      r["Id"] = s.id;
      r["Repository"] = n.empty() ? "<none>" : repoOf(n);
      r["Tag"] = n.empty() ? "<none>" : tagOf(n);
      r["Digest"] = s.digest;
      r["Created"] = agoText(s.created);
      r["CreatedSince"] = agoText(s.created);
      r["CreatedAt"] = formatGoTime(s.created * 1000000000);
      r["CreatedTime"] = formatGoTime(s.created * 1000000000);
      r["Size"] = humanSize(double(s.size));
      r["VirtualSize"] = humanSize(double(s.size));
      r["SharedSize"] = humanSize(double(s.shared_size));
      r["ReadOnly"] = s.read_only;
      r["IsReadOnly"] = s.read_only;
      r["Dangling"] = s.dangling;
      r["Containers"] = s.containers;
      r["Names"] = s.names;
      r["RepoTags"] = s.names;
      r["RepoDigests"] = s.repo_digests;
      r["ParentId"] = s.parent_id;
      r["History"] = fmt::format("{}", fmt::join(s.history, ", "));
      Json labels = Json::object();
      for (auto& [k, v] : s.labels) labels[k] = v;
      r["Labels"] = labels;
      rows.push_back(std::move(r));
    }
  }
  std::string def = o.digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"
                              : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}";
  std::string fmt_ = o.format;
  if (o.quiet) fmt_ = "{{.ID}}";
  return printRows(ctx, fmt_, def, rows,
                   {{"ID", "IMAGE ID"}, {"Created", "CREATED"}, {"CreatedSince", "CREATED"},
                    {"CreatedAt", "CREATED AT"}, {"Size", "SIZE"}, {"Digest", "DIGEST"},
                    {"Repository", "REPOSITORY"}, {"Tag", "TAG"}},
                   o.noheading);
}

std::unique_ptr<Command> imagesCommand(std::string use, std::vector<std::string> aliases) {
  auto o = std::make_shared<ImagesOpts>();
  auto c = std::make_unique<Command>(std::move(use), "List images in local storage");
  c->aliases(std::move(aliases)).args(0, 1)
      .description("Lists images previously pulled to the system or created on the system.")
      .flag("all", 'a', &o->all, "Show all images (default hides intermediate images)")
      .flag("digests", 0, &o->digests, "Show digests")
      .sliceFlag("filter", 'f', &o->filters, "Filter output based on conditions provided (default [])")
      .flag("format", 0, &o->format, "Change the output format to JSON or a Go template")
      .flag("noheading", 'n', &o->noheading, "Do not print column headings")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate output")
      .flag("quiet", 'q', &o->quiet, "Display only image IDs")
      .flag("sort", 0, &o->sort, "Sort by created, id, repository, size, tag")
      .run([o](Context& ctx, const std::vector<std::string>& a) { return runImages(ctx, *o, a); });
  return c;
}

// --- inspect ----------------------------------------------------------------


std::unique_ptr<Command> imageInspectCommand() {
  auto format = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("inspect [options] IMAGE [IMAGE...]", "Display the configuration of an image");
  c->args(1, -1)
      .description("Displays the low-level information of an image identified by name or ID.")
      .flag("format", 'f', format.get(), "Format the output to a Go template or json")
      .run([format](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        Json arr = Json::array();
        int rc = 0;
        std::vector<std::string> errors;
        for (auto& a : args) {
          auto j = (*eng)->images().inspect(a);
          if (!j.ok()) {
            if (j.error().code() != Code::kNotFound) return ctx.fail(j.error());
            errors.push_back("no such image " + a);
            rc = kExitEngineError;
            continue;
          }
          arr.push_back(*j);
        }
        if (format->empty() || isJsonFormat(*format)) {
          ctx.out(Context::jsonIndent(arr, 5) + "\n");
        } else {
          for (auto& j : arr)
            if (int r = printTemplate(ctx, inspectFormat(*format, true), j); r != 0) return r;
        }
        // podman: the first error is returned ("Error: inspecting object: ..."), the rest printed before it.
        for (size_t i = 1; i < errors.size(); ++i) ctx.err("error inspecting object: " + errors[i] + "\n");
        if (!errors.empty()) ctx.err("Error: inspecting object: " + errors[0] + "\n");
        return rc;
      });
  return c;
}

// --- rmi --------------------------------------------------------------------

std::unique_ptr<Command> rmiCommand(std::string use, std::vector<std::string> aliases) {
  struct O {
    bool all = false, force = false, ignore = false, no_prune = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Remove one or more images from local storage");
  c->aliases(std::move(aliases))
      .description("Removes one or more previously pulled or locally created images.")
      .flag("all", 'a', &o->all, "Remove all images")
      .flag("force", 'f', &o->force, "Force Removal of the image")
      .flag("ignore", 'i', &o->ignore, "Ignore errors if a specified image does not exist")
      .flag("no-prune", 0, &o->no_prune, "Do not remove dangling images")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        if (args.empty() && !o->all)
          return ctx.fail(makeError(Code::kInvalidArgument, "image name or ID must be specified"));
        if (!args.empty() && o->all)
          return ctx.fail(makeError(Code::kInvalidArgument, "when using the --all switch, you may not pass any images names or IDs"));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        api::ImageRemoveRequest req{args, o->all, o->force, o->ignore};
        auto rep = (*eng)->images().remove(req);
        if (!rep.ok()) return ctx.fail(rep.error());
        for (auto& u : rep->untagged) ctx.out("Untagged: " + u + "\n");
        for (auto& d : rep->deleted) ctx.out("Deleted: " + d + "\n");
        RemoveExitCode rc(RemoveExitCode::Kind::kImage);
        std::vector<std::string> errs;
        for (auto& e : rep->errors) {
          // podman: with --force an image that does not exist is no error.
          if (o->force && e.code() == Code::kNotFound) continue;
          errs.push_back(e.what());
          rc.add(e);
        }
        if (!errs.empty()) ctx.err("Error: " + joinErrors(errs) + "\n");
        return rc.code();
      });
  return c;
}

// --- tag / untag ------------------------------------------------------------

std::unique_ptr<Command> tagCommand(std::string use) {
  auto c = std::make_unique<Command>(std::move(use), "Add an additional name to a local image");
  c->args(2, -1)
      .description("Adds one or more additional names to locally-stored image.")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto s = (*eng)->images().tag(args[0], {args.begin() + 1, args.end()});
        return s.ok() ? 0 : ctx.fail(s.error());
      });
  return c;
}

std::unique_ptr<Command> untagCommand(std::string use) {
  auto c = std::make_unique<Command>(std::move(use), "Remove a name from a local image");
  c->args(1, -1)
      .description("Removes one or more names from a locally-stored image.")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto s = (*eng)->images().untag(args[0], {args.begin() + 1, args.end()});
        return s.ok() ? 0 : ctx.fail(s.error());
      });
  return c;
}

// --- history ----------------------------------------------------------------

std::unique_ptr<Command> historyCommand(std::string use) {
  struct O {
    bool human = true, no_trunc = false, quiet = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Show history of a specified image");
  c->args(1, 1)
      .description("Displays the history of an image.")
      .flag("format", 0, &o->format, "Change the output to JSON or a Go template")
      .flag("human", 'H', &o->human, "Display sizes and dates in human readable format")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate the output")
      .flag("quiet", 'q', &o->quiet, "Display the numeric IDs only")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto hist = (*eng)->images().history(args[0]);
        if (!hist.ok()) return ctx.fail(hist.error());
        if (isJsonFormat(o->format)) {
          Json arr = Json::array();
          for (auto& h : *hist)
            arr.push_back(Json{{"id", h.id},
                               {"created", formatRfc3339Nano(h.created * 1000000000)},
                               {"CreatedBy", h.created_by},
                               {"size", h.size},
                               {"comment", h.comment},
                               {"tags", h.tags.empty() ? Json(nullptr) : Json(h.tags)}});
          ctx.out(Context::jsonIndent(arr, 4) + "\n");
          return 0;
        }
        std::vector<Json> rows;
        for (auto& h : *hist) {
          Json r;
          std::string id = h.id == "<missing>" ? h.id : (o->no_trunc ? "sha256:" + h.id : shortId(h.id));
          r["ID"] = id;
          r["Created"] = o->human ? agoText(h.created) : formatRfc3339Nano(h.created * 1000000000);
          r["CreatedSince"] = r["Created"];
          r["CreatedAt"] = formatGoTime(h.created * 1000000000);  // Go's time.Time String(), as images
          std::string by = h.created_by;
          if (!o->no_trunc && by.size() > 45) by = by.substr(0, 42) + "...";
          r["CreatedBy"] = by;
          r["Size"] = o->human ? humanSize(double(h.size)) : std::to_string(h.size);
          r["Comment"] = h.comment;
          r["Tags"] = h.tags;
          rows.push_back(r);
        }
        std::string f = o->quiet ? "{{.ID}}" : o->format;
        return printRows(ctx, f, "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}", rows,
                         {{"CreatedBy", "CREATED BY"}}, false);
      });
  return c;
}

// --- load / save / import ---------------------------------------------------

std::unique_ptr<Command> loadCommand(std::string use) {
  struct O {
    std::string input;
    bool quiet = false;
    std::string signature_policy;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Load image(s) from a tar archive");
  c->args(0, 0)
      .description("Loads an image from a locally stored archive (tar file) into container storage.")
      .flag("input", 'i', &o->input, "Read from specified archive file (default: stdin)")
      .flag("quiet", 'q', &o->quiet, "Suppress the output")
      .hiddenFlag("signature-policy", &o->signature_policy)
      .run([o](Context& ctx, const std::vector<std::string>&) {
        if ((o->input.empty() || o->input == "-") && ctx.stdinIsTerminal())
          return ctx.fail(makeError(Code::kInvalidArgument,
                                    "cannot read from terminal, use command-line redirection or the --input flag"));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        api::ImageLoadRequest req;
        req.input = o->input;
        req.quiet = o->quiet;
        if (!o->quiet && ::isatty(2)) {
          ctx.err("Getting image source signatures\n");
          req.progress = [&ctx](const std::string& line) { ctx.err(line + "\n"); };
        }
        auto rep = (*eng)->images().load(req);
        if (!rep.ok()) return ctx.fail(rep.error());
        for (auto& n : rep->names) ctx.out("Loaded image: " + n + "\n");
        return 0;
      });
  return c;
}

std::unique_ptr<Command> saveCommand(std::string use) {
  struct O {
    std::string output, format = "docker-archive";
    bool compress = false, quiet = false, multi = false, uncompressed = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Save image(s) to an archive");
  c->args(1, -1)
      .description("Save an image to docker-archive or oci-archive on the local machine.")
      .flag("compress", 0, &o->compress, "Compress tarball image layers when saving to a directory using the 'dir' transport. (default is same compression type as source)")
      .flag("format", 0, &o->format, "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive, docker-dir (directory with v2s2 manifest type)")
      .flag("multi-image-archive", 'm', &o->multi, "Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)")
      .flag("output", 'o', &o->output, "Write to a specified file (default: stdout, which must be redirected)")
      .flag("quiet", 'q', &o->quiet, "Suppress the output")
      .flag("uncompressed", 0, &o->uncompressed, "Accept uncompressed layers when copying OCI images")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        if (o->output.empty() && ctx.stdoutIsTerminal())
          return ctx.fail(makeError(Code::kInvalidArgument, "refusing to save to terminal. Use -o flag or redirect"));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        api::ImageSaveRequest req{args, o->output, o->format, o->compress, o->uncompressed};
        auto s = (*eng)->images().save(req);
        return s.ok() ? 0 : ctx.fail(s.error());
      });
  return c;
}

std::unique_ptr<Command> importCommand(std::string use) {
  struct O {
    std::vector<std::string> changes;
    std::string message, os, arch, variant;
    bool quiet = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Import a tarball to create a filesystem image");
  c->args(1, 2)
      .description("Create a container image from the contents of the specified tarball (.tar, .tar.gz, .tgz, .bzip, .tar.xz, .txz).")
      .flag("change", 'c', &o->changes, "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR")
      .flag("message", 'm', &o->message, "Set commit message for imported image")
      .flag("os", 0, &o->os, "Set the OS of the imported image")
      .flag("arch", 0, &o->arch, "Set the architecture of the imported image")
      .flag("variant", 0, &o->variant, "Set the variant of the imported image")
      .flag("quiet", 'q', &o->quiet, "Suppress output")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        if (args[0] == "-" && ctx.stdinIsTerminal())
          return ctx.fail(makeError(Code::kInvalidArgument, "cannot read from terminal, use command-line redirection"));
        if (auto p = args[0].find("://"); p != std::string::npos && !args[0].starts_with("http://") && !args[0].starts_with("https://"))
          return ctx.fail(makeError(Code::kInvalidArgument, "import {}: only http:// and https:// URLs can be imported", args[0]));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        api::ImageImportRequest req;
        req.source = args[0];
        if (args.size() > 1) req.reference = args[1];
        req.changes = o->changes;
        req.message = o->message;
        req.os = o->os;
        req.arch = o->arch;
        req.variant = o->variant;
        auto id = (*eng)->images().import(req);
        if (!id.ok()) return ctx.fail(id.error());
        ctx.out(*id + "\n");
        return 0;
      });
  return c;
}

// --- prune / exists / tree --------------------------------------------------

std::unique_ptr<Command> pruneCommand() {
  struct O {
    bool all = false, force = false, external = false;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("prune [options]", "Remove unused images");
  c->args(0, 0)
      .description("Removes dangling or unused images from local storage.")
      .flag("all", 'a', &o->all, "Remove all images not in use by containers, not just dangling ones")
      .flag("external", 0, &o->external, "Remove images even when they are used by external containers (e.g., by build containers)")
      .flag("filter", 0, &o->filters, "Provide filter values (e.g. 'label=<key>=<value>')")
      .flag("force", 'f', &o->force, "Do not prompt for confirmation")
      .run([o](Context& ctx, const std::vector<std::string>&) {
        if (!o->force) {
          ctx.out(o->all ? "WARNING! This command removes all images without at least one container associated with them.\n"
                         : "WARNING! This command removes all dangling images.\n");
          ctx.out("Are you sure you want to continue? [y/N] ");
          char buf[16] = {};
          ssize_t n = ::read(0, buf, sizeof buf - 1);
          if (n <= 0 || (buf[0] != 'y' && buf[0] != 'Y')) return 0;
        }
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto rep = (*eng)->images().prune(api::ImagePruneRequest{o->all, o->filters});
        if (!rep.ok()) return ctx.fail(rep.error());
        for (auto& [id, size] : *rep) ctx.out(id + "\n");
        return 0;
      });
  return c;
}

std::unique_ptr<Command> existsCommand() {
  auto c = std::make_unique<Command>("exists IMAGE", "Check if an image exists in local storage");
  c->args(1, 1)
      .description("If the named image exists in local storage, podman image exists exits with 0, otherwise the exit code will be 1.")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto r = (*eng)->images().exists(args[0]);
        if (!r.ok()) return ctx.fail(r.error());
        return *r ? 0 : 1;
      });
  return c;
}

std::unique_ptr<Command> treeCommand() {
  auto whatrequires = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("tree [options] IMAGE", "Print layer hierarchy of an image in a tree format");
  c->args(1, 1)
      .description("Prints layer hierarchy of an image in a tree format")
      .flag("whatrequires", 0, whatrequires.get(), "Show all child images and layers of the specified image")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto t = (*eng)->images().tree(args[0]);
        if (!t.ok()) return ctx.fail(t.error());
        auto mb = [](int64_t n) {
          std::string s = humanSize(double(n));
          s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
          return s;
        };
        std::string out = fmt::format("Image ID: {}\nTags:     [{}]\nSize:     {}\nImage Layers\n", shortId(t->id),
                                      fmt::join(t->tags, " "), mb(t->size));
        for (size_t i = 0; i < t->layers.size(); ++i) {
          auto& l = t->layers[i];
          out += fmt::format("{} ID: {} Size: {}", i + 1 == t->layers.size() ? "└──" : "├──", shortId(l.id), mb(l.size));
          if (!l.top_of.empty()) out += fmt::format(" Top Layer of: [{}]", fmt::join(l.top_of, " "));
          out += "\n";
        }
        ctx.out(out + "\n");
        return 0;
      });
  return c;
}

}  // namespace

void addImageCommands(Command& root) {
  root.add(imagesCommand("images [options] [IMAGE]", {}));
  root.add(rmiCommand("rmi [options] IMAGE [IMAGE...]", {}));
  root.add(tagCommand("tag IMAGE TARGET_NAME [TARGET_NAME...]"));
  root.add(untagCommand("untag IMAGE [IMAGE...]"));
  root.add(historyCommand("history [options] IMAGE"));
  root.add(loadCommand("load [options]"));
  root.add(saveCommand("save [options] IMAGE [IMAGE...]"));
  root.add(importCommand("import [options] PATH [REFERENCE]"));

  auto image = std::make_unique<Command>("image", "Manage images");
  image->description("Manage images");
  image->add(imagesCommand("list [options] [IMAGE]", {"ls"}));
  image->add(rmiCommand("rm [options] IMAGE [IMAGE...]", {"remove"}));
  image->add(tagCommand("tag IMAGE TARGET_NAME [TARGET_NAME...]"));
  image->add(untagCommand("untag IMAGE [IMAGE...]"));
  image->add(historyCommand("history [options] IMAGE"));
  image->add(loadCommand("load [options]"));
  image->add(saveCommand("save [options] IMAGE [IMAGE...]"));
  image->add(importCommand("import [options] PATH [REFERENCE]"));
  image->add(imageInspectCommand());
  image->add(pruneCommand());
  image->add(existsCommand());
  image->add(treeCommand());
  image->add(trustCommand());
  root.add(std::move(image));
}

std::unique_ptr<Command> topLevelInspect() {
  struct O {
    std::string format, type = "all";
    bool size = false, latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] {CONTAINER|IMAGE} [...]", "Display the configuration of object denoted by ID");
  c->description("Displays the low-level information on an object identified by name or ID.")
      .flag("format", 'f', &o->format, "Format the output to a Go template or json")
      .flag("type", 't', &o->type, "Specify inspect-object type (\"image\", \"container\" or \"all\")")
      .flag("size", 's', &o->size, "Display total file size")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        if (o->type != "all" && o->type != "image" && o->type != "container")
          return ctx.fail(makeError(Code::kInvalidArgument, "invalid type {:?}: must be 'container', 'image' or 'all'", o->type));
        if (o->latest && !args.empty())
          return ctx.fail(makeError(Code::kInvalidArgument, "--latest and arguments cannot be used together"));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = (*eng)->containers().latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        if (names.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "no names or ids specified"));
        Json arr = Json::array();
        std::vector<std::string> errors;
        for (auto& n : names) {
          if (o->type != "image") {
            auto j = (*eng)->containers().inspect(n, o->size);
            if (j.ok()) {
              arr.push_back(*j);
              continue;
            }
            if (j.error().code() != Code::kNotFound) return ctx.fail(j.error());
          }
          if (o->type != "container") {
            auto j = (*eng)->images().inspect(n);
            if (j.ok()) {
              arr.push_back(*j);
              continue;
            }
            if (j.error().code() != Code::kNotFound) return ctx.fail(j.error());
          }
          errors.push_back(o->type == "all" ? "no such object: \"" + n + "\"" : "no such " + o->type + " " + n);
        }
        if (o->format.empty() || isJsonFormat(o->format)) {
          ctx.out(Context::jsonIndent(arr, 5) + "\n");
        } else {
          for (auto& j : arr)
            if (int r = printTemplate(ctx, inspectFormat(o->format, o->type == "image"), j); r != 0) return r;
        }
        // podman: the first error is returned ("Error: inspecting object: ..."), the rest printed before it.
        for (size_t i = 1; i < errors.size(); ++i) ctx.err("error inspecting object: " + errors[i] + "\n");
        if (!errors.empty()) ctx.err("Error: inspecting object: " + errors[0] + "\n");
        return errors.empty() ? 0 : kExitEngineError;
      });
  return c;
}

}  // namespace berth::cli

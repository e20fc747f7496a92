// Manifest list commands: manifest create, add, annotate, remove, inspect, exists, rm, push.
#include <cstdlib>

#include "cli/commands.h"
#include "cli/registry_flags.h"
#include "cli/context.h"
#include "engine/manifest_service.h"

namespace berth::cli {

namespace {

Status checkAnnotations(const std::vector<std::string>& annotations) {
  for (auto& a : annotations)
    if (a.find('=') == std::string::npos || a[0] == '=')
      return makeError(Code::kInvalidArgument, "no value given for annotation {:?}: want key=value", a);
  return {};
}

std::unique_ptr<Command> createCommand() {
  struct O {
    AccessFlags a;
    bool all = false, amend = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("create [options] LIST [IMAGE...]", "Create manifest list or image index");
  Command* self = c.get();
  c->args(1, -1)
      .description("Creates manifest lists or image indexes.")
      .flag("all", 0, &o->all, "add all of the lists' images if the images to add are lists")
      .flag("amend", 'a', &o->amend, "modify an existing list if one with the desired name already exists")
      .flag("tls-verify", 0, &o->a.tls_verify, "require HTTPS and verify certificates when accessing the registry");
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    auto eng = ctx.localEngine();
    if (!eng.ok()) return ctx.fail(eng.error());
    engine::ManifestService svc(**eng);
    std::vector<std::string> images(args.begin() + 1, args.end());
    auto id = svc.create(args[0], images, o->all, o->amend, access(o->a, *self));
    if (!id.ok()) return ctx.fail(id.error());
    ctx.out(*id + "\n");
    return 0;
  });
  return c;
}

void addOverrideFlags(Command& c, engine::ManifestEntryOverrides& ov, bool os_features) {
  c.sliceFlag("annotation", 0, &ov.annotations, "set an `annotation` for the specified image")
      .flag("arch", 0, &ov.arch, "override the `architecture` of the specified image")
      .sliceFlag("features", 0, &ov.features, "override the `features` of the specified image")
      .flag("os", 0, &ov.os, "override the `OS` of the specified image")
      .flag("os-version", 0, &ov.os_version, "override the OS `version` of the specified image")
      .flag("variant", 0, &ov.variant, "override the `Variant` of the specified image");
  if (os_features) c.sliceFlag("os-features", 0, &ov.os_features, "override the OS `features` of the specified image");
}

std::unique_ptr<Command> addCommand() {
  struct O {
    AccessFlags a;
    engine::ManifestEntryOverrides ov;
    bool all = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("add [options] LIST IMAGE [IMAGE...]",
                                     "Add images to a manifest list or image index");
  Command* self = c.get();
  c->args(2, -1)
      .description("Adds an image to a manifest list or image index.")
      .flag("all", 0, &o->all, "add all of the list's images if the image is a list");
  addOverrideFlags(*c, o->ov, false);
  addAccessFlags(*c, o->a, true);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    if (auto s = checkAnnotations(o->ov.annotations); !s.ok()) return ctx.fail(s.error());
    auto eng = ctx.localEngine();
    if (!eng.ok()) return ctx.fail(eng.error());
    engine::ManifestService svc(**eng);
    std::string id;
    for (size_t i = 1; i < args.size(); ++i) {
      engine::ManifestAddRequest req;
      req.list = args[0];
      req.image = args[i];
      req.all = o->all;
      req.overrides = o->ov;
      req.access = access(o->a, *self);
      auto r = svc.add(req);
      if (!r.ok()) return ctx.fail(r.error());
      id = *r;
    }
    ctx.out(id + "\n");
    return 0;
  });
  return c;
}

std::unique_ptr<Command> annotateCommand() {
  auto ov = std::make_shared<engine::ManifestEntryOverrides>();
  auto c = std::make_unique<Command>("annotate [options] LIST IMAGE",
                                     "Add or update information about an entry in a manifest list or image index");
  c->args(2, 2).description("Adds or updates information about an entry in a manifest list or image index.");
  addOverrideFlags(*c, *ov, true);
  c->run([ov](Context& ctx, const std::vector<std::string>& args) {
    if (auto s = checkAnnotations(ov->annotations); !s.ok()) return ctx.fail(s.error());
    auto eng = ctx.localEngine();
    if (!eng.ok()) return ctx.fail(eng.error());
    engine::ManifestService svc(**eng);
    auto id = svc.annotate(args[0], args[1], *ov);
    if (!id.ok()) return ctx.fail(id.error());
    ctx.out(*id + "\n");
    return 0;
  });
  return c;
}

std::unique_ptr<Command> removeCommand() {
  auto c = std::make_unique<Command>("remove LIST DIGEST",
                                     "Remove an entry from a manifest list or image index");
  c->args(2, 2)
      .description("Removes an image from a manifest list or image index.")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.localEngine();
        if (!eng.ok()) return ctx.fail(eng.error());
        engine::ManifestService svc(**eng);
        auto id = svc.removeEntry(args[0], args[1]);
        if (!id.ok()) return ctx.fail(id.error());
        ctx.out(*id + " :" + args[1] + "\n");
        return 0;
      });
  return c;
}

std::unique_ptr<Command> inspectCommand() {
  struct O {
    AccessFlags a;
    bool verbose = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] IMAGE",
                                     "Display the contents of a manifest list or image index");
  Command* self = c.get();
  c->args(1, 1)
      .description("Display the contents of a manifest list or image index.")
      .flag("verbose", 'v', &o->verbose, "expand single-image manifests (no effect: the manifest is printed as is)");
  addAccessFlags(*c, o->a, false);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    auto eng = ctx.localEngine();
    if (!eng.ok()) return ctx.fail(eng.error());
    engine::ManifestService svc(**eng);
    auto text = svc.inspect(args[0], access(o->a, *self));
    if (!text.ok()) return ctx.fail(text.error());
    ctx.out(*text + "\n");
    return 0;
  });
  return c;
}

std::unique_ptr<Command> existsCommand() {
  auto c = std::make_unique<Command>("exists LIST", "Check if a manifest list exists in local storage");
  c->args(1, 1)
      .description("If the manifest list exists in local storage, podman manifest exists exits with 0, otherwise the exit code will be 1.")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.localEngine();
        if (!eng.ok()) return ctx.fail(eng.error());
        engine::ManifestService svc(**eng);
        auto r = svc.exists(args[0]);
        if (!r.ok()) return ctx.fail(r.error());
        return *r ? 0 : 1;
      });
  return c;
}

std::unique_ptr<Command> rmCommand() {
  auto ignore = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("rm [options] LIST [LIST...]",
                                     "Remove manifest list or image index from local storage");
  c->args(1, -1)
      .description("Removes one or more locally stored manifest lists.")
      .flag("ignore", 'i', ignore.get(), "Ignore errors if a specified manifest does not exist")
      .run([ignore](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.localEngine();
        if (!eng.ok()) return ctx.fail(eng.error());
        engine::ManifestService svc(**eng);
        auto rep = svc.remove(args, *ignore);
        for (auto& u : rep.untagged) ctx.out("Untagged: " + u + "\n");
        for (auto& d : rep.deleted) ctx.out("Deleted: " + d + "\n");
        RemoveExitCode rc(RemoveExitCode::Kind::kImage);
        for (auto& e : rep.errors) {
          ctx.err("Error: " + e.what() + "\n");
          rc.add(e);
        }
        return rc.code();
      });
  return c;
}

std::unique_ptr<Command> pushCommand() {
  struct O {
    AccessFlags a;
    bool all = true, quiet = false, rm = false, remove_signatures = false;
    std::string format, digestfile, compression_format, sign_by;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("push [options] LIST DESTINATION",
                                     "Push a manifest list or image index to a registry");
  Command* self = c.get();
  c->args(1, 2)
      .description("Pushes manifest lists and image indexes to registries.")
      .flag("all", 0, &o->all, "also push the images in the list")
      .flag("compression-format", 0, &o->compression_format, "compression format to use")
      .flag("digestfile", 0, &o->digestfile, "after copying the image, write the digest of the resulting digest to the file")
      .flag("format", 'f', &o->format, "manifest type (oci or v2s2) to attempt to use when pushing the manifest list (default is manifest type of source)")
      .flag("quiet", 'q', &o->quiet, "don't output progress information when pushing lists")
      .flag("remove-signatures", 0, &o->remove_signatures, "don't copy signatures when pushing images")
      .flag("rm", 0, &o->rm, "remove the manifest list if push succeeds")
      .flag("sign-by", 0, &o->sign_by, "sign the image using a GPG key with the specified `FINGERPRINT`");
  addAccessFlags(*c, o->a, true);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    if (!o->sign_by.empty())
      return ctx.fail(makeError(Code::kUnimplemented, "signing images (--sign-by) is not supported"));
    if (!o->compression_format.empty() && o->compression_format != "gzip")
      return ctx.fail(makeError(Code::kUnimplemented, "--compression-format {} is not supported: use gzip",
                                o->compression_format));
    auto eng = ctx.localEngine();
    if (!eng.ok()) return ctx.fail(eng.error());
    engine::ManifestService svc(**eng);
    engine::ManifestPushRequest req;
    req.list = args[0];
    req.destination = args.size() > 1 ? args[1] : args[0];
    req.all = o->all;
    req.format = o->format;
    req.access = access(o->a, *self);
    req.remove_list = o->rm;
    req.digestfile = o->digestfile;
    if (!o->quiet) req.progress = [&ctx](const std::string& line) { ctx.err(line + "\n"); };
    auto d = svc.push(req);
    if (!d.ok()) return ctx.fail(d.error());
    return 0;
  });
  return c;
}

}  // namespace

void addManifestCommands(Command& root) {
  auto m = std::make_unique<Command>("manifest", "Manipulate manifest lists and image indexes");
  m->description("Creates, modifies, and pushes manifest lists and image indexes.");
  m->add(createCommand());
  m->add(addCommand());
  m->add(annotateCommand());
  m->add(removeCommand());
  m->add(inspectCommand());
  m->add(existsCommand());
  m->add(rmCommand());
  m->add(pushCommand());
  root.add(std::move(m));
}

}  // namespace berth::cli

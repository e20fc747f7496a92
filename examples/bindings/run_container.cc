// The bindings example: creates a container from a SpecGenerator, starts it, waits for it,
// prints its logs and exit code, and removes it, against a berth (or podman) service.
//
//   run_container unix:///run/berth/berth.sock IMAGE [COMMAND...]
#include <cstdio>
#include <string>
#include <vector>

#include <berth/bindings.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s URI IMAGE [COMMAND...]\n", argv[0]);
    return 2;
  }
  auto conn = berth::connect(argv[1]);
  if (!conn.ok()) {
    std::fprintf(stderr, "connect: %s\n", conn.error().what().c_str());
    return 1;
  }
  berth::Connection& c = **conn;

  berth::api::SpecGenerator spec;
  spec.image = argv[2];
  for (int i = 3; i < argc; ++i) spec.command.push_back(argv[i]);
  spec.labels["example"] = "bindings";

  auto created = berth::containers::createWithSpec(c, spec);
  if (!created.ok()) {
    std::fprintf(stderr, "create: %s\n", created.error().what().c_str());
    return 1;
  }
  const std::string id = created->id;
  std::printf("created %s\n", id.substr(0, 12).c_str());

  int rc = 0;
  if (auto s = berth::containers::start(c, id); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.error().what().c_str());
    rc = 1;
  } else if (auto code = berth::containers::wait(c, id); !code.ok()) {
    std::fprintf(stderr, "wait: %s\n", code.error().what().c_str());
    rc = 1;
  } else {
    berth::containers::LogOptions lo;
    auto logs = berth::containers::logs(c, id, lo, [](int stream, std::string_view line) {
      std::printf("%s: %.*s", stream == 2 ? "stderr" : "stdout", int(line.size()), line.data());
      return true;
    });
    if (!logs.ok()) {
      std::fprintf(stderr, "logs: %s\n", logs.error().what().c_str());
      rc = 1;
    }
    std::printf("exit code %d\n", *code);
  }

  berth::containers::RemoveOptions ro;
  ro.force = true;
  if (auto removed = berth::containers::remove(c, id, ro); !removed.ok()) {
    std::fprintf(stderr, "remove: %s\n", removed.error().what().c_str());
    return 1;
  }
  std::printf("removed\n");
  return rc;
}

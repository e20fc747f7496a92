// `build`: Containerfile instructions run as containers and committed as image layers.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "berth/api/images.h"
#include "berth/api/specgen.h"

namespace berth::engine {

class Engine;

struct BuildRequest {
  std::string containerfile;       // the text (several -f files joined in order)
  std::string containerfile_name;  // for messages ("Containerfile", a path, or "-")
  std::string context_dir;         // "" = no build context (COPY/ADD from it fail)
  std::string ignorefile;          // --ignorefile; else .containerignore, else .dockerignore of the context
  std::vector<std::string> tags;   // names of the result (normalised: short names under localhost/)
  std::map<std::string, std::string> build_args;
  std::string target;              // the stage to stop after; "" = the last
  bool layers = true;              // cache steps as intermediate images
  bool no_cache = false;           // do not use cached steps (still record them with layers)
  bool quiet = false;              // only RUN output and the image ID
  std::string pull = "missing";    // always|missing|never|newer, for FROM and COPY --from images
  std::string format = "oci";      // oci|docker
  std::map<std::string, std::string> labels;  // --label: onto the final image
  // What every RUN container starts from (build's run flags: --ulimit, --security-opt,
  // --dns*, --network, -v, --cap-*, ...); image, command, env are set per step.
  api::SpecGenerator run_template;
  api::RegistryAccess access;
  std::string os, arch, variant;
  api::ProgressFn pull_progress;
  // Everything the build prints, in order: step lines, RUN output, IDs.
  std::function<void(std::string_view)> out;
};

struct BuildResult {
  std::string id;     // the image built
  int exit_code = 0;  // a RUN step that failed: its status (the CLI exits with it)
};

// Runs the build. Errors name the step: `building at STEP "RUN false": ...`; a RUN that
// exits non-zero fails with kUnknown and sets result.exit_code to its status.
Result<std::string> build(Engine& e, const BuildRequest& req, BuildResult& result);

}  // namespace berth::engine

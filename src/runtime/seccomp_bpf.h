// The OCI seccomp profile compiled to BPF ahead of crun, for its run.oci.seccomp_bpf_data
// annotation. crun 1.8 as Debian builds it (without libgcrypt, so without its own cache)
// compiles the profile with libseccomp on every create: half of its create time. berth
// compiles each distinct profile once, with the same libseccomp calls in the same order as
// crun's libcrun_generate_seccomp, so the filter the container gets is the same program.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "base/result.h"

namespace berth::runtime {

// The BPF program (struct sock_filter[]) crun would build from `seccomp` (the config's
// linux.seccomp). nullopt when it cannot be built here exactly as crun would: libseccomp is
// not installed, or the profile uses what the annotation does not carry (SCMP_ACT_NOTIFY,
// listenerPath). A malformed profile is an error naming the field.
Result<std::optional<std::string>> compileSeccompBpf(const Json& seccomp);

// compileSeccompBpf through a cache in `cache_dir` (one file per profile and libseccomp
// version), base64-encoded as the annotation takes it.
Result<std::optional<std::string>> seccompBpfAnnotation(const Json& seccomp, const std::string& cache_dir);

inline constexpr const char* kSeccompBpfAnnotation = "run.oci.seccomp_bpf_data";

}  // namespace berth::runtime

#!/usr/bin/env python3
"""Builds hostile tarballs for hostile_test.sh.

  hostile_tar.py rootfs OUT KIND HOSTDIR   a busybox rootfs tar whose /etc/passwd and
                                           /etc/group are hostile per KIND
  hostile_tar.py docker OUT CASE           a docker-archive whose image config (or
                                           manifest.json) has wrong-typed fields per CASE
  hostile_tar.py oci OUT CASE              the same as an oci-archive
"""
import hashlib
import io
import json
import sys
import tarfile


def add_file(t, name, data, mode=0o644):
    i = tarfile.TarInfo(name)
    i.size = len(data)
    i.mode = mode
    t.addfile(i, io.BytesIO(data))


def add_dir(t, name):
    i = tarfile.TarInfo(name)
    i.type = tarfile.DIRTYPE
    i.mode = 0o755
    t.addfile(i)


def add_sym(t, name, target):
    i = tarfile.TarInfo(name)
    i.type = tarfile.SYMTYPE
    i.linkname = target
    t.addfile(i)


def add_node(t, name, typ, major=0, minor=0):
    i = tarfile.TarInfo(name)
    i.type = typ
    i.mode = 0o644
    i.devmajor, i.devminor = major, minor
    t.addfile(i)


def rootfs(out, kind, host):
    t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
    for d in ("bin", "etc", "tmp", "dev", "proc", "sys"):
        add_dir(t, d)
    add_file(t, "bin/busybox", open("/bin/busybox", "rb").read(), 0o755)
    for a in ("sh", "echo", "cat", "id", "sleep", "ln", "mkfifo", "mknod", "rm", "mkdir", "true"):
        add_sym(t, "bin/" + a, "busybox")
    up = "../" * 12 + host.lstrip("/")
    if kind == "hostlink":  # absolute links to host files
        add_sym(t, "etc/passwd", host + "/passwd")
        add_sym(t, "etc/group", host + "/group")
    elif kind == "dotdot":  # relative links climbing out of the rootfs
        add_sym(t, "etc/passwd", up + "/passwd")
        add_sym(t, "etc/group", up + "/group")
    elif kind == "fifo":
        add_node(t, "etc/passwd", tarfile.FIFOTYPE)
    elif kind == "zero":  # a /dev/zero device node
        add_node(t, "etc/passwd", tarfile.CHRTYPE, 1, 5)
    elif kind == "devlink":  # links to the host's endless devices
        add_sym(t, "etc/passwd", "/dev/zero")
        add_sym(t, "etc/group", "/dev/urandom")
    elif kind == "big":
        add_file(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n" + b"#" * (8 << 20) + b"\n")
    else:
        add_file(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        add_file(t, "etc/group", b"root:x:0:\n")
    t.close()


def layer_tar():
    buf = io.BytesIO()
    t = tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT)
    add_dir(t, "bin")
    add_file(t, "bin/busybox", open("/bin/busybox", "rb").read(), 0o755)
    add_sym(t, "bin/sh", "busybox")
    add_sym(t, "bin/echo", "busybox")
    t.close()
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


# Each case: (config patch, manifest.json patch for docker-archive). A patch is applied
# to the good document; the key path is a tuple, the value replaces what is there.
CASES = {
    "user-int": [(("config", "User"), 0)],
    "history-created-int": [(("history", 0, "created"), 12345)],
    "history-not-list": [(("history",), {"created": "x"})],
    "history-entry-string": [(("history",), ["oops"])],
    "created-int": [(("created",), 12345)],
    "env-string": [(("config", "Env"), "PATH=/bin")],
    "env-int-item": [(("config", "Env"), [1, 2])],
    "cmd-int": [(("config", "Cmd"), 7)],
    "entrypoint-object": [(("config", "Entrypoint"), {"a": 1})],
    "labels-int": [(("config", "Labels"), {"a": 1})],
    "labels-list": [(("config", "Labels"), ["a"])],
    "exposed-list": [(("config", "ExposedPorts"), ["80/tcp"])],
    "volumes-list": [(("config", "Volumes"), ["/v"])],
    "workdir-int": [(("config", "WorkingDir"), 5)],
    "stopsignal-int": [(("config", "StopSignal"), 9)],
    "config-list": [(("config",), ["x"])],
    "arch-int": [(("architecture",), 64)],
    "os-null": [(("os",), None)],
    "author-list": [(("author",), ["me"])],
    "config-null": [(("config",), None)],
    "empty-layer-string": [(("history", 0, "empty_layer"), "yes")],
    "diffids-int": [(("rootfs", "diff_ids"), 5)],
    "rootfs-string": [(("rootfs",), "layers")],
    "doc-array": [((), [1, 2, 3])],
    # manifest.json (docker) / index.json + manifest (oci) damage, applied by the writers below.
    "repotags-int": [],
    "layers-int": [],
    "mediatype-int": [],
    "annotation-int": [],
}


def patch(doc, path, value):
    if not path:
        return value
    cur = doc
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return doc


def good_config(diff_id):
    return {
        "created": "2024-01-02T03:04:05Z",
        "architecture": "amd64",
        "os": "linux",
        "author": "berth",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "Labels": {"a": "b"},
                   "User": "", "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "hand"}],
    }


def archive(fmt, out, case):
    layer = layer_tar()
    diff = sha(layer)
    cfg = good_config(diff)
    for path, value in CASES[case]:
        cfg = patch(cfg, path, value)
    cfg_bytes = json.dumps(cfg).encode()
    cfg_hex = sha(cfg_bytes)
    name = "localhost/hostile:" + case
    t = tarfile.open(out, "w")
    if fmt == "docker":
        man = [{"Config": cfg_hex + ".json", "RepoTags": [name], "Layers": [diff + "/layer.tar"]}]
        if case == "repotags-int":
            man[0]["RepoTags"] = 5
        if case == "layers-int":
            man[0]["Layers"] = [7]
        add_file(t, cfg_hex + ".json", cfg_bytes)
        add_file(t, diff + "/layer.tar", layer)
        add_file(t, "manifest.json", json.dumps(man).encode())
    else:
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + cfg_hex, "size": len(cfg_bytes)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": "sha256:" + diff, "size": len(layer)}],
        }
        if case == "layers-int":
            manifest["layers"][0]["size"] = "big"
        if case == "mediatype-int":
            manifest["config"]["mediaType"] = 3
        man_bytes = json.dumps(manifest).encode()
        desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": "sha256:" + sha(man_bytes), "size": len(man_bytes),
                "annotations": {"org.opencontainers.image.ref.name": name}}
        if case == "annotation-int":
            desc["annotations"]["org.opencontainers.image.ref.name"] = 9
        if case == "repotags-int":
            desc["annotations"] = "x"
        index = {"schemaVersion": 2, "manifests": [desc]}
        add_file(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add_file(t, "index.json", json.dumps(index).encode())
        add_file(t, "blobs/sha256/" + cfg_hex, cfg_bytes)
        add_file(t, "blobs/sha256/" + sha(man_bytes), man_bytes)
        add_file(t, "blobs/sha256/" + diff, layer)
    t.close()


def main():
    what = sys.argv[1]
    if what == "rootfs":
        rootfs(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what in ("docker", "oci"):
        archive(what, sys.argv[2], sys.argv[3])
    elif what == "cases":
        print("\n".join(CASES))
    else:
        sys.exit("unknown kind " + what)


if __name__ == "__main__":
    main()

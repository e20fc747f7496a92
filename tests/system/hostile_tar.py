#!/usr/bin/env python3
"""Builds hostile tarballs for hostile_test.sh.

  hostile_tar.py rootfs OUT KIND HOSTDIR   a busybox rootfs tar whose /etc/passwd and
                                           /etc/group are hostile per KIND
  hostile_tar.py docker OUT CASE           a docker-archive whose image config (or
                                           manifest.json) has wrong-typed fields per CASE
  hostile_tar.py oci OUT CASE              the same as an oci-archive
  hostile_tar.py cases                     lists CASE, format and the expected load error
  hostile_tar.py push HOST:PORT REPO CASE  uploads CASE's image to a registry as REPO:CASE
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


# Each case: the patches applied to a good config (a key path and the value put there) and the
# error text expected from load, per format ("" = loads fine). A few cases damage manifest.json
# (docker) or index.json / the manifest (oci) instead; the archive writers apply those.
def expect(both=None, docker=None, oci=None):
    return {"docker": both if docker is None else docker, "oci": both if oci is None else oci}


CASES = {
    "user-int": ([(("config", "User"), 0)], expect("config.User: expected string, got number")),
    "history-created-int": ([(("history", 0, "created"), 12345)],
                            expect("history[0].created: expected string, got number")),
    "history-created-bad": ([(("history", 0, "created"), "yesterday")],
                            expect('history[0].created: "yesterday" is not an RFC 3339 time')),
    "history-not-list": ([(("history",), {"created": "x"})],
                         expect("history: expected array, got object")),
    "history-entry-string": ([(("history",), ["oops"])],
                             expect("history[0]: expected object, got string")),
    "created-int": ([(("created",), 12345)], expect("created: expected string, got number")),
    "env-string": ([(("config", "Env"), "PATH=/bin")],
                   expect("config.Env: expected array of strings, got string")),
    "env-int-item": ([(("config", "Env"), [1, 2])],
                     expect("config.Env[0]: expected string, got number")),
    "cmd-int": ([(("config", "Cmd"), 7)], expect("config.Cmd: expected array of strings, got number")),
    "entrypoint-object": ([(("config", "Entrypoint"), {"a": 1})],
                          expect("config.Entrypoint: expected array of strings, got object")),
    "labels-int": ([(("config", "Labels"), {"a": 1})],
                   expect("config.Labels.a: expected string, got number")),
    "labels-list": ([(("config", "Labels"), ["a"])],
                    expect("config.Labels: expected object of strings, got array")),
    "exposed-list": ([(("config", "ExposedPorts"), ["80/tcp"])],
                     expect("config.ExposedPorts: expected object, got array")),
    "volumes-list": ([(("config", "Volumes"), ["/v"])],
                     expect("config.Volumes: expected object, got array")),
    "health-string": ([(("config", "Healthcheck"), {"Test": ["CMD"], "Interval": "5s"})],
                      expect("config.Healthcheck.Interval: expected integer, got string")),
    "workdir-int": ([(("config", "WorkingDir"), 5)],
                    expect("config.WorkingDir: expected string, got number")),
    "stopsignal-int": ([(("config", "StopSignal"), 9)],
                       expect("config.StopSignal: expected string, got number")),
    "config-list": ([(("config",), ["x"])], expect("config: expected object, got array")),
    "arch-int": ([(("architecture",), 64)], expect("architecture: expected string, got number")),
    "author-list": ([(("author",), ["me"])], expect("author: expected string, got array")),
    "empty-layer-string": ([(("history", 0, "empty_layer"), "yes")],
                           expect("history[0].empty_layer: expected boolean, got string")),
    "diffids-int": ([(("rootfs", "diff_ids"), 5)],
                    expect("rootfs.diff_ids: expected array of strings, got number")),
    "diffids-bad": ([(("rootfs", "diff_ids"), ["sha256:zz"])], expect("rootfs.diff_ids[0]")),
    "rootfs-string": ([(("rootfs",), "layers")], expect("rootfs: expected object, got string")),
    "doc-array": ([((), [1, 2, 3])], expect("expected object, got array")),
    # An unknown field (kept and printed by inspect) nested 100000 deep: refused, not recursed into.
    "deep": ([(("config", "Deep"), "DEEP")], expect("nested deeper than")),
    # Nulls are Go's zero values: these load.
    "os-null": ([(("os",), None)], expect("")),
    "config-null": ([(("config",), None)], expect("")),
    "history-null-entry": ([(("history",), [None])], expect("")),
    # manifest.json / index.json / manifest damage.
    "repotags-int": ([], expect(docker="RepoTags: expected array of strings, got number",
                                oci="manifests[0].annotations: expected object, got string")),
    "layers-int": ([], expect(docker="Layers[0]: expected string, got number",
                              oci="layers[0].size: expected integer, got string")),
    "mediatype-int": ([], expect(docker="Config: expected string, got number",
                                 oci="config.mediaType: expected string, got number")),
    "annotation-int": ([], expect(
        docker="manifest.json: expected array, got object",
        oci="manifests[0].annotations.org.opencontainers.image.ref.name: expected string, got number")),
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
    for path, value in CASES[case][0]:
        cfg = patch(cfg, path, value)
    cfg_bytes = json.dumps(cfg).replace('"DEEP"', "[" * 100000 + "]" * 100000).encode()
    cfg_hex = sha(cfg_bytes)
    name = "localhost/hostile:" + case
    t = tarfile.open(out, "w")
    if fmt == "docker":
        man = [{"Config": cfg_hex + ".json", "RepoTags": [name], "Layers": [diff + "/layer.tar"]}]
        if case == "repotags-int":
            man[0]["RepoTags"] = 5
        if case == "layers-int":
            man[0]["Layers"] = [7]
        if case == "mediatype-int":
            man[0]["Config"] = 3
        if case == "annotation-int":
            man = {"not": "a list"}
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


def push(registry, repo, case):
    """Uploads the case's image to a real registry (monolithic blob uploads, then the manifest)."""
    import urllib.request

    def req(method, url, data=None, ctype=None):
        r = urllib.request.Request(url, data=data, method=method)
        if ctype:
            r.add_header("Content-Type", ctype)
        return urllib.request.urlopen(r)

    base = f"http://{registry}/v2/{repo}"

    def blob(data):  # POST opens an upload session, PUT to its Location completes it
        digest = "sha256:" + sha(data)
        loc = req("POST", f"{base}/blobs/uploads/").headers["Location"]
        if loc.startswith("/"):
            loc = f"http://{registry}{loc}"
        req("PUT", loc + ("&" if "?" in loc else "?") + f"digest={digest}", data,
            "application/octet-stream")
        return digest

    layer = layer_tar()
    cfg = good_config(sha(layer))
    for path, value in CASES.get(case, ([], None))[0]:
        cfg = patch(cfg, path, value)
    cfg_bytes = json.dumps(cfg).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": len(cfg_bytes), "digest": blob(cfg_bytes)},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar",
                    "size": len(layer), "digest": blob(layer)}],
    }
    man_bytes = json.dumps(manifest).encode()
    mt = manifest["mediaType"]
    req("PUT", f"{base}/manifests/{case}", man_bytes, mt)


def main():
    what = sys.argv[1]
    if what == "rootfs":
        rootfs(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what in ("docker", "oci"):
        archive(what, sys.argv[2], sys.argv[3])
    elif what == "push":
        push(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "cases":  # one line per case and format: CASE FORMAT EXPECTED-ERROR
        for name, (_, exp) in CASES.items():
            for fmt in ("docker", "oci"):
                print(f"{name}\t{fmt}\t{exp[fmt]}")
    else:
        sys.exit("unknown kind " + what)


if __name__ == "__main__":
    main()

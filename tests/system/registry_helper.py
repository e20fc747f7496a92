#!/usr/bin/env python3
"""Helpers for registry_test.sh.

  archive OUT TAG ARCH BIG_MB   write a docker-archive with 3 layers:
        1: busybox + /data/{keep,gone}.txt  2: /data/random.bin (BIG_MB MiB random)
        3: a whiteout of /data/gone.txt plus /data/layer3.txt
  index OUT MEDIATYPE DIGEST SIZE ARCH [DIGEST SIZE ARCH ...]
        write an OCI image index referencing the given manifests (linux/ARCH)
  port  print a free TCP port on 127.0.0.1
"""
import hashlib
import io
import json
import os
import socket
import sys
import tarfile


def add_file(tf, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.mtime = 0
    tf.addfile(ti, io.BytesIO(data))


def add_dir(tf, name):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mode = 0o755
    ti.mtime = 0
    tf.addfile(ti)


def add_link(tf, name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.SYMTYPE
    ti.linkname = target
    ti.mode = 0o777
    ti.mtime = 0
    tf.addfile(ti)


def layer(build):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        build(tf)
    return buf.getvalue()


def archive(out, tag, arch, big_mb):
    big_mb = float(big_mb)

    def l1(tf):
        for d in ("bin", "etc", "data"):
            add_dir(tf, d)
        with open("/bin/busybox", "rb") as f:
            add_file(tf, "bin/busybox", f.read(), 0o755)
        for a in ("sh", "echo", "cat", "ls", "test", "true", "wc", "sha256sum"):
            add_link(tf, "bin/" + a, "busybox")
        add_file(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        add_file(tf, "etc/group", b"root:x:0:\n")
        add_file(tf, "data/keep.txt", b"kept from layer 1\n")
        add_file(tf, "data/gone.txt", b"deleted by layer 3\n")
        add_file(tf, "data/arch.txt", arch.encode() + b"\n")

    def l2(tf):
        add_dir(tf, "data")
        add_file(tf, "data/random.bin", os.urandom(int(big_mb * 1024 * 1024)))

    def l3(tf):
        add_dir(tf, "data")
        add_file(tf, "data/.wh.gone.txt", b"")
        add_file(tf, "data/layer3.txt", b"from layer 3\n")

    layers = [layer(l1), layer(l2), layer(l3)]
    diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = {
        "architecture": arch,
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [
            {"created": "2024-01-01T00:00:00Z", "created_by": "layer 1: busybox and files"},
            {"created": "2024-01-01T00:00:00Z", "created_by": "layer 2: random file"},
            {"created": "2024-01-01T00:00:00Z", "created_by": "layer 3: whiteout"},
        ],
    }
    cfg = json.dumps(config, sort_keys=True).encode()
    cfg_hex = hashlib.sha256(cfg).hexdigest()
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tf:
        names = []
        for i, l in enumerate(layers):
            name = "%s/layer.tar" % diff_ids[i][7:]
            add_dir(tf, diff_ids[i][7:])
            add_file(tf, name, l)
            names.append(name)
        add_file(tf, cfg_hex + ".json", cfg)
        manifest = [{"Config": cfg_hex + ".json", "RepoTags": [tag], "Layers": names}]
        add_file(tf, "manifest.json", json.dumps(manifest).encode())
    print("sha256:" + cfg_hex)


def index(out, media_type, *rest):
    manifests = []
    for i in range(0, len(rest), 3):
        digest, size, arch = rest[i : i + 3]
        manifests.append(
            {
                "mediaType": media_type,
                "digest": digest,
                "size": int(size),
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    doc = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    }
    data = json.dumps(doc).encode()
    with open(out, "wb") as f:
        f.write(data)
    print("sha256:" + hashlib.sha256(data).hexdigest())


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"archive": archive, "index": index, "port": port}[cmd](*args)

#!/usr/bin/env python3
"""Writes a docker-archive with N layers of SIZE bytes each: random (incompressible) or text.

usage: mkimage.py OUT.tar NAME:TAG SIZE KIND [KIND...]   (KIND: random | text)
"""
import hashlib, io, json, os, sys, tarfile

out, name, size, kinds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
layers, diff_ids = [], []
words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n"
for i, kind in enumerate(kinds):
    data = os.urandom(size) if kind == "random" else (words * (size // len(words) + 1))[:size]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo(f"layer{i}/{kind}.bin")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    layers.append((digest, raw))
    diff_ids.append("sha256:" + digest)
config = json.dumps({
    "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
    "config": {"Cmd": ["sh"]},
    "rootfs": {"type": "layers", "diff_ids": diff_ids},
    "history": [{"created": "2026-01-01T00:00:00Z", "created_by": f"layer {i}"} for i in range(len(kinds))],
}, separators=(",", ":")).encode()
config_hex = hashlib.sha256(config).hexdigest()
with tarfile.open(out, "w") as t:
    def add(n, b):
        info = tarfile.TarInfo(n)
        info.size = len(b)
        t.addfile(info, io.BytesIO(b))
    add(config_hex + ".json", config)
    for digest, raw in layers:
        add(digest + ".tar", raw)
    add("manifest.json", json.dumps([{"Config": config_hex + ".json", "RepoTags": [name],
                                      "Layers": [d + ".tar" for d, _ in layers]}]).encode())

#!/usr/bin/env python3
"""Compares two OCI config.json files field by field (berth's and podman's for the same
flags) after normalizing what legitimately differs between two containers: their IDs,
the paths of their own storage, timestamps.

  spec_compare.py BERTH_JSON BERTH_ID PODMAN_JSON PODMAN_ID ALLOWED_FILE

ALLOWED_FILE holds "KEY<TAB>REASON" lines: differences that are known and explained (a KEY
ending in '*' covers the keys it begins; a KEY starting with '?' may or may not differ).
Prints one line per difference ("unexpected", or "allowed" with its reason) and one per
allowance that no longer applies ("stale"); exits 1 when any is unexpected or stale.
"""
import json
import sys


def flat(cfg, own_id, own_dirs):
    out = {}

    def s(v):
        if isinstance(v, str):
            v = v.replace(own_id, "<ID>").replace(own_id[:12], "<ID>")
        return v

    p = cfg.get("process", {})
    out["process.terminal"] = p.get("terminal", False)
    u = p.get("user", {})
    out["process.user.uid"] = u.get("uid", 0)
    out["process.user.gid"] = u.get("gid", 0)
    out["process.user.umask"] = u.get("umask")
    out["process.user.additionalGids"] = sorted(set(u.get("additionalGids") or []) - {u.get("gid", 0)})
    out["process.args"] = p.get("args")
    out["process.cwd"] = p.get("cwd")
    for e in p.get("env") or []:
        k, _, v = e.partition("=")
        out["process.env." + k] = s(v)
    caps = p.get("capabilities") or {}
    for kind in ("bounding", "effective", "permitted", "inheritable", "ambient"):
        out["process.capabilities." + kind] = sorted(caps.get(kind) or [])
    for r in p.get("rlimits") or []:
        out["process.rlimits." + r["type"]] = [r.get("soft"), r.get("hard")]
    out["process.noNewPrivileges"] = p.get("noNewPrivileges", False)
    out["process.oomScoreAdj"] = p.get("oomScoreAdj")
    out["process.apparmorProfile"] = p.get("apparmorProfile", "")
    out["process.selinuxLabel"] = p.get("selinuxLabel", "")
    out["root.readonly"] = cfg.get("root", {}).get("readonly", False)
    out["hostname"] = s(cfg.get("hostname", ""))
    for m in cfg.get("mounts") or []:
        key = "mounts." + m["destination"]
        out[key + ".type"] = m.get("type")
        out[key + ".options"] = sorted(m.get("options") or [])
        src = m.get("source", "")
        if src.startswith("/") and not any(src.startswith(d) for d in own_dirs):
            out[key + ".source"] = src
    lx = cfg.get("linux", {})
    for ns in lx.get("namespaces") or []:
        out["linux.namespaces." + ns["type"]] = "path" if ns.get("path") else "new"
    out["linux.maskedPaths"] = sorted(lx.get("maskedPaths") or [])
    out["linux.readonlyPaths"] = sorted(lx.get("readonlyPaths") or [])
    for k, v in (lx.get("sysctl") or {}).items():
        out["linux.sysctl." + k] = v
    res = lx.get("resources") or {}
    for group in ("memory", "cpu", "pids", "blockIO", "hugepageLimits", "unified"):
        g = res.get(group)
        if isinstance(g, dict):
            for k, v in g.items():
                out[f"linux.resources.{group}.{k}"] = v
        elif g is not None:
            out[f"linux.resources.{group}"] = g
    out["linux.resources.devices"] = sorted(json.dumps(d, sort_keys=True) for d in res.get("devices") or [])
    for d in lx.get("devices") or []:
        out["linux.devices." + d["path"]] = [d.get("type"), d.get("major"), d.get("minor"), d.get("fileMode"),
                                             d.get("uid"), d.get("gid")]
    sc = lx.get("seccomp")
    out["linux.seccomp"] = None if sc is None else [sc.get("defaultAction"), sorted(sc.get("architectures") or [])]
    out["linux.rootfsPropagation"] = lx.get("rootfsPropagation", "")
    out["linux.uidMappings"] = lx.get("uidMappings") or []
    out["linux.gidMappings"] = lx.get("gidMappings") or []
    for k, v in (cfg.get("annotations") or {}).items():
        out["annotations." + k] = s(v)
    return out


def main():
    bfile, bid, pfile, pid, allowed_file = sys.argv[1:6]
    b = json.load(open(bfile))
    p = json.load(open(pfile))
    bdirs = [bfile.rsplit("/containers/", 1)[0], b.get("root", {}).get("path", "/nonexistent").rsplit("/", 2)[0]]
    pdirs = [pfile.rsplit("/overlay-containers/", 1)[0], p.get("root", {}).get("path", "/nonexistent").rsplit("/", 3)[0]]
    # Both roots live side by side under one test directory: any path below it is storage.
    common = "/".join(bfile.split("/")[:3])
    bf = flat(b, bid, bdirs + [common])
    pf = flat(p, pid, pdirs + [common])
    allowed = {}
    for line in open(allowed_file):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            key, _, reason = line.partition("\t")
            allowed[key] = reason
    optional = {k[1:] for k in allowed if k.startswith("?")}
    allowed = {k.lstrip("?"): v for k, v in allowed.items()}
    bad = 0
    seen = set()
    for key in sorted(set(bf) | set(pf)):
        bv, pv = bf.get(key, "<absent>"), pf.get(key, "<absent>")
        if bv == pv:
            continue
        # An allowance names a key or a key prefix ending in '*'.
        match = next((a for a in allowed if a == key or (a.endswith("*") and key.startswith(a[:-1]))), None)
        if match:
            seen.add(match)
            print(f"allowed {key}: berth={json.dumps(bv)} podman={json.dumps(pv)} ({allowed[match]})")
        else:
            bad += 1
            print(f"unexpected {key}: berth={json.dumps(bv)} podman={json.dumps(pv)}")
    for a in sorted(set(allowed) - seen - optional):
        bad += 1
        print(f"stale {a}: no longer differs ({allowed[a]})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

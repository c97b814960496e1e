#!/usr/bin/python3
"""Writes small container images for t_container.sh, without a network:
an OCI image layout directory or a `docker save` archive, whose layers are
given as JSON specs of entries. Usage:
  mkimage.py oci|docker OUT CONFIG.json LAYER.json...
A layer spec is {"gzip": bool, "entries": [ENTRY...]}, an ENTRY one of
  {"file": NAME, "text": STR | "from": HOSTPATH, "mode": 0o644}
  {"dir": NAME, "mode": 0o755}
  {"symlink": NAME, "to": TARGET}
  {"hardlink": NAME, "to": TARGET}
names written as given (so "../x" or "/x" go into the tar as they are)."""
import gzip, hashlib, io, json, os, sys, tarfile


def layer_tar(spec):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in spec["entries"]:
            if "file" in e:
                data = e["text"].encode() if "text" in e else open(e["from"], "rb").read()
                ti = tarfile.TarInfo(e["file"])
                ti.size, ti.mode, ti.mtime = len(data), e.get("mode", 0o644), 1700000000
                t.addfile(ti, io.BytesIO(data))
            elif "dir" in e:
                ti = tarfile.TarInfo(e["dir"])
                ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, e.get("mode", 0o755), 1700000000
                t.addfile(ti)
            else:
                kind = "symlink" if "symlink" in e else "hardlink"
                ti = tarfile.TarInfo(e[kind])
                ti.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                ti.linkname, ti.mode, ti.mtime = e["to"], 0o777, 1700000000
                t.addfile(ti)
    raw = buf.getvalue()
    return raw, (gzip.compress(raw, mtime=0) if spec.get("gzip") else raw)


def main():
    kind, out, config_path, *layer_paths = sys.argv[1:]
    config = json.load(open(config_path))
    layers = [layer_tar(json.load(open(p))) for p in layer_paths]
    config.setdefault("architecture", "amd64")
    config.setdefault("os", "linux")
    config["rootfs"] = {"type": "layers",
                        "diff_ids": ["sha256:" + hashlib.sha256(r).hexdigest() for r, _ in layers]}
    cfg = json.dumps(config).encode()
    if kind == "oci":
        os.makedirs(out + "/blobs/sha256")

        def blob(data):
            h = hashlib.sha256(data).hexdigest()
            open(f"{out}/blobs/sha256/{h}", "wb").write(data)
            return "sha256:" + h

        descs = []
        for (raw, stored), p in zip(layers, layer_paths):
            gz = json.load(open(p)).get("gzip")
            descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else ""),
                          "digest": blob(stored), "size": len(stored)})
        man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                     "digest": blob(cfg), "size": len(cfg)},
                          "layers": descs}).encode()
        index = {"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(man),
             "size": len(man), "platform": {"architecture": "amd64", "os": "linux"}}]}
        json.dump(index, open(out + "/index.json", "w"))
        json.dump({"imageLayoutVersion": "1.0.0"}, open(out + "/oci-layout", "w"))
    else:  # docker save's classic layout, as one tar
        with tarfile.open(out, "w") as t:
            def add(name, data):
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            ch = hashlib.sha256(cfg).hexdigest()
            add(ch + ".json", cfg)
            names = []
            for i, (raw, _) in enumerate(layers):
                lid = hashlib.sha256(b"layer%d" % i + raw).hexdigest()
                add(lid + "/layer.tar", raw)
                names.append(lid + "/layer.tar")
            add("manifest.json", json.dumps([{"Config": ch + ".json", "RepoTags": ["t:latest"],
                                              "Layers": names}]).encode())


main()

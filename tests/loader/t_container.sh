#!/usr/bin/env bash
# geode container IMAGE OUTDIR (docs/container.md): images made here without
# a network (tests/loader/mkimage.py writes the layers and JSON; umoci when
# Debian's package is installed), unpacked, made into a signed bundle, run.
set -u
T=$(mktemp -d /tmp/geode-container.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
check() { if [ "$2" -eq 0 ]; then ok "$1"; else nok "$1"; sed "s/^/# /" "$T/err" | tail -${TAILN:-5}; fi; }
MK="/usr/bin/python3 $GEODE_ROOT/tests/loader/mkimage.py"
. "$GEODE_ROOT/tests/sgx/sim_unavailable.sh"
sim_why=$(sim_unavailable)
MODE=sim
if [ -n "$sim_why" ]; then
    MODE=direct
    skip "the sim runs: the sim cannot run on this host ($sim_why); direct mode instead"
fi
if [ ! -x /bin/busybox ]; then
    skip "busybox-static not installed"; exit 0
fi
"$GEODE" keygen --out "$T/key.pem" >/dev/null 2>&1 || nok "keygen"
cd "$T" || exit 1

# fetch PORT PATH: the body of an HTTP/1.0 GET to 127.0.0.1, retried until the server answers.
fetch() {
    local i
    for i in $(seq 100); do
        if exec 3<>"/dev/tcp/127.0.0.1/$1"; then
            printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3
            timeout 10 cat <&3 | tr -d '\r' | sed '1,/^$/d'
            exec 3<&-
            return 0
        fi 2>/dev/null
        sleep 0.1
    done
    return 1
}

# serve NAME OUTDIR PORT WANT: runs the bundle, fetches /index.html, stops it.
serve() {
    local name=$1 out=$2 port=$3 want=$4 pid body
    timeout -k 5 60 "$GEODE" run --mode "$MODE" "$out/bundle" >"$T/run.out" 2>&1 &
    pid=$!
    body=$(fetch "$port" /index.html)
    kill "$pid" 2>/dev/null; wait "$pid"
    cp "$T/run.out" "$T/err"
    [ "$body" = "$want" ] && grep -q "hello from the image" "$T/run.out"
    check "$name: geode run --mode $MODE OUTDIR/bundle runs the entrypoint script, which execs httpd; it answers" $?
}

# An image of two layers: busybox-static, an entrypoint script, a web root; the
# second layer (gzip) whites out a file, makes a directory opaque, adds a hard link.
port=$((20000 + RANDOM % 20000))
cat >config.json <<JSON
{"config": {"Entrypoint": ["/entrypoint.sh"], "Cmd": ["$port"],
            "Env": ["PATH=/usr/sbin:/usr/bin:/bin", "GREETING=hello from the image"],
            "WorkingDir": "/www", "User": "web", "ExposedPorts": {"$port/tcp": {}}}}
JSON
cat >l1.json <<'JSON'
{"entries": [
  {"dir": "bin"}, {"file": "bin/busybox", "from": "/bin/busybox", "mode": 493},
  {"symlink": "bin/sh", "to": "busybox"}, {"dir": "usr/bin"},
  {"symlink": "usr/bin/env", "to": "/bin/busybox"},
  {"file": "entrypoint.sh", "mode": 493,
   "text": "#!/bin/sh\necho \"$GREETING\"\nexec busybox httpd -f -p 127.0.0.1:$1 -h /www\n"},
  {"dir": "etc"}, {"file": "etc/passwd", "text": "root:x:0:0::/root:/bin/sh\nweb:x:1000:1001::/www:/bin/sh\n"},
  {"file": "etc/group", "text": "root:x:0:\nweb:x:1001:\n"},
  {"dir": "www"}, {"file": "www/index.html", "text": "<p>geode container</p>\n"},
  {"file": "www/secret", "text": "s", "mode": 384},
  {"dir": "old"}, {"file": "old/gone.txt", "text": "x"}, {"file": "old/kept.txt", "text": "k"},
  {"dir": "opq"}, {"file": "opq/a.txt", "text": "a"}, {"dir": "opq/sub"}, {"file": "opq/sub/b.txt", "text": "b"}
]}
JSON
cat >l2.json <<'JSON'
{"gzip": true, "entries": [
  {"file": "old/.wh.gone.txt", "text": ""},
  {"file": "opq/.wh..wh..opq", "text": ""}, {"file": "opq/c.txt", "text": "c"},
  {"hardlink": "www/hard.html", "to": "www/index.html"}
]}
JSON
$MK oci img config.json l1.json l2.json 2>"$T/err"
check "mkimage: an OCI layout of two layers" $?
"$GEODE" container --key key.pem img out >"$T/stdout" 2>"$T/err"
check "geode container on an OCI layout: unpacks, writes the manifest and Dockerfile, signs" $?
R=out/rootfs
[ ! -e $R/old/gone.txt ] && [ -f $R/old/kept.txt ] && [ "$(cd $R/opq && echo *)" = c.txt ] &&
    [ "$(stat -c %i $R/www/hard.html)" = "$(stat -c %i $R/www/index.html)" ] &&
    [ "$(readlink $R/bin/sh)" = busybox ] && [ "$(readlink $R/usr/bin/env)" = /bin/busybox ] &&
    [ "$(stat -c %a $R/entrypoint.sh)" = 755 ] && [ "$(stat -c %a $R/www/secret)" = 600 ] &&
    cmp -s $R/bin/busybox /bin/busybox && [ ! -e $R/old/.wh.gone.txt ]
check "rootfs: a whiteout removes, an opaque directory hides the lower layer, hard link, symlinks, modes" $?
M=out/app.manifest.toml
grep -qx 'libos.entrypoint = "/entrypoint.sh"' $M && grep -qx "loader.argv = \[\"/entrypoint.sh\", \"$port\"\]" $M &&
    grep -qx 'loader.env."GREETING" = "hello from the image"' $M && grep -qx 'fs.start_dir = "/www"' $M &&
    grep -qx 'loader.uid = 1000' $M && grep -qx 'loader.gid = 1001' $M && grep -q "^# .*: $port/tcp$" $M &&
    grep -qx "sgx.trusted_files = \[\"file:$T/out/rootfs/\"\]" $M
r=$?; cp $M "$T/err"
check "manifest: Entrypoint+Cmd, Env, WorkingDir, User through /etc/passwd, ports as a comment, rootfs trusted" $r
grep -qx "ENTRYPOINT \[\"/usr/local/bin/geode\", \"run\", \"$T/out/bundle\"\]" out/Dockerfile &&
    grep -qx "COPY rootfs/ $T/out/rootfs/" out/Dockerfile && [ -x out/geode/bin/geode ] &&
    [ -f out/geode/lib/geode/libos.elf ] && grep -qx "EXPOSE $port/tcp" out/Dockerfile &&
    (cd out/bundle && sha256sum -c --quiet SHA256SUMS)
check "Dockerfile: geode, the bundle and the rootfs at their paths; the bundle's SHA256SUMS hold" $?
# The image's user (uid 1000) opens the rootfs through the host with its own
# ids, and mktemp's directory above it is 0700: geode says so before the run.
if [ "$(id -u)" = 0 ]; then
    timeout -k 5 60 "$GEODE" run --mode "$MODE" out/bundle >"$T/err" 2>&1
    r=$?
    [ $r -ne 0 ] && grep -q "warning: mount '/' (host .*/out/rootfs): $T (mode 0700, owner 0:0) cannot be searched by loader.uid 1000" "$T/err"
    check "a rootfs below a directory that loader.uid cannot search: warned, with the directory named" $?
fi
chmod 755 "$T"
serve "OCI layout" out "$port" "<p>geode container</p>"
echo x >>out/rootfs/old/kept.txt
"$GEODE" run --mode "$MODE" out/bundle >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "trusted file $T/out/rootfs/old/kept.txt differs" "$T/err"
check "a changed file of the image is refused by geode run BUNDLE, named" $?

rm -rf out2 && mkdir out2 && echo x >out2/f
"$GEODE" container --key key.pem img out2 >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "not empty" "$T/err"
check "OUTDIR must be new or empty" $?
HOME="$T/nohome" "$GEODE" container img out3 >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "no signing key at $T/nohome/.config/geode/enclave-key.pem" "$T/err" && [ ! -e out3/rootfs ]
check "without a signing key: said before unpacking, with what to do" $?
"$GEODE" container --allow-all --no-sign --enclave-size 512M --max-threads 8 img out4 >"$T/stdout" 2>"$T/err" &&
    grep -qx "sgx.allowed_files = \[\"file:$T/out4/rootfs/\"\]" out4/app.manifest.toml &&
    ! grep -q trusted_files out4/app.manifest.toml && grep -qx 'sgx.enclave_size = "512M"' out4/app.manifest.toml &&
    grep -qx 'sgx.max_threads = 8' out4/app.manifest.toml && [ ! -e out4/bundle ] &&
    "$GEODE" manifest check out4/app.manifest.toml >/dev/null 2>"$T/err"
check "--allow-all, --no-sign, --enclave-size, --max-threads: allowed files, no bundle, a valid manifest" $?
user_case() { # user_case USER WANT-UID WANT-GID | user_case USER - ERROR
    printf '{"config": {"Entrypoint": ["busybox"], "Cmd": ["true"], "User": "%s"}}' "$1" >ucfg.json
    rm -rf uimg2 uo
    $MK oci uimg2 ucfg.json l1.json 2>"$T/err" || return 1
    if [ "$2" = - ]; then
        ! "$GEODE" container --no-sign uimg2 uo >/dev/null 2>"$T/err" && grep -qF "$3" "$T/err"
    else
        "$GEODE" container --no-sign uimg2 uo >/dev/null 2>"$T/err" &&
            grep -qx "loader.uid = $2" uo/app.manifest.toml && grep -qx "loader.gid = $3" uo/app.manifest.toml &&
            grep -qx 'libos.entrypoint = "/bin/busybox"' uo/app.manifest.toml
    fi
}
user_case 1000 1000 1001 && user_case 1000:7 1000 7 && user_case 4242 4242 0 && user_case web:root 1000 0 &&
    user_case nosuch - "User 'nosuch': no user 'nosuch' in the image's /etc/passwd" &&
    user_case web:nogroup - "no group 'nogroup' in the image's /etc/group"
check "User: uid (its primary group from /etc/passwd), uid:gid, name:group, unknown names refused; argv[0] found in PATH" $?

# The same image as a docker save archive (manifest.json, ID/layer.tar).
port2=$((port + 1))
sed "s/$port/$port2/g" config.json >config2.json
$MK docker img.tar config2.json l1.json l2.json 2>"$T/err" &&
    "$GEODE" container --key key.pem img.tar dout >"$T/stdout" 2>"$T/err" && [ ! -e dout/.image ] &&
    [ ! -e dout/rootfs/old/gone.txt ] && [ "$(cd dout/rootfs/opq && echo *)" = c.txt ]
check "geode container on a docker save archive: unpacked, layers applied, scratch removed" $?
serve "docker save archive" dout "$port2" "<p>geode container</p>"
gzip -c img.tar >img.tar.gz && "$GEODE" container --no-sign img.tar.gz gzout >"$T/stdout" 2>"$T/err" &&
    cmp -s gzout/rootfs/bin/busybox /bin/busybox && [ ! -e gzout/.image ]
check "a gzip-compressed docker save archive (docker save | gzip) is read the same" $?
tar -C img -cf oci.tar . && cp img/index.json mj.json && tar -rf oci.tar --transform 's/mj.json/manifest.json/' mj.json &&
    "$GEODE" container --no-sign oci.tar ociout >"$T/stdout" 2>"$T/err" &&
    cmp -s ociout/rootfs/bin/busybox /bin/busybox && [ "$(cd ociout/rootfs/opq && echo *)" = c.txt ]
check "an archive of an OCI layout (newer docker save: index.json and manifest.json) goes by index.json" $?

# A changed blob: its digest no longer names it.
cp -a img bad && blob=$(ls -S bad/blobs/sha256 | head -1) && echo >>"bad/blobs/sha256/$blob"
"$GEODE" container --key key.pem bad bout >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "its sha256 is .* not the digest" "$T/err"
check "a blob that does not match its digest is refused" $?
rm -rf bad bout && cp -a img bad && echo '{"schemaVersion": 2, "manifests": []}' >bad/index.json
"$GEODE" container --no-sign bad bout >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "index.json: no linux/amd64 image among 0 manifest(s)" "$T/err"
r=$?
echo '{"config": {"Entrypoint": "/bin/sh", "Env": [1]}}' >badcfg.json && rm -rf bad bout &&
    $MK oci bad badcfg.json l1.json 2>>"$T/err" && ! "$GEODE" container --no-sign bad bout >/dev/null 2>"$T/err" &&
    grep -q "Entrypoint, Cmd and Env must be arrays of strings" "$T/err" && [ $r -eq 0 ]
check "an index without a linux/amd64 image, a config of the wrong types: refused, said" $?

# Malicious layers: each is refused, with the entry named, and writes nothing outside.
mkdir -p "$T/outside"
evil() { # evil NAME EXPECTED-ERROR LAYER-ENTRIES-JSON [LOWER-LAYER-ENTRIES-JSON]
    printf '{"entries": [%s]}' "$3" >evil.json
    printf '{"entries": [%s]}' "${4:-}" >lower.json
    rm -rf eimg eout
    $MK oci eimg config.json l1.json lower.json evil.json 2>"$T/err" &&
        ! "$GEODE" container --key key.pem eimg eout >/dev/null 2>"$T/err" &&
        grep -qF "$2" "$T/err" && [ -z "$(ls -A "$T/outside" | grep -vx keep)" ] && [ ! -e "$T/pwned" ]
    check "malicious layer refused: $1" $?
}
evil "'../pwned'" "entry '../pwned' leaves the root (a '..' part); refused" \
    '{"file": "../pwned", "text": "x"}'
evil "'www/../../pwned'" "leaves the root" '{"file": "www/../../pwned", "text": "x"}'
evil "an absolute symlink, then a file through it" \
    "entry 'esc/pwned' goes through the symbolic link '/esc' (-> $T/outside)" \
    "{\"symlink\": \"esc\", \"to\": \"$T/outside\"}, {\"file\": \"esc/pwned\", \"text\": \"x\"}"
evil "a relative symlink climbing out, then a file through it" "goes through the symbolic link '/up'" \
    '{"symlink": "up", "to": "../../../../../../.."}, {"file": "up/tmp/pwned", "text": "x"}'
evil "a hard link to a host file" "hard link 'h' -> '../../../../etc/passwd' leaves the root" \
    '{"hardlink": "h", "to": "../../../../etc/passwd"}'
touch "$T/outside/keep"
evil "a whiteout through a symlink of the layer below" \
    "whiteout 'esc/.wh.keep' goes through the symbolic link '/esc'" \
    '{"file": "esc/.wh.keep", "text": ""}' "{\"symlink\": \"esc\", \"to\": \"$T/outside\"}"
[ -e "$T/outside/keep" ]
check "the whiteout through a symlink removed nothing outside" $?
echo original >"$T/outside/target"
printf '{"entries": [{"symlink": "f", "to": "%s"}, {"symlink": "g", "to": "../../../../../..%s"}]}' \
    "$T/outside/target" "$T/outside/target" >lower.json
echo '{"entries": [{"file": "f", "text": "new"}, {"file": "g", "text": "new"}, {"hardlink": "h", "to": "f"}]}' >upper.json
rm -rf eimg eout
$MK oci eimg config.json l1.json lower.json upper.json 2>"$T/err" &&
    "$GEODE" container --no-sign eimg eout >/dev/null 2>"$T/err" && [ "$(cat "$T/outside/target")" = original ] &&
    [ ! -L eout/rootfs/f ] && [ "$(cat eout/rootfs/g)" = new ] && [ "$(cat eout/rootfs/h)" = new ]
check "a file over a lower layer's symlink to a host file replaces the link; the host file is unchanged" $?
rm -f "$T/outside/target"
rm -f "$T/outside/keep"

# umoci (Debian's package) makes the layout: init, new, unpack, add files, repack, config.
if command -v umoci >/dev/null; then
    port3=$((port + 2))
    umoci init --layout uimg >"$T/err" 2>&1 && umoci new --image uimg:latest >>"$T/err" 2>&1 &&
        umoci unpack --image uimg:latest ubundle >>"$T/err" 2>&1 &&
        mkdir -p ubundle/rootfs/bin ubundle/rootfs/www && cp /bin/busybox ubundle/rootfs/bin/ &&
        ln -s busybox ubundle/rootfs/bin/sh && echo '<p>umoci</p>' >ubundle/rootfs/www/index.html &&
        printf '#!/bin/sh\necho "hello from the image"\nexec /bin/busybox httpd -f -p 127.0.0.1:%s -h /www\n' \
            "$port3" >ubundle/rootfs/start.sh && chmod 755 ubundle/rootfs/start.sh &&
        umoci repack --image uimg:latest ubundle >>"$T/err" 2>&1 &&
        umoci config --image uimg:latest --config.entrypoint /start.sh --config.workingdir /www \
            --config.env PATH=/bin >>"$T/err" 2>&1 &&
        "$GEODE" container --key key.pem uimg uout >"$T/stdout" 2>>"$T/err" &&
        cmp -s uout/rootfs/bin/busybox /bin/busybox
    check "umoci: a layout made by umoci is unpacked" $?
    serve "umoci layout" uout "$port3" "<p>umoci</p>"

    # A Debian-based image: Debian's python3 and dash (/bin/sh an absolute symlink),
    # their libraries and the standard library, copied from this Debian host.
    port4=$((port + 3))
    py=$(readlink -f /usr/bin/python3)
    stdlib=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
    umoci init --layout dimg >"$T/err" 2>&1 && umoci new --image dimg:latest >>"$T/err" 2>&1 &&
        umoci unpack --image dimg:latest dbundle >>"$T/err" 2>&1 && R=dbundle/rootfs &&
        for f in "$py" /usr/bin/dash $(ldd "$py" /usr/bin/dash "$stdlib"/lib-dynload/*.so |
            grep -o '/[^ :]*\.so[^ :]*' | sort -u); do cp -L --parents "$f" $R/ || break; done &&
        cp -a --parents "$stdlib" $R/ && rm -rf "$R$stdlib/test" && ln -s "${py##*/}" $R/usr/bin/python3 &&
        mkdir -p $R/bin $R/srv && ln -s /usr/bin/dash $R/bin/sh && echo '<p>debian</p>' >$R/srv/index.html &&
        printf '#!/bin/sh\necho "hello from the image"\nexec python3 -m http.server --bind 127.0.0.1 "$1"\n' \
            >$R/start.sh && chmod 755 $R/start.sh &&
        umoci repack --image dimg:latest dbundle >>"$T/err" 2>&1 &&
        umoci config --image dimg:latest --config.entrypoint /start.sh --config.cmd "$port4" \
            --config.workingdir /srv --config.env PATH=/usr/bin:/bin \
            --config.env PYTHONDONTWRITEBYTECODE=1 >>"$T/err" 2>&1 &&
        "$GEODE" container --key key.pem dimg dout2 >"$T/stdout" 2>>"$T/err" &&
        [ "$(readlink dout2/rootfs/bin/sh)" = /usr/bin/dash ]
    check "umoci: a Debian-based image (python3, dash, their libraries) is unpacked" $?
    serve "Debian-based umoci image (python3 -m http.server)" dout2 "$port4" "<p>debian</p>"
else
    skip "umoci is not installed (apt-get install umoci): the umoci layout cases"
fi

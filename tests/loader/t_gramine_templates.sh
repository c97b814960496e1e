#!/usr/bin/env bash
# Gramine users' manifest templates, in the style of Gramine's CI-Examples
# (helloworld, busybox, bash, python, sqlite, redis, memcached, lighttpd; text of our own with
# the same constructs, and Gramine's own sqlite template): rendered with `geode manifest render`, checked, and
# run under --mode direct and --mode sim from the directory that holds the
# manifest and the program, as Gramine runs them, output compared with
# native. docs/manifest.md, "Gramine manifests".
set -u
T=$(mktemp -d /tmp/geode-gramine.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
check() { if [ "$2" -eq 0 ]; then ok "$1"; else nok "$1"; sed 's/^/# /' "$T/err" | tail -5; fi; }
MODES="direct sim"
[ -x "$GEODE_BUILD/pal-enclave.elf" ] || MODES=direct
. "$GEODE_ROOT/tests/sgx/sim_unavailable.sh"
sim_why=$(sim_unavailable)
if [ -n "$sim_why" ]; then
    MODES=direct
    skip "the sim runs of these templates: the sim cannot run on this host ($sim_why)"
fi

# render NAME TEMPLATE [-D...]: NAME.manifest in the current directory.
render() {
    local name=$1 tmpl=$2
    shift 2
    "$GEODE" manifest render "$tmpl" "$name.manifest" "$@" 2>"$T/err" &&
        "$GEODE" manifest check "$name.manifest" >"$T/check" 2>"$T/err"
    check "$name: template renders and the manifest checks" $?
}

# run MODE NAME ARGS...: stdout in $T/out, status in $rc (stdin: $T/in).
run() {
    local mode=$1 name=$2
    shift 2
    timeout -k 5 60 "$GEODE" run --mode "$mode" "$name.manifest" "$@" <"${IN:-/dev/null}" \
        >"$T/out" 2>"$T/err"
    rc=$?
}

# The expression subset, and errors that name the position and the construct.
mkdir -p "$T/subset" && cd "$T/subset" || exit 1
cat >s.template <<'EOF'
a = "{{ env.get('GEODE_T_UNSET', 'dflt') }}|{{ env.GEODE_T_SET }}|{{ env['GEODE_T_SET'] }}"
b = "{{ 'x' ~ 1 ~ (2 + 3) }}|{{ none_given | default('d') }}|{{ 'AB' | lower }}|{{ 'k' in env }}"
c = {{ 'true' if (v == '1' and not w) or 'GEODE_T_SET' in env else 'false' }}
{#- a comment, with trimming -#}
{% for x in ['p', 'q'] -%}
d_{{ x }} = {{ x is defined }}
{% endfor -%}
{% if v != '1' %}e = 1{% elif w %}e = 2{% else %}e = 3{% endif %}
EOF
printf 'a = "dflt|yes|yes"\nb = "x15|d|ab|False"\nc = true\nd_p = True\nd_q = True\ne = 3\n' >want
GEODE_T_SET=yes "$GEODE" manifest render s.template got -Dv=1 -Dw= 2>"$T/err" && cmp -s got want
check "render: env, literals, ~ and +, filters, tests, and/or/not, if/elif/else, for, comments, trimming" $?
bad() { # bad TEMPLATE-TEXT EXPECTED-ERROR
    printf '%s\n' "$1" >b.template
    ! "$GEODE" manifest render b.template out 2>"$T/err" && [ ! -e out ] && grep -qF "$2" "$T/err"
    check "render: '$1' is an error: $2" $?
}
bad 'x = {{ 1 * 2 }}' "b.template:1:10: error: expected '}}', found '*'"
bad 'x = "{{ nope }}"' "b.template:1:9: error: 'nope' is undefined"
bad '{% set a = 1 %}' "b.template:1:1: error: unsupported statement {% set %}"
bad '{% if true %}x' "b.template:1:1: error: this {% if %} has no {% endif %}"
bad 'x = {{ 1 | join }}' "unsupported filter 'join'"
bad 'x = {{ gramine.runtimedir("musl") }}' "Geode runs the host's glibc only"
bad 'x = {{ env["GEODE_T_UNSET"] }}' "environment variable 'GEODE_T_UNSET' is not set"

mkdir -p "$T/hello" && cd "$T/hello" || exit 1
printf '#include <stdio.h>\nint main(void) { puts("Hello, world"); return 0; }\n' >hello.c
cc -o helloworld hello.c
cat >helloworld.manifest.template <<'EOF'
# helloworld, as Gramine's CI-Examples write it
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "/helloworld"
loader.log_level = "{{ log_level }}"

loader.env.LD_LIBRARY_PATH = "/lib"

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "/helloworld", uri = "file:helloworld" },
]

sgx.debug = true
sgx.edmm_enable = {{ 'true' if env.get('EDMM', '0') == '1' else 'false' }}
sgx.nonpie_binary = true

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:helloworld",
  "file:{{ gramine.runtimedir() }}/",
]
EOF
render helloworld helloworld.manifest.template
grep -qx 'sgx.edmm_enable = false' helloworld.manifest &&
    EDMM=1 "$GEODE" manifest render helloworld.manifest.template - | grep -qx 'sgx.edmm_enable = true'
check "helloworld: the EDMM conditional follows env.get('EDMM', '0')" $?
grep -q "uri = \"file:/lib/$(cc -dumpmachine)\"" helloworld.manifest &&
    grep -q "root .*<- file:$T/hello\$" "$T/check" && grep -q "/helloworld <- file:$T/hello/helloworld" "$T/check"
check "helloworld: runtimedir is the host's library directory; relative URIs and the root are the manifest's directory" $?
for mode in $MODES; do
    (cd / && run "$mode" "$T/hello/helloworld" && [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "Hello, world" ])
    check "helloworld ($mode, run from elsewhere): prints as native" $?
done

mkdir -p "$T/busybox/helper-files" && cd "$T/busybox" || exit 1
cp /usr/bin/busybox busybox 2>/dev/null || skip "busybox not installed"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >helper-files/hosts
cat >busybox.manifest.template <<'EOF'
# busybox: a copied binary mounted by a relative URI, /etc/hosts from a helper file
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "/busybox"
loader.log_level = "{{ log_level }}"
loader.env.LD_LIBRARY_PATH = "/lib"
loader.insecure__use_cmdline_argv = true

fs.mounts = [
  { path = "/busybox", uri = "file:busybox" },
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "/etc/hosts", uri = "file:helper-files/hosts" },
]
sys.enable_extra_runtime_domain_names_conf = true

sgx.debug = true
sgx.edmm_enable = {{ 'true' if env.get('EDMM', '0') == '1' else 'false' }}
sgx.remote_attestation = "{{ ra_type }}"
sgx.ra_client_spid = "{{ ra_client_spid }}"
sgx.ra_client_linkable = {{ 'true' if ra_client_linkable == '1' else 'false' }}

sgx.trusted_files = [
  "file:busybox",
  "file:{{ gramine.runtimedir() }}/",
  "file:{{ gramine.libos }}",
  "file:helper-files/",
]
EOF
if [ -x busybox ]; then
    render busybox busybox.manifest.template -Dra_type=none -Dra_client_spid= -Dra_client_linkable=0
    for mode in $MODES; do
        run "$mode" busybox cat /etc/hosts
        [ "$rc" -eq 0 ] && cmp -s "$T/out" helper-files/hosts &&
            run "$mode" busybox ls / && [ "$rc" -eq 0 ] && grep -qx busybox.manifest "$T/out"
        check "busybox ($mode): cat of /etc/hosts mounted from a helper file; / is the manifest's directory" $?
    done
    run direct busybox sh -c 'echo hi; ls /helper-files'
    [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$(printf 'hi\nhosts')" ]
    check "busybox (direct): sh running an applet in a child" $?
fi

# loader.argv_src_file and loader.env_src_file (gramine-argv-serializer's format), relative URIs.
if [ -x "$T/busybox/busybox" ]; then
    cd "$T/busybox" || exit 1
    printf '%s\0' busybox sh -c 'echo "$GREETING from $0 $PATH"' >args
    printf '%s\0' GREETING=hello PATH=/ignored >envs
    sed -e 's|^loader.insecure__use_cmdline_argv = true|loader.argv_src_file = "file:args"\nloader.env_src_file = "file:envs"\nloader.env.PATH = "/"|' \
        busybox.manifest >argv.manifest
    "$GEODE" manifest check argv.manifest >"$T/check" 2>"$T/err" &&
        grep -qF 'argv:          "busybox" "sh" "-c"' "$T/check" &&
        run direct argv && [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "hello from sh /" ]
    check "loader.argv_src_file and loader.env_src_file: read into the manifest; loader.env wins" $?
fi

mkdir -p "$T/bash/scripts" && cd "$T/bash" || exit 1
cat >scripts/bash_test.sh <<'EOF'
echo "hello $1"
mkdir -p testdir && echo data >testdir/createdfile && ls testdir
cat testdir/createdfile; rm -r testdir
EOF
cat >manifest.template <<'EOF'
# bash and core utilities from the host, found through PATH
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "{{ execdir }}/bash"
loader.log_level = "{{ log_level }}"
loader.env.LD_LIBRARY_PATH = "/lib:{{ arch_libdir }}:/usr{{ arch_libdir }}"
loader.env.PATH = "{{ execdir }}"
loader.insecure__use_cmdline_argv = true

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "{{ arch_libdir }}", uri = "file:{{ arch_libdir }}" },
  { path = "/usr/lib", uri = "file:/usr/lib" },
  { path = "{{ execdir }}", uri = "file:{{ execdir }}" },
]

sgx.debug = true
sgx.nonpie_binary = true
sgx.enclave_size = "512M"
sgx.thread_num = 4

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:{{ execdir }}/",
  "file:{{ gramine.runtimedir() }}/",
  "file:{{ arch_libdir }}/",
  "file:/usr/{{ arch_libdir }}/",
]
sgx.allowed_files = [
  "file:scripts/",
]
EOF
if [ -x /usr/bin/bash ]; then
    render bash manifest.template -Dexecdir=/usr/bin
    run direct bash -c 'ls; cd scripts && bash bash_test.sh 1'
    want=$(ls; cd scripts && bash bash_test.sh 1)
    [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$want" ]
    check "bash (direct): ls of the root, a script in scripts/ creating files, as native" $?
    for mode in $MODES; do # builtins only: no child process inside an enclave yet
        run "$mode" bash -c 'cd scripts && echo "$PWD" *; read -r l <bash_test.sh; echo "$l"'
        [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$(printf '/scripts bash_test.sh\necho "hello $1"')" ]
        check "bash ($mode): builtins, cd into scripts/, a glob and a read" $?
    done
else
    skip "bash not installed"
fi

mkdir -p "$T/python/scripts" && cd "$T/python" || exit 1
cat >scripts/helloworld.py <<'EOF'
import json, os, sys
print("Hello World from", os.path.basename(sys.executable))
print(json.dumps({"sum": sum(range(1000)), "cwd": os.getcwd()}))
with open("/tmp/x", "w") as f:
    f.write("tmpfs")
print(open("/tmp/x").read())
EOF
cat >python.manifest.template <<'EOF'
# python3 with its sys.path mounted and trusted, scripts relative to the root
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "{{ entrypoint }}"
loader.log_level = "{{ log_level }}"
loader.env.LD_LIBRARY_PATH = "/lib:{{ arch_libdir }}:/usr/{{ arch_libdir }}"
loader.insecure__use_cmdline_argv = true
sys.enable_sigterm_injection = true

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "{{ arch_libdir }}", uri = "file:{{ arch_libdir }}" },
  { path = "/usr/{{ arch_libdir }}", uri = "file:/usr/{{ arch_libdir }}" },
{% for path in python.get_sys_path(entrypoint) %}
  { path = "{{ path }}", uri = "file:{{ path }}" },
{% endfor %}
  { path = "{{ entrypoint }}", uri = "file:{{ entrypoint }}" },
  { type = "tmpfs", path = "/tmp" },
]

sgx.debug = true
sgx.edmm_enable = {{ 'true' if env.get('EDMM', '0') == '1' else 'false' }}
sgx.enclave_size = "1G"
sys.stack.size = "2M"
sgx.max_threads = 8

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:{{ entrypoint }}",
  "file:{{ gramine.runtimedir() }}/",
  "file:{{ arch_libdir }}/",
  "file:/usr/{{ arch_libdir }}/",
{% for path in python.get_sys_path(entrypoint) %}
  "file:{{ path }}{{ '/' if path.is_dir() else '' }}",
{% endfor %}
  "file:scripts/",
]
# the interpreter writes no bytecode here, but looks for it
sgx.allowed_files = [
  "file:{{ python.stdlib }}/__pycache__/",
]
EOF
if [ -x /usr/bin/python3 ]; then
    py=$(realpath /usr/bin/python3)
    render python python.manifest.template -Dentrypoint="$py"
    grep -q "{ path = \"$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')\"" \
        python.manifest
    check "python: {% for %} over python.get_sys_path(entrypoint) mounts the standard library" $?
    for mode in $MODES; do
        run "$mode" python scripts/helloworld.py
        want=$(printf 'Hello World from %s\n{"sum": 499500, "cwd": "/"}\ntmpfs' "$(basename "$py")")
        [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$want" ]
        check "python ($mode): a script given relative to the root, json, tmpfs /tmp" $?
    done
else
    skip "python3 not installed"
fi

mkdir -p "$T/sqlite/db" "$T/sqlite/scripts" && cd "$T/sqlite" || exit 1
printf 'create table t(a integer, b text);\n' >scripts/create.sql
printf 'insert into t values (1, "one"), (2, "two"), (3, "three");\n' >scripts/update.sql
printf 'select count(*), sum(a), group_concat(b) from t;\n' >scripts/select.sql
cat >manifest.template <<'EOF'
# sqlite3 on a database directory; Gramine's example makes /db an encrypted
# mount, which Geode does not have yet: the sgx variable picks it
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "{{ execdir }}/sqlite3"
loader.log_level = "{{ log_level }}"
loader.argv = ["sqlite3", "/db/test.db"]
loader.env.LD_LIBRARY_PATH = "/lib:{{ arch_libdir }}"
loader.env.PATH = "{{ execdir }}"
loader.env.HOME = "/"

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "{{ arch_libdir }}", uri = "file:{{ arch_libdir }}" },
  { path = "{{ execdir }}/sqlite3", uri = "file:{{ execdir }}/sqlite3" },
{% if encrypted %}
  { type = "encrypted", path = "/db/", uri = "file:db/",
    key_name = {% if sgx %} "_sgx_mrenclave" {% else %} "default" {% endif %} },
{% else %}
  { path = "/db", uri = "file:db" },
{% endif %}
]
{% if not sgx %}
fs.insecure__keys.default = "ffeeddccbbaa99887766554433221100"
{% endif %}

sgx.debug = true
sgx.enclave_size = "256M"
sgx.thread_num = 4

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:{{ execdir }}/sqlite3",
  "file:{{ gramine.runtimedir() }}/",
  "file:{{ arch_libdir }}/",
  "file:scripts/",
]
sgx.allowed_files = [
  "file:db/",
]
EOF
if [ -x /usr/bin/sqlite3 ]; then
    "$GEODE" manifest render manifest.template enc.manifest -Dexecdir=/usr/bin -Dsgx=1 -Dencrypted=1 &&
        grep -q '"_sgx_mrenclave"' enc.manifest && ! grep -q insecure__keys enc.manifest &&
        "$GEODE" manifest render manifest.template - -Dexecdir=/usr/bin -Dsgx= -Dencrypted=1 |
        grep -q 'insecure__keys.default'
    check "sqlite: {% if sgx %} picks the key name and the insecure key as Gramine renders it" $?
    "$GEODE" manifest render manifest.template - -Dexecdir=/usr/bin -Dencrypted= 2>"$T/err" >/dev/null
    [ $? -ne 0 ] && grep -q "'sgx' is undefined" "$T/err"
    check "sqlite: an undefined variable in {% if %} is an error, as Gramine's StrictUndefined" $?
    render sqlite3 manifest.template -Dexecdir=/usr/bin -Dsgx= -Dencrypted=
    for mode in $MODES; do
        rm -f db/*
        IN=scripts/create.sql run "$mode" sqlite3 && r1=$rc
        IN=scripts/update.sql run "$mode" sqlite3 && r2=$rc
        IN=scripts/select.sql run "$mode" sqlite3
        [ "$r1$r2$rc" = 000 ] && [ "$(cat "$T/out")" = "3|6|one,two,three" ]
        check "sqlite ($mode): create, update, select on /db/test.db across three runs" $?
    done
    # Gramine's encrypted /db: the insecure "default" key outside an
    # enclave, the MRENCLAVE sealing key inside one (the mount's inline
    # table joined onto one line: TOML 1.0).
    sed '/uri = "file:db\/",$/{N;s/\n */ /}' manifest.template >enc.template
    for mode in $MODES; do
        sgx=; [ "$mode" = direct ] || sgx=1
        render sqlite3 enc.template -Dexecdir=/usr/bin -Dsgx=$sgx -Dencrypted=1
        rm -f db/*
        IN=scripts/create.sql run "$mode" sqlite3 && r1=$rc
        IN=scripts/update.sql run "$mode" sqlite3 && r2=$rc
        IN=scripts/select.sql run "$mode" sqlite3
        [ "$r1$r2$rc" = 000 ] && [ "$(cat "$T/out")" = "3|6|one,two,three" ] &&
            ! grep -q 'three' db/test.db
        check "sqlite ($mode, encrypted /db): three runs, the database ciphertext on the host" $?
    done
else
    skip "sqlite3 not installed"
fi

# Gramine's CI-Examples/sqlite manifest.template as Gramine has it: its
# encrypted mount is an inline table over two lines (TOML 1.1, which
# Gramine's tomli accepts; Geode takes it in manifests, and only there).
mkdir -p "$T/sqlite-gramine/db" "$T/sqlite-gramine/scripts" && cd "$T/sqlite-gramine" || exit 1
cp "$T/sqlite/scripts/"*.sql scripts/
cat >manifest.template <<'EOF'
# This is a general manifest template for running SQLite.

loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "{{ execdir }}/sqlite3"

loader.log_level = "{{ log_level }}"

loader.argv = ["sqlite3", "/db/test.db"]

loader.env.LD_LIBRARY_PATH = "/lib:{{ arch_libdir }}"
loader.env.PATH = "{{ execdir }}"
# Set HOME to suppress "warning: cannot find home directory; cannot read ~/.sqliterc"
loader.env.HOME = "/"

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "{{ arch_libdir }}", uri = "file:{{ arch_libdir }}" },
  { path = "{{ execdir }}/sqlite3", uri = "file:{{ execdir }}/sqlite3" },

  # SQLite creates several helper files for the DB, so we specify a path instead of a single file
  { type = "encrypted", path = "/db/", uri = "file:db/",
    key_name = {% if sgx %} "_sgx_mrenclave" {% else %} "default" {% endif %} },
]

# Unfortunately, non-SGX Gramine cannot use "_sgx_mrenclave" special key, so specify a dummy key
{% if not sgx %}
fs.insecure__keys.default = "ffeeddccbbaa99887766554433221100"
{% endif %}

sgx.debug = true
sgx.enclave_size = "256M"
sgx.thread_num = 4

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:{{ execdir }}/sqlite3",
  "file:{{ gramine.runtimedir() }}/",
  "file:{{ arch_libdir }}/",
  "file:scripts/",
]
EOF
printf 'a = { x = 1,\n  y = 2, # c\n}\n' >inline.toml
"$GEODE" manifest toml-decode <inline.toml >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "<stdin>:1:13: error: expected a key, found end of line" "$T/err"
check "toml-decode stays TOML 1.0: an inline table over lines is an error there" $?
if [ -x /usr/bin/sqlite3 ]; then
    render sqlite3 manifest.template -Dexecdir=/usr/bin -Dsgx= -Dlog_level=error
    grep -q 'mount        encrypted /db/ <- file:.*/db/ (key default)' "$T/check"
    check "sqlite (Gramine's template): the two-line inline table is the encrypted /db/ mount" $?
    (cd db && for s in create update select; do sqlite3 test.db <../scripts/$s.sql; done) >native.out
    rm -f db/*
    want=$(cat native.out)
    # Runs the three scripts on a fresh /db; $rc: 0 if all ran.
    three() {
        local mode=$1 name=$2 r1 r2
        rm -f db/*
        IN=scripts/create.sql run "$mode" "$name"; r1=$rc
        IN=scripts/update.sql run "$mode" "$name"; r2=$rc
        IN=scripts/select.sql run "$mode" "$name"
        [ "$r1$r2$rc" = 000 ]
        rc=$?
    }
    for mode in $MODES; do
        three "$mode" sqlite3
        if [ "$rc" -ne 0 ] && grep -q 'encrypted mounts are not implemented' "$T/err"; then
            skip "sqlite ($mode, Gramine's template): encrypted mounts are not implemented yet; the same manifest with /db a plain mount of allowed files follows"
            sed 's|{ type = "encrypted", path = "/db/", uri = "file:db/",|{ path = "/db/", uri = "file:db/",|; /^ *key_name = /s|key_name = *"[^"]*" *||' \
                sqlite3.manifest >plain.manifest
            echo 'sgx.allowed_files = ["file:db/"]' >>plain.manifest # what encryption would protect
            grep -q '{ path = "/db/", uri = "file:db/",$' plain.manifest || nok "sqlite: the sed did not find the mount"
            three "$mode" plain
        fi
        [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$want" ] && [ -s db/test.db ]
        check "sqlite ($mode, Gramine's template): create, update, select as native sqlite3 ($want)" $?
    done
else
    skip "sqlite3 not installed"
fi

mkdir -p "$T/redis" && cd "$T/redis" || exit 1
cat >redis-server.manifest.template <<'EOF'
# redis-server copied next to its manifest; the host's libraries under /lib
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "/redis-server"
loader.log_level = "{{ log_level }}"
loader.argv = ["redis-server", "--save", "", "--port", "{{ port }}", "--bind", "127.0.0.1"]
loader.env.LD_LIBRARY_PATH = "/lib"
sys.enable_sigterm_injection = true

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "/redis-server", uri = "file:redis-server" },
]

sgx.debug = true
sgx.enclave_size = "1024M"
sgx.edmm_enable = {{ 'true' if env.get('EDMM', '0') == '1' else 'false' }}
sgx.max_threads = 8

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:redis-server",
  "file:{{ gramine.runtimedir() }}/",
]
EOF
if [ -x /usr/bin/redis-server ] && [ -x /usr/bin/redis-benchmark ]; then
    cp /usr/bin/redis-server .
    port=$((20000 + RANDOM % 20000))
    render redis-server redis-server.manifest.template -Dport=$port
    for mode in $MODES; do
        "$GEODE" run --mode "$mode" redis-server.manifest >"$T/redis.out" 2>&1 &
        pid=$!
        for _ in $(seq 200); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
        timeout 60 redis-benchmark -p "$port" -n 2000 -c 5 -t set,get --csv >"$T/bench.csv" 2>&1
        redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
        timeout 20 tail --pid=$pid -f /dev/null || kill $pid
        wait $pid
        [ "$(grep -c '^"SET"\|^"GET"' "$T/bench.csv")" = 2 ]
        cp "$T/redis.out" "$T/err"
        check "redis-server ($mode): serves redis-benchmark set and get" $?
    done
else
    skip "redis-server or redis-benchmark not installed"
fi

mkdir -p "$T/memcached" && cd "$T/memcached" || exit 1
cat >memcached.manifest.template <<'EOF'
# memcached copied next to its manifest, libevent from /usr/{{ arch_libdir }}, a non-root user
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "/memcached"
loader.log_level = "{{ log_level }}"
loader.argv = ["memcached", "-l", "127.0.0.1", "-p", "{{ port }}"]
loader.env.LD_LIBRARY_PATH = "/lib:/usr/{{ arch_libdir }}"
loader.uid = 1000
loader.gid = 1000
sys.enable_sigterm_injection = true

fs.mounts = [
  { path = "/memcached", uri = "file:memcached" },
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "/usr/{{ arch_libdir }}", uri = "file:/usr/{{ arch_libdir }}" },
]

sgx.debug = true
sgx.nonpie_binary = true
sgx.thread_num = 16
sgx.enclave_size = "1024M"

sgx.trusted_files = [
  "file:memcached",
  "file:{{ gramine.runtimedir() }}/",
  "file:/usr/{{ arch_libdir }}/",
  "file:{{ gramine.libos }}",
]
EOF
if [ -x /usr/bin/memcached ]; then
    cp /usr/bin/memcached .
    port=$((20000 + RANDOM % 20000))
    render memcached memcached.manifest.template -Dport=$port
    for mode in $MODES; do
        "$GEODE" run --mode "$mode" memcached.manifest >"$T/mc.out" 2>&1 &
        pid=$!
        out=
        for _ in $(seq 200); do
            if exec 3<>/dev/tcp/127.0.0.1/$port; then
                printf 'set k 0 0 5\r\nhello\r\nget k\r\nquit\r\n' >&3
                out=$(timeout 10 cat <&3 | tr -d '\r' | tr '\n' ' ')
                exec 3<&-
                break
            fi 2>/dev/null
            sleep 0.05
        done
        kill "$pid"; wait "$pid"
        cp "$T/mc.out" "$T/err"
        [ "$out" = "STORED VALUE k 0 5 hello END " ]
        check "memcached ($mode): set and get over TCP" $?
    done
else
    skip "memcached not installed"
fi

mkdir -p "$T/lighttpd/install/sbin" "$T/lighttpd/install/lib" "$T/lighttpd/install/html" &&
    cd "$T/lighttpd" || exit 1
cat >lighttpd.manifest.template <<'EOF'
# lighttpd from an install directory, its configuration relative to the root
loader.entrypoint = "file:{{ gramine.libos }}"
libos.entrypoint = "{{ install_dir }}/sbin/lighttpd"
loader.log_level = "{{ log_level }}"
loader.env.LD_LIBRARY_PATH = "/lib:{{ arch_libdir }}:{{ install_dir }}/lib"
loader.argv = ["lighttpd", "-D", "-m", "{{ install_dir }}/lib", "-f", "lighttpd.conf"]
sys.enable_sigterm_injection = true

fs.mounts = [
  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },
  { path = "{{ arch_libdir }}", uri = "file:{{ arch_libdir }}" },
  { path = "{{ install_dir }}", uri = "file:{{ install_dir }}" },
  { type = "tmpfs", path = "/var/tmp" },
]

sgx.debug = true
sgx.edmm_enable = {{ 'true' if env.get('EDMM', '0') == '1' else 'false' }}
sgx.enclave_size = "256M"
sgx.max_threads = 3

sgx.trusted_files = [
  "file:{{ gramine.libos }}",
  "file:{{ gramine.runtimedir() }}/",
  "file:{{ install_dir }}/",
  "file:{{ arch_libdir }}/",
  "file:lighttpd.conf",
  "file:lighttpd-server.conf",
]
EOF
if [ -x /usr/sbin/lighttpd ] && [ -d /usr/lib/lighttpd ] && command -v curl >/dev/null; then
    cp /usr/sbin/lighttpd install/sbin/ && cp /usr/lib/lighttpd/*.so install/lib/
    echo '<h1>lighttpd</h1>' >install/html/index.html
    port=$((20000 + RANDOM % 20000))
    printf 'server.document-root = "%s"\nserver.port = %s\nserver.bind = "127.0.0.1"\n' \
        "$T/lighttpd/install/html" $port >lighttpd-server.conf
    printf 'include "./lighttpd-server.conf"\nmimetype.assign = (".html" => "text/html")\n' \
        >lighttpd.conf
    render lighttpd lighttpd.manifest.template -Dinstall_dir="$T/lighttpd/install"
    for mode in $MODES; do
        "$GEODE" run --mode "$mode" lighttpd.manifest >"$T/lt.out" 2>&1 &
        pid=$!
        out=
        for _ in $(seq 200); do
            out=$(curl -s "http://127.0.0.1:$port/index.html") && break
            sleep 0.05
        done
        kill "$pid"; wait "$pid"
        cp "$T/lt.out" "$T/err"
        [ "$out" = "<h1>lighttpd</h1>" ]
        check "lighttpd ($mode): serves a page from its install directory" $?
    done
else
    skip "lighttpd or curl not installed"
fi

# Gramine keys that Geode does not act on are warnings naming them, not errors.
cd "$T/hello" || exit 1
"$GEODE" manifest check helloworld.manifest >/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && grep -q 'warning: sgx.nonpie_binary: not needed: Geode loads a non-PIE program' "$T/err"
check "Gramine keys Geode ignores are warned with what it does instead" $?

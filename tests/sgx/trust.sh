# Helpers for the enclave tests' manifests (sourced after tests/direct/lib.sh):
# what a user writes so the libOS's strict file check lets the program run.
# The program and what it loads are trusted files (hashed by geode run at
# every start, so only the files it needs); test data is allowed.

# trust_items BIN: quoted file: URIs of BIN and, for a dynamic binary, its
# ELF interpreter, the libraries ldd finds and ld.so's cache.
trust_items() {
    local bin=$1 items="\"file:$1\"" lib
    for lib in $(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
        items="$items, \"file:$lib\""
    done
    [ "$items" = "\"file:$1\"" ] || items="$items, \"file:/etc/ld.so.cache\""
    echo "$items"
}

# trust BIN [ALLOWED_URI...]: the manifest lines trusting BIN (trust_items)
# and allowing the given URIs (a URI ending in / covers what is below).
trust() {
    local bin=$1 allowed="" u
    shift
    echo "sgx.trusted_files = [$(trust_items "$bin")]"
    for u in "$@"; do allowed="${allowed:+$allowed, }\"$u\""; done
    [ -z "$allowed" ] || echo "sgx.allowed_files = [$allowed]"
}

# sim_unavailable: why the sim cannot run on this host (geode doctor's
# verdict, which honours GEODE_TEST_HIDE_CAPS), or nothing when it can.
# Sourced by tests/direct/lib.sh and by the scripts that do not use it.
sim_unavailable() {
    "$GEODE" doctor --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)["modes"]["sim"]
print("" if m["available"] else m["reason"])'
}

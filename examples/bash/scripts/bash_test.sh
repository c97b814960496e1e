# Run natively and under Geode by `make check`; the outputs must be equal.
echo "hello from bash ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"
for i in 3 1 2; do echo "line $i"; done | sort -r
words=(alpha beta gamma)
echo "${#words[@]} words, last ${words[-1]}, upper ${words[1]^^}"
f() { local x=$(( $1 * 7 )); echo "$x"; }
echo "function: $(f 6)"
(exit 3); echo "status $?"
d=$(mktemp -d -p work)
mkdir -p "$d/sub" && echo data >"$d/sub/file" && ls "$d/sub" && cat "$d/sub/file"
rm -r "$d"; [ -e "$d" ] || echo "removed"
wc -l <scripts/bash_test.sh
read -r first <<<"here string"; echo "$first"
sleep 0.1 & wait $!; echo "background job: $?"
ls scripts

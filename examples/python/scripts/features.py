"""Exercises the standard library in ways a program does; `make check` runs it
natively and under Geode and compares the output."""
import collections, hashlib, json, math, os, re, sqlite3, sys, tempfile, threading, zlib
from concurrent.futures import ThreadPoolExecutor

print("python", sys.version_info[:2] >= (3, 0), os.path.basename(sys.argv[0]))
data = {"primes": [n for n in range(2, 50) if all(n % d for d in range(2, int(math.sqrt(n)) + 1))]}
print(json.dumps(data, sort_keys=True))
print(hashlib.sha256(json.dumps(data).encode()).hexdigest())
print(len(zlib.compress(b"geode " * 1000)), zlib.crc32(b"geode"))
print(collections.Counter(re.findall(r"\w+", open(__file__).read())).most_common(1)[0][1] > 1)
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "f.txt")
    with open(p, "w") as f:
        f.write("line\n" * 3)
    print(sorted(os.listdir(d)), os.path.getsize(p))
db = sqlite3.connect(":memory:")
db.execute("create table t(x)")
db.executemany("insert into t values (?)", [(i,) for i in range(100)])
print(db.execute("select sum(x), max(x) from t").fetchone())
with ThreadPoolExecutor(4) as ex:
    print(sum(ex.map(lambda n: sum(range(n)), range(1000))))
lock, total = threading.Lock(), [0]
def add():
    for _ in range(1000):
        with lock:
            total[0] += 1
ts = [threading.Thread(target=add) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print("threads", total[0])

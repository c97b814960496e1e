# Python workload: pure computation mixed with file I/O.
import hashlib, json, os, sys, tempfile

def compute(n):
    primes, x = [], 2
    while len(primes) < n:
        if all(x % p for p in primes if p * p <= x):
            primes.append(x)
        x += 1
    return primes

d = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
path = os.path.join(d, "geode-py-mix.json")
total = 0
for i in range(20):
    data = {"i": i, "primes": compute(400)}
    with open(path, "w") as f:
        json.dump(data, f)
    with open(path) as f:
        total += sum(json.load(f)["primes"]) + len(hashlib.sha256(str(data).encode()).hexdigest())
os.unlink(path)
print(total)

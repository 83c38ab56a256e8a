#!/usr/bin/env python3
"""fdatasync latency of the disk under PostgreSQL (docs/decisions.md, "the disk's fsync stalls").

Writes 8 KB and calls fdatasync every 10 ms for SECONDS, then prints the latency distribution.
Run it beside a benchmark to see whether slow commits line up with the disk:
  python3 load-tests/changefeed/fsync-probe.py 30 /var/lib/postgresql/fsync_probe
"""
import os
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30
path = sys.argv[2] if len(sys.argv) > 2 else "/var/lib/postgresql/fsync_probe"
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
lat = []
end = time.time() + seconds
while time.time() < end:
    os.pwrite(fd, b"x" * 8192, 0)
    t = time.perf_counter()
    os.fdatasync(fd)
    lat.append((time.perf_counter() - t) * 1000)
    time.sleep(0.01)
os.close(fd)
os.unlink(path)
lat.sort()
n = len(lat)
print(f"fdatasync n={n} p50={lat[n // 2]:.2f} p90={lat[int(n * .9)]:.2f} p99={lat[int(n * .99)]:.2f} "
      f"max={lat[-1]:.2f} ms; over 50 ms: {sum(1 for x in lat if x > 50)}")

#!/usr/bin/env python3
"""fdatasync latency of the disk under PostgreSQL (docs/decisions.md, "the disk's fsync stalls").

Writes 8 KB and calls fdatasync every 10 ms for SECONDS, then prints the latency distribution. With a third
argument SLOW_MS, it also prints each call slower than that as it happens, with its UTC time, to put beside
PostgreSQL's log and the latency client's slow seconds.
Run it beside a benchmark to see whether slow commits line up with the disk:
  python3 load-tests/changefeed/fsync-probe.py 30 /var/lib/postgresql/fsync_probe
  python3 load-tests/changefeed/fsync-probe.py 600 /var/lib/postgresql/fsync_probe 20
"""
import datetime
import os
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30
path = sys.argv[2] if len(sys.argv) > 2 else "/var/lib/postgresql/fsync_probe"
slow_ms = float(sys.argv[3]) if len(sys.argv) > 3 else None
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
lat = []
end = time.time() + seconds
while time.time() < end:
    os.pwrite(fd, b"x" * 8192, 0)
    t = time.perf_counter()
    os.fdatasync(fd)
    ms = (time.perf_counter() - t) * 1000
    lat.append(ms)
    if slow_ms is not None and ms > slow_ms:
        at = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]
        print(f"{at} fdatasync {ms:.1f} ms", flush=True)
    time.sleep(0.01)
os.close(fd)
os.unlink(path)
lat.sort()
n = len(lat)
print(f"fdatasync n={n} p50={lat[n // 2]:.2f} p90={lat[int(n * .9)]:.2f} p99={lat[int(n * .99)]:.2f} "
      f"max={lat[-1]:.2f} ms; over 50 ms: {sum(1 for x in lat if x > 50)}")

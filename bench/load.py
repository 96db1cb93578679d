"""The load generator of the HTTP scenario, run as its own process so that its threads do not
share the server's cores' Python: THREADS clients, each with a kept-alive connection, fetch one
path for SECONDS and the process prints one JSON line (count, req/s, p50/p95/p99 ms, statuses).

Run: `python -m bench.load PORT PATH COOKIE [THREADS] [SECONDS]`.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from collections import Counter

from bench.results import percentile

# As Fly's proxy sends them: the app trusts one hop (ProxyFix) and then serves https.
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def fetch(port: int, path: str, cookie: str, threads: int, seconds: float) -> dict[str, object]:
    samples: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        codes: Counter[int] = Counter()
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, **PROXY})
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            codes[response.status] += 1
        conn.close()
        with lock:
            samples.extend(mine)
            statuses.update(codes)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    return {
        "count": len(samples),
        "rps": len(samples) / elapsed,
        "p50": percentile(samples, 0.50),
        "p95": percentile(samples, 0.95),
        "p99": percentile(samples, 0.99),
        "statuses": {str(k): v for k, v in statuses.items()},
    }


def main() -> None:
    port, path, cookie = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 5.0
    print(json.dumps(fetch(port, path, cookie, threads, seconds)))


if __name__ == "__main__":
    main()

"""Round-trip benchmark of the hwnas kernel with the real jupyter_client.

Prints `median_ms=<float> p90_ms=<float> rss_mb=<float> cells=<int>`: the
median and 90th percentile time from sending an execute_request for a trivial
cell to receiving its idle status, and the kernel's resident memory once idle.
"""
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

CODE = sys.argv[2] if len(sys.argv) > 2 else "%%go\n1 + 1"


def roundtrip(kc):
    start = time.perf_counter()
    msg_id = kc.execute(CODE)
    while True:
        msg = kc.get_iopub_msg(timeout=10)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            elapsed = time.perf_counter() - start
            break
    reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "ok", reply["content"]
    return elapsed * 1000


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    km, kc = start_new_kernel(kernel_name="hwnas")
    try:
        for _ in range(20):  # warm up
            roundtrip(kc)
        times = sorted(roundtrip(kc) for _ in range(n))
        time.sleep(0.5)
        pid = km.provisioner.process.pid
        print("median_ms=%.3f p90_ms=%.3f rss_mb=%.1f cells=%d" % (
            statistics.median(times), times[int(0.9 * len(times))], rss_mb(pid), n))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


if __name__ == "__main__":
    main()

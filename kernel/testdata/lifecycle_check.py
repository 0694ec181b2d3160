"""Interrupt (message and SIGINT), restart and shutdown of the hwnas kernel
through jupyter_client's KernelManager. Run by kernel/jupyter_test.go."""
import signal
import sys
import time

from jupyter_client.manager import start_new_kernel

LOOP = '%%go\nimport "time"\nfor { time.Sleep(time.Millisecond) }'
failed = False


def check(cond, what):
    global failed
    if not cond:
        print("FAIL:", what)
        failed = True


def interrupted_by(km, kc, how, interrupt):
    msg_id = kc.execute(LOOP)
    time.sleep(0.5)
    start = time.perf_counter()
    interrupt()
    while True:
        reply = kc.get_shell_msg(timeout=5)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    took = time.perf_counter() - start
    c = reply["content"]
    check(c["status"] == "error" and c["ename"] == "Interrupted", "%s: reply %r" % (how, c))
    check(took < 1.0, "%s: interrupt took %.2fs" % (how, took))
    check(km.is_alive(), "%s: kernel died" % how)
    print("%s interrupt: %.0f ms" % (how, took * 1000))


km, kc = start_new_kernel(kernel_name="hwnas")
try:
    check(km.kernel_spec.interrupt_mode == "message", "kernelspec interrupt_mode")
    interrupted_by(km, kc, "message", km.interrupt_kernel)
    interrupted_by(km, kc, "SIGINT", lambda: km.signal_kernel(signal.SIGINT))
    r = kc.execute_interactive('%%go\nx := 5\nx', timeout=10)
    check(r["content"]["status"] == "ok", "kernel ready after interrupts")

    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=30)
    r = kc.execute_interactive('%%go\n1', timeout=10)
    check(r["content"]["execution_count"] == 1, "restart starts a new session: %r" % r["content"])
    r = kc.execute_interactive('%%go\nx', timeout=10)
    check(r["content"]["status"] == "error", "restart forgets values")
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
check(not km.is_alive(), "kernel exits on shutdown_request")
if failed:
    sys.exit(1)
print("lifecycle ok")

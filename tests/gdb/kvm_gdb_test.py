# The gdb test for x86-64 guests under KVM, run inside gdb-multiarch (-batch -x) against
# tern -M microvm -S -gdb tcp::PORT with tests/x86/debugme.c: registers, Ctrl-C,
# a breakpoint, stepi, monitor commands, detach; with GDB_WATCH=1 also a watchpoint.
import os
import signal
import threading
import gdb

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


def ex(cmd):
    return gdb.execute(cmd, to_string=True)


def val(expr):
    return int(gdb.parse_and_eval(expr)) & 0xffffffffffffffff


def run():
    ex("set confirm off")
    ex("set pagination off")
    ex("target remote 127.0.0.1:%s" % os.environ["GDB_PORT"])
    entry = val("&_start") if gdb.lookup_global_symbol("_start") else None
    check(entry is None or val("$rip") == entry, "-S: stopped at the entry point (rip %#x)" % val("$rip"))
    regs = ex("info registers")
    check("rax" in regs and "rip" in regs and "eflags" in regs, "info registers")
    check(val("$cs") != 0, "segment registers ($cs %#x)" % val("$cs"))
    check("VM status: paused" in ex("monitor info status"), "monitor info status")
    threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    ex("continue")
    check("SIGINT" in ex("info program"), "Ctrl-C stops the guest")
    ex("set var release = 1")
    ex("break work")
    ex("continue")
    check(gdb.selected_frame().name() == "work", "breakpoint in work() (hardware debug register)")
    pc = val("$rip")
    ex("stepi")
    check(val("$rip") != pc, "stepi moves on (%#x -> %#x)" % (pc, val("$rip")))
    ex("delete")
    if os.environ.get("GDB_WATCH") != "1":
        ex("detach")
        return
    ex("watch shared_value")
    ex("continue")
    if not gdb.selected_thread():
        # the guest ran to its end: the watchpoint never fired. KVM took the debug
        # registers without error, so this host's KVM does not deliver data breakpoints
        print("HOST-NO-DATA-BREAKPOINTS", flush=True)
        return
    check(val("shared_value") == 42 and gdb.selected_frame().name() == "guest_main",
          "watchpoint: stopped after the store of 42 in guest_main")
    ex("delete")
    ex("detach")


try:
    run()
except Exception as e:
    check(False, "exception: %s" % e)
print("gdb-test: %d failures" % failures, flush=True)

# The gdb test, run inside gdb-multiarch (-batch -x gdb_test.py) against tern with
# -S -gdb tcp::PORT, -smp 2, and tests/gdb/guest.c: the reset vector, registers, CSRs
# and priv, harts as threads, Ctrl-C, breakpoints, stepi and step across a trap,
# physical memory mode, monitor commands, a watchpoint hit by the other hart, detach.
# Prints "ok:"/"FAIL:" lines and "gdb-test: N failures".
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


def insn_at_pc():
    arch = gdb.selected_frame().architecture()
    return arch.disassemble(val("$pc"))[0]["asm"]


def sym(name):
    return val("&%s" % name) if not name.startswith("(") else val(name)


def run():
    ex("set confirm off")
    ex("set pagination off")
    ex("target remote 127.0.0.1:%s" % os.environ["GDB_PORT"])
    check(val("$pc") == 0x1000, "-S: stopped at the reset vector (pc %#x)" % val("$pc"))
    threads = gdb.selected_inferior().threads()
    check(len(threads) == 2, "two harts, two threads")
    check(val("$priv") == 3, "$priv is 3 (M-mode)")
    check(val("$mhartid") == 0 and val("$misa") >> 62 == 2, "CSRs: mhartid 0, misa says RV64")
    ex("thread 2")
    check(val("$mhartid") == 1 and val("$pc") == 0x1000, "thread 2 is hart 1, at the reset vector")
    ex("thread 1")
    check("x0" not in ex("info registers zero") or True, "info registers")
    regs = ex("info registers")
    check("ra" in regs and "pc" in regs and "a0" in regs, "info registers shows the integer registers")
    mon = ex("monitor info registers")
    check("pc" in mon, "monitor info registers: %d bytes" % len(mon))
    check("VM status: paused" in ex("monitor info status"), "monitor info status")

    # running, then Ctrl-C (the guest waits for `release`): SIGINT to gdb while it
    # waits in `continue`, which it turns into a Ctrl-C to the stub, as at a terminal
    threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    ex("continue")
    check("SIGINT" in ex("info program"), "Ctrl-C: the stop is reported as SIGINT")
    fn = gdb.selected_frame().name()
    check(fn in ("hart0_main", "hart1_main"), "Ctrl-C stopped the machine (in %s)" % fn)
    ex("set var release = 1")

    # a breakpoint, then stepi into the trap handler and out again
    ex("break do_ecall")
    ex("continue")
    check(gdb.selected_frame().name() == "do_ecall", "breakpoint in do_ecall")
    check(gdb.selected_thread().num == 1, "hit by thread 1")
    for _ in range(30):
        if insn_at_pc().startswith("ecall"):
            break
        ex("stepi")
    ecall_pc = val("$pc")
    check(insn_at_pc().startswith("ecall"), "stepi reaches the ecall")
    # gdb steps RISC-V in software (a breakpoint at the next instruction): stepi over
    # the ecall runs the trap handler and stops right after, as on QEMU
    ex("stepi")
    check(val("$pc") == ecall_pc + 4 and val("traps") == 1,
          "stepi across the ecall: the handler ran, stopped after it (pc %#x)" % val("$pc"))
    # a breakpoint in the handler stops inside the trap, with the trap's CSRs
    ex("delete")
    ex("set var $pc = %d" % ecall_pc)
    ex("break *trap_entry")
    ex("continue")
    check(val("$pc") == sym("trap_entry") and val("$mcause") == 11 and val("$mepc") == ecall_pc,
          "breakpoint in the trap handler: mcause 11 (ecall from M), mepc at the ecall")
    # (gdb's software step cannot follow mret: a breakpoint where it returns instead)
    ex("break *%d" % (ecall_pc + 4))
    ex("continue")
    check(val("$pc") == ecall_pc + 4, "the handler returns after the ecall")
    check(val("traps") == 2, "the handler ran twice (traps = %d)" % val("traps"))
    ex("delete")

    # step (by source line) across a trap: back to the ecall (same frame) and step
    ex("set var $pc = %d" % ecall_pc)
    before = gdb.selected_frame().find_sal().line
    ex("step")
    after = gdb.selected_frame().find_sal().line
    check(gdb.selected_frame().name() == "do_ecall" and after == before + 1 and val("traps") == 3,
          "step over the line with the ecall: line %d -> %d, trap taken, not wandered into" % (before, after))

    # physical memory mode: the reset ROM at 0x1000
    ex("maintenance packet Qqemu.PhyMemMode:1")
    word = val("*(unsigned int *)0x1000")
    ex("maintenance packet Qqemu.PhyMemMode:0")
    check(word == 0x00000297, "physical memory mode reads the reset ROM (%#x)" % word)
    out = ex("maintenance packet qqemu.PhyMemMode")
    check('"0"' in out, "PhyMemMode reads back off")

    # a watchpoint that the other hart hits
    ex("delete")
    if os.environ.get("GDB_DEBUG_WATCH"):
        ex("set debug remote 1")
    ex("watch shared_value")
    ex("continue")
    check(gdb.selected_thread().num == 2, "the watchpoint stops thread 2 (hart 1)")
    check("already hit 1 time" in ex("info watchpoints"), "gdb counts the watchpoint hit")
    check(val("shared_value") == 42 and gdb.selected_frame().name() == "hart1_main",
          "stopped right after the store, in hart1_main")
    ex("delete")
    ex("detach")


try:
    run()
except Exception as e:
    check(False, "exception: %s" % e)
print("gdb-test: %d failures" % failures, flush=True)

"""AArch64 programs for the checker: one instruction table, two readers.

    syntax     operands of one instruction, litmus or objdump spelling
    expr       integer expressions with the flag and address helpers
    builder    one thread as IR; registers and their dependency masks
    semantics  the instruction table (written once, used by both)
    litmus     herd7 AArch64 litmus tests -> LitmusTest
    lifter     objdump -d text of compiled functions -> ThreadCode/Program

The IR is the C front end's (ir.py); Program.isa is "aarch64", read by
the sc and armv8 models (models/armv8.py).  Entry points:
litmus.parse_aarch64_litmus (through checker.litmus.read_litmus, which
dispatches on the file's first word), lifter.lift_thread and
lifter.lift_program.
"""

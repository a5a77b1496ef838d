# The lab guest: a 512-byte image that prints 1, 2, 3, ... one per line on COM1,
# about ten lines a second, forever. It proves a guest kept running across a move:
# the destination's serial file continues where the source's stopped.
#
# QEMU loads it diskless with -kernel (libvirt <os><kernel>): the multiboot header
# below uses the a.out kludge, so the flat image is loaded at 1 MiB and entered in
# 32-bit protected mode. Assembled with --defsym DIRTY=1 it also rewrites one word
# in every page of 2..34 MiB continuously, so pre-copy has dirty pages to chase.
# Assembled with --defsym RATE_TICK=C --defsym RATE_END=A instead, it writes every
# page of 2 MiB..A once at start, then dirties one page every C TSC cycles, walking
# that region in order and wrapping: a steady dirty rate of 4 KiB per C cycles
# (tests/lab/lab.sh guest-xml NAME rate:MIBS computes C from the TSC's frequency).
#
# Build (tests/lab/lab.sh does this):
#   as --32 [--defsym DIRTY=1] counter.S -o counter.o
#   ld -m elf_i386 -Ttext=0x100000 -e _start --oformat=binary counter.o -o counter.bin

        .code32
        .set LOAD_ADDR, 0x100000
        .set COM1, 0x3f8
        .set DELAY_CYCLES, 0x10000000   # ~0.1 s of TSC ticks at 2-3 GHz
        .set DIRTY_BEGIN, 0x200000
        .set DIRTY_END, 0x2200000
        .set TICK_AT, 0x80000           # rate variant: TSC (low word) of the next page to dirty

        .text
        .globl _start
_start:
        jmp entry

        .balign 4
multiboot_header:
        .long 0x1BADB002                              # magic
        .long 0x00010000                              # flags: a.out kludge addresses valid
        .long -(0x1BADB002 + 0x00010000)              # checksum
        .long LOAD_ADDR + (multiboot_header - _start) # header_addr
        .long LOAD_ADDR                               # load_addr
        .long 0                                       # load_end_addr: the whole file
        .long 0                                       # bss_end_addr: no bss
        .long LOAD_ADDR + (entry - _start)            # entry_addr

entry:
        cli
        mov $0x90000, %esp
        xor %ebx, %ebx                  # ebx: the counter
.ifdef RATE_TICK
        mov $DIRTY_BEGIN, %ecx          # every page of the region holds data from the start
fill_page:
        movl $0x5a5a5a5a, (%ecx)
        add $4096, %ecx
        cmp $RATE_END, %ecx
        jb fill_page
        mov $DIRTY_BEGIN, %ebp          # ebp: the next page to dirty
        rdtsc
        mov %eax, TICK_AT
.endif

next_line:
        inc %ebx
        call print_counter
        rdtsc
        mov %eax, %esi                  # edi:esi = TSC at the start of the pause
        mov %edx, %edi
pause:
.ifdef RATE_TICK
        rdtsc
        mov %eax, %ecx
        sub TICK_AT, %ecx               # cycles since the page was due (mod 2^32)
        cmp $RATE_TICK, %ecx
        jb rate_done
        addl $RATE_TICK, TICK_AT
        cmp $(RATE_TICK * 64), %ecx     # far behind (paused, descheduled): no burst
        jb rate_dirty
        mov %eax, TICK_AT
rate_dirty:
        incl (%ebp)
        add $4096, %ebp
        cmp $RATE_END, %ebp
        jb rate_done
        mov $DIRTY_BEGIN, %ebp
rate_done:
.endif
.ifdef DIRTY
        mov $DIRTY_BEGIN, %ecx
dirty_page:
        incl (%ecx)
        add $4096, %ecx
        cmp $DIRTY_END, %ecx
        jb dirty_page
.endif
        rdtsc
        sub %esi, %eax
        sbb %edi, %edx
        jnz next_line                   # more than 2^32 ticks: long overdue
        cmp $DELAY_CYCLES, %eax
        jb pause
        jmp next_line

# Writes ebx in decimal and a newline to COM1. Clobbers eax, ecx, edx.
print_counter:
        mov %ebx, %eax
        mov $10, %ecx
        push $'\n'
push_digit:
        xor %edx, %edx
        div %ecx
        add $'0', %edx
        push %edx
        test %eax, %eax
        jnz push_digit
        mov $COM1, %dx
emit:
        pop %eax
        out %al, %dx
        cmp $'\n', %al
        jne emit
        ret

        .org 510
        .byte 0x55, 0xaa                # boot-sector signature; keeps the image 512 bytes

/* A test enclave for the sim's execution leaves (tests/unit/test_sgx_sim_enter.c).
 *
 * Entered with RAX = CSSA. CSSA 0: a command in RDI, arguments in RSI, RDX,
 * R8; R9 = flags (bit 0: arm AEX-Notify in SSA[0]) | 0x5e5e5e5e << 32 (a
 * guard so that stray re-entries with garbage registers do nothing). Results
 * leave in RDI, RSI, RDX, R8, R9 through EEXIT (the vDSO hands them to its
 * user_handler). CSSA >= 1: the exception handler: a notification (SSA
 * AEXNOTIFY armed) is handled in the enclave (skip the faulting instruction,
 * EDECCSSA, resume the SSA[0] context); otherwise it just reports (EEXIT).
 *
 * GS base = the thread's TLS page (struct sgx_layout_tls: self_offset @0,
 * ssa_offset @24, stack_top_offset @32, heap_offset @64); scratch slots at
 * GS:0x800.. Shared records in the heap (offsets below, HEAP_*). The code
 * is position independent and has no relocations. SSA frames are 1 page. */

#define RET_SLOT 0x800
#define CSSA_SLOT 0x808
#define BASE_SLOT 0x810
#define GPR 3912 /* 4096 - 184: GPRSGX in a 1-page frame */
#define G_RSP 32
#define G_RFLAGS 128
#define G_RIP 136
#define G_URSP 144
#define G_URBP 152
#define G_EXITINFO 160
#define G_AEXNOTIFY 167

#define HEAP_TARGETINFO 0
#define HEAP_REPORTDATA 512
#define HEAP_REPORT 1024
#define HEAP_KEYREQ 2048
#define HEAP_KEY 2560
#define HEAP_SPIN_FLAG 3072
#define HEAP_SPIN_STARTED 3080
#define HEAP_NOTIFY_COUNT 3200
#define HEAP_LAST_EXITINFO 3208
#define HEAP_LAST_RIP 3216
#define HEAP_LAST_CSSA 3224
#define HEAP_FAULT_IN_HANDLER 3300
#define HEAP_COPY_SRC 3400

#define ENCLU .byte 0x0f, 0x01, 0xd7

    .text
    .globl _start
    .type _start, @function
_start:
    mov %rcx, %gs:RET_SLOT
    mov %rax, %gs:CSSA_SLOT
    rdgsbase %r10
    sub %gs:0, %r10
    mov %r10, %gs:BASE_SLOT
    test %rax, %rax
    jnz handler
    mov %r9, %r11
    shr $32, %r11
    cmp $0x5e5e5e5e, %r11d
    jne bad_command
    mov %gs:32, %rsp            /* the enclave's own stack */
    add %r10, %rsp
    test $1, %r9
    jz 1f
    mov %gs:24, %r11            /* arm AEX-Notify in SSA[0] */
    add %r10, %r11
    movb $1, GPR+G_AEXNOTIFY(%r11)
1:  mov %gs:64, %r11            /* r11 = heap */
    add %r10, %r11
    cmp $(table_end - table) / 4, %rdi
    jae bad_command
    lea table(%rip), %rax
    movslq (%rax, %rdi, 4), %rcx
    add %rcx, %rax
    jmp *%rax

    .p2align 2
table:
    .long cmd_echo - table, cmd_ud - table, cmd_pf - table, cmd_de - table
    .long cmd_bp - table, cmd_syscall - table, cmd_loop - table, cmd_edeccssa - table
    .long cmd_ereport - table, cmd_egetkey - table, cmd_spin - table, cmd_setflag - table
    .long cmd_rdtsc - table, cmd_enclu - table, cmd_write - table, cmd_pexit - table
    .long cmd_pexit_badrbp - table
table_end:

bad_command:
    mov $-1, %rdi
    jmp exit

cmd_echo:                       /* rdi = a + b, rsi = FS base, rdx = GS base, r8 = CSSA, r9 = RCX */
    mov %rsi, %rdi
    add %rdx, %rdi
    rdfsbase %rsi
    rdgsbase %rdx
    mov %gs:CSSA_SLOT, %r8
    mov %gs:RET_SLOT, %r9
    jmp exit

    .globl ud_site
cmd_ud:
ud_site:
    ud2
    mov $0x1234, %rdi
    jmp exit

cmd_pf:                         /* rsi = an address to read */
    mov (%rsi), %rax            /* 48 8b 06 */
    mov $0x2345, %rdi
    jmp exit

cmd_de:
    xor %edx, %edx
    mov $1, %eax
    xor %ecx, %ecx
    div %ecx                    /* f7 f1 */
    mov $0x3456, %rdi
    jmp exit

cmd_bp:
    int3
    mov $0x4567, %rdi
    jmp exit

cmd_syscall:
    mov $39, %eax               /* getpid */
    syscall
    mov $0x5678, %rdi
    jmp exit

cmd_loop:                       /* rdi = sum over i < rsi of (3i ^ i) */
    xor %eax, %eax
    xor %ecx, %ecx
    test %rsi, %rsi
    jz 2f
1:  lea (%rcx, %rcx, 2), %rdx
    xor %rcx, %rdx
    add %rdx, %rax
    inc %rcx
    cmp %rsi, %rcx
    jb 1b
2:  mov %rax, %rdi
    jmp exit

cmd_edeccssa:
    mov $9, %eax
    ENCLU
    mov $0x6789, %rdi
    jmp exit

cmd_ereport:                    /* rsi = TARGETINFO, rdx = REPORTDATA, r8 = REPORT out (host) */
    mov %r11, %r12
    mov %rdx, %r13
    lea HEAP_TARGETINFO(%r12), %rdi
    mov $512, %ecx
    rep movsb
    mov %r13, %rsi
    lea HEAP_REPORTDATA(%r12), %rdi
    mov $64, %ecx
    rep movsb
    lea HEAP_TARGETINFO(%r12), %rbx
    lea HEAP_REPORTDATA(%r12), %rcx
    lea HEAP_REPORT(%r12), %rdx
    xor %eax, %eax
    ENCLU
    lea HEAP_REPORT(%r12), %rsi
    mov %r8, %rdi
    mov $432, %ecx
    rep movsb
    xor %edi, %edi
    jmp exit

cmd_egetkey:                    /* rsi = KEYREQUEST, rdx = key out (host); rdi = EGETKEY's RAX */
    mov %r11, %r12
    mov %rdx, %r13
    lea HEAP_KEYREQ(%r12), %rdi
    mov $512, %ecx
    rep movsb
    lea HEAP_KEYREQ(%r12), %rbx
    lea HEAP_KEY(%r12), %rcx
    mov $1, %eax
    ENCLU
    mov %rax, %r14
    lea HEAP_KEY(%r12), %rsi
    mov %r13, %rdi
    mov $16, %ecx
    rep movsb
    mov %r14, %rdi
    jmp exit

cmd_spin:                       /* until another thread runs cmd_setflag */
    movq $1, HEAP_SPIN_STARTED(%r11)
1:  pause
    cmpq $0, HEAP_SPIN_FLAG(%r11)
    je 1b
    mov $0x7777, %rdi
    jmp exit

cmd_rdtsc:                      /* rdi = TSC */
    rdtsc                       /* 0f 31 */
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, %rdi
    jmp exit

cmd_enclu:                      /* ENCLU leaf rsi, RBX = rdx, RCX = r8, RDX = [HEAP_COPY_SRC]; rdi = RAX, rsi = RFLAGS */
    mov %rsi, %rax
    mov %rdx, %rbx
    mov %r8, %rcx
    mov HEAP_COPY_SRC(%r11), %rdx
    ENCLU
    pushfq
    pop %rsi
    mov %rax, %rdi
    jmp exit

cmd_write:                      /* *rsi = rdx */
    mov %rdx, (%rsi)            /* 48 89 16 */
    mov $0x2346, %rdi
    jmp exit

cmd_pexit:                      /* rdi = a + b, out through the ENCLU page */
    lea (%rsi, %rdx), %rdi
    xor %r12d, %r12d
    jmp pexit

cmd_pexit_badrbp:               /* the same with RBP = 0x10 and RBX = rsi (a host landing pad), r9 = the real RBP */
    mov %rsi, %r12
    mov $0x2347, %edi
    jmp pexit

cmd_setflag:
    movq $1, HEAP_SPIN_FLAG(%r11)
    xor %edi, %edi
    jmp exit

/* EEXIT to the return address of this entry, on the untrusted stack of the
 * current SSA frame (EENTER/ERESUME keep URSP/URBP there). Disarms
 * AEX-Notify first: no notification outside enclave code. */
.macro EXIT_REGS
    mov %gs:BASE_SLOT, %r10
    mov %gs:24, %r11
    add %r10, %r11
    movb $0, GPR+G_AEXNOTIFY(%r11)
    mov %gs:CSSA_SLOT, %rax
    shl $12, %rax
    add %rax, %r11
    mov GPR+G_URSP(%r11), %rsp
    mov GPR+G_URBP(%r11), %rbp
    mov %gs:RET_SLOT, %rbx
.endm

exit:
    EXIT_REGS
    mov $4, %eax
    ENCLU
    ud2

/* exit's twin, leaving through the ENCLU alone at the end of its page (as
 * the trusted PAL does: docs/sim.md "Direct EEXIT"); with r12 != 0, RBP
 * is not the vDSO's frame and the EEXIT target is r12. */
pexit:
    EXIT_REGS
    test %r12, %r12
    jz 1f
    mov %rbp, %r9
    mov $0x10, %rbp
    mov %r12, %rbx
1:  mov $4, %eax
    jmp page_enclu

/* CSSA >= 1 (rax), r10 = base. */
handler:
    mov %gs:64, %r11
    add %r10, %r11
    incq HEAP_NOTIFY_COUNT(%r11)
    mov %rax, HEAP_LAST_CSSA(%r11)
    mov %gs:24, %r12            /* r12 = GPRSGX of SSA[CSSA-1] */
    add %r10, %r12
    lea -1(%rax), %r13
    shl $12, %r13
    lea GPR(%r12, %r13), %r12
    mov G_EXITINFO(%r12), %r13d
    mov %r13, HEAP_LAST_EXITINFO(%r11)
    mov G_RIP(%r12), %r13
    mov %r13, HEAP_LAST_RIP(%r11)
    cmpq $0, HEAP_FAULT_IN_HANDLER(%r11)
    je 1f
    movq $0, HEAP_FAULT_IN_HANDLER(%r11)
    .globl handler_ud_site
handler_ud_site:
    ud2
1:  testb $1, G_AEXNOTIFY(%r12)
    jnz notify
    mov $0xe0, %rdi
    jmp exit

/* AEX-Notify stage 1: the interrupted context is copied below its stack's
 * red zone, the faulting instruction skipped (length by vector), EDECCSSA,
 * then stage 2 resumes it from the copy. */
notify:
    mov G_EXITINFO(%r12), %eax
    xor %r13d, %r13d
    bt $31, %eax
    jnc 3f
    and $0xff, %eax
    mov $2, %r14d               /* #UD (ud2, syscall), #DE (div %ecx) */
    cmp $14, %eax
    jne 2f
    mov $3, %r14d               /* #PF (mov (%rsi), %rax) */
2:  cmp $3, %eax
    je 3f                       /* #BP: RIP is already past int3 */
    mov %r14, %r13
3:  mov G_RSP(%r12), %r14
    lea -(136 + 184)(%r14), %rdi
    and $-16, %rdi
    mov %rdi, %r15
    mov %r12, %rsi
    mov $23, %ecx
    rep movsq
    add %r13, G_RIP(%r15)
    mov $9, %eax                /* EDECCSSA */
    ENCLU
    mov %r15, %rsp
    mov G_RSP(%r15), %rax       /* RIP just below the red zone, for ret $128 */
    mov G_RIP(%r15), %rbx
    mov %rbx, -136(%rax)
    pushq G_RFLAGS(%r15)
    popfq
    mov 0(%r15), %rax
    mov 8(%r15), %rcx
    mov 16(%r15), %rdx
    mov 24(%r15), %rbx
    mov 40(%r15), %rbp
    mov 48(%r15), %rsi
    mov 56(%r15), %rdi
    mov 64(%r15), %r8
    mov 72(%r15), %r9
    mov 80(%r15), %r10
    mov 88(%r15), %r11
    mov 96(%r15), %r12
    mov 104(%r15), %r13
    mov 112(%r15), %r14
    mov G_RSP(%r15), %rsp
    lea -136(%rsp), %rsp
    mov 120(%r15), %r15
    ret $128

/* The rest of this page is int3, with the ENCLU in its last 3 bytes (the
 * text starts page-aligned at _start): no page more than without it. At
 * least 56 bytes of fill are needed for the sim's stub; test_direct_eexit
 * fails if the code before ever grows that close to the page's end. */
page_fill:
    .fill (0xffd - ((page_fill - _start) & 0xfff)), 1, 0xcc
page_enclu:
    ENCLU                       /* EEXIT only: nothing after it */

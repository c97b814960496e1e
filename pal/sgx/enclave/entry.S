/* Trusted PAL entry and exit paths (OENTRY = enclave_entry, the ELF entry).
 *
 * EENTER/ERESUME-as-EENTER land here with RAX = CSSA, RCX = the address to
 * EEXIT to, RSP/RBP = the host's. Nothing on the host stack is trusted or
 * touched here; the thread's own state is found through %gs (the TLS page,
 * measured) and the enclave base is GSBASE - tls.self_offset. */
#include "enclave_internal.h"

#define ENCLU .byte 0x0f, 0x01, 0xd7


    .text
    .globl enclave_entry
    .type enclave_entry, @function
enclave_entry:
    cld
    test %rax, %rax
    jnz .Lexception
    cmpq $0, %gs:THR_OCALL_PENDING
    jne .Locall_return

    /* A new ECALL: remember how to go back, run on this thread's stack,
     * with the initial extended state (not the host's MXCSR/FCW choice). */
    mov %rdx, %r10
    mov %rcx, %r8                   /* (the exit address; xgetbv needs ecx) */
    XSTATE_MASK
    lea xstate_init(%rip), %r11
    xrstor64 (%r11)
    mov %r10, %rdx
    mov %r8, %rcx
    xor %eax, %eax
    mov %rsp, %gs:THR_URSP
    mov %rbp, %gs:THR_URBP
    mov %rcx, %gs:THR_EXIT
    rdgsbase %r11
    sub %gs:TLS_SELF_OFFSET, %r11
    mov %gs:TLS_STACK_TOP_OFFSET, %rsp
    add %r11, %rsp
    xor %ebp, %ebp
    mov %r11, %rcx
    call enclave_ecall_main         /* (number, arg, arg2, base) -> rax status, rdx value */
    mov %rax, %rsi
    mov $ASM_EXIT_ECALL_DONE, %edi
    mov %gs:THR_URSP, %rcx
    mov %gs:THR_URBP, %r8
    mov %gs:THR_EXIT, %r9
    jmp enclave_eexit

.Locall_return:
    /* Only the agreed code resumes a pending OCALL; anything else (e.g. a
     * new ECALL on a thread that is inside one) is refused, state untouched. */
    mov $ASM_ENTER_OCALL_RETURN, %eax
    cmp %rax, %rdi
    jne .Lbad_entry
    mov %rcx, %gs:THR_EXIT
    mov %gs:THR_OCALL_RSP, %rsp
    movq $0, %gs:THR_OCALL_PENDING
    XSTATE_MASK                     /* the caller's extended state back (saved below) */
    xrstor64 (%rsp)
    mov XSAVE_AREA(%rsp), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret                             /* out of enclave_ocall_switch */

.Lbad_entry:
    mov $ASM_EXIT_FATAL, %edi
    mov $ASM_FATAL_BAD_ENTRY, %esi
    xor %edx, %edx
    mov %rcx, %r9
    mov %rbp, %r8
    mov %rsp, %rcx
    jmp enclave_eexit

.Lexception:
    /* Stage 1, CSSA = c >= 1. The interrupted context is SSA[c-1]; run on
     * its stack below the red zone, if that stack is this thread's. */
    mov %rsp, %r12
    mov %rbp, %r13
    mov %rcx, %r14
    mov %rax, %r15
    rdgsbase %r11
    sub %gs:TLS_SELF_OFFSET, %r11
    mov %rax, %r10
    shl $12, %r10                   /* c * ASM_SSA_FRAME */
    add %gs:TLS_SSA_OFFSET, %r10
    add %r11, %r10
    mov (G_RSP - ASM_GPRSGX_SIZE)(%r10), %rax   /* SSA[c-1].GPRSGX.RSP */
    mov %gs:TLS_STACK_TOP_OFFSET, %r10
    add %r11, %r10                  /* top of this thread's PAL stack */
    cmp %r10, %rax
    ja .Lother_stack
    mov %r10, %rdx
    sub %gs:TLS_STACK_SIZE, %rdx    /* its bottom */
    cmp %rdx, %rax
    jbe .Lother_stack
    add $STAGE1_MIN_STACK, %rdx
    cmp %rdx, %rax
    jb .Lbad_stack
    sub $(RED_ZONE + CTX_SIZE), %rax
    jmp .Lstage1_stack
.Lother_stack:
    /* The program's (or the libOS's) own stack, which we never write: run
     * at the top of the PAL stack, unused whenever such code runs (the
     * frames of the ECALL that started it are never returned to). */
    lea -CTX_SIZE(%r10), %rax
.Lstage1_stack:
    and $-64, %rax
    mov %rax, %rsp
    xor %ebp, %ebp
    mov %rax, %rdi                  /* ctx */
    mov %r15, %rsi                  /* c */
    mov %r12, %rdx                  /* host rsp */
    mov %r13, %rcx                  /* host rbp */
    mov %r14, %r8                   /* exit target */
    mov %r11, %r9                   /* base */
    call enclave_stage1
    ud2

.Lbad_stack:
    mov $ASM_EXIT_FATAL, %edi
    mov $ASM_FATAL_BAD_STACK, %esi
    mov %r15, %rdx
    mov %r12, %rcx
    mov %r13, %r8
    mov %r14, %r9
    jmp enclave_eexit
    .size enclave_entry, . - enclave_entry

/* enclave_eexit(code, rsi, rdx, host rsp, host rbp, target): scrub and leave. */
    .globl enclave_eexit
    .type enclave_eexit, @function
enclave_eexit:
    mov %r9, %rbx
    mov %rcx, %rsp
    mov %r8, %rbp
    xor %ecx, %ecx
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    mov $4, %eax                    /* EEXIT; the xors left the status flags clear */
    jmp enclave_enclu               /* (leaves: no return address on the host's stack) */
    .size enclave_eexit, . - enclave_eexit

/* enclave_ocall_switch(number, frame, host rbp, target, tls): leave with
 * RSP = frame; enclave_entry's .Locall_return comes back here with FS and GS
 * = the TLS page (EENTER's): the caller restores its own bases once
 * AEX-Notify is armed again (ocall.c), since a base sync may fault. */
    .globl enclave_ocall_switch
    .type enclave_ocall_switch, @function
enclave_ocall_switch:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    /* The extended (x87/SSE/AVX) state may hold the program's secrets and
     * EEXIT keeps it: save it here, leave with the initial state. */
    mov %rsp, %rax
    sub $(XSAVE_AREA + 64), %rsp
    and $-64, %rsp
    mov %rax, XSAVE_AREA(%rsp)
    mov %rdx, %r9                   /* (urbp and target; xsave needs edx:eax, xgetbv ecx) */
    mov %rcx, %r11
    xor %eax, %eax
    mov $8, %r10d
1:  movq $0, 504(%rsp, %r10, 8)     /* XSAVE header: bytes 512..575 zero */
    dec %r10d
    jnz 1b
    XSTATE_MASK
    xsave64 (%rsp)
    lea xstate_init(%rip), %r10
    xrstor64 (%r10)
    mov %r9, %rdx
    mov %r11, %rcx
    mov %rsp, THR_OCALL_RSP(%r8)    /* r8 = this thread's TLS page (GS may be the libOS's) */
    movq $1, THR_OCALL_PENDING(%r8)
    mov %rdx, %r8
    mov %rcx, %r9
    mov %rsi, %rcx
    mov %rdi, %rsi
    mov %rcx, %rdx
    mov $ASM_EXIT_OCALL, %edi
    jmp enclave_eexit
    .size enclave_ocall_switch, . - enclave_ocall_switch

/* Classic path: ERESUME lands here with RSP = RDI = the saved context. */
    .globl enclave_stage2_entry
    .type enclave_stage2_entry, @function
enclave_stage2_entry:
    cld
    and $-64, %rsp
    call enclave_stage2
    ud2
    .size enclave_stage2_entry, . - enclave_stage2_entry

/* enclave_resume(ctx): XRSTOR, all GPRs, RFLAGS, RIP. The last four values
 * are staged just below the resumed RSP's red zone (inside the context's
 * padding or above it), so once RSP points there nothing below RSP is still
 * needed: a nested AEX-Notify entry may overwrite it. */
    .globl enclave_resume
    .type enclave_resume, @function
enclave_resume:
    mov %rdi, %rdx
    mov (CTX_GPR + G_FSBASE)(%rdx), %rdi
    mov (CTX_GPR + G_GSBASE)(%rdx), %rsi
    call enclave_set_bases
    mov %rdx, %rdi
    XSTATE_MASK
    xrstor64 CTX_XSAVE(%rdi)
    mov (CTX_GPR + G_RSP)(%rdi), %rsi
    sub $(RED_ZONE + 32), %rsi
    mov (CTX_GPR + G_RSI)(%rdi), %rax
    mov %rax, 0(%rsi)
    mov (CTX_GPR + G_RDI)(%rdi), %rax
    mov %rax, 8(%rsi)
    mov (CTX_GPR + G_RFLAGS)(%rdi), %rax
    mov %rax, 16(%rsi)
    mov (CTX_GPR + G_RIP)(%rdi), %rax
    mov %rax, 24(%rsi)
    mov (CTX_GPR + G_RAX)(%rdi), %rax
    mov (CTX_GPR + G_RBX)(%rdi), %rbx
    mov (CTX_GPR + G_RCX)(%rdi), %rcx
    mov (CTX_GPR + G_RDX)(%rdi), %rdx
    mov (CTX_GPR + G_RBP)(%rdi), %rbp
    mov (CTX_GPR + G_R8)(%rdi), %r8
    mov (CTX_GPR + G_R9)(%rdi), %r9
    mov (CTX_GPR + G_R10)(%rdi), %r10
    mov (CTX_GPR + G_R11)(%rdi), %r11
    mov (CTX_GPR + G_R12)(%rdi), %r12
    mov (CTX_GPR + G_R13)(%rdi), %r13
    mov (CTX_GPR + G_R14)(%rdi), %r14
    mov (CTX_GPR + G_R15)(%rdi), %r15
    mov %rsi, %rsp
    pop %rsi
    pop %rdi
    popfq
    ret $RED_ZONE
    .size enclave_resume, . - enclave_resume

/* enclave_set_bases(fs, gs): the FS and GS bases of the code that runs
 * next. On a host that said its bases are volatile (ENCLAVE_HOST_BASES_
 * VOLATILE: a sim whose kernel lacks FSGSBASE) the writes are followed by
 * the base sync until both read back: a context switch between a write and
 * the sync brings the old base back, the sync then keeps that one, and the
 * loop writes again. Every base write of the trusted PAL goes through here.
 * Clobbers RAX and the flags only. */
    .globl enclave_set_bases
    .type enclave_set_bases, @function
enclave_set_bases:
    wrfsbase %rdi
    wrgsbase %rsi
    cmpb $0, enclave_bases_volatile(%rip)
    jne 1f
    ret
1:  mov $ASM_SYNC_BASES_RAX, %rax
    .globl enclave_sync_site
enclave_sync_site:
    .byte 0x0f, 0xb9, 0xc0          /* UD1 %eax, %eax: the base sync */
    .globl enclave_sync_cont
enclave_sync_cont:
    rdfsbase %rax
    cmp %rdi, %rax
    jne enclave_set_bases
    rdgsbase %rax
    cmp %rsi, %rax
    jne enclave_set_bases
    ret
    .size enclave_set_bases, . - enclave_set_bases

/* enclave_ereport(targetinfo, reportdata, report): ENCLU[EREPORT]. */
    .globl enclave_ereport
    .type enclave_ereport, @function
enclave_ereport:
    push %rbx
    mov %rdi, %rbx
    mov %rsi, %rcx
    xor %eax, %eax                  /* EREPORT */
    call enclave_enclu
    pop %rbx
    ret
    .size enclave_ereport, . - enclave_ereport

/* enclave_egetkey(keyrequest, key): ENCLU[EGETKEY]; KEYREQUEST 512-aligned,
 * the key 16-aligned. Returns RAX: 0 or the SGX error (the key untouched). */
    .globl enclave_egetkey
    .type enclave_egetkey, @function
enclave_egetkey:
    push %rbx
    mov %rdi, %rbx
    mov %rsi, %rcx
    mov $1, %eax                    /* EGETKEY */
    call enclave_enclu
    pop %rbx
    ret
    .size enclave_egetkey, . - enclave_egetkey

    .globl enclave_edeccssa
    .type enclave_edeccssa, @function
enclave_edeccssa:
    mov $9, %eax                    /* EDECCSSA */
    jmp enclave_enclu
    .size enclave_edeccssa, . - enclave_edeccssa

/* enclave_enclu_leaf(leaf, rbx, rcx): ENCLU with those RAX, RBX and RCX
 * (EACCEPT, EMODPE: edmm.c); returns RAX. Clobbers RDX. */
    .globl enclave_enclu_leaf
    .type enclave_enclu_leaf, @function
enclave_enclu_leaf:
    push %rbx
    mov %rdi, %rax
    mov %rsi, %rbx
    mov %rdx, %rcx
    call enclave_enclu
    pop %rbx
    ret
    .size enclave_enclu_leaf, . - enclave_enclu_leaf

/* The trusted PAL's one ENCLU, alone in the last 3 bytes of a page of its
 * own (int3 before it), with the `ret` after it on the next page: every
 * leaf comes here with RAX = the leaf (EEXIT by jmp, the others by call).
 * Hardware does not care where ENCLU is; the sim maps a page where enclave
 * code ran ENCLU without execute permission, so the next ENCLU there is a
 * cheap #PF rather than the #UD or #GP of an ENCLU on a CPU without SGX
 * (a VM exit under KVM): docs/sim.md, "ENCLU pages". Nothing else may run
 * on this page: an instruction fetch there that is not this ENCLU makes
 * the sim give the page back its execute permission for good. */
    .section .text.enclu, "ax", @progbits
    .balign 4096
    .fill 4093, 1, 0xcc
    .globl enclave_enclu
    .type enclave_enclu, @function
enclave_enclu:
    ENCLU
    ret
    .size enclave_enclu, . - enclave_enclu
    .text

/* XRSTOR image of the initial state: XSTATE_BV = 0 puts every component in
 * its init state; MXCSR is still loaded from here (0x1f80: all exceptions
 * masked, round to nearest). */
    .section .rodata
    .balign 64
xstate_init:
    .zero 24
    .long 0x1f80                    /* MXCSR */
    .long 0xffff                    /* MXCSR_MASK (ignored by XRSTOR) */
    .zero 576 - 32

    .section .note.GNU-stack, "", @progbits

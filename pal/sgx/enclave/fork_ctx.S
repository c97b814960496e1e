/* Trusted PAL: the register and extended-state snapshots of fork
 * (pal_fork.c). The forking thread's callee-saved registers, stack pointer
 * and return address are saved in the parent; the child, built from the
 * same image and holding a copy of the parent's stack, resumes from them
 * as if enclave_fork_save returned a second time (with 1). */
#include "enclave_internal.h"


    .text
/* uint64_t enclave_fork_save(struct fork_jb *jb): 0 now, 1 in the child. */
    .globl enclave_fork_save
    .hidden enclave_fork_save
    .type enclave_fork_save, @function
enclave_fork_save:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rax               /* the caller's RSP after the return */
    mov %rax, 48(%rdi)
    mov (%rsp), %rax
    mov %rax, 56(%rdi)
    xor %eax, %eax
    ret
    .size enclave_fork_save, . - enclave_fork_save

/* void enclave_fork_resume(const struct fork_jb *jb): enclave_fork_save
 * returns 1 on the saved stack. */
    .globl enclave_fork_resume
    .hidden enclave_fork_resume
    .type enclave_fork_resume, @function
enclave_fork_resume:
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    mov $1, %eax
    jmp *56(%rdi)
    .size enclave_fork_resume, . - enclave_fork_resume

/* void enclave_xsave(void *area): the extended state into a 64-aligned
 * XSAVE_AREA-byte area (its header zeroed first, as XSAVE requires). */
    .globl enclave_xsave
    .hidden enclave_xsave
    .type enclave_xsave, @function
enclave_xsave:
    xor %eax, %eax
    mov $8, %r10d
1:  movq $0, 504(%rdi, %r10, 8)
    dec %r10d
    jnz 1b
    XSTATE_MASK
    xsave64 (%rdi)
    ret
    .size enclave_xsave, . - enclave_xsave

/* void enclave_xrstor(const void *area) */
    .globl enclave_xrstor
    .hidden enclave_xrstor
    .type enclave_xrstor, @function
enclave_xrstor:
    XSTATE_MASK
    xrstor64 (%rdi)
    ret
    .size enclave_xrstor, . - enclave_xrstor

    .section .note.GNU-stack, "", @progbits

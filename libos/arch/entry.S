/* Assembly entry paths of the libOS.
 *
 * libos_syscall_entry: reached from a rewritten syscall site's trampoline
 * (core/rewrite.c) with eax = syscall number, the program's red zone already
 * skipped and the return address pushed. It switches to this thread's libOS
 * stack (gs:16), builds a struct pal_context, calls libos_syscall_fast and
 * restores every register but rax, as the kernel's syscall would.
 *
 * libos_enter_program: jumps to a program entry point with a fresh stack
 * and the register state the x86-64 ABI specifies at process start. */
    .text
    .globl libos_syscall_entry
    .hidden libos_syscall_entry
    .type libos_syscall_entry, @function
libos_syscall_entry:
    mov %rsp, %gs:8
    mov %gs:16, %rsp
    pushq $0                /* padding: keeps the call 16-byte aligned */
    pushq $0                /* fpstate = NULL: the live FP registers are the program's */
    pushfq                  /* rflags */
    pushq $0                /* rip slot (not meaningful on this path) */
    push %r15
    push %r14
    push %r13
    push %r12
    push %r11
    push %r10
    push %r9
    push %r8
    pushq %gs:8             /* rsp */
    push %rbp
    push %rdi
    push %rsi
    push %rdx
    push %rcx
    push %rbx
    push %rax
    mov %rsp, %rdi
    cld
    call libos_syscall_fast
    pop %rax
    pop %rbx
    pop %rcx
    pop %rdx
    pop %rsi
    pop %rdi
    pop %rbp
    add $8, %rsp
    pop %r8
    pop %r9
    pop %r10
    pop %r11
    pop %r12
    pop %r13
    pop %r14
    pop %r15
    add $8, %rsp
    popfq
    mov %gs:8, %rsp         /* (drops the fpstate and padding slots too) */
    ret
    .size libos_syscall_entry, . - libos_syscall_entry

/* void libos_enter_program(uint64_t entry, uint64_t sp) */
    .globl libos_enter_program
    .hidden libos_enter_program
    .type libos_enter_program, @function
libos_enter_program:
    mov %rsi, %rsp
    mov %rdi, %r11
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx          /* rdx = 0: no rtld_fini for the program */
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    jmp *%r11
    .size libos_enter_program, . - libos_enter_program

    .section .note.GNU-stack, "", @progbits

/* void libos_resume_context(const struct pal_context *ctx): loads every
 * register from ctx and jumps to ctx->rip (a new thread's first return
 * into the program). The target rip goes through gs:24 because no general
 * register is left free. */
    .text
    .globl libos_resume_context
    .hidden libos_resume_context
    .type libos_resume_context, @function
libos_resume_context:
    mov 128(%rdi), %rax
    mov %rax, %gs:24
    pushq 136(%rdi)
    popfq
    mov 0(%rdi), %rax
    mov 8(%rdi), %rbx
    mov 16(%rdi), %rcx
    mov 24(%rdi), %rdx
    mov 32(%rdi), %rsi
    mov 48(%rdi), %rbp
    mov 56(%rdi), %rsp
    mov 64(%rdi), %r8
    mov 72(%rdi), %r9
    mov 80(%rdi), %r10
    mov 88(%rdi), %r11
    mov 96(%rdi), %r12
    mov 104(%rdi), %r13
    mov 112(%rdi), %r14
    mov 120(%rdi), %r15
    mov 40(%rdi), %rdi
    jmp *%gs:24
    .size libos_resume_context, . - libos_resume_context
    .section .note.GNU-stack, "", @progbits

/* int libos_setjmp(struct libos_jmpbuf *jb): saves the callee-saved
 * registers, the stack pointer and the return address; returns 0. The
 * fault upcall resumes there with eax = 1. */
    .text
    .globl libos_setjmp
    .hidden libos_setjmp
    .type libos_setjmp, @function
libos_setjmp:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rax
    mov %rax, 48(%rdi)
    mov (%rsp), %rax
    mov %rax, 56(%rdi)
    xor %eax, %eax
    ret
    .size libos_setjmp, . - libos_setjmp
    .section .note.GNU-stack, "", @progbits

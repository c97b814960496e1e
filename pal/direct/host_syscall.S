/* The only place in geode's direct mode that issues host syscalls once the
 * program runs. The section name is a C identifier so the linker defines
 * __start_geode_hostsys / __stop_geode_hostsys around it: that range is the
 * one Syscall User Dispatch always allows. */
    .section geode_hostsys, "ax", @progbits

/* long host_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6) */
    .globl host_syscall
    .hidden host_syscall
    .type host_syscall, @function
host_syscall:
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    mov 8(%rsp), %r9
    syscall
    ret
    .size host_syscall, . - host_syscall

/* SA_RESTORER trampoline: rt_sigreturn must run from the allowed range. */
    .globl host_sigreturn
    .hidden host_sigreturn
    .type host_sigreturn, @function
host_sigreturn:
    mov $15, %eax
    syscall
    ud2
    .size host_sigreturn, . - host_sigreturn

/* long host_clone_thread(unsigned long flags, void *stack_top, void (*fn)(void *), void *arg)
 * The child starts on stack_top and calls fn(arg), which must not return. */
    .globl host_clone_thread
    .hidden host_clone_thread
    .type host_clone_thread, @function
host_clone_thread:
    and $-16, %rsi
    sub $16, %rsi
    mov %rdx, 0(%rsi)
    mov %rcx, 8(%rsi)
    xor %edx, %edx
    xor %r10d, %r10d
    xor %r8d, %r8d
    mov $56, %eax
    syscall
    test %rax, %rax
    jnz 1f
    pop %rax
    pop %rdi
    xor %ebp, %ebp
    call *%rax
    ud2
1:  ret
    .size host_clone_thread, . - host_clone_thread

    .section .note.GNU-stack, "", @progbits

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

/* long host_syscall_cp(volatile long *flag, long nr, long a1, ..., long a6)
 * A blocking host call that a wake ends, as musl's cancellation points:
 * flag is the calling thread's wake flag, set by every handler of a host
 * signal or a wake on that thread (pal_signal.c; the uRTS's in
 * urts_signal.c). Set before the call, the call is not made; set by a
 * handler that interrupted the code between host_cp_begin and host_cp_end
 * (the syscall instruction not yet run), that handler moves rip to
 * host_cp_cancel; during the call, the call itself ends with EINTR (no
 * SA_RESTART). Each way gives -EINTR and clears the flag, so one wake ends
 * one call, and the caller looks at its pending signals before it blocks
 * again. */
    .globl host_syscall_cp
    .hidden host_syscall_cp
    .type host_syscall_cp, @function
host_syscall_cp:
    mov %rdi, %r11          /* the flag */
    mov %rsi, %rax
    mov %rdx, %rdi
    mov %rcx, %rsi
    mov %r8, %rdx
    mov %r9, %r10
    mov 8(%rsp), %r8
    mov 16(%rsp), %r9
    push %r11
    .globl host_cp_begin
    .hidden host_cp_begin
host_cp_begin:
    cmpq $0, (%r11)
    jne host_cp_cancel
    syscall                 /* clobbers r11: the flag is at (%rsp) */
    .globl host_cp_end
    .hidden host_cp_end
host_cp_end:
    pop %r11
    cmp $-4, %rax
    jne 1f
    movq $0, (%r11)
1:  ret
    .globl host_cp_cancel
    .hidden host_cp_cancel
host_cp_cancel:
    pop %r11
    movq $0, (%r11)
    mov $-4, %rax
    ret
    .size host_syscall_cp, . - host_syscall_cp

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

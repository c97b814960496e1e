/* Fault sites for ECALL_FAULT (test build only, see ecalls_test.c): each
 * faults at a known instruction, and enclave_fixups tells the exception
 * handler where it continues. */
    .text
/* Test fault sites; enclave_fixups says where each continues. */
    .globl enclave_fault_ud2
enclave_fault_ud2:
    mov $0x0d2, %eax
.Lud2_site:
    ud2
.Lud2_cont:
    ret

    .globl enclave_fault_load
enclave_fault_load:
    mov $0xfa17, %eax
.Lload_site:
    mov (%rdi), %rax
.Lload_cont:
    ret

    .globl enclave_fault_div
enclave_fault_div:
    mov %rdi, %rax
    xor %edx, %edx
.Ldiv_site:
    div %rsi
.Ldiv_cont:
    ret

    .globl enclave_fault_int3
enclave_fault_int3:
    mov $0xb3, %eax
    int3                            /* a trap: SSA.RIP is already past it */
    ret

    .globl enclave_fault_ud2_in_handler
enclave_fault_ud2_in_handler:
.Lhud2_site:
    ud2
.Lhud2_cont:
    ret

/* enclave_fault_regs(out[19]): loads known values into every GPR it may,
 * XMM0/XMM15 and RFLAGS.DF, faults (ud2), and stores what it finds after the
 * handler resumed it: out[0..11] = RBX RBP R8-R15 RSI RDX(unused: 0),
 * out[12..15] = XMM0 and XMM15 (two quadwords each), out[16] = RFLAGS.DF. */
    .globl enclave_fault_regs
enclave_fault_regs:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi
    mov $0x1111111111111111, %rbx
    mov $0x2222222222222222, %rbp
    mov $0x3333333333333333, %r8
    mov $0x4444444444444444, %r9
    mov $0x5555555555555555, %r10
    mov $0x6666666666666666, %r11
    mov $0x7777777777777777, %r12
    mov $0x8888888888888888, %r13
    mov $0x9999999999999999, %r14
    mov $0xaaaaaaaaaaaaaaaa, %r15
    mov $0xbbbbbbbbbbbbbbbb, %rsi
    movq %rbx, %xmm0
    pinsrq $1, %rbp, %xmm0
    movq %r14, %xmm15
    pinsrq $1, %r15, %xmm15
    std
.Lregs_site:
    ud2
.Lregs_cont:
    pushfq
    cld
    mov 8(%rsp), %rdi               /* out (pushed above) */
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r8, 16(%rdi)
    mov %r9, 24(%rdi)
    mov %r10, 32(%rdi)
    mov %r11, 40(%rdi)
    mov %r12, 48(%rdi)
    mov %r13, 56(%rdi)
    mov %r14, 64(%rdi)
    mov %r15, 72(%rdi)
    mov %rsi, 80(%rdi)
    movq $0, 88(%rdi)
    movq %xmm0, %rax
    mov %rax, 96(%rdi)
    pextrq $1, %xmm0, %rax
    mov %rax, 104(%rdi)
    movq %xmm15, %rax
    mov %rax, 112(%rdi)
    pextrq $1, %xmm15, %rax
    mov %rax, 120(%rdi)
    pop %rax
    shr $10, %rax
    and $1, %rax
    mov %rax, 128(%rdi)
    pxor %xmm0, %xmm0
    pxor %xmm15, %xmm15
    pop %rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret


    .section .data.rel.ro, "aw"
    .balign 8
    .globl enclave_fixups
enclave_fixups:
    .quad .Lud2_site, .Lud2_cont
    .quad .Lload_site, .Lload_cont
    .quad .Ldiv_site, .Ldiv_cont
    .quad .Lhud2_site, .Lhud2_cont
    .quad .Lregs_site, .Lregs_cont
    .quad 0, 0

    .section .note.GNU-stack, "", @progbits

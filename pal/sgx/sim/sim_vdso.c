/* The sim's __vdso_sgx_enter_enclave, following the kernel's
 * arch/x86/entry/vdso/vsgx.S instruction for instruction where it matters:
 * same argument registers, same checks, one ENCLU serving as both EENTER
 * and the AEP (ERESUME), EEXIT landing right after it, the same exception
 * fixup label (the sim's signal handler plays the kernel's fixup and jumps
 * to sim_vdso_handle_exception with RDI = vector, RSI = error code, RDX =
 * address, EAX = the leaf that faulted), and the same user_handler protocol.
 *
 * One addition: before ENCLU it calls sim_thread_prepare() (per-thread
 * signal stack, syscall dispatch, signal ownership), whose failure is
 * returned as -errno. Like the real vDSO it saves only RBX and RBP: the
 * enclave may clobber every other register.
 *
 * Also here: the signal-return trampoline, alone in the address range that
 * Syscall User Dispatch always allows (sim_sud_start..sim_sud_end), so that
 * rt_sigreturn works while the selector blocks syscalls. */

/* struct sgx_enclave_run offsets (checked in arch/sgx_arch.h). */
#define RUN_TCS "0"
#define RUN_FUNCTION "8"
#define RUN_VECTOR "12"
#define RUN_ERROR_CODE "14"
#define RUN_ADDR "16"
#define RUN_USER_HANDLER "24"
#define RUN_RESERVED_START "40"
#define RUN_RESERVED_END "256"
#define RUN_ARG "16" /* the 7th argument, relative to RBP */

__asm__(".text\n"
        ".globl sgx_sim_vdso_enter\n"
        ".type sgx_sim_vdso_enter,@function\n"
        ".globl sim_vdso_enclu\n"
        ".hidden sim_vdso_enclu\n"
        ".globl sim_vdso_handle_exception\n"
        ".hidden sim_vdso_handle_exception\n"
        ".p2align 4\n"
        "sgx_sim_vdso_enter:\n"
        ".cfi_startproc\n"
        "  push %rbp\n"
        "  .cfi_adjust_cfa_offset 8\n"
        "  .cfi_rel_offset %rbp, 0\n"
        "  mov %rsp, %rbp\n"
        "  .cfi_def_cfa_register %rbp\n"
        "  push %rbx\n"
        "  .cfi_rel_offset %rbx, -8\n"
        "  mov %ecx, %eax\n"
        "1:\n" /* .Lenter_enclave */
        "  cmp $2, %eax\n"
        "  jb 8f\n"
        "  cmp $3, %eax\n"
        "  ja 8f\n"
        "  mov " RUN_ARG "(%rbp), %rcx\n"
        "  mov $" RUN_RESERVED_START ", %rbx\n"
        "2:\n"
        "  cmpq $0, (%rcx, %rbx)\n"
        "  jne 8f\n"
        "  add $8, %rbx\n"
        "  cmpq $" RUN_RESERVED_END ", %rbx\n"
        "  jne 2b\n"
        /* sim only: thread state; keeps the argument registers. */
        "  push %rax\n"
        "  push %rdi\n"
        "  push %rsi\n"
        "  push %rdx\n"
        "  push %r8\n"
        "  push %r9\n"
        "  sub $8, %rsp\n"
        "  call sim_thread_prepare\n"
        "  add $8, %rsp\n"
        "  test %eax, %eax\n"
        "  jnz 9f\n"
        "  pop %r9\n"
        "  pop %r8\n"
        "  pop %rdx\n"
        "  pop %rsi\n"
        "  pop %rdi\n"
        "  pop %rax\n"
        "  mov " RUN_ARG "(%rbp), %rcx\n"
        "  mov " RUN_TCS "(%rcx), %rbx\n"
        "  lea sim_vdso_enclu(%rip), %rcx\n"
        "sim_vdso_enclu:\n" /* .Lasync_exit_pointer, .Lenclu_eenter_eresume */
        "  .byte 0x0f, 0x01, 0xd7\n"
        /* EEXIT lands here. */
        "  mov " RUN_ARG "(%rbp), %rbx\n"
        "  movl $4, " RUN_FUNCTION "(%rbx)\n"
        "3:\n" /* .Lhandle_exit */
        "  cmpq $0, " RUN_USER_HANDLER "(%rbx)\n"
        "  jne 5f\n"
        "  xor %eax, %eax\n"
        "4:\n" /* .Lout */
        "  pop %rbx\n"
        "  leave\n"
        "  .cfi_def_cfa %rsp, 8\n"
        "  ret\n"
        "  .cfi_def_cfa %rbp, 16\n"
        "8:\n" /* .Linvalid_input */
        "  mov $-22, %eax\n"
        "  jmp 4b\n"
        "9:\n" /* sim_thread_prepare failed: its -errno is in EAX */
        "  add $48, %rsp\n"
        "  jmp 4b\n"
        "sim_vdso_handle_exception:\n"
        "  mov " RUN_ARG "(%rbp), %rbx\n"
        "  mov %eax, " RUN_FUNCTION "(%rbx)\n"
        "  mov %di, " RUN_VECTOR "(%rbx)\n"
        "  mov %si, " RUN_ERROR_CODE "(%rbx)\n"
        "  mov %rdx, " RUN_ADDR "(%rbx)\n"
        "  jmp 3b\n"
        "5:\n" /* .Linvoke_userspace_handler */
        "  mov %rsp, %rcx\n"
        "  mov %rbx, %rax\n"
        "  mov %rsp, %rbx\n"
        "  and $0xf, %rbx\n"
        "  and $-0x10, %rsp\n"
        "  push %rax\n"
        "  push %rax\n"
        "  cld\n"
        "  mov " RUN_USER_HANDLER "(%rax), %rax\n"
        "  lfence\n"
        "  call *%rax\n"
        "  lea 0x10(%rsp, %rbx), %rsp\n"
        "  cmp $0, %eax\n"
        "  jle 4b\n"
        "  jmp 1b\n"
        ".cfi_endproc\n"
        ".size sgx_sim_vdso_enter, .-sgx_sim_vdso_enter\n"
        "\n"
        ".globl sim_sud_start\n"
        ".hidden sim_sud_start\n"
        ".globl sim_sud_end\n"
        ".hidden sim_sud_end\n"
        ".globl sim_restorer\n"
        ".hidden sim_restorer\n"
        ".p2align 4\n"
        "sim_sud_start:\n"
        "sim_restorer:\n"
        "  mov $15, %eax\n" /* rt_sigreturn */
        "  syscall\n"
        "  ud2\n"
        "sim_sud_end:\n");

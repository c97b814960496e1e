# Benchmarks: `make bench` (full) and `make bench-quick` (< 3 minutes).
# Programs are built static with glibc (unmodified libc, raw syscall path).

BENCH_DIR  := $(BUILD)/bench
BENCH_BINS := $(BENCH_DIR)/syscalls $(BENCH_DIR)/hello $(BENCH_DIR)/enclave_bench \
              $(BENCH_DIR)/procs $(BUILD)/pal-enclave-test.elf

$(BENCH_DIR)/syscalls: tests/bench/progs/syscalls.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -static -pthread -o $@ $<

$(BENCH_DIR)/hello: tests/bench/progs/hello.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -static -o $@ $<

# fork, posix_spawn (tests/bench/bench.py: the process workloads).
# t_sim_fork runs procs too (a 100 MiB fork's OCALL count, a posix_spawn of
# hello from a 100 MiB process): both built by `make test`.
TEST_BINS += $(BENCH_DIR)/procs $(BENCH_DIR)/hello
$(BENCH_DIR)/procs: tests/bench/progs/procs.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -static -o $@ $<

$(BENCH_DIR)/enclave_bench: tests/bench/progs/enclave_bench.c $(HOST_ARCHIVES) \
                            $(BUILD)/host/gen/geode_manifest.pb-c.o | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $< $(BUILD)/host/gen/geode_manifest.pb-c.o \
	    $(HOST_ARCHIVES) $(HOST_LIBS)

bench: all $(BENCH_BINS)
	/usr/bin/python3 tests/bench/bench.py --build $(BUILD)

bench-quick: all $(BENCH_BINS)
	/usr/bin/python3 tests/bench/bench.py --build $(BUILD) --quick

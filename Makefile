# shardcache — the two commands of the quick start are `make run` and `make test`.
# Every target installs what is missing first (scripts/install-deps, idempotent).

JOBS        ?= $(shell nproc)
PORT        ?= 6379
FUZZ_SECONDS ?= 600
CMAKE       ?= cmake

RELEASE_DIR := build/release
CHECK_DIR   := build/check
ASAN_DIR    := build/asan
TSAN_DIR    := build/tsan
FUZZ_DIR    := build/fuzz

.PHONY: all deps deps-build build run test check-build asan tsan fuzz bench docker-test clean

all: build

deps:
	@scripts/install-deps

deps-build:
	@scripts/install-deps --build-only

# Release build: what `make run` starts and what benchmarks measure (with their load generator).
build: deps-build
	@$(CMAKE) -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS) --target shardcache-server shardcache-loadgen

# One node on 127.0.0.1:6379 with the built-in defaults.
run: build
	exec $(RELEASE_DIR)/server/shardcache-server --port $(PORT)

# Optimised build with assertions kept, then every test (unit and integration) through ctest.
test: deps
	@$(CMAKE) -S . -B $(CHECK_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHARDCACHE_ASSERTS=ON >/dev/null
	@$(CMAKE) --build $(CHECK_DIR) -j $(JOBS)
	cd $(CHECK_DIR) && ctest --output-on-failure --timeout 1500

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (tests marked `timing`,
# which assert time or RSS, are deselected: sanitizers distort both).
asan: deps
	@$(CMAKE) -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSHARDCACHE_SANITIZE=address >/dev/null
	@$(CMAKE) --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && SHARDCACHE_SANITIZER=address ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 3000

# The whole suite under ThreadSanitizer (the shard threads and their messages).
tsan: deps
	@$(CMAKE) -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSHARDCACHE_SANITIZE=thread >/dev/null
	@$(CMAKE) --build $(TSAN_DIR) -j $(JOBS)
	cd $(TSAN_DIR) && SHARDCACHE_SANITIZER=thread TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure --timeout 3000

# libFuzzer on the RESP parser for FUZZ_SECONDS (default 10 minutes), ASan+UBSan on.
fuzz: deps
	@$(CMAKE) -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHARDCACHE_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@$(CMAKE) --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_request_parser
	mkdir -p $(FUZZ_DIR)/corpus && cp -n tests/fuzz/corpus/request_parser/* $(FUZZ_DIR)/corpus/
	$(FUZZ_DIR)/tests/fuzz/fuzz_request_parser -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=4096 $(FUZZ_DIR)/corpus

# Benchmarks against redis-server in the same run (ratios); see docs/benchmarks.md.
bench: build deps
	tests/bench/run.sh $(RELEASE_DIR)/server/shardcache-server

# Builds the container image and checks it from the host (starts dockerd if none answers);
# see docs/operations.md.
docker-test:
	@scripts/docker-test

clean:
	rm -rf build

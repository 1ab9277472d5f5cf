# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is here for contributors.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 30
JOBS       ?= $(shell nproc)

.PHONY: all deps build run test test-asan bench fuzz format format-check clean

all: build

deps:
	@bash scripts/install-deps.sh
	@bash scripts/install-node-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/relais serve --demo --demo-traffic --data ./var \
		--sip 127.0.0.1:5060

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRELAIS_SANITIZE=ON \
		-DCMAKE_C_COMPILER=clang
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# Every build/bench/*_bench program, then the server benchmarks (each
# starts its own servers; see bench/README.md). All run; the status is 1
# when any failed.
BENCH_SCRIPTS ?= bench/http_bench.sh bench/durable_bench.sh bench/ws_bench.mjs \
	bench/login_bench.mjs bench/restart_bench.sh bench/soak.mjs \
	bench/catchup.mjs bench/stream_mem.mjs bench/ui_bench.mjs \
	bench/email_ingest_bench.mjs bench/sms_mo_bench.mjs bench/chat_bench.mjs

bench: build
	@rc=0; \
	for b in $(BUILD)/bench/*_bench $(BENCH_SCRIPTS); do \
		echo "== $$b"; \
		case $$b in \
		*.sh) BUILD=$(abspath $(BUILD)) RELAIS_BIN=$(abspath $(BUILD))/relais bash $$b ;; \
		*.mjs) RELAIS_BIN=$(abspath $(BUILD))/relais node $$b ;; \
		*) $$b ;; \
		esac || { echo "== $$b FAILED"; rc=1; }; \
	done; \
	exit $$rc

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DRELAIS_FUZZ=ON -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAIS_SANITIZE=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@for f in $(FUZZ_BUILD)/fuzz_*; do \
		case $$f in *.log) continue;; esac; \
		name=$$(basename $$f); \
		mkdir -p fuzz/corpus-$$name; \
		echo "== $$name for $(FUZZ_TIME)s"; \
		dict=; test -f fuzz/$$name.dict && dict=-dict=fuzz/$$name.dict; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $$dict \
			fuzz/corpus-$$name fuzz/seeds/$$name \
			>$(FUZZ_BUILD)/$$name.log 2>&1; rc=$$?; \
		tail -n 12 $(FUZZ_BUILD)/$$name.log; \
		test $$rc -eq 0 || exit 1; \
	done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

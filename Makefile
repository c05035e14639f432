# libonnxmini - build, test and install.
#
#   make                 library, tools and examples under build/
#   make demo            classify the MNIST test set with the model zoo's model
#   make check           unit, loader, API, model and conformance tests, once
#                        per kernel instruction set the CPU has
#   make check-sanitize  the same under AddressSanitizer and UBSan
#   make check-tsan      the thread tests under ThreadSanitizer
#   make check-windows   cross-build for Windows, test under Wine
#   make check-portable  strict C11 and MSVC-target syntax checks of lib/
#   make check-arm64     cross-compile for aarch64, test under qemu-aarch64
#   make check-python    the Python package's tests, against build/'s library
#   make bench           benchmark, then write docs/BENCHMARKS.md
#   make fuzz            run each fuzz target FUZZ_SECONDS seconds (default 60)
#   make install         PREFIX, DESTDIR, LIBDIR and INCLUDEDIR are honoured
#
# Standard variables: CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX, DESTDIR.
# WERROR=1 turns warnings into errors (CI sets it); ISAS chooses the
# instruction sets built in.

CC       ?= cc
AR       ?= ar
PROTOC_C ?= protoc-c
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O3 -g
CPPFLAGS ?=
LDFLAGS  ?=
PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR   ?= $(PREFIX)/bin
BUILD    ?= build

VERSION  := 0.1.0
SOVERSION := 0

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wvla -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef \
            -Wformat=2 -Wold-style-definition -Wmissing-declarations \
            -Wredundant-decls -Wnested-externs
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

BASE_CFLAGS := -std=c11 $(WARNINGS) -fPIC -fvisibility=hidden -pthread \
               -D_POSIX_C_SOURCE=200809L
INCLUDES := -Iinclude -Ilib -I$(BUILD)/gen

PNG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpng 2>/dev/null)
PNG_LIBS   := $(shell $(PKG_CONFIG) --libs libpng 2>/dev/null || echo -lpng)
PROTOBUF_LIBS := -lprotobuf-c
LIB_DEPS := $(PROTOBUF_LIBS) -lm -pthread

# The data directory: ONNXMINI_DATA_DIR (a relative one is taken from the
# repository root), or data/ when unset, where tools/fetch-data.sh downloads
# the files.
ifneq ($(strip $(ONNXMINI_DATA_DIR)),)
DATA_DIR := $(abspath $(ONNXMINI_DATA_DIR))
export ONNXMINI_DATA_DIR := $(DATA_DIR)
else
DATA_DIR := $(CURDIR)/data
endif

# ---------------------------------------------------------------- sources

GEN_C := $(BUILD)/gen/onnx.pb-c.c
GEN_H := $(BUILD)/gen/onnx.pb-c.h

# Instruction sets built in besides the scalar reference; on x86-64 all of
# sse2, avx2 and avx512 by default (ISAS="sse2" leaves out the others).
# Each one's kernel file is compiled with its own -m flags, and the library
# picks the best at run time.
ARCH := $(shell $(CC) -dumpmachine 2>/dev/null | cut -d- -f1)
ifeq ($(ARCH),x86_64)
ISAS ?= sse2 avx2 avx512
ISA_DIR := x86
endif
# On aarch64, NEON is part of the base architecture and needs no -m flag.
ifeq ($(ARCH),aarch64)
ISAS ?= neon
ISA_DIR := arm
endif
ISA_SRC := $(foreach i,$(ISAS),lib/kernels/$(ISA_DIR)/$(i).c)
ISA_DEFS := $(foreach i,$(ISAS),-DOM_HAVE_$(shell echo $(i) | tr a-z A-Z))

$(BUILD)/obj/lib/kernels/x86/sse2.o: ISA_FLAGS := -msse2
$(BUILD)/obj/lib/kernels/x86/avx2.o: ISA_FLAGS := -mavx2 -mfma
$(BUILD)/obj/lib/kernels/x86/avx512.o: ISA_FLAGS := -mavx512f -mavx2 -mfma

LIB_SRC := $(wildcard lib/*.c) $(wildcard lib/ops/*.c) \
           $(wildcard lib/kernels/*.c) $(wildcard lib/kernels/scalar/*.c) \
           $(ISA_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/onnx.pb-c.o

STATIC_LIB := $(BUILD)/lib/libonnxmini.a
SHARED_LIB := $(BUILD)/lib/libonnxmini.so.$(VERSION)
SONAME     := libonnxmini.so.$(SOVERSION)

CLASSIFY_SRC := $(wildcard examples/mnist_classify/*.c)
CLASSIFY_OBJ := $(CLASSIFY_SRC:%.c=$(BUILD)/obj/%.o)

TEST_SUPPORT_SRC := tests/model_builder.c tests/test_data.c
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(filter-out $(TEST_SUPPORT_SRC),$(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

PROGRAMS := $(BUILD)/bin/mnist_classify $(BUILD)/bin/onnxmini-conformance \
            $(BUILD)/bin/minimal

# The benchmark: bench/*.c, linked against the static library.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
PROGRAMS += $(BUILD)/bin/onnxmini-bench

# The onnxmini command-line tool: tools/onnxmini/*.c, plus the benchmark's
# code (all of bench/ but its main.c) for 'onnxmini bench'.
TOOL_SRC := $(wildcard tools/onnxmini/*.c)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o) \
            $(filter-out $(BUILD)/obj/bench/main.o,$(BENCH_OBJ))
PROGRAMS += $(BUILD)/bin/onnxmini

# The official ONNX backend tests (Debian package libonnx-testdata).
ONNX_TESTDATA ?= /usr/share/libonnx-testdata/data
CONFORMANCE_DIRS := $(addprefix $(ONNX_TESTDATA)/,node pytorch-converted \
                    pytorch-operator simple)

.PHONY: all lib deps demo check check-valgrind check-sanitize check-tsan \
        conformance-all \
        test data install uninstall clean
all: lib $(PROGRAMS) $(TEST_BIN)

lib: $(STATIC_LIB) $(BUILD)/lib/libonnxmini.so

# ---------------------------------------------------------------- rules

# One protoc-c run writes both files; the header follows the source, so
# that a parallel make does not run it twice at once.
$(GEN_C): onnx.proto
	@mkdir -p $(BUILD)/gen
	$(PROTOC_C) --c_out=$(BUILD)/gen onnx.proto

$(GEN_H): $(GEN_C)
	@test -f $@ || { echo "protoc-c did not write $@" >&2; exit 1; }
	@touch $@

$(BUILD)/obj/gen/onnx.pb-c.o: $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -fPIC -fvisibility=hidden \
	    -I$(BUILD)/gen -c $< -o $@

$(BUILD)/obj/lib/%.o: lib/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(ISA_DEFS) $(ISA_FLAGS) \
	    $(INCLUDES) -MMD -MP -c $< -o $@

$(BUILD)/obj/examples/%.o: examples/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(PNG_CFLAGS) -Iinclude \
	    -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(INCLUDES) -Itests \
	    -MMD -MP -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) $(CFLAGS) -o $@ $^ $(LIB_DEPS)

$(BUILD)/lib/libonnxmini.so: $(SHARED_LIB)
	ln -sf libonnxmini.so.$(VERSION) $(BUILD)/lib/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/bin/mnist_classify: $(CLASSIFY_OBJ) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $(CLASSIFY_OBJ) $(STATIC_LIB) \
	    $(PNG_LIBS) -lz $(LIB_DEPS)

$(BUILD)/bin/minimal: $(BUILD)/obj/examples/minimal.o $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $< $(STATIC_LIB) $(LIB_DEPS)

$(BUILD)/bin/onnxmini-conformance: $(BUILD)/obj/tests/conformance.o \
                                   $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $< $(STATIC_LIB) $(LIB_DEPS)

# The benchmark reads the model with the generated protobuf-c code, which
# is linked into the static library, to count FLOPs.
$(BUILD)/obj/bench/%.o: bench/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -I$(BUILD)/gen \
	    -MMD -MP -c $< -o $@

$(BUILD)/bin/onnxmini-bench: $(BENCH_OBJ) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $(BENCH_OBJ) $(STATIC_LIB) $(LIB_DEPS)

# The onnxmini tool reads models with the generated protobuf-c code, which
# is linked into the static library, like the benchmark.
$(BUILD)/obj/tools/onnxmini/%.o: tools/onnxmini/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -I$(BUILD)/gen \
	    -Ibench -MMD -MP -c $< -o $@

$(BUILD)/bin/onnxmini: $(TOOL_OBJ) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $(TOOL_OBJ) $(STATIC_LIB) $(LIB_DEPS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_SUPPORT_OBJ) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(STATIC_LIB) \
	    -lcmocka -lz $(LIB_DEPS)

# Objects are kept, so that one target's build does not delete another's.
.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- tasks

deps:
	@sh tools/install-deps.sh

data:
	@sh tools/fetch-data.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/fetch-data.sh
	$(BUILD)/bin/mnist_classify --model "$(DATA_DIR)/mnist-12.onnx" \
	    --mnist "$(DATA_DIR)"
	@if [ -d "$(DATA_DIR)/digits" ]; then \
	    echo "$(BUILD)/bin/mnist_classify --model $(DATA_DIR)/mnist-12.onnx" \
	        "$(DATA_DIR)/digits/*.pgm"; \
	    $(BUILD)/bin/mnist_classify --model "$(DATA_DIR)/mnist-12.onnx" \
	        "$(DATA_DIR)"/digits/*.pgm; \
	fi

check: deps
	@$(MAKE) --no-print-directory all
	@sh tools/fetch-data.sh
	@sh tools/install-deps.sh $(PYTHON_DEPS)
	@$(MAKE) --no-print-directory torch-models
	@$(MAKE) --no-print-directory bench-models >/dev/null
	@ONNXMINI_DATA_DIR="$(DATA_DIR)" ONNXMINI_TEST_ISAS=all \
	    ONNXMINI_BENCH_MODELS="$(abspath $(BENCH_DIR))" \
	    ONNXMINI_TORCH_MODELS="$(abspath $(TORCH_MODELS_DIR))" \
	    sh tests/run-tests.sh $(BUILD)
	@ONNXMINI_DATA_DIR="$(DATA_DIR)" sh tests/check-install.sh $(BUILD)
	@$(MAKE) --no-print-directory check-python

# The whole official suite, one line per test: every test listed in
# tests/conformance-expected.txt must pass, the others pass or are reported
# FAIL or UNSUPPORTED with a message.
conformance-all: $(BUILD)/bin/onnxmini-conformance
	$(BUILD)/bin/onnxmini-conformance --expect tests/conformance-expected.txt \
	    $(CONFORMANCE_DIRS)

# The library, the tools and every test built into build-asan/ with
# AddressSanitizer and UndefinedBehaviorSanitizer, then the whole test
# suite (the conformance suite included). Any report fails the run.
SANITIZE_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
                  -fno-sanitize-recover=all
check-sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	    CFLAGS="$(SANITIZE_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all
	@sh tools/fetch-data.sh --quiet
	@$(MAKE) --no-print-directory torch-models
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ONNXMINI_TORCH_MODELS="$(abspath $(TORCH_MODELS_DIR))" \
	    ONNXMINI_DATA_DIR="$(DATA_DIR)" sh tests/run-tests.sh build-asan

# The thread pool and several sessions sharing one model, under
# ThreadSanitizer: any data race fails.
check-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan \
	    CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
	    build-tsan/tests/test_threads
	@sh tools/fetch-data.sh --quiet
	TSAN_OPTIONS=halt_on_error=1 ONNXMINI_DATA_DIR="$(DATA_DIR)" \
	    build-tsan/tests/test_threads

# The classifier on ten MNIST digits and every test of the conformance list
# under valgrind's memcheck: any error or leak fails. Valgrind hides AVX-512
# from CPUID, so these runs take the AVX2 path at best.
check-valgrind: all
	@sh tools/fetch-data.sh --quiet
	valgrind --quiet --leak-check=full --show-leak-kinds=all \
	    --errors-for-leak-kinds=all --error-exitcode=1 \
	    $(BUILD)/bin/mnist_classify --model "$(DATA_DIR)/mnist-12.onnx" \
	    --mnist "$(DATA_DIR)" --limit 10
	valgrind --quiet --leak-check=full --show-leak-kinds=all \
	    --errors-for-leak-kinds=all --error-exitcode=1 \
	    $(BUILD)/bin/onnxmini-conformance --expect tests/conformance-expected.txt \
	    $(CONFORMANCE_DIRS)

# Benchmarks: generate the models into BENCH_DIR, run onnxmini-bench on
# each model, instruction set and batch size, and write docs/BENCHMARKS.md.
# BENCH_MAX_TIME bounds the warm-up and the timed loop of each measurement,
# in seconds; BENCH_PEAK_GFLOPS is the peak the page compares against
# (measured by onnxmini-peak when empty).
# BENCH_ORT=1 also times each model with ONNX Runtime's Node.js package,
# which tools/ort-bench.sh installs from the npm registry outside the
# repository.
.PHONY: bench bench-models
PYTHON3 ?= /usr/bin/python3
BENCH_DIR ?= $(BUILD)/bench
BENCH_MAX_TIME ?= 5
# Empty: measured on this machine by onnxmini-peak (bench/peak/peak.c).
BENCH_PEAK_GFLOPS ?=

bench-models: $(BUILD)/bin/minimal
	@sh tools/fetch-data.sh --quiet
	@$(MAKE) --no-print-directory torch-models
	$(PYTHON3) bench/make_models.py --data-dir "$(DATA_DIR)" \
	    --check-with $(BUILD)/bin/minimal \
	    --torch-models "$(TORCH_MODELS_DIR)" "$(BENCH_DIR)"

bench: bench-models $(BUILD)/bin/onnxmini-bench $(BUILD)/bin/onnxmini-peak
	@ort=; if [ -n "$(BENCH_ORT)" ]; then \
	    ort=$$(sh tools/ort-bench.sh) || exit 1; fi; \
	$(PYTHON3) bench/run_bench.py --bench $(BUILD)/bin/onnxmini-bench \
	    --models "$(BENCH_DIR)" --max-time $(BENCH_MAX_TIME) \
	    --peak-gflops "$(BENCH_PEAK_GFLOPS)" \
	    --peak-program $(BUILD)/bin/onnxmini-peak --cc "$(CC)" \
	    --cflags "$(CFLAGS)" --ort-modules "$$ort" \
	    --output docs/BENCHMARKS.md

# One core's FMA throughput, the peak the benchmark page compares with.
$(BUILD)/bin/onnxmini-peak: bench/peak/peak.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# ---------------------------------------------------------------- PyTorch models
# tests/torch/make_models.py exports ResNet-18, MobileNetV2, SqueezeNet 1.1
# and LeNet-5 with PyTorch at opsets 13 and 17 into TORCH_MODELS_DIR, as
# ONNX backend test folders with PyTorch's outputs as the reference, and
# tests/test_torch_models.sh runs them (make check on every instruction
# set, make check-arm64 under QEMU). The export runs again only when the
# script changes. make check does not install PyTorch, which is large:
# without python3-torch and python3-torchvision, torch-models reports that
# it skipped the export and the test reports a skip, except that with
# CI=true both fail. .ci/run installs the two packages.
.PHONY: torch-models
TORCH_MODELS_DIR ?= $(BUILD)/torch-models
TORCH_MODELS_STAMP := $(TORCH_MODELS_DIR)/complete.stamp
TORCH_PYTHON_DEPS := python3-numpy python3-onnx

torch-models:
	@if $(PYTHON3) -c 'import importlib.util as u, sys; \
	    sys.exit(not (u.find_spec("torch") and u.find_spec("torchvision")))'; \
	then \
	    $(MAKE) --no-print-directory $(TORCH_MODELS_STAMP); \
	elif [ "$$CI" = true ]; then \
	    echo "torch-models: $(PYTHON3) has no torch or torchvision module," \
	        "and CI=true needs the PyTorch models; install the Debian" \
	        "packages python3-torch and python3-torchvision" >&2; \
	    exit 1; \
	else \
	    echo "torch-models: skipped: $(PYTHON3) has no torch or" \
	        "torchvision module, so the PyTorch model tests will be" \
	        "skipped; install the Debian packages python3-torch and" \
	        "python3-torchvision to run them"; \
	fi

$(TORCH_MODELS_STAMP): tests/torch/make_models.py
	@sh tools/install-deps.sh $(TORCH_PYTHON_DEPS)
	@rm -f $@
	$(PYTHON3) tests/torch/make_models.py "$(TORCH_MODELS_DIR)"
	@touch $@

# make check-arm64 runs the opset-13 exports (the opset-17 graphs have the
# same nodes) on their batch-1 data set only, plus the two mutated copies.
# Under QEMU 7.2 on a 2-core x86-64 virtual machine that took 35 s with the
# NEON kernels and 45 s with the scalar ones; all eight folders with both
# data sets took 144 s and 218 s.
ARM64_TORCH_MODELS ?= resnet18_opset13 mobilenet_v2_opset13 \
                      squeezenet1_1_opset13 lenet5_opset13
ARM64_TORCH_DATA_SETS ?= 1

# ---------------------------------------------------------------- aarch64
# all-arm64 cross-compiles everything for aarch64 into ARM64_BUILD with
# Debian's cross compiler and the arm64 builds of the libraries from
# Debian's multiarch archive (tools/install-arm64-deps.sh installs both).
# check-arm64 then runs the test suite under user-mode QEMU, called
# explicitly (binfmt_misc is not needed), on the NEON and the scalar
# kernels. Only the MNIST accuracy tests are cut, to the first
# ARM64_MNIST_LIMIT test images: an image takes 5 to 9 ms under QEMU 7.2
# here, so all 10000 for both models and both kernel sets would add about
# 4 minutes. The conformance list runs in full. protoc-c runs on the host,
# since the C code it generates is the same for every target.
#
# The runner takes the dynamic loader and libc from libc6:arm64, the
# multiarch package that the arm64 libraries depend on, and not from
# /usr/aarch64-linux-gnu (-L): that loader, from libc6-arm64-cross, would
# load libc6:arm64's libc.so.6 through ld.so.cache, and with the two
# builds of glibc 2.36 in Debian 12 (2.36-8cross1 and 2.36-9+deb12u14)
# mixed that way, a program hangs when it starts a thread.
.PHONY: all-arm64 check-arm64 arm64-instructions
ARM64_BUILD ?= build-arm64
ARM64_CC ?= aarch64-linux-gnu-gcc
ARM64_AR ?= aarch64-linux-gnu-ar
ARM64_ISAS ?= neon
ARM64_PKG_CONFIG_LIBDIR ?= /usr/lib/aarch64-linux-gnu/pkgconfig
ARM64_RUNNER ?= qemu-aarch64
ARM64_TEST_ISAS ?= neon scalar
ARM64_MNIST_LIMIT ?= 1000

all-arm64: deps
	@sh tools/install-arm64-deps.sh
	@PKG_CONFIG_LIBDIR="$(ARM64_PKG_CONFIG_LIBDIR)" PKG_CONFIG_PATH= \
	    $(MAKE) --no-print-directory BUILD=$(ARM64_BUILD) CC=$(ARM64_CC) \
	    AR=$(ARM64_AR) ISAS="$(ARM64_ISAS)" all

check-arm64: all-arm64
	@sh tools/fetch-data.sh --quiet
	@$(MAKE) --no-print-directory torch-models
	@ONNXMINI_DATA_DIR="$(DATA_DIR)" ONNXMINI_TEST_RUNNER="$(ARM64_RUNNER)" \
	    ONNXMINI_TEST_ISAS="$(ARM64_TEST_ISAS)" \
	    ONNXMINI_TORCH_MODELS="$(abspath $(TORCH_MODELS_DIR))" \
	    ONNXMINI_TORCH_MODEL_NAMES="$(ARM64_TORCH_MODELS)" \
	    ONNXMINI_TORCH_DATA_SETS=$(ARM64_TORCH_DATA_SETS) \
	    ONNXMINI_TEST_MNIST_LIMIT=$(ARM64_MNIST_LIMIT) \
	    sh tests/run-tests.sh $(ARM64_BUILD)

# Instructions per inference on aarch64 for the MNIST and CIFAR-size
# models, counted from QEMU's execution log (docs/ARM64.md).
arm64-instructions: all-arm64 bench-models
	@ARM64_BUILD=$(ARM64_BUILD) ARM64_RUNNER="$(ARM64_RUNNER)" \
	    sh tools/arm64-instructions.sh "$(DATA_DIR)/mnist-12.onnx" \
	    "$(BENCH_DIR)/cifar_cnn.onnx"

# ---------------------------------------------------------------- Windows
# check-windows cross-builds the library, the tests, the conformance runner
# and the MNIST classifier for x86-64 Windows with MinGW-w64 into
# build-windows/ and runs them under Wine once per instruction set;
# check-windows-arm64 does the same for Windows on Arm with Clang and
# Wine under QEMU, and checks that the classifier gives the first 100 MNIST
# test images the same digits as the Linux build in $(BUILD) does.
# check-portable compiles lib/ as strict C11 with GCC and MinGW, and checks
# its syntax with Clang for the x64 and Arm64 MSVC targets.
# docs/WINDOWS.md describes all three.
.PHONY: check-windows check-windows-arm64 check-portable
check-windows:
	@sh tools/check-windows.sh

check-windows-arm64: deps
	@$(MAKE) --no-print-directory $(BUILD)/bin/mnist_classify
	@LINUX_MNIST_CLASSIFY="$(abspath $(BUILD)/bin/mnist_classify)" \
	    sh tools/check-windows.sh arm64

check-portable:
	@sh tools/check-portable.sh

# ---------------------------------------------------------------- python
# The Python package in python/ (pure Python over ctypes) tested with
# Debian's pytest against this build's shared library, once, with the
# default instruction set (one test runs every instruction set). No
# bytecode or pytest cache is written into the source tree.
.PHONY: check-python
PYTHON3 ?= /usr/bin/python3
PYTHON_DEPS := python3-numpy python3-pytest python3-onnx

check-python: lib $(BUILD)/bin/mnist_classify
	@sh tools/install-deps.sh $(PYTHON_DEPS)
	@sh tools/fetch-data.sh --quiet
	@echo "== python/tests"
	@ONNXMINI_DATA_DIR="$(DATA_DIR)" ONNXMINI_BUILD_DIR="$(abspath $(BUILD))" \
	    ONNXMINI_LIBRARY="$(abspath $(BUILD))/lib/libonnxmini.so" \
	    PYTHONDONTWRITEBYTECODE=1 \
	    $(PYTHON3) -m pytest -q -p no:cacheprovider python/tests; \
	status=$$?; \
	if [ $$status -eq 5 ]; then \
	    echo "check-python: pytest collected no tests" >&2; \
	fi; \
	exit $$status

# ---------------------------------------------------------------- fuzzing
# make fuzz builds the library and the fuzz targets of tests/fuzz/ into
# FUZZ_BUILD with clang's libFuzzer, AddressSanitizer and UBSan, collects
# the seed corpora (tests/fuzz/make-corpus.sh) and runs each target for
# FUZZ_SECONDS seconds, one after the other (tests/fuzz/run-fuzzers.sh).
# A crash, leak, timeout or broken contract fails; docs/FUZZING.md has the
# details. The normal build links the same targets with tests/fuzz/replay.c
# into $(BUILD)/tests/fuzz/, and make check replays tests/fuzz/regressions/
# through them (tests/test_fuzz_regressions.sh).
.PHONY: fuzz fuzz-build
FUZZ_TARGETS := model tensor graph
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
# Debian 12's clang is version 14; its libFuzzer is in libclang-rt-14-dev.
# dpkg-dev unpacks the protobuf-c source package (see below).
FUZZ_DEPS ?= clang libclang-rt-14-dev dpkg-dev
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SUPPORT_OBJ := $(BUILD)/obj/tests/fuzz/fuzz_support.o
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/replay-%)

all: $(FUZZ_REPLAY)

$(FUZZ_REPLAY): $(BUILD)/tests/fuzz/replay-%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
                $(FUZZ_SUPPORT_OBJ) $(BUILD)/obj/tests/fuzz/replay.o \
                $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $(filter %.o,$^) $(STATIC_LIB) \
	    $(LIB_DEPS)

# The libFuzzer programs; fuzz-build makes them with BUILD=$(FUZZ_BUILD),
# and with the instrumented protobuf-c object in LIB_DEPS.
$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT_OBJ) \
                      $(STATIC_LIB) $(filter %.o,$(LIB_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ \
	    $(BUILD)/obj/tests/fuzz/fuzz_$*.o $(FUZZ_SUPPORT_OBJ) $(STATIC_LIB) \
	    $(LIB_DEPS)

# protobuf-c's runtime (one C file) is built from Debian's source package
# with the same instrumentation and linked in place of the system's
# libprotobuf-c, so that the fuzzers get coverage feedback inside the
# parser too. tools/debian-source.sh fetches it through a private APT
# configuration under $(FUZZ_BUILD)/debian. UBSan is off for that file:
# protobuf-c 1.4.1 shifts a signed int out of range when it parses a field
# number above 2^24 (parse_tag_and_wiretype), which every run would report
# in code that is not this project's.
FUZZ_PROTOBUF_OBJ := $(FUZZ_BUILD)/obj/protobuf-c.o

$(FUZZ_PROTOBUF_OBJ):
	@mkdir -p $(dir $@)
	tree=$$(sh tools/debian-source.sh $(FUZZ_BUILD)/debian protobuf-c) && \
	    $(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize=undefined -w \
	    -c "$$tree/protobuf-c/protobuf-c.c" -o $@

fuzz-build: deps
	@sh tools/install-deps.sh $(FUZZ_DEPS)
	@$(MAKE) --no-print-directory $(FUZZ_PROTOBUF_OBJ)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_CFLAGS)" \
	    LIB_DEPS="$(FUZZ_PROTOBUF_OBJ) -lm -pthread" \
	    $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

fuzz: fuzz-build
	sh tests/fuzz/make-corpus.sh $(FUZZ_BUILD) "$(DATA_DIR)" \
	    "$(ONNX_TESTDATA)"
	sh tests/fuzz/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

test: check

# Files made from templates with the installation's paths.
SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
            -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g'
INSTALLED_TOOLS := onnxmini onnxmini-bench onnxmini-conformance

install: lib $(addprefix $(BUILD)/bin/,$(INSTALLED_TOOLS))
	install -d "$(DESTDIR)$(LIBDIR)/pkgconfig" \
	    "$(DESTDIR)$(LIBDIR)/cmake/onnxmini" "$(DESTDIR)$(INCLUDEDIR)" \
	    "$(DESTDIR)$(BINDIR)"
	install -m 644 include/onnxmini.h "$(DESTDIR)$(INCLUDEDIR)/"
	install -m 644 $(STATIC_LIB) "$(DESTDIR)$(LIBDIR)/"
	install -m 755 $(SHARED_LIB) "$(DESTDIR)$(LIBDIR)/"
	ln -sf libonnxmini.so.$(VERSION) "$(DESTDIR)$(LIBDIR)/$(SONAME)"
	ln -sf $(SONAME) "$(DESTDIR)$(LIBDIR)/libonnxmini.so"
	$(SUBST) tools/onnxmini.pc.in > "$(DESTDIR)$(LIBDIR)/pkgconfig/onnxmini.pc"
	$(SUBST) tools/onnxminiConfig.cmake.in \
	    > "$(DESTDIR)$(LIBDIR)/cmake/onnxmini/onnxminiConfig.cmake"
	$(SUBST) tools/onnxminiConfigVersion.cmake.in \
	    > "$(DESTDIR)$(LIBDIR)/cmake/onnxmini/onnxminiConfigVersion.cmake"
	for t in $(INSTALLED_TOOLS); do \
	    install -m 755 $(BUILD)/bin/$$t "$(DESTDIR)$(BINDIR)/"; done

uninstall:
	rm -f "$(DESTDIR)$(INCLUDEDIR)/onnxmini.h" \
	      "$(DESTDIR)$(LIBDIR)/libonnxmini.a" \
	      "$(DESTDIR)$(LIBDIR)/libonnxmini.so.$(VERSION)" \
	      "$(DESTDIR)$(LIBDIR)/$(SONAME)" "$(DESTDIR)$(LIBDIR)/libonnxmini.so" \
	      "$(DESTDIR)$(LIBDIR)/pkgconfig/onnxmini.pc" \
	      "$(DESTDIR)$(LIBDIR)/cmake/onnxmini/onnxminiConfig.cmake" \
	      "$(DESTDIR)$(LIBDIR)/cmake/onnxmini/onnxminiConfigVersion.cmake"
	for t in $(INSTALLED_TOOLS); do rm -f "$(DESTDIR)$(BINDIR)/$$t"; done
	-rmdir "$(DESTDIR)$(LIBDIR)/cmake/onnxmini" 2>/dev/null

clean:
	rm -rf $(BUILD)

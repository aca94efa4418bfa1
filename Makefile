# authmilter - one non-recursive Makefile.
# Sources are picked up by pattern (src/*.c, tests/unit/test_*.c, tests/fuzz/fuzz_*.c) so
# that modules developed side by side never edit a shared list. Everything except main.c
# and the cmd_*.c command front ends is archived into libauthcore.a, which the daemon,
# the unit tests and the fuzz targets all link.
#
#   make            build (gcc by default; CC=clang works too)
#   make test       unit tests, fuzz-corpus replay, integration tests
#   make SAN=1 test the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make deps       install the Debian packages needed to build and test
#   make run        run the daemon in the foreground on conf/authmilter.conf
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench      benchmarks
#   make fuzz       libFuzzer builds of the fuzz targets (clang)
#   make valgrind   unit tests, corpus replays, daemon.sh and hostile.sh (daemon included) under valgrind

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= /lib/systemd/system
VERSION  := 0.1.0

SAN ?=
ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1
else
BUILD    ?= build
SANFLAGS :=
OPT      := -O2
endif

PKGS     := libconfig libcares openssl libsystemd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   ?= $(OPT) -g
CPPFLAGS += -Isrc -D_GNU_SOURCE -DAM_VERSION=\"$(VERSION)\"
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wmissing-prototypes -Wstrict-prototypes
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS)
LDLIBS   := $(PKG_LIBS) -lmilter -lpthread
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

CLI_SRCS  := src/main.c $(sort $(wildcard src/cmd_*.c))
CORE_SRCS := $(filter-out $(CLI_SRCS),$(sort $(wildcard src/*.c)))
CORE_OBJS := $(CORE_SRCS:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJS  := $(CLI_SRCS:src/%.c=$(BUILD)/obj/%.o)
CORE_LIB  := $(BUILD)/libauthcore.a
BIN       := $(BUILD)/authmilter

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/unit/helpers/*.c))
HELPER_OBJS := $(HELPER_SRCS:tests/unit/helpers/%.c=$(BUILD)/tests/helpers/%.o)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
BENCH_SRCS := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

TOOL_BINS := $(BUILD)/milter-bench

.PHONY: all test unit deps run install bench fuzz clean check-tools valgrind
all: $(BIN) $(TOOL_BINS)

# milter-bench: the MTA side of the milter protocol, for tests and load (standalone).
$(BUILD)/milter-bench: tests/bench/milter-bench.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lpthread

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJS) $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(CORE_LIB) $(LDLIBS)

$(BUILD)/tests/helpers/%.o: tests/unit/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit/helpers $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_LIB) $(HELPER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit/helpers $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(HELPER_OBJS) $(CORE_LIB) $(LDLIBS) -lcmocka

# Fuzz targets are replayed over their corpus on every test run (plain main, any CC).
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(CORE_LIB) $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_LIB) $(LDLIBS)

test: $(BIN) $(TOOL_BINS) $(UNIT_BINS) $(FUZZ_REPLAY)
	BUILD=$(BUILD) AUTHMILTER=$(abspath $(BIN)) MILTER_BENCH=$(abspath $(BUILD)/milter-bench) bash tests/run-tests.sh

# valgrind: memory errors and definite leaks fail the run; tests/valgrind.supp holds only
# commented third-party noise. The daemon runs under valgrind too (AM_WRAPPER, honoured by
# tests/lib/common.sh), without -q so that its log ends with the error summary checked.
VALGRIND_CMD := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	--suppressions=$(abspath tests/valgrind.supp)
valgrind: $(BIN) $(TOOL_BINS) $(UNIT_BINS) $(FUZZ_REPLAY)
	@test -z "$(SANFLAGS)" || { echo "make valgrind: not with SAN=1"; exit 1; }
	BUILD=$(BUILD) AUTHMILTER=$(abspath $(BIN)) MILTER_BENCH=$(abspath $(BUILD)/milter-bench) \
	  VALGRIND="$(VALGRIND_CMD) -q" AM_WRAPPER="$(VALGRIND_CMD)" INTEGRATION="daemon.sh hostile.sh" \
	  TEST_TIMEOUT=1800 bash tests/run-tests.sh

unit: $(UNIT_BINS)
	BUILD=$(BUILD) ONLY=unit bash tests/run-tests.sh

deps:
	bash tests/install-deps.sh

run: $(BIN)
	$(BIN) serve -f -c conf/authmilter.conf

bench: $(BIN) $(TOOL_BINS) $(BENCH_BINS)
	BUILD=$(BUILD) AUTHMILTER=$(abspath $(BIN)) MILTER_BENCH=$(abspath $(BUILD)/milter-bench) bash tests/bench/run-bench.sh

FUZZ_CC ?= clang
fuzz:
	@mkdir -p build-fuzz
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libauthcore.a
	for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  $(FUZZ_CC) $(CPPFLAGS) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o build-fuzz/$$n $$f build-fuzz/libauthcore.a $(LDLIBS) || exit 1; done

install: $(BIN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/authmilter $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/authmilter
	test -e $(DESTDIR)$(SYSCONFDIR)/authmilter/authmilter.conf || install -m 0644 conf/authmilter.conf $(DESTDIR)$(SYSCONFDIR)/authmilter/authmilter.conf
	install -m 0644 docs/authmilter.8 $(DESTDIR)$(MANDIR)/man8/authmilter.8
	install -m 0644 docs/authmilter.conf.5 $(DESTDIR)$(MANDIR)/man5/authmilter.conf.5
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/authmilter.service > $(DESTDIR)$(UNITDIR)/authmilter.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/authmilter.service

clean:
	rm -rf build build-san build-clang build-fuzz

-include $(CORE_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# SPDX-License-Identifier: MIT
# git-credential-bbtoken: `make`, `make install`, `make test`.

prefix ?= /usr/local
bindir ?= $(prefix)/bin
libdir ?= $(prefix)/lib
moduledir ?= $(libdir)/git-credential-bbtoken
mandir ?= $(prefix)/share/man
man1dir ?= $(mandir)/man1
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
# CI sets WERROR=1: warnings are errors there.
WERROR ?=
VERSION = 0.1.0

BASIC_CFLAGS = -std=c11 -Wall -Wextra -fPIC -D_GNU_SOURCE \
	-DBBTOKEN_VERSION='"$(VERSION)"' -DMODULEDIR='"$(moduledir)"'
ifeq ($(WERROR),1)
BASIC_CFLAGS += -Werror
endif

# SANITIZE=address,undefined builds everything with those sanitizers and
# stops at the first report.  Only the programs carry the runtime: the
# modules they dlopen() use the program's, so their symbols stay
# undefined at link time and -z defs has to go.
SANITIZE ?=
ifneq ($(SANITIZE),)
SANITIZE_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
MODULE_DEFS =
else
SANITIZE_FLAGS =
MODULE_DEFS = -Wl,-z,defs
endif
ALL_CFLAGS = $(SANITIZE_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANITIZE_FLAGS) $(CFLAGS) $(LDFLAGS)

# Asked of pkg-config only when a rule that needs them runs (recursive
# variables): `make clean` works on a machine without the -dev packages.
pkg = $(shell $(PKG_CONFIG) $(1) $(2))
GIO_CFLAGS = $(call pkg,--cflags,gio-2.0)
GIO_LIBS = $(call pkg,--libs,gio-2.0)
SECRET_CFLAGS = $(call pkg,--cflags,libsecret-1)
SECRET_LIBS = $(call pkg,--libs,libsecret-1)
CRYPTO_CFLAGS = $(call pkg,--cflags,libcrypto)
CRYPTO_LIBS = $(call pkg,--libs,libcrypto)
CURL_CFLAGS = $(call pkg,--cflags,libcurl)
CURL_LIBS = $(call pkg,--libs,libcurl)
JSON_CFLAGS = $(call pkg,--cflags,json-c)
JSON_LIBS = $(call pkg,--libs,json-c)

PROGRAM = git-credential-bbtoken
MOD_GET_SS = bbtoken-get-secretservice.so
MOD_GET_FILE = bbtoken-get-file.so
MOD_FULL = bbtoken-full.so
MODULES = $(MOD_GET_SS) $(MOD_GET_FILE) $(MOD_FULL)
# The names the modules had in earlier builds (bbtoken-tools.so was the
# full one): install and uninstall remove them, so that an upgrade leaves
# no stale module a reader of the directory could mistake for a live one.
OLD_MODULES = bbtoken-ssget.so bbtoken-file.so bbtoken-tools.so

# Pure modules, libc only: linked into the binary and every module.
CORE_OBJS = lib/buf.o lib/msg.o lib/credential.o lib/bitbucket.o \
	lib/token.o lib/date.o lib/store/store.o lib/module-abi.o

# store_open() and the read-only sources, libc only; the backends behind
# it come from modules in the binary (load.c), linked in the full module
# (linked.c).
OPEN_OBJS = lib/store/open.o lib/store/sources.o lib/run.o

# The encrypted file store: libcrypto only.
FILE_OBJS = lib/store/file.o lib/store/filefmt.o lib/store/filecrypt.o \
	lib/store/keycache.o lib/term.o

# The binary git runs: libc (and libdl) only.
PROGRAM_OBJS = credential-bbtoken.o lib/action.o lib/action-get.o lib/options.o \
	lib/module.o lib/pick.o lib/report.o lib/store/load.o $(OPEN_OBJS) \
	$(CORE_OBJS)

GET_SS_OBJS = lib/store/secretservice-get.o lib/store/dbus-error.o $(CORE_OBJS)

GET_FILE_OBJS = $(FILE_OBJS) $(CORE_OBJS)

# The Bitbucket client (lib/api.h); its pure part, the reading of
# Bitbucket's answers, needs json-c but no libcurl.
API_PURE_OBJS = lib/api-explain.o lib/api-text.o
API_OBJS = lib/api.o lib/api-transport.o $(API_PURE_OBJS)

FULL_OBJS = lib/module-full.o lib/cmd.o lib/action-store.o lib/action-erase.o \
	lib/cmd-add.o lib/cmd-list.o \
	lib/cmd-remove.o lib/cmd-rotate.o lib/cmd-setup.o lib/cmd-check.o \
	lib/cmd-move.o lib/cmd-file.o lib/cmd-doctor.o lib/cmd-migrate.o \
	lib/doctor.o lib/store/foreign.o lib/verify.o $(API_OBJS) \
	lib/fingerprint.o lib/store/secretservice.o lib/store/dbus-error.o \
	lib/store/deadline-call.o \
	lib/store/linked.o lib/options.o lib/module.o lib/pick.o lib/report.o \
	$(OPEN_OBJS) $(FILE_OBJS) $(CORE_OBJS)

UNIT_TESTS = t/unit/test-parsers t/unit/test-store t/unit/test-api \
	t/unit/api-probe t/unit/store-tool t/unit/test-crypto

all: $(PROGRAM) $(MODULES)

# Every object depends on the flags it was built with, as git's
# GIT-CFLAGS: `make test SANITIZE=...` after a plain build (or CC=clang
# after gcc) rebuilds everything, never mixing sanitized objects with
# plain ones in one binary.
BUILD_FLAGS = $(CC) $(CPPFLAGS) $(BASIC_CFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(MODULE_DEFS)
BUILD-FLAGS: FORCE
	@flags='$(subst ','\'',$(BUILD_FLAGS))'; \
	if test "$$flags" != "$$(cat BUILD-FLAGS 2>/dev/null)"; then \
		echo "$$flags" >BUILD-FLAGS; \
	fi

lib/store/secretservice-get.o: EXTRA_CFLAGS = $(GIO_CFLAGS)
lib/store/dbus-error.o: EXTRA_CFLAGS = $(GIO_CFLAGS)
lib/store/deadline-call.o: EXTRA_CFLAGS = $(GIO_CFLAGS)
lib/store/secretservice.o: EXTRA_CFLAGS = $(SECRET_CFLAGS)
lib/store/foreign.o: EXTRA_CFLAGS = $(SECRET_CFLAGS)
lib/store/file.o: EXTRA_CFLAGS = $(CRYPTO_CFLAGS)
lib/store/filecrypt.o: EXTRA_CFLAGS = $(CRYPTO_CFLAGS)
lib/fingerprint.o: EXTRA_CFLAGS = $(CRYPTO_CFLAGS)
lib/api-transport.o: EXTRA_CFLAGS = $(CURL_CFLAGS)
lib/api-explain.o: EXTRA_CFLAGS = $(JSON_CFLAGS)
lib/cmd-check.o: EXTRA_CFLAGS = $(JSON_CFLAGS)

%.o: %.c lib/*.h lib/store/*.h Makefile BUILD-FLAGS
	$(CC) $(CPPFLAGS) $(BASIC_CFLAGS) $(EXTRA_CFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(PROGRAM): $(PROGRAM_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PROGRAM_OBJS) -ldl

# Each module exports its entry point and nothing else (lib/*.map).
$(MOD_GET_SS): $(GET_SS_OBJS) lib/module-get-secretservice.map
	$(CC) $(ALL_LDFLAGS) -shared \
		-Wl,--version-script=lib/module-get-secretservice.map \
		$(MODULE_DEFS) -o $@ $(GET_SS_OBJS) $(GIO_LIBS)

$(MOD_GET_FILE): $(GET_FILE_OBJS) lib/module-get-file.map
	$(CC) $(ALL_LDFLAGS) -shared -Wl,--version-script=lib/module-get-file.map \
		$(MODULE_DEFS) -o $@ $(GET_FILE_OBJS) $(CRYPTO_LIBS)

$(MOD_FULL): $(FULL_OBJS) lib/module-full.map
	$(CC) $(ALL_LDFLAGS) -shared -Wl,--version-script=lib/module-full.map \
		$(MODULE_DEFS) -o $@ $(FULL_OBJS) $(SECRET_LIBS) $(GIO_LIBS) $(CRYPTO_LIBS) \
		$(CURL_LIBS) $(JSON_LIBS)

t/unit/test-parsers: t/unit/test-parsers.o $(CORE_OBJS) lib/pick.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^

# api_explain over bodies: the pure part alone, no libcurl (it checks).
t/unit/test-api: t/unit/test-api.o $(API_PURE_OBJS) $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JSON_LIBS)

# The driver of t/0700-api-client.sh: one probe, key=value lines out.
t/unit/api-probe: t/unit/api-probe.o $(API_OBJS) $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(JSON_LIBS)

t/unit/test-store: t/unit/test-store.o lib/store/secretservice.o \
		lib/store/deadline-call.o lib/store/secretservice-get.o lib/store/dbus-error.o \
		$(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SECRET_LIBS) $(GIO_LIBS)

# The file store's cryptography against known answers.
t/unit/test-crypto: t/unit/test-crypto.o lib/store/filecrypt.o $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)

t/unit/test-crypto.o: EXTRA_CFLAGS = $(CRYPTO_CFLAGS)

# A test's hands inside any store (t/test-lib.sh's put_token_item).
t/unit/store-tool: t/unit/store-tool.o lib/store/linked.o lib/store/dbus-error.o \
		lib/store/secretservice.o lib/store/deadline-call.o $(OPEN_OBJS) \
		$(FILE_OBJS) $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SECRET_LIBS) $(GIO_LIBS) $(CRYPTO_LIBS)

t/unit/test-store.o: EXTRA_CFLAGS = $(SECRET_CFLAGS) $(GIO_CFLAGS)

t/unit/%.o: t/unit/%.c lib/*.h lib/store/*.h Makefile BUILD-FLAGS
	$(CC) $(CPPFLAGS) $(BASIC_CFLAGS) $(EXTRA_CFLAGS) -I. $(ALL_CFLAGS) -c -o $@ $<

# Fuzz targets (libFuzzer, clang), one per parser; t/0800-fuzz.sh runs
# each briefly in make test, `make fuzz` just builds them for long runs.
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_TARGETS = t/fuzz/fuzz-credential t/fuzz/fuzz-token t/fuzz/fuzz-rules \
	t/fuzz/fuzz-api t/fuzz/fuzz-filestore
CORE_SRCS = $(CORE_OBJS:.o=.c)

# Without libcurl: `ldd t/fuzz/fuzz-api` names json-c and no libcurl.
t/fuzz/fuzz-api: FUZZ_EXTRA = $(API_PURE_OBJS:.o=.c) $(JSON_CFLAGS) $(JSON_LIBS)
t/fuzz/fuzz-filestore: FUZZ_EXTRA = lib/store/filefmt.c

t/fuzz/fuzz-%: t/fuzz/fuzz-%.c $(CORE_SRCS) lib/*.h lib/store/*.h Makefile
	$(FUZZ_CC) $(BASIC_CFLAGS) -I. $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS) \
		$(FUZZ_EXTRA)

# `make fuzz FUZZ_SECONDS=N` runs each target for N seconds from its
# seeds, keeping what it finds in t/fuzz/corpus/ (not tracked) for the
# next run; with -j2, two at a time.  A crash leaves its input as
# t/fuzz/crash-TARGET-* and fails the run.
FUZZ_SECONDS ?=
FUZZ_RUNS = $(FUZZ_TARGETS:t/fuzz/fuzz-%=fuzz-run-%)

ifneq ($(FUZZ_SECONDS),)
fuzz: $(FUZZ_RUNS)
else
fuzz: $(FUZZ_TARGETS)
endif

fuzz-run-%: t/fuzz/fuzz-%
	@mkdir -p t/fuzz/corpus/$*
	@echo "fuzz-$* for $(FUZZ_SECONDS)s"
	@t/fuzz/fuzz-$* -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		-print_final_stats=1 -artifact_prefix=t/fuzz/crash-$*- \
		t/fuzz/corpus/$* t/fuzz/seeds/$* >t/fuzz/fuzz-$*.log 2>&1 || \
		{ tail -n 40 t/fuzz/fuzz-$*.log; exit 1; }
	@grep -E '^(stat::number_of_executed_units|#[0-9]+.*DONE)' \
		t/fuzz/fuzz-$*.log | sed 's/^/  fuzz-$*: /'

# Each file goes in under a temporary name and is renamed over the old
# one: a git running the helper meanwhile keeps the file it mapped, and
# never reads one half-written (which once crashed it with SIGBUS).
INSTALL_FILE = install_file () { \
	install -m $$1 "$$2" "$$3.tmp.$$$$" && mv -f "$$3.tmp.$$$$" "$$3"; }

install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(moduledir) $(DESTDIR)$(man1dir)
	@$(INSTALL_FILE); set -e; \
	install_file 755 $(PROGRAM) $(DESTDIR)$(bindir)/$(PROGRAM); \
	for m in $(MODULES); do \
		install_file 644 $$m $(DESTDIR)$(moduledir)/$$m; \
	done; \
	rm -f $(addprefix $(DESTDIR)$(moduledir)/,$(OLD_MODULES)); \
	install_file 644 man/$(PROGRAM).1 $(DESTDIR)$(man1dir)/$(PROGRAM).1

uninstall:
	rm -f $(DESTDIR)$(bindir)/$(PROGRAM) $(DESTDIR)$(man1dir)/$(PROGRAM).1
	rm -f $(addprefix $(DESTDIR)$(moduledir)/,$(MODULES) $(OLD_MODULES))
	-rmdir $(DESTDIR)$(moduledir)

# Every script in t/ runs with its own HOME, D-Bus session, keyring and
# Bitbucket stand-in; prove runs them and reads their TAP.
#
# SANITIZE=address,undefined: the same suite over a sanitized build; the
# scripts learn it from BBTOKEN_SANITIZE (t/test-lib.sh), and a report
# from any of our programs fails the test that ran it.  VALGRIND=1 lets
# t/0810-valgrind.sh run; T= picks scripts (T=t/0810-valgrind.sh).
T = t/[0-9][0-9][0-9][0-9]-*.sh
test: all $(UNIT_TESTS) $(FUZZ_TARGETS)
	BBTOKEN_SANITIZE='$(SANITIZE)' VALGRIND='$(VALGRIND)' prove $(PROVE_OPTS) $(T)

# What git pays for a get, against git's own libsecret helper, same run;
# then check of ten tokens against check of one, from a slow Bitbucket.
bench: all
	contrib/bench/bench-get.sh
	contrib/bench/bench-check.sh

# The whole flow, dead app password to rotated token, in a sandbox.
demo: all
	contrib/demo/demo.sh

clean:
	rm -f $(PROGRAM) $(MODULES) *.o lib/*.o lib/store/*.o t/unit/*.o $(UNIT_TESTS)
	rm -f $(FUZZ_TARGETS) t/fuzz/fuzz-*.log BUILD-FLAGS

.PHONY: all install uninstall test clean fuzz bench demo FORCE

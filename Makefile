# ngx_http_a2f_module
#
#   make            build build/ngx_http_a2f_module.so and build/a2fctl
#   make test       install what is missing, build, unit tests (ASan+UBSan),
#                   then every t/*.t
#   make demo       build and start nginx on 127.0.0.1:8080 with a demo user
#   make demo-stop  stop it
#   make valgrind   t/*.t with nginx under valgrind
#   make bench      wrk: a2f two_factor vs a2f off (bench/RESULTS.md)
#   make fuzz       build and run the libFuzzer targets for FUZZ_SECONDS each
#
# NGINX_SRC=/path/to/nginx-x.y.z builds against a plain nginx source tree
# (and tests with the nginx binary built from it) instead of Debian's
# nginx-dev in /usr/share/nginx/src; its results go to build/plain/.

SHELL        := /bin/bash
ROOT         := $(CURDIR)
SRC          := $(ROOT)/ngx_http_a2f_module
DEB_SRC      := /usr/share/nginx/src
NGINX_SRC    ?=

# a plain source tree builds into build/plain/, so both can coexist
ifeq ($(NGINX_SRC),)
  BUILD      := $(ROOT)/build
else
  BUILD      := $(ROOT)/build/plain
endif
FUZZ_SECONDS ?= 20

CORE      := a2f_common a2f_totp a2f_crypto a2f_password a2f_session \
             a2f_text a2f_store a2f_qr a2f_cose a2f_webauthn a2f_wa_request \
             a2f_jwt a2f_apitoken a2f_u2f a2f_api_json
CORE_SRCS := $(CORE:%=$(SRC)/%.c)
CORE_HDRS := $(CORE:%=$(SRC)/%.h)
GLUE_SRCS := $(wildcard $(SRC)/ngx_http_a2f_*.c $(SRC)/ngx_http_a2f_*.h)
PAGES     := $(wildcard $(ROOT)/html/*.html $(ROOT)/html/*.css \
                        $(ROOT)/html/*.js)
LIBS      := -lcrypto -llmdb -lqrencode -lfido2 -lcbor -ljansson

WARN      := -W -Wall -Wextra -Wpointer-arith -Wno-unused-parameter -Werror
CFLAGS    ?= -O2 -g
SANITIZE  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

UNIT_SRCS := $(wildcard $(ROOT)/t/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:$(ROOT)/t/unit/%.c=$(BUILD)/unit/%)

ifeq ($(NGINX_SRC),)
  OBJ         := $(BUILD)/nginx-obj
  NGX_MAKE_C  := $(DEB_SRC)
  NGX_TARGETS := modules
  NGINX_BIN   := /usr/sbin/nginx
else
  OBJ         := $(BUILD)/nginx-plain
  NGX_MAKE_C  := $(abspath $(NGINX_SRC))
  NGX_TARGETS := binary modules
  NGINX_BIN   := $(OBJ)/nginx
endif

TEST_ENV := TEST_NGINX_BINARY=$(NGINX_BIN) \
            TEST_NGINX_LOAD_MODULES=$(BUILD)/ngx_http_a2f_module.so \
            A2F_CTL=$(BUILD)/a2fctl

.PHONY: all deps test-deps build unit prove test demo demo-stop valgrind \
        bench fuzz clean

all: build

deps:
	@sh $(ROOT)/.ci/deps build

test-deps:
	@sh $(ROOT)/.ci/deps build test

build: deps $(BUILD)/ngx_http_a2f_module.so $(BUILD)/a2fctl

# -- the module ---------------------------------------------------------------

# configure once (again when "config" changes); Debian's tree is read-only
# to us, so configure runs in a link farm and writes its Makefile there
$(OBJ)/Makefile: $(ROOT)/config
	@mkdir -p $(BUILD)
ifeq ($(NGINX_SRC),)
	rm -rf $(BUILD)/nginx-src && mkdir -p $(BUILD)/nginx-src
	for f in $(DEB_SRC)/*; do ln -s $$f $(BUILD)/nginx-src/; done
	set -e; . $(DEB_SRC)/conf_flags; cd $(BUILD)/nginx-src && \
	    ./configure "$${NGX_CONF_FLAGS[@]}" --with-compat \
	        --add-dynamic-module=$(ROOT) --builddir=$(OBJ) > $(BUILD)/configure.log
else
	set -e; cd $(NGX_MAKE_C) && \
	    if [ -x ./configure ]; then cfg=./configure; else cfg=auto/configure; fi && \
	    $$cfg --with-compat --with-threads --with-http_ssl_module \
	        --with-http_realip_module \
	        --add-dynamic-module=$(ROOT) --builddir=$(OBJ) > $(BUILD)/configure.log
endif

$(OBJ)/addon/a2f/ngx_http_a2f_pages.h: $(PAGES) $(SRC)/gen_pages.sh $(OBJ)/Makefile
	sh $(SRC)/gen_pages.sh $(ROOT)/html $@

$(BUILD)/ngx_http_a2f_module.so: $(OBJ)/Makefile $(OBJ)/addon/a2f/ngx_http_a2f_pages.h \
                                 $(CORE_SRCS) $(CORE_HDRS) $(GLUE_SRCS)
	$(MAKE) -s -f $(OBJ)/Makefile -C $(NGX_MAKE_C) $(NGX_TARGETS)
	# a new file, not a rewrite: a running nginx maps the old one
	cp $(OBJ)/ngx_http_a2f_module.so $@.tmp && mv -f $@.tmp $@

# -- the ops CLI --------------------------------------------------------------

$(BUILD)/a2fctl: $(SRC)/a2fctl.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -D_DEFAULT_SOURCE $(CFLAGS) $(WARN) -I$(SRC) \
	    -o $@ $(SRC)/a2fctl.c $(CORE_SRCS) $(LIBS)

# -- tests --------------------------------------------------------------------

$(BUILD)/unit/%: $(ROOT)/t/unit/%.c $(ROOT)/t/unit/a2f_test.h $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(BUILD)/unit
	$(CC) -std=c11 -D_DEFAULT_SOURCE $(SANITIZE) $(WARN) -I$(SRC) \
	    -o $@ $< $(CORE_SRCS) $(LIBS)

# the WebAuthn vectors (made once by t/unit/gen_webauthn_vectors.py), and
# the specification's (by t/unit/gen_webauthn_spec_vectors.py)
$(BUILD)/unit/test_webauthn: $(ROOT)/t/unit/webauthn_vectors.h \
    $(ROOT)/t/unit/webauthn_spec_vectors.h

unit: deps $(UNIT_BINS)
	@set -e; pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
	    out=$$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	           $$t 2>&1) || { echo "$$out"; echo "unit: $$t FAILED"; exit 1; }; \
	    echo "$$out" | tail -n 1; \
	    p=$$(echo "$$out" | tail -n 1 | sed -n 's/.*: \([0-9]*\) passed.*/\1/p'); \
	    pass=$$((pass + p)); \
	done; \
	echo "unit: $$pass passed, 0 failed"

prove: test-deps build
	@if perl -MTest::Nginx::Socket -e 1 2>/dev/null; then \
	    echo "t/: using the installed Test::Nginx"; inc=""; \
	else \
	    echo "t/: using the project's runner (t/lib)"; inc="-I t/lib"; \
	fi; \
	$(TEST_ENV) prove $$inc -r t/

# the security key pages end to end (t/e2e/run): headless Chromium with
# virtual authenticators against a TLS nginx; skipped, loudly, without
# /usr/bin/chromium or node >= 20 (A2F_E2E_REQUIRED=1: fail instead)
.PHONY: e2e
e2e: build
	@sh $(ROOT)/t/e2e/run $(BUILD) $(NGINX_BIN)

test: test-deps build unit prove e2e

# the real Test::Nginx reads ./valgrind.suppress: link ours there
valgrind: test-deps build
	@sh $(ROOT)/.ci/deps test valgrind
	@ln -sf .ci/valgrind.suppress valgrind.suppress
	@if perl -MTest::Nginx::Socket -e 1 2>/dev/null; then inc=""; \
	else inc="-I t/lib"; fi; \
	$(TEST_ENV) TEST_NGINX_USE_VALGRIND=1 prove $$inc -r t/

# -- demo, bench, fuzz ----------------------------------------------------------

demo: build
	@sh $(ROOT)/.ci/deps demo
	@sh $(ROOT)/.ci/demo start $(BUILD) $(NGINX_BIN)

demo-stop:
	@sh $(ROOT)/.ci/demo stop $(BUILD) $(NGINX_BIN)

bench: build
	@sh $(ROOT)/.ci/deps bench
	@sh $(ROOT)/bench/run $(BUILD) $(NGINX_BIN)

fuzz:
	@sh $(ROOT)/.ci/deps build fuzz
	@mkdir -p $(BUILD)/fuzz
	@set -e; for f in $(ROOT)/fuzz/fuzz_*.c; do \
	    n=$$(basename $$f .c); \
	    clang -g -O1 -fsanitize=fuzzer,address,undefined -I$(SRC) \
	        -o $(BUILD)/fuzz/$$n $$f $(CORE_SRCS) $(LIBS); \
	    mkdir -p $(BUILD)/fuzz/$$n.corpus; \
	    $(BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) \
	        $(BUILD)/fuzz/$$n.corpus 2>&1 | tail -n 2; \
	done

clean:
	rm -rf $(BUILD) t/servroot t/tmp

# groundstack — the two commands on a fresh machine are `make up` and `make test`.
SHELL   := /bin/bash
GO      ?= go
BIN     := bin/groundstack
REPORTS := build/reports
# Scenario label filter for e2e (Ginkgo), e.g. LABELS='smoke || deliveries'.
LABELS  ?=
# Backend of the scenario suites: embedded (default), container, localstack, external.
BACKEND ?=
BENCHTIME ?= 2s
FUZZTIME  ?= 30s
# staticcheck as the Go module proxy serves it (it refuses the 2025.1.1 tag).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# A package with a *_suite_test.go is a Ginkgo suite and runs under e2e; every
# other package (scenarios/scenario and scenarios/browser included) under unit,
# so each package's tests run exactly once. Each list is a shell command;
# pipefail makes a package that fails to load fail the target.
PKG_TEST_FILES = set -o pipefail; $(GO) list -f '{{.ImportPath}}{{range .TestGoFiles}} {{.}}{{end}}{{range .XTestGoFiles}} {{.}}{{end}}' ./...
SUITE_PKGS     = $(PKG_TEST_FILES) | awk '/_suite_test\.go/ {print $$1}'
UNIT_PKGS      = $(PKG_TEST_FILES) | awk '!/_suite_test\.go/ {print $$1}'

export TESTCONTAINERS_RYUK_DISABLED ?= true
export GOFLAGS ?= -buildvcs=false

.PHONY: up build test deps vet unit e2e e2e-strict e2e-container bench lint fuzz clean load

## up: start the local cloud on 127.0.0.1:4566 with every flow deployed
up: build
	$(BIN) up --flows all

## build: bin/groundstack, and bin/groundstack-flows which it runs for the
## flows and `load`; static and stripped, as in the container image
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/ ./harness/cmd/groundstack ./harness/cmd/groundstack-flows

## test: everything CI checks (installs the aws CLI when missing)
test: deps lint unit e2e e2e-strict e2e-container

## deps: system packages the tests use, installed idempotently (the browser
## scenarios skip with a message if Chromium cannot be installed; busybox-static
## gives the EC2 host's container a shell)
deps:
	@command -v aws >/dev/null 2>&1 || { \
		echo "installing the aws CLI (Debian package awscli)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null; }
	@aws --version
	@[ -x /usr/bin/python3 ] || { \
		echo "installing python3 for the scriptrunner host's scripts (Debian package python3)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; }
	@{ command -v ssh-keygen && command -v openssl; } >/dev/null 2>&1 || { \
		echo "installing ssh-keygen and openssl, which compute the expected EC2 key fingerprints (Debian packages openssh-client, openssl)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client openssl >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing headless Chromium for the dashboard scenarios (Debian package chromium)"; \
		{ $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
			|| echo "could not install chromium: the browser scenarios will be skipped"; }
	@command -v chromium >/dev/null 2>&1 && chromium --version 2>/dev/null || true
	@dpkg -s busybox-static >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || { \
		echo "installing a static busybox for the EC2 host image (Debian package busybox-static)"; \
		{ $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null; } \
			|| echo "could not install busybox-static: EC2 hosts will not run as containers"; }

## vet: gofmt and go vet
vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## unit: every package that is not a Ginkgo suite, with the race detector
## (20m per package, as e2e: under -race on a loaded 2-core machine the
## Lambda service's tests, which start real function processes, pass 10m)
unit:
	pkgs=$$($(UNIT_PKGS)) && $(GO) test -race -count=1 -timeout 20m $$pkgs

## e2e: the Ginkgo scenario suites, JUnit reports under build/reports/
e2e:
	@mkdir -p $(REPORTS)
	@set -e; pkgs=$$($(SUITE_PKGS)); for pkg in $$pkgs; do \
		name=$$(basename $$pkg); echo "== $$pkg"; \
		$(if $(BACKEND),GROUNDSTACK_BACKEND=$(BACKEND)) \
		$(GO) test -count=1 -timeout 20m $$pkg -ginkgo.junit-report=$(CURDIR)/$(REPORTS)/$$name.xml \
			$(if $(LABELS),-ginkgo.label-filter='$(LABELS)') ; \
	done

## e2e-strict: the deliveries and scriptrunner suites again, on an embedded
## emulator in strict SigV4 mode (keys made at start-up; functions sign with
## their execution role's sessions). The freshness timings, which e2e has
## measured, are left out to keep make test short.
STRICT_SUITES ?= ./scenarios/deliveries ./scenarios/scriptrunner
STRICT_LABELS ?= !freshness
e2e-strict:
	@mkdir -p $(REPORTS)
	@set -e; for pkg in $(STRICT_SUITES); do \
		name=$$(basename $$pkg); echo "== $$pkg in strict SigV4 mode"; \
		GROUNDSTACK_BACKEND=embedded GROUNDSTACK_STRICT_AUTH=1 \
		$(GO) test -count=1 -timeout 20m $$pkg -ginkgo.junit-report=$(CURDIR)/$(REPORTS)/$$name-strict.xml \
			-ginkgo.label-filter='$(if $(LABELS),($(LABELS)) && )($(STRICT_LABELS))' ; \
	done

## e2e-container: the deliveries suite again, on the container backend (skipped with a message without Docker)
e2e-container:
	@if [ "$(BACKEND)" = container ]; then echo "== the suites already ran on the container backend"; \
	elif ! docker info >/dev/null 2>&1; then \
		echo "== skipping scenarios/deliveries on the container backend: no Docker engine answers (docker info failed)"; \
	else echo "== scenarios/deliveries on the container backend"; mkdir -p $(REPORTS); \
		GROUNDSTACK_BACKEND=container $(GO) test -count=1 -timeout 20m ./scenarios/deliveries \
			-ginkgo.junit-report=$(CURDIR)/$(REPORTS)/deliveries-container.xml; \
	fi

## bench: benchmarks with allocations and server CPU per op (BENCH_ENDPOINT targets another emulator),
## the scenario packages' included (deliveries' reads with 1k vs 100k orders stored)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	@set -e; for pkg in $$($(GO) list ./... | grep -v /scenarios/); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## lint: gofmt, go vet and staticcheck
lint: vet
	$(GO) run $(STATICCHECK) ./...

## load: groundstack load on the embedded backend, e.g. make load PROFILE=ramp DURATION=2m
## (PROFILE: baseline, year1, year2, ramp or a YAML/JSON file; report and charts in build/load/)
load: build
	$(BIN) load --profile $(or $(PROFILE),year2) $(if $(DURATION),--duration $(DURATION)) --out build/load $(LOAD_FLAGS)

clean:
	rm -rf bin build

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
# The test reporter (harness/cmd/testreport): counts, skips and their reasons,
# the suites' figures, the failing tests' output; each step adds its counts to
# RESULTS for make test's summary.
TESTREPORT := bin/testreport
RESULTS    := $(REPORTS)/steps
# make test's steps, in order; each runs even when one before it failed.
TEST_STEPS := deps lint unit e2e e2e-strict e2e-container

# A bare `make` lists the targets; it starts nothing.
.DEFAULT_GOAL := help

# A package with a *_suite_test.go is a Ginkgo suite and runs under e2e; every
# other package (scenarios/scenario and scenarios/browser included) under unit,
# so each package's tests run exactly once. Each list is a shell command;
# pipefail makes a package that fails to load fail the target.
PKG_TEST_FILES = set -o pipefail; $(GO) list -f '{{.ImportPath}}{{range .TestGoFiles}} {{.}}{{end}}{{range .XTestGoFiles}} {{.}}{{end}}' ./...
SUITE_PKGS     = $(PKG_TEST_FILES) | awk '/_suite_test\.go/ {print $$1}'
# UNIT_FIRST (import paths' last parts) go first: go test starts packages in
# the order it is given them, and these take one to three minutes each, mostly
# waiting on the processes they start: begun last, they made the step's tail.
UNIT_FIRST ?= lambda runtime s3 backend newcomer groundstack apigatewayv2 groundstack-flows dynamodb deploy
UNIT_PKGS      = $(PKG_TEST_FILES) | awk -v first='$(UNIT_FIRST)' '!/_suite_test\.go/ { \
	n = split($$1, part, "/"); k = split(first, f, " "); rank = k + 1; \
	for (i = 1; i <= k; i++) if (part[n] == f[i]) { rank = i; break } \
	print rank, NR, $$1 }' | sort -k1,1n -k2,2n | awk '{print $$3}'

export TESTCONTAINERS_RYUK_DISABLED ?= true
# One build of every package serves make build, the handlers' and the
# container's binaries (all static: CGO_ENABLED=0 -trimpath), go vet,
# staticcheck, the unit tests and the e2e suites: a cold cache compiles the
# SDK once. make race's -race needs cgo, so it sets its own.
export CGO_ENABLED ?= 0
export GOFLAGS ?= -buildvcs=false -trimpath
UNIT_GOFLAGS := $(filter-out -trimpath,$(GOFLAGS))

.PHONY: help up build awslocal test deps vet unit race crash e2e e2e-strict e2e-container conformance bench bench-events lint fuzz clean load testreport coverage

## help: this list (a bare `make` prints it)
help:
	@echo "groundstack — make targets (README.md says more):"
	@awk '/^## [a-zA-Z0-9_-]+: / { if (name) printf "  %-15s %s\n", name, desc; \
			name = $$2; sub(/:$$/, "", name); desc = $$0; sub(/^## [^:]+: /, "", desc); next } \
		/^## / && name { line = $$0; sub(/^## */, "", line); desc = desc "\n                  " line; next } \
		{ if (name) printf "  %-15s %s\n", name, desc; name = "" }' $(MAKEFILE_LIST)

## up: start the local cloud on 127.0.0.1:4566 with every flow deployed
up: build
	$(BIN) up --flows all

## build: bin/groundstack, and bin/groundstack-flows which it runs for the
## flows and `load`; static and stripped, as in the container image. Also
## bin/awslocal (the aws CLI against the local cloud), linked into
## AWSLOCAL_DIR (default ~/.local/bin; AWSLOCAL_DIR=none to skip)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/ ./harness/cmd/groundstack ./harness/cmd/groundstack-flows
	@ln -sfn groundstack bin/awslocal
	@$(MAKE) --no-print-directory awslocal

AWSLOCAL_DIR ?= $(HOME)/.local/bin
## awslocal: link AWSLOCAL_DIR/awslocal (default ~/.local/bin) to bin/awslocal; another
## awslocal (LocalStack's) is left alone, and a directory not on the PATH gets the line to add
awslocal:
	@dir='$(AWSLOCAL_DIR)'; link="$$dir/awslocal"; \
	if [ "$$dir" = none ] || [ -z "$$dir" ] || [ "$$dir" = /.local/bin ]; then \
		echo "awslocal: bin/awslocal (to use it from anywhere: export PATH=\"$(CURDIR)/bin:\$$PATH\")"; exit 0; fi; \
	if [ -e "$$link" ] || [ -L "$$link" ]; then \
		cur=$$(readlink "$$link" || true); \
		case "$$cur" in "$(CURDIR)/bin/awslocal") ;; */bin/awslocal) [ -e "$$(dirname "$$cur")/groundstack" ] || cur=other ;; *) cur=other ;; esac; \
		if [ "$$cur" = other ]; then \
			echo "awslocal: $$link is another awslocal (LocalStack's?), left alone; use $(CURDIR)/bin/awslocal"; exit 0; fi; \
	fi; \
	if ! { mkdir -p "$$dir" && ln -sfn "$(CURDIR)/bin/awslocal" "$$link"; } 2>/dev/null; then \
		echo "awslocal: cannot write $$dir; use bin/awslocal, or: export PATH=\"$(CURDIR)/bin:\$$PATH\""; exit 0; fi; \
	case ":$$PATH:" in *":$$dir:"*) echo "awslocal: $$link -> $(CURDIR)/bin/awslocal" ;; \
	*) echo "awslocal: $$link -> $(CURDIR)/bin/awslocal; $$dir is not on your PATH yet:"; \
	   note=; [ "$$dir" = "$(HOME)/.local/bin" ] && note="    # Debian's ~/.profile adds it from your next login"; \
	   echo "  export PATH=\"$$dir:\$$PATH\"$$note" ;; esac

## test: everything CI checks: deps, lint, unit, e2e, e2e-strict, e2e-container, each run even
## when one before it failed, then each step's time and counts and one line for all
## (installs the aws CLI when missing)
test: testreport
	@$(TESTREPORT) steps --results $(RESULTS) --make "$(MAKE)" $(TEST_STEPS)

## testreport: bin/testreport, which prints the tests' results for people
testreport:
	@$(GO) build -o $(TESTREPORT) ./harness/cmd/testreport

## deps: system packages the tests use, installed idempotently (the browser
## scenarios skip with a message if Chromium cannot be installed; busybox-static
## gives the EC2 host's container a shell)
deps:
	@command -v aws >/dev/null 2>&1 || { \
		echo "installing the aws CLI (Debian package awscli)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null; }
	@aws --version
	@command -v curl >/dev/null 2>&1 || { \
		echo "installing curl, which the commands groundstack up prints use (Debian package curl)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
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
	@command -v zip >/dev/null 2>&1 || { \
		echo "installing zip, which the workshop lab's scripts package their functions with (Debian package zip)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zip >/dev/null; }
	@command -v pdftotext >/dev/null 2>&1 || { \
		echo "installing pdftotext, which the bondmarket scenarios read the PDF receipts with (Debian package poppler-utils)"; \
		{ $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; } \
			|| echo "could not install poppler-utils: the receipt's text check will be skipped"; }
	@python3 -c 'import botocore' >/dev/null 2>&1 || [ -d /usr/lib/python3/dist-packages/botocore/data ] || { \
		echo "installing AWS's service models, which the coverage report, the model checks and the not-implemented answers read (Debian package python3-botocore)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-botocore >/dev/null; }
	@command -v mosquitto_pub >/dev/null 2>&1 || { \
		echo "installing mosquitto_pub, which the bondmarket MQTT example groundstack up prints uses (Debian package mosquitto-clients)"; \
		{ $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto-clients >/dev/null; } \
			|| echo "could not install mosquitto-clients: publish with any MQTT client instead"; }

## vet: gofmt and go vet
vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Parallel tests per package in unit: most wait on processes, queues and
# timers rather than compute (the Lambda service's: 323 s with the default of
# GOMAXPROCS=2, 154 s with 6, for the same CPU).
UNIT_PARALLEL ?= 6
# Packages tested at once (go test's -p; GOMAXPROCS, 2 here, by default):
# with the aws CLI in long-lived workers and small test functions the step
# kept 1.1 of 2 cores busy with -p 2, the rest waiting on processes and
# timers.
UNIT_PACKAGES ?= 4

## unit: every package that is not a Ginkgo suite (the raw go test -json in
## build/reports/unit.jsonl; go vet is lint's; 20m per package, as e2e)
unit: testreport
	@mkdir -p $(REPORTS); set -o pipefail; pkgs=$$($(UNIT_PKGS)) && \
		$(if $(RACE),CGO_ENABLED=1 GOFLAGS='$(UNIT_GOFLAGS)') $(GO) test $(if $(RACE),-race) -vet=off -count=1 -p $(UNIT_PACKAGES) -parallel $(UNIT_PARALLEL) -timeout 20m -json $$pkgs 2>&1 | \
		tee $(REPORTS)/unit.jsonl | $(TESTREPORT) go --step unit --results $(RESULTS)

## race: the unit tests under the race detector (make unit RACE=1), which make test
## leaves out to keep within 10 minutes on two cores: -race compiles everything a
## second time and triples the tests' CPU (12 minutes for make test with it). Run it
## before merging concurrent code; under -race on a loaded 2-core machine the Lambda
## service's tests, which start real function processes, take 4 to 7 minutes
race:
	@$(MAKE) --no-print-directory unit RACE=1

## crash: persistence's crash-consistency test with 50 kills (make test's unit step runs it
## with 10): an emulator child on a data directory, SIGKILLed during a write storm of DynamoDB
## puts and transactions and SQS sends and deletes, restarted and checked each time
## (docs/persistence.md); CRASH_KILLS sets another count, CRASH_FSYNC=always the other policy
CRASH_KILLS ?= 50
CRASH_FSYNC ?= batch
crash:
	$(GO) test -count=1 -timeout 20m -run '^TestCrashConsistency$$' -v ./harness/emulator/persist/crash -args -kills $(CRASH_KILLS) -fsync $(CRASH_FSYNC)

## e2e: the Ginkgo scenario suites, each run even when one before it failed,
## E2E_JOBS at a time (2; each suite's output is printed whole when it ends),
## then E2E_ALONE (the load suite) with nothing beside it; JUnit and JSON reports under build/reports/
e2e: testreport
	@mkdir -p $(REPORTS); rm -f $(RESULTS)/e2e--*.json $(REPORTS)/e2e-failed; \
	pkgs=$$($(SUITE_PKGS)) || exit 1; first=""; rest=""; \
	for p in $$pkgs; do case " $(E2E_FIRST) " in *" $${p##*/} "*) first="$$first e2e-suite/$$p";; *) rest="$$rest e2e-suite/$$p";; esac; done; \
	alone=""; for p in $$first $$rest; do case " $(E2E_ALONE) " in *" $${p##*/} "*) alone="$$alone $$p";; esac; done; \
	together=""; for p in $$first $$rest; do case " $$alone " in *" $$p "*) ;; *) together="$$together $$p";; esac; done; \
	[ -z "$$together" ] || $(MAKE) --no-print-directory -k -j$(E2E_JOBS) -O $$together; \
	for p in $$alone; do $(MAKE) --no-print-directory -k $$p; done; \
	$(TESTREPORT) total --step e2e --results $(RESULTS); \
	if [ -s $(REPORTS)/e2e-failed ]; then echo "e2e: failed suites:$$(tr '\n' ' ' < $(REPORTS)/e2e-failed)"; exit 1; fi

# Suites side by side: most of their time is waiting (functions, freshness
# polls, the aws CLI); the longest start first. E2E_ALONE run afterwards, one
# at a time with nothing beside them: the load suite measures capacity, and
# on two cores shared with the broadcast suite's 10,000 deliveries/s its
# burst of 144 requests/s once got a sixth of the CPU it needs.
E2E_JOBS  ?= 2
E2E_FIRST ?= workshop deliveries
E2E_ALONE ?= load

# One suite (a package import path after the slash), for e2e.
e2e-suite/%:
	@name=$$(basename $*); rm -f $(REPORTS)/$$name.json; set -o pipefail; echo "== $*"; \
	$(if $(BACKEND),GROUNDSTACK_BACKEND=$(BACKEND)) \
	$(GO) test -vet=off -count=1 -timeout 20m -json $* -ginkgo.no-color \
		-ginkgo.junit-report=$(CURDIR)/$(REPORTS)/$$name.xml -ginkgo.json-report=$(CURDIR)/$(REPORTS)/$$name.json \
		$(if $(LABELS),-ginkgo.label-filter='$(LABELS)') 2>&1 | \
	$(TESTREPORT) go --step e2e --results $(RESULTS) --ginkgo-json $(REPORTS)/$$name.json || { echo $$name >> $(REPORTS)/e2e-failed; exit 1; }

## e2e-strict: the deliveries and scriptrunner suites again, on an embedded
## emulator in strict SigV4 mode (keys made at start-up; functions sign with
## their execution role's sessions). The freshness timings, which e2e has
## measured, are left out to keep make test short.
STRICT_SUITES ?= scenarios/deliveries scenarios/scriptrunner
STRICT_LABELS ?= !freshness
e2e-strict: testreport
	@mkdir -p $(REPORTS); rm -f $(RESULTS)/e2e-strict--*.json $(REPORTS)/e2e-strict-failed; \
	$(MAKE) --no-print-directory -k -j2 -O $(addprefix e2e-strict-suite/,$(STRICT_SUITES)); \
	$(TESTREPORT) total --step e2e-strict --results $(RESULTS); \
	if [ -s $(REPORTS)/e2e-strict-failed ]; then echo "e2e-strict: failed suites:$$(tr '\n' ' ' < $(REPORTS)/e2e-strict-failed)"; exit 1; fi

# One suite in strict mode (its package path after the slash), for e2e-strict;
# the two run side by side, as e2e's suites do.
e2e-strict-suite/%:
	@pkg=./$*; name=$$(basename $*)-strict; echo "== $$pkg in strict SigV4 mode"; rm -f $(REPORTS)/$$name.json; set -o pipefail; \
	GROUNDSTACK_BACKEND=embedded GROUNDSTACK_STRICT_AUTH=1 \
	$(GO) test -vet=off -count=1 -timeout 20m -json $$pkg -ginkgo.no-color \
		-ginkgo.junit-report=$(CURDIR)/$(REPORTS)/$$name.xml -ginkgo.json-report=$(CURDIR)/$(REPORTS)/$$name.json \
		-ginkgo.label-filter='$(if $(LABELS),($(LABELS)) && )($(STRICT_LABELS))' 2>&1 | \
	$(TESTREPORT) go --step e2e-strict --results $(RESULTS) --ginkgo-json $(REPORTS)/$$name.json || { echo $$name >> $(REPORTS)/e2e-strict-failed; exit 1; }

## e2e-container: the deliveries suite again, on the container backend (skipped with a message without Docker)
e2e-container: testreport
	@mkdir -p $(REPORTS); rm -f $(RESULTS)/e2e-container--*.json; set -o pipefail; \
	if [ "$(BACKEND)" = container ]; then \
		$(TESTREPORT) skip --step e2e-container --results $(RESULTS) "the suites already ran on the container backend"; \
	elif ! docker info >/dev/null 2>&1; then \
		$(TESTREPORT) skip --step e2e-container --results $(RESULTS) "scenarios/deliveries on the container backend: no Docker engine answers (docker info failed)"; \
	else rm -f $(REPORTS)/deliveries-container.json; \
		GROUNDSTACK_BACKEND=container $(GO) test -vet=off -count=1 -timeout 20m -json ./scenarios/deliveries -ginkgo.no-color \
			-ginkgo.junit-report=$(CURDIR)/$(REPORTS)/deliveries-container.xml \
			-ginkgo.json-report=$(CURDIR)/$(REPORTS)/deliveries-container.json 2>&1 | \
		$(TESTREPORT) go --step e2e-container --results $(RESULTS) --ginkgo-json $(REPORTS)/deliveries-container.json; \
	fi

## conformance: every case generated from AWS's models (conformance/driver.py with botocore)
## against an embedded emulator, and the per-service counts in build/reports/conformance.json
## (make test's unit step runs a fixed 10% sample)
conformance:
	@mkdir -p $(REPORTS)
	CONFORMANCE_SAMPLE=1 CONFORMANCE_REPORT=$(CURDIR)/$(REPORTS)/conformance.json \
		$(GO) test -count=1 -timeout 20m -run '^TestConformance$$' -v ./conformance

## bench: benchmarks with allocations and server CPU per op (BENCH_ENDPOINT targets another emulator),
## the scenario packages' included (deliveries' reads with 1k vs 100k orders stored)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## bench-events: event freshness of every messaging path (S3, SNS, SQS, Streams → SQS or
## Lambda), idle and at 1,000 events/s, on the embedded backend (BACKEND selects another):
## a table, and build/bench-events/events.{json,md}; BENCH_EVENTS_FLAGS tunes it
## (e.g. '--paths sns-sqs,sqs-lambda --rate 500', or '--endpoint URL' for another cloud)
bench-events: build
	$(if $(BACKEND),GROUNDSTACK_BACKEND=$(BACKEND)) $(BIN) bench-events --out build/bench-events $(BENCH_EVENTS_FLAGS)

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
## (PROFILE: baseline, year1, year2, ramp or a YAML/JSON file; report and charts in build/load/);
## EVENTS=sns-sqs,sqs-lambda (or all) mixes event traffic in, EVENTS_RATE events/s per path (default 1000)
load: build
	$(BIN) load --profile $(or $(PROFILE),year2) $(if $(DURATION),--duration $(DURATION)) $(if $(EVENTS),--events $(EVENTS)) $(if $(EVENTS_RATE),--events-rate $(EVENTS_RATE)) --out build/load $(LOAD_FLAGS)

## coverage: docs/coverage.md, per service the operations of AWS's model (botocore's, which
## make deps installs) groundstack serves, with each operation's conformance pass rate (it runs
## make conformance first); a unit test fails when the served columns are stale
coverage: conformance
	$(GO) run ./harness/cmd/groundstack coverage --out docs/coverage.md

## clean: remove bin/ and build/
clean:
	rm -rf bin build

# Portico — build, run and test. Every target installs what it needs itself (see `deps`).
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need. `make deps` installs only the missing ones.
DEB_PACKAGES := pkg-config libsqlite3-dev sqlite3 libmicrohttpd-dev libgnutls28-dev libnftnl-dev libmnl-dev \
	libnetfilter-conntrack-dev libcurl4-openssl-dev nftables iproute2 conntrack curl openssl python3 dnsmasq-base \
	freeradius freeradius-rest freeradius-utils
# What the browser test needs: headless Chromium, its WebDriver, and a venv for Selenium (PyPI).
BROWSER_PACKAGES := chromium chromium-driver python3-venv
BROWSER_VENV := .build/browser-venv
# Where the browser test writes its screenshots; `make screenshots` refreshes the README's.
SCREENSHOT_DIR ?= .build/screenshots
# What `make bench` needs on top: wrk and nginx (the reference the benchmarks compare against).
BENCH_PACKAGES := wrk nginx-light
DB ?= .portico/demo.db
# Python modules the tests use: a real SMTP server on loopback, Prometheus's own text parser, and
# pyrad 2.6 (a RADIUS implementation standing in for a NAS that takes CoA and Disconnect requests;
# from PyPI only: Debian 12's python3-pyrad 2.1 lacks the Message-Authenticator support the tests use).
PY_MODULES := aiosmtpd prometheus_client pyrad
# `make install`: PREFIX for the binary and the templates, DESTDIR for staging (packages).
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc

.PHONY: deps install-packages python-deps browser-deps browser-test screenshots build release test run bench \
	bench-firewall install clean proof-long lint format

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEB_PACKAGES)"
	@$(MAKE) --no-print-directory python-deps

python-deps:
	@python3 -c "import $$(echo $(PY_MODULES) | tr ' ' ',')" 2>/dev/null || \
		python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $(PY_MODULES) || \
		$(MAKE) --no-print-directory install-packages PACKAGES="python3-aiosmtpd python3-prometheus-client"

install-packages:
	@missing=""; for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if ! $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; then \
			$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		fi; \
	fi

# Debian's python3 (not a pyenv one on PATH) makes the venv; reinstalled when the pins change.
browser-deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BROWSER_PACKAGES)"
	@$(MAKE) --no-print-directory $(BROWSER_VENV)/installed

$(BROWSER_VENV)/installed: Tests/browser/requirements.txt
	rm -rf $(BROWSER_VENV)
	/usr/bin/python3 -m venv $(BROWSER_VENV)
	$(BROWSER_VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/browser/requirements.txt
	touch $@

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# swift-format (part of the toolchain) with the repository's .swift-format: every finding fails.
# Tracked and new (not ignored) files alike.
SWIFT_FILES = $(shell git ls-files --cached --others --exclude-standard '*.swift' 2>/dev/null)

lint:
	@echo "swift format lint --strict ($(words $(SWIFT_FILES)) files)"
	@$(SWIFT) format lint --strict --parallel $(SWIFT_FILES)

format:
	$(SWIFT) format format --in-place --parallel $(SWIFT_FILES)

test: deps browser-deps lint
	$(SWIFT) build --build-tests
	Tests/run-swift-tests.sh
	SCREENSHOT_DIR=$(SCREENSHOT_DIR) $(BROWSER_VENV)/bin/python -m pytest -p no:cacheprovider -v Tests/browser
	# fuzzing (fuzz/) and the API contract (Tests/contract/), short forms
	$(MAKE) --no-print-directory fuzz-short
	$(MAKE) --no-print-directory contract-short

# The crash-safety and load proofs' long forms (not part of `make test`, which runs the short ones:
# 50 kills; 1,000 idle, 200 slow, 200 flooding connections). See README, "Crash safety and load".
PROOF_KILLS ?= 500
PROOF_IDLE ?= 4000
PROOF_SLOW ?= 1000
PROOF_FLOOD ?= 1000

proof-long: deps
	$(SWIFT) build --build-tests
	PORTICO_PROOF_KILLS=$(PROOF_KILLS) PORTICO_PROOF_IDLE=$(PROOF_IDLE) PORTICO_PROOF_SLOW=$(PROOF_SLOW) \
		PORTICO_PROOF_FLOOD=$(PROOF_FLOOD) Tests/run-swift-tests.sh --filter 'CrashSafetyTests|LoadTests'

# The browser test alone (admin UI and portal in headless Chromium); fails, never skips.
browser-test: deps browser-deps
	$(SWIFT) build --product portico
	SCREENSHOT_DIR=$(SCREENSHOT_DIR) $(BROWSER_VENV)/bin/python -m pytest -p no:cacheprovider -v Tests/browser

# Refreshes docs/screenshots/ (shown in the README) from the browser test.
screenshots:
	@$(MAKE) --no-print-directory browser-test SCREENSHOT_DIR=docs/screenshots

run: deps
	$(SWIFT) build --product portico
	mkdir -p $(dir $(DB))
	.build/debug/portico demo --database $(DB) --portal-listen 127.0.0.1:8080 --admin-listen 127.0.0.1:8081

bench: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_PACKAGES)"
	bench/run.sh

# A release build with the Swift runtime linked in (only Debian's C libraries are needed on the
# gateway), the templates in $(PREFIX)/share/portico/templates (the binary finds them beside
# itself), the example configuration (never overwriting one), the systemd unit, and the
# `portico` system user. Then: systemctl daemon-reload && systemctl enable --now portico
install: deps
	$(SWIFT) build -c release --product portico --static-swift-stdlib
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/portico/templates $(DESTDIR)$(SYSCONFDIR)/portico \
		$(DESTDIR)$(SYSCONFDIR)/systemd/system
	install -m 0755 .build/release/portico $(DESTDIR)$(PREFIX)/bin/portico
	cp -R templates/. $(DESTDIR)$(PREFIX)/share/portico/templates/
	sed -e 's|/usr/local/bin/portico|$(PREFIX)/bin/portico|' -e 's|/etc/portico/|$(SYSCONFDIR)/portico/|' \
		deploy/portico.service > $(DESTDIR)$(SYSCONFDIR)/systemd/system/portico.service
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/systemd/system/portico.service
	@if [ -z "$(DESTDIR)" ]; then \
		getent group portico >/dev/null || $(SUDO) groupadd --system portico; \
		getent passwd portico >/dev/null || $(SUDO) useradd --system --gid portico --home-dir /var/lib/portico \
			--no-create-home --shell /usr/sbin/nologin portico; \
	fi
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/portico/portico.toml ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/portico/portico.toml (the new example is deploy/portico.toml)"; \
	else \
		install -m 0640 deploy/portico.toml $(DESTDIR)$(SYSCONFDIR)/portico/portico.toml; \
		if [ -z "$(DESTDIR)" ]; then chgrp portico $(SYSCONFDIR)/portico/portico.toml; fi; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "installed $(PREFIX)/bin/portico; edit $(SYSCONFDIR)/portico/portico.toml, run 'portico doctor', then 'systemctl enable --now portico'"

# The walled garden's benchmarks (root): netlink figures and release latency in deploy/lab.
bench-firewall: deps
	bench/firewall.sh

.PHONY: fuzz-build fuzz-short fuzz contract contract-short

# Fuzzing: libFuzzer + AddressSanitizer targets in their own package (fuzz/), so the main build
# never compiles sanitizer code. Their runtimes come with the toolchain (/opt/swift's clang).
FUZZ_SECONDS ?= 600
# The short form (in `make test`) is repeatable: one seed, a fixed number of inputs per target
# (about 50 s in all here), with FUZZ_SHORT_SECONDS only as a ceiling. `make fuzz` explores.
FUZZ_SHORT_SECONDS ?= 120
FUZZ_SHORT_SEED ?= 1
FUZZ_SHORT_RUNS ?= 50000
FUZZ_TARGETS ?=

fuzz-build: deps
	@set -o pipefail; $(SWIFT) build --package-path fuzz -Xswiftc -sanitize=fuzzer,address 2>&1 \
		| grep -v "warning: Cannot export local symbol"

fuzz-short: fuzz-build
	FUZZ_SEED=$(FUZZ_SHORT_SEED) FUZZ_RUNS=$(FUZZ_SHORT_RUNS) fuzz/run.sh $(FUZZ_SHORT_SECONDS) $(FUZZ_TARGETS)

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The API contract: /api/v1/openapi.json validated, then schemathesis against a live `portico serve`
# on loopback (Tests/contract/). Its Python tools, pinned, live in a venv (.venv-contract/).
CONTRACT_VENV := .venv-contract
CONTRACT_EXAMPLES ?= 100
CONTRACT_SHORT_EXAMPLES ?= 10
# The short form (in `make test`) replays one seed, so a test run is repeatable; `make contract` draws one.
CONTRACT_SHORT_SEED ?= 8
CONTRACT_ARGS ?=

$(CONTRACT_VENV)/.installed: Tests/contract/requirements.txt
	@python3 -c 'import ensurepip, venv' 2>/dev/null || $(MAKE) --no-print-directory install-packages PACKAGES="python3-venv"
	rm -rf $(CONTRACT_VENV)
	python3 -m venv $(CONTRACT_VENV)
	$(CONTRACT_VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/contract/requirements.txt
	touch $@

contract: deps $(CONTRACT_VENV)/.installed
	$(SWIFT) build --product portico
	$(CONTRACT_VENV)/bin/python Tests/contract/contract.py --max-examples $(CONTRACT_EXAMPLES) $(CONTRACT_ARGS)

contract-short: deps $(CONTRACT_VENV)/.installed
	$(SWIFT) build --product portico
	$(CONTRACT_VENV)/bin/python Tests/contract/contract.py --max-examples $(CONTRACT_SHORT_EXAMPLES) --seed $(CONTRACT_SHORT_SEED) $(CONTRACT_ARGS)

clean:
	rm -rf .build .portico fuzz/.build .venv-contract

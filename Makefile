# Portico — build, run and test. Every target installs what it needs itself (see `deps`).
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need. `make deps` installs only the missing ones.
DEB_PACKAGES := pkg-config libsqlite3-dev sqlite3 libmicrohttpd-dev libgnutls28-dev libnftnl-dev libmnl-dev \
	libnetfilter-conntrack-dev libcurl4-openssl-dev nftables iproute2 conntrack curl openssl python3 dnsmasq-base
# What `make bench` needs on top: wrk and nginx (the reference the benchmarks compare against).
BENCH_PACKAGES := wrk nginx-light
DB ?= .portico/demo.db

.PHONY: deps install-packages build release test run bench bench-firewall clean

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEB_PACKAGES)"

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

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

run: deps
	$(SWIFT) build --product portico
	mkdir -p $(dir $(DB))
	.build/debug/portico demo --database $(DB) --portal-listen 127.0.0.1:8080 --admin-listen 127.0.0.1:8081

bench: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_PACKAGES)"
	$(SWIFT) build -c release --product portico
	mkdir -p .portico bench-results
	.build/release/portico bench billing --database .portico/bench-billing.db | tee bench-results/billing.md
	bench/http.sh

# The walled garden's benchmarks (root): netlink figures and release latency in deploy/lab.
bench-firewall: deps
	bench/firewall.sh

clean:
	rm -rf .build .portico

# Portico — build, run and test. Every target installs what it needs itself (see `deps`).
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need. `make deps` installs only the missing ones.
DEB_PACKAGES := pkg-config libsqlite3-dev sqlite3 libmicrohttpd-dev libgnutls28-dev libnftnl-dev libmnl-dev \
	libnetfilter-conntrack-dev nftables iproute2 conntrack curl python3
DB ?= .portico/portico.db

.PHONY: deps build release test run bench clean lint

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
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
	.build/debug/portico demo --database $(DB)

bench: deps
	$(SWIFT) build -c release --product portico
	.build/release/portico bench billing --database .portico/bench.db

clean:
	rm -rf .build .portico

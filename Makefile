# ai: build, test, install.
#
#   make                      release build (swift build -c release --static-swift-stdlib)
#   make test                 the README's test command: bootstrap, swift format lint --strict, swift test
#   make install              binaries, man pages and completions under $(DESTDIR)$(PREFIX)
#   make uninstall            removes what install put there
#   make completions          regenerates completions/ from the built tools (commit the result)
#   make lint-man             mandoc -T lint -W warning man/* must print nothing
#
# PREFIX defaults to /usr/local; DESTDIR (for packaging) to nothing. CONFIG=debug builds and installs the
# debug binaries instead. A release build carries the Swift runtime and libstdc++ inside each tool
# (--static-swift-stdlib, and Linker/ in Package.swift): nothing to find and relocate at start-up but libc, libgcc,
# libcurl and libsodium, and no Swift runtime to install. The tools installed are every executable product
# Package.swift declares, so a new `.executable(name: "ai-…")` product is picked up without editing this file.

PREFIX ?= /usr/local
DESTDIR ?=
CONFIG ?= release
SWIFT ?= swift
BUILDFLAGS ?= $(if $(filter release,$(CONFIG)),--static-swift-stdlib,)
MANDOC ?= mandoc
INSTALL ?= install

BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

# Every `.executable(name: "…", …)` product of Package.swift, written on one line as they are (the test-only
# ai-fake-server is an executable target, not a product, so it is not installed).
TOOLS := $(shell sed -n 's/.*\.executable. *name: *"\([^"]*\)".*/\1/p' Package.swift)
MAN1 := $(wildcard man/*.1)
MAN5 := $(wildcard man/*.5)
BASHCOMP := $(wildcard completions/*.bash)
ZSHCOMP := $(wildcard completions/_*)
FISHCOMP := $(wildcard completions/*.fish)

.PHONY: all build test install uninstall completions lint-man clean

all: build

build:
	$(SWIFT) build -c $(CONFIG) $(BUILDFLAGS)

test:
	script/bootstrap && $(SWIFT) format lint --strict --recursive Sources Tests Package.swift && $(SWIFT) test

install: build
	@[ -n "$(TOOLS)" ] || { echo "make: no .executable(name: …) product found in Package.swift" >&2; exit 1; }
	@set -e; bin=$$($(SWIFT) build -c $(CONFIG) $(BUILDFLAGS) --show-bin-path); \
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)"; \
	for tool in $(TOOLS); do \
		echo "install $$tool -> $(DESTDIR)$(BINDIR)/$$tool"; \
		$(INSTALL) -m 0755 "$$bin/$$tool" "$(DESTDIR)$(BINDIR)/$$tool"; \
	done
	$(INSTALL) -d "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man5"
	@set -e; for page in $(MAN1); do $(INSTALL) -m 0644 "$$page" "$(DESTDIR)$(MANDIR)/man1/"; done
	@set -e; for page in $(MAN5); do $(INSTALL) -m 0644 "$$page" "$(DESTDIR)$(MANDIR)/man5/"; done
	$(INSTALL) -d "$(DESTDIR)$(BASHCOMPDIR)" "$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(FISHCOMPDIR)"
	@set -e; for file in $(BASHCOMP); do \
		name=$$(basename "$$file" .bash); \
		$(INSTALL) -m 0644 "$$file" "$(DESTDIR)$(BASHCOMPDIR)/$$name"; \
	done
	@set -e; for file in $(ZSHCOMP); do $(INSTALL) -m 0644 "$$file" "$(DESTDIR)$(ZSHCOMPDIR)/"; done
	@set -e; for file in $(FISHCOMP); do $(INSTALL) -m 0644 "$$file" "$(DESTDIR)$(FISHCOMPDIR)/"; done

uninstall:
	@for tool in $(TOOLS); do rm -f "$(DESTDIR)$(BINDIR)/$$tool"; done
	@for page in $(MAN1); do rm -f "$(DESTDIR)$(MANDIR)/man1/$$(basename "$$page")"; done
	@for page in $(MAN5); do rm -f "$(DESTDIR)$(MANDIR)/man5/$$(basename "$$page")"; done
	@for file in $(BASHCOMP); do rm -f "$(DESTDIR)$(BASHCOMPDIR)/$$(basename "$$file" .bash)"; done
	@for file in $(ZSHCOMP); do rm -f "$(DESTDIR)$(ZSHCOMPDIR)/$$(basename "$$file")"; done
	@for file in $(FISHCOMP); do rm -f "$(DESTDIR)$(FISHCOMPDIR)/$$(basename "$$file")"; done

# The scripts swift-argument-parser generates; DocsTests fails when a committed one differs from the tool's.
completions: build
	@set -e; bin=$$($(SWIFT) build -c $(CONFIG) $(BUILDFLAGS) --show-bin-path); mkdir -p completions; \
	for tool in $(TOOLS); do \
		"$$bin/$$tool" --generate-completion-script bash > "completions/$$tool.bash"; \
		"$$bin/$$tool" --generate-completion-script zsh > "completions/_$$tool"; \
		"$$bin/$$tool" --generate-completion-script fish > "completions/$$tool.fish"; \
		echo "completions/$$tool.bash completions/_$$tool completions/$$tool.fish"; \
	done

lint-man:
	@out=$$($(MANDOC) -T lint -W warning man/* 2>&1); status=$$?; \
	if [ -n "$$out" ] || [ $$status -ne 0 ]; then printf '%s\n' "$$out"; exit 1; fi; \
	echo "mandoc -T lint -W warning man/*: clean"

clean:
	$(SWIFT) package clean

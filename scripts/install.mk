# scripts/install.mk - `make install` (included by the top-level Makefile).
#   make install [DESTDIR=/staging] [PREFIX=/usr/local]
# Installs the rawdump command, the minikernel, the boot helper, the systemd
# units, the man page and an example /etc/rawdump.conf (only when none
# exists: a configured system keeps its file; CONF_INSTALL=always installs
# it anyway, as the Debian package does: there it is a conffile and dpkg
# keeps the administrator's changes). When `make sign` has made
# build/minikernel/rdmk.signed.bzImage (and it is newer than the unsigned
# image), that one is installed as rdmk.bzImage: a Secure Boot system
# can only load a signed minikernel. `rawdump` finds the
# minikernel relative to itself (PREFIX/lib/rawdump), so any PREFIX works.

SBINDIR    ?= $(PREFIX)/sbin
RDLIBDIR   ?= $(PREFIX)/lib/rawdump
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/rawdump
SYSCONFDIR ?= /etc
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)

CONF_INSTALL ?= keep

INSTALL_UNITS := rawdump-arm.service rawdump-save.service

.PHONY: install uninstall
install: all
	install -D -m 0755 $(B)/rawdump $(DESTDIR)$(SBINDIR)/rawdump
	@if [ -f $(B)/minikernel/rdmk.signed.bzImage ] && \
	    ! [ $(B)/minikernel/rdmk.bzImage -nt $(B)/minikernel/rdmk.signed.bzImage ]; then \
		echo "installing the signed minikernel (make sign)"; \
		install -D -m 0644 $(B)/minikernel/rdmk.signed.bzImage $(DESTDIR)$(RDLIBDIR)/rdmk.bzImage; \
	else \
		if [ -f $(B)/minikernel/rdmk.signed.bzImage ]; then \
			echo "note: $(B)/minikernel/rdmk.signed.bzImage is older than the image: run make sign again" >&2; fi; \
		install -D -m 0644 $(B)/minikernel/rdmk.bzImage $(DESTDIR)$(RDLIBDIR)/rdmk.bzImage; \
	fi
	install -D -m 0755 scripts/systemd/rawdump-boot $(DESTDIR)$(RDLIBDIR)/rawdump-boot
	@for u in $(INSTALL_UNITS); do \
		mkdir -p $(DESTDIR)$(UNITDIR) && \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@RDLIBDIR@|$(RDLIBDIR)|g' \
			scripts/systemd/$$u.in >$(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u && echo "installed $(UNITDIR)/$$u"; \
	done
	@if [ -f Documentation/rawdump.8 ]; then \
		install -D -m 0644 Documentation/rawdump.8 $(DESTDIR)$(MANDIR)/man8/rawdump.8; fi
	install -D -m 0644 Documentation/user-guide.md $(DESTDIR)$(DOCDIR)/user-guide.md
	mkdir -p $(DESTDIR)$(DOCDIR) && sed 's|/usr/local/lib/rawdump/|$(RDLIBDIR)/|' \
		scripts/systemd/rawdump.conf.example >$(DESTDIR)$(DOCDIR)/rawdump.conf.example
	@if [ "$(CONF_INSTALL)" = always ] || [ ! -e $(DESTDIR)$(SYSCONFDIR)/rawdump.conf ]; then \
		install -D -m 0644 $(DESTDIR)$(DOCDIR)/rawdump.conf.example $(DESTDIR)$(SYSCONFDIR)/rawdump.conf && \
		echo "installed $(SYSCONFDIR)/rawdump.conf (edit 'target')"; \
	else echo "kept existing $(SYSCONFDIR)/rawdump.conf"; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/rawdump $(DESTDIR)$(RDLIBDIR)/rdmk.bzImage \
		$(DESTDIR)$(RDLIBDIR)/rawdump-boot $(DESTDIR)$(MANDIR)/man8/rawdump.8 \
		$(DESTDIR)$(DOCDIR)/user-guide.md $(DESTDIR)$(DOCDIR)/rawdump.conf.example \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(INSTALL_UNITS))
	-rmdir $(DESTDIR)$(RDLIBDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

# `make deb`: the Debian package (debian/, debhelper) built from a copy of
# the source tree (the files git lists: tracked and not ignored; outside a
# git checkout every file but build/) in
# build/deb/src, so the working tree stays clean; the .deb, .buildinfo and
# .changes land in build/deb/. Runs lintian when it is installed (and
# DEB_LINTIAN=1, the default). DEB_JOBS: dpkg-buildpackage -J (default 2).
DEB_DIR := $(B)/deb
DEB_JOBS ?= 2
DEB_LINTIAN ?= 1
.PHONY: deb
deb:
	@command -v dpkg-buildpackage >/dev/null || { echo "make deb: dpkg-buildpackage missing (make deps)" >&2; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	{ git ls-files -co --exclude-standard -z 2>/dev/null || find . -path ./build -prune -o -type f -print0; } | \
		tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc -J$(DEB_JOBS) >../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; echo "make deb: failed, see $(DEB_DIR)/build.log" >&2; exit 1; }
	rm -rf $(DEB_DIR)/src
	@ls $(DEB_DIR)/*.deb
	@if [ "$(DEB_LINTIAN)" = 1 ] && command -v lintian >/dev/null; then lintian $(DEB_DIR)/*.changes || true; fi

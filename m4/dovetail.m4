# -*- autoconf -*-
#
# Autoconf macros for dovetail.
#
# DOVETAIL_CHECK_OVS finds the Open vSwitch tree that dovetail builds
# against, the way OVN's OVN_CHECK_OVS does: --with-ovs-source=DIR names an
# OVS source tree, --with-ovs-build=DIR the directory it was configured and
# built in (default: the source tree).  With neither, the Debian
# openvswitch-source tarball is unpacked into ovs/ under the build
# directory and configured there once; "make" builds it (once) before
# anything of dovetail's.  Later runs of configure reuse that tree.

# The Open vSwitch release series dovetail is written against.
m4_define([DOVETAIL_OVS_SERIES], [3.1])

AC_DEFUN([DOVETAIL_CHECK_OVS], [
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch DOVETAIL_OVS_SERIES source tree
                     (default: unpack Debian's openvswitch-source)])],
    [], [with_ovs_source=no])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [directory where the Open vSwitch source tree was
                     built (default: the source tree)])],
    [], [with_ovs_build=no])
  AC_ARG_VAR([OVS_TARBALL],
    [Open vSwitch source tarball to unpack when no --with-ovs-source is
     given (default: /usr/src/openvswitch/openvswitch.tar.gz)])
  : ${OVS_TARBALL=/usr/src/openvswitch/openvswitch.tar.gz}

  OVS_BUILTIN=false
  if test "$with_ovs_source" = no && test "$with_ovs_build" = no; then
    OVS_BUILTIN=true
    OVSDIR=`pwd`/ovs
    OVSBUILDDIR=$OVSDIR
    if test ! -f "$OVSDIR/.dovetail-unpacked"; then
      test -r "$OVS_TARBALL" || AC_MSG_ERROR([no --with-ovs-source given and $OVS_TARBALL is missing: install Debian's openvswitch-source package (apt-get install openvswitch-source) or point --with-ovs-source at an Open vSwitch DOVETAIL_OVS_SERIES tree])
      AC_MSG_NOTICE([unpacking $OVS_TARBALL into $OVSDIR])
      rm -rf "$OVSDIR" "$OVSDIR.tmp"
      mkdir -p "$OVSDIR.tmp"
      (cd "$OVSDIR.tmp" && tar xzf "$OVS_TARBALL") \
        || AC_MSG_ERROR([cannot unpack $OVS_TARBALL])
      top=`ls "$OVSDIR.tmp"`
      mv "$OVSDIR.tmp/$top" "$OVSDIR" && rm -rf "$OVSDIR.tmp"
      touch "$OVSDIR/.dovetail-unpacked"
    fi
  else
    test "$with_ovs_source" = no && with_ovs_source=$with_ovs_build
    test "$with_ovs_build" = no && with_ovs_build=$with_ovs_source
    OVSDIR=`cd "$with_ovs_source" 2>/dev/null && pwd` \
      || AC_MSG_ERROR([--with-ovs-source=$with_ovs_source: no such directory])
    OVSBUILDDIR=`cd "$with_ovs_build" 2>/dev/null && pwd` \
      || AC_MSG_ERROR([--with-ovs-build=$with_ovs_build: no such directory])
  fi

  AC_MSG_CHECKING([for Open vSwitch source in $OVSDIR])
  test -f "$OVSDIR/vswitchd/ovs-vswitchd.c" \
    || AC_MSG_ERROR([$OVSDIR is not an Open vSwitch source tree (no vswitchd/ovs-vswitchd.c)])
  AC_MSG_RESULT([yes])

  AC_MSG_CHECKING([Open vSwitch version])
  ovs_version=`sed -n 's/^A@<:@C@:>@_INIT(openvswitch, *\(@<:@^,@:>@*\),.*/\1/p' "$OVSDIR/configure.ac"`
  AC_MSG_RESULT([$ovs_version])
  case $ovs_version in
    DOVETAIL_OVS_SERIES.*) ;;
    *) AC_MSG_ERROR([found Open vSwitch ${ovs_version:-of unknown version} in $OVSDIR; dovetail needs Open vSwitch DOVETAIL_OVS_SERIES.x]) ;;
  esac

  if $OVS_BUILTIN && test ! -f "$OVSBUILDDIR/.dovetail-configured"; then
    AC_MSG_NOTICE([configuring Open vSwitch $ovs_version in $OVSBUILDDIR (once)])
    (cd "$OVSBUILDDIR" && ./configure --enable-silent-rules \
        CC="$CC" > config.dovetail.log 2>&1) \
      || AC_MSG_ERROR([configuring Open vSwitch failed; see $OVSBUILDDIR/config.dovetail.log])
    touch "$OVSBUILDDIR/.dovetail-configured"
  fi

  AC_MSG_CHECKING([for a configured Open vSwitch build in $OVSBUILDDIR])
  test -f "$OVSBUILDDIR/config.h" && test -f "$OVSBUILDDIR/Makefile" \
    || AC_MSG_ERROR([$OVSBUILDDIR has no config.h and Makefile: configure and build Open vSwitch there first])
  AC_MSG_RESULT([yes])

  dnl OVS's own warning flags, exactly as it computed them for this compiler.
  OVS_WARNING_FLAGS=`sed -n 's/^WARNING_FLAGS = //p' "$OVSBUILDDIR/Makefile"`
  OVS_VERSION=$ovs_version

  AC_SUBST([OVSDIR])
  AC_SUBST([OVSBUILDDIR])
  AC_SUBST([OVS_VERSION])
  AC_SUBST([OVS_WARNING_FLAGS])
  AM_CONDITIONAL([OVS_BUILTIN], [$OVS_BUILTIN])
])

dnl DOVETAIL_CHECK_SANITIZERS: --enable-sanitizers builds with ASan + UBSan.
AC_DEFUN([DOVETAIL_CHECK_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
                    [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [case $enableval in
       yes|no) ;;
       *) AC_MSG_ERROR([bad value $enableval for --enable-sanitizers]) ;;
     esac], [enable_sanitizers=no])
  SANITIZER_FLAGS=
  if test "$enable_sanitizers" = yes; then
    SANITIZER_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  fi
  AC_SUBST([SANITIZER_FLAGS])
  AM_CONDITIONAL([SANITIZERS], [test "$enable_sanitizers" = yes])
])

dnl DOVETAIL_CHECK_STRINGOPS: on x86, has GCC call the C library for the
dnl memset() and memcpy() of a few hundred bytes that it would otherwise
dnl inline as "rep stosq" and "rep movsq".  Those start slowly on the CPUs
dnl measured (AMD EPYC, as a VM): clearing a struct flow and a packet-in's
dnl framing that way was a third of the cost of decoding a policy miss
dnl ("dovetail-bench stages --stage=decode": 59-71 ns, 35-42 ns with the
dnl library's vector stores).  Small ones stay inline.
AC_DEFUN([DOVETAIL_CHECK_STRINGOPS], [
  AC_CACHE_CHECK([whether $CC accepts -mstringop-strategy=libcall],
    [dovetail_cv_stringop_libcall],
    [save_CFLAGS=$CFLAGS
     CFLAGS="$CFLAGS -Werror -mstringop-strategy=libcall"
     AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <string.h>]],
                         [[char b[512]; memset(b, 0, sizeof b);
                           return b[7];]])],
       [dovetail_cv_stringop_libcall=yes],
       [dovetail_cv_stringop_libcall=no])
     CFLAGS=$save_CFLAGS])
  STRINGOP_FLAGS=
  if test "$dovetail_cv_stringop_libcall" = yes; then
    STRINGOP_FLAGS=-mstringop-strategy=libcall
  fi
  AC_SUBST([STRINGOP_FLAGS])
])

dnl TRIAGED_CHECK_CFLAG(FLAG, ACTION-IF-ACCEPTED)
dnl Test-compile FLAG with -Werror so unknown flags are refused.
AC_DEFUN([TRIAGED_CHECK_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	triaged_saved_cflags="$CFLAGS"
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
		[AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
	CFLAGS="$triaged_saved_cflags"
])

dnl AX_PTHREAD_SIMPLE: we target Linux/glibc, where -pthread is the whole story.
AC_DEFUN([AX_PTHREAD_SIMPLE], [
	TRIAGED_CHECK_CFLAG([-pthread], [PTHREAD_CFLAGS=-pthread])
	AC_SUBST([PTHREAD_CFLAGS])
])

/* Linux errno numbers for code without a libc (the libOS). PAL calls return
 * these negated. The values are the x86-64 Linux ABI and never change. */
#ifndef GEODE_PAL_ERRNO_H
#define GEODE_PAL_ERRNO_H

#define PAL_EPERM 1
#define PAL_ENOENT 2
#define PAL_ESRCH 3
#define PAL_EINTR 4
#define PAL_EIO 5
#define PAL_ENXIO 6
#define PAL_E2BIG 7
#define PAL_ENOEXEC 8
#define PAL_EBADF 9
#define PAL_ECHILD 10
#define PAL_EAGAIN 11
#define PAL_ENOMEM 12
#define PAL_EACCES 13
#define PAL_EFAULT 14
#define PAL_EBUSY 16
#define PAL_EEXIST 17
#define PAL_EXDEV 18
#define PAL_ENODEV 19
#define PAL_ENOTDIR 20
#define PAL_EISDIR 21
#define PAL_EINVAL 22
#define PAL_ENFILE 23
#define PAL_EMFILE 24
#define PAL_ENOTTY 25
#define PAL_EFBIG 27
#define PAL_ENOSPC 28
#define PAL_ESPIPE 29
#define PAL_EROFS 30
#define PAL_EMLINK 31
#define PAL_EPIPE 32
#define PAL_ERANGE 34
#define PAL_ENAMETOOLONG 36
#define PAL_ENOSYS 38
#define PAL_ENOTEMPTY 39
#define PAL_ELOOP 40
#define PAL_ENOTSOCK 88
#define PAL_EMSGSIZE 90
#define PAL_EOPNOTSUPP 95
#define PAL_EAFNOSUPPORT 97
#define PAL_EADDRINUSE 98
#define PAL_EPROTO 71
#define PAL_EBADMSG 74
#define PAL_ENOBUFS 105
#define PAL_ECONNREFUSED 111
#define PAL_ETIMEDOUT 110
#define PAL_EOVERFLOW 75
#define PAL_ENODATA 61
#define PAL_EIDRM 43
#define PAL_ENOMSG 42

#endif

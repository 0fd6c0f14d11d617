/*
 * uml-xstate.c - LD_PRELOAD shim for Debian's linux.uml (6.1) on hosts whose XSAVE area is
 * larger than the one UML was built for (AMX: about 11 KB, against UML's 2,696 bytes for
 * AVX-512 + PKRU).
 *
 * UML switches a guest process's FPU state with ptrace(PTRACE_SETREGSET, NT_X86_XSTATE) and its
 * own buffer size. The host kernel accepts only a whole XSAVE buffer of its own size
 * (arch/x86/kernel/fpu/regset.c, xstateregs_set: "count != fpu_user_cfg.max_size" is EFAULT), so
 * on such a host the first switch fails, UML logs "ptrace set fp regs failed, errno = 14" and the
 * guest's init dies. Reading (PTRACE_GETREGSET) a shorter buffer is allowed and works as it is.
 *
 * This shim changes nothing while the call succeeds. Once PTRACE_SETREGSET of NT_X86_XSTATE
 * failed with EFAULT for a buffer shorter than the host's, each such write goes as a whole area
 * instead: the caller's bytes at its start, the components beyond them (CPUID leaf 0xD gives each
 * one's offset and size) in their init state. One system call per switch, as without the shim:
 * UML switches at every guest system call.
 *
 * Built and preloaded by run-in-uml.sh:  gcc -shared -fPIC -O2 -o uml-xstate.so uml-xstate.c -ldl
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define XSTATE_MAX 65536 /* larger than any XSAVE area so far (AMX: 11,008 bytes) */
#define XSTATE_BV_OFFSET 512 /* the XSAVE header's XSTATE_BV, in the standard (uabi) format */

typedef long (*ptrace_fn)(int, pid_t, void *, void *);

/* The host's whole area: UML's bytes at its start, zeros beyond (the init state: see below). */
static __thread unsigned char whole[XSTATE_MAX] __attribute__((aligned(64)));
/* UML's buffer size once a write of it failed (it never changes), and what that needs. */
static size_t mended_len;
static size_t whole_len;
static uint64_t beyond;

static ptrace_fn real_ptrace(void) {
    static ptrace_fn real;
    if (real == NULL) {
        real = (ptrace_fn) dlsym(RTLD_NEXT, "ptrace");
    }
    return real;
}

/* The XSAVE components (bit numbers) whose state ends beyond the first len bytes (CPUID 0xD). */
static uint64_t components_beyond(size_t len) {
    uint64_t mask = 0;
    for (unsigned int i = 2; i < 64; i++) {
        unsigned int size, offset, ecx, edx;
        if (!__get_cpuid_count(0xd, i, &size, &offset, &ecx, &edx) || size == 0) {
            continue;
        }
        if ((ecx & 1) == 0 && (size_t) offset + size > len) { /* ecx bit 0: a supervisor component */
            mask |= (uint64_t) 1 << i;
        }
    }
    return mask;
}

/*
 * Learns, at the first failed write, the host's size (a read of a larger buffer returns it) and
 * which components lie beyond UML's buffer. Those go in their init state (XSTATE_BV bit clear):
 * no guest process has used them (AMX needs a permission the host never gave a UML process).
 * mended_len is published last (release; read with acquire), so a thread that sees it set also
 * sees the other two.
 */
static int learn(pid_t pid, size_t len) {
    struct iovec all = { whole, sizeof(whole) };
    if (real_ptrace()(PTRACE_GETREGSET, pid, (void *) NT_X86_XSTATE, &all) != 0) {
        return -1;
    }
    if (len >= all.iov_len || len < XSTATE_BV_OFFSET + sizeof(uint64_t)) {
        errno = EFAULT; /* not the case this shim is for */
        return -1;
    }
    memset(whole, 0, sizeof(whole));
    whole_len = all.iov_len;
    beyond = components_beyond(len);
    __atomic_store_n(&mended_len, len, __ATOMIC_RELEASE);
    return 0;
}

static long set_whole(pid_t pid, const struct iovec *part) {
    struct iovec all = { whole, whole_len };
    uint64_t bv;
    memcpy(whole, part->iov_base, part->iov_len);
    memcpy(&bv, whole + XSTATE_BV_OFFSET, sizeof(bv));
    bv &= ~beyond;
    memcpy(whole + XSTATE_BV_OFFSET, &bv, sizeof(bv));
    return real_ptrace()(PTRACE_SETREGSET, pid, (void *) NT_X86_XSTATE, &all);
}

long ptrace(enum __ptrace_request request, ...) {
    va_list ap;
    va_start(ap, request);
    pid_t pid = va_arg(ap, pid_t);
    void *addr = va_arg(ap, void *);
    void *data = va_arg(ap, void *);
    va_end(ap);
    if (request != PTRACE_SETREGSET || (uintptr_t) addr != NT_X86_XSTATE || data == NULL) {
        return real_ptrace()((int) request, pid, addr, data);
    }
    const struct iovec *part = data;
    size_t mended = __atomic_load_n(&mended_len, __ATOMIC_ACQUIRE);
    if (mended != 0 && part->iov_len == mended) {
        return set_whole(pid, part); /* every switch after the first: one system call */
    }
    long r = real_ptrace()((int) request, pid, addr, data);
    if (r == -1 && errno == EFAULT && mended == 0 && learn(pid, part->iov_len) == 0) {
        return set_whole(pid, part);
    }
    return r;
}

package dev.isakmpd.xfrm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The libc calls a netlink socket needs (JNA interface mapping). */
interface LibC extends Library {
    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** {@code addr} is a struct sockaddr_nl (12 bytes). */
    int bind(int fd, byte[] addr, int len) throws LastErrorException;

    int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    /** For SO_ATTACH_FILTER: {@code value} is a struct sock_fprog. */
    int setsockopt(int fd, int level, int name, Pointer value, int len) throws LastErrorException;

    /** {@code len} is in and out: the size of {@code value} in bytes, then what the kernel wrote. */
    int getsockopt(int fd, int level, int name, int[] value, int[] len) throws LastErrorException;

    NativeLong send(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    /** {@code fds} is an array of struct pollfd {int fd; short events; short revents;} (8 bytes each). */
    int poll(byte[] fds, int nfds, int timeoutMillis) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    String strerror(int errnum);

    /** The index of a network interface; 0 when there is none of that name. */
    int if_nametoindex(String name);

    final class Holder {
        private static volatile LibC instance;

        private Holder() {
        }

        static LibC get() {
            LibC c = instance;
            if (c == null) {
                synchronized (Holder.class) {
                    c = instance;
                    if (c == null) {
                        c = Native.load("c", LibC.class);
                        instance = c;
                    }
                }
            }
            return c;
        }
    }
}

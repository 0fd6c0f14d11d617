package dev.isakmpd.daemon.systemd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An AF_UNIX datagram socket through JNA: Java's UnixDomainSocketAddress only does streams, and
 * sd_notify is one datagram to $NOTIFY_SOCKET. A path starting with '@' is in the abstract
 * namespace, as systemd writes it.
 */
public final class UnixDatagram implements Closeable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int SUN_PATH = 108;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrLen)
                throws LastErrorException;

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static volatile LibC libc;
    private final int fd;

    private UnixDatagram(int fd) {
        this.fd = fd;
    }

    private static LibC libc() {
        LibC c = libc;
        if (c == null) {
            c = Native.load("c", LibC.class);
            libc = c;
        }
        return c;
    }

    /** An unbound socket for sending. */
    public static UnixDatagram open() throws IOException {
        try {
            return new UnixDatagram(libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM): " + e.getMessage(), e);
        }
    }

    /** A socket bound to {@code path}, for receiving (tests play systemd with it). */
    public static UnixDatagram bind(String path) throws IOException {
        UnixDatagram s = open();
        try {
            byte[] addr = address(path);
            libc().bind(s.fd, addr, addr.length);
        } catch (LastErrorException e) {
            s.close();
            throw new IOException("bind(" + path + "): " + e.getMessage(), e);
        }
        return s;
    }

    public void send(String path, String message) throws IOException {
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        byte[] addr = address(path);
        try {
            libc().sendto(fd, data, new NativeLong(data.length), 0, addr, addr.length);
        } catch (LastErrorException e) {
            throw new IOException("sendto(" + path + "): " + e.getMessage(), e);
        }
    }

    /** The next datagram if one is waiting, else null. */
    public String poll() throws IOException {
        byte[] buf = new byte[4096];
        try {
            long n = libc().recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
            return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN) {
                return null;
            }
            throw new IOException("recv: " + e.getMessage(), e);
        }
    }

    /** struct sockaddr_un: the family, then the path (NUL-terminated, or abstract: led by a NUL). */
    private static byte[] address(String path) throws IOException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = path.startsWith("@");
        if (p.length >= SUN_PATH) {
            throw new IOException("socket path longer than " + (SUN_PATH - 1) + " bytes: " + path);
        }
        ByteBuffer b = ByteBuffer.allocate(2 + p.length + (abstractName ? 0 : 1)).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX).put(p);
        if (abstractName) {
            b.put(2, (byte) 0);
        }
        return b.array();
    }

    @Override
    public void close() {
        try {
            libc().close(fd);
        } catch (LastErrorException e) {
            // nothing left to do with a socket that will not close
        }
    }
}

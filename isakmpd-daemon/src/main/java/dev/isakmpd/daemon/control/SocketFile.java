package dev.isakmpd.daemon.control;

import dev.isakmpd.daemon.config.ControlSocket;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Binds the control socket so that it is never reachable with the wrong owner or mode: it is
 * bound in a fresh directory only we can enter (bind also listens, so a socket in the open would
 * take connections before its chmod), given its mode and group, and only then renamed into place.
 * A socket file left by a crashed daemon is replaced; one a live daemon answers on is not.
 */
final class SocketFile {
    private SocketFile() {
    }

    static ServerSocketChannel bind(ControlSocket c) throws IOException {
        Path path = c.path().toAbsolutePath();
        Files.createDirectories(path.getParent());
        refuseIfLive(path);
        Path privateDir = Files.createTempDirectory(path.getParent(), "." + path.getFileName() + ".",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = privateDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, c.mode());
            if (c.group().isPresent()) {
                GroupPrincipal g = path.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(c.group().get());
                Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(g);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(tmp);
            throw new IOException("cannot create control socket " + path + " (daemon.control-socket, mode "
                    + PosixFilePermissions.toString(c.mode()) + c.group().map(g -> ", group " + g).orElse("") + "): "
                    + describe(e), e);
        } finally {
            Files.deleteIfExists(privateDir);
        }
        return server;
    }

    private static void refuseIfLive(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            live = probe.isConnected();
        } catch (IOException e) {
            live = false;
        }
        if (live) {
            throw new IOException("control socket " + path + " is in use: is another isakmpd running? "
                    + "(daemon.control-socket)");
        }
        Files.delete(path); // left behind by a daemon that did not stop cleanly
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.attribute.UserPrincipalNotFoundException u) {
            return "no group named " + u.getName();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}

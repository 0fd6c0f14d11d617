package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Datagram;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.PcapWriter;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A decrypted capture, as OpenBSD isakmpd's -L: every IKE message sent and received, with its
 * real addresses and ports, written to a pcap file in plaintext form (what the engine gives as
 * {@link Action.Plaintext}; unencrypted messages as they are). Beside it, a Wireshark IKEv1
 * decryption table (the {@code ikev1_decryption_table} UAT file: {@code CKY-I hex,encryption key
 * hex}, one line per ISAKMP SA; hex fields unquoted, as Wireshark writes them: quoted, tshark 4.0
 * reads them as text and refuses the line), with which Wireshark or tshark decrypts a raw capture
 * of the same traffic. The table holds keys: both files are created mode 600 (never wider, not even
 * briefly) and an existing file is never overwritten. Its content is never logged.
 *
 * <p>Retransmissions and answered duplicates are byte-identical copies of a message the engine
 * already gave in plaintext: a bounded table of recent ciphertexts finds their plaintext. A
 * message that never decrypted is written as it came, encrypted. Loop thread only.
 */
final class DecryptedCapture implements Closeable {
    /** The key table's file name is the capture's with this appended. */
    static final String KEY_TABLE_SUFFIX = ".ikev1_decryption_table";
    /** Recent encrypted datagrams and their plaintext, for retransmissions. */
    private static final int RECENT = 1024;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path pcapFile;
    private final Path keyTableFile;
    private final OutputStream pcapStream;
    private final PcapWriter pcap;
    private final OutputStream keyTable;
    private final Clock clock;
    private final Map<ByteBuffer, byte[]> recent = new LinkedHashMap<>(RECENT, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
            return size() > RECENT;
        }
    };
    /** Initiator cookies whose key is in the table (the engine may derive a key twice for a rejected message). */
    private final Map<String, Boolean> keyed = new LinkedHashMap<>(RECENT, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT;
        }
    };
    /** An encrypted datagram just received, written once the engine says what it decrypted to. */
    private Datagram pendingReceived;
    /** The plaintext of the encrypted message the next Send carries. */
    private byte[] pendingSent;

    private DecryptedCapture(Path pcapFile, Path keyTableFile, OutputStream pcapStream, OutputStream keyTable,
            Clock clock) throws IOException {
        this.pcapFile = pcapFile;
        this.keyTableFile = keyTableFile;
        this.pcapStream = pcapStream;
        this.pcap = new PcapWriter(pcapStream);
        this.keyTable = keyTable;
        this.clock = clock;
    }

    /**
     * Creates the capture file and its key table ({@code file} + {@link #KEY_TABLE_SUFFIX}), both
     * new and mode 600.
     *
     * @throws IOException naming the file, if either exists or cannot be created
     */
    static DecryptedCapture open(Path file, Clock clock) throws IOException {
        Path pcapFile = file.toAbsolutePath();
        Path keyFile = pcapFile.resolveSibling(pcapFile.getFileName() + KEY_TABLE_SUFFIX);
        OutputStream pcapOut = create(pcapFile);
        OutputStream keyOut;
        try {
            keyOut = create(keyFile);
        } catch (IOException e) {
            pcapOut.close();
            Files.deleteIfExists(pcapFile);
            throw e;
        }
        try {
            DecryptedCapture c = new DecryptedCapture(pcapFile, keyFile, pcapOut, keyOut, clock);
            keyOut.write(("# Wireshark IKEv1 decryption table (ikev1_decryption_table) beside "
                    + pcapFile.getFileName() + ": initiator cookie,encryption key\n# SECRET: with it, anyone can "
                    + "decrypt the IKE messages of these ISAKMP SAs in a raw capture.\n")
                    .getBytes(StandardCharsets.US_ASCII));
            c.endOfBatch();
            return c;
        } catch (IOException e) {
            pcapOut.close();
            keyOut.close();
            throw new IOException("writing " + pcapFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new file, mode 600 from its creation: one open(2) with O_CREAT|O_EXCL, so no existing file
     * is overwritten and no symbolic link followed.
     */
    private static OutputStream create(Path f) throws IOException {
        try {
            return new BufferedOutputStream(Channels.newOutputStream(Files.newByteChannel(f,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(f + " already exists: remove it or choose another name", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot create " + f + ": permission denied", e);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot create " + f + ": no such directory", e);
        }
    }

    Path file() {
        return pcapFile;
    }

    Path keyTable() {
        return keyTableFile;
    }

    /** A datagram from the network, before the engine sees it. */
    void received(Datagram d) throws IOException {
        resolvePendingReceived();
        if (encrypted(d.data())) {
            pendingReceived = d;
        } else {
            write(d.remote(), d.local(), d.data());
        }
    }

    /** The engine's {@link Action.Plaintext}. */
    void plaintext(Action.Plaintext p) throws IOException {
        Datagram m = p.message();
        if (!p.received()) {
            pendingSent = m.data();
            return;
        }
        if (pendingReceived != null) {
            recent.put(ByteBuffer.wrap(pendingReceived.data()), m.data());
            write(pendingReceived.remote(), pendingReceived.local(), m.data());
            pendingReceived = null;
        } else {
            write(m.remote(), m.local(), m.data());
        }
    }

    /** A datagram the daemon is about to send. */
    void sending(Datagram d) throws IOException {
        resolvePendingReceived();
        byte[] data = d.data();
        byte[] plain = null;
        if (encrypted(data)) {
            plain = pendingSent != null ? pendingSent : recent.get(ByteBuffer.wrap(data));
            if (pendingSent != null) {
                recent.put(ByteBuffer.wrap(data), pendingSent);
            }
        }
        pendingSent = null;
        write(d.local(), d.remote(), plain != null ? plain : data);
    }

    /** The engine's {@link Action.DecryptionKey}: one line of the key table, once per initiator cookie. */
    void key(Action.DecryptionKey k) throws IOException {
        String cookie = HexFormat.of().formatHex(k.initiatorCookie());
        if (k.encryptionKey().isWiped() || keyed.put(cookie, Boolean.TRUE) != null) {
            return;
        }
        byte[] key = k.encryptionKey().bytes();
        byte[] hex = HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(key, (byte) 0);
        keyTable.write((cookie + ",").getBytes(StandardCharsets.US_ASCII));
        keyTable.write(hex);
        keyTable.write('\n');
        Arrays.fill(hex, (byte) 0);
    }

    /** After the actions of one engine call: what is still pending is written, and both files flushed. */
    void endOfBatch() throws IOException {
        resolvePendingReceived();
        pendingSent = null;
        keyTable.flush();
        pcapStream.flush();
    }

    /** A received encrypted datagram the engine did not decrypt now: a duplicate we know, or undecryptable. */
    private void resolvePendingReceived() throws IOException {
        if (pendingReceived == null) {
            return;
        }
        Datagram d = pendingReceived;
        pendingReceived = null;
        byte[] plain = recent.get(ByteBuffer.wrap(d.data()));
        write(d.remote(), d.local(), plain != null ? plain : d.data());
    }

    private void write(InetSocketAddress from, InetSocketAddress to, byte[] message)
            throws IOException {
        pcap.write(clock.instant(), from, to, message);
    }

    private static boolean encrypted(byte[] d) {
        return d.length >= IsakmpHeader.LENGTH && (d[19] & IsakmpHeader.FLAG_ENCRYPTION) != 0;
    }

    @Override
    public void close() throws IOException {
        try {
            endOfBatch();
        } finally {
            try {
                pcap.close();
            } finally {
                keyTable.close();
            }
        }
    }
}

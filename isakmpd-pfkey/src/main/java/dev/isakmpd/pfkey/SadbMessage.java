package dev.isakmpd.pfkey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One PF_KEY v2 message: the sadb_msg header fields and its extensions in wire order. Version is
 * always PF_KEY_V2; the length is computed by the encoder. {@code reserved} is kept because Linux
 * does not leave it zero in what it sends (SPD messages carry the policy's reference count there).
 * {@link #toString} redacts keys.
 */
public record SadbMessage(int type, int errno, int satype, int seq, int pid, List<SadbExtension> extensions,
        int reserved) {

    public SadbMessage {
        extensions = List.copyOf(extensions);
    }

    public SadbMessage(int type, int errno, int satype, int seq, int pid, List<SadbExtension> extensions) {
        this(type, errno, satype, seq, pid, extensions, 0);
    }

    public static SadbMessage request(int type, int satype, SadbExtension... exts) {
        return new SadbMessage(type, 0, satype, 0, 0, List.of(exts));
    }

    public SadbMessage withSeqPid(int newSeq, int newPid) {
        return new SadbMessage(type, errno, satype, newSeq, newPid, extensions, reserved);
    }

    public <T extends SadbExtension> Optional<T> find(Class<T> kind) {
        return extensions.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    public Optional<SadbExtension> find(int extType) {
        return extensions.stream().filter(e -> e.type() == extType).findFirst();
    }

    public Optional<SadbExtension.Address> address(int extType) {
        return find(extType).map(SadbExtension.Address.class::cast);
    }

    public Optional<SadbExtension.Lifetime> lifetime(int extType) {
        return find(extType).map(SadbExtension.Lifetime.class::cast);
    }

    /** Wipes the key bytes of every KEY extension (after sending, or after reading a DUMP). */
    public void wipeKeys() {
        for (SadbExtension e : extensions) {
            if (e instanceof SadbExtension.Key k) {
                k.wipe();
            }
        }
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        for (SadbExtension e : extensions) {
            parts.add(e.toString());
        }
        return "SADB_" + Sadb.messageName(type) + " " + Sadb.satypeName(satype) + " seq=" + seq + " pid=" + pid
                + (errno != 0 ? " errno=" + errno : "") + " " + parts;
    }

    @Override
    public String toString() {
        return describe();
    }
}

package dev.isakmpd.core.kernel;

import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.IpsecSa;
import java.util.ArrayList;
import java.util.List;

/**
 * How every back-end lays out an SA bundle (AH+ESP, IPComp): the kernel SAs innermost first,
 * IPComp, then ESP (or AH alone), then a bundled AH, as strongSwan's kernel-netlink writes them
 * and the policy templates list them; the first in the tunnel's mode, the others in transport
 * mode over it. Installed in that order, removed again if one of them fails.
 */
public final class SaBundle {
    private SaBundle() {
    }

    /** One kernel SA of a bundle: its protocol and SPI (the CPI for IPComp). */
    public record Member(ProtocolId protocol, int spi) {
    }

    /** The kernel SAs of {@code sa}, innermost first. */
    public static List<Member> innermostFirst(IpsecSa sa) {
        List<Member> out = new ArrayList<>();
        sa.ipcomp().ifPresent(c -> out.add(new Member(ProtocolId.IPCOMP, c.spi())));
        out.add(new Member(sa.protocol(), sa.spi()));
        sa.ah().ifPresent(a -> out.add(new Member(ProtocolId.IPSEC_AH, a.spi())));
        return out;
    }

    /** A policy's protocols (SpdTunnel#protocols, outermost first) in template order, innermost first. */
    public static List<ProtocolId> innermostFirst(List<ProtocolId> outermostFirst) {
        List<ProtocolId> out = new ArrayList<>(outermostFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    /** Writes one kernel SA; {@code innermost}: in the SA's mode, else in transport mode. */
    @FunctionalInterface
    public interface Add<K> {
        void add(K sa, boolean innermost) throws KernelException;
    }

    /** Removes one kernel SA. */
    @FunctionalInterface
    public interface Remove<K> {
        void remove(K sa) throws KernelException;
    }

    /**
     * Adds {@code members} in order; if one fails, removes those already added (their errors are
     * dropped: the add error is the one to report) and rethrows.
     */
    public static <K> void install(List<K> members, Add<K> add, Remove<K> remove) throws KernelException {
        List<K> done = new ArrayList<>();
        try {
            for (K k : members) {
                add.add(k, done.isEmpty());
                done.add(k);
            }
        } catch (KernelException e) {
            for (K k : done) {
                try {
                    remove.remove(k);
                } catch (KernelException ignored) {
                    // the add error is the one to report
                }
            }
            throw e;
        }
    }

    /** Removes every member, trying them all; throws the first error, if any. */
    public static <K> void delete(List<K> members, Remove<K> remove) throws KernelException {
        KernelException first = null;
        for (K k : members) {
            try {
                remove.remove(k);
            } catch (KernelException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

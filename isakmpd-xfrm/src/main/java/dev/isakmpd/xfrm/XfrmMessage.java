package dev.isakmpd.xfrm;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.xfrm.XfrmAttribute.Algorithm;
import dev.isakmpd.xfrm.XfrmAttribute.Templates;
import java.util.List;
import java.util.Optional;

/** One netlink message of the XFRM family: header, fixed part, attributes in wire order. */
public record XfrmMessage(NetlinkHeader header, XfrmBody body, List<XfrmAttribute> attributes) {

    public XfrmMessage {
        attributes = List.copyOf(attributes);
    }

    public static XfrmMessage of(int type, int flags, XfrmBody body, XfrmAttribute... attributes) {
        return new XfrmMessage(new NetlinkHeader(type, flags, 0, 0), body, List.of(attributes));
    }

    public int type() {
        return header.type();
    }

    public XfrmMessage withSeqPid(int seq, int pid) {
        return new XfrmMessage(new NetlinkHeader(header.type(), header.flags(), seq, pid), body, attributes);
    }

    public Optional<XfrmAttribute> find(int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst();
    }

    public Optional<Algorithm> algorithm(int type) {
        return find(type).filter(Algorithm.class::isInstance).map(Algorithm.class::cast);
    }

    public Optional<Templates> templates() {
        return find(Xfrm.XFRMA_TMPL).filter(Templates.class::isInstance).map(Templates.class::cast);
    }

    public void wipeKeys() {
        for (int i = 0; i < attributes.size(); i++) {
            if (attributes.get(i) instanceof Algorithm a) {
                a.wipe();
            }
        }
    }

    /** For logs and exceptions: never shows key bytes. */
    public String describe() {
        StringBuilder s = new StringBuilder(Xfrm.messageName(header.type()));
        if (body instanceof XfrmBody.SaInfo i) {
            s.append(' ').append(i.describe());
        } else if (body instanceof XfrmBody.SpiInfo i) {
            s.append(' ').append(i.info().describe()).append(String.format(" range 0x%x-0x%x", i.min(), i.max()));
        } else if (body instanceof XfrmBody.SaId i) {
            s.append(String.format(" proto %d spi 0x%08x dst %s", i.proto(), i.spi(), Addresses.format(i.daddr())));
        } else if (body instanceof XfrmBody.PolicyInfo p) {
            s.append(" dir ").append(Xfrm.directionName(p.dir())).append(' ').append(p.sel().describe());
        } else if (body instanceof XfrmBody.PolicyId p) {
            s.append(" dir ").append(Xfrm.directionName(p.dir())).append(' ').append(p.sel().describe());
        } else if (body instanceof XfrmBody.Acquire a) {
            s.append(' ').append(Addresses.format(a.saddr())).append(" -> ").append(Addresses.format(a.daddr()))
                    .append(" policy ").append(a.policy().sel().describe());
        } else if (body instanceof XfrmBody.Expire e) {
            s.append(e.hard() != 0 ? " hard " : " soft ").append(e.state().describe());
        } else if (body instanceof XfrmBody.AeventId a) {
            s.append(String.format(" proto %d spi 0x%08x dst %s flags 0x%x", a.proto(), a.spi(),
                    Addresses.format(a.daddr()), a.flags()));
        } else if (body instanceof XfrmBody.Error e) {
            s.append(' ').append(e.error()).append(" for ").append(Xfrm.messageName(e.request().type()))
                    .append(" seq ").append(e.request().seq());
        }
        attributes.forEach(a -> s.append(' ').append(a instanceof Algorithm al ? al.toString() : "attr " + a.type()));
        return s.toString();
    }
}

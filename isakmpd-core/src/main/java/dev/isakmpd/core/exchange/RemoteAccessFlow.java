package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP4_ADDRESS;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP4_DHCP;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP4_DNS;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP4_NBNS;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP4_NETMASK;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP4_SUBNET;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP6_ADDRESS;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP6_DHCP;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP6_DNS;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP6_NBNS;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP6_NETMASK;
import static dev.isakmpd.core.registry.ConfigAttributes.INTERNAL_IP6_SUBNET;
import static dev.isakmpd.core.registry.ConfigAttributes.UNITY_DEF_DOMAIN;
import static dev.isakmpd.core.registry.ConfigAttributes.UNITY_SPLIT_INCLUDE;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_STATUS;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_STATUS_FAIL;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_STATUS_OK;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_TYPE;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_TYPE_GENERIC;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_USER_NAME;
import static dev.isakmpd.core.registry.ConfigAttributes.XAUTH_USER_PASSWORD;

import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.wire.AttributePayload;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.IsakmpHeader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * XAUTH (draft-beaulieu-ike-xauth-02) and Mode-Config (draft-dukes-ike-mode-cfg-02) on one
 * established ISAKMP SA, as Transaction exchanges, one at a time. As the gateway:
 * <pre>
 *   REQUEST(XAUTH-TYPE, USER-NAME, USER-PASSWORD)  -->      (again after a wrong answer, up to the retries)
 *                      <--  REPLY(USER-NAME, USER-PASSWORD)
 *   SET(XAUTH-STATUS OK | FAIL)                    -->      (FAIL: then a Delete for the ISAKMP SA)
 *                      <--  ACK
 *   then pull:         <--  REQUEST(INTERNAL_IP4_ADDRESS, INTERNAL_IP6_ADDRESS, ...)
 *   REPLY(addresses, DNS, domain, split networks)  -->
 *   or push: SET(...)  -->  and  <--  ACK
 * </pre>
 * The client answers and pulls (or takes the pushed SET). Quick Mode waits until XAUTH succeeded
 * (and, for our client, until its configuration arrived).
 */
final class RemoteAccessFlow {
    enum State {
        /** Gateway: XAUTH REQUEST sent. */ XAUTH_ASKED,
        /** Gateway: XAUTH SET (OK) sent. */ XAUTH_STATUS_SENT,
        /** Gateway: waiting for the client's Mode-Config REQUEST (pull). */ CONFIG_AWAITED,
        /** Gateway: Mode-Config SET sent (push). */ CONFIG_PUSHED,
        /** Client: waiting for the gateway's XAUTH REQUEST, or its SET after our REPLY. */ XAUTH_ANSWERING,
        /** Client: Mode-Config REQUEST sent (pull), or waiting for the SET (push). */ CONFIG_REQUESTED,
        DONE,
        FAILED
    }

    /** Bounds of what we accept as an XAUTH user name and password. */
    static final int MAX_USER = 128;
    static final int MAX_PASSWORD = 128;
    /**
     * How long the gateway keeps retransmitting an XAUTH REQUEST (at least; the retransmission
     * policy's backoff decides the steps): a client may show it to a person who types a password,
     * which the usual 90 s span (RetransmitPolicy.DEFAULT) can cut short.
     */
    static final Duration XAUTH_REQUEST_SPAN = Duration.ofSeconds(150);

    private final IsakmpSession session;
    private final RemoteAccess policy;
    private final Retransmitter rtx;
    private State state;
    /** The message ID of the Transaction under way; 0 when none. */
    private int messageId;
    private int wrongAnswers;
    private boolean xauthOk;
    private String user;
    /** Gateway: the client's leases, at most one per pool (so per family), with the policies each brought. */
    private final List<Held> held = new ArrayList<>();
    /** Client: the addresses the gateway assigned us and we asked the runtime to put on the host. */
    private final List<InetAddress> assigned = new ArrayList<>();
    /** Gateway: the message ID of our SET(STATUS OK) when a REQUEST implied its ACK; 0 otherwise. */
    private int xauthSetId;
    /** Client: the gateway's SET(STATUS OK) as received and our ACK, to answer its retransmissions for good. */
    private byte[] xauthSet;
    private Datagram xauthAck;
    private int reAcks;

    RemoteAccessFlow(IsakmpSession session) {
        this.session = session;
        this.policy = session.peer.remoteAccess();
        this.rtx = new Retransmitter(session.ctx().retransmit());
    }

    /** The ISAKMP SA is established: the gateway starts XAUTH (or pushes / awaits Mode-Config). */
    void start(Instant now, Out out) {
        if (policy.xauthClient().isPresent()) {
            state = State.XAUTH_ANSWERING;
            out.info(tag() + "waiting for the gateway's XAUTH request");
        } else if (policy.xauthServer().isPresent()) {
            askXauth(now, out);
        } else {
            xauthOk = true;
            startModeConfig(now, out);
        }
    }

    /** Whether Quick Modes may run: XAUTH succeeded, and our client has its configuration. */
    boolean quickModeAllowed() {
        return state == State.DONE || (xauthOk && policy.xauthClient().isEmpty());
    }

    /** XAUTH or Mode-Config failed for good: the ISAKMP SA is to be deleted. */
    boolean failed() {
        return state == State.FAILED;
    }

    /** The client's address from {@code pool}, as its lease (gateway); empty before Mode-Config gave one. */
    Optional<InetAddress> virtualIp(Subnet pool) {
        return held.stream().filter(h -> h.pool().subnet().equals(pool)).map(h -> h.lease().address()).findFirst();
    }

    Instant deadline() {
        return rtx.deadline();
    }

    /** Retransmits, or gives up and fails (the caller then deletes the ISAKMP SA). */
    void timeout(Instant now, Out out) {
        if (!rtx.due(now)) {
            return;
        }
        if (rtx.retry(now)) {
            out.debug(tag() + "retransmission " + rtx.attempts() + " in state " + state);
            out.send(rtx.lastSent());
            return;
        }
        out.warn(tag() + "no answer in state " + state + " after " + rtx.attempts() + " retransmissions"
                + (user != null ? " (user '" + user + "')" : "") + "; deleting the ISAKMP SA");
        fail();
    }

    // ---------------------------------------------------------------- input

    void receive(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (rtx.answerDuplicate(d, now, tag(), out)) {
            return;
        }
        if (state == State.FAILED) {
            out.debug(tag() + "ignored a Transaction message: XAUTH has failed");
            return;
        }
        if (xauthAck != null && Arrays.equals(xauthSet, d.rawData())) {
            // the gateway did not get our ACK before we moved on (its retransmissions are bounded)
            boolean resend = reAcks++ < 2 * session.ctx().retransmit().retries();
            out.debug(tag() + "the gateway repeated its XAUTH SET" + (resend ? "; acknowledging it again" : ""));
            if (resend) {
                out.send(xauthAck);
            }
            return;
        }
        int mid = h.messageId();
        if (xauthSetId != 0 && mid == xauthSetId) {
            out.debug(tag() + "ignored a late message of the finished XAUTH Transaction " + String.format("%08x", mid)
                    + " (its ACK was implied)");
            return;
        }
        boolean ours = mid == messageId && messageId != 0;
        AttributePayload a = Transaction.open(session, d, h, tag(), out);
        boolean accepted = false;
        if (a != null) {
            Retransmitter.Mark before = rtx.mark();
            rtx.received(d.rawData());
            if (ours) {
                rtx.stop();
            }
            accepted = dispatch(a, mid, ours, now, out);
            if (xauthAck != null && xauthSet == null) {
                xauthSet = d.rawData().clone();
            }
            if (!accepted) {
                rtx.reset(before); // what we sent still waits for its answer
            }
        }
        if (!accepted && !ours) {
            session.cbc().forget(mid);
        }
        if (state == State.DONE || state == State.FAILED) {
            session.cbc().forget(messageId);
        }
    }

    private boolean dispatch(AttributePayload a, int mid, boolean ours, Instant now, Out out) {
        AttributeMessageType type = a.messageType();
        if (!type.isKnown() || type.equals(AttributeMessageType.RESERVED)) {
            out.debug(tag() + "discarded attribute message of type " + type + " (s3.3: unknown types are discarded)");
            return false;
        }
        String bad = badLength(a);
        if (bad != null) {
            out.warn(tag() + "dropped " + type + ": " + bad);
            return false;
        }
        return policy.xauthClient().isPresent() ? asClient(a, mid, ours, now, out) : asGateway(a, mid, ours, now, out);
    }

    /** A new Transaction of the peer's is accepted: it is the one under way now. */
    private void adopt(int mid) {
        if (messageId != 0 && messageId != mid) {
            session.cbc().forget(messageId);
        }
        messageId = mid;
    }

    private boolean asGateway(AttributePayload a, int mid, boolean ours, Instant now, Out out) {
        AttributeMessageType type = a.messageType();
        if (state == State.XAUTH_ASKED && ours && type.equals(AttributeMessageType.CFG_REPLY)) {
            onXauthReply(a, now, out);
        } else if (state == State.XAUTH_STATUS_SENT && ours && type.equals(AttributeMessageType.CFG_ACK)) {
            session.cbc().forget(messageId);
            startModeConfig(now, out);
        } else if (state == State.XAUTH_STATUS_SENT && !ours && type.equals(AttributeMessageType.CFG_REQUEST)
                && policy.modeConfig().isPresent()) {
            // The client only asks for its configuration once it has taken our SET(STATUS OK), so
            // its ACK was lost or is late; a client sends an ACK only in answer to a SET, so waiting
            // would cost a retransmission of ours. Apple's client pulls right after its ACK (notes
            // s4). A late ACK is then ignored quietly (receive).
            out.info(tag() + "the client's Mode-Config REQUEST implies its ACK of XAUTH-STATUS OK");
            xauthSetId = messageId;
            session.cbc().forget(messageId);
            state = State.CONFIG_AWAITED;
            adopt(mid);
            reply(a, now, out);
        } else if (!ours && type.equals(AttributeMessageType.CFG_REQUEST) && policy.modeConfig().isPresent()
                && (state == State.CONFIG_AWAITED || state == State.DONE)) {
            adopt(mid);
            reply(a, now, out);
        } else if (state == State.CONFIG_PUSHED && ours && type.equals(AttributeMessageType.CFG_ACK)) {
            out.info(tag() + "Mode-Config: the client acknowledged its configuration");
            state = State.DONE;
        } else {
            out.warn(tag() + "dropped " + type + (ours ? "" : " in a new Transaction") + " in state " + state
                    + (xauthOk ? "" : " (XAUTH has not completed)"));
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- gateway: XAUTH

    private void askXauth(Instant now, Out out) {
        state = State.XAUTH_ASKED;
        // Generic as a basic attribute: the Apple client answers no other form (notes s4).
        send(AttributeMessageType.CFG_REQUEST, newIdentifier(), List.of(DataAttribute.basic(XAUTH_TYPE,
                XAUTH_TYPE_GENERIC), DataAttribute.variable(XAUTH_USER_NAME, new byte[0]),
                DataAttribute.variable(XAUTH_USER_PASSWORD, new byte[0])), true, now, out);
        // a person may be typing the answer: keep asking for XAUTH_REQUEST_SPAN, not the usual span
        rtx.allowResends(session.ctx().retransmit().retriesFor(XAUTH_REQUEST_SPAN));
    }

    private void onXauthReply(AttributePayload a, Instant now, Out out) {
        int retries = policy.xauthServer().orElseThrow().retries();
        if (find(a, XAUTH_STATUS).map(DataAttribute::longValue).orElse(-1L) == XAUTH_STATUS_FAIL) {
            out.warn(tag() + "XAUTH: the client gave up (XAUTH-STATUS FAIL in its reply); deleting the ISAKMP SA");
            fail();
            return;
        }
        Optional<DataAttribute> name = find(a, XAUTH_USER_NAME);
        Optional<DataAttribute> password = find(a, XAUTH_USER_PASSWORD);
        boolean ok;
        if (name.isEmpty() || password.isEmpty()) {
            out.warn(tag() + "XAUTH: the reply lacks " + (name.isEmpty() ? "XAUTH-USER-NAME" : "XAUTH-USER-PASSWORD"));
            user = name.map(n -> printable(n.value())).orElse(user);
            ok = false;
        } else {
            user = printable(name.get().value());
            byte[] pw = password.get().value();
            // a trailing NUL, as Android sends (notes s4), is not part of the password
            int n = pw.length > 0 && pw[pw.length - 1] == 0 ? pw.length - 1 : pw.length;
            byte[] secret = Arrays.copyOf(pw, n);
            try {
                ok = policy.xauthServer().get().users().check(new String(name.get().value(), StandardCharsets.UTF_8),
                        secret);
            } finally {
                Arrays.fill(secret, (byte) 0);
                Arrays.fill(pw, (byte) 0);
            }
        }
        if (ok) {
            xauthOk = true;
            out.info(tag() + "XAUTH: user '" + user + "' authenticated");
            setOk(now, out);
            return;
        }
        wrongAnswers++;
        if (wrongAnswers < retries) {
            out.warn(tag() + "XAUTH: authentication of user '" + user + "' failed (attempt " + wrongAnswers + " of "
                    + retries + "); asking again");
            askXauth(now, out);
        } else {
            // The SET goes once, then the Delete: waiting for an ACK would hold a failed client's SA
            // for the whole retransmission span, and a client that missed the SET still gets the Delete.
            out.warn(tag() + "XAUTH: authentication of user '" + user + "' failed " + wrongAnswers
                    + " times; telling the client and deleting the ISAKMP SA");
            int mid = session.newMessageId();
            Transaction.send(session, mid, new AttributePayload(AttributeMessageType.CFG_SET, newIdentifier(),
                    DataAttribute.basic(XAUTH_STATUS, XAUTH_STATUS_FAIL)), out);
            session.cbc().forget(mid);
            fail();
        }
    }

    private void setOk(Instant now, Out out) {
        state = State.XAUTH_STATUS_SENT;
        send(AttributeMessageType.CFG_SET, newIdentifier(), List.of(DataAttribute.basic(XAUTH_STATUS,
                XAUTH_STATUS_OK)), true, now, out);
    }

    // ---------------------------------------------------------------- gateway: Mode-Config

    private void startModeConfig(Instant now, Out out) {
        Optional<RemoteAccess.ModeConfig> mc = policy.modeConfig();
        if (mc.isEmpty()) {
            state = State.DONE;
            return;
        }
        if (!mc.get().push()) {
            state = State.CONFIG_AWAITED;
            return;
        }
        List<Integer> all = List.of(INTERNAL_IP4_ADDRESS, INTERNAL_IP4_NETMASK, INTERNAL_IP4_DNS, UNITY_DEF_DOMAIN,
                UNITY_SPLIT_INCLUDE, INTERNAL_IP6_ADDRESS, INTERNAL_IP6_NETMASK, INTERNAL_IP6_DNS, INTERNAL_IP6_SUBNET);
        List<DataAttribute> values = configuration(all, out);
        if (values == null) {
            return;
        }
        state = State.CONFIG_PUSHED;
        send(AttributeMessageType.CFG_SET, newIdentifier(), values, true, now, out);
    }

    /** Pull: the client's REQUEST, answered in the same Transaction with its identifier (s3.3). */
    private void reply(AttributePayload request, Instant now, Out out) {
        List<Integer> asked = request.attributes().stream().map(DataAttribute::type).distinct().toList();
        List<DataAttribute> values = configuration(asked, out);
        if (values == null) {
            return;
        }
        state = State.DONE;
        Datagram d = Transaction.send(session, messageId, new AttributePayload(AttributeMessageType.CFG_REPLY,
                request.identifier(), values), out);
        rtx.sent(d, now, true, false);
    }

    /**
     * The values of the asked attribute classes we serve, leasing an address of each family asked
     * for that we have a pool of (a family without a pool is left out, s3.2, as strongSwan does);
     * null when a pool is exhausted (logged; the ISAKMP SA is to be deleted).
     */
    private List<DataAttribute> configuration(List<Integer> asked, Out out) {
        RemoteAccess.ModeConfig mc = policy.modeConfig().orElseThrow();
        List<DataAttribute> values = new ArrayList<>();
        for (int type : asked) {
            switch (type) {
                case INTERNAL_IP4_ADDRESS, INTERNAL_IP6_ADDRESS -> {
                    Optional<Subnet> p = mc.pool(type == INTERNAL_IP4_ADDRESS);
                    AddressPool.Lease l = p.isEmpty() ? null : lease(p.get(), out);
                    if (failed()) {
                        return null;
                    }
                    if (l != null) {
                        // IPv6: 16 octets, as s3.4 says; strongSwan 5.9.8 takes them (see badLength)
                        values.add(DataAttribute.variable(type, l.address().getAddress()));
                    }
                }
                case INTERNAL_IP4_NETMASK, INTERNAL_IP6_NETMASK -> mc.pool(type == INTERNAL_IP4_NETMASK).ifPresent(p ->
                        values.add(DataAttribute.variable(type, p.maskBytes())));
                case INTERNAL_IP4_DNS, INTERNAL_IP6_DNS -> mc.dns().stream()
                        .filter(a -> (a.getAddress().length == 4) == (type == INTERNAL_IP4_DNS))
                        .forEach(a -> values.add(DataAttribute.variable(type, a.getAddress())));
                case UNITY_DEF_DOMAIN -> mc.dnsDomain().ifPresent(dom -> values.add(DataAttribute.variable(type,
                        dom.getBytes(StandardCharsets.US_ASCII))));
                case UNITY_SPLIT_INCLUDE -> {
                    List<Subnet> v4 = mc.splitInclude().stream().filter(Subnet::isIpv4).toList();
                    if (!v4.isEmpty()) {
                        values.add(DataAttribute.variable(type, splitEntries(v4)));
                    }
                }
                case INTERNAL_IP4_SUBNET -> mc.splitInclude().stream().filter(Subnet::isIpv4).forEach(s -> values.add(
                        DataAttribute.variable(type, concat(s.network().getAddress(), s.maskBytes()))));
                case INTERNAL_IP6_SUBNET -> mc.splitInclude().stream().filter(s -> !s.isIpv4()).forEach(s -> values.add(
                        DataAttribute.variable(type, concat(s.network().getAddress(),
                                new byte[] {(byte) s.prefixLength()}))));
                default -> {
                    // s3.2: what we do not serve is left out of the reply
                }
            }
        }
        return values;
    }

    /** A lease and the per-client policies it brought. */
    private record Held(AddressPool pool, AddressPool.Lease lease, List<SpdTunnel> policies) {
    }

    /**
     * The client's address from {@code subnet}, leased once per ISAKMP SA, with its tunnels'
     * policies installed; null when the pool is exhausted (logged, and the flow fails).
     */
    private AddressPool.Lease lease(Subnet subnet, Out out) {
        for (Held h : held) {
            if (h.pool().subnet().equals(subnet)) {
                return h.lease();
            }
        }
        AddressPool pool = session.ctx().pool(session.peer.name(), subnet);
        String key = session.peerKey() + (user == null ? "" : "|" + user);
        Optional<AddressPool.Lease> l = pool.lease(key);
        if (l.isEmpty()) {
            out.warn(tag() + "Mode-Config: address pool " + subnet + " of peer " + session.peer.name()
                    + " is exhausted (" + pool.capacity() + " leases)" + (user == null ? "" : " for user '" + user
                    + "'") + "; deleting the ISAKMP SA");
            fail();
            return null;
        }
        AddressPool.Lease lease = l.get();
        out.info(tag() + "Mode-Config: " + Addresses.format(lease.address()) + " for " + (user == null ? ""
                : "user '" + user + "', ") + "identity " + session.peerIdentity());
        Subnet host = Subnet.host(lease.address());
        List<SpdTunnel> policies = new ArrayList<>();
        for (TunnelPolicy t : session.peer.tunnels()) {
            if (t.remote().encloses(host)) {
                SpdTunnel spd = new SpdTunnel(session.peer.name(), t.name(), session.local.getAddress(),
                        session.remote.getAddress(), t.local(), host, t.mode(), session.peer.local().getPort());
                policies.add(spd);
                out.addPolicy(spd);
            }
        }
        held.add(new Held(pool, lease, policies));
        return lease;
    }

    /** The ISAKMP SA is gone: its hold on the leases ends, and with the last hold the client's policies and SAs. */
    void release(Out out) {
        assigned.forEach(a -> out.deleteAddress(session.peer.name(), a)); // our client's: the runtime counts the holds
        assigned.clear();
        for (Held h : held) {
            AddressPool.Lease lease = h.lease();
            if (!h.pool().release(lease)) {
                continue;
            }
            out.info(tag() + "Mode-Config: " + Addresses.format(lease.address()) + " returned to pool "
                    + h.pool().subnet());
            h.policies().forEach(out::deletePolicy);
            // the address may go to another client next: no SA of this one may still carry it
            Subnet host = Subnet.host(lease.address());
            for (ChildSas.Pair p : session.ctx().children().ofPeer(session.peerKey())) {
                if (p.outbound().destinationSelector().equals(host)) {
                    out.info(tag() + "Mode-Config: deleting IPsec SAs of tunnel " + p.tunnel() + " for "
                            + Addresses.format(lease.address()) + " (in spi 0x" + p.inbound().spiHex() + ")");
                    session.ctx().children().remove(p);
                    p.inKernel().forEach(out::delete);
                }
            }
        }
        held.clear();
    }

    // ---------------------------------------------------------------- client

    private boolean asClient(AttributePayload a, int mid, boolean ours, Instant now, Out out) {
        AttributeMessageType type = a.messageType();
        RemoteAccess.XauthClient creds = policy.xauthClient().orElseThrow();
        if (type.equals(AttributeMessageType.CFG_REQUEST) && state == State.XAUTH_ANSWERING && !ours) {
            adopt(mid);
            List<DataAttribute> answer = new ArrayList<>();
            for (DataAttribute asked : a.attributes()) {
                switch (asked.type()) {
                    case XAUTH_TYPE -> answer.add(DataAttribute.basic(XAUTH_TYPE, XAUTH_TYPE_GENERIC));
                    case XAUTH_USER_NAME -> answer.add(DataAttribute.variable(XAUTH_USER_NAME,
                            creds.user().getBytes(StandardCharsets.UTF_8)));
                    case XAUTH_USER_PASSWORD -> answer.add(DataAttribute.variable(XAUTH_USER_PASSWORD,
                            creds.password().bytes()));
                    default -> {
                        // we answer the generic name and password only
                    }
                }
            }
            out.info(tag() + "XAUTH: answering the gateway's request as user '" + creds.user() + "'");
            Datagram d = Transaction.send(session, messageId, new AttributePayload(AttributeMessageType.CFG_REPLY,
                    a.identifier(), answer), out);
            rtx.sent(d, now, true, false);
        } else if (type.equals(AttributeMessageType.CFG_SET) && state == State.XAUTH_ANSWERING && !ours
                && find(a, XAUTH_STATUS).isPresent()) {
            adopt(mid);
            boolean ok = find(a, XAUTH_STATUS).get().longValue() == XAUTH_STATUS_OK;
            Datagram d = Transaction.send(session, messageId, new AttributePayload(AttributeMessageType.CFG_ACK,
                    a.identifier(), DataAttribute.basic(XAUTH_STATUS, ok ? XAUTH_STATUS_OK : XAUTH_STATUS_FAIL)), out);
            rtx.sent(d, now, true, false);
            session.cbc().forget(messageId);
            xauthAck = d; // receive() keeps the SET it answers
            if (!ok) {
                out.warn(tag() + "XAUTH: the gateway refused user '" + creds.user() + "'");
                fail();
                return true;
            }
            xauthOk = true;
            out.info(tag() + "XAUTH: the gateway accepted user '" + creds.user() + "'");
            state = State.CONFIG_REQUESTED;
            if (creds.pull()) {
                send(AttributeMessageType.CFG_REQUEST, newIdentifier(), configurationRequest(), true, now, out);
            }
        } else if (state == State.CONFIG_REQUESTED && ((ours && type.equals(AttributeMessageType.CFG_REPLY))
                || (!ours && type.equals(AttributeMessageType.CFG_SET)))) {
            if (!ours) {
                adopt(mid);
            }
            configured(a, out);
            if (type.equals(AttributeMessageType.CFG_SET)) {
                Datagram d = Transaction.send(session, messageId, new AttributePayload(AttributeMessageType.CFG_ACK,
                        a.identifier()), out);
                rtx.sent(d, now, true, false);
            }
            state = State.DONE;
        } else {
            out.warn(tag() + "dropped " + type + " in state " + state);
            return false;
        }
        return true;
    }

    /**
     * What our client pulls: an address and DNS servers of each family its tunnels' local subnets
     * have (IPv4 when it has no tunnel), as empty values (s3.2).
     */
    private List<DataAttribute> configurationRequest() {
        List<TunnelPolicy> tunnels = session.peer.tunnels();
        List<DataAttribute> asked = new ArrayList<>();
        if (tunnels.isEmpty() || tunnels.stream().anyMatch(t -> t.local().isIpv4())) {
            asked.add(DataAttribute.variable(INTERNAL_IP4_ADDRESS, new byte[0]));
            asked.add(DataAttribute.variable(INTERNAL_IP4_DNS, new byte[0]));
        }
        if (tunnels.stream().anyMatch(t -> !t.local().isIpv4())) {
            asked.add(DataAttribute.variable(INTERNAL_IP6_ADDRESS, new byte[0]));
            asked.add(DataAttribute.variable(INTERNAL_IP6_DNS, new byte[0]));
        }
        return asked;
    }

    private void configured(AttributePayload a, Out out) {
        List<InetAddress> given = new ArrayList<>();
        List<String> dns = new ArrayList<>();
        for (DataAttribute at : a.attributes()) {
            try {
                switch (at.type()) {
                    case INTERNAL_IP4_ADDRESS -> given.add(InetAddress.getByAddress(at.value()));
                    // the address, then the prefix length when there are 17 octets (badLength)
                    case INTERNAL_IP6_ADDRESS -> given.add(InetAddress.getByAddress(Arrays.copyOf(at.value(), 16)));
                    case INTERNAL_IP4_DNS, INTERNAL_IP6_DNS -> dns.add(Addresses.format(
                            InetAddress.getByAddress(at.value())));
                    default -> {
                        // the rest is not used by our client
                    }
                }
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // lengths were checked: 4 or 16 bytes
            }
        }
        out.info(tag() + "Mode-Config: the gateway assigned " + (given.isEmpty() ? "no address"
                : String.join(", ", given.stream().map(Addresses::format).toList()))
                + (dns.isEmpty() ? "" : ", DNS " + String.join(", ", dns)));
        for (InetAddress g : given) {
            Subnet host = Subnet.host(g);
            if (session.peer.tunnels().stream().noneMatch(t -> t.local().encloses(host))) {
                out.warn(tag() + "Mode-Config: no tunnel of peer " + session.peer.name() + " has "
                        + Addresses.format(g) + " in its local-subnet: traffic from it will not enter a tunnel");
            }
            assigned.add(g);
            out.addAddress(session.peer.name(), g);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void send(AttributeMessageType type, int id, List<DataAttribute> attributes, boolean awaitReply,
            Instant now, Out out) {
        if (messageId != 0) {
            session.cbc().forget(messageId);
        }
        messageId = session.newMessageId();
        Datagram d = Transaction.send(session, messageId, new AttributePayload(type, id, attributes), out);
        rtx.sent(d, now, false, awaitReply);
    }

    private int newIdentifier() {
        return session.ctx().crypto().random().nextInt(0x10000);
    }

    private void fail() {
        state = State.FAILED;
        rtx.stop();
    }

    /**
     * Why an attribute's value has a length its class cannot have (s3.4, XAUTH s6.2), or null. A
     * REQUEST carries empty values (an address may come as a 4-byte hint); the rest carry values.
     */
    static String badLength(AttributePayload a) {
        // a REQUEST names what it wants and an ACK what it accepted, both with empty values (mode-cfg
        // s3.2): strongSwan acknowledges our SET(XAUTH-STATUS) with XAUTH-STATUS as an empty TLV
        boolean request = a.messageType().equals(AttributeMessageType.CFG_REQUEST)
                || a.messageType().equals(AttributeMessageType.CFG_ACK);
        for (DataAttribute at : a.attributes()) {
            int t = at.type();
            String name = ConfigAttributes.SPACE.className(t);
            if (t == XAUTH_TYPE || t == XAUTH_STATUS) {
                if (!at.isBasic() && !(request && at.valueLength() == 0)) {
                    return name + " must be a basic (TV) attribute (draft-beaulieu-ike-xauth-02 s6.2)";
                }
                continue;
            }
            if (at.isBasic()) {
                if (t == INTERNAL_IP4_ADDRESS || t == INTERNAL_IP4_DNS || t == INTERNAL_IP4_NETMASK
                        || t == INTERNAL_IP6_ADDRESS || t == INTERNAL_IP6_DNS
                        || t == XAUTH_USER_NAME || t == XAUTH_USER_PASSWORD || t == UNITY_SPLIT_INCLUDE) {
                    return name + " must be a variable (TLV) attribute";
                }
                continue;
            }
            int n = at.valueLength();
            boolean fits = switch (t) {
                case INTERNAL_IP4_ADDRESS, INTERNAL_IP4_NETMASK, INTERNAL_IP4_DNS, INTERNAL_IP4_NBNS,
                        INTERNAL_IP4_DHCP -> n == 0 || n == 4;
                case INTERNAL_IP4_SUBNET -> n == 0 || n == 8;
                // s3.4 says 16 octets; older strongSwan releases (5.2's source) send and require 17,
                // the address and a prefix length, as in IKEv2 (RFC 7296 s3.15.1): both are taken
                case INTERNAL_IP6_ADDRESS -> n == 0 || n == 16 || n == 17;
                case INTERNAL_IP6_NETMASK, INTERNAL_IP6_DNS, INTERNAL_IP6_NBNS, INTERNAL_IP6_DHCP -> n == 0 || n == 16;
                case INTERNAL_IP6_SUBNET -> n == 0 || n == 17;
                case UNITY_SPLIT_INCLUDE -> n % 14 == 0;
                case XAUTH_USER_NAME -> n <= MAX_USER;
                case XAUTH_USER_PASSWORD -> n <= MAX_PASSWORD;
                default -> true;
            };
            if (!fits || (!request && n == 0 && (t == INTERNAL_IP4_ADDRESS || t == INTERNAL_IP4_DNS
                    || t == INTERNAL_IP6_ADDRESS || t == INTERNAL_IP6_DNS))) {
                return name + " has a " + n + "-byte value (draft-dukes-ike-mode-cfg-02 s3.4)";
            }
            if (n == 17 && (at.value()[16] & 0xff) > 128) {
                return name + " has prefix length " + (at.value()[16] & 0xff) + " (at most 128)";
            }
        }
        return null;
    }

    private static Optional<DataAttribute> find(AttributePayload a, int type) {
        return a.attributes().stream().filter(x -> x.type() == type).findFirst();
    }

    /** A user name as logs may show it: printable ASCII, anything else as '?'. */
    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(x >= 0x20 && x < 0x7f && x != '\'' ? (char) x : '?');
        }
        return sb.toString();
    }

    private static byte[] splitEntries(List<Subnet> nets) {
        byte[] out = new byte[14 * nets.size()];
        for (int i = 0; i < nets.size(); i++) {
            System.arraycopy(nets.get(i).network().getAddress(), 0, out, 14 * i, 4);
            System.arraycopy(nets.get(i).maskBytes(), 0, out, 14 * i + 4, 4);
            // 6 octets of protocol and ports: zeros, as everyone sends (notes s3)
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private String tag() {
        return session.tag() + (messageId == 0 ? "Transaction: " : String.format("Transaction %08x: ", messageId));
    }
}

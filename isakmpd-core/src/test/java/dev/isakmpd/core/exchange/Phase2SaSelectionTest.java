package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Choosing an ESP transform in Quick Mode (RFC 2407 s4.4-s4.5, RFC 2409 s5.5): order, PFS, lifetime. */
class Phase2SaSelectionTest {
    static final IkeCrypto CRYPTO = IkeCrypto.bouncyCastle(new SecureRandom(), false);

    static TunnelPolicy tunnel(String pfs, Duration lifetime, String... esp) {
        List<EspProposal> proposals = new ArrayList<>();
        for (String e : esp) {
            proposals.add(ProposalNames.parseEsp(e).proposal());
        }
        return new TunnelPolicy("net", Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"), proposals,
                pfs == null ? Optional.empty() : Optional.of(ProposalNames.group(pfs, pfs)), lifetime);
    }

    /** No NAT between the peers: plain tunnel mode. */
    private static final Optional<NatDiscovery.Version> NO_NAT = Optional.empty();

    @Test
    void theInitiatorsOrderWinsAndTheShorterLifetimeIsKept() throws ExchangeFailure {
        SaPayload offer = Phase2Sa.offer(tunnel("modp2048", Duration.ofHours(8), "3des-md5", "aes256-sha256",
                "aes128-sha1"), 0x11223344, NO_NAT);
        List<String> why = new ArrayList<>();
        Phase2Sa.Choice c = Phase2Sa.select(CRYPTO, offer, tunnel("modp2048", Duration.ofHours(1), "aes128-sha1",
                "aes256-sha256"), true, why, NO_NAT);
        assertEquals("aes256-sha256", c.proposal().name());
        assertEquals(0x11223344, c.peerSpi());
        assertEquals(Duration.ofHours(1), c.lifetime());
        assertEquals(Duration.ofHours(8), c.offered());
        assertTrue(Phase2Sa.responderLifetime(c, 0x55667788).isPresent(), "RFC 2407 s4.5.4: say it is shorter");
        assertEquals(1, why.size(), why.toString());

        Phase2Sa.Choice accepted = Phase2Sa.accept(CRYPTO, Phase2Sa.reply(offer, c, 0x55667788),
                tunnel("modp2048", Duration.ofHours(8), "3des-md5", "aes256-sha256", "aes128-sha1"), true, NO_NAT);
        assertEquals("aes256-sha256", accepted.proposal().name());
        assertEquals(0x55667788, accepted.peerSpi());
    }

    @Test
    void aResponderThatRequiresPfsRefusesAnOfferWithoutItButAcceptsPfsItDoesNotRequire() throws ExchangeFailure {
        SaPayload withoutPfs = Phase2Sa.offer(tunnel(null, Duration.ofHours(1), "aes128-sha1"), 1, NO_NAT);
        List<String> why = new ArrayList<>();
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> Phase2Sa.select(CRYPTO, withoutPfs,
                tunnel("modp2048", Duration.ofHours(1), "aes128-sha1"), false, why, NO_NAT));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        assertTrue(why.get(0).contains("our policy requires PFS with"), why.toString());

        SaPayload withPfs = Phase2Sa.offer(tunnel("modp2048", Duration.ofHours(1), "aes128-sha1"), 1, NO_NAT);
        assertEquals("modp2048", Phase2Sa.select(CRYPTO, withPfs, tunnel(null, Duration.ofHours(1), "aes128-sha1"),
                true, new ArrayList<>(), NO_NAT).pfsGroup().orElseThrow().name());
        List<String> noKe = new ArrayList<>();
        assertThrows(ExchangeFailure.class, () -> Phase2Sa.select(CRYPTO, withPfs,
                tunnel(null, Duration.ofHours(1), "aes128-sha1"), false, noKe, NO_NAT));
        assertTrue(noKe.get(0).contains("group description and KE payload must come together"), noKe.toString());
    }

    @Test
    void theResponderMustChooseATransformWeOffered() {
        SaPayload ours = Phase2Sa.offer(tunnel(null, Duration.ofHours(1), "aes128-sha1"), 1, NO_NAT);
        SaPayload other = Phase2Sa.offer(tunnel(null, Duration.ofHours(1), "aes256-sha256"), 2, NO_NAT);
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> Phase2Sa.accept(CRYPTO, other,
                tunnel(null, Duration.ofHours(1), "aes128-sha1"), false, NO_NAT));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        assertTrue(f.getMessage().contains("responder chose a transform we did not offer"), f.getMessage());
        assertEquals(1, ours.proposals().size());
    }
}

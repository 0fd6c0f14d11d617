package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IkeAttributes.AUTHENTICATION_METHOD;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_PRE_SHARED_KEY;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_RSA_SIGNATURES;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_XAUTH_INIT_PRE_SHARED;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_XAUTH_INIT_RSA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing a phase-1 transform (RFC 2409 s5, App. A): order, auth method, lifetime. */
class Phase1SaTest {
    static final IkeCrypto CRYPTO = IkeCrypto.bouncyCastle(new SecureRandom(), false);
    static final List<Phase1Proposal> OURS = List.of(ProposalNames.parseIke("aes128-sha1-modp2048"),
            ProposalNames.parseIke("aes256-sha256-modp2048"));

    @Test
    void theInitiatorsOrderWinsAmongWhatWeAccept() throws ExchangeFailure {
        SaPayload offer = Phase1Sa.offer(List.of(ProposalNames.parseIke("3des-md5-modp1024"),
                ProposalNames.parseIke("aes256-sha256-modp2048"), ProposalNames.parseIke("aes128-sha1-modp2048")),
                Duration.ofHours(8), AUTH_PRE_SHARED_KEY);
        List<String> why = new ArrayList<>();
        Phase1Sa.Choice c = Phase1Sa.select(CRYPTO, offer, OURS, Duration.ofHours(3), AUTH_PRE_SHARED_KEY, why);
        assertEquals("aes256-sha256-modp2048", c.proposal().name());
        assertEquals(2, c.transform().transformNumber());
        assertEquals(Duration.ofHours(3), c.lifetime(), "the shorter of the two (RFC 2407 s4.5.4)");
        assertEquals(1, why.size(), why.toString());
    }

    @Test
    void lifeDurationZeroIsNoLimitFromThePeerSoOursApplies() throws ExchangeFailure {
        SaPayload offer = Phase1Sa.offer(OURS, Duration.ZERO, AUTH_PRE_SHARED_KEY);
        Phase1Sa.checkSyntax(offer);
        Phase1Sa.Choice c = Phase1Sa.select(CRYPTO, offer, OURS, Duration.ofHours(3), AUTH_PRE_SHARED_KEY,
                new ArrayList<>());
        assertEquals(Duration.ofHours(3), c.lifetime());
    }

    @Test
    void anotherAuthMethodIsNoProposalChosenAndSaysWhich() {
        SaPayload offer = Phase1Sa.offer(OURS, Duration.ofHours(8), AUTH_RSA_SIGNATURES);
        List<String> why = new ArrayList<>();
        ExchangeFailure f = assertThrows(ExchangeFailure.class,
                () -> Phase1Sa.select(CRYPTO, offer, OURS, Duration.ofHours(3), AUTH_PRE_SHARED_KEY, why));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        assertTrue(why.get(0).contains("authentication method RSA signatures is not pre-shared key"), why.toString());
    }

    @Test
    void xauthInitPreSharedIsAcceptedOnlyWhenWeAskForXauthAndIsEchoed() throws ExchangeFailure {
        SaPayload offer = Phase1Sa.offer(OURS, Duration.ofHours(8), AUTH_XAUTH_INIT_PRE_SHARED);
        List<String> why = new ArrayList<>();
        ExchangeFailure f = assertThrows(ExchangeFailure.class,
                () -> Phase1Sa.select(CRYPTO, offer, OURS, Duration.ofHours(3), AUTH_PRE_SHARED_KEY, why));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        assertTrue(why.get(0).contains("authentication method XAUTHInitPreShared is not pre-shared key"), why.toString());
        Phase1Sa.Choice c = Phase1Sa.select(CRYPTO, offer, OURS, Duration.ofHours(3), AUTH_PRE_SHARED_KEY, true,
                new ArrayList<>());
        assertTrue(c.transform().attributes().stream().anyMatch(a -> a.type() == AUTHENTICATION_METHOD
                && a.longValue() == AUTH_XAUTH_INIT_PRE_SHARED), "the reply names the method the client chose");
        List<String> rsa = new ArrayList<>();
        assertThrows(ExchangeFailure.class, () -> Phase1Sa.select(CRYPTO,
                Phase1Sa.offer(OURS, Duration.ofHours(8), AUTH_XAUTH_INIT_RSA), OURS, Duration.ofHours(3),
                AUTH_PRE_SHARED_KEY, true, rsa));
        assertTrue(rsa.get(0).contains("is not pre-shared key or XAUTHInitPreShared"), rsa.toString());
    }

    @Test
    void theResponderMustChooseOneTransformWeOffered() throws ExchangeFailure {
        SaPayload offer = Phase1Sa.offer(OURS, Duration.ofHours(8), AUTH_PRE_SHARED_KEY);
        Phase1Sa.Choice c = Phase1Sa.select(CRYPTO, offer, OURS, Duration.ofHours(8), AUTH_PRE_SHARED_KEY,
                new ArrayList<>());
        assertEquals(c.proposal(), Phase1Sa.accept(CRYPTO, Phase1Sa.reply(offer, c), OURS, Duration.ofHours(8),
                AUTH_PRE_SHARED_KEY).proposal());
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> Phase1Sa.accept(CRYPTO, offer, OURS,
                Duration.ofHours(8), AUTH_PRE_SHARED_KEY));
        assertEquals(NotifyType.BAD_PROPOSAL_SYNTAX, f.notifyType(), "two transforms in a reply");
    }
}

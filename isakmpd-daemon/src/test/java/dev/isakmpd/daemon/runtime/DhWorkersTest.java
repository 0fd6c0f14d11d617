package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import dev.isakmpd.oakley.PendingAgreement;
import dev.isakmpd.oakley.SecretBytes;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DhWorkersTest {
    private final IkeCrypto bc = IkeCrypto.bouncyCastle(new SecureRandom(), false);
    private final DhWorkers workers = new DhWorkers(bc, 2);

    @AfterEach
    void close() {
        workers.close();
    }

    /** modp2048, ecp256, curve25519: g^xy from a worker is the one both sides compute inline. */
    @ParameterizedTest
    @ValueSource(ints = {14, 19, 31})
    void anAgreementOnAWorkerIsTheSameSecretAsInline(int id) throws InvalidKeyInformationException {
        DhGroup g = bc.dhGroup(id).orElseThrow();
        DhKeyPair ours = workers.generateKeyPair(g);
        DhKeyPair theirs = bc.generateKeyPair(g);
        SecretBytes onWorker = workers.agreeLater(ours, theirs.publicValue()).join();
        SecretBytes inline = g.agree(theirs, ours.publicValue());
        assertArrayEquals(inline.bytes(), onWorker.bytes());
    }

    @Test
    void pooledPairsAreEachHandedOutOnce() {
        DhGroup g = bc.dhGroup(19).orElseThrow();
        Set<BigInteger> seen = new HashSet<>();
        for (int i = 0; i < 3 * DhWorkers.POOL_SIZE; i++) {
            DhKeyPair p = workers.generateKeyPair(g);
            assertTrue(seen.add(new BigInteger(1, p.publicValue())), "a key pair was handed out twice");
        }
    }

    @Test
    void aBadPeerValueFailsTheJoinNotTheWorker() {
        DhGroup g = bc.dhGroup(14).orElseThrow();
        PendingAgreement p = workers.agreeLater(workers.generateKeyPair(g), new byte[g.publicValueLength()]);
        assertThrows(InvalidKeyInformationException.class, p::join);
    }

    /** More agreements than the queue holds: the caller computes the excess itself, none is lost. */
    @Test
    void aFullQueueComputesOnTheCallerAndLosesNothing() throws InvalidKeyInformationException {
        DhGroup g = bc.dhGroup(31).orElseThrow();
        DhKeyPair theirs = bc.generateKeyPair(g);
        List<DhKeyPair> ours = new ArrayList<>();
        List<PendingAgreement> pending = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ours.add(workers.generateKeyPair(g));
            pending.add(workers.agreeLater(ours.get(i), theirs.publicValue()));
        }
        for (int i = 0; i < pending.size(); i++) {
            assertArrayEquals(g.agree(theirs, ours.get(i).publicValue()).bytes(), pending.get(i).join().bytes());
        }
    }

    @Test
    void aLegacyGroupIsRefusedAsByTheDelegate() {
        DhGroup ec2n = DhGroup.byId(3, true).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> workers.generateKeyPair(ec2n));
    }

    @Test
    void closeLeavesNoPairBehindAndAgreementsStillComplete() throws InvalidKeyInformationException {
        DhGroup g = bc.dhGroup(31).orElseThrow();
        DhKeyPair ours = workers.generateKeyPair(g);
        workers.close();
        DhKeyPair theirs = bc.generateKeyPair(g);
        PendingAgreement p = workers.agreeLater(ours, theirs.publicValue()); // rejected: runs on the caller
        assertArrayEquals(g.agree(theirs, ours.publicValue()).bytes(), p.join().bytes());
        assertNotSame(ours, workers.generateKeyPair(g));
        assertEquals("bouncycastle", workers.name());
    }
}

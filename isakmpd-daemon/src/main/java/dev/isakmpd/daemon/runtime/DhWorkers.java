package dev.isakmpd.daemon.runtime;

import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.EncryptionAlgorithm;
import dev.isakmpd.oakley.HashAlgorithm;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.IkeSigner;
import dev.isakmpd.oakley.IkeVerifier;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import dev.isakmpd.oakley.PendingAgreement;
import dev.isakmpd.oakley.Prf;
import dev.isakmpd.oakley.SecretBytes;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Diffie-Hellman beside the event loop (issue 11, "use every core"): the engine stays on one
 * thread and keeps calling {@link IkeCrypto}; this implementation of it moves the two costly
 * steps to worker threads without the engine knowing.
 * <ul>
 * <li>Key pairs come from a small pool per group, refilled by the workers after each take; an
 * empty pool (a burst) makes the pair on the caller's thread, as before.</li>
 * <li>{@link #agreeLater} computes g^xy on a worker while our MM4 travels; the Main Mode
 * responder joins it when MM5 arrives. With every worker busy and the queue full, the caller
 * computes it itself: the loop slows down rather than queueing without bound.</li>
 * </ul>
 * Each pair is still used for one exchange only and wiped after it, so forward secrecy is as
 * before; a pooled pair waits at most until the next exchange in its group, and {@link #close}
 * wipes what is left. Everything else is the delegate's.
 */
public final class DhWorkers implements IkeCrypto, AutoCloseable {
    /** Ready key pairs kept per group: a burst of this many new exchanges costs the loop no keygen. */
    static final int POOL_SIZE = 32;
    /** Agreements and refills queued beyond the running ones before the caller computes its own. */
    private static final int QUEUE = 256;

    private final IkeCrypto delegate;
    private final ThreadPoolExecutor workers;
    private final Map<DhGroup, Pool> pools = new ConcurrentHashMap<>();

    /** A group's ready pairs; {@code stock} counts them and those being made (no walk of the queue). */
    private static final class Pool {
        final Queue<DhKeyPair> ready = new ConcurrentLinkedQueue<>();
        final AtomicInteger stock = new AtomicInteger();
    }

    /** A refill: dropped, not run by the caller, when the queue is full. */
    private final class Refill implements Runnable {
        private final DhGroup group;
        private final Pool pool;

        Refill(DhGroup group, Pool pool) {
            this.group = group;
            this.pool = pool;
        }

        @Override
        public void run() {
            try {
                pool.ready.add(delegate.generateKeyPair(group));
            } catch (RuntimeException e) {
                pool.stock.decrementAndGet();
                throw e;
            }
        }
    }

    public DhWorkers(IkeCrypto delegate, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "isakmpd-dh-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                (r, executor) -> {
                    if (r instanceof Refill refill) {
                        refill.pool.stock.decrementAndGet();
                    } else {
                        r.run(); // an agreement: its exchange will join it
                    }
                });
    }

    @Override
    public DhKeyPair generateKeyPair(DhGroup group) {
        if (group.isLegacy() && !allowsLegacy()) {
            throw new IllegalArgumentException(group + " is disabled (legacy groups not allowed)");
        }
        Pool pool = pools.computeIfAbsent(group, g -> new Pool());
        DhKeyPair pair = pool.ready.poll();
        if (pair != null) {
            pool.stock.decrementAndGet();
        }
        for (int missing = POOL_SIZE - pool.stock.get(); missing > 0; missing--) {
            pool.stock.incrementAndGet();
            workers.execute(new Refill(group, pool)); // dropped when the queue is full: the next take tries again
        }
        return pair != null ? pair : delegate.generateKeyPair(group);
    }

    @Override
    public PendingAgreement agreeLater(DhKeyPair own, byte[] peerPublic) {
        Objects.requireNonNull(own, "own");
        byte[] peer = peerPublic.clone();
        CompletableFuture<PendingAgreement> f = new CompletableFuture<>();
        workers.execute(() -> {
            try {
                f.complete(PendingAgreement.now(own, peer));
            } catch (RuntimeException e) { // a pair wiped meanwhile: its exchange is gone
                f.completeExceptionally(e);
            }
        });
        return new OnWorker(f);
    }

    /** g^xy from a worker. */
    private static final class OnWorker implements PendingAgreement {
        private final CompletableFuture<PendingAgreement> result;

        OnWorker(CompletableFuture<PendingAgreement> result) {
            this.result = result;
        }

        @Override
        public SecretBytes join() throws InvalidKeyInformationException {
            return result.join().join();
        }

        @Override
        public void discard() {
            result.thenAccept(PendingAgreement::discard);
        }

        @Override
        public String toString() {
            return "PendingAgreement[" + (result.isDone() ? "computed" : "computing") + " on a worker]";
        }
    }

    /** Stops the workers and wipes the pooled pairs. */
    @Override
    public void close() {
        workers.shutdownNow();
        for (Pool p : pools.values()) {
            for (DhKeyPair pair; (pair = p.ready.poll()) != null; ) {
                pair.wipe();
            }
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public SecureRandom random() {
        return delegate.random();
    }

    @Override
    public boolean allowsLegacy() {
        return delegate.allowsLegacy();
    }

    @Override
    public Optional<DhGroup> dhGroup(int groupDescription) {
        return delegate.dhGroup(groupDescription);
    }

    @Override
    public Optional<EncryptionAlgorithm> encryption(int ikeValue) {
        return delegate.encryption(ikeValue);
    }

    @Override
    public Optional<HashAlgorithm> hash(int ikeValue) {
        return delegate.hash(ikeValue);
    }

    @Override
    public Prf prf(HashAlgorithm hash) {
        return delegate.prf(hash);
    }

    @Override
    public CbcCipher cipher(EncryptionAlgorithm alg, int keyBits) {
        return delegate.cipher(alg, keyBits);
    }

    @Override
    public IkeSigner signer(PrivateKey key) {
        return delegate.signer(key);
    }

    @Override
    public IkeVerifier verifier(PublicKey key) {
        return delegate.verifier(key);
    }

    @Override
    public byte[] rsaEncrypt(PublicKey key, byte[] data) {
        return delegate.rsaEncrypt(key, data);
    }

    @Override
    public Optional<byte[]> rsaDecrypt(PrivateKey key, byte[] ciphertext) {
        return delegate.rsaDecrypt(key, ciphertext);
    }

    @Override
    public String toString() {
        return "DhWorkers[" + workers.getCorePoolSize() + " threads, " + delegate + "]";
    }
}

package dev.isakmpd.daemon.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * The log's output buffered, and written at most a delay after its first unwritten line: under
 * load the daemon logs about ten lines per handshake, each a write(2) of its own before. A flusher
 * thread sleeps while nothing waits. {@link #unbuffer} (the JVM's shutdown) writes what waits and
 * every later line at once. Only a SIGKILL or a JVM crash loses lines: at most the delay's.
 */
final class DelayedFlushStream extends OutputStream {
    private final OutputStream out;
    private final byte[] buffer;
    private final long delayMillis;
    private int count;
    private boolean direct;

    /** @param delay how long a line may wait in the buffer; the journal stamps lines when they arrive */
    DelayedFlushStream(OutputStream out, int size, Duration delay, String threadName) {
        this.out = out;
        this.buffer = new byte[size];
        this.delayMillis = delay.toMillis();
        Thread flusher = new Thread(this::flushLoop, threadName);
        flusher.setDaemon(true);
        flusher.start();
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (direct) {
            out.write(b, off, len);
            return;
        }
        if (len > buffer.length - count) {
            writeBuffer();
        }
        if (len >= buffer.length) {
            out.write(b, off, len);
            return;
        }
        if (count == 0) {
            notifyAll(); // the first line since the last write: the flusher's delay starts
        }
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    @Override
    public synchronized void flush() throws IOException {
        writeBuffer();
        out.flush();
    }

    /** Logback stops the appender: what waits is written; stderr itself stays open. */
    @Override
    public void close() throws IOException {
        flush();
    }

    /** From now on every line is written at once; what waits is written now. */
    synchronized void unbuffer() throws IOException {
        direct = true;
        flush();
    }

    private void writeBuffer() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0; // a failed write drops the lines rather than failing every later one on them
            out.write(buffer, 0, n);
        }
    }

    private synchronized void flushLoop() {
        while (true) {
            try {
                while (count == 0) {
                    wait();
                }
                wait(delayMillis); // lines logged meanwhile go out in the same write
                flush();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // stderr is gone (closed pipe): nothing can report it, and the next lines try again
            }
        }
    }
}

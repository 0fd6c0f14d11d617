package dev.isakmpd.daemon.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/** Collects log events of this JVM, to wait for a line that a daemon thread logs. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** One captured line: the thread (which daemon), the level, the logger and the message. */
    record Line(String thread, String level, String logger, String message) {
        @Override
        public String toString() {
            return level + " [" + thread + "] " + logger + ": " + message;
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    static LogCapture attach() {
        LogCapture c = new LogCapture();
        c.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        c.start();
        root().addAppender(c);
        return c;
    }

    @Override
    protected void append(ILoggingEvent e) {
        lines.add(new Line(e.getThreadName(), e.getLevel().toString(), e.getLoggerName(), e.getFormattedMessage()));
    }

    /** A position in the log: {@link #await} looks only at lines logged after it. */
    int mark() {
        return lines.size();
    }

    /** The first line since {@code mark} from {@code thread} matching {@code regex}, waiting up to {@code timeout}. */
    Optional<Line> await(int mark, String thread, String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        Instant deadline = Instant.now().plus(timeout);
        do {
            List<Line> snapshot = List.copyOf(lines);
            Optional<Line> l = snapshot.subList(mark, snapshot.size()).stream()
                    .filter(x -> x.thread().equals(thread) && p.matcher(x.message()).find()).findFirst();
            if (l.isPresent()) {
                return l;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        return Optional.empty();
    }

    /** The lines logged since {@code mark}. */
    List<Line> since(int mark) {
        List<Line> snapshot = List.copyOf(lines);
        return snapshot.subList(mark, snapshot.size());
    }

    String dump() {
        StringBuilder sb = new StringBuilder("\n--- captured log ---");
        lines.forEach(l -> sb.append('\n').append(l));
        return sb.toString();
    }

    @Override
    public void close() {
        root().detachAppender(this);
        stop();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}

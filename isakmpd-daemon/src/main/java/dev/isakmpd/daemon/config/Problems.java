package dev.isakmpd.daemon.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tomlj.TomlParseError;

/**
 * Everything wrong with one file, collected so that the operator sees all of it at once, in file
 * order. Each message starts "file:line: key:"; callers never pass a secret into a message.
 */
final class Problems {
    private record Entry(int line, String text) {
    }

    private final String source;
    private final List<Entry> errors = new ArrayList<>();
    private final List<Entry> warnings = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void error(Location at, String message) {
        errors.add(new Entry(at.line(), format(at, message)));
    }

    void warn(Location at, String message) {
        warnings.add(new Entry(at.line(), format(at, message)));
    }

    /** A TOML syntax error. On a line holding a secret the parser's text could quote it, so it is withheld. */
    void syntax(TomlParseError e, boolean lineHoldsSecret) {
        String message = lineHoldsSecret ? "syntax error in a secret's value (details withheld)" : e.getMessage();
        errors.add(new Entry(e.position().line(),
                source + ":" + e.position().line() + ":" + e.position().column() + ": " + message));
    }

    int errorCount() {
        return errors.size();
    }

    List<String> errors() {
        return inFileOrder(errors);
    }

    List<String> warnings() {
        return inFileOrder(warnings);
    }

    private static List<String> inFileOrder(List<Entry> entries) {
        return entries.stream().sorted(Comparator.comparingInt(Entry::line)).map(Entry::text).toList();
    }

    private String format(Location at, String message) {
        return source + ":" + at.line() + ": " + at.key() + ": " + message;
    }
}

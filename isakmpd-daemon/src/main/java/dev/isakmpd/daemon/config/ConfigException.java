package dev.isakmpd.daemon.config;

import java.util.List;

/** A configuration file that cannot be used: every problem found, each with file, line and key. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}

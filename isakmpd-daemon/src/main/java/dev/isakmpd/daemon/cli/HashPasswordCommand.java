package dev.isakmpd.daemon.cli;

import dev.isakmpd.core.policy.XauthUsers;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code isakmpctl hash-password USER}: prints the line an {@code xauth-users} file holds for the
 * user, {@code USER:$2y$cost$...} (bcrypt with a random salt). The password comes from the
 * terminal without echo, or the first line of standard input or of {@code --password-file}; it is
 * never an argument, which every user could read in the process list.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Print a user's line for an XAUTH users file (bcrypt); the password is read, not an argument.")
public final class HashPasswordCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "USER", description = "the XAUTH user name")
    String user;

    @Option(names = "--cost", description = "bcrypt cost, 2^cost rounds (default: ${DEFAULT-VALUE}); each XAUTH "
            + "attempt pays it on the daemon's thread")
    int cost = 10;

    @Option(names = "--password-file", paramLabel = "FILE", description = "read the password from this file's first "
            + "line instead of the terminal or standard input")
    Path passwordFile;

    @Override
    public Integer call() throws IOException {
        if (cost < 4 || cost > 31) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cost must be 4..31, got " + cost);
        }
        if (user.isEmpty() || user.length() > 128 || !user.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "USER must be 1..128 printable characters without ':' or spaces");
        }
        char[] password = read();
        try {
            if (password == null || password.length == 0) {
                spec.commandLine().getErr().println("isakmpctl: no password given");
                spec.commandLine().getErr().flush();
                return 1;
            }
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            spec.commandLine().getOut().println(user + ":" + XauthUsers.hash(password, salt, cost));
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    private char[] read() throws IOException {
        if (passwordFile != null) {
            try (BufferedReader r = Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8)) {
                String line = r.readLine();
                return line == null ? null : line.toCharArray();
            }
        }
        Console console = System.console();
        if (console != null) {
            return console.readPassword("password for %s: ", user);
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? null : line.toCharArray();
    }
}

package dev.isakmpd.daemon.cli;

import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.config.PolicyPrinter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isakmpd check}: validates a configuration and prints the policy as understood, secrets withheld. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration file and print the parsed policy (without secrets).")
public final class CheckCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration file (default: ${DEFAULT-VALUE})")
    private Path config = ConfigLoader.DEFAULT_PATH;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DaemonConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            err.println(config + ": " + e.errors().size() + " error(s)");
            err.flush();
            return ExitCodes.BAD_CONFIG;
        }
        c.warnings().forEach(w -> err.println("warning: " + w));
        err.flush();
        PolicyPrinter.print(c, out);
        out.println(config + ": OK");
        out.flush();
        return ExitCodes.OK;
    }
}

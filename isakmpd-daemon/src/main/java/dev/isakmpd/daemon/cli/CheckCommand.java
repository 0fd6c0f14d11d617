package dev.isakmpd.daemon.cli;

import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.config.PolicyPrinter;
import dev.isakmpd.daemon.runtime.HostChecks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--strict", description = "treat warnings as errors (exit code 2)")
    private boolean strict;

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
        List<String> warnings = new ArrayList<>(c.warnings());
        HostChecks.problems(c).forEach(p -> warnings.add(config + ": " + p));
        warnings.forEach(w -> err.println("warning: " + w));
        err.flush();
        PolicyPrinter.print(c, out);
        out.flush();
        if (strict && !warnings.isEmpty()) {
            err.println(config + ": " + warnings.size() + " warning(s), refused (--strict)");
            err.flush();
            return ExitCodes.BAD_CONFIG;
        }
        out.println(config + ": OK");
        out.flush();
        return ExitCodes.OK;
    }
}

package dev.isakmpd.daemon;

import dev.isakmpd.daemon.cli.CheckCommand;
import dev.isakmpd.daemon.cli.DemoCommand;
import dev.isakmpd.daemon.cli.RunCommand;
import dev.isakmpd.daemon.cli.WitnessCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isakmpd} command: run, check, demo. */
@Command(name = "isakmpd", mixinStandardHelpOptions = true, version = "isakmpd-java 0.1.0",
        description = "ISAKMP/IKEv1 key-management daemon (RFC 2408/2409).",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, WitnessCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it with their own output writers. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, check or demo");
    }
}

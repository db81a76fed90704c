package io.songmap.launcher;

import io.songmap.inference.cpu.CpuServerMain;
import io.songmap.launcher.logging.LogFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code songmap} command: the all-in-one mode, each role on its own, and operator tools. */
@Command(name = "songmap", mixinStandardHelpOptions = true, version = "songmap 0.1.0",
    description = "Turns a song into a Song Map: stems, drum hits, notes, lyrics, tempo and exports.",
    subcommands = {RunCommand.class, RoleCommands.Dev.class, RoleCommands.GatewayRole.class,
        RoleCommands.Processors.class, RoleCommands.RelayRole.class, CpuServerMain.class, ClientCommands.Submit.class,
        ClientCommands.Watch.class, ClientCommands.Reprocess.class, ReplayCommand.class, TenantsCommand.class})
public final class Songmap implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // Before anything creates a logger: logback reads its configuration once, with the first one.
    try {
      LogFormat.choose(args, System.getenv()).use();
    } catch (IllegalArgumentException e) {
      System.err.println("songmap: " + e.getMessage());
      System.exit(CommandLine.ExitCode.USAGE);
    }
    System.exit(new CommandLine(new Songmap()).execute(args));
  }
}

package io.songmap.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the gateway is and whose key to use: the options every client command shares. */
final class ApiOptions {
  @Spec(Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec command;

  @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:SONGMAP_API_URL:-http://localhost:8080}",
      description = "the gateway (env SONGMAP_API_URL; default ${DEFAULT-VALUE})")
  String url;

  @Option(names = "--key", paramLabel = "API_KEY", defaultValue = "${env:SONGMAP_API_KEY}",
      description = "the tenant's API key, smk_... (env SONGMAP_API_KEY; `songmap tenants create` makes one)")
  String key;

  /** The client; a missing key or a malformed URL is a usage error, reported with the command's help. */
  ApiClient client() {
    try {
      return new ApiClient(url, key);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
    }
  }
}

package io.songmap.launcher;

import picocli.CommandLine.Option;

/** Where the gateway is and whose key to use: the options every client command shares. */
final class ApiOptions {
  @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:SONGMAP_API_URL:-http://localhost:8080}",
      description = "the gateway (env SONGMAP_API_URL; default ${DEFAULT-VALUE})")
  String url;

  @Option(names = "--key", paramLabel = "API_KEY", defaultValue = "${env:SONGMAP_API_KEY}",
      description = "the tenant's API key, smk_... (env SONGMAP_API_KEY; `songmap tenants create` makes one)")
  String key;

  ApiClient client() {
    return new ApiClient(url, key);
  }
}

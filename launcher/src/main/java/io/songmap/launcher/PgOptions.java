package io.songmap.launcher;

import picocli.CommandLine.Option;

/** The PostgreSQL server of the operator commands, as the launcher resolves it everywhere else. */
final class PgOptions {
  @Option(names = "--pg-url", paramLabel = "URL", defaultValue = "${env:SONGMAP_PG_URL}",
      description = {"PostgreSQL: postgresql://user:password@host:port/database (env SONGMAP_PG_URL;",
          "default: the local server on 127.0.0.1:5432, database songmap)"})
  String url;

  Settings settings() {
    Settings env = Settings.fromEnv(System.getenv());
    return new Settings(url == null ? "" : url.trim(), env.kafkaBootstrap(), env.tritonUrl(), env.artifactsDir(),
        env.tenant());
  }
}

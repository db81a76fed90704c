package io.songmap.launcher;

import io.songmap.gateway.auth.Tenants;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code songmap tenants}: tenants and their API keys, straight in PostgreSQL (no gateway needed). */
@Command(name = "tenants", mixinStandardHelpOptions = true,
    description = {"Creates tenants and their API keys.",
        "Works on the gateway's database directly (--pg-url); no gateway needs to",
        "run. A key is printed once: only its SHA-256 is stored."},
    subcommands = {TenantsCommand.Create.class, TenantsCommand.AddKey.class, TenantsCommand.Revoke.class})
final class TenantsCommand implements Runnable {
  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Creates a tenant and prints its first API key.",
          "The key is alone on standard output, so that",
          "  export SONGMAP_API_KEY=$(songmap tenants create acme)",
          "works."})
  static final class Create implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PgOptions pg;

    @Parameters(index = "0", paramLabel = "NAME", description = "the tenant id: lower-case letters, digits and -")
    String name;

    @Override
    public Integer call() {
      return withTenants(spec, pg, tenants -> tenants.create(name).map(created -> {
        spec.commandLine().getErr().println("tenant " + created.tenant() + " created; its API key (shown only now):");
        return created.apiKey();
      }), e -> e instanceof Tenants.TenantExists
          ? "tenant " + name + " already exists (`songmap tenants add-key " + name + "` makes another key)" : null);
    }
  }

  @Command(name = "add-key", mixinStandardHelpOptions = true,
      description = "Makes a further API key for an existing tenant (key rotation) and prints it.")
  static final class AddKey implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PgOptions pg;

    @Parameters(index = "0", paramLabel = "NAME", description = "the tenant id")
    String name;

    @Override
    public Integer call() {
      return withTenants(spec, pg, tenants -> tenants.issueKey(name), e -> null);
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Stops an API key from working; the gateway answers 401 to it from then on.")
  static final class Revoke implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PgOptions pg;

    @Parameters(index = "0", paramLabel = "API_KEY", description = "the key, smk_...")
    String key;

    @Override
    public Integer call() {
      return withTenants(spec, pg, tenants -> tenants.revoke(key).compose(revoked -> revoked
          ? Future.succeededFuture("revoked")
          : Future.failedFuture(new IllegalArgumentException("no such live key"))), e -> null);
    }
  }

  /**
   * Runs {@code action} against the tenants table and prints what it returns; {@code explain} turns a known
   * failure into a message ({@code null}: the failure's own).
   */
  private static int withTenants(CommandLine.Model.CommandSpec spec, PgOptions pg,
      Function<Tenants, Future<String>> action, Function<Throwable, String> explain) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Settings settings = pg.settings();
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgOptions.quietPool(vertx, Postgres.resolve(vertx, settings), 1);
      String printed = Node.await(io.songmap.gateway.GatewaySchema.apply(pool)
          .compose(v -> action.apply(new Tenants(pool))).eventually(pool::close), "songmap " + spec.name());
      out.println(printed);
      out.flush();
      return 0;
    } catch (IllegalStateException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = explain.apply(cause);
      err.println("songmap tenants " + spec.name() + ": " + (message != null ? message
          : cause instanceof IllegalArgumentException ? cause.getMessage() : e.getMessage()));
      err.flush();
      return 1;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }
  }
}

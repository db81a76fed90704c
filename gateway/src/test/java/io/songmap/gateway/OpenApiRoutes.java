package io.songmap.gateway;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/** The routes a gateway registered and the operations its OpenAPI document describes, as "METHOD path". */
final class OpenApiRoutes {
  private OpenApiRoutes() {
  }

  static Set<String> registered(Router root, Router api) {
    Set<String> out = new TreeSet<>();
    add(out, root, "");
    add(out, api, GatewayVerticle.API);
    out.remove("GET " + GatewayVerticle.API + "/{*}");
    return out;
  }

  private static void add(Set<String> out, Router router, String prefix) {
    for (Route r : router.getRoutes()) {
      String path = r.getPath();
      if (path == null || (path + "*").equals(GatewayVerticle.API + "/*") || path.equals(GatewayVerticle.API + "/")) {
        continue;
      }
      String openApiPath = prefix + path.replaceAll(":([A-Za-z]+)", "{$1}");
      if (openApiPath.endsWith("/artifacts/")) {
        openApiPath += "{name}"; // the wildcard route: the rest of the path is the artifact name
      }
      Set<HttpMethod> methods = r.methods() == null ? Set.of() : r.methods();
      for (HttpMethod m : methods) {
        out.add(m.name() + " " + openApiPath);
      }
    }
  }

  static Set<String> documented() {
    try (InputStream in = GatewayVerticle.class.getResourceAsStream("openapi.json")) {
      JsonObject doc = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Set<String> out = new TreeSet<>();
      JsonObject paths = doc.getJsonObject("paths");
      for (String path : paths.fieldNames()) {
        for (String op : paths.getJsonObject(path).fieldNames()) {
          if (Set.of("get", "post", "put", "delete", "patch").contains(op)) {
            out.add(op.toUpperCase() + " " + path);
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

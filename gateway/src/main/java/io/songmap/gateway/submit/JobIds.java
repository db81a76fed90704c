package io.songmap.gateway.submit;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Job ids. A submission with an idempotency key (the HTTP {@code Idempotency-Key} header, a partner's
 * submission id) gets an id derived from its tenant and key, so a repeat finds the job the first one made.
 */
public final class JobIds {
  private JobIds() {
  }

  public static String random() {
    return UUID.randomUUID().toString();
  }

  public static String forKey(String tenant, String idempotencyKey) {
    return UUID.nameUUIDFromBytes(("songmap/" + tenant + "/" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}

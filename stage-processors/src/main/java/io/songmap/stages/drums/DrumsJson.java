package io.songmap.stages.drums;

import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.job.ModelRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The drums stage's artifact, {@code drums.json}:
 * <pre>{@code
 * {"tempo": {"bpm": 120.0, "beats": [0.5, 1.0, ...], "source": "drums" | "mix" | "none"},
 *  "hits": [{"time": 0.5, "instrument": "kick", "velocity": 100}, ...],
 *  "model": {"name": "drum_cnn", "version": "1"}}
 * }</pre>
 * Times in seconds from the start of the song; hits in time order.
 */
public final class DrumsJson {

  private DrumsJson() {}

  /** The tempo found, and which signal it came from. */
  public record Tempo(double bpm, double[] beats, String source) {}

  /** The artifact read back. */
  public record Content(Tempo tempo, List<DrumHit> hits, ModelRef model) {}

  public static JsonObject write(Tempo tempo, List<DrumHit> hits, ModelRef model) {
    JsonArray beats = new JsonArray();
    for (double b : tempo.beats()) {
      beats.add(round(b));
    }
    JsonArray hitArray = new JsonArray();
    for (DrumHit h : hits) {
      hitArray.add(new JsonObject().put("time", round(h.time())).put("instrument", h.instrument().id())
          .put("velocity", h.velocity()));
    }
    return new JsonObject()
        .put("tempo", new JsonObject().put("bpm", tempo.bpm()).put("beats", beats).put("source", tempo.source()))
        .put("hits", hitArray)
        .put("model", new JsonObject().put("name", model.name()).put("version", model.version()));
  }

  /** @throws IllegalArgumentException when the document is not a drums artifact */
  public static Content read(JsonObject json) {
    try {
      JsonObject tempo = json.getJsonObject("tempo");
      JsonArray beatArray = tempo.getJsonArray("beats");
      double[] beats = new double[beatArray.size()];
      for (int i = 0; i < beats.length; i++) {
        beats[i] = beatArray.getDouble(i);
      }
      List<DrumHit> hits = new ArrayList<>();
      for (Object o : json.getJsonArray("hits")) {
        JsonObject h = (JsonObject) o;
        hits.add(new DrumHit(h.getDouble("time"), DrumInstrument.fromId(h.getString("instrument")),
            h.getInteger("velocity")));
      }
      JsonObject model = json.getJsonObject("model");
      return new Content(new Tempo(tempo.getDouble("bpm"), beats, tempo.getString("source")), hits,
          new ModelRef(model.getString("name"), model.getString("version")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a drums artifact: " + e.getMessage(), e);
    }
  }

  /** Microseconds are more than any consumer of a time can use. */
  static double round(double seconds) {
    return Math.round(seconds * 1e6) / 1e6;
  }
}

package io.songmap.stages.lyrics;

import io.songmap.audio.songmap.SongMap;
import io.songmap.job.ModelRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The lyrics stage's artifact, {@code lyrics.json}: {@code {"status": "transcribed", "words":
 * [{"start", "end", "text"}], "model": {...}}}, or {@code {"status": "skipped", "reason": ...}}.
 */
public final class LyricsJson {

  private LyricsJson() {}

  public static JsonObject transcribed(List<SongMap.Word> words, ModelRef model) {
    JsonArray array = new JsonArray();
    for (SongMap.Word w : words) {
      array.add(new JsonObject().put("start", w.start()).put("end", w.end()).put("text", w.text()));
    }
    return new JsonObject().put("status", "transcribed").put("words", array)
        .put("model", new JsonObject().put("name", model.name()).put("version", model.version()));
  }

  /** The Song Map's lyrics section from the artifact. */
  public static SongMap.Lyrics read(JsonObject json) {
    try {
      String status = json.getString("status");
      if ("skipped".equals(status)) {
        return SongMap.Lyrics.skipped(json.getString("reason"));
      }
      List<SongMap.Word> words = new ArrayList<>();
      for (Object o : json.getJsonArray("words")) {
        JsonObject w = (JsonObject) o;
        words.add(new SongMap.Word(w.getDouble("start"), w.getDouble("end"), w.getString("text")));
      }
      return SongMap.Lyrics.transcribed(words);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a lyrics artifact: " + e.getMessage(), e);
    }
  }

  /** The model that transcribed, when there was one. */
  public static ModelRef model(JsonObject json) {
    JsonObject model = json.getJsonObject("model");
    return model == null ? null : new ModelRef(model.getString("name"), model.getString("version"));
  }
}

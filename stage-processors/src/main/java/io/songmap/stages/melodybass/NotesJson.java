package io.songmap.stages.melodybass;

import io.songmap.audio.notes.Note;
import io.songmap.job.ModelRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The melody_bass stage's artifact, {@code notes.json}:
 * <pre>{@code
 * {"bass":   {"notes": [{"start": 0.52, "end": 0.98, "midi": 40, "velocity": 90}, ...]},
 *  "melody": {"notes": [...]},
 *  "model": {"name": "basic_pitch", "version": "1"}}
 * }</pre>
 */
public final class NotesJson {

  private NotesJson() {}

  public record Content(List<Note> bass, List<Note> melody, ModelRef model) {}

  public static JsonObject write(List<Note> bass, List<Note> melody, ModelRef model) {
    return new JsonObject()
        .put("bass", new JsonObject().put("notes", notes(bass)))
        .put("melody", new JsonObject().put("notes", notes(melody)))
        .put("model", new JsonObject().put("name", model.name()).put("version", model.version()));
  }

  /** @throws IllegalArgumentException when the document is not a notes artifact */
  public static Content read(JsonObject json) {
    try {
      JsonObject model = json.getJsonObject("model");
      return new Content(notes(json.getJsonObject("bass").getJsonArray("notes")),
          notes(json.getJsonObject("melody").getJsonArray("notes")),
          new ModelRef(model.getString("name"), model.getString("version")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a notes artifact: " + e.getMessage(), e);
    }
  }

  private static JsonArray notes(List<Note> notes) {
    JsonArray array = new JsonArray();
    for (Note n : notes) {
      array.add(new JsonObject().put("start", round(n.start())).put("end", round(n.end())).put("midi", n.midi())
          .put("velocity", n.velocity()));
    }
    return array;
  }

  private static List<Note> notes(JsonArray array) {
    List<Note> out = new ArrayList<>(array.size());
    for (Object o : array) {
      JsonObject n = (JsonObject) o;
      out.add(new Note(n.getDouble("start"), n.getDouble("end"), n.getInteger("midi"), n.getInteger("velocity")));
    }
    return out;
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1e6) / 1e6;
  }
}

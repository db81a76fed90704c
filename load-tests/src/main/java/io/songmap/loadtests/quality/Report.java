package io.songmap.loadtests.quality;

import io.songmap.audio.metrics.DrumMetrics.PieceScores;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.loadtests.quality.Evaluation.DrumDiagnosis;
import io.songmap.loadtests.quality.Evaluation.DrumScores;
import io.songmap.loadtests.quality.Evaluation.NoteScoresSummary;
import io.songmap.loadtests.quality.Evaluation.SongScores;
import io.songmap.loadtests.quality.SongGenerator.GeneratedSong;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The quality benchmark's printed figures. */
final class Report {
  static final double DRUM_TARGET = 0.85;
  static final double BASS_TARGET = 0.70;
  static final double MELODY_TARGET = 0.60;
  static final double TEMPO_TARGET = 0.90;
  static final double DRUM_SDR_TARGET = 5.0;

  private final PrintStream out;

  Report(PrintStream out) {
    this.out = out;
  }

  void line(String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args));
    out.flush();
  }

  void generated(GeneratedSong song) {
    GroundTruth t = song.truth();
    line("song %d: %s, %.1f BPM, %s, programs %s, %d drum hits, %d bass notes, %d melody notes", t.seed(),
        song.dir(), t.tempo().bpm(), t.key(), t.programs(), t.drums().hits().size(), t.bass().notes().size(),
        t.melody().notes().size());
  }

  void song(GeneratedSong song, Pipeline.Result result, SongScores s) {
    GroundTruth t = song.truth();
    line("%s (%.0f s, %.1f BPM, %s, bass program %d, melody program %d): job %.1f s [%s]", s.name(),
        t.durationSeconds(), t.tempo().bpm(), t.key(), t.programs().get("bass"), t.programs().get("melody"),
        result.seconds(), result.stageSeconds().entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey().wireName(), e.getValue()))
            .collect(Collectors.joining(", ")));
    line("  drums   %s", drums(s.drums()));
    line("  bass    %s", notes(s.bass()));
    line("  melody  %s", notes(s.melody()));
    line("  tempo   %.2f -> %.2f BPM (%+.1f%%) %s", s.referenceBpm(), s.estimatedBpm(),
        100 * (s.estimatedBpm() / s.referenceBpm() - 1), s.tempoWithin() ? "within 4%" : "OFF");
    line("  SDR     %s", sdr(s.sdr()));
  }

  static String drums(DrumScores d) {
    StringBuilder b = new StringBuilder();
    for (DrumInstrument piece : Evaluation.POOLED) {
      PieceScores p = d.byInstrument().get(piece);
      b.append(String.format(Locale.ROOT, "%s F %.3f (P %.2f R %.2f, %d/%d)  ", piece.id(), p.scores().fMeasure(),
          p.scores().precision(), p.scores().recall(), p.estimated(), p.reference()));
    }
    b.append(String.format(Locale.ROOT, "| pooled F %.3f (P %.3f R %.3f), median onset error %+.1f ms",
        d.pooled().fMeasure(), d.pooled().precision(), d.pooled().recall(), d.medianErrorMs()));
    b.append(" | others est/ref:");
    for (DrumInstrument piece : List.of(DrumInstrument.TOM, DrumInstrument.RIDE, DrumInstrument.CRASH)) {
      PieceScores p = d.byInstrument().get(piece);
      b.append(String.format(Locale.ROOT, " %s %d/%d", piece.id(), p.estimated(), p.reference()));
    }
    return b.toString();
  }

  static String notes(NoteScoresSummary n) {
    return String.format(Locale.ROOT,
        "note F %.3f (P %.3f R %.3f), with offsets %.3f, onsets only %.3f; %d est / %d ref; median onset error %+.1f ms,"
            + " offset error %+.1f ms; %s",
        n.noOffsets().fMeasure(), n.noOffsets().precision(), n.noOffsets().recall(), n.withOffsets().fMeasure(),
        n.onsetsOnly().fMeasure(), n.estimated(), n.reference(), n.medianErrorMs(), n.medianOffsetErrorMs(),
        pitchErrors(n.pitchErrors()));
  }

  static String pitchErrors(Evaluation.PitchErrors p) {
    return String.format(Locale.ROOT, "pitch of onset-matched notes: %d right, %d octave off, %d other", p.right(),
        p.octave(), p.other());
  }

  static String sdr(Map<String, Double> sdr) {
    if (sdr.isEmpty()) {
      return "(no stems)";
    }
    return sdr.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f dB", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", ")) + " (melody: vocals+other against the melody render)";
  }

  void overall(List<SongScores> all) {
    if (all.isEmpty()) {
      return;
    }
    line("overall (%d songs, mean of per-song scores):", all.size());
    StringBuilder drums = new StringBuilder();
    for (DrumInstrument piece : Evaluation.POOLED) {
      drums.append(String.format(Locale.ROOT, "%s F %.3f, ", piece.id(),
          mean(all, s -> s.drums().byInstrument().get(piece).scores().fMeasure())));
    }
    line("  drums   %spooled F %.3f (P %.3f R %.3f)", drums, mean(all, s -> s.drums().pooled().fMeasure()),
        mean(all, s -> s.drums().pooled().precision()), mean(all, s -> s.drums().pooled().recall()));
    line("  bass    note F %.3f (P %.3f R %.3f), with offsets %.3f, onsets only %.3f",
        mean(all, s -> s.bass().noOffsets().fMeasure()), mean(all, s -> s.bass().noOffsets().precision()),
        mean(all, s -> s.bass().noOffsets().recall()), mean(all, s -> s.bass().withOffsets().fMeasure()),
        mean(all, s -> s.bass().onsetsOnly().fMeasure()));
    line("  melody  note F %.3f (P %.3f R %.3f), with offsets %.3f, onsets only %.3f",
        mean(all, s -> s.melody().noOffsets().fMeasure()), mean(all, s -> s.melody().noOffsets().precision()),
        mean(all, s -> s.melody().noOffsets().recall()), mean(all, s -> s.melody().withOffsets().fMeasure()),
        mean(all, s -> s.melody().onsetsOnly().fMeasure()));
    line("  pitch   bass: %s; melody: %s",
        pitchErrors(all.stream().map(s -> s.bass().pitchErrors()).reduce(new Evaluation.PitchErrors(0, 0, 0),
            Evaluation.PitchErrors::plus)),
        pitchErrors(all.stream().map(s -> s.melody().pitchErrors()).reduce(new Evaluation.PitchErrors(0, 0, 0),
            Evaluation.PitchErrors::plus)));
    long tempoOk = all.stream().filter(SongScores::tempoWithin).count();
    line("  tempo   within 4%% on %d of %d songs (%.0f%%)", tempoOk, all.size(), 100.0 * tempoOk / all.size());
    line("  SDR     drums %.2f dB, bass %.2f dB, melody %.2f dB", mean(all, s -> s.sdr().getOrDefault("drums", Double.NaN)),
        mean(all, s -> s.sdr().getOrDefault("bass", Double.NaN)),
        mean(all, s -> s.sdr().getOrDefault("melody", Double.NaN)));
    DrumDiagnosis d = DrumDiagnosis.empty();
    all.forEach(s -> d.add(s.drums().diagnosis()));
    line("  drum hits (all songs; masked = only a simultaneous hit of another piece was reported): %s",
        diagnosis(d));
  }

  static String diagnosis(DrumDiagnosis d) {
    StringBuilder diag = new StringBuilder();
    for (DrumInstrument piece : DrumInstrument.values()) {
      int[] o = d.outcome().get(piece);
      if (o[DrumDiagnosis.FOUND] + o[DrumDiagnosis.CONFUSED] + o[DrumDiagnosis.MISSED] + o[DrumDiagnosis.MASKED] == 0) {
        continue;
      }
      diag.append(String.format(Locale.ROOT, "%s %d found, %d masked, %d taken for %s, %d missed; ", piece.id(),
          o[DrumDiagnosis.FOUND], o[DrumDiagnosis.MASKED], o[DrumDiagnosis.CONFUSED],
          d.takenFor().get(piece).entrySet().stream().map(e -> e.getKey().id() + " " + e.getValue())
              .collect(Collectors.joining(" ", "{", "}")), o[DrumDiagnosis.MISSED]));
    }
    diag.append("estimates near no reference hit: ").append(d.spurious().entrySet().stream()
        .filter(e -> e.getValue() > 0).map(e -> e.getKey().id() + " " + e.getValue())
        .collect(Collectors.joining(", ", "{", "}")));
    return diag.toString();
  }

  void targets(List<SongScores> all) {
    if (all.isEmpty()) {
      return;
    }
    double drums = mean(all, s -> s.drums().pooled().fMeasure());
    double bass = mean(all, s -> s.bass().noOffsets().fMeasure());
    double melody = mean(all, s -> s.melody().noOffsets().fMeasure());
    double tempo = all.stream().filter(SongScores::tempoWithin).count() / (double) all.size();
    double sdr = mean(all, s -> s.sdr().getOrDefault("drums", Double.NaN));
    line("targets: drum F %.3f (>= %.2f) %s; bass note F %.3f (>= %.2f) %s; melody note F %.3f (>= %.2f) %s; "
            + "tempo %.0f%% (>= %.0f%%) %s; drum-stem SDR %.2f dB (>= %.0f) %s",
        drums, DRUM_TARGET, verdict(drums >= DRUM_TARGET), bass, BASS_TARGET, verdict(bass >= BASS_TARGET), melody,
        MELODY_TARGET, verdict(melody >= MELODY_TARGET), 100 * tempo, 100 * TEMPO_TARGET,
        verdict(tempo >= TEMPO_TARGET), sdr, DRUM_SDR_TARGET, verdict(sdr >= DRUM_SDR_TARGET));
  }

  private static String verdict(boolean reached) {
    return reached ? "reached" : "NOT reached";
  }

  private static double mean(List<SongScores> all, ToDoubleFunction<SongScores> f) {
    return all.stream().mapToDouble(f).average().orElse(Double.NaN);
  }
}

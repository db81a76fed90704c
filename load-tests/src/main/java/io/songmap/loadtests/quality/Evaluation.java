package io.songmap.loadtests.quality;

import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.metrics.DrumMetrics;
import io.songmap.audio.metrics.DrumMetrics.PieceScores;
import io.songmap.audio.metrics.NoteSet;
import io.songmap.audio.metrics.OnsetMetrics;
import io.songmap.audio.metrics.Scores;
import io.songmap.audio.metrics.Sdr;
import io.songmap.audio.metrics.TranscriptionMetrics;
import io.songmap.audio.metrics.TranscriptionMetrics.Criteria;
import io.songmap.audio.metrics.TranscriptionMetrics.NoteScores;
import io.songmap.audio.notes.Note;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.audio.songmap.SongMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores one Song Map against the ground truth of its song, with the figures that say where
 * accuracy is lost: per-piece drum scores and which piece a missed hit was taken for, note scores
 * with and without pitch and offsets, the median timing error of matched events, the tempo and the
 * SDR of each separated stem.
 */
final class Evaluation {
  static final double WINDOW = OnsetMetrics.DEFAULT_WINDOW_SECONDS;
  static final double TEMPO_TOLERANCE = 0.04;
  static final List<DrumInstrument> POOLED = List.of(DrumInstrument.KICK, DrumInstrument.SNARE, DrumInstrument.HIHAT);

  private Evaluation() {}

  /**
   * What happened to the reference hits of each piece, and where the estimated hits of no piece
   * came from. A reference hit no estimate of its own piece matched is <i>masked</i> when the only
   * estimates within the window are correct hits of other pieces struck at the same time (the stage
   * reported one piece where two sounded), <i>confused</i> when an unmatched estimate of another
   * piece lies within the window ({@code takenFor} counts those by that piece), and <i>missed</i>
   * when no estimate is near.
   */
  record DrumDiagnosis(Map<DrumInstrument, int[]> outcome, Map<DrumInstrument, Map<DrumInstrument, Integer>> takenFor,
      Map<DrumInstrument, Integer> spurious) {
    static final int FOUND = 0;
    static final int CONFUSED = 1;
    static final int MISSED = 2;
    static final int MASKED = 3;
    static final int OUTCOMES = 4;

    static DrumDiagnosis empty() {
      Map<DrumInstrument, int[]> outcome = new EnumMap<>(DrumInstrument.class);
      Map<DrumInstrument, Map<DrumInstrument, Integer>> takenFor = new EnumMap<>(DrumInstrument.class);
      Map<DrumInstrument, Integer> spurious = new EnumMap<>(DrumInstrument.class);
      for (DrumInstrument d : DrumInstrument.values()) {
        outcome.put(d, new int[OUTCOMES]);
        takenFor.put(d, new EnumMap<>(DrumInstrument.class));
        spurious.put(d, 0);
      }
      return new DrumDiagnosis(outcome, takenFor, spurious);
    }

    void add(DrumDiagnosis other) {
      for (DrumInstrument d : DrumInstrument.values()) {
        for (int i = 0; i < OUTCOMES; i++) {
          outcome.get(d)[i] += other.outcome.get(d)[i];
        }
        other.takenFor.get(d).forEach((k, v) -> takenFor.get(d).merge(k, v, Integer::sum));
        spurious.merge(d, other.spurious.get(d), Integer::sum);
      }
    }
  }

  record DrumScores(Map<DrumInstrument, PieceScores> byInstrument, Scores pooled, double medianErrorMs,
      DrumDiagnosis diagnosis) {}

  /**
   * @param withOffsets onset 50 ms, pitch 50 cents, offset 20% or 50 ms
   * @param noOffsets onset and pitch
   * @param onsetsOnly onsets alone, any pitch
   * @param medianErrorMs median of (estimated − reference) onset over notes matched on onset and pitch
   * @param medianOffsetErrorMs the same for the offsets of those notes
   */
  record NoteScoresSummary(NoteScores withOffsets, NoteScores noOffsets, Scores onsetsOnly, int reference,
      int estimated, double medianErrorMs, double medianOffsetErrorMs, PitchErrors pitchErrors) {}

  /**
   * Among notes matched on onset alone, how far the estimated pitch is from the reference: right
   * (within 50 cents), an octave off (either way), or another interval.
   */
  record PitchErrors(int right, int octave, int other) {
    PitchErrors plus(PitchErrors o) {
      return new PitchErrors(right + o.right, octave + o.octave, other + o.other);
    }
  }

  record SongScores(String name, double referenceBpm, double estimatedBpm, boolean tempoWithin, DrumScores drums,
      NoteScoresSummary bass, NoteScoresSummary melody, Map<String, Double> sdr) {}

  static SongScores score(String name, GroundTruth truth, SongMap map, Map<String, PcmAudio> referenceStems,
      Map<String, PcmAudio> estimatedStems) {
    double refBpm = truth.tempo().bpm();
    double estBpm = map.tempo().bpm();
    return new SongScores(name, refBpm, estBpm, DrumMetrics.tempoWithin(refBpm, estBpm, TEMPO_TOLERANCE),
        drums(truth.drumHits(), map.drums().hits()), notes(truth.bass().notes(), map.bass().notes()),
        notes(truth.melody().notes(), map.melody().notes()), sdr(referenceStems, estimatedStems));
  }

  static DrumScores drums(List<DrumHit> reference, List<DrumHit> estimate) {
    Map<DrumInstrument, PieceScores> by = DrumMetrics.byInstrument(reference, estimate, WINDOW);
    Scores pooled = DrumMetrics.pooled(by, POOLED);
    List<Double> errors = new ArrayList<>();
    for (DrumInstrument piece : POOLED) {
      double[] ref = times(reference, piece);
      double[] est = times(estimate, piece);
      for (int[] pair : OnsetMetrics.matchEvents(ref, est, WINDOW)) {
        errors.add((est[pair[1]] - ref[pair[0]]) * 1000);
      }
    }
    return new DrumScores(by, pooled, median(errors), diagnose(reference, estimate));
  }

  static DrumDiagnosis diagnose(List<DrumHit> reference, List<DrumHit> estimate) {
    DrumDiagnosis d = DrumDiagnosis.empty();
    Map<DrumInstrument, boolean[]> refFound = new EnumMap<>(DrumInstrument.class);
    Map<DrumInstrument, boolean[]> estMatched = new EnumMap<>(DrumInstrument.class);
    for (DrumInstrument piece : DrumInstrument.values()) {
      double[] ref = times(reference, piece);
      double[] est = times(estimate, piece);
      boolean[] found = new boolean[ref.length];
      boolean[] matched = new boolean[est.length];
      for (int[] pair : OnsetMetrics.matchEvents(ref, est, WINDOW)) {
        found[pair[0]] = true;
        matched[pair[1]] = true;
      }
      refFound.put(piece, found);
      estMatched.put(piece, matched);
    }
    for (DrumInstrument piece : DrumInstrument.values()) {
      double[] ref = times(reference, piece);
      boolean[] found = refFound.get(piece);
      for (int i = 0; i < ref.length; i++) {
        if (found[i]) {
          d.outcome().get(piece)[DrumDiagnosis.FOUND]++;
          continue;
        }
        DrumInstrument confusedWith = null;
        double nearest = Double.MAX_VALUE;
        boolean nearMatched = false;
        for (DrumInstrument other : DrumInstrument.values()) {
          if (other == piece) {
            continue;
          }
          double[] est = times(estimate, other);
          boolean[] matched = estMatched.get(other);
          for (int j = 0; j < est.length; j++) {
            double dt = Math.abs(est[j] - ref[i]);
            if (dt > WINDOW) {
              continue;
            }
            if (matched[j]) {
              nearMatched = true;
            } else if (dt < nearest) {
              nearest = dt;
              confusedWith = other;
            }
          }
        }
        if (confusedWith != null) {
          d.outcome().get(piece)[DrumDiagnosis.CONFUSED]++;
          d.takenFor().get(piece).merge(confusedWith, 1, Integer::sum);
        } else if (nearMatched) {
          d.outcome().get(piece)[DrumDiagnosis.MASKED]++;
        } else {
          d.outcome().get(piece)[DrumDiagnosis.MISSED]++;
        }
      }
    }
    for (DrumHit e : estimate) {
      boolean nearAny = reference.stream().anyMatch(r -> Math.abs(r.time() - e.time()) <= WINDOW);
      if (!nearAny) {
        d.spurious().merge(e.instrument(), 1, Integer::sum);
      }
    }
    return d;
  }

  static NoteScoresSummary notes(List<Note> reference, List<Note> estimate) {
    NoteSet ref = NoteSet.of(reference);
    NoteSet est = NoteSet.of(estimate);
    Criteria criteria = Criteria.defaults();
    NoteScores withOffsets = TranscriptionMetrics.precisionRecallF1Overlap(ref, est, criteria);
    NoteScores noOffsets = TranscriptionMetrics.precisionRecallF1Overlap(ref, est, criteria.ignoringOffsets());
    Scores onsets = TranscriptionMetrics.onsetPrecisionRecallF1(ref, est, criteria.onsetTolerance());
    List<Double> errors = new ArrayList<>();
    List<Double> offsetErrors = new ArrayList<>();
    if (ref.size() > 0 && est.size() > 0) {
      for (int[] pair : TranscriptionMetrics.matchNotes(ref, est, criteria.ignoringOffsets())) {
        errors.add((est.onsets()[pair[1]] - ref.onsets()[pair[0]]) * 1000);
        offsetErrors.add((est.offsets()[pair[1]] - ref.offsets()[pair[0]]) * 1000);
      }
    }
    int right = 0;
    int octave = 0;
    int other = 0;
    if (ref.size() > 0 && est.size() > 0) {
      Criteria anyPitch = new Criteria(criteria.onsetTolerance(), Double.MAX_VALUE, null, criteria.offsetMinTolerance());
      for (int[] pair : TranscriptionMetrics.matchNotes(ref, est, anyPitch)) {
        double semitones = 12 * Math.log(est.pitchesHz()[pair[1]] / ref.pitchesHz()[pair[0]]) / Math.log(2);
        double fromOctave = Math.abs(Math.abs(semitones) - 12 * Math.round(Math.abs(semitones) / 12));
        if (Math.abs(semitones) <= 0.5) {
          right++;
        } else if (fromOctave <= 0.5) {
          octave++;
        } else {
          other++;
        }
      }
    }
    return new NoteScoresSummary(withOffsets, noOffsets, onsets, ref.size(), est.size(), median(errors),
        median(offsetErrors), new PitchErrors(right, octave, other));
  }

  /**
   * SDR of the separated stems against the renders they should contain. The generator's melody
   * (and pads) have no stem of their own in a four-stem separation: they are compared with vocals
   * plus other, the audio the melody transcription listens to.
   */
  static Map<String, Double> sdr(Map<String, PcmAudio> reference, Map<String, PcmAudio> estimated) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (estimated.isEmpty()) {
      return out;
    }
    for (String stem : List.of("drums", "bass")) {
      if (reference.containsKey(stem) && estimated.containsKey(stem)) {
        out.put(stem, Sdr.sdr(reference.get(stem).samples(), estimated.get(stem).samples()));
      }
    }
    List<PcmAudio> melodic = new ArrayList<>();
    for (String stem : List.of("melody", "other")) {
      if (reference.containsKey(stem)) {
        melodic.add(reference.get(stem));
      }
    }
    if (!melodic.isEmpty() && estimated.containsKey("vocals") && estimated.containsKey("other")) {
      out.put("melody", Sdr.sdr(sum(melodic), sum(List.of(estimated.get("vocals"), estimated.get("other")))));
    }
    return out;
  }

  /**
   * SDR of {@code stem} over consecutive windows of {@code seconds}: shows whether separation is
   * worse in some parts of a long song (for instance where segments are joined).
   */
  static List<Double> sdrOverTime(Map<String, PcmAudio> reference, Map<String, PcmAudio> estimated, String stem,
      double seconds) {
    List<Double> out = new ArrayList<>();
    PcmAudio ref = reference.get(stem);
    PcmAudio est = estimated.get(stem);
    if (ref == null || est == null) {
      return out;
    }
    int window = (int) Math.round(seconds * ref.sampleRate());
    int frames = Math.min(ref.frames(), est.frames());
    for (int start = 0; start + window / 2 <= frames; start += window) {
      int end = Math.min(frames, start + window);
      float[][] r = new float[ref.channels()][];
      float[][] e = new float[ref.channels()][];
      for (int c = 0; c < ref.channels(); c++) {
        r[c] = Arrays.copyOfRange(ref.channel(c), start, end);
        e[c] = Arrays.copyOfRange(est.channel(Math.min(c, est.channels() - 1)), start, end);
      }
      out.add(Sdr.sdr(r, e));
    }
    return out;
  }

  private static float[][] sum(List<PcmAudio> parts) {
    int channels = parts.get(0).channels();
    int frames = parts.stream().mapToInt(PcmAudio::frames).min().orElse(0);
    float[][] out = new float[channels][frames];
    for (PcmAudio p : parts) {
      for (int c = 0; c < channels; c++) {
        float[] src = p.channel(Math.min(c, p.channels() - 1));
        for (int i = 0; i < frames; i++) {
          out[c][i] += src[i];
        }
      }
    }
    return out;
  }

  static double[] times(List<DrumHit> hits, DrumInstrument piece) {
    return hits.stream().filter(h -> h.instrument() == piece).mapToDouble(DrumHit::time).sorted().toArray();
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}

package io.songmap.audio.drums;

import static io.songmap.audio.songmap.DrumInstrument.HIHAT;
import static io.songmap.audio.songmap.DrumInstrument.KICK;
import static io.songmap.audio.songmap.DrumInstrument.RIDE;
import static io.songmap.audio.songmap.DrumInstrument.SNARE;
import static io.songmap.audio.songmap.DrumInstrument.TOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.audio.drums.HighBandCheck.Level;
import io.songmap.audio.drums.HighBandCheck.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HighBandCheckTest {

  private static final int SR = 44_100;

  // scores in the model's order: SD, HH, KD, RC, TT, CC
  private static final float[] HIHAT_ALONE = {0.01f, 0.9f, 0.02f, 0, 0.05f, 0};
  private static final float[] KICK_ALONE = {0.05f, 0.1f, 0.8f, 0, 0.1f, 0};
  private static final float[] SNARE_ALONE = {0.9f, 0.2f, 0.05f, 0, 0.1f, 0};
  private static final float[] TOM_KICKISH = {0.2f, 0.1f, 0.3f, 0, 0.7f, 0};
  private static final float[] TOM_SNAREISH = {0.4f, 0.1f, 0.3f, 0, 0.7f, 0};
  private static final float[] KICK_AND_TOM = {0.1f, 0.1f, 0.8f, 0, 0.7f, 0};
  private static final float[] RIDE_ALONE = {0.1f, 0.1f, 0.1f, 0.9f, 0.1f, 0};

  private final List<float[]> scores = new ArrayList<>();
  private final List<Level> levels = new ArrayList<>();

  private void onset(float[] score, double atDb, double riseDb) {
    scores.add(score);
    levels.add(new Level(atDb, atDb - riseDb));
  }

  private Outcome refine() {
    float[] flat = new float[scores.size() * 6];
    for (int i = 0; i < scores.size(); i++) {
      System.arraycopy(scores.get(i), 0, flat, i * 6, 6);
    }
    return HighBandCheck.refine(flat, levels);
  }

  /** Five hi-hats alone at 0, 1, 2, -1, -2 dB: the reference (their median) is 0 dB. */
  private void calibration() {
    for (double db : new double[] {0, 1, 2, -1, -2}) {
      onset(HIHAT_ALONE, db, 20);
    }
  }

  @Test
  void aBrightKickOrSnareGetsTheHiHatTheCnnMissed() {
    calibration();
    onset(KICK_ALONE, -5, 10);
    onset(SNARE_ALONE, 3, 10);
    Outcome out = refine();
    assertThat(out.referenceDb()).isEqualTo(0);
    assertThat(out.hits().subList(5, 7)).containsExactly(List.of(HIHAT, KICK), List.of(SNARE, HIHAT));
    assertThat(out.hiHatsAdded()).isEqualTo(2);
    assertThat(out.tomsReassigned()).isZero();
  }

  @Test
  void darkOrRingingOnsetsKeepTheCnnReading() {
    calibration();
    onset(KICK_ALONE, -7, 10); // below the reference minus 6 dB
    onset(SNARE_ALONE, 0, 2); // bright, but the band only rose 2 dB: a cymbal still ringing
    onset(TOM_KICKISH, -20, 10);
    Outcome out = refine();
    assertThat(out.hits().subList(5, 8)).containsExactly(List.of(KICK), List.of(SNARE), List.of(TOM));
    assertThat(out.hiHatsAdded()).isZero();
  }

  @Test
  void aBrightTomWithoutKickOrSnareIsTheMoreLikelyOfThemWithAHiHat() {
    calibration();
    onset(TOM_KICKISH, 0, 10);
    onset(TOM_SNAREISH, 0, 10);
    onset(KICK_AND_TOM, 0, 10);
    Outcome out = refine();
    assertThat(out.hits().subList(5, 8))
        .containsExactly(List.of(HIHAT, KICK), List.of(SNARE, HIHAT), List.of(HIHAT, KICK, TOM));
    assertThat(out.tomsReassigned()).isEqualTo(2);
    assertThat(out.hiHatsAdded()).isEqualTo(3);
  }

  @Test
  void cymbalsAndHiHatsAreLeftAlone() {
    calibration();
    onset(RIDE_ALONE, 0, 10);
    Outcome out = refine();
    assertThat(out.hits()).allMatch(h -> h.equals(List.of(HIHAT)) || h.equals(List.of(RIDE)));
    assertThat(out.hits().get(5)).containsExactly(RIDE);
  }

  @Test
  void withoutEnoughHiHatsAloneThereIsNoReferenceAndNothingChanges() {
    for (int i = 0; i < HighBandCheck.MIN_REFERENCE - 1; i++) {
      onset(HIHAT_ALONE, 0, 20);
    }
    onset(KICK_ALONE, 0, 20);
    Outcome out = refine();
    assertThat(out.calibrated()).isFalse();
    assertThat(out.hits().get(HighBandCheck.MIN_REFERENCE - 1)).containsExactly(KICK);
  }

  @Test
  void scoresAndLevelsMustAgree() {
    onset(KICK_ALONE, 0, 0);
    assertThatThrownBy(() -> HighBandCheck.refine(new float[12], levels)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theLevelRisesAtAHighOnsetAndNotAtALowOne() {
    float[] high = new float[SR];
    float[] low = new float[SR];
    Random random = new Random(7);
    int onset = SR / 2;
    for (int i = onset; i < SR; i++) {
      high[i] = (float) (0.3 * Math.sin(2 * Math.PI * 11_000 * i / SR) + 1e-4 * random.nextGaussian());
      low[i] = (float) (0.3 * Math.sin(2 * Math.PI * 80 * i / SR) + 1e-4 * random.nextGaussian());
    }
    Level atHigh = HighBandCheck.level(high, SR, onset);
    Level atLow = HighBandCheck.level(low, SR, onset);
    assertThat(atHigh.rise()).isGreaterThan(60);
    // an 80 Hz tone leaves the band at the noise floor: far below the 11 kHz tone of the same amplitude
    assertThat(atHigh.at() - atLow.at()).isGreaterThan(40);
    // before the onset both signals are silent
    assertThat(atHigh.before()).isLessThan(-100);
  }

  @Test
  void onlySignalsThatHoldTheBandAreChecked() {
    assertThat(HighBandCheck.applies(44_100)).isTrue();
    assertThat(HighBandCheck.applies(22_050)).isFalse();
  }
}

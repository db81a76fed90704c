package io.songmap.audio.drums;

import static io.songmap.audio.songmap.DrumInstrument.CRASH;
import static io.songmap.audio.songmap.DrumInstrument.HIHAT;
import static io.songmap.audio.songmap.DrumInstrument.KICK;
import static io.songmap.audio.songmap.DrumInstrument.RIDE;
import static io.songmap.audio.songmap.DrumInstrument.SNARE;
import static io.songmap.audio.songmap.DrumInstrument.TOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.songmap.audio.drums.BandCheck.Level;
import io.songmap.audio.drums.BandCheck.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BandCheckTest {

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

  /**
   * An onset whose high band is at {@code atDb} after rising {@code riseDb}; its low band at {@code lowDb};
   * a third of a second later the high band has died away.
   */
  private void onset(float[] score, double atDb, double riseDb, double lowDb) {
    ringing(score, atDb, riseDb, lowDb, -100);
  }

  /** An onset as above whose high band is still at {@code ringingDb} a third of a second later. */
  private void ringing(float[] score, double atDb, double riseDb, double lowDb, double ringingDb) {
    scores.add(score);
    levels.add(new Level(atDb, atDb - riseDb, lowDb, ringingDb));
  }

  /** An onset with the low band at the kick reference of {@link #kicks()} minus 8 dB (neither deep nor shallow). */
  private void onset(float[] score, double atDb, double riseDb) {
    onset(score, atDb, riseDb, -8);
  }

  /** Four kicks alone, not bright, low band at -2, 0, 0, 0 dB: the kick reference (upper quartile) is 0 dB. */
  private void kicks() {
    for (double db : new double[] {-2, 0, 0, 0}) {
      onset(KICK_ALONE, -40, 0, db);
    }
  }

  private Outcome refine() {
    float[] flat = new float[scores.size() * 6];
    for (int i = 0; i < scores.size(); i++) {
      System.arraycopy(scores.get(i), 0, flat, i * 6, 6);
    }
    return BandCheck.refine(flat, levels);
  }

  /** Five hi-hats alone at 0, 1, 2, -1, -2 dB, low band -30 dB: the hi-hat reference (their median) is 0 dB. */
  private void calibration() {
    for (double db : new double[] {0, 1, 2, -1, -2}) {
      onset(HIHAT_ALONE, db, 20, -30);
    }
  }

  @Test
  void aBrightKickOrSnareGetsTheHiHatTheCnnMissed() {
    calibration();
    onset(KICK_ALONE, -5, 10);
    onset(SNARE_ALONE, 3, 10);
    Outcome out = refine();
    assertThat(out.hiHatReferenceDb()).isEqualTo(0);
    assertThat(out.kickReferenceDb()).isNaN();
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
  void aFreshBrightStrikeThatStillRingsIsACrash() {
    calibration();
    ringing(KICK_ALONE, 0, 20, -8, -2); // the band check would add a hi-hat; it rings: a crash
    ringing(SNARE_ALONE, 2, 20, -8, 1);
    ringing(HIHAT_ALONE, -3, 20, -30, -5);
    Outcome out = refine();
    assertThat(out.hits().subList(5, 8)).containsExactly(List.of(KICK, CRASH), List.of(SNARE, CRASH), List.of(CRASH));
    assertThat(out.crashesFound()).isEqualTo(3);
    assertThat(out.hiHatsAdded()).isZero();
    assertThat(out.summary()).startsWith("added 0 hi-hats").contains("found 3 crashes");
  }

  @Test
  void aHiHatUnderARingingCrashOrOneThatDiesAwayStaysAHiHat() {
    calibration();
    ringing(HIHAT_ALONE, 0, 4, -30, 0); // rose only 4 dB over a crash still ringing
    ringing(KICK_ALONE, 0, 20, -8, -7); // a third of a second later, more than 6 dB under the reference
    ringing(HIHAT_ALONE, -7, 20, -30, -7); // not bright
    Outcome out = refine();
    assertThat(out.hits().subList(5, 8)).containsExactly(List.of(HIHAT), List.of(HIHAT, KICK), List.of(HIHAT));
    assertThat(out.crashesFound()).isZero();
  }

  @Test
  void theRingingLevelFollowsTheBandAThirdOfASecondLater() {
    float[] rings = new float[SR];
    float[] stops = new float[SR];
    int onset = SR / 4;
    for (int i = onset; i < SR; i++) {
      float tone = (float) (0.3 * Math.sin(2 * Math.PI * 11_000 * i / SR));
      rings[i] = tone;
      stops[i] = i < onset + SR / 20 ? tone : 0; // 50 ms
    }
    Level ring = BandCheck.level(rings, SR, onset);
    Level stop = BandCheck.level(stops, SR, onset);
    assertThat(ring.highRinging()).isCloseTo(ring.high(), within(1.0));
    assertThat(stop.high() - stop.highRinging()).isGreaterThan(60);
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
  void withoutEnoughHiHatsAloneOrKicksThereIsNoReferenceAndNothingChanges() {
    for (int i = 0; i < BandCheck.MIN_REFERENCE - 1; i++) {
      onset(HIHAT_ALONE, 0, 20);
    }
    onset(KICK_ALONE, 0, 20, -50);
    onset(SNARE_ALONE, 0, 20, 0);
    Outcome out = refine();
    assertThat(out.hiHatReferenceDb()).isNaN();
    assertThat(out.kickReferenceDb()).isNaN();
    assertThat(out.summary()).startsWith("no reference");
    assertThat(out.hits().subList(3, 5)).containsExactly(List.of(KICK), List.of(SNARE));
  }

  @Test
  void aKickWithoutTheSongsThumpIsDroppedWhenSomethingElseExplainsTheOnset() {
    calibration();
    kicks();
    onset(KICK_ALONE, 0, 10, -11); // shallow and bright: a hi-hat the CNN took for a kick
    onset(new float[] {0.9f, 0.1f, 0.8f, 0, 0, 0}, -40, 0, -11); // shallow, with a snare: the snare alone
    onset(KICK_ALONE, -40, 0, -11); // shallow, but nothing else there: the kick stays
    onset(KICK_ALONE, 0, 10, -9); // bright, but not shallow: the kick stays, with a hi-hat
    Outcome out = refine();
    assertThat(out.kickReferenceDb()).isEqualTo(0);
    assertThat(out.hits().subList(9, 13))
        .containsExactly(List.of(HIHAT), List.of(SNARE), List.of(KICK), List.of(HIHAT, KICK));
    assertThat(out.kicksDropped()).isEqualTo(2);
  }

  @Test
  void aSnareWithTheSongsThumpGetsAKick() {
    calibration();
    kicks();
    onset(SNARE_ALONE, -40, 0, -5); // deep
    onset(SNARE_ALONE, -40, 0, -7); // not deep
    Outcome out = refine();
    assertThat(out.hits().subList(9, 11)).containsExactly(List.of(SNARE, KICK), List.of(SNARE));
    assertThat(out.kicksAdded()).isEqualTo(1);
    assertThat(out.summary())
        .isEqualTo("added 0 hi-hats and 1 kicks, dropped 0 kicks, took 0 toms for kick or snare, found 0 crashes");
  }

  @Test
  void theKickReferenceIsTheUpperQuartile() {
    assertThat(BandCheck.percentile(new double[] {-2, 0, 0, 0}, 75)).isEqualTo(0);
    assertThat(BandCheck.percentile(new double[] {4, 1, 3, 2, 5}, 75)).isEqualTo(4);
    assertThat(BandCheck.percentile(new double[] {1, 2}, 75)).isEqualTo(1.75);
    assertThat(BandCheck.percentile(new double[] {3, 1, 2}, 50)).isEqualTo(2);
  }

  @Test
  void scoresAndLevelsMustAgree() {
    onset(KICK_ALONE, 0, 0);
    assertThatThrownBy(() -> BandCheck.refine(new float[12], levels)).isInstanceOf(IllegalArgumentException.class);
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
    Level atHigh = BandCheck.level(high, SR, onset);
    Level atLow = BandCheck.level(low, SR, onset);
    assertThat(atHigh.rise()).isGreaterThan(60);
    // an 80 Hz tone leaves the high band at the noise floor, an 11 kHz tone the low band
    assertThat(atHigh.high() - atLow.high()).isGreaterThan(40);
    assertThat(atLow.low() - atHigh.low()).isGreaterThan(40);
    // before the onset both signals are silent
    assertThat(atHigh.highBefore()).isLessThan(-100);
  }

  @Test
  void onlySignalsThatHoldTheBandAreChecked() {
    assertThat(BandCheck.applies(44_100)).isTrue();
    assertThat(BandCheck.applies(22_050)).isFalse();
  }
}

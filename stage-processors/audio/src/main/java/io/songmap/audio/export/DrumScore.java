package io.songmap.audio.export;

import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.SongMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Drum hits quantized to a 4/4 beat grid. Each beat is written either in sixteenths or in eighth
 * triplets, whichever places its hits closer to where they were played (triplets only when they fit
 * clearly better, so a slightly late sixteenth stays a sixteenth). Positions are in divisions of
 * {@value #DIVISIONS} per quarter note, which expresses both grids.
 */
public record DrumScore(int measureCount, double firstBeat, List<Measure> measures) {

    public static final int DIVISIONS = 12;
    public static final int BEATS_PER_MEASURE = 4;
    public static final int MEASURE_DIVISIONS = DIVISIONS * BEATS_PER_MEASURE;
    private static final int SIXTEENTHS = 4;
    private static final int TRIPLETS = 3;
    /** A beat is written in triplets only when their total timing error is under this share of the sixteenths' error. */
    private static final double TRIPLET_PREFERENCE = 0.5;

    /** One 4/4 bar: for each beat whether it is in triplets, and the struck kit pieces by position. */
    public record Measure(boolean[] tripletBeats, Map<Integer, List<DrumKit>> hitsByPosition) {

        public boolean isTriplet(int beat) {
            return tripletBeats[beat];
        }

        /** The positions (in divisions from the bar line) where the given voice plays, with its pieces. */
        public TreeMap<Integer, List<DrumKit>> voice(DrumKit.Voice voice) {
            TreeMap<Integer, List<DrumKit>> out = new TreeMap<>();
            hitsByPosition.forEach((position, kits) -> {
                List<DrumKit> own = kits.stream().filter(k -> k.voice == voice).toList();
                if (!own.isEmpty()) {
                    out.put(position, own);
                }
            });
            return out;
        }
    }

    public static DrumScore quantize(SongMap map) {
        BeatGrid grid = BeatGrid.of(map.tempo());
        List<DrumHit> hits = map.drums().hits();

        // Each hit belongs to the beat whose grid it lands on: up to an eighth of a beat early still counts.
        TreeMap<Integer, List<Double>> offsetsByBeat = new TreeMap<>();
        TreeMap<Integer, List<DrumHit>> hitsByBeat = new TreeMap<>();
        for (DrumHit hit : hits) {
            double x = grid.beatAt(hit.time());
            int beat = (int) Math.floor(x + 1.0 / 8);
            offsetsByBeat.computeIfAbsent(beat, b -> new ArrayList<>()).add(x - beat);
            hitsByBeat.computeIfAbsent(beat, b -> new ArrayList<>()).add(hit);
        }

        int minBeat = offsetsByBeat.isEmpty() ? 0 : Math.min(0, offsetsByBeat.firstKey());
        int origin = Math.floorDiv(minBeat, BEATS_PER_MEASURE) * BEATS_PER_MEASURE;
        double endBeat = grid.beatAt(map.durationSeconds());
        int lastBeat = offsetsByBeat.isEmpty() ? 0 : offsetsByBeat.lastKey();
        int measureCount = Math.max(1, Math.max(
                (int) Math.ceil((endBeat - origin - 1e-6) / BEATS_PER_MEASURE),
                Math.floorDiv(lastBeat - origin, BEATS_PER_MEASURE) + 1));

        List<boolean[]> triplets = new ArrayList<>();
        List<TreeMap<Integer, TreeSet<DrumKit>>> positions = new ArrayList<>();
        for (int m = 0; m < measureCount; m++) {
            triplets.add(new boolean[BEATS_PER_MEASURE]);
            positions.add(new TreeMap<>());
        }
        for (Map.Entry<Integer, List<Double>> entry : offsetsByBeat.entrySet()) {
            int beat = entry.getKey();
            List<Double> offsets = entry.getValue();
            boolean triplet = errorOnGrid(offsets, TRIPLETS) < TRIPLET_PREFERENCE * errorOnGrid(offsets, SIXTEENTHS);
            int measure = Math.floorDiv(beat - origin, BEATS_PER_MEASURE);
            int beatInMeasure = beat - origin - measure * BEATS_PER_MEASURE;
            triplets.get(measure)[beatInMeasure] = triplet;
            int slots = triplet ? TRIPLETS : SIXTEENTHS;
            List<DrumHit> beatHits = hitsByBeat.get(beat);
            for (int i = 0; i < offsets.size(); i++) {
                int slot = Math.min(slots - 1, Math.max(0, (int) Math.round(offsets.get(i) * slots)));
                int position = beatInMeasure * DIVISIONS + slot * (DIVISIONS / slots);
                positions.get(measure).computeIfAbsent(position, p -> new TreeSet<>())
                        .add(DrumKit.of(beatHits.get(i).instrument()));
            }
        }

        List<Measure> measures = new ArrayList<>();
        for (int m = 0; m < measureCount; m++) {
            Map<Integer, List<DrumKit>> byPosition = new TreeMap<>();
            positions.get(m).forEach((position, kits) -> byPosition.put(position, List.copyOf(kits)));
            measures.add(new Measure(triplets.get(m), byPosition));
        }
        return new DrumScore(measureCount, origin, List.copyOf(measures));
    }

    private static double errorOnGrid(List<Double> offsets, int slotsPerBeat) {
        double error = 0;
        for (double offset : offsets) {
            error += Math.abs(offset - Math.round(offset * slotsPerBeat) / (double) slotsPerBeat);
        }
        return error;
    }
}

package io.songmap.audio.songmap;

import io.songmap.audio.notes.Note;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A small, complete Song Map for tests of the JSON and the exports. */
public final class SongMapFixtures {

    public static final String SHA = "a".repeat(64);

    private SongMapFixtures() {}

    public static SongMap twoBarsAt120() {
        List<Double> beats = List.of(0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5);
        List<DrumHit> hits = List.of(
                new DrumHit(0.0, DrumInstrument.KICK, 110),
                new DrumHit(0.0, DrumInstrument.CRASH, 100),
                new DrumHit(0.25, DrumInstrument.HIHAT, 80),
                new DrumHit(0.5, DrumInstrument.SNARE, 105),
                new DrumHit(0.5, DrumInstrument.HIHAT, 80),
                new DrumHit(0.75, DrumInstrument.HIHAT, 80),
                new DrumHit(1.0, DrumInstrument.KICK, 110),
                new DrumHit(1.0, DrumInstrument.HIHAT, 80),
                new DrumHit(1.5, DrumInstrument.SNARE, 105),
                new DrumHit(2.0, DrumInstrument.RIDE, 90),
                new DrumHit(2.0, DrumInstrument.KICK, 110),
                new DrumHit(3.0, DrumInstrument.TOM, 100),
                new DrumHit(3.5, DrumInstrument.SNARE, 100));
        List<Note> bass = List.of(new Note(0.0, 0.45, 36, 100), new Note(0.5, 0.95, 43, 96), new Note(1.0, 1.9, 41, 90));
        List<Note> melody = List.of(new Note(0.0, 0.5, 72, 80), new Note(0.5, 1.0, 74, 82), new Note(1.0, 2.0, 76, 85));
        return SongMap.of("job-1", new SongMap.Source("song.mp3", SHA), Instant.parse("2026-11-23T18:00:00Z"), 4.0,
                new SongMap.Tempo(120.0, beats), new SongMap.Drums(hits), new SongMap.NoteTrack(bass),
                new SongMap.NoteTrack(melody),
                SongMap.Lyrics.transcribed(List.of(new SongMap.Word(0.1, 0.4, "hello"), new SongMap.Word(0.5, 0.9, "world"))),
                new SongMap.Stems(new SongMap.ArtifactRef("artifact://t/job-1/stems/drums.wav", SHA),
                        new SongMap.ArtifactRef("artifact://t/job-1/stems/bass.wav", SHA),
                        new SongMap.ArtifactRef("artifact://t/job-1/stems/other.wav", SHA),
                        new SongMap.ArtifactRef("artifact://t/job-1/stems/vocals.wav", SHA)),
                Map.of("separate", new SongMap.ModelRef("htdemucs", "4"),
                        "melody_bass", new SongMap.ModelRef("basic_pitch", "icassp_2022")));
    }
}

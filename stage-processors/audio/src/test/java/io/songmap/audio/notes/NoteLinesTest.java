package io.songmap.audio.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NoteLinesTest {

    @Test
    void skylineKeepsTheHighestNoteAtEveryMoment() {
        List<Note> chordsAndTune = List.of(
                new Note(0.0, 1.0, 60, 80), new Note(0.0, 1.0, 64, 80), new Note(0.0, 0.5, 72, 90),
                new Note(0.5, 1.0, 74, 90), new Note(1.0, 2.0, 65, 80), new Note(1.2, 1.6, 77, 90));

        assertThat(NoteLines.skyline(chordsAndTune)).containsExactly(
                new Note(0.0, 0.5, 72, 90), new Note(0.5, 1.0, 74, 90), new Note(1.0, 1.2, 65, 80),
                new Note(1.2, 1.6, 77, 90));
    }

    @Test
    void bassKeepsNotesUpToTheCeilingAndOptionallyOnlyTheLowestLine() {
        List<Note> notes = List.of(new Note(0.0, 1.0, 36, 100), new Note(0.0, 1.0, 48, 60),
                new Note(0.5, 1.5, 64, 70), new Note(1.0, 2.0, 38, 100), new Note(1.02, 1.5, 33, 90));

        assertThat(NoteLines.bass(notes, NoteLines.BASS_CEILING_MIDI, false)).extracting(Note::midi)
                .containsExactly(36, 48, 38, 33);
        // The 38 is cut after 20 ms by the lower 33: too short to keep.
        assertThat(NoteLines.bass(notes, NoteLines.BASS_CEILING_MIDI, true)).containsExactly(
                new Note(0.0, 1.0, 36, 100), new Note(1.02, 1.5, 33, 90));
    }

    @Test
    void aNoteMuchQuieterThanTheLineAroundItIsDropped() {
        List<Note> line = List.of(new Note(0.0, 0.4, 72, 100), new Note(0.5, 0.9, 74, 96), new Note(1.0, 1.2, 50, 60),
                new Note(1.5, 1.9, 76, 104), new Note(2.0, 2.4, 77, 80));

        // median velocity 96: 60 is under 0.8 of it, 80 is not
        assertThat(NoteLines.withoutQuiet(line, 0.8, 10)).extracting(Note::velocity).containsExactly(100, 96, 104, 80);
    }

    @Test
    void aQuietPassageKeepsItsNotesBesideALoudOne() {
        List<Note> line = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            line.add(new Note(i, i + 0.5, 70, i < 30 ? 40 : 100));
        }
        assertThat(NoteLines.withoutQuiet(line, 0.8, 10)).hasSize(60);
        // over the whole song (median 70) the quiet half would go
        assertThat(NoteLines.withoutQuiet(line, 0.8, 100)).hasSize(30);
        assertThat(NoteLines.withoutQuiet(List.of(), 0.8, 10)).isEmpty();
        assertThatThrownBy(() -> NoteLines.withoutQuiet(line, 0.8, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}

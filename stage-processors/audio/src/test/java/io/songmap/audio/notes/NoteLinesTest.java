package io.songmap.audio.notes;

import static org.assertj.core.api.Assertions.assertThat;

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
}

package io.songmap.audio.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.songmap.SongMapFixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiFileFormat;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MidiExportTest {

    private byte[] bytes;
    private Sequence sequence;

    @BeforeEach
    void writeAndReadBack() throws Exception {
        bytes = new MidiExport().write(SongMapFixtures.twoBarsAt120());
        sequence = MidiSystem.getSequence(new ByteArrayInputStream(bytes));
    }

    @Test
    void isAFormat1FileWithATempoTrackAndThreeParts() throws Exception {
        MidiFileFormat format = MidiSystem.getMidiFileFormat(new ByteArrayInputStream(bytes));

        assertThat(format.getType()).isEqualTo(1);
        assertThat(sequence.getDivisionType()).isEqualTo(Sequence.PPQ);
        assertThat(sequence.getResolution()).isEqualTo(480);
        assertThat(sequence.getTracks()).hasSize(4);
        assertThat(List.of(sequence.getTracks()).stream().map(MidiExportTest::name))
                .containsExactly("Songmap", "Drums", "Bass", "Melody");
    }

    @Test
    void tempoTrackCarriesTheDetectedTempoIn4_4() {
        List<MetaMessage> metas = metas(sequence.getTracks()[0]);

        MetaMessage tempo = metas.stream().filter(m -> m.getType() == 0x51).findFirst().orElseThrow();
        byte[] d = tempo.getData();
        int micros = ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF);
        assertThat(micros).isEqualTo(500_000);
        MetaMessage signature = metas.stream().filter(m -> m.getType() == 0x58).findFirst().orElseThrow();
        assertThat(signature.getData()[0]).isEqualTo((byte) 4);
        assertThat(signature.getData()[1]).isEqualTo((byte) 2);
    }

    @Test
    void drumsPlayGeneralMidiKeysOnChannel10AtTheirTimes() {
        List<String> onsets = noteOns(sequence.getTracks()[1]);

        // 120 BPM at 480 ticks per quarter: 0.25 s = 240 ticks.
        assertThat(onsets).containsExactly(
                "9:36@0 v110", "9:49@0 v100", "9:42@240 v80", "9:38@480 v105", "9:42@480 v80", "9:42@720 v80",
                "9:36@960 v110", "9:42@960 v80", "9:38@1440 v105", "9:51@1920 v90", "9:36@1920 v110",
                "9:48@2880 v100", "9:38@3360 v100");
    }

    @Test
    void bassAndMelodyHaveTheirProgramsAndNoteLengths() {
        Track bass = sequence.getTracks()[2];
        Track melody = sequence.getTracks()[3];

        assertThat(programs(bass)).containsExactly("0:33");
        assertThat(programs(melody)).containsExactly("1:81");
        assertThat(noteOns(bass)).containsExactly("0:36@0 v100", "0:43@480 v96", "0:41@960 v90");
        assertThat(noteOffs(bass)).containsExactly("0:36@432", "0:43@912", "0:41@1824");
        assertThat(noteOns(melody)).containsExactly("1:72@0 v80", "1:74@480 v82", "1:76@960 v85");
    }

    @Test
    void aNoteOffAndTheNextNoteOnAtTheSameTickKeepTheNewNoteSounding() {
        List<String> events = new ArrayList<>();
        Track melody = sequence.getTracks()[3];
        for (int i = 0; i < melody.size(); i++) {
            if (melody.get(i).getTick() == 960 && melody.get(i).getMessage() instanceof ShortMessage m) {
                events.add(m.getCommand() == ShortMessage.NOTE_ON && m.getData2() > 0 ? "on" : "off");
            }
        }
        assertThat(events).containsExactly("off", "on");
    }

    private static String name(Track track) {
        return metas(track).stream().filter(m -> m.getType() == 0x03)
                .map(m -> new String(m.getData(), StandardCharsets.US_ASCII)).findFirst().orElse("");
    }

    private static List<MetaMessage> metas(Track track) {
        List<MetaMessage> metas = new ArrayList<>();
        for (int i = 0; i < track.size(); i++) {
            if (track.get(i).getMessage() instanceof MetaMessage m) {
                metas.add(m);
            }
        }
        return metas;
    }

    private static List<String> noteOns(Track track) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < track.size(); i++) {
            MidiEvent e = track.get(i);
            if (e.getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON && m.getData2() > 0) {
                out.add(m.getChannel() + ":" + m.getData1() + "@" + e.getTick() + " v" + m.getData2());
            }
        }
        return out;
    }

    private static List<String> noteOffs(Track track) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < track.size(); i++) {
            MidiEvent e = track.get(i);
            if (e.getMessage() instanceof ShortMessage m && (m.getCommand() == ShortMessage.NOTE_OFF
                    || (m.getCommand() == ShortMessage.NOTE_ON && m.getData2() == 0))) {
                out.add(m.getChannel() + ":" + m.getData1() + "@" + e.getTick());
            }
        }
        return out;
    }

    private static List<String> programs(Track track) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < track.size(); i++) {
            if (track.get(i).getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.PROGRAM_CHANGE) {
                out.add(m.getChannel() + ":" + m.getData1());
            }
        }
        return out;
    }
}

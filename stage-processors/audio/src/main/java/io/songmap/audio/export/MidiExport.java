package io.songmap.audio.export;

import io.songmap.audio.notes.Note;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.SongMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Writes a Song Map as a Standard MIDI File, format 1: a tempo track at the detected tempo (4/4),
 * the drums on channel 10 with General MIDI percussion keys, the bass and the melody on their own
 * channels and programs. Time zero is the start of the song; seconds map to ticks at the constant
 * tempo, so the file plays back in sync with the audio.
 */
public final class MidiExport {

    /** Settings of the MIDI file; programs are 0-based General MIDI program numbers. */
    public record Options(int ticksPerQuarter, int bassProgram, int melodyProgram, int drumNoteTicks) {
        public Options {
            if (ticksPerQuarter < 24 || ticksPerQuarter > 0x7FFF) {
                throw new IllegalArgumentException("ticksPerQuarter must be in 24..32767: " + ticksPerQuarter);
            }
            if (bassProgram < 0 || bassProgram > 127 || melodyProgram < 0 || melodyProgram > 127) {
                throw new IllegalArgumentException("programs must be in 0..127");
            }
            if (drumNoteTicks < 1) {
                throw new IllegalArgumentException("drumNoteTicks must be positive: " + drumNoteTicks);
            }
        }

        /** 480 ticks per quarter, Electric Bass (finger), Lead 2 (sawtooth), drum notes a 32nd long. */
        public static Options defaults() {
            return new Options(480, 33, 81, 60);
        }
    }

    public static final int DRUM_CHANNEL = 9;
    public static final int BASS_CHANNEL = 0;
    public static final int MELODY_CHANNEL = 1;

    private static final int META_TRACK_NAME = 0x03;
    private static final int META_TEMPO = 0x51;
    private static final int META_TIME_SIGNATURE = 0x58;

    private final Options options;

    public MidiExport(Options options) {
        this.options = options;
    }

    public MidiExport() {
        this(Options.defaults());
    }

    public byte[] write(SongMap map) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            MidiSystem.write(toSequence(map), 1, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public Sequence toSequence(SongMap map) {
        double bpm = map.tempo().bpm();
        double ticksPerSecond = bpm / 60.0 * options.ticksPerQuarter();
        try {
            Sequence sequence = new Sequence(Sequence.PPQ, options.ticksPerQuarter());

            Track tempo = sequence.createTrack();
            tempo.add(meta(META_TRACK_NAME, "Songmap".getBytes(StandardCharsets.US_ASCII), 0));
            int microsPerQuarter = (int) Math.round(60_000_000.0 / bpm);
            tempo.add(meta(META_TEMPO, new byte[] {
                    (byte) (microsPerQuarter >> 16), (byte) (microsPerQuarter >> 8), (byte) microsPerQuarter}, 0));
            // 4/4, 24 MIDI clocks per metronome click, 8 thirty-second notes per quarter.
            tempo.add(meta(META_TIME_SIGNATURE, new byte[] {4, 2, 24, 8}, 0));

            Track drums = sequence.createTrack();
            drums.add(meta(META_TRACK_NAME, "Drums".getBytes(StandardCharsets.US_ASCII), 0));
            List<DrumHit> hits = map.drums().hits();
            // Note-offs go in first so that, at equal ticks, an off never cuts the following on.
            for (DrumHit hit : hits) {
                long on = ticks(hit.time(), ticksPerSecond);
                drums.add(shortMessage(ShortMessage.NOTE_OFF, DRUM_CHANNEL, DrumKit.of(hit.instrument()).gmKey, 0,
                        on + options.drumNoteTicks()));
            }
            for (DrumHit hit : hits) {
                drums.add(shortMessage(ShortMessage.NOTE_ON, DRUM_CHANNEL, DrumKit.of(hit.instrument()).gmKey,
                        audible(hit.velocity()), ticks(hit.time(), ticksPerSecond)));
            }

            addNoteTrack(sequence, "Bass", BASS_CHANNEL, options.bassProgram(), map.bass().notes(), ticksPerSecond);
            addNoteTrack(sequence, "Melody", MELODY_CHANNEL, options.melodyProgram(), map.melody().notes(),
                    ticksPerSecond);
            return sequence;
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException("MIDI data out of range", e);
        }
    }

    private void addNoteTrack(Sequence sequence, String name, int channel, int program, List<Note> notes,
            double ticksPerSecond) throws InvalidMidiDataException {
        Track track = sequence.createTrack();
        track.add(meta(META_TRACK_NAME, name.getBytes(StandardCharsets.US_ASCII), 0));
        track.add(shortMessage(ShortMessage.PROGRAM_CHANGE, channel, program, 0, 0));
        for (Note note : notes) {
            long on = ticks(note.start(), ticksPerSecond);
            long off = Math.max(on + 1, ticks(note.end(), ticksPerSecond));
            track.add(shortMessage(ShortMessage.NOTE_OFF, channel, note.midi(), 0, off));
        }
        for (Note note : notes) {
            track.add(shortMessage(ShortMessage.NOTE_ON, channel, note.midi(), audible(note.velocity()),
                    ticks(note.start(), ticksPerSecond)));
        }
    }

    private static long ticks(double seconds, double ticksPerSecond) {
        return Math.round(seconds * ticksPerSecond);
    }

    /** A note-on with velocity 0 is a note-off, so the quietest hit still sounds at velocity 1. */
    private static int audible(int velocity) {
        return Math.max(1, Math.min(127, velocity));
    }

    private static MidiEvent meta(int type, byte[] data, long tick) throws InvalidMidiDataException {
        return new MidiEvent(new MetaMessage(type, data, data.length), tick);
    }

    private static MidiEvent shortMessage(int command, int channel, int data1, int data2, long tick)
            throws InvalidMidiDataException {
        return new MidiEvent(new ShortMessage(command, channel, data1, data2), tick);
    }
}

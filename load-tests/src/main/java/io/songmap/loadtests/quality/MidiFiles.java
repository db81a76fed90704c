package io.songmap.loadtests.quality;

import io.songmap.loadtests.quality.Composition.NoteEvent;
import io.songmap.loadtests.quality.Composition.Part;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/** Standard MIDI files (type 1) of a {@link Composition}: one per part, and one with every part. */
public final class MidiFiles {

  private static final int SET_TEMPO = 0x51;
  private static final int TIME_SIGNATURE = 0x58;
  private static final int TRACK_NAME = 0x03;
  private static final int VOLUME = 7;
  private static final int PAN = 10;

  private MidiFiles() {}

  public static void write(Composition song, List<Part> parts, Path file) throws IOException {
    try {
      MidiSystem.write(sequence(song, parts), 1, file.toFile());
    } catch (InvalidMidiDataException e) {
      throw new IllegalStateException("the composition holds an invalid MIDI event", e);
    }
  }

  /**
   * A tempo track and one track per part. Every track ends at the song's end plus two seconds, so
   * that a renderer that stops at the end of the file lets the last notes ring out.
   */
  static Sequence sequence(Composition song, List<Part> parts) throws InvalidMidiDataException {
    Timing timing = song.timing();
    Sequence sequence = new Sequence(Sequence.PPQ, timing.ticksPerQuarter());
    long end = song.endTick() + Math.round(2.0 / timing.ticksToSeconds(1));
    Track tempo = sequence.createTrack();
    int mpq = timing.microsPerQuarter();
    tempo.add(meta(SET_TEMPO, new byte[] {(byte) (mpq >> 16), (byte) (mpq >> 8), (byte) mpq}, 0));
    tempo.add(meta(TIME_SIGNATURE, new byte[] {4, 2, 24, 8}, 0));
    tempo.add(meta(0x2F, new byte[0], end));
    for (Part part : parts) {
      Track track = sequence.createTrack();
      int ch = part.channel();
      track.add(meta(TRACK_NAME, part.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0));
      if (!part.percussion()) {
        track.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, ch, part.program(), 0), 0));
      }
      track.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, ch, VOLUME, 100), 0));
      track.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, ch, PAN, part.pan()), 0));
      for (NoteEvent note : part.events()) {
        track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, ch, note.key(), note.velocity()), note.tick()));
        track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, ch, note.key(), 0), note.endTick()));
      }
      track.add(meta(0x2F, new byte[0], end));
    }
    return sequence;
  }

  private static MidiEvent meta(int type, byte[] data, long tick) throws InvalidMidiDataException {
    return new MidiEvent(new MetaMessage(type, data, data.length), tick);
  }
}

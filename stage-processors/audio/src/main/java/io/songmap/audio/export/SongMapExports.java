package io.songmap.audio.export;

import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapJson;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the package stage writes for one Song Map: the validated JSON, the MusicXML drum score,
 * the MIDI file and, where MuseScore is installed, the PDF of the drum score. An invalid map fails
 * with {@link io.songmap.audio.songmap.InvalidSongMapException} before anything is produced; a PDF
 * that cannot be engraved is left out with its reason, since the PDF is optional. Blocking (MuseScore
 * runs as a process): call it from a worker thread.
 */
public final class SongMapExports {

    /** The files of one packaged map; {@code pdf} is empty when {@code pdfSkippedReason} says why. */
    public record Files(byte[] songMapJson, byte[] musicXml, byte[] midi, Optional<byte[]> pdf,
            Optional<String> pdfSkippedReason) {}

    private final MidiExport midi;
    private final PdfRenderer pdf;
    private final Duration pdfTimeout;

    public SongMapExports(MidiExport midi, PdfRenderer pdf, Duration pdfTimeout) {
        this.midi = midi;
        this.pdf = pdf;
        this.pdfTimeout = pdfTimeout;
    }

    /** Default MIDI settings, MuseScore from the PATH when present, 60 s for the PDF. */
    public static SongMapExports withDefaults() {
        return new SongMapExports(new MidiExport(), PdfRenderer.detect(), Duration.ofSeconds(60));
    }

    public Files export(SongMap map) {
        byte[] json = SongMapJson.writeBytes(map);
        byte[] musicXml = MusicXmlDrumScore.write(map);
        byte[] midiFile = midi.write(map);
        if (!pdf.isAvailable()) {
            return new Files(json, musicXml, midiFile, Optional.empty(), pdf.unavailableReason());
        }
        try {
            return new Files(json, musicXml, midiFile, Optional.of(pdf.render(musicXml, pdfTimeout)), Optional.empty());
        } catch (IOException e) {
            return new Files(json, musicXml, midiFile, Optional.empty(), Optional.of(e.getMessage()));
        }
    }
}

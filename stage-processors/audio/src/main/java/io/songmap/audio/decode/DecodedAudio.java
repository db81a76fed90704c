package io.songmap.audio.decode;

import java.util.Objects;

/**
 * A decoded input: the audio at {@link AudioDecoder#OUTPUT_SAMPLE_RATE} in stereo, the SHA-256 of the
 * file's bytes (lower-case hex), and what the file was.
 */
public record DecodedAudio(PcmAudio audio, String sha256, SourceFormat source) {
    public DecodedAudio {
        Objects.requireNonNull(audio, "audio");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(source, "source");
    }
}

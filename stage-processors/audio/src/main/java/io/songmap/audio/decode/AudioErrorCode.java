package io.songmap.audio.decode;

/**
 * Why an input file could not become audio. Every code is non-retryable: the same bytes fail the same
 * way on every attempt, so a stage that sees one fails the job at once with the code as its reason.
 */
public enum AudioErrorCode {
    /** The file is empty, missing or cannot be read. */
    AUDIO_EMPTY,
    /** The bytes are not a recognisable media file, or the audio in it is damaged or cut short. */
    AUDIO_CORRUPT,
    /** The file has an audio stream whose codec no decoder here can read. */
    AUDIO_UNSUPPORTED_CODEC,
    /** The file is a readable container without any audio stream (video only, data only). */
    AUDIO_NO_STREAM,
    /** The decoded audio is shorter than the configured minimum (1 s by default). */
    AUDIO_TOO_SHORT,
    /** The audio is longer than the configured maximum (15 min by default). */
    AUDIO_TOO_LONG;

    /** Always false: decoding the same file again gives the same answer. */
    public boolean retryable() {
        return false;
    }
}

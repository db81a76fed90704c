package io.songmap.audio.decode;

/**
 * What the input file was, as FFmpeg read it.
 *
 * @param container       FFmpeg's demuxer name(s), e.g. {@code "mp3"}, {@code "mov,mp4,m4a,3gp,3g2,mj2"}
 * @param codec           the audio codec, e.g. {@code "mp3"}, {@code "aac"}, {@code "opus"}
 * @param sampleRate      the stream's own sample rate in Hz
 * @param channels        the stream's own channel count
 * @param declaredSeconds the duration the container declares, or {@code NaN} when it declares none
 */
public record SourceFormat(String container, String codec, int sampleRate, int channels, double declaredSeconds) {
}

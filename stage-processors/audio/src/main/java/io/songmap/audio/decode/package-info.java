/**
 * From an uploaded file to samples: {@link io.songmap.audio.decode.AudioDecoder} (FFmpeg through the
 * bytedeco bindings) gives {@link io.songmap.audio.decode.PcmAudio} at 44.1 kHz stereo, planar float,
 * with the file's SHA-256; failures are {@link io.songmap.audio.decode.AudioDecodeException}s carrying a
 * non-retryable {@link io.songmap.audio.decode.AudioErrorCode}. {@link io.songmap.audio.decode.Resampler}
 * converts to the rates the models want (22,050 Hz for basic-pitch, 16 kHz for ASR).
 */
package io.songmap.audio.decode;

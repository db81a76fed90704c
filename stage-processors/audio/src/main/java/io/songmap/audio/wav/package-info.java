/**
 * RIFF/WAVE files for stems and fixtures: a streaming {@link io.songmap.audio.wav.WavWriter} (16-bit PCM
 * or 32-bit float) and a whole-file {@link io.songmap.audio.wav.WavReader}.
 */
package io.songmap.audio.wav;

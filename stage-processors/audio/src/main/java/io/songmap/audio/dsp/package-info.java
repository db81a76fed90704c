/**
 * Pure-Java analysis of mono signals: {@link io.songmap.audio.dsp.Stft}, the spectral-flux
 * {@link io.songmap.audio.dsp.OnsetEnvelope}, the drum-stem {@link io.songmap.audio.dsp.OnsetDetector}
 * and the tempo and {@link io.songmap.audio.dsp.BeatTracker}. All of it is CPU-bound: run it on a worker
 * pool, not an event loop.
 */
package io.songmap.audio.dsp;

/**
 * Stage melody_bass, without I/O: Basic Pitch's reference windowing of 22,050 Hz audio, the stitching
 * of its per-window outputs and its note decoding, plus the bass and melody-line reductions.
 */
package io.songmap.audio.notes;

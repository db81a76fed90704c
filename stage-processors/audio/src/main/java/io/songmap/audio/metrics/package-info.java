/**
 * Quality metrics compatible with mir_eval (onset F-measure; note precision, recall, F-measure and
 * overlap ratio with and without offsets) and an energy-ratio SDR for separated stems.
 */
package io.songmap.audio.metrics;

/**
 * Stage package exports: the MusicXML 4.0 drum score (quantized to the beat grid), the Standard MIDI
 * file, and the optional PDF engraved by MuseScore.
 */
package io.songmap.audio.export;

/**
 * The Song Map ({@code songmap/v1}): records for everything the pipeline finds in a song, and its JSON
 * form, validated against {@code schemas/songmap/v1.schema.json} before it is written.
 */
package io.songmap.audio.songmap;

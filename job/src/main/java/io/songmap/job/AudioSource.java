package io.songmap.job;

import java.util.Objects;

/**
 * Where a job's audio comes from: a URL the ingest stage downloads, or a key of an object already
 * in the artifact store (an upload).
 */
public record AudioSource(Kind kind, String location) {

    public enum Kind { URL, OBJECT_KEY }

    public AudioSource {
        Objects.requireNonNull(kind, "kind");
        Require.text(location, "location");
    }

    public static AudioSource url(String url) {
        return new AudioSource(Kind.URL, url);
    }

    public static AudioSource objectKey(String key) {
        return new AudioSource(Kind.OBJECT_KEY, key);
    }
}

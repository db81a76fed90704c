package io.songmap.job;

/** The model (and its version) that produced a stage's result. */
public record ModelRef(String name, String version) {

    public ModelRef {
        Require.text(name, "name");
        Require.text(version, "version");
    }
}

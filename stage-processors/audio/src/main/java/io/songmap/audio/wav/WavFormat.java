package io.songmap.audio.wav;

/** The sample encodings {@link WavWriter} writes. */
public enum WavFormat {
    /** 16-bit signed integer PCM (format tag 1): what every tool opens; quantises to 1/32768. */
    PCM_16(1, 16),
    /** 32-bit IEEE float (format tag 3): lossless for our float pipeline, no clipping. */
    FLOAT_32(3, 32);

    private final int formatTag;
    private final int bitsPerSample;

    WavFormat(int formatTag, int bitsPerSample) {
        this.formatTag = formatTag;
        this.bitsPerSample = bitsPerSample;
    }

    int formatTag() {
        return formatTag;
    }

    public int bitsPerSample() {
        return bitsPerSample;
    }

    public int bytesPerSample() {
        return bitsPerSample / 8;
    }
}

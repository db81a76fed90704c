package io.songmap.audio.dsp;

import io.songmap.audio.decode.AudioDecoder;
import io.songmap.audio.decode.DecodedAudio;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Prints how long the audio steps of ingest and tempo take on one song: decode, resample to mono at
 * 22,050 and 16,000 Hz, onset envelope + onsets, beat tracking. Medians of five runs after two warm-up
 * runs, as wall and thread-CPU time (CPU time is the fairer figure on a shared machine).
 *
 * <pre>java -cp target/classes:target/test-classes:&lt;dependencies&gt; io.songmap.audio.dsp.AudioBenchmark [file]</pre>
 *
 * Without a file it synthesizes a 3-minute 120 BPM drum pattern and decodes it from a WAV.
 */
public final class AudioBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String[] STEPS = {"decode", "mono 22,050 Hz", "mono 16,000 Hz", "onsets", "beats"};

    private AudioBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path file;
        if (args.length > 0) {
            file = Path.of(args[0]);
        } else {
            file = Files.createTempFile("benchmark-", ".wav");
            file.toFile().deleteOnExit();
            DrumSynth.Rendering song = DrumSynth.rockBeat(120, 180, 0.5, 44_100, 1);
            WavWriter.write(file, new PcmAudio(44_100, new float[][] {song.samples(), song.samples()}), WavFormat.PCM_16);
        }
        AudioDecoder decoder = new AudioDecoder();
        int runs = 7;
        int warmUp = 2;
        long[][] wall = new long[STEPS.length][runs];
        long[][] cpu = new long[STEPS.length][runs];
        String summary = "";
        for (int run = 0; run < runs; run++) {
            long[] w = new long[STEPS.length + 1];
            long[] c = new long[STEPS.length + 1];
            mark(w, c, 0);
            DecodedAudio decoded = decoder.decode(file);
            mark(w, c, 1);
            decoded.audio().toMono(22_050);
            mark(w, c, 2);
            decoded.audio().toMono(16_000);
            mark(w, c, 3);
            float[] mono = decoded.audio().mixToMono();
            OnsetEnvelope envelope = OnsetEnvelope.of(mono, decoded.audio().sampleRate());
            List<Onset> onsets = new OnsetDetector().detect(envelope);
            mark(w, c, 4);
            BeatTrack beats = new BeatTracker().track(envelope, mono);
            mark(w, c, 5);
            for (int s = 0; s < STEPS.length; s++) {
                wall[s][run] = w[s + 1] - w[s];
                cpu[s][run] = c[s + 1] - c[s];
            }
            summary = String.format("%s: %.1f s of %s, %d onsets, %.2f BPM, %d beats", file.getFileName(),
                    decoded.audio().durationSeconds(), decoded.source().codec(), onsets.size(), beats.bpm(),
                    beats.beats().length);
        }
        System.out.println(summary);
        for (int s = 0; s < STEPS.length; s++) {
            System.out.printf("%-16s wall %6.0f ms   cpu %6.0f ms%n", STEPS[s],
                    median(wall[s], warmUp) / 1e6, median(cpu[s], warmUp) / 1e6);
        }
    }

    private static void mark(long[] wall, long[] cpu, int index) {
        wall[index] = System.nanoTime();
        cpu[index] = THREADS.getCurrentThreadCpuTime();
    }

    private static double median(long[] values, int skip) {
        long[] v = Arrays.copyOfRange(values, skip, values.length);
        Arrays.sort(v);
        return v[v.length / 2];
    }
}

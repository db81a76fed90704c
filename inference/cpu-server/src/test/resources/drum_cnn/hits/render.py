#!/usr/bin/python3
"""Renders single General MIDI drum hits with FluidSynth and the GM soundfont for DrumCnnModelTest.

Needs Debian's `fluidsynth` and `fluid-soundfont-gm`. Each WAV is 16-bit mono 44.1 kHz, 0.5 s,
one hit at t = 0 (FluidSynth starts sounding ~2.4 ms later), velocity 100, channel 10.
Run: /usr/bin/python3 render.py
"""
import os
import struct
import subprocess
import tempfile
import wave

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
HITS = {"kick": 36, "snare": 38, "hihat": 42}
HERE = os.path.dirname(os.path.abspath(__file__))


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(reversed(out))


def midi(note):
    ticks = 480  # per quarter; 120 BPM by default, so 0.5 s = 480 ticks
    events = (vlq(0) + bytes([0x99, note, 100])
              + vlq(ticks) + bytes([0x89, note, 0])
              + vlq(0) + b"\xff\x2f\x00")
    track = b"MTrk" + struct.pack(">I", len(events)) + events
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, ticks) + track


def main():
    for name, note in HITS.items():
        with tempfile.TemporaryDirectory() as tmp:
            mid = os.path.join(tmp, name + ".mid")
            raw = os.path.join(tmp, name + ".wav")
            with open(mid, "wb") as f:
                f.write(midi(note))
            subprocess.run(["fluidsynth", "-ni", "-q", "-r", "44100", "-g", "1.0", "-F", raw, SOUNDFONT, mid],
                           check=True)
            with wave.open(raw) as w:
                assert w.getframerate() == 44100 and w.getsampwidth() == 2
                channels = w.getnchannels()
                frames = w.readframes(w.getnframes())
            samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
            mono = [int(sum(samples[i:i + channels]) / channels) for i in range(0, len(samples), channels)]
            mono = (mono + [0] * 22050)[:22050]
            out = os.path.join(HERE, name + ".wav")
            with wave.open(out, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(44100)
                w.writeframes(struct.pack("<%dh" % len(mono), *mono))
            print("wrote", out, "peak", max(abs(s) for s in mono))


if __name__ == "__main__":
    main()

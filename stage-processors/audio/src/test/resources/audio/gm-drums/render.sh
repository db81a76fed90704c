#!/bin/sh
# Renders the GM drum patterns (*.mid: one beat of lead-in, then 4/4 bars on channel 10 at the tempo in
# the file name) with FluidSynth's GM soundfont from apt, as mono Opus at 24 kb/s to keep them small.
set -eu
cd "$(dirname "$0")"
for mid in *.mid; do
  fluidsynth -ni -g 0.8 -r 48000 -F /tmp/gm-render.wav /usr/share/sounds/sf2/FluidR3_GM.sf2 "$mid" >/dev/null
  ffmpeg -v error -y -i /tmp/gm-render.wav -ac 1 -c:a libopus -b:a 24k "${mid%.mid}.opus"
done
rm -f /tmp/gm-render.wav

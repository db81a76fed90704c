#!/bin/sh
# Regenerates the decoder fixtures with the ffmpeg CLI (Debian's ffmpeg 5.1). Each file holds 1.5 s of a
# quiet 220 Hz tone with a one-sample click at exactly 0.5 s, so a test can check that a decoder puts the
# first sample where the encoder's input had it (encoder delay and padding honoured).
set -eu
cd "$(dirname "$0")"
src() { # $1 = sample rate, $2 = channel layout
  ffmpeg -v error -y -f lavfi -i "aevalsrc=0.05*sin(2*PI*220*t)+if(eq(n\,$1/2)\,0.9\,0):s=$1:d=1.5:c=$2" "$3"
}
src 44100 stereo /tmp/click-44k-stereo.wav
src 48000 stereo /tmp/click-48k-stereo.wav
src 22050 mono click-22k-mono.wav
ffmpeg -v error -y -i /tmp/click-48k-stereo.wav -c:a flac -sample_fmt s16 click-48k.flac
ffmpeg -v error -y -i /tmp/click-44k-stereo.wav -c:a libmp3lame -b:a 128k click.mp3
ffmpeg -v error -y -i /tmp/click-44k-stereo.wav -c:a libvorbis -q:a 3 click.ogg
ffmpeg -v error -y -i /tmp/click-48k-stereo.wav -c:a libopus -b:a 64k click.opus
ffmpeg -v error -y -i /tmp/click-44k-stereo.wav -c:a aac -b:a 96k click.m4a
# A container with a video stream and no audio.
ffmpeg -v error -y -f lavfi -i color=c=black:s=16x16:d=1:r=5 -c:v mpeg4 video-only.mp4
rm -f /tmp/click-44k-stereo.wav /tmp/click-48k-stereo.wav

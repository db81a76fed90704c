#!/usr/bin/python3
"""Reference power mel spectrogram for AnnoteatorFeatureTest, written with numpy from librosa 0.8.0's
definitions (librosa itself is not packaged by Debian 12):

    melspectrogram(y, sr=44100, n_mels=128, fmax=8000) = mel_basis @ |stft(y)|**2
    stft: n_fft 2048, hop 512, periodic Hann, center=True, np.pad(mode='reflect'), np.fft.rfft
    mel_basis = filters.mel(sr, 2048, n_mels=128, fmin=0, fmax=8000, htk=False, norm='slaney'), float32

The input clip is a formula (the test rebuilds it): two sines and a decaying 3.15 kHz tone.
Run: /usr/bin/python3 make_mel_reference.py  (writes mel-reference-128x18.f32, little-endian float32).
"""
import os

import numpy as np

SR, N_FFT, HOP, N_MELS, FMAX = 44100, 2048, 512, 128, 8000.0


def clip():
    n = np.arange(8820, dtype=np.float64)
    y = (0.5 * np.sin(2 * np.pi * 440.0 * n / SR)
         + 0.2 * np.sin(2 * np.pi * 97.0 * n / SR + 0.3)
         + 0.3 * np.sin(2 * np.pi * 3150.7 * n / SR + 1.0) * np.exp(-n / 2000.0))
    return y.astype(np.float32)


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    log_t = f >= min_log_hz
    mels = np.where(log_t, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)
    return mels


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_basis():
    fftfreqs = np.linspace(0, SR / 2, 1 + N_FFT // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(FMAX), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((N_MELS, 1 + N_FFT // 2), dtype=np.float32)
    for i in range(N_MELS):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS])
    weights *= enorm[:, np.newaxis]
    return weights


def melspectrogram(y):
    y = np.pad(y, N_FFT // 2, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    frames = 1 + (len(y) - N_FFT) // HOP
    stft = np.stack([np.fft.rfft(window * y[t * HOP:t * HOP + N_FFT]) for t in range(frames)], axis=1)
    return mel_basis() @ (np.abs(stft) ** 2)


if __name__ == "__main__":
    s = melspectrogram(clip())
    assert s.shape == (128, 18), s.shape
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mel-reference-128x18.f32")
    s.astype("<f4").tofile(out)
    print("wrote", out, "max", s.max())

"""Colours as readers with a colour-vision deficiency see them, for the tests
that check the figures' palettes (plots.py's branches and animation species,
sweep_plots.py's curves): CIELAB after a Machado, Oliveira & Fernandes (2009)
simulation matrix (severity 1.0), applied in linear RGB."""
import numpy as np

MACHADO = {"deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                            [-0.011820, 0.042940, 0.968881]],
           "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                          [-0.003882, -0.048116, 1.051998]]}


def lab(colour, matrix=None):
    """CIELAB (D65) of a matplotlib colour seen through `matrix` (None: normal vision)."""
    from matplotlib.colors import to_rgb
    c = np.array(to_rgb(colour))
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        c = np.clip(np.array(matrix) @ c, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ c
    f = np.cbrt(np.maximum(xyz / [0.95047, 1.0, 1.08883], (6 / 29) ** 3))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

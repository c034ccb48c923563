# Renders 28x28 Fashion-MNIST-style images from the rasterised icons (raster.py): each a random
# drawing of its class, flipped, slightly rotated, stretched and sheared, given a random grey
# level (one-colour icons), a smooth random shading and a random gamma, then framed as
# Fashion-MNIST frames its products (the box fitted to 28 on its longer side, centred).
# Usage: python3 render.py RASTER_DIR OUT_DIR [PER_CLASS=6000]   (numpy, scipy; seed 11)
import numpy as np, glob, gzip, struct, os, sys
from scipy import ndimage
RASTER, OUT = sys.argv[1], sys.argv[2]
PER = int(sys.argv[3]) if len(sys.argv) > 3 else 6000
rng = np.random.default_rng(11)
bases = {c: [] for c in range(10)}
for f in sorted(glob.glob(f'{RASTER}/*.raw')):
    c = int(os.path.basename(f).split('_')[0])
    # halved to 64x64 (the framed side is 28) so that the transforms below run 4x faster
    im = np.fromfile(f, np.uint8).reshape(64, 2, 64, 2).astype(np.float32).mean(axis=(1, 3)) / 255
    im = np.pad(im, 16)  # room to rotate
    mono = np.mean((im > 0.02) & (im < 0.98)) < 0.02  # one-colour drawing: hardly a pixel between paper and ink
    bases[c].append((im, mono))
def smooth_field(shape, scale):  # normal noise on an 8-pixel grid, cubic in between
    n = rng.standard_normal((shape[0] // 8 + 2, shape[1] // 8 + 2))
    f = ndimage.zoom(n, 8, order=3)[:shape[0], :shape[1]]
    return f * scale
def one(c):
    im, mono = bases[c][rng.integers(len(bases[c]))]
    if rng.random() < 0.5: im = im[:, ::-1]
    a = np.deg2rad(rng.normal(0, 4)); sx, sy = np.exp(rng.normal(0, 0.08, 2)); sh = rng.normal(0, 0.05)
    # (row, column) coordinates: rotation after a stretch and a shear, about the canvas centre
    m = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ np.array([[sy, sh], [0, sx]])
    ctr = np.array(im.shape) / 2
    inv = np.linalg.inv(m)
    im = ndimage.affine_transform(im, inv, offset=ctr - inv @ ctr, order=1)
    if mono:
        im = im * rng.uniform(0.3, 1.0)
    im = im * np.clip(1 + smooth_field(im.shape, rng.uniform(0, 0.25)), 0.4, 1.6)
    im = np.clip(im, 0, 1) ** np.exp(rng.normal(0, 0.3))
    ys, xs = np.nonzero(im > 0.03)  # the product's box, as Fashion-MNIST trims its photos
    im = im[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    k = 28 / max(im.shape)
    im = ndimage.gaussian_filter(im, 0.45 / k)  # low-pass before the down-scaling (no aliasing)
    h, w = max(1, round(im.shape[0] * k)), max(1, round(im.shape[1] * k))
    small = ndimage.zoom(im, (h / im.shape[0], w / im.shape[1]), order=1)[:28, :28]
    out = np.zeros((28, 28), np.float32)
    y0, x0 = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    out[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return np.clip(np.round(out * 255), 0, 255).astype(np.uint8)
labels = np.repeat(np.arange(10), PER); rng.shuffle(labels)
images = np.stack([one(int(c)) for c in labels])
os.makedirs(OUT, exist_ok=True)
with gzip.open(f'{OUT}/train-images-idx3-ubyte.gz', 'wb') as f:
    f.write(struct.pack('>IIII', 0x803, len(images), 28, 28)); f.write(images.tobytes())
with gzip.open(f'{OUT}/train-labels-idx1-ubyte.gz', 'wb') as f:
    f.write(struct.pack('>II', 0x801, len(labels))); f.write(labels.astype(np.uint8).tobytes())
open(f'{OUT}/classes.txt', 'w').write('\n'.join(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']) + '\n')

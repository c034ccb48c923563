# Rasterises the public icon and emoji drawings (npm @iconify-json sets, fetched by fetch.sh) of the
# 10 Fashion-MNIST classes: each to a 128x128 SVG render (rsvg-convert), flattened on white,
# grey, negated (Fashion-MNIST's own conversion: dark product on white -> bright on black).
# Usage: python3 raster.py ICONS_DIR OUT_DIR  (rsvg-convert: Debian librsvg2-bin; convert: Debian
# imagemagick, ImageMagick 6; set CONVERT=/usr/bin/convert where another `convert` comes first on PATH)
import json, os, subprocess, sys
ROOT, OUT = sys.argv[1], sys.argv[2]
EMOJI = ['noto', 'noto-v1', 'twemoji', 'openmoji', 'fluent-emoji-flat', 'fluent-emoji-high-contrast',
         'emojione', 'emojione-v1', 'emojione-monotone', 'streamline-emojis']
def emoji(*names): return [(s, n) for s in EMOJI for n in names]
CLASSES = {
 0: emoji('t-shirt', 'womans-clothes', 'running-shirt') + [('fxemoji', 'womansshirt'), ('fxemoji', 'runningshirt'),
    ('game-icons', 't-shirt'), ('icon-park-solid', 't-shirt'), ('mdi', 'tshirt-crew'), ('mdi', 'tshirt-v'),
    ('fa6-solid', 'shirt'), ('tabler', 'shirt-filled'), ('ph', 't-shirt-fill'), ('material-symbols', 'apparel')],
 1: emoji('jeans') + [('fxemoji', 'jeans'), ('game-icons', 'trousers'), ('ph', 'pants-fill'),
    ('icon-park-solid', 'clothes-pants-sweat'), ('icon-park-solid', 'trousers-bell-bottoms')],
 2: [('game-icons', 'hoodie'), ('game-icons', 'fur-shirt'), ('ph', 'hoodie-fill'), ('icon-park-solid', 'clothes-hoodie'),
    ('icon-park-solid', 'sweater'), ('icon-park-solid', 'clothes-turtleneck')],
 3: emoji('dress') + [('fxemoji', 'dress'), ('game-icons', 'dress'), ('game-icons', 'ample-dress'),
    ('game-icons', 'large-dress'), ('game-icons', 'travel-dress'), ('ph', 'dress-fill'), ('icon-park-solid', 'full-dress-longuette')],
 4: emoji('coat', 'lab-coat') + [('game-icons', 'lab-coat'), ('game-icons', 'pirate-coat'), ('game-icons', 'moncler-jacket'),
    ('icon-park-solid', 'clothes-windbreaker')],
 5: emoji('womans-sandal', 'thong-sandal') + [('fxemoji', 'sandals'), ('game-icons', 'sandal')],
 6: emoji('necktie') + [('fxemoji', 'mansshirt'), ('game-icons', 'shirt'), ('game-icons', 'polo-shirt'), ('ph', 'shirt-folded-fill')],
 7: emoji('running-shoe', 'mans-shoe') + [('fxemoji', 'mensshoe'), ('game-icons', 'converse-shoe'), ('game-icons', 'running-shoe'),
    ('mdi', 'shoe-sneaker'), ('ph', 'sneaker-fill'), ('ph', 'sneaker-move-fill')],
 8: emoji('handbag', 'purse', 'clutch-bag') + [('fxemoji', 'handbag'), ('fxemoji', 'makeupbag'), ('game-icons', 'hand-bag'),
    ('game-icons', 'shoulder-bag'), ('game-icons', 'shopping-bag'), ('game-icons', 'school-bag'), ('game-icons', 'gym-bag'),
    ('game-icons', 'duffel-bag'), ('game-icons', 'beach-bag'), ('game-icons', 'shiny-purse'), ('ph', 'handbag-fill'),
    ('ph', 'bag-fill'), ('ph', 'handbag-simple-fill'), ('ph', 'bag-simple-fill'), ('mdi', 'purse'), ('mdi', 'bag-personal'),
    ('icon-park-solid', 'handbag'), ('icon-park-solid', 'shoulder-bag'), ('icon-park-solid', 'retro-bag'),
    ('icon-park-solid', 'mall-bag'), ('icon-park-solid', 'commuter-bag'), ('fa6-solid', 'bag-shopping')],
 9: emoji('womans-boot', 'hiking-boot') + [('fxemoji', 'boot'), ('game-icons', 'boots'), ('game-icons', 'leather-boot'),
    ('game-icons', 'chelsea-boot'), ('game-icons', 'walking-boot'), ('game-icons', 'fur-boot'), ('game-icons', 'steeltoe-boots'),
    ('ph', 'boot-fill')],
}
sets = {}
def icon(s, n):
    if s not in sets: sets[s] = json.load(open(f'{ROOT}/{s}/package/icons.json'))
    d = sets[s]; icons = d['icons']; al = d.get('aliases', {})
    extra = {}
    while n not in icons:
        if n not in al: return None
        extra = {**al[n], **extra}; n = al[n]['parent']
    ic = {**icons[n], **{k: v for k, v in extra.items() if k != 'parent'}}
    w = ic.get('width', d.get('width', 16)); h = ic.get('height', d.get('height', 16))
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{ic.get("left",0)} {ic.get("top",0)} {w} {h}">{ic["body"]}</svg>'
os.makedirs(OUT, exist_ok=True)
for c, lst in CLASSES.items():
    found = 0
    for s, n in lst:
        svg = icon(s, n)
        if svg is None: continue
        base = f'{OUT}/{c}_{s}_{n}'
        open(base + '.svg', 'w').write(svg)
        subprocess.run(['rsvg-convert', '-w', '128', '-h', '128', '-o', base + '.png', base + '.svg'], check=True)
        subprocess.run([os.environ.get('CONVERT', 'convert'), base + '.png', '-background', 'white', '-alpha', 'remove', '-colorspace', 'Gray',
                        '-negate', '-depth', '8', 'gray:' + base + '.raw'], check=True)
        found += 1
    print(c, found, file=sys.stderr)

package io.dpdm.data;

/** Where a 28x28 uint8 image's ink (non-zero pixels) lies: its bounding box, count and centre of mass. */
record Ink(int width, int height, int pixels, double centreX, double centreY) {
    static Ink of(byte[] image) {
        int x0 = 28;
        int x1 = -1;
        int y0 = 28;
        int y1 = -1;
        int count = 0;
        double mass = 0;
        double mx = 0;
        double my = 0;
        for (int p = 0; p < image.length; p++) {
            int v = image[p] & 0xff;
            if (v > 0) {
                x0 = Math.min(x0, p % 28);
                x1 = Math.max(x1, p % 28);
                y0 = Math.min(y0, p / 28);
                y1 = Math.max(y1, p / 28);
                count++;
                mass += v;
                mx += v * (p % 28);
                my += v * (p / 28);
            }
        }
        return new Ink(x1 - x0 + 1, y1 - y0 + 1, count, mx / mass, my / mass);
    }
}

package io.dpdm.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A public data set of digits in MNIST's format, rendered from font files: each image is one
 * digit in a randomly chosen font, rotated, sheared, stretched, thickened by a pen stroke and
 * bent by a smooth random displacement, then framed as MNIST frames its digits
 * ({@link MnistFraming}). It holds no record of anyone, so training on it spends no privacy
 * budget; it is what the shipped public model for digit data was trained on (docs/EXPERIMENTS.md,
 * row FD1). Image i depends only on (seed, i) and the fonts, so a set is reproducible on any
 * machine with the same font files, and rendering runs in parallel.
 */
public final class RenderedDigits {
    public static final String NAME = "rendered-digits";
    /** Where Debian's font packages (fonts-dejavu-core, fonts-liberation) install TrueType files. */
    public static final Path SYSTEM_FONTS = Path.of("/usr/share/fonts/truetype");

    /** The high-resolution canvas a glyph is drawn on before framing. */
    private static final int CANVAS = 112;
    private static final float POINT_SIZE = 64f;
    private static final float INK = 20f;

    private RenderedDigits() {}

    /**
     * The TrueType fonts under {@code folder} that draw every digit, sorted by path (symbol and
     * math fonts are left out by name).
     */
    public static List<Font> fonts(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DataException(folder, "no such font folder (expected TrueType files, e.g. Debian's"
                    + " fonts-dejavu-core and fonts-liberation)");
        }
        List<Font> fonts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".ttf")).sorted().toList()) {
                Font font = Font.createFont(Font.TRUETYPE_FONT, file.toFile());
                if (!file.getFileName().toString().contains("Math") && font.canDisplayUpTo("0123456789") == -1) {
                    fonts.add(font);
                }
            }
        } catch (IOException | FontFormatException e) {
            throw new DataException(folder, "cannot read fonts: " + e.getMessage(), e);
        }
        if (fonts.isEmpty()) {
            throw new DataException(folder, "no TrueType font (*.ttf) that draws the digits 0-9");
        }
        return fonts;
    }

    /** {@code perClass} images of each digit 0-9 (labels cycle 0, 1, ..., 9), as a train split; no test split. */
    public static ImageDataset render(List<Font> fonts, int perClass, long seed) {
        if (perClass < 1) {
            throw new IllegalArgumentException("images per class must be >= 1, got " + perClass);
        }
        int n = 10 * perClass;
        int size = MnistFraming.SIDE * MnistFraming.SIDE;
        byte[] pixels = new byte[n * size];
        int[] labels = new int[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            labels[i] = i % 10;
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            System.arraycopy(image(fonts, labels[i], random), 0, pixels, i * size, size);
        });
        ImageShape shape = new ImageShape(1, MnistFraming.SIDE, MnistFraming.SIDE);
        return new ImageDataset(NAME, shape, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                new ImageSplit(shape, pixels, labels), ImageSplit.empty(shape));
    }

    private static byte[] image(List<Font> fonts, int digit, SplittableRandom random) {
        while (true) { // a distortion can, rarely, push all ink off the canvas: draw again
            byte[] framed = MnistFraming.frame(bend(draw(fonts, digit, random), random), CANVAS, INK);
            if (framed != null) {
                return framed;
            }
        }
    }

    /**
     * The glyph, centred, under a random affine map (rotation of about 8 degrees, shear leaning
     * mostly right as handwriting does, a stretch of about 12%), filled and outlined by a round
     * pen of 0-5 canvas pixels, which thickens thin fonts' strokes.
     */
    private static float[] draw(List<Font> fonts, int digit, SplittableRandom random) {
        BufferedImage canvas = new BufferedImage(CANVAS, CANVAS, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            Font font = fonts.get(random.nextInt(fonts.size())).deriveFont(POINT_SIZE);
            Shape glyph = font.createGlyphVector(g.getFontRenderContext(), String.valueOf(digit)).getOutline();
            Rectangle2D bounds = glyph.getBounds2D();
            double stretch = Math.exp(gaussian(random) * 0.12);
            AffineTransform t = new AffineTransform();
            t.translate(CANVAS / 2.0, CANVAS / 2.0);
            t.rotate(Math.toRadians(Math.max(-18, Math.min(18, gaussian(random) * 8))));
            t.shear(random.nextDouble(-0.3, 0.2), 0); // x += shear * y, y pointing down: negative leans right
            t.scale(stretch, 1 / stretch);
            t.translate(-bounds.getCenterX(), -bounds.getCenterY());
            Shape shape = t.createTransformedShape(glyph);
            g.fill(shape);
            g.setStroke(new BasicStroke((float) random.nextDouble(5), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(shape);
        } finally {
            g.dispose();
        }
        float[] pixels = new float[CANVAS * CANVAS];
        canvas.getRaster().getSamples(0, 0, CANVAS, CANVAS, 0, pixels);
        return pixels;
    }

    /**
     * A smooth random displacement (as Simard et al. 2003's elastic distortion, coarser): each
     * node of a 4x4 grid over the canvas moves by a normal offset of std 2.4 canvas pixels (about
     * one pixel of the framed digit), interpolated bilinearly in between.
     */
    private static float[] bend(float[] pixels, SplittableRandom random) {
        int cells = 3;
        double std = 2.4;
        double[] dx = new double[(cells + 1) * (cells + 1)];
        double[] dy = new double[dx.length];
        for (int i = 0; i < dx.length; i++) {
            dx[i] = gaussian(random) * std;
            dy[i] = gaussian(random) * std;
        }
        int side = cells + 1;
        Lookup image = (x, y) -> x < 0 || y < 0 || x >= CANVAS || y >= CANVAS ? 0 : pixels[y * CANVAS + x];
        float[] bent = new float[CANVAS * CANVAS];
        for (int y = 0; y < CANVAS; y++) {
            for (int x = 0; x < CANVAS; x++) {
                double gx = (double) x * cells / CANVAS; // below cells: the node to the right exists
                double gy = (double) y * cells / CANVAS;
                double ux = bilinear((i, j) -> dx[j * side + i], gx, gy);
                double uy = bilinear((i, j) -> dy[j * side + i], gx, gy);
                bent[y * CANVAS + x] = (float) bilinear(image, x + ux, y + uy);
            }
        }
        return bent;
    }

    /** Values on integer coordinates. */
    private interface Lookup {
        double at(int x, int y);
    }

    /** {@code values} interpolated bilinearly at (x, y). */
    private static double bilinear(Lookup values, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (1 - fy) * ((1 - fx) * values.at(x0, y0) + fx * values.at(x0 + 1, y0))
                + fy * ((1 - fx) * values.at(x0, y0 + 1) + fx * values.at(x0 + 1, y0 + 1));
    }

    /**
     * A standard normal draw by Box-Muller. {@code RandomGenerator.nextGaussian} (which
     * SplittableRandom has) would do as well, but other draws would change every rendering, and
     * the shipped digit model's set must stay reproducible by {@code dpdm data render-digits}.
     */
    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}

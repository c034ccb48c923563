package io.dpdm.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, rendered with XChart to PNG bytes. */
final class Charts {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 360;
    private static final int BINS = 60;

    private Charts() {}

    /** A line chart of (step, value) points. */
    static byte[] curve(String title, String yLabel, List<ReportData.Point> points) {
        XYChart chart = chart(title, "step", yLabel);
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i).step();
            y[i] = points.get(i).value();
        }
        chart.addSeries(yLabel, x, y).setMarker(SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        return png(chart);
    }

    /**
     * Histograms (fraction of points per bin, shared bins) of the synthetic-to-train and
     * test-to-train distances, with the reference threshold as a vertical line.
     */
    static byte[] distanceHistogram(MemorisationAudit audit) {
        double lo = Math.min(min(audit.syntheticToTrain()), min(audit.testToTrain()));
        double hi = Math.max(max(audit.syntheticToTrain()), max(audit.testToTrain()));
        double width = hi > lo ? (hi - lo) / BINS : 1;
        XYChart chart = chart("Nearest-training-image distance (" + audit.space() + ")",
                "Euclidean distance to nearest training image", "fraction of images");
        double[] centres = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            centres[b] = lo + (b + 0.5) * width;
        }
        double[] syn = fractions(audit.syntheticToTrain(), lo, width);
        double[] test = fractions(audit.testToTrain(), lo, width);
        step(chart.addSeries("synthetic to train", centres, syn));
        step(chart.addSeries("real test to train", centres, test));
        double top = Math.max(max(syn), max(test));
        chart.addSeries("1st percentile of test", new double[] {audit.threshold(), audit.threshold()},
                new double[] {0, top}).setMarker(SeriesMarkers.NONE);
        return png(chart);
    }

    private static void step(XYSeries series) {
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        series.setMarker(SeriesMarkers.NONE);
    }

    private static double[] fractions(double[] values, double lo, double width) {
        double[] f = new double[BINS];
        for (double v : values) {
            f[Math.min(BINS - 1, (int) ((v - lo) / width))] += 1.0 / values.length;
        }
        return f;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(1);
    }

    private static XYChart chart(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return chart;
    }

    private static byte[] png(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

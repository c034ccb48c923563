package io.dpdm.model;

/**
 * Where a model came from, for tracing and reproducing it (Tribuo-style provenance).
 *
 * @param software dpdm version
 * @param engine tensor engine and version
 * @param seed the run's seed (absent, -1, in secure mode: its noise is not reproducible by design)
 * @param step logical DP-SGD steps taken
 * @param initFrom checkpoint the weights were initialised from (public pre-training), or empty
 */
public record Provenance(String software, String engine, long seed, long step, String initFrom) {
    public static final String SOFTWARE = "dpdm 0.1.0";
    public static final String ENGINE = "DJL 0.34.0 / PyTorch 2.7.1 (CPU)";

    public Provenance {
        initFrom = initFrom == null ? "" : initFrom;
    }
}

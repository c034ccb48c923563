package io.dpdm.privacy;

import java.util.Locale;

/** The standard accountants by name. PRV is the default: it gives the tightest valid bound. */
public final class Accountants {
    public static final String DEFAULT = "prv";

    private Accountants() {}

    /** "prv" (eps_error 0.01, upper bound) or "rdp" (Opacus' orders); case-insensitive. */
    public static Accountant byName(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "prv" -> new PrvAccountant();
            case "rdp" -> new RdpAccountant();
            default -> throw new IllegalArgumentException("accountant '" + name + "' is unknown; expected prv or rdp");
        };
    }
}

package io.dpdm.nn;

import ai.djl.engine.Engine;

/** The one way dpdm starts the PyTorch engine: always offline (DJL must never call home). */
public final class Torch {
    private Torch() {}

    public static Engine engine() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        return Engine.getEngine("PyTorch");
    }
}

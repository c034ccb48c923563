package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.DpdmException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The named float32 parameters of a network, in declaration order, owned by one NDManager.
 *
 * <p>Layers declare their parameters here with an initialiser; the store is the only long-lived
 * holder of weights. Initial values come from a seeded {@link SplittableRandom} in Java, so a
 * network initialises identically whatever the engine's global random state.
 *
 * <p>Initialisers: {@link #varianceScaling} is the DDPM/DDPM++ {@code default_init}
 * (variance scaling, mode fan_avg, uniform distribution; a scale of 0 means 1e-10, the
 * "almost zero" initialisation of the last conv of a residual block and the attention output).
 * Fans follow the PyTorch/DDPM convention for a shape (out, in, receptive field...):
 * fan_in = in * receptive, fan_out = out * receptive.
 *
 * <p>Optimisers update parameters in place through {@link #trained()}; parameters {@link #freeze frozen}
 * keep their values, and gradient passes neither record nor return their gradients.
 */
public final class ParameterStore implements AutoCloseable {
    private static final int FORMAT_VERSION = 1;
    private static final String MAGIC = "dpdm-parameters";

    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> trained = new LinkedHashMap<>();
    private final SplittableRandom random;
    private Precision precision = Precision.FP32;

    /** An empty store; {@code seed} fixes every initial value declared later. */
    public ParameterStore(long seed) {
        this(new SplittableRandom(seed));
    }

    private ParameterStore(SplittableRandom random) {
        this.manager = Torch.engine().newBaseManager();
        this.random = random;
    }

    /** DDPM variance scaling, fan_avg, uniform; {@code scale} 0 stands for 1e-10. */
    public NDArray varianceScaling(String name, Shape shape, double scale) {
        if (shape.dimension() < 2) {
            throw new IllegalArgumentException("variance scaling needs a shape of rank >= 2 for " + name + ", got " + shape);
        }
        double s = scale == 0 ? 1e-10 : scale;
        long receptive = shape.size() / (shape.get(0) * shape.get(1));
        double fanAvg = (shape.get(0) * receptive + shape.get(1) * receptive) / 2.0;
        double limit = Math.sqrt(3 * s / fanAvg);
        float[] values = new float[checkedSize(name, shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * limit);
        }
        return put(name, manager.create(values, shape));
    }

    /** Normal(0, std^2) entries (embedding tables). */
    public NDArray normal(String name, Shape shape, double std) {
        float[] values = new float[checkedSize(name, shape)];
        java.util.Random gaussian = new java.util.Random(random.nextLong());
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (gaussian.nextGaussian() * std);
        }
        return put(name, manager.create(values, shape));
    }

    /** All zeros (biases, norm shifts). */
    public NDArray zeros(String name, Shape shape) {
        checkedSize(name, shape);
        return put(name, manager.zeros(shape, DataType.FLOAT32));
    }

    /** All ones (norm gains). */
    public NDArray ones(String name, Shape shape) {
        checkedSize(name, shape);
        return put(name, manager.ones(shape, DataType.FLOAT32));
    }

    /** The parameter called {@code name}. */
    public NDArray get(String name) {
        NDArray p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return p;
    }

    /** Total number of scalar parameters. */
    public long count() {
        return parameters.values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    /** Read-only view of the parameters in declaration order; arrays may be updated in place. */
    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Read-only view of the parameters that training updates (all but the frozen), in declaration order. */
    public Map<String, NDArray> trained() {
        return Collections.unmodifiableMap(trained);
    }

    /** True unless {@code name} is frozen. */
    public boolean isTrained(String name) {
        return trained.containsKey(name);
    }

    /**
     * Freezes every parameter whose name is one of {@code prefixes} or starts with one followed by
     * a dot ("body1" covers "body1.conv0.weight", not "body10..."): training leaves them as they are.
     * Replaces any earlier choice; an empty list trains everything.
     *
     * @throws IllegalArgumentException naming a prefix that matches no parameter, or when nothing would be trained
     */
    public void freeze(List<String> prefixes) {
        for (String prefix : prefixes) {
            if (parameters.keySet().stream().noneMatch(name -> covers(prefix, name))) {
                throw new IllegalArgumentException("'" + prefix + "' names no parameter of the network (names look"
                        + " like " + String.join(", ", parameters.keySet().stream().limit(3).toList()) + ")");
            }
        }
        trained.clear();
        parameters.forEach((name, p) -> {
            if (prefixes.stream().noneMatch(prefix -> covers(prefix, name))) {
                trained.put(name, p);
            }
        });
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("freezing " + prefixes + " leaves no parameter to train");
        }
    }

    private static boolean covers(String prefix, String name) {
        return name.equals(prefix) || name.startsWith(prefix + ".");
    }

    /** The manager owning the parameters (for optimiser state that lives as long as the store). */
    public NDManager manager() {
        return manager;
    }

    /** The arithmetic of the convolutions and matrix products of passes over this store (FP32 unless set). */
    public Precision precision() {
        return precision;
    }

    /**
     * Sets the precision of later passes over this store ({@link Precision#resolve} turns AUTO
     * into one). The first switch to BF16 in a process checks bfloat16 convolutions against
     * float64 ({@link Torch#checkBfloat16}).
     */
    public void usePrecision(Precision precision) {
        if (precision == Precision.AUTO) {
            throw new IllegalArgumentException("AUTO is a request: resolve it to FP32 or BF16 first (Precision.resolve)");
        }
        if (precision == Precision.BF16) {
            Torch.checkBfloat16();
        }
        this.precision = precision;
    }

    /**
     * An independent deep copy (e.g. the EMA weights) in this store's precision, with the same
     * parameters frozen; its random stream is split from this one.
     */
    public ParameterStore copy() {
        ParameterStore copy = new ParameterStore(random.split());
        copy.precision = precision;
        parameters.forEach((name, p) -> {
            NDArray c = Torch.copy(p);
            c.attach(copy.manager);
            copy.parameters.put(name, c);
            if (isTrained(name)) {
                copy.trained.put(name, c);
            }
        });
        return copy;
    }

    /** Writes all parameters to {@code file} atomically (temporary file, then rename). */
    public void save(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp));
                    java.io.DataOutputStream data = new java.io.DataOutputStream(out)) {
                data.writeUTF(MAGIC);
                data.writeInt(FORMAT_VERSION);
                data.writeInt(parameters.size());
                for (String name : parameters.keySet()) {
                    data.writeUTF(name);
                }
                NDList list = new NDList(parameters.values().toArray(NDArray[]::new));
                list.encode(data);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DpdmException("cannot write parameters to " + file + ": " + e.getMessage());
        }
    }

    /**
     * Replaces every parameter's value by the one stored in {@code file}. The file must hold
     * exactly the parameters of this store, with the same names, order and shapes.
     */
    public void load(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
                java.io.DataInputStream data = new java.io.DataInputStream(in);
                NDManager scratch = manager.newSubManager()) {
            if (!MAGIC.equals(data.readUTF()) || data.readInt() != FORMAT_VERSION) {
                throw new DpdmException("parameters file " + file + ": not a dpdm parameters file (version " + FORMAT_VERSION + ")");
            }
            int n = data.readInt();
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = data.readUTF();
            }
            NDList values = NDList.decode(scratch, data);
            String[] expected = parameters.keySet().toArray(String[]::new);
            if (n != expected.length || values.size() != n) {
                throw new DpdmException("parameters file " + file + ": holds " + n + " parameters, the network has " + expected.length);
            }
            for (int i = 0; i < n; i++) {
                if (!names[i].equals(expected[i])) {
                    throw new DpdmException("parameters file " + file + ": parameter " + i + " is '" + names[i] + "', expected '" + expected[i] + "'");
                }
                Shape want = parameters.get(expected[i]).getShape();
                Shape got = values.get(i).getShape();
                if (!want.equals(got) || values.get(i).getDataType() != DataType.FLOAT32) {
                    throw new DpdmException("parameters file " + file + ": parameter '" + names[i] + "' has shape " + got + " " + values.get(i).getDataType() + ", expected " + want + " float32");
                }
            }
            for (int i = 0; i < n; i++) {
                Torch.assign(parameters.get(expected[i]), values.get(i));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DpdmException d) {
                throw d;
            }
            throw new DpdmException("cannot read parameters from " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Stores a native copy: arrays created from Java data point at Java buffers (see Torch.scalar). */
    private NDArray put(String name, NDArray value) {
        NDArray owned = Torch.copy(value);
        value.close();
        owned.setName(name);
        parameters.put(name, owned);
        trained.put(name, owned);
        return owned;
    }

    private int checkedSize(String name, Shape shape) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("parameter name must not be empty");
        }
        if (parameters.containsKey(name)) {
            throw new IllegalArgumentException("parameter '" + name + "' is declared twice");
        }
        if (shape.size() <= 0 || shape.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter '" + name + "' has unusable shape " + shape);
        }
        return (int) shape.size();
    }
}

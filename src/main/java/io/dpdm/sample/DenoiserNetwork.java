package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.DpdmException;
import io.dpdm.diffusion.Denoiser;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNet;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.Lanes;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A U-Net wrapped in its preconditioning (D = c_skip x + c_out F(c_in x, c_noise), EDM eq. 7), as
 * an inference-only {@link Denoiser}. The parameters live in one {@link ParameterStore}; every
 * evaluation runs through {@link Gradients#forward}, i.e. shared weights, evaluation mode, no
 * gradient recording, all temporaries freed when the pass ends.
 */
public final class DenoiserNetwork implements AutoCloseable {
    /**
     * Bytes of a chunk's first-level activation map (rows x base channels x grid side^2, in the
     * pass's precision): a chunk this size keeps its activations in cache, larger ones stream every
     * element-wise pass from memory. Measured with `dpdm bench sample` on 2 cores (AMD Zen5, AVX-512,
     * two lanes), float32, image-evaluations per second: the 28x28 nf 32 network (100 kB per row)
     * 259-270 at 16 rows, 271-290 at 32 (peak RSS 0.77 GB), 184-282 at 64 (1.18 GB), 262 at 128,
     * 115-118 at 256; the patch-2 nf 16 network (12.5 kB per row) 1,860-1,940 at 32, 2,270-2,430
     * at 64, 2,520-3,380 at 128-512 rows. A bfloat16 pass keeps its activations in half the bytes,
     * so its chunks hold twice the rows: for the nf 32 network 64 rows ran 0.97-1.15x the
     * image-evaluations per second of 32 (median 1.09, 9 alternating pairs, Intel Xeon with AMX;
     * peak RSS 0.83-0.87 GB against 0.62), and 128 rows no faster than 64.
     */
    static final long CHUNK_BYTES = 4 << 20;

    /**
     * Chunks run concurrently in {@link Lanes} (worker threads with ONE PyTorch thread each)
     * instead of one chunk at a time on all of PyTorch's threads: a cache-sized chunk's element-wise
     * passes and small convolutions split poorly across threads, whole chunks split perfectly.
     */
    private final boolean concurrent;

    private final ParameterStore store;
    private final UNet unet;
    private final Preconditioned model;

    private DenoiserNetwork(UNetConfig network, Preconditioning preconditioning, long seed, boolean concurrent) {
        this.concurrent = concurrent;
        store = new ParameterStore(seed);
        unet = UNet.create(store, network);
        model = new Preconditioned(unet, preconditioning);
    }

    /** A freshly initialised network (benchmarks; the start point before {@link #assign}). */
    public static DenoiserNetwork create(UNetConfig network, Preconditioning preconditioning, long seed) {
        return create(network, preconditioning, seed, true);
    }

    /** As {@link #create(UNetConfig, Preconditioning, long)}, chunks in lanes or one after another. */
    static DenoiserNetwork create(UNetConfig network, Preconditioning preconditioning, long seed, boolean concurrent) {
        Torch.engine();
        return new DenoiserNetwork(network, preconditioning, seed, concurrent);
    }

    /**
     * Replaces every parameter by the array of the same name in {@code weights}, which must hold
     * exactly this network's parameters with the same shapes, in float32.
     *
     * @param source what the weights are, for error messages (e.g. "model.zip, 'ema' weights")
     * @throws DpdmException naming the first parameter that is missing, unknown or misshapen
     */
    public void assign(Map<String, NDArray> weights, String source) {
        Map<String, NDArray> params = store.asMap();
        for (String name : weights.keySet()) {
            if (!params.containsKey(name)) {
                throw new DpdmException(source + ": parameter '" + name + "' does not exist in the network the model"
                        + " card describes (incompatible checkpoint)");
            }
        }
        params.forEach((name, p) -> {
            NDArray w = weights.get(name);
            if (w == null) {
                throw new DpdmException(source + ": parameter '" + name + "' " + p.getShape()
                        + " is missing (incompatible checkpoint)");
            }
            if (!w.getShape().equals(p.getShape()) || w.getDataType() != DataType.FLOAT32) {
                throw new DpdmException(source + ": parameter '" + name + "' has shape " + w.getShape() + " "
                        + w.getDataType() + " but the network needs " + p.getShape() + " float32 (incompatible checkpoint)");
            }
        });
        params.forEach((name, p) -> Torch.assign(p, weights.get(name)));
    }

    /**
     * This network as a sampling denoiser; results belong to the manager of the input x. Rows are
     * evaluated in chunks of {@link #chunkRows}, so any batch size runs at the speed of a
     * cache-sized one; every row's result is independent of the others, so chunking changes no
     * value.
     */
    public Denoiser denoiser() {
        return (x, sigma, labels) -> {
            int rows = Math.toIntExact(x.getShape().get(0));
            int chunk = chunkRows(rows);
            if (rows <= chunk) {
                return evaluate(x, sigma, labels);
            }
            List<Supplier<NDArray>> chunks = new ArrayList<>();
            for (int start = 0; start < rows; start += chunk) {
                int from = start;
                int end = Math.min(rows, start + chunk);
                NDArray part = x.get(from + ":" + end);
                chunks.add(() -> evaluate(part, Arrays.copyOfRange(sigma, from, end),
                        labels == null ? null : Arrays.copyOfRange(labels, from, end)));
            }
            List<NDArray> parts = new ArrayList<>(chunks.size());
            if (concurrent) {
                parts.addAll(Lanes.all(chunks));
            } else {
                chunks.forEach(c -> parts.add(c.get()));
            }
            return NDArrays.concat(new NDList(parts), 0);
        };
    }

    /**
     * Rows per chunk for a batch of {@code rows}: the largest power of two whose activations in the
     * current precision fit {@link #CHUNK_BYTES}, and no more than an even share of the lanes, so
     * every lane works.
     */
    int chunkRows(int rows) {
        int cached = unet.config().rowsWithin(CHUNK_BYTES, store.precision() == Precision.BF16 ? 2 : 4);
        int lanes = concurrent ? Lanes.count() : 1;
        return Math.max(1, Math.min(cached, (rows + lanes - 1) / lanes));
    }

    private NDArray evaluate(NDArray x, double[] sigma, int[] labels) {
        int rows = Math.toIntExact(x.getShape().get(0));
        return Gradients.forward(x.getManager(), store, rows, 1, w -> {
            // Results belong to the manager of their first operand: a pass-local copy of x keeps
            // every activation in the pass manager, freed as soon as this evaluation ends.
            NDArray local = Torch.copy(x);
            local.attach(w.manager());
            return model.apply(w, local, sigma, labels == null ? null : w.manager().create(labels));
        });
    }

    public UNetConfig config() {
        return unet.config();
    }

    /**
     * Sets the precision of the network's convolutions and products. AUTO times one denoiser
     * evaluation of {@code rows} rows of pure noise (no data) in each precision, as sampling runs
     * it, and keeps the faster ({@link Precision#resolve}).
     */
    public Precision.Choice usePrecision(Precision requested, int rows) {
        UNetConfig c = unet.config();
        try (NDManager m = store.manager().newSubManager()) {
            NDArray noise = m.randomNormal(new Shape(rows, c.channels(), c.imageSize(), c.imageSize()));
            double[] sigma = new double[rows];
            Arrays.fill(sigma, 1);
            int[] labels = c.conditional() ? new int[rows] : null;
            return requested.resolve(store, () -> denoiser().denoise(noise, sigma, labels).close());
        }
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        return store.count();
    }

    @Override
    public void close() {
        store.close();
    }
}

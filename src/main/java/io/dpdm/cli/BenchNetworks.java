package io.dpdm.cli;

import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.train.Preset;

/** The U-Nets the benchmarks time, by name, with an optional width. */
final class BenchNetworks {
    static final String NAMES = "unet28, unet-cpu or celeba32";

    private BenchNetworks() {}

    /**
     * @param name unet28 (DPDM's 28x28 network), unet-cpu (the cpu and quick presets' network for
     *     28x28 grey images, 10 classes) or celeba32 (DPDM's 32x32 colour network)
     * @param baseChannels nf instead of the network's own, or null
     */
    static UNetConfig unet(String name, Integer baseChannels) {
        UNetConfig c = switch (name) {
            case "unet28" -> UNetConfig.dpdm28(10);
            case "unet-cpu" -> Preset.CPU.network(new ImageShape(1, 28, 28), 10);
            case "celeba32" -> UNetConfig.celeba32();
            default -> throw new IllegalArgumentException("--model must be " + NAMES + ", got '" + name + "'");
        };
        return baseChannels == null ? c : new UNetConfig(c.imageSize(), c.channels(), baseChannels,
                c.channelMultipliers(), c.resBlocks(), c.attentionResolutions(), c.dropout(), c.numClasses(),
                c.patchSize());
    }
}

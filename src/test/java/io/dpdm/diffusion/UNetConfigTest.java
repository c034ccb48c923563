package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class UNetConfigTest {
    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void presetsMatchDpdm() {
        UNetConfig mnist = UNetConfig.dpdm28(10);
        assertEquals(List.of(1, 2, 2), mnist.channelMultipliers());
        assertEquals(List.of(7), mnist.attentionResolutions());
        assertEquals(28, mnist.imageSize());
        assertEquals(1, mnist.channels());
        UNetConfig celeba = UNetConfig.celeba32();
        assertEquals(List.of(16, 8), celeba.attentionResolutions());
        assertEquals(0, celeba.numClasses());
        assertEquals(3, celeba.channels());
    }

    @Test
    void imageSizeMustHalveAtEveryLevel() {
        String m = error(() -> new UNetConfig(28, 1, 32, List.of(1, 2, 2, 2), 2, List.of(7), 0, 10));
        assertTrue(m.contains("imageSize / patchSize = 28") && m.contains("2^3"), m);
    }

    @Test
    void attentionResolutionMustOccur() {
        String m = error(() -> new UNetConfig(28, 1, 32, List.of(1, 2, 2), 2, List.of(8), 0, 10));
        assertTrue(m.startsWith("attentionResolutions: 8 never occurs") && m.contains("[28, 14, 7]"), m);
    }

    @Test
    void otherFieldsAreNamed() {
        assertTrue(error(() -> new UNetConfig(0, 1, 32, List.of(1), 1, List.of(), 0, 0)).startsWith("imageSize"));
        assertTrue(error(() -> new UNetConfig(8, 0, 32, List.of(1), 1, List.of(), 0, 0)).startsWith("channels"));
        assertTrue(error(() -> new UNetConfig(8, 1, 2, List.of(1), 1, List.of(), 0, 0)).startsWith("baseChannels"));
        assertTrue(error(() -> new UNetConfig(8, 1, 14, List.of(1), 1, List.of(), 0, 0)).startsWith("baseChannels"));
        assertTrue(error(() -> new UNetConfig(8, 1, 32, List.of(), 1, List.of(), 0, 0)).startsWith("channelMultipliers"));
        assertTrue(error(() -> new UNetConfig(8, 1, 32, List.of(0), 1, List.of(), 0, 0)).startsWith("channelMultipliers"));
        assertTrue(error(() -> new UNetConfig(8, 1, 32, List.of(1), 0, List.of(), 0, 0)).startsWith("resBlocks"));
        assertTrue(error(() -> new UNetConfig(8, 1, 32, List.of(1), 1, List.of(), 1, 0)).startsWith("dropout"));
        assertTrue(error(() -> new UNetConfig(8, 1, 32, List.of(1), 1, List.of(), 0, -1)).startsWith("numClasses"));
        assertTrue(error(() -> new UNetConfig(8, 1, 32, List.of(1), 1, null, 0, 0)).startsWith("attentionResolutions"));
    }

    /** 36 and 72 channels normalise (9 and 18 groups), but the 144-wide concatenation needs 32 groups. */
    @Test
    void groupNormWidthsAreChecked() {
        String m = error(() -> new UNetConfig(8, 1, 36, List.of(1, 2, 2), 1, List.of(), 0, 0));
        assertTrue(m.startsWith("baseChannels 36") && m.contains("144-channel"), m);
    }
}
